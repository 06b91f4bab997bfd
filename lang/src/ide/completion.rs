//! Completion: keywords and the names in scope, or after a `.` the fields of the record the path
//! before it names (`system.`, `incident.`), the values of an enum, or the declarations of a
//! rulebook imported under an alias.
//!
//! It reads the lexer's tokens, not the parse, so it works while the item is being typed and does
//! not parse. Locals are found the same way: `name in <path>` binders and `(name: Type)` parameters
//! written before the cursor.

use crate::check::schema::{TypeResolver, schema_info};
use crate::db::{Lookup, SourceFile, declarations};
use crate::schema::Ty;
use crate::syntax::ast::{Ident, Span, TypeExpr};
use crate::syntax::lexer::{KEYWORDS, Token, TokenKind, lex};
use crate::syntax::split::ItemKind;

use super::resolve::{element_type, expr_checker, item_at, path_type};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// A type or a kind, shown next to the label.
    pub detail: Option<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Field,
    Variant,
    Local,
    Declaration(ItemKind),
    Rulebook,
    /// A built-in function (`later_of`).
    Function,
}

/// What may be written at `offset`.
pub fn completions(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Vec<Completion> {
    let text = file.text(db);
    let (item_start, item_text) = match item_at(db, file, offset) {
        Some(item) => (item.start(db), item.text(db).as_str()),
        None => (0, text.as_str()),
    };
    let cursor = offset.saturating_sub(item_start) as usize;
    let before = item_text.get(..cursor).unwrap_or(item_text);
    let tokens: Vec<Token> = lex(before).into_iter().filter(|token| !token.is_trivia()).collect();
    let word = |token: &Token| token.text(before).to_owned();
    // Drop the word being typed: the client filters by it.
    let mut end = tokens.len();
    if let Some(last) = tokens.last()
        && last.kind == TokenKind::Word
        && last.end as usize == before.len()
    {
        end -= 1;
    }
    let head = tokens.get(..end).unwrap_or(&[]);
    let mut checker = expr_checker(db, file);
    bind_locals(db, file, before, head, &mut checker);
    let mut out = Vec::new();
    if let Some(TokenKind::Dot) = head.last().map(|token| token.kind) {
        // Walk back over `word . word . … .` to the start of the path.
        let mut segments = Vec::new();
        let mut idx = head.len().saturating_sub(1);
        while idx > 0 {
            let Some(token) = head.get(idx - 1) else { break };
            if token.kind != TokenKind::Word {
                break;
            }
            segments.push(Ident { text: word(token), span: Span::default() });
            match idx.checked_sub(2).and_then(|prev| head.get(prev)) {
                Some(dot) if dot.kind == TokenKind::Dot => idx -= 2,
                _ => break,
            }
        }
        segments.reverse();
        members(db, &mut checker, &segments, &mut out);
        return out;
    }
    for keyword in KEYWORDS {
        out.push(Completion { label: (*keyword).to_owned(), kind: CompletionKind::Keyword, detail: None, doc: None });
    }
    for (name, ty) in checker.locals.iter().rev() {
        if !out.iter().any(|existing| &existing.label == name) {
            let detail = Some(checker.info.schema.display_ty(ty).replace('`', ""));
            out.push(Completion { label: name.clone(), kind: CompletionKind::Local, detail, doc: None });
        }
    }
    if checker.root.is_some() {
        out.push(Completion {
            label: "system".to_owned(),
            kind: CompletionKind::Local,
            detail: Some("System".to_owned()),
            doc: Some("The system the rulebook is evaluated against.".to_owned()),
        });
    }
    let scope = checker.scope;
    for (name, keys) in scope.own.iter().chain(&scope.imported) {
        let Some(key) = keys.first() else { continue };
        if out.iter().any(|existing| &existing.label == name) {
            continue;
        }
        out.push(Completion {
            label: name.clone(),
            kind: CompletionKind::Declaration(key.kind),
            detail: Some(key.kind.keyword().to_owned()),
            doc: None,
        });
    }
    for alias in scope.aliases.keys() {
        out.push(Completion { label: alias.clone(), kind: CompletionKind::Rulebook, detail: None, doc: None });
    }
    for (name, signature, doc) in crate::check::expr::BUILTIN_FUNCTIONS {
        if !out.iter().any(|existing| existing.label == *name) {
            out.push(Completion {
                label: (*name).to_owned(),
                kind: CompletionKind::Function,
                detail: Some((*signature).to_owned()),
                doc: Some((*doc).to_owned()),
            });
        }
    }
    out
}

/// What follows `path.`: fields, enum values or an aliased rulebook's declarations.
fn members(
    db: &dyn salsa::Database,
    checker: &mut crate::check::expr::ExprChecker<'_>,
    segments: &[Ident],
    out: &mut Vec<Completion>,
) {
    let Some(first) = segments.first() else { return };
    let is_local = checker.locals.iter().any(|(name, _)| name == &first.text);
    if !is_local && segments.len() == 1 {
        if let Some(target) = checker.scope.aliases.get(&first.text) {
            for (name, keys) in declarations(db, *target) {
                let kind = keys.first().map_or(ItemKind::Term, |key| key.kind);
                out.push(Completion {
                    label: name.clone(),
                    kind: CompletionKind::Declaration(kind),
                    detail: Some(kind.keyword().to_owned()),
                    doc: None,
                });
            }
            return;
        }
        if let Lookup::Found(key) = checker.scope.lookup(&first.text)
            && key.kind == ItemKind::Enum
            && let Some(def) = checker.info.enums.get(&key).and_then(|id| checker.info.schema.enum_def(*id))
        {
            for variant in &def.variants {
                out.push(Completion {
                    label: variant.clone(),
                    kind: CompletionKind::Variant,
                    detail: Some(def.name.clone()),
                    doc: None,
                });
            }
            return;
        }
    }
    let Ty::Record(record) = path_type(checker, segments) else { return };
    let Some(def) = checker.info.schema.record(record) else { return };
    for field in &def.fields {
        let ty = match (&field.ty, &field.unit) {
            (Ty::Quantity(_), Some(unit)) => unit.clone(),
            _ => checker.info.schema.display_ty(&field.ty).replace('`', ""),
        };
        let detail = if field.optional { format!("optional {ty}") } else { ty };
        out.push(Completion {
            label: field.name.clone(),
            kind: CompletionKind::Field,
            detail: Some(detail),
            doc: field.doc.clone(),
        });
    }
}

/// Binds the locals written before the cursor: `name in path` binders and `(name: Type)` params.
fn bind_locals(
    db: &dyn salsa::Database,
    file: SourceFile,
    text: &str,
    tokens: &[Token],
    checker: &mut crate::check::expr::ExprChecker<'_>,
) {
    let word_at = |idx: usize| -> Option<&str> {
        tokens.get(idx).filter(|token| token.kind == TokenKind::Word).map(|token| token.text(text))
    };
    for idx in 0..tokens.len() {
        let Some(name) = word_at(idx) else { continue };
        if KEYWORDS.contains(&name) {
            continue;
        }
        let after_dot = idx.checked_sub(1).and_then(|prev| tokens.get(prev)).is_some_and(|t| t.kind == TokenKind::Dot);
        if after_dot {
            continue;
        }
        let next = tokens.get(idx + 1);
        if word_at(idx + 1) == Some("in") {
            let mut segments = Vec::new();
            let mut at = idx + 2;
            while let Some(segment) = word_at(at) {
                segments.push(Ident { text: segment.to_owned(), span: Span::default() });
                match tokens.get(at + 1) {
                    Some(dot) if dot.kind == TokenKind::Dot => at += 2,
                    _ => break,
                }
            }
            if segments.is_empty() {
                continue;
            }
            let ty = element_type(&path_type(checker, &segments));
            checker.push_local(name, ty);
        } else if next.is_some_and(|token| token.kind == TokenKind::Colon)
            && let Some(type_name) = word_at(idx + 2)
            && idx
                .checked_sub(1)
                .and_then(|prev| tokens.get(prev))
                .is_some_and(|token| matches!(token.kind, TokenKind::LParen | TokenKind::Comma))
        {
            let info = schema_info(db);
            let resolver = TypeResolver { db, schema: &info.schema, records: &info.records, enums: &info.enums, file };
            let written = TypeExpr::Named(Ident { text: type_name.to_owned(), span: Span::default() });
            let ty = resolver.resolve(&written, &mut Vec::new()).0;
            checker.push_local(name, ty);
        }
    }
}
