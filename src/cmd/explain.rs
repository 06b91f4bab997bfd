//! `concord explain`: one verdict for one system, and its reasons in prose.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use concord_lang::describe::Format;
use concord_lang::eval::verdict::Basis;
use concord_lang::{Engine, EvalOptions};
use jiff::civil::Date;

use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, as_of_or_today, parse_date, render_diagnostics, resolve_rulebooks};

#[derive(Args)]
pub struct ExplainArgs {
    /// The rulebook: a `.concord` file or the id of an embedded rulebook
    #[arg(long = "rulebook", short = 'r')]
    rulebook: String,
    /// The provision to explain: a redline, obligation or classification
    provision: String,
    /// The system description (`.json`, `.yaml` or `.yml`)
    description: PathBuf,
    /// Evaluate as of this date (YYYY-MM-DD); default: today (UTC)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

pub fn run(args: ExplainArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let files = resolve_rulebooks(&mut engine, std::slice::from_ref(&args.rulebook))?;
    let Some(file) = files.first().copied() else { bail!("no rulebook given") };
    let diagnostics = engine.diagnostics_with_imports(file);
    if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
        eprint!("{}", render_diagnostics(&engine, &diagnostics));
        return Ok(EXIT_USAGE);
    }
    let rulebook = engine.compile(file)?;
    let Some(format) = Format::from_path(&args.description) else {
        bail!("`{}`: descriptions are `.json`, `.yaml` or `.yml` files", args.description.display());
    };
    let text =
        std::fs::read(&args.description).with_context(|| format!("cannot read `{}`", args.description.display()))?;
    let description = match rulebook.load_description(&text, format) {
        Ok(description) => description,
        Err(errors) => {
            for error in errors {
                eprintln!("{}: {error}", args.description.display());
            }
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let as_of = as_of_or_today(args.as_of);
    let verdicts = rulebook.evaluate(&description, as_of, EvalOptions { explain: true });
    let heading = format!("{} under {}, as of {as_of}:", args.description.display(), rulebook.id());
    // The whole text is written at once, so a reader that stops early (`| head`) ends it quietly.
    let mut out = String::new();
    if let Some(verdict) = verdicts.redlines.iter().find(|verdict| verdict.redline == args.provision) {
        let mut headline = format!("redline `{}` — {}", verdict.redline, verdict.verdict.as_str().replace('_', " "));
        if let Some(exception) = &verdict.exception {
            headline.push_str(&format!(" by exception `{exception}`"));
        }
        writeln!(out, "{heading}\n{headline}")?;
        write_basis(&mut out, &verdict.basis)?;
        super::write_stdout(&out)?;
        return Ok(EXIT_OK);
    }
    if let Some(verdict) = verdicts.obligations.iter().find(|verdict| verdict.obligation == args.provision) {
        let due = verdict.due.as_deref().map(|due| format!(", due {due}")).unwrap_or_default();
        writeln!(
            out,
            "{heading}\nobligation `{}` — {}{due}",
            verdict.obligation,
            verdict.verdict.as_str().replace('_', " ")
        )?;
        if let Some(owed_by) = &verdict.owed_by {
            writeln!(
                out,
                "  owed by {}: {}",
                owed_by.role,
                if owed_by.parties.is_empty() { "no party".to_owned() } else { owed_by.parties.join(", ") }
            )?;
        }
        write_basis(&mut out, &verdict.basis)?;
        super::write_stdout(&out)?;
        return Ok(EXIT_OK);
    }
    if let Some(verdict) = verdicts.classifications.iter().find(|verdict| verdict.classification == args.provision) {
        let value = verdict.tier.clone().unwrap_or_else(|| format!("one of {}", verdict.possible.join(", ")));
        writeln!(out, "{heading}\nclassification `{}` — {value}", verdict.classification)?;
        write_basis(&mut out, &verdict.basis)?;
        super::write_stdout(&out)?;
        return Ok(EXIT_OK);
    }
    let names: Vec<&str> = verdicts
        .redlines
        .iter()
        .map(|verdict| verdict.redline.as_str())
        .chain(verdicts.obligations.iter().map(|verdict| verdict.obligation.as_str()))
        .chain(verdicts.classifications.iter().map(|verdict| verdict.classification.as_str()))
        .collect();
    let suggestion = concord_lang::diagnostics::suggest::did_you_mean(&args.provision, names.iter().copied())
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default();
    eprintln!("error: `{}` has no provision `{}`{suggestion}", rulebook.id(), args.provision);
    Ok(EXIT_USAGE)
}

fn write_basis(out: &mut String, basis: &Basis) -> std::fmt::Result {
    for line in &basis.explanation {
        writeln!(out, "  because {line}")?;
    }
    if !basis.missing_facts.is_empty() {
        writeln!(out, "  it would be decided by: {}", basis.missing_facts.join(", "))?;
    }
    for fact in &basis.facts_used {
        writeln!(out, "  fact {} = {}", fact.path, fact.value)?;
    }
    for citation in &basis.citations {
        let status = citation.status.as_deref().map(|status| format!(", {status}")).unwrap_or_default();
        let verified = citation.verified.map(|date| format!(", verified {date}")).unwrap_or_default();
        writeln!(out, "  cited: {}{status}{verified}", citation.text)?;
    }
    for mark in &basis.unsure {
        writeln!(out, "  unsure ({}): {}", mark.declaration, mark.reason)?;
    }
    if let Some(location) = &basis.location {
        writeln!(out, "  written at {}:{}:{}", location.file, location.line, location.column)?;
    }
    Ok(())
}
