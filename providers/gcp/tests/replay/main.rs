//! The GCP provider against the replay of Google's APIs (`escher-gcp-replay`), which checks every request
//! against Google's Discovery documents: each test asserts the exact requests and the records returned, and that
//! the replay saw no request off its method's description.

mod billing;
mod calls;
mod catalog;
mod compute;
mod credentials;
mod functions;
mod sql;
mod storage;
mod support;
