//! IDE features on byte offsets: hover, go to definition and completion, for the language server.
//!
//! Every function takes a file and a byte offset into its text and answers in byte offsets of
//! files of the database. Nothing here knows the LSP, UTF-16 or URIs: `concord-lsp` converts.
//! Resolution reuses the checker's `ExprChecker` to type the prefix of a path, so hover and
//! completion agree with the diagnostics. Completion reads tokens, so it also works inside an item
//! that does not parse.

mod completion;
mod hover;
mod resolve;
#[cfg(test)]
mod tests;

use crate::db::SourceFile;
use crate::syntax::ast::Span;

pub use completion::{Completion, CompletionKind, completions};
pub use hover::{HoverInfo, hover};
pub use resolve::Definition;

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
