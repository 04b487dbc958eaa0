//! Where a host's state lives and how the engine holds it while it works: a local directory, or a bucket
//! (`s3://`, `az://`, `gs://`) worked on through a local copy that is pulled first and pushed back as it
//! changes, each journal commit reaching the bucket before the run goes on (docs/state.md).
//!
//! ```
//! use escher_engine::state::{AttachedState, StateLocation};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let dir = tempfile::tempdir().expect("a directory");
//! let location = StateLocation::parse(&dir.path().display().to_string()).expect("a location");
//! let state = AttachedState::attach(location, |_| {}).await.expect("the layout is checked");
//! assert_eq!(state.dir(), dir.path());
//! assert!(state.replica().is_none(), "a local directory needs no replication");
//! state.close().expect("nothing to push");
//! # }
//! ```

mod attached;
mod location;
mod run_lease;

pub use attached::{AttachedState, StateError};
pub use location::StateLocation;
pub use run_lease::{RunLease, TakenOver};
