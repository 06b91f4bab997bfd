//! `concord schema --json-schema`: the JSON Schema of a rulebook's system descriptions, for
//! editors and other validators.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use concord_lang::Engine;

use super::{EXIT_OK, EXIT_USAGE, render_diagnostics, resolve_rulebooks};

#[derive(Args)]
pub struct SchemaArgs {
    /// Write the JSON Schema (draft 2020-12) of the rulebook's system descriptions
    #[arg(long, required = true)]
    json_schema: bool,
    /// The rulebook: a `.concord` file or the id of an embedded rulebook
    rulebook: String,
    /// Write the schema to this file instead of standard output
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

pub fn run(args: SchemaArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let files = resolve_rulebooks(&mut engine, std::slice::from_ref(&args.rulebook))?;
    let Some(file) = files.first().copied() else { return Ok(EXIT_USAGE) };
    let diagnostics = engine.diagnostics_with_imports(file);
    if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
        eprint!("{}", render_diagnostics(&engine, &diagnostics));
        eprintln!("error: rulebook `{}` has errors; no schema was written", engine.path(file));
        return Ok(EXIT_USAGE);
    }
    let schema = engine
        .compile(file)?
        .json_schema()
        .with_context(|| format!("no schema for rulebook `{}`", engine.path(file)))?;
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))?,
        None => super::write_stdout(&text)?,
    }
    Ok(EXIT_OK)
}
