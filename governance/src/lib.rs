//! Escher's governance: who may run what, and the proof that someone allowed to approve a step did.
//!
//! - [`identity`]: a user's ed25519 key pair, kept owner-only in the state directory.
//! - [`policy`]: the policy file (roles, members, thresholds, approvers, scopes), checked with diagnostics
//!   (P01xx) and turned into the compiler's risk policy.
//! - [`approvals`]: request and decision files in a shared approvals directory, signed decisions, and the
//!   [`approvals::FilesApprover`] that verifies them for the runtime.
//! - [`template`]: manager-signed playbooks with parameter bounds that executors run without further approval.
//! - [`guard`]: the runtime hook that refuses a step whose live targets lie outside a role's scope or a
//!   template's bounds.
//! - [`run`]: the governance of one run as every host applies it ([`run::RunGovernance`]): refusals before
//!   anything runs, the guard, and the approver that makes any host's approvals prove themselves by signature.
//! - [`explain_code`]: the explanation of any code Escher reports, the compiler's and the policy's.
//!
//! IO happens only where files are the point (key files, the approvals directory); checks are pure and take a
//! [`clock::Clock`] so expiry is testable.

pub mod approvals;
pub mod audit_head;
pub mod canonical;
pub mod clock;
pub mod duration;
mod explain;
pub mod files;
pub mod guard;
pub mod identity;
pub mod policy;
pub mod run;
pub mod scope;
pub mod template;

pub use explain::explain_code;
