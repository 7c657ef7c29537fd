//! The protocol loop: initialise, keep the open documents, publish
//! diagnostics when they change and answer requests.

use crate::config::lint::{Job, Linter};
use crate::document::Document;
use crate::features;
use crate::schema::{ConfigSchema, ConfigSupport};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, InlayHintRequest,
    References, Rename, Request as _, SignatureHelpRequest,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};
use std::collections::HashMap;
use std::sync::Arc;

/// What the server advertises.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([".", "$", "@", "\""].map(String::from).to_vec()),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(["(", ","].map(String::from).to_vec()),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// The server's state: the open documents by URI, and the config schema
/// YAML documents are read with.
#[derive(Debug, Default)]
pub struct State {
    docs: HashMap<String, Document>,
    schema: Option<Arc<ConfigSchema>>,
}

/// The local path of a `file://` URI.
fn path_of(uri: &Uri) -> Option<std::path::PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], raw.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => {
                let decoded = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match decoded {
                    Some(b) => {
                        bytes.push(b);
                        i += 3;
                    }
                    None => {
                        bytes.push(b'%');
                        i += 1;
                    }
                }
            }
            (b, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).ok().map(std::path::PathBuf::from)
}

fn is_yaml(uri: &Uri, language: Option<&str>) -> bool {
    language == Some("yaml") || uri.as_str().ends_with(".yaml") || uri.as_str().ends_with(".yml")
}

impl State {
    fn open(&mut self, uri: &Uri, text: String, language: Option<&str>) -> &Document {
        let yaml = match self.docs.get(uri.as_str()) {
            Some(existing) => existing.yaml,
            None => is_yaml(uri, language),
        };
        let mut doc = Document::new(text, yaml, path_of(uri));
        if let (true, Some(schema)) = (yaml, &self.schema) {
            doc = doc.with_schema(schema.clone());
        }
        self.docs.insert(uri.as_str().to_string(), doc);
        &self.docs[uri.as_str()]
    }

    /// The document at `uri`.
    pub fn doc(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri.as_str())
    }
}

/// Serves `connection` until the client shuts it down.
pub fn serve(connection: &Connection) -> Result<(), String> {
    serve_with(connection, None)
}

/// Serves `connection` until the client shuts it down; with `support`,
/// YAML configs also get component and field completion, hover and lint
/// (linted on a thread of its own, once the text settles).
pub fn serve_with(
    connection: &Connection,
    support: Option<Arc<ConfigSupport>>,
) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    connection.initialize(caps).map_err(|e| e.to_string())?;
    let mut state = State {
        schema: support.as_ref().map(|s| s.schema.clone()),
        ..State::default()
    };
    let linter = match support {
        Some(support) => {
            let sender = connection.sender.clone();
            let publish = move |uri: Uri, version: Option<i32>, diagnostics| {
                let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
                let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
                sender.send(Message::Notification(note)).is_ok()
            };
            Some(Linter::start(support, Box::new(publish))?)
        }
        None => None,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = handle_request(&state, req);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(note) => {
                let published = handle_notification(&mut state, note, linter.as_ref());
                if let Some((uri, diagnostics)) = published {
                    let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
                    let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
                    send(connection, Message::Notification(note))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection
        .sender
        .send(message)
        .map_err(|e| format!("the client went away: {e}"))
}

/// The diagnostics of a document just opened or changed: published now,
/// or (YAML with config support) handed to the lint thread.
fn diagnose(
    doc: &Document,
    uri: Uri,
    version: i32,
    linter: Option<&Linter>,
) -> Option<(Uri, Vec<lsp_types::Diagnostic>)> {
    match linter {
        Some(linter) if doc.yaml => {
            linter.submit(Job::Check {
                uri,
                version: Some(version),
                doc: doc.clone(),
            });
            None
        }
        _ => Some((uri, features::diagnostics(doc))),
    }
}

/// Applies a document notification; gives the diagnostics to publish.
fn handle_notification(
    state: &mut State,
    note: Notification,
    linter: Option<&Linter>,
) -> Option<(Uri, Vec<lsp_types::Diagnostic>)> {
    match note.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let doc = state.open(
                &p.text_document.uri,
                p.text_document.text,
                Some(p.text_document.language_id.as_str()),
            );
            diagnose(doc, p.text_document.uri, p.text_document.version, linter)
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let text = p.content_changes.into_iter().last()?.text;
            let doc = state.open(&p.text_document.uri, text, None);
            diagnose(doc, p.text_document.uri, p.text_document.version, linter)
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let closed = state.docs.remove(p.text_document.uri.as_str());
            match linter {
                // Through the lint thread, so no late result follows.
                Some(linter) if closed.is_some_and(|d| d.yaml) => {
                    linter.submit(Job::Close {
                        uri: p.text_document.uri,
                    });
                    None
                }
                _ => Some((p.text_document.uri, Vec::new())),
            }
        }
        _ => None,
    }
}

