//! `escher audit verify` and `escher audit export`.

use std::path::Path;

use escher_runtime::audit::{ExportFormat, export, verify};

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};

pub fn run_verify(state: &Path) -> u8 {
    match verify(state) {
        Ok(report) if report.is_intact() => {
            outln!("{report}");
            EXIT_OK
        }
        Ok(report) => {
            outln!("{report}");
            EXIT_DIAGNOSTICS
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_USAGE
        }
    }
}

pub fn run_export(state: &Path, format: ExportFormat) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match export(state, format, &mut stdout) {
        Ok(()) => EXIT_OK,
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_USAGE
        }
    }
}
