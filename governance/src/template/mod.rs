//! Templates ("extend me"): a manager signs a playbook with bounds on its parameters; an executor runs it inside
//! them without further approval.

mod bounds;
mod imports;
mod revocation;
mod signed;
mod store;

pub use bounds::{Bounds, OutOfBounds, ParamBound};
pub use imports::{EmbeddedLoader, RecordingLoader, TemplateImport};
pub use revocation::{RevocationPayload, SignedRevocation, revocation_of, revoke};
pub use signed::{SignedTemplate, TemplatePayload};
pub use store::{latest_revision, list, load, publish};
