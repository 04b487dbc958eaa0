//! The per-run append-only journal.

mod record;

pub use record::{JournalRecord, JournalState};
