//! `concord test`: run the `example` blocks of rulebooks and show expected against actual.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use concord_lang::Engine;

use super::{EXIT_FAILED, EXIT_OK, load_rulebooks, render_diagnostics, rulebook_files};

#[derive(Args)]
pub struct TestArgs {
    /// Rulebook files or directories (searched for `.concord` files)
    #[arg(required_unless_present = "stdlib")]
    paths: Vec<PathBuf>,
    /// Also run the examples of the embedded standard library
    #[arg(long)]
    stdlib: bool,
}

pub fn run(args: TestArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let files = rulebook_files(&args.paths)?;
    let mut ids = load_rulebooks(&mut engine, &files)?;
    if args.stdlib {
        for (id, _, _) in concord_lang::stdlib::STDLIB {
            if let Some(file) = engine.rulebook_by_id(id) {
                ids.push(file);
            }
        }
    }
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    // Written as it goes, for a long run; a reader that stops early ends the run quietly (see `main`).
    let mut out = std::io::stdout().lock();
    for id in ids {
        let diagnostics = engine.diagnostics_with_imports(id);
        if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
            eprint!("{}", render_diagnostics(&engine, &diagnostics));
            writeln!(out, "{}: has errors, its examples were not run", engine.path(id))?;
            broken += 1;
            continue;
        }
        let rulebook = engine.compile(id)?;
        for outcome in rulebook.run_examples() {
            let place = outcome
                .location
                .as_ref()
                .map(|location| format!("{}:{}", location.file, location.line))
                .unwrap_or_default();
            if outcome.passed {
                passed += 1;
                writeln!(out, "ok      {place}  {}", outcome.example)?;
                continue;
            }
            failed += 1;
            writeln!(out, "FAILED  {place}  {}", outcome.example)?;
            for failure in &outcome.failures {
                writeln!(out, "    {}: expected {}, got {}", failure.target, failure.expected, failure.actual)?;
                for line in &failure.explanation {
                    writeln!(out, "      because {line}")?;
                }
                if !failure.missing_facts.is_empty() {
                    writeln!(out, "      needs: {}", failure.missing_facts.join(", "))?;
                }
            }
        }
    }
    if broken > 0 {
        writeln!(out, "{broken} rulebook(s) with errors")?;
    }
    writeln!(out, "examples: {passed} passed, {failed} failed")?;
    Ok(if failed > 0 || broken > 0 { EXIT_FAILED } else { EXIT_OK })
}
