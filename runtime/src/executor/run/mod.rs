//! One run once launched: the loop that hands out its nodes, what its tasks share, and its report.

pub(super) mod context;
mod report;
pub(super) mod run_loop;
