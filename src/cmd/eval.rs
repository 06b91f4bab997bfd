//! `concord eval`: evaluate system descriptions (files, directories, or JSONL on stdin) under one
//! or more rulebooks, as text, JSON or JSONL. A description that cannot be read is reported with
//! its file (or line) and JSON paths, and the others go on.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use concord_lang::describe::{DescriptionError, Format};
use concord_lang::eval::verdict::{ObligationOutcome, RulebookVerdicts};
use concord_lang::output::{DescriptionResult, EvaluationLine, EvaluationReport, RulebookInfo, SCHEMA_VERSION};
use concord_lang::{DescriptionBuf, Engine, EvalOptions, Rulebook};
use jiff::civil::Date;

use super::{
    EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_USAGE, as_of_or_today, collect, parse_date, render_diagnostics,
    resolve_rulebooks,
};

#[derive(Args)]
pub struct EvalArgs {
    /// A rulebook: a `.concord` file or the id of an embedded rulebook (repeatable)
    #[arg(long = "rulebook", short = 'r', required = true)]
    rulebooks: Vec<String>,
    /// Descriptions: `.json`, `.yaml`/`.yml` or `.jsonl` files, directories, or `-` for JSONL on stdin
    #[arg(default_value = "-")]
    inputs: Vec<String>,
    /// Evaluate the law as in force on this date (YYYY-MM-DD); default: today (UTC)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Exit 1 if any verdict is one of these (comma-separated), e.g. `prohibited,violated`
    #[arg(long, value_delimiter = ',')]
    deny: Vec<String>,
    /// Include explanations and the facts used in the output
    #[arg(long)]
    explain: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Jsonl,
}

const VERDICT_WORDS: &[&str] = &[
    "prohibited",
    "exempted",
    "not_prohibited",
    "not_in_force",
    "undetermined",
    "satisfied",
    "violated",
    "pending",
    "not_applicable",
];

/// One description to evaluate: its label and its text.
struct Document {
    label: String,
    text: Vec<u8>,
    format: Format,
}

