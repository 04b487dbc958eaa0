//! Escher's state store: everything Escher keeps (runs and their journals, the audit log, schedules and their
//! occurrences, locks) in one versioned layout, in a local directory or in the user's own S3, Azure Blob or GCS
//! bucket, chosen by a URL. docs/state.md is the user's guide; ARCHITECTURE.md places it.
//!
//! - [`Store`]: get, conditional put ([`PutMode`]), list, delete; atomic on every backend.
//! - [`layout`]: `layout.json`, migration of older layouts, refusal of newer ones.
//! - [`log`]: append-only logs as create-only segments on stores without append.
//! - [`lock`]: lease locks by conditional writes.
//! - [`mirror`]: pushing a local directory to a store as it changes, and pulling a store into a directory.
//! - [`Replicator`]: a command's pushing thread, which also holds back each journal commit until it is pushed.
//! - [`schedule`]: schedules, their occurrences (claimed create-only) and what a daemon does when it wakes.
//!
//! A store from a URL (here a local directory; `s3://`, `az://` and `gs://` work the same), written only if
//! nothing is there, then updated only at the version read:
//!
//! ```
//! use escher_state::{PutMode, Store, StoreOptions, StoreUrl};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), escher_state::StoreError> {
//! let dir = tempfile::tempdir().expect("a directory");
//! let url = StoreUrl::parse(&dir.path().to_string_lossy()).expect("a local path is a store URL");
//! let store = Store::open(&url, &StoreOptions::default())?;
//! let first = store.put("locks/run-1.json", "held by alice", PutMode::Create).await?;
//! assert!(store.put("locks/run-1.json", "held by bob", PutMode::Create).await.is_err(), "already there");
//! store.put("locks/run-1.json", "released", PutMode::Update(first)).await?;
//! let object = store.get("locks/run-1.json").await?.expect("it is there");
//! assert_eq!(&object.bytes[..], b"released");
//! # Ok(())
//! # }
//! ```

mod backend;
mod error;
pub mod layout;
pub mod lock;
pub mod log;
pub mod mirror;
mod options;
mod replicator;
pub mod runs;
pub mod schedule;
mod store;
pub mod summary;
mod url;

/// The time types of this crate's API, for hosts that take no dependency of their own on them.
pub use chrono;
pub use chrono_tz;

pub use backend::{Object, PutMode, Version};
pub use error::StoreError;
pub use options::{AZURITE_ACCOUNT, AZURITE_KEY, StoreOptions};
pub use replicator::Replicator;
pub use store::{HiddenObject, Store};
pub use url::StoreUrl;
