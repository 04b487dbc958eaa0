//! The hash-chained audit log: `audit/audit.jsonl` under the state directory, one [`ChainedEntry`] a line.
//!
//! Each record's hash covers its content and the previous record's hash, so editing, removing, inserting or
//! reordering records breaks the chain at the first record touched. The end of the log has nothing after it
//! to break, so `audit/head.json` (the anchor) holds the last record's seq and hash: a record removed from or
//! added at the end disagrees with it. Anyone who can write the state directory can rewrite both; an anchor
//! kept elsewhere (the shared state store) is what makes that detectable too.
//!
//! One process appends at a time: share an [`AuditLog`] between runs behind a `Mutex`. Two processes appending
//! at once is not supported yet (their records would interleave and break the chain); the state store adds the
//! locking for that.

mod anchor;
mod chain;
mod copy;
mod entry;
mod error;
mod export;
mod log;
pub(crate) mod stored;
mod verify;

pub use anchor::head;
pub use chain::{GENESIS_HASH, record_hash};
pub use copy::{anchor_json, vouched_len};
pub use entry::{AuditEntry, ChainedEntry, UNGOVERNED, stamp};
pub use error::AuditError;
pub use export::{ExportFormat, export};
pub use log::{AuditLog, reanchor};
pub use stored::records;
pub use verify::{BrokenRecord, Tampering, VerifyReport, verify};