pub fn run(args: EvalArgs) -> Result<u8> {
    for word in &args.deny {
        if !VERDICT_WORDS.contains(&word.as_str()) {
            bail!("`--deny {word}`: not a verdict; verdicts are {}", VERDICT_WORDS.join(", "));
        }
    }
    let mut engine = Engine::default();
    let files = resolve_rulebooks(&mut engine, &args.rulebooks)?;
    let mut rulebooks = Vec::new();
    for file in files {
        let diagnostics = engine.diagnostics_with_imports(file);
        if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
            eprint!("{}", render_diagnostics(&engine, &diagnostics));
            eprintln!("error: rulebook `{}` has errors; nothing was evaluated", engine.path(file));
            return Ok(EXIT_USAGE);
        }
        rulebooks.push(engine.compile(file)?);
    }
    for rulebook in &rulebooks {
        let compiled = rulebook.compiled();
        if compiled.own_classifications.is_empty() && compiled.redlines.is_empty() && compiled.obligations.is_empty() {
            let hint = if compiled.mappings.is_empty() {
                String::new()
            } else {
                format!("; its mappings are read by `concord conflicts A B --mapping {}`", compiled.id)
            };
            eprintln!(
                "note: rulebook `{}` declares no classification, redline or obligation, so it gives no verdicts{hint}",
                compiled.id
            );
        }
    }
    let as_of = as_of_or_today(args.as_of);
    let infos: Vec<RulebookInfo> = rulebooks.iter().map(RulebookInfo::of).collect();
    let options = EvalOptions { explain: args.explain || args.format == OutputFormat::Json };
    let mut state = State { denied: 0, bad: 0, total: 0, report: Vec::new() };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.format == OutputFormat::Text {
        writeln!(out, "as of {as_of}")?;
    }
    // Rendering a result is done on the worker threads with its evaluation; `handle` only
    // counts and writes, in input order.
    let format = args.format;
    let render = |result: &DescriptionResult| -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        match format {
            OutputFormat::Text => write_text(&mut bytes, result)?,
            OutputFormat::Jsonl => {
                let line = EvaluationLine { schema_version: SCHEMA_VERSION, as_of, rulebooks: &infos, result };
                serde_json::to_writer(&mut bytes, &line)?;
                bytes.push(b'\n');
            }
            OutputFormat::Json => {}
        }
        Ok(bytes)
    };
    let mut handle = |result: DescriptionResult, rendered: Vec<u8>| -> Result<()> {
        state.total += 1;
        if !result.errors.is_empty() {
            state.bad += 1;
        }
        state.denied += result
            .verdicts
            .iter()
            .map(|verdicts| {
                verdict_words(verdicts).iter().filter(|word| args.deny.iter().any(|deny| deny == *word)).count()
            })
            .sum::<usize>();
        out.write_all(&rendered)?;
        if format == OutputFormat::Json {
            state.report.push(result);
        }
        Ok(())
    };
    // Three stages overlap: one thread reads descriptions into chunks, the evaluator thread
    // evaluates and renders each chunk on every core, and this thread writes results in input
    // order. The channels hold one chunk each, so memory stays flat however long the stream is.
    let progress = progress_bar();
    std::thread::scope(|scope| -> Result<()> {
        let (chunk_tx, chunk_rx) = std::sync::mpsc::sync_channel::<Vec<Document>>(1);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Vec<Evaluated>>(1);
        let inputs = &args.inputs;
        let reader = scope.spawn(move || read_inputs(inputs, chunk_tx));
        let rulebooks = &rulebooks;
        let render = &render;
        scope.spawn(move || {
            for chunk in chunk_rx {
                let evaluated = evaluate_chunk(rulebooks, chunk, as_of, options, render);
                if done_tx.send(evaluated).is_err() {
                    // The writer stopped (an output error): stop evaluating.
                    return;
                }
            }
        });
        for chunk in done_rx {
            for (result, rendered) in chunk {
                handle(result, rendered?)?;
                progress.inc(1);
            }
        }
        // The reader's error (a missing file, an unreadable stream) comes after every description
        // read before it has been written, as it would without the pipeline.
        reader.join().map_err(|_| anyhow::anyhow!("the thread reading descriptions stopped unexpectedly"))?
    })?;
    progress.finish_and_clear();
    if args.format == OutputFormat::Json {
        let report = EvaluationReport {
            schema_version: SCHEMA_VERSION,
            as_of,
            rulebooks: infos.clone(),
            descriptions: std::mem::take(&mut state.report),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    }
    out.flush()?;
    if state.denied > 0 {
        eprintln!("denied: {} verdict(s) matched `--deny {}`", state.denied, args.deny.join(","));
    }
    if state.bad > 0 {
        match (state.bad, state.total - state.bad) {
            (1, 0) => eprintln!("error: the description could not be read"),
            (bad, 0) => eprintln!("error: none of the {bad} descriptions could be read"),
            (bad, good) => eprintln!("error: {bad} description(s) could not be read; the other {good} were evaluated"),
        }
        return Ok(EXIT_BAD_INPUT);
    }
    if state.denied > 0 {
        return Ok(EXIT_FAILED);
    }
    Ok(EXIT_OK)
}

/// Descriptions evaluated together; large enough to keep every core busy, small enough to stream.
const CHUNK: usize = 512;

/// A description's result and its rendering (or the error rendering it).
type Evaluated = (DescriptionResult, Result<Vec<u8>>);

/// A progress line only for a person watching: nothing extra when stderr is piped.
fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} descriptions evaluated ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    progress
}

/// Reads every input (files, directories, JSONL streams, `-` for stdin) in order and sends the
/// descriptions in chunks of [`CHUNK`]. Stops quietly when the receiving side has stopped.
fn read_inputs(inputs: &[String], chunks: std::sync::mpsc::SyncSender<Vec<Document>>) -> Result<()> {
    let mut pending = Vec::with_capacity(CHUNK);
    let mut push = |document: Document| -> Result<()> {
        pending.push(document);
        if pending.len() >= CHUNK {
            let full = std::mem::replace(&mut pending, Vec::with_capacity(CHUNK));
            if chunks.send(full).is_err() {
                bail!("the evaluation stopped");
            }
        }
        Ok(())
    };
    let read = read_each(inputs, &mut push);
    // What was read before an error is still evaluated and written, then the error is reported.
    if !pending.is_empty() && chunks.send(pending).is_err() {
        bail!("the evaluation stopped");
    }
    read
}

