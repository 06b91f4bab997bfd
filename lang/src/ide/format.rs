//! Formatting a document for the editor: the formatter's output as one edit that replaces only
//! the part of the text that changes, so the editor keeps the cursor and the undo history tidy.
//!
//! The layout is `crate::fmt`'s; this module only narrows the edit. A document that does not parse
//! gets no edit (its diagnostics already say why).

use crate::db::SourceFile;
use crate::fmt::format_source;
use crate::syntax::ast::Span;

/// A replacement of a span of a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// The edit that formats `file`, or `None` when it is formatted already or does not parse.
pub fn formatting(db: &dyn salsa::Database, file: SourceFile) -> Option<TextEdit> {
    let text = file.text(db);
    let formatted = format_source(file.path(db), text).ok()?;
    minimal_edit(text, &formatted)
}

/// One edit turning `old` into `new`: the differing middle, cut at character boundaries.
pub fn minimal_edit(old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old.bytes().rev().zip(new.bytes().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    while !(old.is_char_boundary(old.len() - suffix) && new.is_char_boundary(new.len() - suffix)) {
        suffix -= 1;
    }
    let new_text = new.get(prefix..new.len() - suffix).unwrap_or(new).to_owned();
    Some(TextEdit { span: Span::new(prefix, old.len() - suffix), new_text })
}
