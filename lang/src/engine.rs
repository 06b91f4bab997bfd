//! The embedder's façade: load rulebooks, read their diagnostics, compile once, evaluate many
//! descriptions. Errors are values; nothing here panics on bad input.
//!
//! ```
//! use concord_lang::{Engine, EvalOptions};
//! let mut engine = Engine::default();
//! let file = engine.add_source("rules.concord", r#"
//! rulebook demo.rules { title "Demo" }
//! import std.lexicon
//! redline social_scoring {
//!   cite "Art. 5(1)(c)"
//!   forbids use
//!   when system.purposes contains social_scoring
//! }
//! "#);
//! assert!(engine.diagnostics(file).is_empty());
//! let rulebook = engine.compile(file).unwrap();
//! let system = rulebook.load_description(br#"{"purposes": ["social_scoring"]}"#, concord_lang::Format::Json).unwrap();
//! let date = "2026-01-01".parse().unwrap();
//! let verdicts = rulebook.evaluate(&system, date, EvalOptions { explain: true });
//! assert_eq!(verdicts.redlines[0].verdict.as_str(), "prohibited");
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use salsa::Setter;

use crate::compile::{compile, file_diagnostics};
use crate::db::{Database, SourceFile, Workspace, import_closure, rulebook_index};
use crate::describe::{
    DescriptionError, Format, ScanScratch, from_json_value, load_description, load_description_via_tree,
    load_description_with, load_json_fast,
};
use crate::diagnostics::Diagnostic;
use crate::eval::examples::{ExampleOutcome, run_examples};
use crate::eval::verdict::RulebookVerdicts;
use crate::eval::{EvalOptions, GuardSummaries, Outcomes, Walk, evaluate, evaluate_outcomes};
use crate::ir::CompiledRulebook;
use crate::schema::Schema;
use crate::schema_export::{ExportError, RulebookLabel, json_schema};
use crate::stdlib::STDLIB;
use crate::value::Value;

/// The rulebook id a text declares in its header, read without a database.
fn declared_id(text: &str) -> Option<String> {
    let tokens = crate::syntax::lexer::lex(text);
    let header = crate::syntax::split::split_items(text, &tokens)
        .into_iter()
        .find(|item| item.kind == crate::syntax::split::ItemKind::Rulebook)?;
    (!header.name.is_empty()).then_some(header.name)
}

/// A handle to a loaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(SourceFile);

/// A set of rulebooks (the standard library's included) and the incremental database over them.
#[derive(Clone)]
pub struct Engine {
    db: Database,
    files: BTreeMap<String, SourceFile>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::with_database(Database::default())
    }
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The message names the IO error itself, so the error has no `source` (a chain printed by
    /// `anyhow` would repeat it).
    #[error("cannot read `{path}`: {reason}")]
    Io { path: String, reason: std::io::Error },
    #[error("`{path}` is not valid UTF-8 (at byte {offset})")]
    NotUtf8 { path: String, offset: usize },
    #[error("`{path}` is too large ({size} bytes; the limit is 4 GiB)")]
    TooLarge { path: String, size: usize },
}

/// Why a rulebook did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("rulebook `{path}` has errors; run `concord check` to see them")]
    HasErrors { path: String },
}

