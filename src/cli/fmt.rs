//! `escher fmt [--check] FILE...`

use std::path::PathBuf;

use escher_compiler::SourceMap;
use escher_compiler::diagnostics::{Diagnostic, render_human};
use escher_compiler::format::{FormatDefect, format_verified};

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Outcome, read_or_say};

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 and list the files that are not formatted.
    #[arg(long)]
    pub check: bool,
}

/// Formats every file, reporting one that cannot be read, formatted or written and going on; the worst outcome
/// is the exit code.
pub fn run(args: &FmtArgs) -> Outcome {
    let mut exit = EXIT_OK;
    for path in &args.files {
        let Some((name, text)) = read_or_say(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        // The formatter's output is re-parsed and compared before anything is written: a file is never
        // replaced by text that means something else.
        let formatted = match format_verified(&text) {
            Ok(formatted) => formatted,
            Err(
                defect @ (FormatDefect::OutputUnparsable { .. }
                | FormatDefect::MeaningChanged { .. }
                | FormatDefect::CommentsChanged { .. }
                | FormatDefect::NotIdempotent { .. }),
            ) => {
                eprintln!("error: {name} was left unchanged: {defect} (a formatter bug; please report it)");
                exit = EXIT_USAGE;
                continue;
            }
            Err(FormatDefect::Unparsable(errors)) => {
                let mut sources = SourceMap::new();
                let file = sources.add(name.clone(), text.clone());
                for error in errors {
                    eprint!("{}", render_human(&Diagnostic::new(file, error), &sources, super::use_color()));
                }
                exit = exit.max(EXIT_DIAGNOSTICS);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if args.check {
            outln!("{name}");
            exit = exit.max(EXIT_DIAGNOSTICS);
        } else if let Err(error) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write {name}: {error}");
            exit = EXIT_USAGE;
        }
    }
    Ok(exit)
}
