//! The analysis corpus (`tests/analysis/<case>/`, see its README) and the standard library's
//! rulebooks through `concord analyze` and `concord conflicts`. Every finding's witness must
//! reproduce under the evaluator.

use std::path::{Path, PathBuf};
use std::process::Command;

fn concord(args: &[&str]) -> (String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_concord")).args(args).output().expect("run concord");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "concord {args:?} wrote to stderr:\n{stderr}");
    (String::from_utf8(output.stdout).expect("utf-8 output"), output.status.code().unwrap_or(-1))
}

/// Runs the analysis in JSON and asserts every witness reproduced; returns the report.
fn replayed(args: &[&str]) -> serde_json::Value {
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (out, code) = concord(&json_args);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    for finding in report["findings"].as_array().expect("findings") {
        for witness in finding["witnesses"].as_array().map(Vec::as_slice).unwrap_or_default() {
            assert_eq!(witness["replayed"], true, "witness does not reproduce: {finding:#}");
        }
    }
    assert_eq!(code, 0, "concord {args:?} exited {code}");
    report
}

fn case_args(dir: &Path) -> Vec<String> {
    let as_of = std::fs::read_to_string(dir.join("as_of")).expect("as_of file");
    let as_of = as_of.lines().next().unwrap_or_default().trim().to_owned();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let mut args = if dir.join("rulebook.concord").exists() {
        vec!["analyze".to_owned(), path("rulebook.concord")]
    } else if let Ok(sides) = std::fs::read_to_string(dir.join("sides")) {
        // Two embedded rulebooks by id.
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
    args
}

#[test]
fn corpus_cases_match_their_reports_and_every_witness_reproduces() {
    // Relative paths, so the reports name files the same way on every machine (tests run in the
    // package's directory).
    let root = PathBuf::from("tests/analysis");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/analysis")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "the analysis corpus has cases");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for dir in dirs {
        let args = case_args(&dir);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        replayed(&args);
        let (text, _) = concord(&args);
        let expected_path = dir.join("report.txt");
        if update {
            std::fs::write(&expected_path, &text).expect("write report.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{text}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "reports differ (UPDATE_SNAPSHOTS=1 rewrites them):\n{}", failures.join("\n"));
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let root = PathBuf::from("tests/analysis/two_jurisdictions");
    let args = case_args(&root);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args.extend(["--format", "json"]);
    assert_eq!(concord(&args), concord(&args));
}

#[test]
fn every_stdlib_rulebook_analyses_with_reproducing_witnesses() {
    for id in concord_lang::stdlib::STDLIB.iter().map(|(id, ..)| *id) {
        replayed(&["analyze", id, "--as-of", "2028-01-01"]);
    }
}

#[test]
fn eu_ai_act_against_california_sb53() {
    let report = replayed(&["conflicts", "eu.ai_act", "us.ca.sb53", "--as-of", "2027-01-01"]);
    let findings = report["findings"].as_array().expect("findings");
    // California has no redlines: every Art. 5 prohibition in force is a gap on its side.
    let gaps = findings.iter().filter(|finding| finding["kind"] == "gap").count();
    assert!(gaps >= 10, "expected the Art. 5 prohibitions as gaps, got {gaps}");
    assert!(findings.iter().any(|finding| finding["provisions"][0]["name"] == "social_scoring"));
}

#[test]
fn eu_and_california_compute_thresholds_diverge_on_a_band() {
    let report = replayed(&[
        "conflicts",
        "eu.ai_act",
        "us.ca.sb53",
        "--mapping",
        "tests/analysis/eu_ca_compute/mapping.concord",
        "--as-of",
        "2028-01-01",
    ]);
    let findings = report["findings"].as_array().expect("findings");
    // The incident clocks: California's 24-hour imminent-danger disclosure against the EU's 10 days.
    let deadline = findings.iter().find(|finding| finding["kind"] == "deadline").expect("a deadline finding");
    assert_eq!(deadline["provisions"][0]["name"], "imminent_danger_disclosure");
    assert_eq!(deadline["provisions"][1]["name"], "death_incident_report");
    let claim = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["provisions"][0]["kind"] == "claim")
        .expect("the compute claim is a finding");
    // The two count different compute, so neither threshold contains the other.
    assert_eq!(claim["kind"], "wrong-claim");
    assert_eq!(claim["relation"], "overlapping");
    let bands = claim["bands"].to_string();
    assert!(bands.contains("1e25 FLOP") && bands.contains("1e26 FLOP"), "{bands}");
    assert_eq!(claim["witnesses"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["conflicts", "eu.ai_act", "us.ca.sb53", "--as-of", "2027-01-01", "--format", "html"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run concord");
    let mut first = [0u8; 16];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("the report starts");
    // The pipe is closed here, before the report is written out.
    let output = child.wait_with_output().expect("concord ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{stderr}");
    assert_ne!(output.status.code(), Some(101));
}

/// The kinds and first provisions of a case's findings, in report order.
fn findings_of(case: &str) -> Vec<(String, String)> {
    let args = case_args(&PathBuf::from("tests/analysis").join(case));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let report = replayed(&args);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let name = finding["provisions"][0]["name"].as_str().unwrap_or_default().to_owned();
            (finding["kind"].as_str().unwrap_or_default().to_owned(), name)
        })
        .collect()
}

#[test]
fn deadlines_that_can_never_be_met_are_found_and_the_rest_left_alone() {
    let findings = findings_of("deadlines");
    let named = |kind: &str| -> Vec<String> {
        findings.iter().filter(|(k, _)| k == kind).map(|(_, name)| name.clone()).collect()
    };
    assert_eq!(
        named("unmeetable-obligation"),
        ["late_reports_only", "reports_from_the_future", "register_before_market"]
    );
    assert_eq!(named("dead-obligation"), ["future_incidents"]);
    // A deadline that evidence can meet is no finding, and one that depends on a month's length
    // is not decided.
    assert_eq!(findings.len(), 4, "{findings:?}");
    let args = case_args(&PathBuf::from("tests/analysis/deadlines"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let undecided = replayed(&args)["undecided"].clone();
    assert_eq!(undecided[0]["provision"]["name"], "monthly_review", "{undecided:#}");
    assert_eq!(undecided.as_array().map(Vec::len), Some(1));
}

#[test]
fn counterparts_follow_the_mapped_roles_and_incompatible_requirements_are_found() {
    let findings = findings_of("roles_and_requirements");
    let has = |kind: &str, name: &str| findings.iter().any(|(k, n)| k == kind && n == name);
    // `provider` is mapped to `developer`: every provider's scoring system is prohibited on the right.
    assert!(!has("gap", "provider_scoring"), "{findings:?}");
    assert!(has("gap", "developer_scoring"), "{findings:?}");
    // No claim relates deployers to operators: the same condition is a gap both ways, and the
    // right's duty of operators does not conflict with the left's redline on deployers.
    assert!(has("gap", "deployer_emotion") && has("gap", "operator_emotion"), "{findings:?}");
    assert!(!findings.iter().any(|(kind, _)| kind == "conflict"), "{findings:?}");
    // Open weights on the left, closed on the right; registering a model is compatible with both.
    assert!(has("incompatible-requirements", "publish_weights"), "{findings:?}");
    assert!(!has("incompatible-requirements", "register_model"), "{findings:?}");
}
