//! The diagnostics corpus: one test per case under `tests/corpus/{syntax,resolve,check,eval}`.
//!
//! A case is a `.concord` file, or a directory holding `main.concord` and the other rulebooks it
//! loads with it. Every file of a case is added to one in-process [`Engine`] under its path
//! relative to the repository root, so spans, paths and snapshots do not depend on the machine.
//! Assertions are comments in the case (`// error[unknown-field] "did you mean"`); the rules for
//! where they stand are in `tests/corpus/README.md`. Every diagnostic must be matched by an
//! assertion and every assertion must match a diagnostic. The harness also keeps a snapshot of
//! the source and the rendered diagnostics next to each case (`<case>.snap`): a missing snapshot
//! is written (except under `CI`), a different one fails, and `UPDATE_SNAPSHOTS=1` rewrites it.
//!
//! This file knows nothing of the language beyond the embedder's API and the comment syntax.

#[path = "support/snapshot.rs"]
mod snapshot;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use concord_lang::diagnostics::Anchor;
use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::{Diagnostic, Engine, Severity};

use snapshot::{check_snapshot, slash_path};

/// The phases whose cases this harness runs.
const PHASES: &[&str] = &["syntax", "resolve", "check", "eval"];
const CORPUS_ROOT: &str = "tests/corpus";

datatest_stable::harness! {
    { test = corpus_case, root = CORPUS_ROOT, pattern = case_pattern() },
}

/// One expected diagnostic, written in a comment.
#[derive(Debug, Clone)]
struct Assertion {
    file: String,
    /// The 1-based line the assertion is about.
    line: usize,
    /// The 1-based line the assertion is written on.
    written_on: usize,
    severity: Severity,
    code: String,
    text: Option<String>,
}

/// A diagnostic reduced to what assertions match.
#[derive(Debug, Clone)]
struct Found {
    file: String,
    line: usize,
    severity: Severity,
    code: &'static str,
    message: String,
    help: String,
}

/// The stack a case runs on: the 2 MiB of a spawned thread, as a language server's requests
/// have; deep items must be checked there too.
const CASE_STACK: usize = 2 << 20;

fn corpus_case(path: &Path) -> datatest_stable::Result<()> {
    let path = path.to_path_buf();
    let worker = std::thread::Builder::new().stack_size(CASE_STACK).spawn(move || run_case(&path))?;
    worker.join().map_err(|_| "the case panicked")?.map_err(Into::into)
}

fn run_case(path: &Path) -> Result<(), String> {
    let files = case_files(path)?;
    let mut engine = Engine::default();
    let mut ids = Vec::new();
    for (name, text) in &files {
        ids.push(engine.add_source(name, text));
    }
    let mut diagnostics: Vec<Diagnostic> = ids.iter().flat_map(|id| engine.diagnostics(*id)).collect();
    concord_lang::diagnostics::sort_diagnostics(&mut diagnostics);
    let rendered = normalise(&render(&diagnostics, &engine.sources(), RenderConfig { color: false }));

    let mut failures = Vec::new();
    let mut assertions = Vec::new();
    for (name, text) in &files {
        match parse_assertions(name, text) {
            Ok(found) => assertions.extend(found),
            Err(error) => failures.push(error),
        }
    }
    let found: Vec<Found> = diagnostics.iter().filter_map(|diagnostic| found_of(diagnostic, &files)).collect();
    if found.len() != diagnostics.len() {
        failures.push("a diagnostic has no primary label in a file of the case; it cannot be asserted".to_owned());
    }
    failures.extend(match_assertions(assertions, found));

    let snapshot = snapshot_text(&files, &rendered);
    if let Err(error) = check_snapshot(&path.with_extension("snap"), &snapshot) {
        failures.push(error);
    }
    if failures.is_empty() {
        return Ok(());
    }
    let mut report = String::new();
    for failure in &failures {
        let _ = writeln!(report, "- {failure}");
    }
    let _ = write!(report, "\nrendered diagnostics:\n{rendered}");
    // The harness prints errors with `Debug`, which would escape every newline: print it here.
    eprintln!("{report}");
    Err(format!("{} problem(s) in `{}`; see above", failures.len(), path.display()))
}