fn read_each(inputs: &[String], push: &mut dyn FnMut(Document) -> Result<()>) -> Result<()> {
    for input in inputs {
        if input == "-" {
            let stdin = std::io::stdin();
            if std::io::IsTerminal::is_terminal(&stdin) {
                bail!("no descriptions given: name files or directories, or pipe JSONL into `concord eval … -`");
            }
            read_jsonl(stdin.lock(), "<stdin>", push)?;
            continue;
        }
        let path = Path::new(input);
        let mut paths = Vec::new();
        if path.is_dir() {
            collect(path, &mut |file| description_format(file).is_some() || is_jsonl(file), &mut paths)?;
        } else if path.exists() {
            paths.push(path.to_path_buf());
        } else {
            bail!("no such file or directory: `{input}`");
        }
        for path in paths {
            if is_jsonl(&path) {
                let file = std::fs::File::open(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
                let label = path.display().to_string();
                read_jsonl(std::io::BufReader::new(file), &label, push)?;
                continue;
            }
            let Some(format) = description_format(&path) else {
                bail!("`{}`: descriptions are `.json`, `.yaml`, `.yml` or `.jsonl` files", path.display());
            };
            let text = std::fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
            push(Document { label: path.display().to_string(), text, format })?;
        }
    }
    Ok(())
}

/// Evaluates and renders one chunk on every core, results in input order.
fn evaluate_chunk(
    rulebooks: &[Rulebook],
    chunk: Vec<Document>,
    as_of: Date,
    options: EvalOptions,
    render: &(dyn Fn(&DescriptionResult) -> Result<Vec<u8>> + Sync),
) -> Vec<Evaluated> {
    use rayon::prelude::*;
    // Each worker loads its descriptions into one buffer, which keeps the last description's
    // allocations for the next (`Rulebook::load_description_into`).
    chunk
        .par_iter()
        .map_init(DescriptionBuf::default, |buf, document| {
            let result = evaluate_document(rulebooks, document, as_of, options, buf);
            let rendered = render(&result);
            (result, rendered)
        })
        .collect()
}

struct State {
    denied: usize,
    bad: usize,
    /// Descriptions written, good and bad.
    total: usize,
    report: Vec<DescriptionResult>,
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
}

fn description_format(path: &Path) -> Option<Format> {
    Format::from_path(path)
}

fn read_jsonl(reader: impl BufRead, label: &str, emit: &mut dyn FnMut(Document) -> Result<()>) -> Result<()> {
    let mut reader = reader;
    let mut line_number = 0usize;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let n = reader.read_until(b'\n', &mut buffer).with_context(|| format!("cannot read `{label}`"))?;
        if n == 0 {
            return Ok(());
        }
        line_number += 1;
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = std::mem::replace(&mut buffer, Vec::with_capacity(256));
        emit(Document { label: format!("{label}:{line_number}"), text, format: Format::Json })?;
    }
}

