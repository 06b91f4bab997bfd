//! End-to-end tests of the `concord` binary: exit codes, output formats, batches with bad records,
//! determinism, and hostile descriptions that must give a clear error (exit 3), never a panic
//! (exit 101) or a hang.
//!
//! Every run has a time limit and runs from the repository root unless a test says otherwise.
//! Scratch files live under cargo's per-target temporary directory. This file knows the command
//! line and the documented exit codes, not the library.

#[path = "support/run.rs"]
mod run;

use std::path::{Path, PathBuf};

use run::{Run, concord, concord_in, concord_with_stdin, scratch};

const RULES: &str = "examples/ai_rules.concord";
const SOCIAL_SCORER: &str = "examples/systems/social_scorer.yaml";

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

const BROKEN_RULEBOOK: &str = r#"rulebook cli.broken { title "broken" }
import std.lexicon

term big = system.model.trainig_compute.pretraining > 1e25 FLOP
"#;

// ----- concord check ----------------------------------------------------------------------------

#[test]
fn check_clean_rulebook_exits_0() {
    let run = concord(&["check", RULES]);
    run.assert_code(0);
    assert!(run.stderr.contains("0 errors"), "{run}");
}

#[test]
fn check_rulebook_with_errors_exits_1_and_names_file_line_and_column() {
    let dir = scratch("check_errors");
    let file = write(&dir, "broken.concord", BROKEN_RULEBOOK.as_bytes());
    let run = concord(&["check", path_arg(&file)]);
    run.assert_code(1);
    assert!(run.stderr.contains("unknown-field"), "{run}");
    assert!(run.stderr.contains("broken.concord:4:25"), "{run}");
    assert!(run.stderr.contains("did you mean `training_compute`?"), "{run}");
}

#[test]
fn check_missing_file_exits_2() {
    let run = concord(&["check", "no/such/rules.concord"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no such file"), "{run}");
}

#[test]
fn check_json_lists_diagnostics_with_codes() {
    let dir = scratch("check_json");
    let file = write(&dir, "broken.concord", BROKEN_RULEBOOK.as_bytes());
    let run = concord(&["check", path_arg(&file), "--format", "json"]);
    run.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["diagnostics"][0]["code"], "unknown-field", "{run}");
}

#[test]
fn a_bare_file_name_in_the_current_directory_is_loaded_once() {
    // Regression: `rules.concord` and its sibling `./rules.concord` were loaded as two files, so
    // the rulebook id was reported as declared twice.
    let dir = scratch("bare_name");
    write(&dir, "rules.concord", b"rulebook cli.bare { title \"bare\" }\nimport std.lexicon\n");
    write(&dir, "system.json", br#"{"purposes": []}"#);
    concord_in(&dir, &["check", "rules.concord"]).assert_code(0);
    concord_in(&dir, &["check", "./rules.concord"]).assert_code(0);
    concord_in(&dir, &["test", "rules.concord"]).assert_code(0);
    concord_in(&dir, &["eval", "--rulebook", "rules.concord", "system.json", "--as-of", "2026-01-01"]).assert_code(0);
}

// ----- concord eval -----------------------------------------------------------------------------

#[test]
fn eval_exits_0_and_prints_the_date() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--as-of", "2026-01-10"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("as of 2026-01-10\n"), "{run}");
    assert!(run.stdout.contains("redline social_scoring"), "{run}");
    assert!(run.stdout.contains("prohibited  [Art. 5(1)(c)]"), "{run}");
}

#[test]
fn eval_json_carries_the_date_and_schema_version() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--as-of", "2026-01-10", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["as_of"], "2026-01-10");
    assert_eq!(json["rulebooks"][0]["id"], "demo.ai_rules");
    assert!(json["rulebooks"][0]["content_hash"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(json["descriptions"][0]["verdicts"][0]["as_of"], "2026-01-10");
}

#[test]
fn eval_deny_prohibited_exits_1() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--as-of", "2026-01-10", "--deny", "prohibited"]);
    run.assert_code(1);
    assert!(run.stderr.contains("--deny prohibited"), "{run}");
}

#[test]
fn eval_deny_that_matches_nothing_exits_0() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--as-of", "2026-01-10", "--deny", "violated"]);
    run.assert_code(0);
}

