//! Escher's engine: what every host of a governed run (the command line, a desktop app, a container job)
//! shares, so none has to assemble it again. So far: [`ProviderRegistry`], the providers a run may use, by name.
//!
//! ```
//! use escher_engine::ProviderRegistry;
//!
//! let registry = ProviderRegistry::builtin();
//! for name in registry.names() {
//!     let chosen = registry.select(&[name.to_string()]).expect("a built-in provider");
//!     assert_eq!(chosen.names(), [name]);
//! }
//! let error = registry.select(&["azure".to_string()]).err().expect("no Azure provider yet");
//! assert!(error.to_string().starts_with("this build has no azure provider"));
//! ```

mod registry;

pub use registry::{Chosen, ProviderRegistry, RegistryError};