fn evaluate_document(
    rulebooks: &[Rulebook],
    document: &Document,
    as_of: Date,
    options: EvalOptions,
    buf: &mut DescriptionBuf,
) -> DescriptionResult {
    let mut verdicts = Vec::new();
    let mut errors: Vec<DescriptionError> = Vec::new();
    for rulebook in rulebooks {
        match rulebook.load_description_into(buf, &document.text, document.format) {
            Ok(description) => verdicts.push(rulebook.evaluate(description, as_of, options)),
            Err(found) => {
                for error in found {
                    if !errors.contains(&error) {
                        errors.push(error);
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        verdicts.clear();
    }
    DescriptionResult { description: document.label.clone(), verdicts, errors }
}

fn verdict_words(verdicts: &RulebookVerdicts) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = verdicts.redlines.iter().map(|verdict| verdict.verdict.as_str()).collect();
    words.extend(verdicts.obligations.iter().map(|verdict| verdict.verdict.as_str()));
    words.extend(
        verdicts
            .classifications
            .iter()
            .filter(|verdict| verdict.tier.is_none() && !verdict.not_in_force)
            .map(|_| "undetermined"),
    );
    words
}

fn write_text(out: &mut Vec<u8>, result: &DescriptionResult) -> Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", result.description)?;
    for error in &result.errors {
        writeln!(out, "  error: {error}")?;
    }
    for verdicts in &result.verdicts {
        let in_force = if verdicts.in_force { "" } else { " (not in force on this date)" };
        writeln!(out, "  under {}{in_force}", verdicts.rulebook)?;
        for classification in &verdicts.classifications {
            let cite = classification
                .basis
                .citations
                .last()
                .map(|citation| format!("  [{}]", citation.text))
                .unwrap_or_default();
            let value = match &classification.tier {
                Some(tier) => tier.clone(),
                None if classification.not_in_force => "not in force".to_owned(),
                None => format!("one of {}", classification.possible.join(", ")),
            };
            writeln!(out, "    {:<44} {value}{cite}", format!("classification {}", classification.classification))?;
            write_missing(out, &classification.basis.missing_facts)?;
        }
        for redline in &verdicts.redlines {
            let mut value = redline.verdict.as_str().replace('_', " ");
            if let Some(exception) = &redline.exception {
                value.push_str(&format!(" by `{exception}`"));
            }
            if !redline.possible.is_empty() {
                let possible: Vec<String> =
                    redline.possible.iter().map(|outcome| outcome.as_str().replace('_', " ")).collect();
                value.push_str(&format!(" ({})", possible.join(" or ")));
            }
            let cite =
                redline.basis.citations.first().map(|citation| format!("  [{}]", citation.text)).unwrap_or_default();
            writeln!(out, "    {:<44} {value}{cite}", format!("redline {}", redline.redline))?;
            write_missing(out, &redline.basis.missing_facts)?;
            write_unsure(out, &redline.basis.unsure)?;
        }
        for obligation in &verdicts.obligations {
            let mut value = obligation.verdict.as_str().replace('_', " ");
            if let Some(due) = &obligation.due {
                value.push_str(&format!(", due {due}"));
            }
            let cite =
                obligation.basis.citations.first().map(|citation| format!("  [{}]", citation.text)).unwrap_or_default();
            writeln!(out, "    {:<44} {value}{cite}", format!("obligation {}", obligation.obligation))?;
            let applies =
                !matches!(obligation.verdict, ObligationOutcome::NotApplicable | ObligationOutcome::NotInForce);
            if let Some(owed_by) = obligation.owed_by.as_ref().filter(|_| applies) {
                let mut holders = owed_by.parties.join(", ");
                if !owed_by.possibly.is_empty() {
                    if !holders.is_empty() {
                        holders.push_str("; ");
                    }
                    holders.push_str(&format!("possibly {}", owed_by.possibly.join(", ")));
                }
                if !holders.is_empty() {
                    writeln!(out, "      owed by {}: {holders}", owed_by.role)?;
                }
            }
            // An undetermined duty whose instances are decided is undetermined for its
            // applicability (a role or condition not known, an exception that may apply): each
            // instance's verdict holds only if the duty applies.
            let condition =
                if obligation.verdict == ObligationOutcome::Undetermined { " if the duty applies" } else { "" };
            for instance in &obligation.instances {
                if obligation.instances.len() > 1 || instance.instance != "$" {
                    let due = instance.due.as_deref().map(|due| format!(", due {due}")).unwrap_or_default();
                    let condition = if instance.verdict == ObligationOutcome::Undetermined { "" } else { condition };
                    writeln!(
                        out,
                        "      {}: {}{condition}{due}",
                        instance.instance,
                        instance.verdict.as_str().replace('_', " ")
                    )?;
                }
            }
            write_missing(out, &obligation.basis.missing_facts)?;
            write_unsure(out, &obligation.basis.unsure)?;
        }
    }
    Ok(())
}

fn write_missing(out: &mut dyn Write, missing: &[String]) -> Result<()> {
    if !missing.is_empty() {
        writeln!(out, "      needs: {}", missing.join(", "))?;
    }
    Ok(())
}

fn write_unsure(out: &mut dyn Write, unsure: &[concord_lang::eval::verdict::UnsureMark]) -> Result<()> {
    for mark in unsure {
        writeln!(out, "      unsure ({}): {}", mark.declaration, mark.reason)?;
    }
    Ok(())
}
