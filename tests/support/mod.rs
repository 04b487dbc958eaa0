//! Helpers for the end-to-end tests that drive the real `escher` binary on the simulated estate.
//!
//! Each test crate (`run_examples`, `secrets`) uses only part of this module, hence the allowance.
#![allow(dead_code)]

pub mod cli;
pub mod dry_run;
pub mod effects;
pub mod estate;
pub mod examples;
pub mod governance;
pub mod journal;
pub mod kill;
pub mod leaks;
pub mod moto;
pub mod podman;
pub mod serve;
pub mod time;
pub mod webhook;
