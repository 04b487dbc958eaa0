//! The simulated multi-cloud estate: every stdlib query and action of AWS, Azure, GCP and the cloud-agnostic
//! interfaces, answered from an in-memory estate of resource records, with deterministic latency, throttling
//! and faults. Cloud-agnostic listings (`compute.instances`) are not answered under their own name: the runtime
//! asks each cloud's query implementing them; `inventory.*` and `cost.*` are.
//!
//! ```no_run
//! # async fn demo() -> Result<(), escher_sim::LoadError> {
//! use escher_sim::{Sim, SimConfig};
//! let sim = Sim::from_file("examples/estate/demo.json")?
//!     .with_config(SimConfig::parse("latency=50ms,throttle=0.05,fail=0.01,seed=7").expect("valid faults"));
//! # let _ = sim; Ok(()) }
//! ```
//!
//! Time: the estate has a clock (`now` in the estate file) that stands still, so `older_than` filters and the
//! timestamps of created resources are the same on every run. State transitions (`running → stopping →
//! stopped`) are measured on tokio's clock instead: with [`SimConfig::transition`] at zero (the default) an
//! action leaves its targets in the final state at once; otherwise it leaves them in the intermediate state, as
//! the cloud reports it, until that much tokio time has passed.

mod actions;
mod buckets;
pub mod build;
mod change_log;
mod config;
mod demo;
mod error;
mod estate;
pub mod factory;
mod faults;
mod generate;
mod pace;
mod persisting;
mod queries;
mod record;
mod rng;
mod saved;
mod sim;

pub use change_log::change_log_path;
pub use config::{ConfigError, FaultKind, ForcedFault, SimConfig};
pub use error::{LoadError, Problem};
pub use estate::{Account, Estate};
pub use factory::SimFactory;
pub use persisting::Persisting;
pub use record::Record;
pub use saved::SavedEstate;
pub use sim::{Notification, Sim};

/// The resource kinds an estate can hold: every resource the stdlib declares, and `gcp.sql.Backup`.
pub fn kinds() -> Vec<&'static str> {
    estate::kinds::all()
}

/// The stdlib names the simulator answers, queries and actions alike (all but the cloud-agnostic listings the
/// runtime routes to each cloud's query), so hosts and tests can check coverage.
pub fn supported() -> Vec<&'static str> {
    let mut names = queries::names();
    names.extend(actions::names());
    names.sort_unstable();
    names
}