impl Engine {
    /// An engine over a given database (with an event callback, for tests of incrementality).
    pub fn with_database(db: Database) -> Engine {
        let mut engine = Engine { db, files: BTreeMap::new() };
        Workspace::new(&engine.db, Vec::new());
        for (_, path, text) in STDLIB {
            engine.add_source(path, text);
        }
        engine
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The salsa input behind a file handle, for queries on the database.
    pub fn source_file(&self, file: FileId) -> SourceFile {
        file.0
    }

    /// Adds a rulebook from text, or replaces the text of the file with this path.
    pub fn add_source(&mut self, path: &str, text: &str) -> FileId {
        if let Some(file) = self.files.get(path).copied() {
            if file.text(&self.db) != text {
                file.set_text(&mut self.db).to(text.to_owned());
            }
            return FileId(file);
        }
        let file = SourceFile::new(&self.db, path.to_owned(), text.to_owned());
        self.files.insert(path.to_owned(), file);
        // A file that declares the id of an embedded rulebook replaces it: that is how the
        // standard library itself is developed (`concord check stdlib/`).
        if !crate::stdlib::is_stdlib_path(path)
            && let Some(id) = declared_id(text)
            && let Some((_, embedded_path, _)) = STDLIB.iter().find(|(stdlib_id, _, _)| *stdlib_id == id)
        {
            self.files.remove(*embedded_path);
        }
        self.sync_workspace();
        FileId(file)
    }

    fn sync_workspace(&mut self) {
        let all: Vec<SourceFile> = self.files.values().copied().collect();
        if let Some(workspace) = Workspace::try_get(&self.db) {
            workspace.set_files(&mut self.db).to(all);
        }
    }

    /// Reads a rulebook file that was not asked for but may be imported (a file beside one that
    /// was): skipped if it declares the id of an embedded rulebook, so a stray copy cannot replace
    /// the standard library. Returns `None` when skipped.
    pub fn add_file_if_not_stdlib(&mut self, path: &Path) -> Result<Option<FileId>, LoadError> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|reason| LoadError::Io { path: display.clone(), reason })?;
        let Ok(text) = std::str::from_utf8(&bytes) else { return self.add_file(path).map(Some) };
        if declared_id(text).is_some_and(|id| STDLIB.iter().any(|(stdlib_id, _, _)| *stdlib_id == id)) {
            return Ok(None);
        }
        self.add_file(path).map(Some)
    }

    /// Reads a rulebook file from disk.
    pub fn add_file(&mut self, path: &Path) -> Result<FileId, LoadError> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|reason| LoadError::Io { path: display.clone(), reason })?;
        if u32::try_from(bytes.len()).is_err() {
            return Err(LoadError::TooLarge { path: display, size: bytes.len() });
        }
        let text = String::from_utf8(bytes)
            .map_err(|error| LoadError::NotUtf8 { path: display.clone(), offset: error.utf8_error().valid_up_to() })?;
        Ok(self.add_source(&display, &text))
    }

    /// The file that declares a rulebook id (`eu.ai_act`, `std.lexicon`).
    pub fn rulebook_by_id(&self, id: &str) -> Option<FileId> {
        rulebook_index(&self.db).get(id).copied().map(FileId)
    }

    pub fn path(&self, file: FileId) -> &str {
        file.0.path(&self.db)
    }

    pub fn text(&self, file: FileId) -> &str {
        file.0.text(&self.db)
    }

    /// Every loaded file's text by path, for rendering diagnostics.
    pub fn sources(&self) -> BTreeMap<String, String> {
        self.files.iter().map(|(path, file)| (path.clone(), file.text(&self.db).clone())).collect()
    }

    /// The diagnostics of one file, sorted by position.
    pub fn diagnostics(&self, file: FileId) -> Vec<Diagnostic> {
        file_diagnostics(&self.db, file.0).clone()
    }

    /// The diagnostics of a file and of every file it imports.
    pub fn diagnostics_with_imports(&self, file: FileId) -> Vec<Diagnostic> {
        let mut out = self.diagnostics(file);
        for imported in import_closure(&self.db, file.0) {
            out.extend(file_diagnostics(&self.db, *imported).iter().cloned());
        }
        crate::diagnostics::sort_diagnostics(&mut out);
        out
    }

    /// Compiles a rulebook; fails if it or anything it imports has an error.
    pub fn compile(&self, file: FileId) -> Result<Rulebook, CompileError> {
        match compile(&self.db, file.0) {
            Some(compiled) => Ok(Rulebook { compiled: compiled.clone() }),
            None => Err(CompileError::HasErrors { path: self.path(file).to_owned() }),
        }
    }
}

/// A compiled rulebook: cheap to clone, `Send + Sync`, evaluates any number of descriptions.
#[derive(Debug, Clone)]
pub struct Rulebook {
    compiled: Arc<CompiledRulebook>,
}

// Compiled rulebooks are shared between threads: a batch evaluates one rulebook on every core.
const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    shared_across_threads::<Rulebook>();
    shared_across_threads::<CompiledRulebook>();
    shared_across_threads::<Description>();
    shared_across_threads::<Outcomes>();
};

/// A system description loaded against a rulebook's schema.
#[derive(Debug, Clone, Default)]
pub struct Description {
    value: Value,
    /// The sets the rulebook's guards test, summarised when the description was loaded: its
    /// decisions start with them (see `eval::GuardSummaries`).
    guards: GuardSummaries,
}

/// Descriptions are equal when their facts are: the summaries are made from them.
impl PartialEq for Description {
    fn eq(&self, other: &Description) -> bool {
        self.value == other.value
    }
}

impl Eq for Description {}

impl Description {
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// A description and the allocations it was read into, kept between loads: the buffer of
/// [`Rulebook::load_description_into`], for batches that read many descriptions one after the
/// other.
#[derive(Debug, Default)]
pub struct DescriptionBuf {
    description: Description,
    scratch: ScanScratch,
}

impl DescriptionBuf {
    /// The description last loaded into the buffer (`Unknown` before the first load).
    pub fn description(&self) -> &Description {
        &self.description
    }
}

impl Rulebook {
    pub fn id(&self) -> &str {
        &self.compiled.id
    }

    pub fn compiled(&self) -> &CompiledRulebook {
        &self.compiled
    }

