//! The per-run append-only journal: `runs/<run_id>/journal.jsonl` under the state directory, one JSON record a
//! line, each written and synced before the runtime acts on what it records.
//!
//! A crash can tear only the last line (the one being written); readers ignore it and [`Journal::open`] cuts it
//! before appending. Any other line that does not parse is an error that names it: a journal is the truth about
//! a run, and guessing past a damaged record could repeat a step that already changed something.

mod error;
mod fold;
pub(crate) mod lines;
mod paths;
mod reader;
mod record;
mod run_id;
mod runs;
mod writer;

pub use error::JournalError;
pub use fold::fold;
pub use reader::{read_records, read_state};
pub use record::{JournalRecord, JournalState};
pub use run_id::new_run_id;
pub use runs::{RunProgress, RunSummary, list_runs};
pub use writer::Journal;
