//! The hash-chained audit log.
mod entry;
pub use entry::{AuditEntry, ChainedEntry};
