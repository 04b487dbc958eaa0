//! Schedules: adding, listing and removing them ([`manage`]), and running the ones due in-process
//! ([`Engine::wake`](crate::Engine::wake)).

pub mod manage;
mod wake;

pub use wake::WakeReport;