#[test]
fn eval_deny_with_an_unknown_verdict_exits_2() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--deny", "forbidden"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a verdict"), "{run}");
}

#[test]
fn eval_unknown_rulebook_id_exits_2() {
    let run = concord(&["eval", "--rulebook", "no.such.rulebook", SOCIAL_SCORER]);
    run.assert_code(2);
    assert!(run.stderr.contains("no rulebook `no.such.rulebook`"), "{run}");
    // The embedded rulebooks are listed, so the reader sees what can be given.
    assert!(run.stderr.contains("eu.ai_act, us.ca.sb53"), "{run}");
}

#[test]
fn eval_misspelt_rulebook_id_suggests_the_embedded_one() {
    let run = concord(&["eval", "--rulebook", "eu.ai_actt", SOCIAL_SCORER]);
    run.assert_code(2);
    assert!(run.stderr.contains("no rulebook `eu.ai_actt`; did you mean `eu.ai_act`?"), "{run}");
}

#[test]
fn eval_of_a_mapping_rulebook_says_it_gives_no_verdicts_and_where_its_claims_are_read() {
    let run = concord(&["eval", "--rulebook", "map.eu_ai_act.kr_ai_basic_act", SOCIAL_SCORER, "--as-of", "2026-06-01"]);
    run.assert_code(0);
    assert!(run.stderr.contains("declares no classification, redline or obligation"), "{run}");
    assert!(run.stderr.contains("--mapping map.eu_ai_act.kr_ai_basic_act"), "{run}");
}

