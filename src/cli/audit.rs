//! `escher audit verify` and `escher audit export`.

use std::path::Path;

use escher_runtime::audit::{ExportFormat, export, verify};

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};

/// The audit log's chain and anchor, then every run's journal (its chain, and the records the audit log vouches
/// for): a damaged file is named with the line where the damage is.
pub fn run_verify(state: &Path) -> u8 {
    match verify(state) {
        Ok(report) if report.is_intact() => {
            outln!("{report}");
            let damaged = damaged_journals(state);
            for damage in &damaged {
                outln!("damaged journal: {damage}");
            }
            if damaged.is_empty() { EXIT_OK } else { EXIT_DIAGNOSTICS }
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

/// Why each run's journal that does not check out is damaged.
fn damaged_journals(state: &Path) -> Vec<String> {
    match escher_runtime::journal::damaged_journals(state) {
        Ok(damaged) => damaged.iter().map(ToString::to_string).collect(),
        Err(error) => vec![error.to_string()],
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
