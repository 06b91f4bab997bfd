//! Request handlers: each runs on a snapshot, on a blocking thread, and turns the library's IDE
//! answers (byte offsets) into protocol types (UTF-16 positions, URIs).
//!
//! They are plain functions of a snapshot, so a test can call them without a server.

use concord_lang::db::SourceFile;
use concord_lang::ide::{self, CompletionKind};
use concord_lang::syntax::split::ItemKind;
use tower_lsp_server::ls_types::{
    self, CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location, MarkupContent,
    MarkupKind, Position, Uri,
};

use crate::convert::{self, LineIndex};
use crate::state::Snapshot;

/// The diagnostics of every open document, with its version, and an empty list without a version
/// for each closed one, ready to publish.
pub fn diagnostics(snapshot: &Snapshot) -> Vec<(Uri, Vec<ls_types::Diagnostic>, Option<i32>)> {
    let documents = &snapshot.documents;
    let db = snapshot.engine.database();
    let locate = |path: &str| -> Option<(Uri, String)> {
        let file = concord_lang::db::workspace_files(db).into_iter().find(|file| file.path(db) == path)?;
        Some((documents.uri_of(path)?, file.text(db).clone()))
    };
    let mut out = Vec::new();
    for (path, (uri, version)) in &documents.open {
        let Some(file) = snapshot.file(uri) else { continue };
        let text = file.text(db);
        let index = LineIndex::new(text);
        let found = concord_lang::compile::file_diagnostics(db, file);
        let converted = found.iter().map(|it| convert::diagnostic(it, path, &index, &locate)).collect();
        out.push((uri.clone(), converted, Some(*version)));
    }
    for uri in documents.closed.values() {
        out.push((uri.clone(), Vec::new(), None));
    }
    out
}

pub fn hover(snapshot: &Snapshot, params: &HoverParams) -> Option<Hover> {
    let position = &params.text_document_position_params;
    let (file, offset) = locate(snapshot, &position.text_document.uri, position.position)?;
    let db = snapshot.engine.database();
    let info = ide::hover(db, file, offset)?;
    let range = LineIndex::new(file.text(db)).range(info.span);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: info.markdown }),
        range: Some(range),
    })
}

pub fn goto_definition(snapshot: &Snapshot, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let position = &params.text_document_position_params;
    let (file, offset) = locate(snapshot, &position.text_document.uri, position.position)?;
    let db = snapshot.engine.database();
    let target = ide::goto_definition(db, file, offset)?;
    let uri = snapshot.documents.uri_of(target.file.path(db))?;
    let range = LineIndex::new(target.file.text(db)).range(target.span);
    Some(GotoDefinitionResponse::Scalar(Location { uri, range }))
}

pub fn completion(snapshot: &Snapshot, params: &CompletionParams) -> Option<CompletionResponse> {
    let position = &params.text_document_position;
    let (file, offset) = locate(snapshot, &position.text_document.uri, position.position)?;
    let db = snapshot.engine.database();
    let items = ide::completions(db, file, offset)
        .into_iter()
        .map(|completion| CompletionItem {
            label: completion.label,
            kind: Some(completion_kind(completion.kind)),
            detail: completion.detail,
            documentation: completion
                .doc
                .map(|doc| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: doc })),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

fn locate(snapshot: &Snapshot, uri: &Uri, position: Position) -> Option<(SourceFile, u32)> {
    let file = snapshot.file(uri)?;
    let offset = LineIndex::new(file.text(snapshot.engine.database())).offset(position);
    Some((file, offset))
}

fn completion_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Variant => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Local => CompletionItemKind::VARIABLE,
        CompletionKind::Rulebook => CompletionItemKind::MODULE,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Declaration(kind) => match kind {
            ItemKind::Record => CompletionItemKind::STRUCT,
            ItemKind::Enum | ItemKind::Classification => CompletionItemKind::ENUM,
            ItemKind::Term | ItemKind::Role => CompletionItemKind::FUNCTION,
            ItemKind::Unit => CompletionItemKind::UNIT,
            ItemKind::Act => CompletionItemKind::EVENT,
            _ => CompletionItemKind::REFERENCE,
        },
    }
}
