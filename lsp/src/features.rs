//! Request handlers for formatting, outlines (document and workspace symbols, folding ranges),
//! semantic tokens, references, rename and code actions. Like `handlers.rs`, each is a plain
//! function of a snapshot that turns the library's answer (byte offsets) into protocol types.
//!
//! The semantic tokens legend is declared here, in the order of `HighlightKind::ALL`; the server
//! keeps the last tokens of each document for deltas (`tokens.rs`).

use std::collections::{BTreeMap, HashMap};

use concord_lang::db::SourceFile;
use concord_lang::ide::{self, FoldKind, HighlightKind, SymbolKind as IdeSymbolKind};
use concord_lang::syntax::ast::Span;
use concord_lang::syntax::split::ItemKind;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::{
    AnnotatedTextEdit, ChangeAnnotation, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    DocumentChanges, DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    FoldingRange, FoldingRangeKind, FoldingRangeParams, Location, OneOf, OptionalVersionedTextDocumentIdentifier,
    Position, PrepareRenameResponse, Range, ReferenceParams, RenameParams, SemanticToken, SemanticTokenModifier,
    SemanticTokenType, SemanticTokensLegend, SymbolKind, TextDocumentEdit, TextDocumentPositionParams, TextEdit, Uri,
    WorkspaceEdit, WorkspaceSymbol, WorkspaceSymbolParams,
};

use crate::convert::LineIndex;
use crate::state::Snapshot;

/// The token types of the legend, index for index with `HighlightKind::ALL`.
pub fn legend() -> SemanticTokensLegend {
    let token_types = HighlightKind::ALL
        .iter()
        .map(|kind| match kind {
            HighlightKind::Keyword => SemanticTokenType::KEYWORD,
            HighlightKind::Comment => SemanticTokenType::COMMENT,
            HighlightKind::String => SemanticTokenType::STRING,
            HighlightKind::Number => SemanticTokenType::NUMBER,
            HighlightKind::Operator => SemanticTokenType::OPERATOR,
            HighlightKind::Namespace => SemanticTokenType::NAMESPACE,
            HighlightKind::Type => SemanticTokenType::TYPE,
            HighlightKind::Enum => SemanticTokenType::ENUM,
            HighlightKind::EnumMember => SemanticTokenType::ENUM_MEMBER,
            HighlightKind::Function => SemanticTokenType::FUNCTION,
            HighlightKind::Event => SemanticTokenType::EVENT,
            HighlightKind::Parameter => SemanticTokenType::PARAMETER,
            HighlightKind::Variable => SemanticTokenType::VARIABLE,
            HighlightKind::Property => SemanticTokenType::PROPERTY,
        })
        .collect();
    SemanticTokensLegend {
        token_types,
        token_modifiers: vec![
            SemanticTokenModifier::DOCUMENTATION,
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEFAULT_LIBRARY,
        ],
    }
}

pub fn formatting(snapshot: &Snapshot, params: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = snapshot.file(&params.text_document.uri)?;
    let db = snapshot.engine.database();
    let Some(edit) = ide::formatting(db, file) else { return Some(Vec::new()) };
    let range = LineIndex::new(file.text(db)).range(edit.span);
    Some(vec![TextEdit { range, new_text: edit.new_text }])
}

