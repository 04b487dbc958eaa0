//! `escher check FILE...`

use std::path::PathBuf;

use escher::FsLoader;
use escher_compiler::{CompileOptions, compile_input_bytes};

use super::report::{plural, print_diagnostics};
use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Format, Outcome, read_bytes_or_say};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Checks every file, reporting an unreadable one and going on; the worst outcome is the exit code.
pub fn run(args: &CheckArgs, color: bool) -> Outcome {
    let mut exit = EXIT_OK;
    let policy = super::policy::risk_policy_in_force(&super::state::state_dir(None))?;
    for path in &args.files {
        let Some((name, bytes)) = read_bytes_or_say(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        let mut options = CompileOptions::check(&FsLoader);
        options.policy = policy.clone();
        let compilation = compile_input_bytes(&name, &bytes, &options);
        let (errors, warnings) = print_diagnostics(&compilation, args.format, color);
        if args.format == Format::Human {
            if errors == 0 && warnings == 0 {
                eprintln!("ok: {name}");
            } else {
                eprintln!("{name}: {}, {}", plural(errors, "error"), plural(warnings, "warning"));
            }
        }
        if errors > 0 && exit == EXIT_OK {
            exit = EXIT_DIAGNOSTICS;
        }
    }
    Ok(exit)
}
