//! Reading AI output: a playbook in a `.esc` file, a Markdown fenced block or a JSON response envelope.
//!
//! [`extract`] finds the playbook and keeps a map from its bytes back to the original text, so that every
//! diagnostic found in the playbook can be shown, and every fix applied, in the file the user or the AI loop
//! actually has ([`remap`]).

mod claims;
mod envelope;
mod error;
mod extract;
mod json_string;
mod markdown;
mod offset_map;
mod remap;
mod utf8;

pub use claims::{ClaimWarning, compare_claims};
pub use envelope::{ClaimSpans, Claims};
pub use error::InputError;
pub use extract::{Extracted, InputKind, extract};
pub use remap::remap;
pub use utf8::{NotUtf8, decode_utf8};