pub fn document_symbols(snapshot: &Snapshot, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let file = snapshot.file(&params.text_document.uri)?;
    let db = snapshot.engine.database();
    let index = LineIndex::new(file.text(db));
    let symbols = ide::document_symbols(db, file).iter().map(|symbol| document_symbol(&index, symbol)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

fn document_symbol(index: &LineIndex<'_>, symbol: &ide::Symbol) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = symbol.children.iter().map(|child| document_symbol(index, child)).collect();
    #[expect(deprecated, reason = "the protocol type still has the field; `tags` replaces it")]
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: index.range(symbol.span),
        selection_range: index.range(symbol.name_span),
        children: (!children.is_empty()).then_some(children),
    }
}

pub fn workspace_symbols(snapshot: &Snapshot, params: &WorkspaceSymbolParams) -> Vec<WorkspaceSymbol> {
    let db = snapshot.engine.database();
    let mut out = Vec::new();
    for symbol in ide::workspace_symbols(db, &params.query) {
        let Some(uri) = snapshot.documents.uri_of(symbol.file.path(db)) else { continue };
        let range = LineIndex::new(symbol.file.text(db)).range(symbol.name_span);
        out.push(WorkspaceSymbol {
            name: symbol.name,
            kind: symbol_kind(symbol.kind),
            tags: None,
            container_name: symbol.container,
            location: OneOf::Left(Location { uri, range }),
            data: None,
        });
    }
    out
}

fn symbol_kind(kind: IdeSymbolKind) -> SymbolKind {
    match kind {
        IdeSymbolKind::Item(item) => match item {
            ItemKind::Rulebook => SymbolKind::NAMESPACE,
            ItemKind::Import => SymbolKind::MODULE,
            ItemKind::Unit => SymbolKind::CONSTANT,
            ItemKind::Record => SymbolKind::STRUCT,
            ItemKind::Enum | ItemKind::Classification => SymbolKind::ENUM,
            ItemKind::Term | ItemKind::Role => SymbolKind::FUNCTION,
            ItemKind::Act => SymbolKind::EVENT,
            ItemKind::Redline | ItemKind::Obligation => SymbolKind::OBJECT,
            ItemKind::Mapping => SymbolKind::PACKAGE,
            ItemKind::Example => SymbolKind::METHOD,
            ItemKind::Stray => SymbolKind::NULL,
        },
        IdeSymbolKind::Field => SymbolKind::FIELD,
        IdeSymbolKind::Variant | IdeSymbolKind::Tier => SymbolKind::ENUM_MEMBER,
        IdeSymbolKind::Exception => SymbolKind::OBJECT,
        IdeSymbolKind::Claim => SymbolKind::PROPERTY,
    }
}

pub fn folding_ranges(snapshot: &Snapshot, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let file = snapshot.file(&params.text_document.uri)?;
    let db = snapshot.engine.database();
    let text = file.text(db);
    let index = LineIndex::new(text);
    let mut out: Vec<FoldingRange> = Vec::new();
    for fold in ide::folding_ranges(db, file) {
        let start_line = index.position(fold.span.start).line;
        let mut end_line = index.position(fold.span.end).line;
        // Keep a closing bracket visible.
        let closes = text.get(..fold.span.end as usize).is_some_and(|it| it.ends_with(['}', ')', ']']));
        if closes && fold.kind == FoldKind::Region {
            end_line = end_line.saturating_sub(1);
        }
        if end_line <= start_line || out.iter().any(|it| it.start_line == start_line && it.end_line == end_line) {
            continue;
        }
        out.push(FoldingRange {
            start_line,
            end_line,
            kind: Some(match fold.kind {
                FoldKind::Region => FoldingRangeKind::Region,
                FoldKind::Comment => FoldingRangeKind::Comment,
            }),
            ..FoldingRange::default()
        });
    }
    Some(out)
}

/// The semantic tokens of a document, or of the tokens that overlap `range`, in the protocol's
/// relative encoding.
pub fn semantic_tokens(snapshot: &Snapshot, uri: &Uri, range: Option<Range>) -> Option<Vec<SemanticToken>> {
    let file = snapshot.file(uri)?;
    let db = snapshot.engine.database();
    let text = file.text(db);
    let index = LineIndex::new(text);
    let wanted = range.map(|range| Span { start: index.offset(range.start), end: index.offset(range.end) });
    let mut data = Vec::new();
    let mut previous = Position::default();
    for highlight in ide::highlights(db, file) {
        if wanted.is_some_and(|wanted| highlight.span.end <= wanted.start || highlight.span.start >= wanted.end) {
            continue;
        }
        let start = index.position(highlight.span.start);
        let written = text.get(highlight.span.start as usize..highlight.span.end as usize).unwrap_or("");
        // INVARIANT: the lexer's tokens never span lines (strings and comments end at a newline).
        let length = written.encode_utf16().count() as u32;
        let Some(token_type) = HighlightKind::ALL.iter().position(|kind| *kind == highlight.kind) else { continue };
        let modifiers = u32::from(highlight.documentation)
            | (u32::from(highlight.declaration) << 1)
            | (u32::from(highlight.default_library) << 2);
        let delta_line = start.line - previous.line;
        let delta_start = if delta_line == 0 { start.character - previous.character } else { start.character };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: token_type as u32,
            token_modifiers_bitset: modifiers,
        });
        previous = start;
    }
    Some(data)
}

pub fn references(snapshot: &Snapshot, params: &ReferenceParams) -> Option<Vec<Location>> {
    let position = &params.text_document_position;
    let (file, offset) = locate(snapshot, &position.text_document.uri, position.position)?;
    let db = snapshot.engine.database();
    let include_declaration = params.context.include_declaration;
    let mut out = Vec::new();
    for reference in ide::references(db, file, offset) {
        if reference.is_declaration && !include_declaration {
            continue;
        }
        let Some(location) = location(snapshot, reference.range.file, reference.range.span) else { continue };
        out.push(location);
    }
    Some(out)
}

