//! `concord fmt`: rewrite rulebooks in the canonical layout, or with `--check` list those that are
//! not. A file with syntax errors is left as it is and its errors are printed.
//!
//! The layout is the library's (`concord_lang::fmt`); this file walks directories, reads and
//! writes files, and prints.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::fmt::{FormatError, format_source};

use super::{EXIT_FAILED, EXIT_OK, normalize};

#[derive(Args)]
pub struct FmtArgs {
    /// Rulebook files or directories (searched for `.concord` files, skipping hidden directories
    /// and `target`); `-` formats standard input to standard output [default: .]
    paths: Vec<PathBuf>,
    /// Write nothing: print the files that are not formatted, and exit 1 if there are any
    #[arg(long)]
    check: bool,
}

/// The exit code for a formatter bug, as for any internal error.
const EXIT_INTERNAL: u8 = 101;

pub fn run(args: FmtArgs) -> Result<u8> {
    if args.paths.len() == 1 && args.paths.first().is_some_and(|path| path.as_os_str() == "-") {
        return run_stdin(args.check);
    }
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    let files = rulebook_files(&paths)?;
    let mut code = EXIT_OK;
    let (mut n_changed, mut n_unchanged) = (0usize, 0usize);
    for file in &files {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read `{}`", file.display()))?;
        let name = file.display().to_string();
        match format_source(&name, &text) {
            Ok(formatted) if formatted == text => n_unchanged += 1,
            Ok(formatted) => {
                n_changed += 1;
                if args.check {
                    writeln!(std::io::stdout(), "{name}")?;
                    code = code.max(EXIT_FAILED);
                } else {
                    std::fs::write(file, formatted).with_context(|| format!("cannot write `{}`", file.display()))?;
                }
            }
            Err(error) => code = code.max(report(&name, &text, error)),
        }
    }
    let files_word = |n: usize| if n == 1 { "file" } else { "files" };
    match args.check {
        true if n_changed > 0 => {
            eprintln!("{n_changed} {} would be reformatted, {n_unchanged} already formatted", files_word(n_changed))
        }
        true => eprintln!("{n_unchanged} {} already formatted", files_word(n_unchanged)),
        false => eprintln!("formatted {n_changed} {}, {n_unchanged} already formatted", files_word(n_changed)),
    }
    Ok(code)
}

fn run_stdin(check: bool) -> Result<u8> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("cannot read standard input as UTF-8")?;
    match format_source("<stdin>", &text) {
        Ok(formatted) if check => Ok(if formatted == text { EXIT_OK } else { EXIT_FAILED }),
        Ok(formatted) => {
            std::io::stdout().write_all(formatted.as_bytes())?;
            Ok(EXIT_OK)
        }
        Err(error) => Ok(report("<stdin>", &text, error)),
    }
}

/// Prints why a file was left as it is, and gives the exit code.
fn report(name: &str, text: &str, error: FormatError) -> u8 {
    match error {
        FormatError::Syntax(diagnostics) => {
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let sources = BTreeMap::from([(name.to_owned(), text.to_owned())]);
            eprint!("{}", render(&diagnostics, &sources, RenderConfig { color }));
            eprintln!("{name}: not formatted, because it has syntax errors");
            EXIT_FAILED
        }
        FormatError::ChangesMeaning => {
            eprintln!(
                "error: internal error in concord: formatting `{name}` would change what it says, so it is left as it is; please report it with the file"
            );
            EXIT_INTERNAL
        }
    }
}

/// The `.concord` files under `paths`, sorted; a file named explicitly is kept whatever its name.
fn rulebook_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out)?;
        } else if path.exists() {
            out.push(normalize(path));
        } else {
            bail!("no such file or directory: `{}`", path.display());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read directory `{}`", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    for path in paths {
        let skipped = path.file_name().is_some_and(|name| {
            let name = name.to_string_lossy();
            name.starts_with('.') || name == "target"
        });
        if path.is_dir() {
            if !skipped {
                walk(&path, out)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "concord") {
            out.push(normalize(&path));
        }
    }
    Ok(())
}
