//! Concord: a policy-as-code language for AI governance.
//!
//! Embedders start at [`Engine`]: add rulebooks (the standard library is already there), read
//! their [`Diagnostic`]s, [`Engine::compile`] one into a [`Rulebook`], then load
//! [`Description`]s and [`Rulebook::evaluate`] them as of a date. Verdicts are plain types that
//! serialize to the JSON documented in `docs/output.md`.
//!
//! The modules below the façade are the compiler's layers, in pipeline order: `syntax` (lexer,
//! item splitter, pest grammar, AST), `db` (salsa queries), `check` (names, types, units → IR),
//! `compile` (linking), `eval` (three-valued evaluation), `describe` (JSON/YAML loading),
//! `schema_export` (the JSON Schema of descriptions).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod analysis;
pub mod check;
pub mod compile;
pub mod coverage;
pub mod db;
pub mod describe;
pub mod diagnostics;
pub mod engine;
pub mod eval;
pub mod fmt;
pub mod ide;
pub mod ir;
pub mod num;
pub mod output;
pub mod schema;
pub mod schema_export;
pub mod stdlib;
pub mod syntax;
pub mod value;

pub use describe::{DescriptionError, Format};
pub use diagnostics::{Diagnostic, Severity};
pub use engine::{CompileError, Description, DescriptionBuf, Engine, FileId, LoadError, Rulebook};
pub use eval::verdict::{ObligationOutcome, RedlineOutcome, RulebookVerdicts};
pub use eval::{EvalOptions, Outcomes, Step, Tri};
