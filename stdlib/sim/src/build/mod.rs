//! Building resource records with every declared field and sensible values, for generated estates, the demo
//! estate and tests. Each constructor takes what identifies a resource; the [`Draft`] methods change the rest.

mod aws;
mod azure;
mod draft;
mod gcp;
pub mod prices;

pub use aws::*;
pub use azure::*;
pub use draft::{DEFAULT_TIME, Draft};
pub use gcp::*;
