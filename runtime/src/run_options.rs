//! What the host chooses for one run, as opposed to the runtime's [`Limits`](crate::Limits) for every run.

/// Options of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Ask every provider to simulate instead of act; actions that cannot be simulated are reported so.
    pub dry_run: bool,
}
