//! One node's work, from its `when` to its result: its inputs, its approval, core actions and scripts (provider
//! calls are in `provider_calls/`), and the undo a rollback runs.

mod approval;
pub(super) mod core_actions;
pub(super) mod node;
mod notify;
pub(super) mod prepare;
pub(super) mod result;
pub(super) mod undo;
