//! Outlines: the symbols of one file (items and what they declare inside: fields, enum values,
//! exceptions, tiers, claims), symbols across the workspace by name, and folding ranges.
//!
//! Symbols come from the parsed items; an item that does not parse is still listed, by the name
//! the item splitter read. Folding reads tokens only. Everything is in byte offsets of files of
//! the database; nothing here knows the LSP.

use crate::db::{SourceFile, items, parse, workspace_files};
use crate::syntax::ast::*;
use crate::syntax::lexer::{Token, TokenKind, lex};
use crate::syntax::split::ItemKind;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Item(ItemKind),
    Field,
    Variant,
    Exception,
    Tier,
    Claim,
}

/// One symbol of a file, with what it contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// A short description: a field's type, a term's parameters.
    pub detail: Option<String>,
    /// The whole declaration, in file offsets.
    pub span: Span,
    /// The name, in file offsets.
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

/// A symbol found by [`workspace_symbols`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub file: SourceFile,
    pub name_span: Span,
    /// The item it belongs to, for a field, value, exception, tier or claim.
    pub container: Option<String>,
}

/// A range an editor may fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub span: Span,
    pub kind: FoldKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    /// An item, or a bracketed block inside one.
    Region,
    /// Consecutive comment or doc comment lines.
    Comment,
}

/// The most symbols [`workspace_symbols`] returns.
pub const MAX_WORKSPACE_SYMBOLS: usize = 500;

/// The outline of a file, in source order.
pub fn document_symbols(db: &dyn salsa::Database, file: SourceFile) -> Vec<Symbol> {
    let mut out = Vec::new();
    for item in items(db, file).iter().copied() {
        let kind = item.kind(db);
        if kind == ItemKind::Stray {
            continue;
        }
        let start = item.start(db);
        let text = item.text(db);
        let span = Span::new(start as usize, start as usize + text.len());
        let parsed = &parse(db, item).item;
        let name_span = parsed.name_span().map_or(span, |name| shift(name, start));
        let name = match item.name(db).as_str() {
            "" => kind.keyword().to_owned(),
            name => name.to_owned(),
        };
        let mut symbol =
            Symbol { name, kind: SymbolKind::Item(kind), detail: None, span, name_span, children: Vec::new() };
        fill(&mut symbol, parsed, start, text);
        out.push(symbol);
    }
    out
}

/// Declarations of every file of the workspace (the standard library included) whose name
/// contains the characters of `query` in order, ignoring case; sorted by name, then file.
pub fn workspace_symbols(db: &dyn salsa::Database, query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for file in workspace_files(db) {
        for symbol in document_symbols(db, file) {
            collect_matching(file, &symbol, None, &query, &mut out);
        }
    }
    out.sort_by(|a, b| (&a.name, a.file.path(db), a.name_span).cmp(&(&b.name, b.file.path(db), b.name_span)));
    out.truncate(MAX_WORKSPACE_SYMBOLS);
    out
}

fn collect_matching(
    file: SourceFile,
    symbol: &Symbol,
    container: Option<&str>,
    query: &str,
    out: &mut Vec<WorkspaceSymbol>,
) {
    let searchable = !matches!(symbol.kind, SymbolKind::Item(ItemKind::Example | ItemKind::Import));
    if searchable && is_subsequence(query, &symbol.name.to_lowercase()) {
        out.push(WorkspaceSymbol {
            name: symbol.name.clone(),
            kind: symbol.kind,
            file,
            name_span: symbol.name_span,
            container: container.map(str::to_owned),
        });
    }
    for child in &symbol.children {
        collect_matching(file, child, Some(&symbol.name), query, out);
    }
}

fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut chars = haystack.chars();
    needle.chars().all(|wanted| chars.any(|ch| ch == wanted))
}

fn shift(span: Span, by: u32) -> Span {
    Span { start: span.start.saturating_add(by), end: span.end.saturating_add(by) }
}