/// The pattern of case files: every `.concord` file under a phase directory, except the files of
/// a multi-file case other than its `main.concord`.
fn case_pattern() -> String {
    let mut multi = Vec::new();
    for phase in PHASES {
        find_multi_file_cases(&Path::new(CORPUS_ROOT).join(phase), &mut multi);
    }
    let phases = PHASES.join("|");
    let excluded: Vec<String> =
        multi.iter().filter_map(|dir| dir.strip_prefix(CORPUS_ROOT).ok()).map(|dir| escape(&slash_path(dir))).collect();
    if excluded.is_empty() {
        return format!(r"^(?:{phases})/.*\.concord$");
    }
    format!(r"^(?!(?:{})/(?!main\.concord$))(?:{phases})/.*\.concord$", excluded.join("|"))
}

fn find_multi_file_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut subdirs: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|entry| entry.path()).filter(|path| path.is_dir()).collect();
    subdirs.sort();
    for subdir in subdirs {
        if subdir.join("main.concord").is_file() {
            out.push(subdir.clone());
        }
        find_multi_file_cases(&subdir, out);
    }
}

fn escape(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, ch| {
        if !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '/') {
            out.push('\\');
        }
        out.push(ch);
        out
    })
}

/// The files of a case, by their repository-relative path: the case file alone, or every
/// `.concord` file beside a `main.concord`.
fn case_files(path: &Path) -> Result<Vec<(String, String)>, String> {
    let mut paths = vec![path.to_path_buf()];
    if path.file_name().is_some_and(|name| name == "main.concord") {
        let dir = path.parent().unwrap_or(Path::new("."));
        let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read `{}`: {error}", dir.display()))?;
        paths = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "concord"))
            .collect();
        paths.sort();
    }
    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(&path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
            Ok((slash_path(&path), text))
        })
        .collect()
}

fn line_of(text: &str, offset: u32) -> usize {
    let offset = (offset as usize).min(text.len());
    text.as_bytes().get(..offset).map_or(0, |before| before.iter().filter(|byte| **byte == b'\n').count()) + 1
}

fn found_of(diagnostic: &Diagnostic, files: &[(String, String)]) -> Option<Found> {
    let label = diagnostic.primary()?;
    let Anchor::File(file) = &label.anchor else { return None };
    let (_, text) = files.iter().find(|(name, _)| name == file)?;
    Some(Found {
        file: file.clone(),
        line: line_of(text, label.span.start),
        severity: diagnostic.severity,
        code: diagnostic.code,
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone().unwrap_or_default(),
    })
}

/// Reads the assertions of one file. An assertion in a comment after code is about its own line;
/// one in a comment alone on its line is about the next line that is not itself such a comment.
fn parse_assertions(file: &str, text: &str) -> Result<Vec<Assertion>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut pending: Vec<Assertion> = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        let number = idx + 1;
        let (code, comment) = split_comment(line);
        let found = comment.map(|comment| parse_comment(file, number, comment)).transpose()?.unwrap_or_default();
        let alone = code.trim().is_empty();
        if alone && !found.is_empty() {
            pending.extend(found);
            continue;
        }
        for mut assertion in pending.drain(..) {
            assertion.line = number;
            out.push(assertion);
        }
        out.extend(found);
    }
    if let Some(dangling) = pending.first() {
        return Err(format!(
            "{file}:{}: assertion `{}[{}]` has no line below it to be about",
            dangling.written_on,
            severity_word(dangling.severity),
            dangling.code
        ));
    }
    Ok(out)
}

