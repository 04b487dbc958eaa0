//! Signed approvals through a shared directory: requests filed by runs, decisions signed by approvers, and the
//! approver that verifies them for the runtime.

mod approver;
mod checked;
mod decision;
mod recorded;
mod request;
mod store;
mod verify;

pub use approver::{FilesApprover, Notice, Refresh, Requester};
pub use checked::{CheckedRequest, check_request};
pub use decision::{DecisionPayload, SignedDecision};
pub use recorded::{check_signed_proof, signed_proof};
pub use request::{PlaybookText, RequestFile, SignedRequest, TargetSummary, params_hash};
pub use store::{ApprovalsDir, Read, read_all};
pub use verify::{Check, Expected, Outcome, Valid, tally, verify_one};

#[cfg(test)]
mod tests;
