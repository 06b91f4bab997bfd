//! One module per subcommand, and the loading every subcommand shares.

pub mod analyze;
pub mod check;
pub mod coverage;
pub mod eval;
pub mod explain;
pub mod fmt;
pub mod lsp;
pub mod schema;
pub mod test;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::{Diagnostic, Engine, FileId};
use jiff::civil::Date;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_BAD_INPUT: u8 = 3;

/// Rulebook files found under the given paths (directories are searched recursively), sorted.
pub fn rulebook_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, &mut |file| file.extension().is_some_and(|ext| ext == "concord"), &mut out)?;
        } else if path.exists() {
            out.push(normalize(path));
        } else {
            bail!("no such file or directory: `{}`", path.display());
        }
    }
    let mut out: Vec<PathBuf> = out.iter().map(|path| normalize(path)).collect();
    out.sort();
    out.dedup();
    Ok(out)
}

pub fn collect(dir: &Path, keep: &mut dyn FnMut(&Path) -> bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read directory `{}`", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, keep, out)?;
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A path without `.` components, so `./a.concord` and `a.concord` name one file.
pub fn normalize(path: &Path) -> PathBuf {
    path.components().filter(|component| *component != std::path::Component::CurDir).collect()
}

/// Loads rulebook files, and the `.concord` files beside them so that their imports resolve.
pub fn load_rulebooks(engine: &mut Engine, files: &[PathBuf]) -> Result<Vec<FileId>> {
    let files: Vec<PathBuf> = files.iter().map(|file| normalize(file)).collect();
    let mut ids = Vec::new();
    for file in &files {
        ids.push(engine.add_file(file)?);
    }
    let mut siblings = Vec::new();
    for file in &files {
        let dir = file.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = normalize(&entry.path());
                if path.extension().is_some_and(|ext| ext == "concord") && !files.contains(&path) {
                    siblings.push(path);
                }
            }
        }
    }
    siblings.sort();
    siblings.dedup();
    for sibling in siblings {
        // A sibling that cannot be read is only a missing import for now; its own check reports it.
        let _ = engine.add_file_if_not_stdlib(&sibling);
    }
    Ok(ids)
}

/// Resolves `--rulebook` arguments: a `.concord` file, or the id of a loaded or embedded rulebook.
pub fn resolve_rulebooks(engine: &mut Engine, specs: &[String]) -> Result<Vec<FileId>> {
    let mut files = Vec::new();
    let mut paths = Vec::new();
    for spec in specs {
        if spec.ends_with(".concord") || Path::new(spec).exists() {
            paths.push(PathBuf::from(spec));
        }
    }
    let loaded = load_rulebooks(engine, &paths)?;
    let mut loaded = loaded.into_iter();
    for spec in specs {
        if spec.ends_with(".concord") || Path::new(spec).exists() {
            if let Some(file) = loaded.next() {
                files.push(file);
            }
            continue;
        }
        match engine.rulebook_by_id(spec) {
            Some(file) => files.push(file),
            None => {
                let ids = concord_lang::stdlib::STDLIB.iter().map(|(id, _, _)| *id);
                let suggestion = concord_lang::diagnostics::suggest::did_you_mean(spec, ids.clone())
                    .map(|id| format!("; did you mean `{id}`?"))
                    .unwrap_or_default();
                let listed = ids.filter(|id| *id != "std.lexicon").collect::<Vec<_>>().join(", ");
                bail!(
                    "no rulebook `{spec}`{suggestion}\n  give a `.concord` file or the id of an embedded rulebook: {listed}"
                )
            }
        }
    }
    Ok(files)
}

pub fn render_diagnostics(engine: &Engine, diagnostics: &[Diagnostic]) -> String {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    render(diagnostics, &engine.sources(), RenderConfig { color })
}

/// Writes a whole output to standard output. A reader that stops early (`| head`) closes the
/// pipe; that is not an error of the command, and never a crash.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    match std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error),
        _ => Ok(()),
    }
}

/// Today's date in UTC, unless `--as-of` gave one.
pub fn as_of_or_today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(|| jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now()).date())
}

pub fn parse_date(text: &str) -> std::result::Result<Date, String> {
    text.parse::<Date>().map_err(|_| format!("`{text}` is not a date; write YYYY-MM-DD"))
}
