//! What the scheduler is told and what it answers.

/// How a node ended, as far as scheduling is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It ran and did its work (all of it, or part within `max_errors`). A rollback may undo it.
    Completed,
    /// It finished without acting: its `when` was false, or a dry run could not simulate it. Its dependents still
    /// run; there is nothing to undo.
    NoEffect,
    /// It failed (or was refused): its `on_failure` decides what happens next.
    Failed,
    /// A cancellation (or a suspension awaiting approval) stopped it before it finished. Neither a success nor a
    /// failure: its dependents wait, and are skipped as cancelled when the cancellation reaches the scheduler,
    /// so a resume runs them once it has run the step.
    Stopped,
}

/// What the run loop should do next. Node numbers index the plan's nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Start this node: everything it depends on is done.
    Run(usize),
    /// This node will not run; record why.
    Skip { node: usize, reason: String },
    /// Run the undo action of this completed node (rollback, newest first, one at a time).
    Undo(usize),
}

/// Why the scheduler stopped releasing nodes. Ordered: a stop only ever escalates (an abort becomes a rollback
/// when a rollback step fails too, and cancellation overrides both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Halt {
    /// A step with `on_failure = abort` failed.
    Abort,
    /// A step with `on_failure = rollback` failed.
    Rollback,
    /// The host cancelled the run.
    Cancel,
}
