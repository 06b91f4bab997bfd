//! `concord analyze` and `concord conflicts` in `--format sarif` and `--format html`, on every case
//! of the analysis corpus and on the EU AI Act against California SB 53: the SARIF log is valid
//! against the official SARIF 2.1.0 schema (`tests/schemas/sarif-2.1.0.json`) and says what the
//! JSON report says; the HTML page is self-contained, deterministic and has every finding.
//! (`tests/html_chromium.rs` loads the page in a browser.)

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn concord(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_concord")).args(args).output().expect("run concord");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "concord {args:?} wrote to stderr:\n{stderr}");
    assert_eq!(output.status.code(), Some(0), "concord {args:?} failed");
    String::from_utf8(output.stdout).expect("utf-8 output")
}

fn with_format<'a>(args: &[&'a str], format: &'a str) -> Vec<&'a str> {
    let mut args = args.to_vec();
    args.extend(["--format", format]);
    args
}

/// Every corpus case's command line, and EU against California through the compute mapping.
fn cases() -> Vec<Vec<String>> {
    let root = PathBuf::from("tests/analysis");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/analysis")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let as_of = std::fs::read_to_string(dir.join("as_of")).expect("as_of");
        let as_of = as_of.lines().next().unwrap_or_default().trim().to_owned();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let mut args = if dir.join("rulebook.concord").exists() {
            vec!["analyze".to_owned(), path("rulebook.concord")]
        } else if let Ok(sides) = std::fs::read_to_string(dir.join("sides")) {
            let mut args = vec!["conflicts".to_owned()];
            args.extend(sides.split_whitespace().map(str::to_owned));
            args
        } else {
            vec!["conflicts".to_owned(), path("left.concord"), path("right.concord")]
        };
        if dir.join("mapping.concord").exists() {
            args.extend(["--mapping".to_owned(), path("mapping.concord")]);
        }
        args.extend(["--as-of".to_owned(), as_of]);
        cases.push(args);
    }
    assert!(cases.len() >= 4, "the analysis corpus has cases");
    cases
}

/// A validator from the official SARIF 2.1.0 schema, asserting formats (`uri`, `uri-reference`,
/// `date-time`).
///
/// The published schema's `language` pattern, `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, has a
/// stray `]`: ECMAScript's legacy syntax reads it as a literal, but `jsonschema` checks patterns
/// as strict ECMAScript regular expressions against the draft-07 meta-schema and refuses to
/// compile the schema. The validator is therefore built from a copy with that one pattern read as
/// meant (`^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`); concord's logs set no `language`, so nothing they
/// contain is judged differently.
fn sarif_validator() -> jsonschema::Validator {
    const PUBLISHED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    const MEANT: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";
    let text = std::fs::read_to_string("tests/schemas/sarif-2.1.0.json").expect("SARIF schema");
    assert_eq!(text.matches(PUBLISHED).count(), 2, "the schema is the published one");
    let schema: Value = serde_json::from_str(&text.replace(PUBLISHED, MEANT)).expect("schema is JSON");
    jsonschema::draft7::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn expected_level(kind: &str) -> &'static str {
    match kind {
        "wrong-claim" | "conflict" | "incompatible-requirements" => "error",
        "redundant-redline" | "unreachable-branch" => "note",
        _ => "warning",
    }
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_matches_the_json_report() {
    let validator = sarif_validator();
    for args in cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let sarif: Value = serde_json::from_str(&concord(&with_format(&args, "sarif"))).expect("SARIF is JSON");
        let errors: Vec<String> =
            validator.iter_errors(&sarif).map(|error| format!("{} at {}", error, error.instance_path())).collect();
        assert!(errors.is_empty(), "concord {args:?} --format sarif is not valid SARIF 2.1.0:\n{}", errors.join("\n"));

        let report: Value = serde_json::from_str(&concord(&with_format(&args, "json"))).expect("JSON report");
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "concord");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), concord_lang::analysis::kinds::FINDING_KINDS.len(), "one rule per kind of finding");
        for rule in rules {
            assert!(rule["helpUri"].as_str().is_some_and(|uri| uri.contains("docs/analysis.md")), "{rule}");
        }
        assert_eq!(run["properties"]["asOf"], report["as_of"]);
        assert_eq!(run["properties"]["rulebooks"], report["rulebooks"]);

        let findings = report["findings"].as_array().expect("findings");
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), findings.len(), "one result per finding for {args:?}");
        for (result, finding) in results.iter().zip(findings) {
            let kind = finding["kind"].as_str().expect("kind");
            assert_eq!(result["ruleId"], kind);
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], kind, "ruleIndex points at the finding's rule");
            assert_eq!(result["level"], expected_level(kind));
            assert_eq!(result["message"]["text"], finding["message"]);
            let provisions = finding["provisions"].as_array().expect("provisions");
            let locations = result["locations"].as_array().expect("locations");
            assert_eq!(locations.len(), provisions.len(), "one location per provision");
            for (location, provision) in locations.iter().zip(provisions) {
                let physical = &location["physicalLocation"];
                assert_eq!(physical["artifactLocation"]["uri"], provision["location"]["file"]);
                assert_eq!(physical["region"]["startLine"], provision["location"]["line"]);
                assert_eq!(physical["region"]["startColumn"], provision["location"]["column"]);
                assert_eq!(location["logicalLocations"][0]["name"], provision["name"]);
                assert_eq!(location["logicalLocations"][0]["kind"], provision["kind"]);
                if let Some(citations) = provision.get("citations") {
                    assert_eq!(&location["properties"]["citations"], citations);
                }
            }
            let witnesses = finding.get("witnesses").cloned().unwrap_or(Value::Null);
            assert_eq!(result["properties"].get("witnesses").cloned().unwrap_or(Value::Null), witnesses);
            assert_eq!(result["properties"].get("bands"), finding.get("bands"));
        }
        let undecided = report["undecided"].as_array().expect("undecided");
        let notifications = run["invocations"][0]["toolExecutionNotifications"].as_array().expect("notifications");
        assert_eq!(notifications.len(), undecided.len(), "one notification per undecided item");
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }
}