fn fill(symbol: &mut Symbol, item: &Item, start: u32, text: &str) {
    let written = |span: Span| text.get(span.start as usize..span.end as usize).unwrap_or("").to_owned();
    let child = |name: &Ident, kind: SymbolKind, span: Span, detail: Option<String>| Symbol {
        name: name.text.clone(),
        kind,
        detail,
        span: shift(span, start),
        name_span: shift(name.span, start),
        children: Vec::new(),
    };
    match item {
        Item::Record(record) => {
            for field in &record.fields {
                let detail = written(field.ty.span());
                let detail = if field.optional { format!("optional {detail}") } else { detail };
                let span = field.name.span.cover(field.ty.span());
                symbol.children.push(child(&field.name, SymbolKind::Field, span, Some(detail)));
            }
        }
        Item::Enum(decl) => {
            for variant in &decl.variants {
                symbol.children.push(child(&variant.name, SymbolKind::Variant, variant.name.span, None));
            }
        }
        Item::Term(term) if !term.params.is_empty() => {
            let params: Vec<String> =
                term.params.iter().map(|param| format!("{}: {}", param.name.text, written(param.ty.span()))).collect();
            symbol.detail = Some(format!("({})", params.join(", ")));
        }
        Item::Role(role) => symbol.detail = Some(format!("({} in {})", role.param.text, written(role.domain.span))),
        Item::Redline(redline) => {
            symbol.children = exceptions(&redline.exceptions, start);
        }
        Item::Obligation(obligation) => {
            symbol.children = exceptions(&obligation.exceptions, start);
        }
        Item::Classification(classification) => {
            for branch in classification.branches.iter().chain(&classification.otherwise) {
                let detail = if branch.when.is_none() { Some("otherwise".to_owned()) } else { None };
                symbol.children.push(child(&branch.tier, SymbolKind::Tier, branch.span, detail));
            }
        }
        Item::Mapping(mapping) => {
            for claim in &mapping.claims {
                let name = Ident {
                    text: format!("{} {} {}", claim.left.text, claim.relation.as_str(), claim.right.text),
                    span: claim.left.span,
                };
                symbol.children.push(child(&name, SymbolKind::Claim, claim.span, None));
            }
        }
        _ => {}
    }
}

fn exceptions(exceptions: &[Exception], start: u32) -> Vec<Symbol> {
    // Exceptions nest at most as deep as an item's brackets (64), so recursion is bounded.
    exceptions
        .iter()
        .map(|exception| Symbol {
            name: exception.name.text.clone(),
            kind: SymbolKind::Exception,
            detail: Some("unless".to_owned()),
            span: shift(exception.span, start),
            name_span: shift(exception.name.span, start),
            children: self::exceptions(&exception.exceptions, start),
        })
        .collect()
}

/// Items, bracketed blocks and runs of comment lines that span more than one line.
pub fn folding_ranges(db: &dyn salsa::Database, file: SourceFile) -> Vec<Fold> {
    let text = file.text(db);
    let tokens = lex(text);
    let spans_lines = |span: Span| text.get(span.start as usize..span.end as usize).is_some_and(|it| it.contains('\n'));
    let mut out = Vec::new();
    for item in items(db, file).iter().copied() {
        let start = item.start(db) as usize;
        let span = Span::new(start, start + item.text(db).len());
        if spans_lines(span) {
            out.push(Fold { span, kind: FoldKind::Region });
        }
    }
    let mut open: Vec<u32> = Vec::new();
    for token in &tokens {
        match token.kind {
            TokenKind::LBrace | TokenKind::LBracket | TokenKind::LParen => open.push(token.start),
            TokenKind::RBrace | TokenKind::RBracket | TokenKind::RParen => {
                if let Some(start) = open.pop() {
                    let span = Span { start, end: token.end };
                    if spans_lines(span) && !out.iter().any(|fold: &Fold| fold.span.end == span.end) {
                        out.push(Fold { span, kind: FoldKind::Region });
                    }
                }
            }
            _ => {}
        }
    }
    out.extend(comment_runs(&tokens).into_iter().map(|span| Fold { span, kind: FoldKind::Comment }));
    out.sort_by_key(|fold| (fold.span.start, std::cmp::Reverse(fold.span.end)));
    out
}

/// Runs of two or more lines that hold nothing but a comment.
fn comment_runs(tokens: &[Token]) -> Vec<Span> {
    let mut out = Vec::new();
    // The run so far and its number of lines.
    let mut run: Option<(Span, usize)> = None;
    let mut line_has_code = false;
    let mut line_comment: Option<Token> = None;
    let end_of_line = |run: &mut Option<(Span, usize)>, out: &mut Vec<Span>, comment: Option<Token>, code: bool| match (
        comment, code,
    ) {
        (Some(comment), false) => match run {
            Some((span, n_lines)) => {
                span.end = comment.end;
                *n_lines += 1;
            }
            None => *run = Some((Span { start: comment.start, end: comment.end }, 1)),
        },
        _ => {
            if let Some((span, n_lines)) = run.take()
                && n_lines > 1
            {
                out.push(span);
            }
        }
    };
    for token in tokens {
        match token.kind {
            TokenKind::Whitespace => {}
            TokenKind::Newline => {
                end_of_line(&mut run, &mut out, line_comment.take(), line_has_code);
                line_has_code = false;
            }
            TokenKind::Comment => line_comment = Some(*token),
            _ => line_has_code = true,
        }
    }
    end_of_line(&mut run, &mut out, line_comment.take(), line_has_code);
    end_of_line(&mut run, &mut out, None, true);
    out
}