/// Splits a line into its code and its `//` comment, ignoring `//` inside strings.
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut idx = 0;
    while let Some(&byte) = bytes.get(idx) {
        match byte {
            b'\\' if in_string => idx += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(idx + 1) == Some(&b'/') => {
                return (line.get(..idx).unwrap_or(line), line.get(idx..));
            }
            _ => {}
        }
        idx += 1;
    }
    (line, None)
}

/// Every `error[code]` and `warning[code] "text"` in a comment.
fn parse_comment(file: &str, line: usize, comment: &str) -> Result<Vec<Assertion>, String> {
    let mut out = Vec::new();
    let mut rest = comment;
    loop {
        let next = [("error[", Severity::Error), ("warning[", Severity::Warning)]
            .into_iter()
            .filter_map(|(marker, severity)| rest.find(marker).map(|at| (at, marker, severity)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, marker, severity)) = next else { break };
        let after = rest.get(at + marker.len()..).unwrap_or("");
        let Some(close) = after.find(']') else {
            return Err(format!("{file}:{line}: `{marker}` is not closed with `]`"));
        };
        let code = after.get(..close).unwrap_or("").to_owned();
        if code.is_empty() || !code.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-') {
            return Err(format!("{file}:{line}: `{code}` is not a diagnostic code"));
        }
        rest = after.get(close + 1..).unwrap_or("");
        let mut text = None;
        let trimmed = rest.trim_start();
        if let Some(quoted) = trimmed.strip_prefix('"') {
            let Some(end) = quoted.find('"') else {
                return Err(format!("{file}:{line}: the quoted text of `{code}` is not closed"));
            };
            text = Some(quoted.get(..end).unwrap_or("").to_owned());
            rest = quoted.get(end + 1..).unwrap_or("");
        }
        out.push(Assertion { file: file.to_owned(), line, written_on: line, severity, code, text });
    }
    Ok(out)
}

/// Pairs assertions with diagnostics on the same line; returns what is left over on either side.
fn match_assertions(assertions: Vec<Assertion>, found: Vec<Found>) -> Vec<String> {
    let mut unmatched: Vec<Option<Found>> = found.into_iter().map(Some).collect();
    let mut failures = Vec::new();
    // Assertions that quote text are the more specific, so they choose first.
    let (quoted, plain): (Vec<Assertion>, Vec<Assertion>) = assertions.into_iter().partition(|it| it.text.is_some());
    for assertion in quoted.into_iter().chain(plain) {
        let slot = unmatched.iter_mut().find(|slot| {
            slot.as_ref().is_some_and(|found| {
                found.file == assertion.file
                    && found.line == assertion.line
                    && found.severity == assertion.severity
                    && found.code == assertion.code
                    && assertion
                        .text
                        .as_ref()
                        .is_none_or(|text| found.message.contains(text) || found.help.contains(text))
            })
        });
        match slot {
            Some(slot) => *slot = None,
            None => failures.push(format!(
                "{}:{}: expected {}[{}]{} on line {}, but no such diagnostic is there",
                assertion.file,
                assertion.written_on,
                severity_word(assertion.severity),
                assertion.code,
                assertion.text.as_ref().map(|text| format!(" with \"{text}\"")).unwrap_or_default(),
                assertion.line
            )),
        }
    }
    for found in unmatched.into_iter().flatten() {
        failures.push(format!(
            "{}:{}: unexpected {}[{}]: {}",
            found.file,
            found.line,
            severity_word(found.severity),
            found.code,
            found.message
        ));
    }
    failures
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Trailing spaces removed from every line, so editors that strip them keep snapshots valid.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn snapshot_text(files: &[(String, String)], rendered: &str) -> String {
    let mut out = String::new();
    for (name, text) in files {
        let _ = writeln!(out, "----- SOURCE CODE -- {name}");
        out.push_str(&normalise(text));
        out.push('\n');
    }
    out.push_str("----- DIAGNOSTICS\n");
    if rendered.is_empty() {
        out.push_str("(none)\n");
    } else {
        out.push_str(rendered);
    }
    out
}
