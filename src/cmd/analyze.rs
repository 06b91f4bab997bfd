//! `concord analyze` (one rulebook) and `concord conflicts` (two rulebooks, through a mapping).

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use concord_lang::analysis::{self, AnalysisOptions, Report};
use concord_lang::{Engine, FileId, Rulebook};
use jiff::civil::Date;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, as_of_or_today, parse_date, render_diagnostics, resolve_rulebooks};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// For a reader in a terminal
    Text,
    /// The report as data (`schema_version` 1)
    Json,
    /// A SARIF 2.1.0 log: one result per finding, for code-scanning tools and editors
    Sarif,
    /// A self-contained HTML page: the provisions matrix and every finding with its witness
    Html,
}

#[derive(Args)]
pub struct AnalysisArgs {
    /// Take provisions as in force on this date (YYYY-MM-DD); default: today (UTC)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// How many entries of each list (parties, incidents, …) witnesses and proofs consider
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
    list_bound: u32,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The rulebook: a `.concord` file or the id of an embedded rulebook
    rulebook: String,
    #[command(flatten)]
    options: AnalysisArgs,
}

#[derive(Args)]
pub struct ConflictsArgs {
    /// The first rulebook: a `.concord` file or the id of an embedded rulebook
    left: String,
    /// The second rulebook
    right: String,
    /// A rulebook of mappings that imports both; its claims are checked and used
    #[arg(long)]
    mapping: Option<String>,
    #[command(flatten)]
    options: AnalysisArgs,
}

pub fn run_analyze(args: AnalyzeArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let Some(rulebooks) = compile_all(&mut engine, std::slice::from_ref(&args.rulebook))? else {
        return Ok(EXIT_USAGE);
    };
    let options = options(&args.options);
    let report = analysis::analyze(rulebooks[0].compiled(), options);
    print(&engine, &report, args.options.format)
}

pub fn run_conflicts(args: ConflictsArgs) -> Result<u8> {
    let mut engine = Engine::default();
    let mut specs = vec![args.left.clone(), args.right.clone()];
    specs.extend(args.mapping.clone());
    let Some(rulebooks) = compile_all(&mut engine, &specs)? else {
        return Ok(EXIT_USAGE);
    };
    if rulebooks[0].schema().root != rulebooks[1].schema().root {
        bail!(
            "`{}` and `{}` describe systems with different records; compare rulebooks over one lexicon",
            args.left,
            args.right
        );
    }
    let options = options(&args.options);
    let report = analysis::compare(
        rulebooks[0].compiled(),
        rulebooks[1].compiled(),
        rulebooks.get(2).map(Rulebook::compiled),
        options,
    );
    print(&engine, &report, args.options.format)
}

fn options(args: &AnalysisArgs) -> AnalysisOptions {
    AnalysisOptions { as_of: as_of_or_today(args.as_of), list_bound: args.list_bound }
}

/// Compiles each rulebook; `None` (after printing the errors) when one has errors.
fn compile_all(engine: &mut Engine, specs: &[String]) -> Result<Option<Vec<Rulebook>>> {
    let files: Vec<FileId> = resolve_rulebooks(engine, specs)?;
    let mut out = Vec::new();
    for file in files {
        let diagnostics = engine.diagnostics_with_imports(file);
        if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
            eprint!("{}", render_diagnostics(engine, &diagnostics));
            eprintln!("error: rulebook `{}` has errors; nothing was analysed", engine.path(file));
            return Ok(None);
        }
        out.push(engine.compile(file)?);
    }
    Ok(Some(out))
}

fn print(engine: &Engine, report: &Report, format: ReportFormat) -> Result<u8> {
    let text = match format {
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(report)?;
            text.push('\n');
            text
        }
        ReportFormat::Sarif => analysis::sarif::render_sarif(report)?,
        ReportFormat::Html => analysis::html::render_html(report),
        ReportFormat::Text => analysis::text::render_text(report, &engine.sources()),
    };
    super::write_stdout(&text)?;
    // A witness that does not reproduce is the analyser's own error.
    Ok(if report.unreplayed().next().is_some() { EXIT_FAILED } else { EXIT_OK })
}