/// Completion at `pos`: Bloblang inside a region, else the config's keys
/// and values when the document is a config read with a schema.
fn completion(doc: &Document, pos: lsp_types::Position) -> Vec<lsp_types::CompletionItem> {
    let offset = doc.offset(pos);
    if let Some(schema) = &doc.schema
        && doc.region_at(offset).is_none()
    {
        if !crate::config::assists(&doc.text, schema) {
            return Vec::new();
        }
        return crate::config::assist::completion(doc, schema, offset);
    }
    let snapshot = crate::samples::snapshot(doc);
    features::completion(doc, pos, &snapshot)
}

/// Hover at `pos`: sample values, then the stdlib's docs, then the
/// config's component and field docs.
fn hover(doc: &Document, pos: lsp_types::Position) -> Option<lsp_types::Hover> {
    crate::samples::hover(doc, pos)
        .or_else(|| features::hover(doc, pos))
        .or_else(|| {
            let schema = doc.schema.as_ref()?;
            let offset = doc.offset(pos);
            if doc.region_at(offset).is_some() || !crate::config::assists(&doc.text, schema) {
                return None;
            }
            crate::config::assist::hover(doc, schema, offset)
        })
}

/// Answers one request.
fn handle_request(state: &State, req: Request) -> Response {
    let id = req.id.clone();
    let result = match req.method.as_str() {
        Completion::METHOD => with_doc::<lsp_types::CompletionParams, _>(state, req, |doc, p| {
            Some(completion(doc, p.text_document_position.position))
        }),
        HoverRequest::METHOD => with_doc::<lsp_types::HoverParams, _>(state, req, |doc, p| {
            hover(doc, p.text_document_position_params.position)
        }),
        SignatureHelpRequest::METHOD => {
            with_doc::<lsp_types::SignatureHelpParams, _>(state, req, |doc, p| {
                features::signature_help(doc, p.text_document_position_params.position)
            })
        }
        GotoDefinition::METHOD => {
            with_doc::<lsp_types::GotoDefinitionParams, _>(state, req, |doc, p| {
                let at = &p.text_document_position_params;
                crate::navigate::definition(doc, &at.text_document.uri, at.position)
            })
        }
        References::METHOD => with_doc::<lsp_types::ReferenceParams, _>(state, req, |doc, p| {
            let at = &p.text_document_position;
            let declarations = p.context.include_declaration;
            crate::navigate::references(doc, &at.text_document.uri, at.position, declarations)
        }),
        Rename::METHOD => with_doc::<lsp_types::RenameParams, _>(state, req, |doc, p| {
            let at = &p.text_document_position;
            crate::navigate::rename(doc, &at.text_document.uri, at.position, &p.new_name)
        }),
        DocumentSymbolRequest::METHOD => {
            with_doc::<lsp_types::DocumentSymbolParams, _>(state, req, |doc, _| {
                Some(crate::navigate::symbols(doc))
            })
        }
        Formatting::METHOD => {
            with_doc::<lsp_types::DocumentFormattingParams, _>(state, req, |doc, _| {
                crate::navigate::format(doc)
            })
        }
        InlayHintRequest::METHOD => {
            with_doc::<lsp_types::InlayHintParams, _>(state, req, |doc, _| {
                Some(crate::samples::inlay_hints(doc))
            })
        }
        _ => Err((
            ErrorCode::MethodNotFound,
            format!("unhandled method {}", req.method),
        )),
    };
    match result {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

/// Decodes a request's params, finds its document and runs `f`; the
/// answer as JSON (`null` for `None`).
fn with_doc<P, R>(
    state: &State,
    req: Request,
    f: impl FnOnce(&Document, &P) -> Option<R>,
) -> Result<serde_json::Value, (ErrorCode, String)>
where
    P: serde::de::DeserializeOwned + DocumentParams,
    R: serde::Serialize,
{
    let params: P = serde_json::from_value(req.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("bad params: {e}")))?;
    let Some(doc) = state.doc(params.uri()) else {
        return Ok(serde_json::Value::Null);
    };
    serde_json::to_value(f(doc, &params)).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// Requests that name a document.
pub trait DocumentParams {
    /// The document's URI.
    fn uri(&self) -> &Uri;
}

macro_rules! document_params {
    ($($ty:ty => |$p:ident| $uri:expr;)*) => {
        $(impl DocumentParams for $ty {
            fn uri(&self) -> &Uri {
                let $p = self;
                &$uri
            }
        })*
    };
}

document_params! {
    lsp_types::CompletionParams => |p| p.text_document_position.text_document.uri;
    lsp_types::HoverParams => |p| p.text_document_position_params.text_document.uri;
    lsp_types::SignatureHelpParams => |p| p.text_document_position_params.text_document.uri;
    lsp_types::GotoDefinitionParams => |p| p.text_document_position_params.text_document.uri;
    lsp_types::ReferenceParams => |p| p.text_document_position.text_document.uri;
    lsp_types::RenameParams => |p| p.text_document_position.text_document.uri;
    lsp_types::DocumentSymbolParams => |p| p.text_document.uri;
    lsp_types::DocumentFormattingParams => |p| p.text_document.uri;
    lsp_types::InlayHintParams => |p| p.text_document.uri;
}
