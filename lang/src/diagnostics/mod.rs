//! Diagnostics: the one type every phase reports problems with, and the registry of codes.
//!
//! A diagnostic made inside an item's query has spans relative to that item (`Anchor::Local`) or
//! names another item (`Anchor::Item`); the file-level collector turns both into file offsets
//! (`Anchor::File`) before anything is shown. Rendering lives in `render.rs` (ariadne) and in the
//! JSON form (serde); the language server converts to LSP positions itself.

pub mod codes;
pub mod render;
pub mod suggest;

use serde::Serialize;

use crate::syntax::ast::Span;
use crate::syntax::split::ItemKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Which item of which file a span is relative to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ItemKey {
    pub file: String,
    pub kind: ItemKind,
    pub name: String,
    pub ordinal: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum Anchor {
    /// Relative to the item whose query made the diagnostic.
    Local,
    /// Relative to another item.
    Item(ItemKey),
    /// Byte offsets in a file (after resolution).
    File(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    #[serde(rename = "file")]
    pub anchor: Anchor,
    pub span: Span,
    pub message: String,
}

/// A text edit that fixes the problem; becomes a quick fix in editors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    pub message: String,
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code, documented in `docs/diagnostics/<code>.md`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of the current item.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label { anchor: Anchor::Local, span, message: String::new() }],
            notes: Vec::new(),
            help: None,
            fix: None,
            citation: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    /// A diagnostic about a whole file, outside any item (missing header, unreadable file).
    pub fn file_error(code: &'static str, file: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(code, span, message);
        for label in &mut diagnostic.labels {
            label.anchor = Anchor::File(file.to_owned());
        }
        diagnostic
    }

    pub fn with_label_message(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(label) = self.labels.first_mut() {
            label.message = message.into();
        }
        self
    }

    pub fn with_secondary(mut self, anchor: Anchor, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { anchor, span, message: message.into() });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_fix(mut self, message: impl Into<String>, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(Fix { message: message.into(), span, replacement: replacement.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary label's place.
    pub fn primary(&self) -> Option<&Label> {
        self.labels.first()
    }

    /// Turns spans relative to an item into file offsets. `item_start` is where the local item
    /// starts in `file`; `locate` gives the start of another item, if it still exists.
    pub fn anchor(&mut self, file: &str, item_start: u32, locate: &dyn Fn(&ItemKey) -> Option<(String, u32)>) {
        let shift =
            |span: Span, by: u32| Span { start: span.start.saturating_add(by), end: span.end.saturating_add(by) };
        for label in &mut self.labels {
            match &label.anchor {
                Anchor::Local => {
                    label.span = shift(label.span, item_start);
                    label.anchor = Anchor::File(file.to_owned());
                }
                Anchor::Item(key) => {
                    if let Some((other_file, start)) = locate(key) {
                        label.span = shift(label.span, start);
                        label.anchor = Anchor::File(other_file);
                    }
                }
                Anchor::File(_) => {}
            }
        }
        // A label that points to an item that no longer exists is dropped rather than misplaced.
        self.labels.retain(|label| matches!(label.anchor, Anchor::File(_)));
        if let Some(fix) = &mut self.fix {
            fix.span = shift(fix.span, item_start);
        }
    }

    /// The sort key that makes output deterministic: file, offset, code.
    pub fn sort_key(&self) -> (String, u32, &'static str, String) {
        match self.primary() {
            Some(Label { anchor: Anchor::File(file), span, .. }) => {
                (file.clone(), span.start, self.code, self.message.clone())
            }
            _ => (String::new(), 0, self.code, self.message.clone()),
        }
    }
}

/// Sorts diagnostics by (file, offset, code) and removes exact duplicates.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}