#[test]
fn eval_of_one_unreadable_description_does_not_speak_of_others() {
    let dir = scratch("eval_one_bad");
    let file = write(&dir, "bad.json", br#"{"model": {"general_purpose": "yes"}}"#);
    let run = concord(&["eval", "--rulebook", RULES, path_arg(&file)]);
    run.assert_code(3);
    assert!(run.stderr.contains("error: the description could not be read"), "{run}");
    assert!(!run.stderr.contains("the other"), "{run}");
}

#[test]
fn eval_text_names_who_owes_a_duty_and_qualifies_instances_of_an_undetermined_one() {
    let dir = "tests/corpus/eval/obligation_deadlines";
    let system = format!("{dir}/systems/undetermined_when_provider_facts_are_unknown.json");
    let rulebook = format!("{dir}/rulebook.concord");
    let run = concord(&["eval", "-r", &rulebook, &system, "--as-of", "2026-12-01"]);
    run.assert_code(0);
    // Whether Acme is the provider depends on a fact the description leaves out, so the duty is
    // undetermined, and the instance's "violated" holds only if it applies.
    assert!(run.stdout.contains("      owed by provider: possibly Acme\n"), "{run}");
    assert!(run.stdout.contains("      $.incidents[0]: violated if the duty applies, due 2026-09-16\n"), "{run}");
}

/// Runs `concord ARGS` with its standard output closed before it writes anything, as `| head`
/// does when it has read enough: the command must end quietly, not panic or report an error.
fn run_into_a_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .current_dir(run::repo_root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closing the reading end at once: loading the rulebook takes the child far longer than this.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_in_every_command() {
    let explain = ["explain", "-r", "eu.ai_act", "risk_management_system", "examples/systems/cv_screener.yaml"];
    let eval_json = ["eval", "-r", "eu.ai_act", "examples/systems/cv_screener.yaml", "--format", "json"];
    let eval_text = ["eval", "-r", "eu.ai_act", "examples/systems/cv_screener.yaml"];
    let test = ["test", "examples/ai_rules.concord"];
    let coverage = ["coverage", "--stdlib"];
    for args in [&explain[..], &eval_json, &eval_text, &test, &coverage] {
        let (code, stderr) = run_into_a_closed_pipe(args);
        assert_eq!(code, Some(0), "concord {}: {stderr}", args.join(" "));
        assert!(stderr.is_empty(), "concord {}: {stderr}", args.join(" "));
    }
}

#[test]
fn eval_under_a_rulebook_with_errors_exits_2_and_shows_them() {
    let dir = scratch("eval_broken_rulebook");
    let file = write(&dir, "broken.concord", BROKEN_RULEBOOK.as_bytes());
    let run = concord(&["eval", "--rulebook", path_arg(&file), SOCIAL_SCORER]);
    run.assert_code(2);
    assert!(run.stderr.contains("unknown-field"), "{run}");
    assert!(run.stderr.contains("nothing was evaluated"), "{run}");
}

#[test]
fn eval_missing_description_exits_2() {
    let run = concord(&["eval", "--rulebook", RULES, "no/such/system.json"]);
    run.assert_code(2);
}

#[test]
fn eval_description_with_an_unknown_extension_exits_2() {
    let dir = scratch("eval_extension");
    let file = write(&dir, "system.toml", b"name = 'x'\n");
    let run = concord(&["eval", "--rulebook", RULES, path_arg(&file)]);
    run.assert_code(2);
    assert!(run.stderr.contains(".json"), "{run}");
}

#[test]
fn eval_batch_with_a_bad_description_exits_3_and_evaluates_the_others() {
    let dir = scratch("eval_batch");
    write(&dir, "a_good.yaml", &std::fs::read(SOCIAL_SCORER).unwrap());
    write(&dir, "b_bad.json", br#"{"purposes": ["social_scoring"], "model": {"general_purpose": "yes"}}"#);
    write(&dir, "c_good.json", br#"{"purposes": ["credit_scoring"]}"#);
    let run = concord(&["eval", "--rulebook", RULES, path_arg(&dir), "--as-of", "2026-01-10"]);
    run.assert_code(3);
    assert!(run.stdout.contains("b_bad.json\n  error: $.model.general_purpose: expected true or false"), "{run}");
    assert!(run.stdout.contains("a_good.yaml\n  under demo.ai_rules"), "{run}");
    assert!(run.stdout.contains("c_good.json\n  under demo.ai_rules"), "{run}");
    assert!(run.stderr.contains("1 description(s) could not be read; the other 2 were evaluated"), "{run}");

    let run = concord(&["eval", "--rulebook", RULES, path_arg(&dir), "--as-of", "2026-01-10", "--format", "json"]);
    run.assert_code(3);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let descriptions = json["descriptions"].as_array().unwrap();
    assert_eq!(descriptions.len(), 3);
    assert!(descriptions[0]["verdicts"].is_array());
    assert_eq!(descriptions[1]["errors"][0]["path"], "$.model.general_purpose");
    assert!(descriptions[1]["description"].as_str().unwrap().ends_with("b_bad.json"));
    assert!(descriptions[2]["verdicts"].is_array());
}

#[test]
fn eval_jsonl_on_stdin_reports_the_malformed_line_and_goes_on() {
    let input = b"{\"purposes\": [\"social_scoring\"]}\n{\"purposes\": [\n\n{\"purposes\": []}\n";
    let run =
        concord_with_stdin(&["eval", "--rulebook", RULES, "-", "--as-of", "2026-01-10", "--format", "jsonl"], input);
    run.assert_code(3);
    let lines: Vec<serde_json::Value> = run.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{run}");
    assert_eq!(lines[0]["description"], "<stdin>:1");
    assert_eq!(lines[0]["verdicts"][0]["redlines"][0]["verdict"], "prohibited");
    assert_eq!(lines[1]["description"], "<stdin>:2");
    assert_eq!(lines[1]["errors"][0]["path"], "$");
    // The blank line 3 is skipped, and the line after it keeps its own number.
    assert_eq!(lines[2]["description"], "<stdin>:4");
    assert_eq!(lines[2]["verdicts"][0]["redlines"][0]["verdict"], "not_prohibited");
    assert_eq!(lines[2]["as_of"], "2026-01-10");
}

#[test]
fn eval_batch_larger_than_a_chunk_keeps_input_order_on_every_core() {
    // 1,300 records: more than two chunks of parallel evaluation, with one bad record in the middle.
    let mut input = String::new();
    for line in 1..=1_300 {
        match line {
            700 => input.push_str("{\"purposes\": \"not a set\"}\n"),
            _ if line % 2 == 0 => input.push_str("{\"purposes\": [\"social_scoring\"]}\n"),
            _ => input.push_str("{\"purposes\": []}\n"),
        }
    }
    let run = concord_with_stdin(
        &["eval", "--rulebook", RULES, "-", "--as-of", "2026-01-10", "--format", "jsonl"],
        input.as_bytes(),
    );
    run.assert_code(3);
    let lines: Vec<serde_json::Value> = run.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1_300);
    for (idx, line) in lines.iter().enumerate() {
        let number = idx + 1;
        assert_eq!(line["description"], format!("<stdin>:{number}"));
        match number {
            700 => assert_eq!(line["errors"][0]["path"], "$.purposes"),
            _ if number % 2 == 0 => assert_eq!(line["verdicts"][0]["redlines"][0]["verdict"], "prohibited"),
            _ => assert_eq!(line["verdicts"][0]["redlines"][0]["verdict"], "not_prohibited"),
        }
    }
    // Nothing but the summary reaches stderr when it is not a terminal: no progress line.
    assert!(!run.stderr.contains("descriptions evaluated"), "{run}");
}

#[test]
fn eval_stops_at_a_missing_input_after_writing_every_description_before_it() {
    // Reading, evaluating and writing overlap; an input that cannot be read still comes after
    // every result read before it, as in a plain loop.
    let dir = scratch("eval_missing_input");
    let mut input = String::new();
    for _ in 0..1_100 {
        input.push_str("{\"purposes\": [\"social_scoring\"]}\n");
    }
    let stream = write(&dir, "many.jsonl", input.as_bytes());
    let missing = dir.join("missing.json");
    let run = concord(&[
        "eval",
        "--rulebook",
        RULES,
        path_arg(&stream),
        path_arg(&missing),
        "--as-of",
        "2026-01-10",
        "--format",
        "jsonl",
    ]);
    run.assert_code(2);
    assert_eq!(run.stdout.lines().count(), 1_100, "{run}");
    assert!(run.stderr.contains("no such file or directory"), "{run}");
}

#[test]
fn eval_jsonl_record_with_a_wrong_type_names_its_json_path() {
    let input = b"{\"incidents\": [{\"id\": \"i1\", \"aware_at\": \"yesterday\", \"serious\": true}]}\n";
    let run = concord_with_stdin(&["eval", "--rulebook", RULES, "--as-of", "2026-01-10", "--format", "jsonl"], input);
    run.assert_code(3);
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(line["description"], "<stdin>:1");
    assert_eq!(line["errors"][0]["path"], "$.incidents[0].aware_at");
}

#[test]
fn eval_twice_gives_the_same_bytes() {
    let args = ["eval", "--rulebook", RULES, "examples/systems", "--as-of", "2026-09-01", "--format", "json"];
    let first = concord(&args);
    let second = concord(&args);
    assert_eq!(first.code, second.code);
    assert!(!first.stdout.is_empty());
    assert_eq!(first.stdout, second.stdout);
    let text_args = ["eval", "--rulebook", RULES, "examples/systems", "--as-of", "2026-09-01", "--explain"];
    assert_eq!(concord(&text_args).stdout, concord(&text_args).stdout);
}

#[test]
fn eval_with_a_bad_as_of_exits_2() {
    let run = concord(&["eval", "--rulebook", RULES, SOCIAL_SCORER, "--as-of", "2026-02-30"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a date"), "{run}");
}

/// Hostile descriptions: each is refused with a message that names the problem, exit 3.
#[test]
fn hostile_descriptions_give_a_clear_error_and_exit_3() {
    let dir = scratch("hostile");
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\": ".repeat(100_000), "}".repeat(100_000));
    let deep_yaml = format!("name: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let mut laughs = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut previous = 'a';
    for name in 'b'..='j' {
        let refs = vec![format!("*{previous}"); 9].join(",");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    laughs.push_str("name: *j\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.json", Vec::new(), "description is empty"),
        ("blank.yaml", b"  \n\n".to_vec(), "description is empty"),
        ("not_utf8.json", b"{\"name\": \"\xff\xfe\"}".to_vec(), "not valid UTF-8"),
        ("not_utf8.yaml", b"name: \xc3\x28\n".to_vec(), "not valid UTF-8"),
        ("deep.json", deep_json.into_bytes(), "recursion limit"),
        ("deep_object.json", deep_object.into_bytes(), "recursion limit"),
        ("deep.yaml", deep_yaml.into_bytes(), "recursion limit"),
        ("laughs.yaml", laughs.into_bytes(), "alias"),
        ("huge_number.json", br#"{"model": {"training_compute": {"pretraining": 1e400}}}"#.to_vec(), "out of range"),
        (
            "huge_integer.json",
            format!(r#"{{"parties": [{{"name": "a", "employees": {}}}]}}"#, "9".repeat(400)).into_bytes(),
            "out of range",
        ),
        (
            "wrong_types.json",
            br#"{"purposes": "social_scoring", "interacts_with_people": "yes"}"#.to_vec(),
            "$.interacts_with_people",
        ),
        ("top_level_list.json", b"[1, 2, 3]".to_vec(), "expected a `System` object"),
        ("duplicate_keys.json", br#"{"name": "a", "name": "b"}"#.to_vec(), "more than once"),
        ("truncated.json", br#"{"purposes": ["social_scoring""#.to_vec(), "invalid JSON"),
        ("two_documents.yaml", b"name: a\n---\nname: b\n".to_vec(), "$"),
        ("nan.yaml", b"parties: [{name: a, employees: .nan}]\n".to_vec(), "$.parties[0].employees"),
    ];
    for (name, contents, expected) in cases {
        let file = write(&dir, name, &contents);
        let run = concord(&["eval", "--rulebook", RULES, path_arg(&file), "--as-of", "2026-01-10"]);
        assert_eq!(run.code, 3, "{name}: expected exit 3\n{run}");
        assert!(run.stdout.contains(&format!("{name}\n  error: ")), "{name}: no error line\n{run}");
        assert!(run.stdout.contains(expected), "{name}: expected `{expected}` in the error\n{run}");
        assert!(!run.stderr.contains("internal error"), "{name}\n{run}");
    }
}

#[test]
fn hostile_jsonl_records_give_errors_and_the_batch_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)).as_bytes());
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(b"{\"purposes\": [\"social_scoring\"]}\n");
    let run = concord_with_stdin(&["eval", "--rulebook", RULES, "--as-of", "2026-01-10", "--format", "jsonl"], &input);
    run.assert_code(3);
    let lines: Vec<serde_json::Value> = run.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{run}");
    assert!(lines[0]["errors"][0]["message"].as_str().unwrap().contains("recursion limit"));
    assert!(lines[1]["errors"][0]["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[2]["verdicts"][0]["redlines"][0]["verdict"], "prohibited");
}

// ----- concord test and explain ------------------------------------------------------------------

#[test]
fn test_with_a_failing_example_exits_1_and_shows_expected_and_actual() {
    let dir = scratch("test_failing");
    let file = write(
        &dir,
        "failing.concord",
        br#"rulebook cli.failing { title "failing" }
import std.lexicon
redline scoring {
  cite "Art. 5"
  forbids use
  when system.purposes contains social_scoring
}
example "a credit scorer is wrongly expected to be prohibited" {
  as_of 2026-01-01
  system { purposes: [credit_scoring] }
  expect scoring is prohibited
}
"#,
    );
    let run = concord(&["test", path_arg(&file)]);
    run.assert_code(1);
    assert!(run.stdout.contains("FAILED"), "{run}");
    assert!(run.stdout.contains("scoring: expected prohibited, got not_prohibited"), "{run}");
    assert!(run.stdout.contains("examples: 0 passed, 1 failed"), "{run}");
}

#[test]
fn test_checks_the_due_instant_of_a_clock_in_hours() {
    let dir = scratch("test_due_instant");
    let file = write(
        &dir,
        "hours.concord",
        br#"rulebook cli.hours { title "hours" }
import std.lexicon
obligation rapid_report {
  cite "Art. 73(4)"
  requires use
  for each incident in system.incidents
  evidence report in system.incident_reports where report.incident == incident.id
  dated report.submitted_at
  due within 72 hours of incident.detected_at
}
example "due three days after detection, to the second" {
  as_of 2026-09-02
  system {
    incidents: [{ id: "i1", aware_at: 2026-09-01, detected_at: 2026-09-01T10:30:00Z, serious: true }]
    incident_reports: []
  }
  expect rapid_report is pending due 2026-09-04T10:30:00Z
}
example "a wrong instant fails" {
  as_of 2026-09-02
  system {
    incidents: [{ id: "i1", aware_at: 2026-09-01, detected_at: 2026-09-01T10:30:00Z, serious: true }]
    incident_reports: []
  }
  expect rapid_report is pending due 2026-09-04T10:00:00Z
}
"#,
    );
    let run = concord(&["test", path_arg(&file)]);
    run.assert_code(1);
    assert!(run.stdout.contains("examples: 1 passed, 1 failed"), "{run}");
    assert!(
        run.stdout.contains("expected pending due 2026-09-04T10:00:00Z, got pending due 2026-09-04T10:30:00Z"),
        "{run}"
    );
}

#[test]
fn test_of_a_rulebook_with_errors_exits_1() {
    let dir = scratch("test_broken");
    let file = write(&dir, "broken.concord", BROKEN_RULEBOOK.as_bytes());
    let run = concord(&["test", path_arg(&file)]);
    run.assert_code(1);
    assert!(run.stdout.contains("has errors"), "{run}");
}

#[test]
fn explain_prints_the_verdict_its_reasons_and_citation() {
    let run = concord(&["explain", "--rulebook", RULES, "social_scoring", SOCIAL_SCORER, "--as-of", "2026-01-10"]);
    run.assert_code(0);
    assert!(run.stdout.contains("redline `social_scoring` — prohibited"), "{run}");
    assert!(run.stdout.contains("because condition `system.purposes contains social_scoring` is true"), "{run}");
    assert!(run.stdout.contains("cited: Art. 5(1)(c)"), "{run}");
    assert!(run.stdout.contains("examples/ai_rules.concord:"), "{run}");
}

#[test]
fn explain_names_the_evidence_an_instance_lacks_instead_of_its_path() {
    let dir = scratch("explain_evidence");
    let file = write(
        &dir,
        "foreign.yaml",
        br#"deployment: { jurisdictions: [KR] }
parties:
  - { name: ForeignA, develops: true, markets_under_own_name: true, uses: false, establishments: [US],
      korea_average_daily_users: 1000000 }
documents: []
"#,
    );
    let run = concord(&[
        "explain",
        "-r",
        "kr.ai_basic_act",
        "domestic_representative",
        path_arg(&file),
        "--as-of",
        "2026-06-01",
    ]);
    run.assert_code(0);
    assert!(run.stdout.contains("obligation `domestic_representative` — violated"), "{run}");
    assert!(
        run.stdout
            .contains("because no `domestic_representative_designation` document in `system.documents`: violated\n"),
        "{run}"
    );
    assert!(!run.stdout.contains("because $"), "{run}");
}

#[test]
fn explain_an_unknown_provision_suggests_one_and_exits_2() {
    let run = concord(&["explain", "--rulebook", RULES, "social_scorin", SOCIAL_SCORER, "--as-of", "2026-01-10"]);
    run.assert_code(2);
    assert!(run.stderr.contains("did you mean `social_scoring`?"), "{run}");
}

#[test]
fn explain_a_bad_description_exits_3() {
    let dir = scratch("explain_bad");
    let file = write(&dir, "bad.json", br#"{"purposes": 3}"#);
    let run = concord(&["explain", "--rulebook", RULES, "social_scoring", path_arg(&file)]);
    run.assert_code(3);
    assert!(run.stderr.contains("$.purposes"), "{run}");
}

// ----- help -------------------------------------------------------------------------------------

#[test]
fn help_of_every_subcommand_exits_0() {
    for args in [
        &["--help"][..],
        &["help"],
        &["--version"],
        &["check", "--help"],
        &["eval", "--help"],
        &["test", "--help"],
        &["explain", "--help"],
        &["help", "eval"],
    ] {
        let run = concord(args);
        assert_eq!(run.code, 0, "{args:?}\n{run}");
        assert!(run.stdout.contains("concord"), "{args:?}\n{run}");
    }
}

#[test]
fn an_unknown_subcommand_exits_2() {
    concord(&["frobnicate"]).assert_code(2);
}

impl Run {
    fn assert_code(&self, code: i32) {
        assert_eq!(self.code, code, "unexpected exit code\n{self}");
    }
}
