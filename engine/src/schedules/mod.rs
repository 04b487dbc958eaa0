//! Schedules: adding, listing and removing them ([`manage`]), and running the ones due in-process
//! ([`Engine::wake`](crate::Engine::wake)).

pub mod manage;
pub(crate) mod wake;

pub use wake::{WakeReport, stamp};
