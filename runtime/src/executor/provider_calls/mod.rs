//! A step's calls to providers: its items cut into batches, each batch called (admitted, journaled, retried),
//! batches in doubt on resume settled first, and the answers merged into the step's result.

pub(super) mod batches;
pub(super) mod call;
pub(super) mod merge;
mod reconcile;