pub fn prepare_rename(
    snapshot: &Snapshot,
    params: &TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Error> {
    let Some((file, offset)) = locate(snapshot, &params.text_document.uri, params.position) else { return Ok(None) };
    let db = snapshot.engine.database();
    match ide::prepare_rename(db, file, offset) {
        Ok(span) => Ok(Some(PrepareRenameResponse::Range(LineIndex::new(file.text(db)).range(span)))),
        Err(error) => Err(refused(error)),
    }
}

/// The edits of a rename, or why it is refused. A rename that cannot update everything (an enum
/// value that description files write) needs the user's confirmation: its edits carry an
/// annotation that says why, when the editor can ask (`confirmable`); otherwise it is refused.
pub fn rename(snapshot: &Snapshot, params: &RenameParams, confirmable: bool) -> Result<Option<WorkspaceEdit>, Error> {
    let position = &params.text_document_position;
    let Some((file, offset)) = locate(snapshot, &position.text_document.uri, position.position) else {
        return Ok(None);
    };
    let db = snapshot.engine.database();
    let edits = ide::rename(db, file, offset, &params.new_name).map_err(refused)?;
    let caution = ide::rename_caution(db, file, offset);
    if let Some(caution) = &caution
        && !confirmable
    {
        return Err(refused(ide::RenameError {
            message: format!("{caution}; this editor cannot ask to confirm such a rename, so it is refused"),
        }));
    }
    let mut changes: BTreeMap<Uri, Vec<TextEdit>> = BTreeMap::new();
    for (range, new_text) in edits {
        let Some(location) = location(snapshot, range.file, range.span) else {
            return Err(refused(ide::RenameError {
                message: format!("`{}` has no address the editor can open", range.file.path(db)),
            }));
        };
        changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text });
    }
    let Some(caution) = caution else {
        return Ok(Some(WorkspaceEdit { changes: Some(changes.into_iter().collect()), ..WorkspaceEdit::default() }));
    };
    const ANNOTATION: &str = "description-files";
    let document_changes = changes
        .into_iter()
        .map(|(uri, edits)| TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits
                .into_iter()
                .map(|text_edit| OneOf::Right(AnnotatedTextEdit { text_edit, annotation_id: ANNOTATION.to_owned() }))
                .collect(),
        })
        .collect();
    let annotation = ChangeAnnotation {
        label: "Description files are not updated".to_owned(),
        needs_confirmation: Some(true),
        description: Some(caution),
    };
    Ok(Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(document_changes)),
        change_annotations: Some(HashMap::from([(ANNOTATION.to_owned(), annotation)])),
        ..WorkspaceEdit::default()
    }))
}

fn refused(error: ide::RenameError) -> Error {
    Error { code: ErrorCode::InvalidRequest, message: error.message.into(), data: None }
}

pub fn code_actions(snapshot: &Snapshot, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let file = snapshot.file(&params.text_document.uri)?;
    let db = snapshot.engine.database();
    let index = LineIndex::new(file.text(db));
    let span = Span { start: index.offset(params.range.start), end: index.offset(params.range.end) };
    let mut out = Vec::new();
    for action in ide::code_actions(db, file, span) {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (range, new_text) in action.edits {
            let Some(location) = location(snapshot, range.file, range.span) else { continue };
            changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text });
        }
        let diagnostics = params
            .context
            .diagnostics
            .iter()
            .filter(|diagnostic| {
                matches!(&diagnostic.code, Some(tower_lsp_server::ls_types::NumberOrString::String(code)) if code == action.code)
            })
            .cloned()
            .collect::<Vec<_>>();
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: action.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
            edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Some(out)
}

fn locate(snapshot: &Snapshot, uri: &Uri, position: Position) -> Option<(SourceFile, u32)> {
    let file = snapshot.file(uri)?;
    let offset = LineIndex::new(file.text(snapshot.engine.database())).offset(position);
    Some((file, offset))
}

fn location(snapshot: &Snapshot, file: SourceFile, span: Span) -> Option<Location> {
    let db = snapshot.engine.database();
    let uri = snapshot.documents.uri_of(file.path(db))?;
    let range: Range = LineIndex::new(file.text(db)).range(span);
    Some(Location { uri, range })
}
