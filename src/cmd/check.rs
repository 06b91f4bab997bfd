//! `concord check`: type-check rulebooks and print every diagnostic.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use concord_lang::{Diagnostic, Engine};

use super::{EXIT_FAILED, EXIT_OK, load_rulebooks, render_diagnostics, rulebook_files};

#[derive(Args)]
pub struct CheckArgs {
    /// Rulebook files or directories (searched for `.concord` files)
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

pub fn run(args: CheckArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let files = rulebook_files(&args.paths)?;
    let ids = load_rulebooks(&mut engine, &files)?;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for id in &ids {
        diagnostics.extend(engine.diagnostics(*id));
    }
    concord_lang::diagnostics::sort_diagnostics(&mut diagnostics);
    let n_errors = diagnostics.iter().filter(|diagnostic| diagnostic.is_error()).count();
    let n_warnings = diagnostics.len() - n_errors;
    match args.format {
        CheckFormat::Text => {
            eprint!("{}", render_diagnostics(&engine, &diagnostics));
            eprintln!(
                "checked {} file{}: {n_errors} error{}, {n_warnings} warning{}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                if n_errors == 1 { "" } else { "s" },
                if n_warnings == 1 { "" } else { "s" }
            );
        }
        CheckFormat::Json => {
            let sources = engine.sources();
            let mut values = Vec::with_capacity(diagnostics.len());
            for diagnostic in &diagnostics {
                let mut value = serde_json::to_value(diagnostic)?;
                add_positions(&mut value, &sources);
                values.push(value);
            }
            let out = serde_json::json!({ "schema_version": 1, "diagnostics": values });
            let mut text = serde_json::to_string_pretty(&out)?;
            text.push('\n');
            super::write_stdout(&text)?;
        }
    }
    Ok(if n_errors > 0 { EXIT_FAILED } else { EXIT_OK })
}

/// Adds 1-based `line` and `column` (in characters) to each label, beside its byte span.
fn add_positions(value: &mut serde_json::Value, sources: &std::collections::BTreeMap<String, String>) {
    let Some(labels) = value.get_mut("labels").and_then(serde_json::Value::as_array_mut) else { return };
    for label in labels {
        let file = label.get("file").and_then(serde_json::Value::as_str).map(str::to_owned);
        let start = label.pointer("/span/start").and_then(serde_json::Value::as_u64);
        let (Some(file), Some(start)) = (file, start) else { continue };
        let Some(text) = sources.get(&file) else { continue };
        let location = concord_lang::compile::location(text, &file, u32::try_from(start).unwrap_or(u32::MAX));
        if let Some(object) = label.as_object_mut() {
            object.insert("line".to_owned(), location.line.into());
            object.insert("column".to_owned(), location.column.into());
        }
    }
}
