//! The evaluation corpus: one test per directory `tests/corpus/eval/<case>/`.
//!
//! A case holds `rulebook.concord` (which must have no diagnostics at all), `as_of` (one date)
//! and `systems/*.json|yaml|yml`. Each system is evaluated with explanations, and the stable JSON
//! of its verdicts is compared with `systems/<stem>.verdicts.json`. Systems that share a stem
//! (`same.json` and `same.yaml`) must give byte-identical verdicts, and share that snapshot. Every
//! evaluation runs twice and must give the same bytes. A missing snapshot is written (except
//! under `CI`), a different one fails, and `UPDATE_SNAPSHOTS=1` rewrites it.
//!
//! This file knows the embedder's API only; what the verdicts should be is in the snapshots, which
//! are reviewed like code.

#[path = "support/snapshot.rs"]
mod snapshot;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::{Engine, EvalOptions, Format};

use snapshot::{check_snapshot, slash_path};

datatest_stable::harness! {
    { test = eval_case, root = "tests/corpus/eval", pattern = r"^[^/]+/rulebook\.concord$" },
}

fn eval_case(path: &Path) -> datatest_stable::Result<()> {
    let dir = path.parent().ok_or("a case file has a directory")?;
    let text = std::fs::read_to_string(path)?;
    let mut engine = Engine::default();
    let file = engine.add_source(&slash_path(path), &text);
    let diagnostics = engine.diagnostics_with_imports(file);
    if !diagnostics.is_empty() {
        let rendered = render(&diagnostics, &engine.sources(), RenderConfig { color: false });
        return Err(format!("the rulebook of an evaluation case must be clean:\n{rendered}").into());
    }
    let rulebook = engine.compile(file)?;
    let as_of_text = std::fs::read_to_string(dir.join("as_of"))?;
    let as_of: jiff::civil::Date =
        as_of_text.trim().parse().map_err(|error| format!("`as_of` must hold one date (YYYY-MM-DD): {error}"))?;

    let mut by_stem: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    for system in system_files(&dir.join("systems"))? {
        let format = Format::from_path(&system).ok_or("systems are .json, .yaml or .yml")?;
        let bytes = std::fs::read(&system)?;
        let description = rulebook.load_description(&bytes, format).map_err(|errors| {
            let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
            format!("`{}` is not a valid description:\n  {}", system.display(), listed.join("\n  "))
        })?;
        let options = EvalOptions { explain: true };
        let first = serde_json::to_string_pretty(&rulebook.evaluate(&description, as_of, options))?;
        let second = serde_json::to_string_pretty(&rulebook.evaluate(&description, as_of, options))?;
        if first != second {
            return Err(format!("`{}`: two evaluations gave different bytes", system.display()).into());
        }
        let stem = system.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
        by_stem.entry(stem).or_default().push((system, first + "\n"));
    }
    if by_stem.is_empty() {
        return Err(format!("`{}` has no systems", dir.display()).into());
    }
    let mut failures = String::new();
    for (stem, results) in &by_stem {
        let Some((first_path, first)) = results.first() else { continue };
        for (other_path, other) in results.iter().skip(1) {
            if other != first {
                let _ = writeln!(
                    failures,
                    "`{}` and `{}` describe one system but their verdicts differ",
                    first_path.display(),
                    other_path.display()
                );
            }
        }
        let snapshot = dir.join("systems").join(format!("{stem}.verdicts.json"));
        if let Err(error) = check_snapshot(&snapshot, first) {
            let _ = writeln!(failures, "{error}");
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.into()) }
}

fn system_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read `{}`: {error}", dir.display()))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| !path.to_string_lossy().ends_with(".verdicts.json") && Format::from_path(path).is_some())
        .collect();
    out.sort();
    Ok(out)
}
