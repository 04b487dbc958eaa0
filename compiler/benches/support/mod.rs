//! Helpers of the `check_plan` benchmark: the generated playbook, peak memory, and the per-phase breakdown.

pub mod fleet;
pub mod memory;
pub mod phases;
