//! The conversation with a model that writes playbooks (`escher ask`): an OpenAI-compatible chat client
//! ([`client`]), the prompt it is given ([`prompt`]: the language, the stdlib's catalog and the anonymized
//! estate), the repair loop that compiles each answer and sends the diagnostics back ([`repair`]), and the
//! conversations kept in the state directory ([`chat`]).
//!
//! Nothing here trusts the model: its answer is compiled like any playbook, its claimed risk is never used, and
//! what it is sent holds pseudonyms instead of the estate's identifiers ([`crate::context`]).

pub mod chat;
pub mod client;
pub mod prompt;
pub mod repair;

pub use client::{AiError, ChatClient, Constraint, Endpoint, Message, Reply};
pub use repair::{Answer, Checked, Round, repair_loop};