    pub fn schema(&self) -> &Schema {
        &self.compiled.schema
    }

    /// The JSON Schema (draft 2020-12) of the descriptions this rulebook reads: what
    /// [`Rulebook::load_description`] accepts, for editors and other validators.
    ///
    /// # Errors
    ///
    /// [`ExportError::NoSystemRecord`] when the rulebook has no `System` record to describe.
    pub fn json_schema(&self) -> Result<serde_json::Value, ExportError> {
        let compiled = &self.compiled;
        let label =
            RulebookLabel { id: &compiled.id, title: compiled.title.as_deref(), version: compiled.version.as_deref() };
        json_schema(&compiled.schema, label)
    }

    /// Reads a description from JSON or YAML text, validating it against the schema.
    ///
    /// JSON is parsed straight into the schema's slot layout (as [`Rulebook::load_json_fast`]);
    /// only text with errors is read again through a document tree, to report every error with
    /// its path. The result, description or errors, is the same as
    /// [`Rulebook::load_description_via_tree`]'s.
    pub fn load_description(&self, text: &[u8], format: Format) -> Result<Description, Vec<DescriptionError>> {
        load_description(&self.compiled.schema, text, format).map(|value| self.describe(value))
    }

    /// [`Rulebook::load_description`] into a buffer reused between descriptions. Gives the same
    /// description or the same errors.
    pub fn load_description_into<'b>(
        &self,
        buf: &'b mut DescriptionBuf,
        text: &[u8],
        format: Format,
    ) -> Result<&'b Description, Vec<DescriptionError>> {
        buf.scratch.recycle(std::mem::take(&mut buf.description.value));
        let value = load_description_with(&self.compiled.schema, text, format, &mut buf.scratch)?;
        buf.description.value = value;
        buf.description.guards.make(&self.compiled.guard_paths, &buf.description.value);
        Ok(&buf.description)
    }

    /// Reads a description from JSON text straight into the schema's slot layout, or `None` when
    /// the text has any error (which [`Rulebook::load_description`] would list). For gates that
    /// only need to know whether a description is valid: a bad text costs only the parse up to
    /// its first problem.
    pub fn load_json_fast(&self, text: &[u8]) -> Option<Description> {
        load_json_fast(&self.compiled.schema, text).map(|value| self.describe(value))
    }

    /// Reads a description through a document tree, the general path that
    /// [`Rulebook::load_description`] takes for YAML and for JSON with errors; for comparing the
    /// two paths.
    pub fn load_description_via_tree(&self, text: &[u8], format: Format) -> Result<Description, Vec<DescriptionError>> {
        load_description_via_tree(&self.compiled.schema, text, format).map(|value| self.describe(value))
    }

    /// Reads a description already parsed into a JSON value.
    pub fn description_from_json(&self, value: &serde_json::Value) -> Result<Description, Vec<DescriptionError>> {
        from_json_value(&self.compiled.schema, value).map(|value| self.describe(value))
    }

    /// A description from a value already laid out by this rulebook's schema (an example's system).
    pub fn description_from_value(&self, value: Value) -> Description {
        self.describe(value)
    }

    /// A loaded description, with the summaries of the sets the rulebook's guards test.
    fn describe(&self, value: Value) -> Description {
        let mut guards = GuardSummaries::default();
        guards.make(&self.compiled.guard_paths, &value);
        Description { value, guards }
    }

    /// Every verdict of the rulebook for one system, as of `as_of`.
    pub fn evaluate(&self, description: &Description, as_of: Date, options: EvalOptions) -> RulebookVerdicts {
        evaluate(&self.compiled, &description.value, as_of, options)
    }

    /// The verdicts alone (no explanations, citations or paths), into a reusable buffer: the
    /// fast path for gates and batches. Gives the same verdicts as [`Rulebook::evaluate`].
    pub fn evaluate_outcomes(&self, description: &Description, as_of: Date, out: &mut Outcomes) {
        evaluate_outcomes(&self.compiled, &description.value, Some(&description.guards), as_of, Walk::Flat, out);
    }

    /// [`Rulebook::evaluate_outcomes`] with every condition evaluated by walking its expression
    /// tree instead of running its flat form: slower, and the reference the flat form is tested
    /// against (`lang/tests/flat.rs`). Gives the same outcomes and the same trace.
    pub fn evaluate_outcomes_by_tree(&self, description: &Description, as_of: Date, out: &mut Outcomes) {
        evaluate_outcomes(&self.compiled, &description.value, Some(&description.guards), as_of, Walk::Tree, out);
    }

    /// Runs the rulebook's own `example` blocks.
    pub fn run_examples(&self) -> Vec<ExampleOutcome> {
        run_examples(&self.compiled)
    }
}
