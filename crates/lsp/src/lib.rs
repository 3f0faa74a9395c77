//! `tenet lsp`: the Language Server Protocol server for `.tenet` policies and the case
//! and facts files that name them. Every answer comes from the engine's own parser and
//! checker (`tenet::analysis`), so the editor and `tenet check` always agree.
//!
//! One thread reads messages; a document edited is re-analysed once typing pauses
//! ([`DEBOUNCE`]) or as soon as a request needs it, and its diagnostics published.

mod convert;
mod data;
mod documents;
mod handlers;
mod transport;

use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References, Rename,
    Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use documents::{Documents, Kind};

/// How long the server waits for more edits before analysing an edited document. Edits
/// that queued up while it was busy are all read first (they arrive without waiting), so
/// a burst is analysed once; the wait itself stays short so that diagnostics follow an
/// edit to a 2,000-line policy within about 50 ms (BENCHMARKS.md).
pub const DEBOUNCE: Duration = Duration::from_millis(5);

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The connection failed.
    #[error("language server: {0}")]
    Protocol(String),
}

impl From<lsp_server::ProtocolError> for LspError {
    fn from(e: lsp_server::ProtocolError) -> Self {
        LspError::Protocol(e.to_string())
    }
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp_types::SemanticTokensOptions {
                legend: lsp_types::SemanticTokensLegend {
                    token_types: handlers::TOKEN_TYPES.to_vec(),
                    token_modifiers: Vec::new(),
                },
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..lsp_types::SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Serves over standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), LspError> {
    let (connection, io) = transport::stdio().map_err(|e| LspError::Protocol(e.to_string()))?;
    serve(&connection)?;
    drop(connection);
    io.join().map_err(|e| LspError::Protocol(e.to_string()))
}

/// Serves one connection: the handshake, then messages until `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| LspError::Protocol(e.to_string()))?;
    connection.initialize(caps)?;
    let mut docs = Documents::default();
    loop {
        let message = if docs.dirty.is_empty() {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            }
        } else {
            match connection.receiver.recv_timeout(DEBOUNCE) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    publish_dirty(connection, &mut docs)?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        };
        match message {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                // Edits not yet analysed are analysed and published first, so an answer
                // comes after the diagnostics of every edit sent before its request.
                publish_dirty(connection, &mut docs)?;
                let response = answer(&mut docs, req);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(n) => notified(connection, &mut docs, n)?,
            Message::Response(_) => {}
        }
    }
}

fn send(connection: &Connection, message: Message) -> Result<(), LspError> {
    connection.sender.send(message).map_err(|e| LspError::Protocol(e.to_string()))
}

fn notified(connection: &Connection, docs: &mut Documents, n: Notification) -> Result<(), LspError> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                let d = p.text_document;
                docs.open(d.uri, d.version, d.text);
                // Opening shows the file's problems at once.
                publish_dirty(connection, docs)?;
            }
        }
        DidChangeTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                && let Some(change) = p.content_changes.into_iter().last()
            {
                docs.change(&p.text_document.uri, p.text_document.version, change.text);
            }
        }
        DidSaveTextDocument::METHOD => publish_dirty(connection, docs)?,
        // A file a policy reads (a table's CSV, a holiday file) changed on disk: every
        // open policy is analysed again (its unchanged large tables are kept).
        DidChangeWatchedFiles::METHOD => {
            docs.reread_policies();
            publish_dirty(connection, docs)?;
        }
        DidCloseTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                let uri = p.text_document.uri;
                docs.open.remove(uri.as_str());
                docs.dirty.remove(uri.as_str());
                publish(connection, uri, Vec::new(), None)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn publish(
    connection: &Connection,
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) -> Result<(), LspError> {
    let params = PublishDiagnosticsParams { uri, diagnostics, version };
    send(connection, Message::Notification(Notification::new(PublishDiagnostics::METHOD.to_owned(), params)))
}

