//! Where `secret("name")` values come from: the environment, or a local secrets file only its owner can read.

mod env_and_file;
mod error;
mod store;

pub use env_and_file::EnvAndFileSecrets;
pub use error::SecretError;
pub use store::SecretStore;
