//! `escher check FILE...`

use std::path::PathBuf;

use escher_compiler::{CompileOptions, compile_input};

use super::report::{plural, print_diagnostics};
use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Format, read_source};
use escher::FsLoader;

pub fn run(files: &[PathBuf], format: Format, color: bool) -> u8 {
    let mut exit = EXIT_OK;
    let policy = match super::policy::risk_policy_in_force(&super::state::state_dir(None)) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    for path in files {
        let Ok((name, text)) = read_source(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        let mut options = CompileOptions::check(&FsLoader);
        options.policy = policy.clone();
        let compilation = compile_input(&name, &text, &options);
        let (errors, warnings) = print_diagnostics(&compilation, format, color);
        if format == Format::Human {
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
    exit
}
