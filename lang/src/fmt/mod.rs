//! The formatter behind `concord fmt` and the language server's formatting: canonical layout of a
//! rulebook file from the lexer's tokens, which keep every comment and doc comment.
//!
//! A file is formatted only when every item parses; a file with syntax errors is returned
//! unchanged with its diagnostics. The result is checked before it is returned: it must parse to
//! the same trees as the input (spans aside), or the input is kept and the formatter reports its
//! own bug. The layout itself is in `layout.rs`. This module knows nothing of files on disk, of
//! salsa or of names and types.

mod layout;
#[cfg(test)]
mod tests;

use crate::diagnostics::Diagnostic;
use crate::syntax::lexer::lex;
use crate::syntax::parse::parse_item;
use crate::syntax::split::{ItemKind, ItemRange, split_items};

pub use layout::RESERVED;

/// Why a file was left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The file does not parse; the diagnostics have file offsets.
    Syntax(Vec<Diagnostic>),
    /// The formatted text would not parse to the same trees: a bug of the formatter.
    ChangesMeaning,
}

/// The canonical form of `source` (the file at `path`, named in diagnostics).
pub fn format_source(path: &str, source: &str) -> Result<String, FormatError> {
    let tokens = lex(source);
    let items = split_items(source, &tokens);
    let before = syntax_trees(path, source, &items).map_err(FormatError::Syntax)?;
    let formatted = layout::layout(source, &tokens, &items);
    let formatted_items = split_items(&formatted, &lex(&formatted));
    match syntax_trees(path, &formatted, &formatted_items) {
        Ok(after) if after == before => Ok(formatted),
        _ => Err(FormatError::ChangesMeaning),
    }
}

/// Whether two texts both parse, to the same items with the same trees, spans aside.
pub fn same_syntax(first: &str, second: &str) -> bool {
    let trees = |text: &str| syntax_trees("", text, &split_items(text, &lex(text)));
    matches!((trees(first), trees(second)), (Ok(first), Ok(second)) if first == second)
}

/// Each item's kind and tree (its debug form without spans), or every syntax error.
fn syntax_trees(path: &str, source: &str, items: &[ItemRange]) -> Result<Vec<(ItemKind, String)>, Vec<Diagnostic>> {
    let mut trees = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for range in items {
        let text = source.get(range.start as usize..range.end as usize).unwrap_or("");
        let parsed = parse_item(range.kind, text);
        for mut diagnostic in parsed.diagnostics {
            diagnostic.anchor(path, range.start, &|_| None);
            errors.push(diagnostic);
        }
        trees.push((range.kind, without_spans(&format!("{:?}", parsed.item))));
    }
    if errors.is_empty() { Ok(trees) } else { Err(errors) }
}

/// A tree's debug form with every `Span { start: …, end: … }` left out.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        match after.find('}') {
            Some(close) => {
                out.push_str("Span");
                rest = after.get(close + 1..).unwrap_or("");
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
