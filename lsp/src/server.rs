//! The main loop: notifications update the open documents, requests are answered from their last analysis, and
//! diagnostics are published once no message is waiting, so a burst of keystrokes is checked once.

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{InitializeParams, PublishDiagnosticsParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::capabilities::{negotiate_encoding, server_capabilities};
use crate::handlers::rename::RenameError;
use crate::handlers::{code_action, completion, diagnostics, formatting, hover, navigation, rename, symbols};
use crate::world::{NotOpen, World};

/// Answers `initialize`, then serves the connection until `shutdown` and `exit`.
pub fn serve(connection: Connection) -> Result<(), Error> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = negotiate_encoding(&params.capabilities);
    let result = serde_json::json!({
        "capabilities": server_capabilities(encoding),
        "serverInfo": { "name": "escher", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result)?;
    Server { connection, world: World::new(encoding) }.run()
}

struct Server {
    connection: Connection,
    world: World,
}

/// A request that could not be answered, as the client is told.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl From<NotOpen> for Failure {
    fn from(NotOpen(uri): NotOpen) -> Self {
        Failure { code: ErrorCode::InvalidParams, message: format!("{} is not open", uri.as_str()) }
    }
}

impl From<RenameError> for Failure {
    fn from(error: RenameError) -> Self {
        match error {
            RenameError::NotOpen(not_open) => not_open.into(),
            RenameError::Refused(message) => Failure { code: ErrorCode::InvalidRequest, message },
        }
    }
}

impl Server {
    fn run(mut self) -> Result<(), Error> {
        loop {
            let message = match self.connection.receiver.try_recv() {
                Ok(message) => message,
                Err(crossbeam_empty) if crossbeam_empty.is_empty() => {
                    self.publish_diagnostics()?;
                    match self.connection.receiver.recv() {
                        Ok(message) => message,
                        Err(_) => return Ok(()),
                    }
                }
                Err(_) => return Ok(()),
            };
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    self.send(response.into())?;
                }
                Message::Notification(notification) => self.notified(notification)?,
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), Error> {
        self.connection.sender.send(message).map_err(|_| Error::Disconnected)
    }

    fn notified(&mut self, notification: Notification) -> Result<(), Error> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(notification.params)?;
                let document = params.text_document;
                self.world.open(document.uri, document.version, document.text);
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(notification.params)?;
                let document = params.text_document;
                // A change to a document the client never opened is the client's mistake; there is no one to tell.
                let _ = self.world.change(&document.uri, document.version, params.content_changes);
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(notification.params)?;
                self.world.close(&params.text_document.uri);
                // A closed document's diagnostics are cleared, as editors expect.
                let cleared =
                    PublishDiagnosticsParams { uri: params.text_document.uri, diagnostics: Vec::new(), version: None };
                self.send(Notification::new(PublishDiagnostics::METHOD.into(), cleared).into())?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks each document changed since its diagnostics were last sent, and sends them.
    fn publish_diagnostics(&mut self) -> Result<(), Error> {
        for uri in self.world.unpublished() {
            let Ok((document, analysis)) = self.world.analyzed(&uri) else { continue };
            let params = diagnostics::publish(document, analysis);
            self.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into())?;
            self.world.mark_published(&uri);
        }
        Ok(())
    }

    fn answer(&mut self, request: Request) -> Response {
        let world = &mut self.world;
        match request.method.as_str() {
            HoverRequest::METHOD => handle(request, |p| Ok(hover::hover(world, p)?)),
            Completion::METHOD => handle(request, |p| Ok(completion::completion(world, p)?)),
            GotoDefinition::METHOD => handle(request, |p| Ok(navigation::definition(world, p)?)),
            References::METHOD => handle(request, |p| Ok(navigation::references(world, p)?)),
            DocumentSymbolRequest::METHOD => handle(request, |p| Ok(symbols::document_symbols(world, p)?)),
            Formatting::METHOD => handle(request, |p| Ok(formatting::formatting(world, p)?)),
            CodeActionRequest::METHOD => handle(request, |p| Ok(code_action::code_actions(world, p)?)),
            PrepareRenameRequest::METHOD => handle(request, |p| Ok(rename::prepare_rename(world, p)?)),
            Rename::METHOD => handle(request, |p| Ok(rename::rename(world, p)?)),
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("{} is not supported", request.method),
            ),
        }
    }
}

/// Decodes a request's parameters, runs the handler and encodes its answer or failure.
fn handle<P: DeserializeOwned, R: Serialize>(
    request: Request,
    handler: impl FnOnce(P) -> Result<R, Failure>,
) -> Response {
    let params = match serde_json::from_value::<P>(request.params) {
        Ok(params) => params,
        Err(error) => return Response::new_err(request.id, ErrorCode::InvalidParams as i32, error.to_string()),
    };
    match handler(params) {
        Ok(result) => Response::new_ok(request.id, result),
        Err(Failure { code, message }) => Response::new_err(request.id, code as i32, message),
    }
}