/// Analyses every edited document and publishes its diagnostics.
fn publish_dirty(connection: &Connection, docs: &mut Documents) -> Result<(), LspError> {
    let dirty: Vec<String> = std::mem::take(&mut docs.dirty).into_iter().collect();
    for key in dirty {
        let Some(uri) = docs.open.get(&key).map(|(u, _)| u.clone()) else { continue };
        let Some(doc) = docs.analysed(&uri) else { continue };
        let text = doc.file.text();
        let found = match (&doc.kind, &doc.analysis) {
            (Kind::Policy, Some(a)) => a.diagnostics().to_vec(),
            (Kind::Data, _) => data::diagnose(&doc.file),
            (Kind::Policy, None) => Vec::new(),
        };
        let fallback = tenet::source::Span::new(0, 0);
        let list = found
            .iter()
            .filter(|d| d.file.as_ref().is_none_or(|f| f.name() == doc.file.name()))
            .map(|d| convert::diagnostic(text, d, &uri, fallback))
            .collect();
        // Problems of the holiday files the policy names go to those files.
        let mut others: std::collections::BTreeMap<String, (std::sync::Arc<tenet::source::SourceFile>, Vec<_>)> =
            std::collections::BTreeMap::new();
        for d in &found {
            if let Some(f) = d.file.as_ref().filter(|f| f.name() != doc.file.name()) {
                others
                    .entry(f.name().to_owned())
                    .or_insert_with(|| (std::sync::Arc::clone(f), Vec::new()))
                    .1
                    .push(d.clone());
            }
        }
        let version = Some(doc.version);
        publish(connection, uri, list, version)?;
        let before = docs.published.insert(key.clone(), others.keys().cloned().collect()).unwrap_or_default();
        for (name, (file, diags)) in others {
            let Ok(other) = format!("file://{}", absolute(&name)).parse::<Uri>() else { continue };
            let list = diags.iter().map(|d| convert::diagnostic(file.text(), d, &other, fallback)).collect();
            publish(connection, other, list, None)?;
        }
        // A file fixed since the last analysis: its old diagnostics are withdrawn.
        let now = docs.published.get(&key).cloned().unwrap_or_default();
        for name in before.difference(&now) {
            let Ok(other) = format!("file://{}", absolute(name)).parse::<Uri>() else { continue };
            publish(connection, other, Vec::new(), None)?;
        }
    }
    Ok(())
}

/// A file name as an absolute path.
fn absolute(name: &str) -> String {
    std::path::absolute(name).map(|p| p.display().to_string()).unwrap_or_else(|_| name.to_owned())
}

/// Answers a request; an unknown method or malformed parameters get a JSON-RPC error.
fn answer(docs: &mut Documents, req: Request) -> Response {
    let id = req.id.clone();
    let result = match req.method.as_str() {
        HoverRequest::METHOD => run(req, |p| Ok(handlers::hover(docs, &p))),
        GotoDefinition::METHOD => run(req, |p| Ok(handlers::definition(docs, &p))),
        References::METHOD => run(req, |p| Ok(handlers::references(docs, &p))),
        Completion::METHOD => run(req, |p| Ok(handlers::completion(docs, &p))),
        Formatting::METHOD => run(req, |p| Ok(handlers::formatting(docs, &p))),
        DocumentSymbolRequest::METHOD => run(req, |p| Ok(handlers::symbols(docs, &p))),
        CodeActionRequest::METHOD => run(req, |p| Ok(handlers::code_actions(docs, &p))),
        SemanticTokensFullRequest::METHOD => run(req, |p| Ok(handlers::semantic_tokens(docs, &p))),
        Rename::METHOD => run(req, |p| handlers::rename(docs, &p).map_err(|r| (ErrorCode::RequestFailed, r.0))),
        other => Err((ErrorCode::MethodNotFound, format!("unknown method {other}"))),
    };
    match result {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

/// Decodes the parameters, runs the handler, encodes its answer.
fn run<P, R>(
    req: Request,
    handler: impl FnOnce(P) -> Result<R, (ErrorCode, String)>,
) -> Result<serde_json::Value, (ErrorCode, String)>
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let params: P = serde_json::from_value(req.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))?;
    let answer = handler(params)?;
    serde_json::to_value(answer).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// The id of a request, for tests that drive the server.
pub fn request_id(n: i32) -> RequestId {
    RequestId::from(n)
}
