//! Embedding Concord in a Rust program: load a rulebook, check it, compile it once, then evaluate
//! system descriptions against it as of a date and act on the verdicts.
//!
//! It evaluates two inline descriptions under `examples/ai_rules.concord` and exits non-zero if
//! the rulebook has errors, a description does not load, or a verdict is not the one expected.
//! It does nothing else: no command line, no files besides the rulebook.

use std::process::ExitCode;

use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::{Engine, EvalOptions, Format, RulebookVerdicts};

/// A social-scoring system, placed on the market: its redline must say `prohibited`.
const SOCIAL_SCORER: &str = r#"{
  "name": "CitizenScore",
  "purposes": ["social_scoring"],
  "placed_on_market_on": "2025-06-01",
  "deployment": { "jurisdictions": ["EU"], "publicly_accessible_spaces": false, "real_time": false }
}"#;

/// A CV-screening tool whose provider reported a serious incident on day 15: high-risk, and the
/// incident report obligation is satisfied.
const CV_SCREENER: &str = r#"{
  "name": "HireRank",
  "purposes": ["employment_screening"],
  "parties": [{ "name": "Acme", "develops": true, "markets_under_own_name": true, "uses": false }],
  "incidents": [{ "id": "i1", "aware_at": "2026-09-01", "serious": true }],
  "incident_reports": [{ "incident": "i1", "submitted_on": "2026-09-16" }]
}"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ai_rules.concord");
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read `{path}`: {error}"))?;

    // The engine already holds the standard library, so `import std.lexicon` resolves.
    let mut engine = Engine::default();
    let file = engine.add_source("examples/ai_rules.concord", &text);
    let diagnostics = engine.diagnostics_with_imports(file);
    if !diagnostics.is_empty() {
        let rendered = render(&diagnostics, &engine.sources(), RenderConfig { color: false });
        return Err(format!("the rulebook has diagnostics:\n{rendered}"));
    }
    // Compile once; a `Rulebook` is cheap to clone and can be shared between threads.
    let rulebook = engine.compile(file).map_err(|error| error.to_string())?;
    println!("compiled {}", rulebook.id());

    let as_of = "2026-10-01".parse().map_err(|error| format!("bad date: {error}"))?;
    let options = EvalOptions { explain: true };
    let mut unexpected = Vec::new();
    for (name, json, checks) in [
        ("CitizenScore", SOCIAL_SCORER, &[("redline", "social_scoring", "prohibited")][..]),
        (
            "HireRank",
            CV_SCREENER,
            &[("classification", "risk_tier", "high"), ("obligation", "serious_incident_report", "satisfied")][..],
        ),
    ] {
        let description = rulebook.load_description(json.as_bytes(), Format::Json).map_err(|errors| {
            let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
            format!("{name} does not load: {}", listed.join("; "))
        })?;
        let verdicts = rulebook.evaluate(&description, as_of, options);
        println!("{name} under {} as of {}:", verdicts.rulebook, verdicts.as_of);
        print_verdicts(&verdicts);
        for (kind, provision, expected) in checks {
            let actual = verdict_of(&verdicts, provision).unwrap_or_else(|| "nothing".to_owned());
            if actual != *expected {
                unexpected.push(format!("{name}: {kind} `{provision}` is {actual}, expected {expected}"));
            }
        }
    }
    if !unexpected.is_empty() {
        return Err(unexpected.join("\n"));
    }
    println!("all verdicts as expected");
    Ok(())
}

fn print_verdicts(verdicts: &RulebookVerdicts) {
    for classification in &verdicts.classifications {
        let tier =
            classification.tier.clone().unwrap_or_else(|| format!("one of {}", classification.possible.join(", ")));
        println!("  classification {}: {tier}", classification.classification);
    }
    for redline in &verdicts.redlines {
        println!("  redline {}: {}", redline.redline, redline.verdict.as_str());
    }
    for obligation in &verdicts.obligations {
        println!("  obligation {}: {}", obligation.obligation, obligation.verdict.as_str());
    }
}

/// The verdict of a provision by name, as its word (`prohibited`, `high`, `satisfied`).
fn verdict_of(verdicts: &RulebookVerdicts, provision: &str) -> Option<String> {
    let redline = verdicts.redlines.iter().find(|verdict| verdict.redline == provision);
    let obligation = verdicts.obligations.iter().find(|verdict| verdict.obligation == provision);
    let classification = verdicts.classifications.iter().find(|verdict| verdict.classification == provision);
    match (redline, obligation, classification) {
        (Some(verdict), _, _) => Some(verdict.verdict.as_str().to_owned()),
        (_, Some(verdict), _) => Some(verdict.verdict.as_str().to_owned()),
        (_, _, Some(verdict)) => verdict.tier.clone(),
        _ => None,
    }
}
