//! `escher fmt [--check] FILE...`

use std::path::PathBuf;

use escher_compiler::SourceMap;
use escher_compiler::diagnostics::{Diagnostic, render_human};
use escher_compiler::format::format_playbook;

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};

pub fn run(files: &[PathBuf], check: bool) -> u8 {
    let mut exit = EXIT_OK;
    for path in files {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {name}: {error}");
                exit = EXIT_USAGE;
                continue;
            }
        };
        let formatted = match format_playbook(&text) {
            Ok(formatted) => formatted,
            Err(errors) => {
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
        if check {
            println!("{name}");
            exit = exit.max(EXIT_DIAGNOSTICS);
        } else if let Err(error) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write {name}: {error}");
            exit = EXIT_USAGE;
        }
    }
    exit
}
