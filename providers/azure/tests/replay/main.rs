//! Escher's Azure provider against Microsoft's published Resource Manager examples, replayed on 127.0.0.1 over
//! HTTPS: every request Escher sends must match an example (or a derivation of one that says how and why), and
//! sign-in goes through the real token endpoint code.

mod calls;
#[cfg(feature = "certificate")]
mod certificate;
mod data;
mod support;
mod vm;
