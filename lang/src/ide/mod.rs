//! IDE features on byte offsets, for the language server: hover, go to definition, completion,
//! formatting, outlines (document and workspace symbols, folding ranges), semantic highlighting,
//! references and rename, and code actions.
//!
//! Every function takes a file and a byte offset into its text and answers in byte offsets of
//! files of the database. Nothing here knows the LSP, UTF-16 or URIs: `concord-lsp` converts.
//! Resolution reuses the checker's `ExprChecker` to type the prefix of a path, so hover and
//! completion agree with the diagnostics. Completion reads tokens, so it also works inside an item
//! that does not parse.

mod actions;
mod completion;
mod counterparts;
mod format;
mod highlight;
mod hover;
mod references;
mod resolve;
mod symbols;
#[cfg(test)]
mod tests;

use crate::db::SourceFile;
use crate::syntax::ast::Span;

pub use actions::{CodeAction, code_actions};
pub use completion::{Completion, CompletionKind, completions};
pub use counterparts::{Counterpart, counterparts};
pub use format::{TextEdit, formatting, minimal_edit};
pub use highlight::{Highlight, HighlightKind, highlights};
pub use hover::{HoverInfo, hover};
pub use references::{Reference, RenameError, prepare_rename, references, rename, rename_caution};
pub use resolve::Definition;
pub use symbols::{
    Fold, FoldKind, MAX_WORKSPACE_SYMBOLS, Symbol, SymbolKind, WorkspaceSymbol, document_symbols, folding_ranges,
    workspace_symbols,
};

/// A range of bytes in a file of the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRange {
    pub file: SourceFile,
    pub span: Span,
}

/// Where the name at `offset` is declared.
pub fn goto_definition(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Option<FileRange> {
    let (definition, _) = resolve::definition_at(db, file, offset)?;
    resolve::definition_range(db, file, &definition)
}
