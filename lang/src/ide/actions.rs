//! Code actions: the quick fixes of the diagnostics at a place in a file. A diagnostic's `fix`
//! (a did-you-mean replacement) becomes an action as it is; a classification without an
//! `otherwise` branch gets one added.
//!
//! The diagnostics are the ones `compile::file_diagnostics` reports, so an action exists exactly
//! where the editor shows the problem. Byte offsets only.

use crate::compile::file_diagnostics;
use crate::db::{SourceFile, items, parse};
use crate::diagnostics::Anchor;
use crate::syntax::ast::{Item, Span};
use crate::syntax::lexer::{TokenKind, lex};
use crate::syntax::split::ItemKind;

use super::FileRange;

/// A fix the editor can apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The code of the diagnostic it fixes.
    pub code: &'static str,
    pub edits: Vec<(FileRange, String)>,
}

/// The fixes for the diagnostics whose primary label touches `span` (file offsets).
pub fn code_actions(db: &dyn salsa::Database, file: SourceFile, span: Span) -> Vec<CodeAction> {
    let path = file.path(db);
    let mut out = Vec::new();
    for diagnostic in file_diagnostics(db, file) {
        let Some(label) = diagnostic.primary() else { continue };
        if !matches!(&label.anchor, Anchor::File(other) if other == path) {
            continue;
        }
        if label.span.end < span.start || span.end < label.span.start {
            continue;
        }
        if let Some(fix) = &diagnostic.fix {
            out.push(CodeAction {
                title: fix.message.clone(),
                code: diagnostic.code,
                edits: vec![(FileRange { file, span: fix.span }, fix.replacement.clone())],
            });
        } else if diagnostic.code == "classification-not-exhaustive"
            && let Some(action) = add_otherwise(db, file, label.span)
        {
            out.push(action);
        }
    }
    out
}

/// Adds `otherwise minimal` (or another free tier name) before the closing brace of the
/// classification whose name is at `name_span`.
fn add_otherwise(db: &dyn salsa::Database, file: SourceFile, name_span: Span) -> Option<CodeAction> {
    let item = items(db, file).iter().copied().find(|item| {
        let start = item.start(db);
        item.kind(db) == ItemKind::Classification
            && start <= name_span.start
            && name_span.end <= start + item.text(db).len() as u32
    })?;
    let Item::Classification(classification) = &parse(db, item).item else { return None };
    let tiers: Vec<&str> = classification.branches.iter().map(|branch| branch.tier.text.as_str()).collect();
    let tier = ["minimal", "none", "other"].into_iter().find(|tier| !tiers.contains(tier))?;
    let text = item.text(db);
    let close = lex(text).into_iter().rev().find(|token| token.kind == TokenKind::RBrace)?;
    let line_start = text.get(..close.start as usize)?.rfind('\n').map_or(0, |idx| idx + 1);
    let alone = text.get(line_start..close.start as usize)?.trim().is_empty();
    let start = item.start(db);
    let (at, insert) = match alone {
        true => (start + line_start as u32, format!("  otherwise {tier}\n")),
        false => (start + close.start, format!("otherwise {tier} ")),
    };
    Some(CodeAction {
        title: format!("add `otherwise {tier}`"),
        code: "classification-not-exhaustive",
        edits: vec![(FileRange { file, span: Span { start: at, end: at } }, insert)],
    })
}
