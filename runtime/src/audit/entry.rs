//! One record of the audit log. Each holds the hash of the one before, so editing, removing, inserting or
//! reordering records breaks the chain at the first record touched.

use serde::{Deserialize, Serialize};

/// The role an audit entry names when the policy that grants roles is the runner's own, vouched for by no pinned
/// root: such a run is attributed, not governed, and no record of it says "as manager".
pub const UNGOVERNED: &str = "ungoverned";

/// When an audit record was written, as every record kind writes it: RFC 3339, UTC (`Z`), milliseconds.
pub fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What happened, by whom, under which plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Written by [`stamp`].
    pub at: String,
    /// The person or process that acted (`$USER`, `auto`, a scheduler).
    pub who: String,
    pub role: String,
    pub run_id: String,
    pub plan_hash: String,
    /// `run.started`, `approval.decided`, `step.finished`, `run.finished`, ...
    pub kind: String,
    pub step: Option<String>,
    pub action: Option<String>,
    /// Ids of the resources touched.
    pub targets: Vec<String>,
    /// The approval behind this record, if any: who approved, in which role.
    pub approval: Option<String>,
    /// For a run's entries, where its journal stood when the entry was written: the journal must still hold
    /// that record, so records cut from the journal's end are caught (`journal::read_state`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<crate::journal::JournalMark>,
    pub result: String,
    /// For a governed run's entries, the SHA-256 of the policy it runs under and whether a root pinned in the
    /// state vouches for it (see [`RuntimeBuilder::policy`](crate::RuntimeBuilder::policy)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// An entry as stored: its place in the chain and the hashes that link it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainedEntry {
    pub seq: u64,
    /// Hex SHA-256 of the previous record's `hash`; 64 zeros for the first.
    pub prev_hash: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hex SHA-256 over `seq`, `prev_hash` and the entry's canonical JSON.
    pub hash: String,
}
