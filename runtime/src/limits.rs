//! How much a runtime does at once, and for how long: set by the host on the builder, read by every run.

use std::time::Duration;

/// How much a runtime does at once, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Provider calls and scripts in flight at once, across every step of a run.
    pub concurrency: usize,
    /// Operations one script may run.
    pub script_operations: u64,
    /// The time limit of each attempt of a step that sets no `timeout`.
    pub step_timeout: Duration,
    /// Calls in flight at once within one step (its batches or fan-out items) when it sets no `concurrency`.
    pub step_concurrency: u32,
    /// Retries that need no `retry` option: every query's on throttling, 5xx and timeouts (a read is always safe
    /// to repeat, and a listing that gives up fails the run), and every call's on throttling (a throttled call
    /// did nothing). A step's larger `retry` wins.
    pub safe_retries: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 32,
            script_operations: 1_000_000,
            step_timeout: Duration::from_secs(600),
            step_concurrency: 8,
            safe_retries: 10,
        }
    }
}