#[test]
fn sarif_of_the_eu_ai_act_against_california_has_errors_and_warnings() {
    let sarif: Value = serde_json::from_str(&concord(&[
        "conflicts",
        "eu.ai_act",
        "us.ca.sb53",
        "--mapping",
        "tests/analysis/eu_ca_compute/mapping.concord",
        "--as-of",
        "2027-01-01",
        "--format",
        "sarif",
    ]))
    .expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let claim = results.iter().find(|result| result["ruleId"] == "wrong-claim").expect("the compute claim");
    assert_eq!(claim["level"], "error");
    assert_eq!(claim["properties"]["relation"], "overlapping");
    assert_eq!(claim["properties"]["witnesses"].as_array().map(Vec::len), Some(2));
    let gap = results
        .iter()
        .find(|result| result["locations"][0]["logicalLocations"][0]["name"] == "social_scoring")
        .expect("social scoring is a gap");
    assert_eq!(gap["level"], "warning");
    assert_eq!(gap["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "std/eu_ai_act.concord");
    assert!(gap["locations"][0]["properties"]["citations"].to_string().contains("Art. 5(1)(c)"));
    // Every provision of both is decided: no notification.
    let notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().expect("n");
    assert_eq!(notifications.len(), 0, "{notifications:#?}");
}

/// A provision the analyser does not decide is a tool notification (level `note`) with its
/// reason and location, not a result.
#[test]
fn sarif_notifies_what_is_not_decided() {
    let sarif: Value = serde_json::from_str(&concord(&[
        "analyze",
        "tests/analysis/products_and_differences/rulebook.concord",
        "--as-of",
        "2026-11-27",
        "--format",
        "sarif",
    ]))
    .expect("SARIF");
    let notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().expect("n");
    let undecided = notifications
        .iter()
        .find(|n| n["locations"][0]["logicalLocations"][0]["name"] == "two_fact_difference")
        .expect("the difference of two facts is not decided");
    assert_eq!(undecided["level"], "note");
    assert!(
        undecided["message"]["text"].to_string().contains("a difference of two facts is not decided"),
        "{undecided:#}"
    );
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().all(|result| result["locations"][0]["logicalLocations"][0]["name"] != "two_fact_difference")
    );
}

#[test]
fn html_is_self_contained_deterministic_and_has_every_finding() {
    for args in cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let html = concord(&with_format(&args, "html"));
        assert_eq!(html, concord(&with_format(&args, "html")), "the same inputs give the same bytes");
        assert!(html.starts_with("<!DOCTYPE html>"), "{args:?}");
        for external in ["<link", " src=", "http://", "@import", "url("] {
            assert!(!html.contains(external), "{args:?}: the page loads nothing from outside ({external})");
        }
        let report: Value = serde_json::from_str(&concord(&with_format(&args, "json"))).expect("JSON report");
        let findings = report["findings"].as_array().expect("findings");
        assert_eq!(html.matches("<details class=\"finding ").count(), findings.len(), "{args:?}");
        for (index, finding) in findings.iter().enumerate() {
            let id = format!("id=\"finding-{}\"", index + 1);
            assert!(html.contains(&id), "{args:?}: {id}");
            let kind = finding["kind"].as_str().expect("kind");
            assert!(html.contains(&format!("data-kind=\"{kind}\"")));
        }
        let undecided = report["undecided"].as_array().expect("undecided");
        assert_eq!(html.matches("<li class=\"undecided\">").count(), undecided.len(), "{args:?}");
    }
}
