//! The per-run append-only journal: `runs/<run_id>/journal.jsonl` under the state directory, one JSON record a
//! line, each written and synced before the runtime acts on what it records.
//!
//! A crash can tear only the last line (the one being written); readers ignore it and [`Journal::open`] cuts it
//! before appending. Every line carries its seq and a checksum chained to the line before ([`chain`]), and the
//! audit entries of a run carry the journal's mark when they were written: a record edited, removed, added or
//! moved, or records cut from the end that the audit log vouches for, are damage, named by file and line. A
//! journal is the truth about a run, and guessing past a damaged record could repeat a step that already
//! changed something.

mod chain;
mod error;
mod fold;
pub(crate) mod lines;
mod paths;
mod reader;
mod record;
mod run_id;
mod runs;
mod writer;

pub use chain::{JournalMark, body as record_body};
pub use error::JournalError;
pub use fold::fold;
pub(crate) use paths::run_dir;
pub use reader::{damaged_journals, encode_journal, read_records, read_run, read_state};
pub use record::{JournalRecord, JournalState};
pub use run_id::new_run_id;
pub use runs::{RunProgress, RunSummary, list_runs};
pub use writer::Journal;
