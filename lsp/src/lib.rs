//! Escher's language server: `escher lsp`.
//!
//! It speaks LSP over stdio ([`run_stdio`]) or over any [`lsp_server::Connection`] ([`serve`], which tests
//! drive in-process with `Connection::memory()`). It computes nothing the compiler does not: diagnostics and
//! their fixes, names and their spans, the stdlib's signatures and docs, the plan's risk and approvals, and the
//! formatter are the compiler's; the server converts them to the protocol (`handlers/`, one file per feature).
//!
//! # What "incremental" means here
//! - Text sync is incremental: the client sends only the edited ranges, applied in order to the document's text
//!   (`world.rs`); positions are converted in the encoding agreed at `initialize` (UTF-8 if the client offers
//!   it, else UTF-16: `line_index.rs`).
//! - Each open document keeps the analysis of its current version (its compilation, syntax tree and name
//!   sites): requests read it and never compile again while the text is unchanged.
//! - An edit re-checks only the edited document, and the open documents that import it (directly or not),
//!   known from the files their last compilation loaded. Other documents keep their analysis.
//! - Checks wait until no message is queued: a burst of keystrokes is one check, and a request about a document
//!   edited since its last check checks it first.
//! - Within one document the compiler checks the whole text again: it has no incremental mode. A keystroke on a
//!   2,000-line playbook is measured by `benches/keystroke.rs` (docs/performance.md).

mod analysis;
mod capabilities;
mod context;
mod handlers;
mod line_index;
mod loader;
mod server;
mod uri;
mod words;
mod world;

pub use line_index::{Encoding, LineIndex};
pub use lsp_server::Connection;
pub use server::serve;

/// Why the server stopped other than by `shutdown` and `exit`.
#[derive(Debug)]
pub enum Error {
    /// The client broke the protocol (no `initialize`, `exit` without `shutdown`, ...).
    Protocol(lsp_server::ProtocolError),
    /// A notification's parameters were not what the protocol says.
    Malformed(serde_json::Error),
    /// The client's end of the connection closed.
    Disconnected,
    Io(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Protocol(error) => write!(f, "the LSP client broke the protocol: {error}"),
            Error::Malformed(error) => write!(f, "a message from the LSP client is malformed: {error}"),
            Error::Disconnected => f.write_str("the LSP client closed the connection"),
            Error::Io(error) => write!(f, "reading from or writing to the LSP client failed: {error}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<lsp_server::ProtocolError> for Error {
    fn from(error: lsp_server::ProtocolError) -> Self {
        Error::Protocol(error)
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Error::Malformed(error)
    }
}

/// Serves one client on stdin and stdout until it shuts the server down.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    io_threads.join().map_err(Error::Io)
}
