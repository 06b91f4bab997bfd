//! No input makes the library panic: random text, mutations of the real rulebooks, and random
//! descriptions all go through the whole pipeline (`add_source` → diagnostics → rendering →
//! `compile` → examples; loading → evaluation → JSON) and come out as values.
//!
//! Case counts keep the file under about 20 seconds in a debug build on two cores. The properties
//! run on a 2 MiB stack, as spawned threads have ([`PROPERTY_STACK`]). This file knows the
//! embedder's API only.

use std::process::Command;

use concord_lang::diagnostics::render::{RenderConfig, render};
use concord_lang::{Engine, EvalOptions, Format, Rulebook};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const AI_RULES: &str = include_str!("../../examples/ai_rules.concord");
const LEXICON: &str = include_str!("../../stdlib/lexicon.concord");
const AI_RULES_PATH: &str = "examples/ai_rules.concord";
const LEXICON_PATH: &str = "std/lexicon.concord";

/// The 2 MiB of a spawned thread: deep items must be checked there too.
const PROPERTY_STACK: usize = 2 << 20;

/// Words, operators and fragments that make mutations look like Concord, so they reach the
/// checker rather than stopping at the lexer.
const TOKENS: &[&str] = &[
    "rulebook",
    "import",
    "std.lexicon",
    "as",
    "term",
    "role",
    "redline",
    "obligation",
    "classification",
    "mapping",
    "example",
    "record",
    "enum",
    "unit",
    "act",
    "cite",
    "status",
    "binding",
    "guidance",
    "unsure",
    "applies",
    "from",
    "until",
    "forbids",
    "requires",
    "by",
    "when",
    "unless",
    "for",
    "each",
    "in",
    "where",
    "evidence",
    "dated",
    "due",
    "within",
    "of",
    "before",
    "without undue delay",
    "tier",
    "otherwise",
    "as_of",
    "system",
    "expect",
    "is",
    "one of",
    "and",
    "or",
    "not",
    "true",
    "false",
    "some",
    "every",
    "satisfies",
    "contains",
    "intersects",
    "present",
    "absent",
    "system.model.training_compute.pretraining",
    "system.purposes",
    "system.incidents",
    "incident.aware_at",
    "provider",
    "risk_tier",
    "social_scoring",
    "total_training_compute",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "\"",
    "\"Art. 5\"",
    "//",
    "///",
    "\n",
    " ",
    "1e25",
    "FLOP",
    "EFLOP",
    "15 days",
    "72 hours",
    "3 months",
    "2025-02-02",
    "2025-02-30",
    "2026-09-01T10:00:00Z",
    "1e400",
    "99999999999999999999999999999",
    "0",
    "-1",
    "§",
    "é",
    "\t",
    "_",
    "x",
];

#[test]
fn random_text_never_panics() {
    let text = || {
        prop_oneof![
            "\\PC{0,300}",
            prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|tokens| tokens.join(" ")),
            prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|tokens| format!(
                "rulebook fuzz.rules {{ title \"x\" }}\nimport std.lexicon\n{}",
                tokens.join(" ")
            )),
        ]
    };
    run_property(256, text, |text| exercise_rules(&text, None));
}

#[test]
fn mutated_demo_rulebook_never_panics() {
    run_property(200, || mutations(AI_RULES), |text| exercise_rules(&text, None));
}

#[test]
fn mutated_lexicon_never_panics() {
    run_property(120, || mutations(LEXICON), |text| exercise_rules(AI_RULES, Some(&text)));
}

#[test]
fn random_json_descriptions_never_panic() {
    let rulebook = demo_rulebook();
    run_property(512, || (json_value(), date()), move |(value, as_of)| exercise_description(&rulebook, &value, as_of));
}

#[test]
fn mutated_valid_descriptions_never_panic() {
    let rulebook = demo_rulebook();
    let base: serde_json::Value = serde_json::from_str(BASE_SYSTEM).unwrap();
    assert!(rulebook.description_from_json(&base).is_ok(), "the base system must load");
    run_property(
        256,
        || (prop::collection::vec(json_edit(), 1..6), date()),
        move |(edits, as_of)| {
            let mut value = base.clone();
            for edit in &edits {
                edit.apply(&mut value);
            }
            exercise_description(&rulebook, &value, as_of);
        },
    );
}

#[test]
fn random_description_bytes_never_panic() {
    let rulebook = demo_rulebook();
    let bytes = || {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(prop::sample::select(DESCRIPTION_TOKENS), 0..60)
                .prop_map(|parts| parts.concat().into_bytes()),
        ]
    };
    run_property(384, bytes, move |bytes| {
        for format in [Format::Json, Format::Yaml] {
            if let Ok(description) = rulebook.load_description(&bytes, format) {
                let verdicts =
                    rulebook.evaluate(&description, jiff::civil::date(2026, 9, 1), EvalOptions { explain: true });
                serde_json::to_string(&verdicts).unwrap();
            }
        }
    });
}

#[test]
fn nesting_at_the_limit_checks_on_a_main_thread_stack() {
    for depth in [1, 24, 64] {
        let source = nested_rulebook(depth);
        on_stack(PROPERTY_STACK, move || {
            let mut engine = Engine::default();
            let file = engine.add_source("deep.concord", &source);
            assert_eq!(engine.diagnostics(file), vec![], "depth {depth}");
            engine.compile(file).unwrap();
        });
    }
}

#[test]
fn deep_nesting_within_the_limit_is_checked_on_a_small_stack() {
    const CHILD: &str = "CONCORD_NO_PANIC_DEEP_CHILD";
    if std::env::var_os(CHILD).is_some() {
        // In the child: check an item nested 64 deep (the language's limit) on a 2 MiB thread.
        let source = nested_rulebook(64);
        on_stack(2 << 20, move || {
            let mut engine = Engine::default();
            let file = engine.add_source("deep.concord", &source);
            let _ = engine.diagnostics(file);
        });
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "deep_nesting_within_the_limit_is_checked_on_a_small_stack",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Parsing and checking grow the stack when little remains (`with_enough_stack`), so an item
    // nested to the language's limit is checked on a 2 MiB thread (as a language server's
    // requests and test threads have) without overflowing it.
    assert!(output.status.success(), "{stderr}");
}

// ----- The pipeline under test -------------------------------------------------------------------

fn exercise_rules(rules: &str, lexicon: Option<&str>) {
    let mut engine = Engine::default();
    if let Some(lexicon) = lexicon {
        engine.add_source(LEXICON_PATH, lexicon);
    }
    let file = engine.add_source(AI_RULES_PATH, rules);
    let diagnostics = engine.diagnostics_with_imports(file);
    let rendered = render(&diagnostics, &engine.sources(), RenderConfig { color: false });
    serde_json::to_string(&diagnostics).unwrap();
    for diagnostic in &diagnostics {
        assert!(!diagnostic.message.is_empty(), "a diagnostic without a message: {diagnostic:?}");
        assert!(diagnostic.primary().is_some(), "a diagnostic without a label: {diagnostic:?}");
    }
    assert!(diagnostics.is_empty() || !rendered.is_empty());
    if let Ok(rulebook) = engine.compile(file) {
        let _ = rulebook.run_examples();
    }
}

fn exercise_description(rulebook: &Rulebook, value: &serde_json::Value, as_of: jiff::civil::Date) {
    let Ok(description) = rulebook.description_from_json(value) else { return };
    for explain in [true, false] {
        let verdicts = rulebook.evaluate(&description, as_of, EvalOptions { explain });
        serde_json::to_string(&verdicts).unwrap();
    }
    let text = serde_json::to_vec(value).unwrap();
    let from_text = rulebook.load_description(&text, Format::Json);
    assert!(from_text.is_ok(), "a value that loads must load from its own JSON text: {from_text:?}");
}

fn demo_rulebook() -> Rulebook {
    let mut engine = Engine::default();
    let file = engine.add_source(AI_RULES_PATH, AI_RULES);
    engine.compile(file).unwrap()
}

fn nested_rulebook(depth: usize) -> String {
    format!("rulebook deep.rules {{ title \"deep\" }}\nterm deep = {}true{}\n", "(".repeat(depth), ")".repeat(depth))
}

fn on_stack(stack: usize, body: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new().stack_size(stack).spawn(body).unwrap();
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Runs a property with `cases` cases on [`PROPERTY_STACK`]; the strategy is made on that thread.
fn run_property<S>(
    cases: u32,
    make_strategy: impl FnOnce() -> S + Send + 'static,
    test: impl Fn(S::Value) + Send + 'static,
) where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    on_stack(PROPERTY_STACK, move || {
        let strategy = make_strategy();
        let mut runner = TestRunner::new(Config { cases, max_shrink_iters: 256, ..Config::default() });
        let result = runner.run(&strategy, |value| {
            test(value);
            Ok(())
        });
        if let Err(error) = result {
            panic!("{error}");
        }
    });
}

// ----- Strategies --------------------------------------------------------------------------------

/// One edit of a text: insert, delete or replace a few bytes (kept on character boundaries).
#[derive(Debug, Clone)]
enum TextEdit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, usize, String),
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(TOKENS).prop_map(str::to_owned), "\\PC{1,4}", any::<char>().prop_map(String::from)]
}

fn mutations(source: &'static str) -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<usize>(), fragment()).prop_map(|(at, text)| TextEdit::Insert(at, text)),
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| TextEdit::Delete(at, len)),
        (any::<usize>(), 1..12usize, fragment()).prop_map(|(at, len, text)| TextEdit::Replace(at, len, text)),
    ];
    prop::collection::vec(edit, 1..8).prop_map(move |edits| {
        let mut text = source.to_owned();
        for edit in edits {
            apply_text_edit(&mut text, &edit);
        }
        text
    })
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply_text_edit(text: &mut String, edit: &TextEdit) {
    match edit {
        TextEdit::Insert(at, fragment) => {
            let at = boundary(text, *at);
            text.insert_str(at, fragment);
        }
        TextEdit::Delete(at, len) | TextEdit::Replace(at, len, _) => {
            let start = boundary(text, *at);
            let end = boundary(text, start.saturating_add(*len).min(text.len()));
            let end = end.max(start);
            let replacement = match edit {
                TextEdit::Replace(_, _, fragment) => fragment.as_str(),
                _ => "",
            };
            text.replace_range(start..end, replacement);
        }
    }
}

/// Field names of the lexicon and a few that are not, so random objects sometimes fit the schema.
const KEYS: &[&str] = &[
    "name",
    "model",
    "parties",
    "purposes",
    "deployment",
    "biometrics",
    "interacts_with_people",
    "generates_synthetic_content",
    "placed_on_market_on",
    "incidents",
    "incident_reports",
    "registrations",
    "assessments",
    "general_purpose",
    "open_weights",
    "training_compute",
    "pretraining",
    "fine_tuning",
    "later_modifications",
    "develops",
    "markets_under_own_name",
    "uses",
    "annual_revenue",
    "employees",
    "jurisdictions",
    "publicly_accessible_spaces",
    "real_time",
    "remote_identification",
    "realtime",
    "categorisation",
    "id",
    "aware_at",
    "detected_at",
    "serious",
    "death",
    "incident",
    "submitted_on",
    "submitted_at",
    "database",
    "registered_on",
    "kind",
    "completed_on",
    "unknown_key",
    "",
    "$",
    "a.b",
];

/// Scalars a description might hold, valid and not.
const STRINGS: &[&str] = &[
    "social_scoring",
    "credit_scoring",
    "scientific_research",
    "law_enforcement",
    "employment_screening",
    "EU",
    "i1",
    "2025-02-02",
    "2026-09-01",
    "2026-09-19",
    "2025-02-30",
    "2026-09-01T10:00:00Z",
    "2026-09-04T10:00:00+02:00",
    "100 EFLOP",
    "1e25 FLOP",
    "1e26",
    "10 days",
    "12 USD",
    "lots",
    "",
    "conformity",
    "\u{0}",
    "null",
    "true",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "15",
    "1e25",
    "1.0000000000000000000001e25",
    "10000000000000000000000001",
    "1e400",
    "-1e400",
    "1e-400",
    "0.5",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "1E25",
    "3.14",
];

fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        prop::sample::select(NUMBERS).prop_map(|text| serde_json::from_str(text).unwrap()),
        any::<i64>().prop_map(serde_json::Value::from),
        prop::sample::select(STRINGS).prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    json_leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|members| {
                serde_json::Value::Object(members.into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
            }),
        ]
    })
}

fn date() -> impl Strategy<Value = jiff::civil::Date> {
    (2024i16..2028, 1i8..13, 1i8..29).prop_map(|(year, month, day)| jiff::civil::date(year, month, day))
}

/// An edit of a JSON value, along a path of indices chosen by the edit.
#[derive(Debug, Clone)]
struct JsonEdit {
    path: Vec<usize>,
    action: JsonAction,
}

#[derive(Debug, Clone)]
enum JsonAction {
    Remove,
    Replace(serde_json::Value),
    Insert(&'static str, serde_json::Value),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    let action = prop_oneof![
        Just(JsonAction::Remove),
        json_value().prop_map(JsonAction::Replace),
        (prop::sample::select(KEYS), json_leaf()).prop_map(|(key, value)| JsonAction::Insert(key, value)),
    ];
    (prop::collection::vec(any::<usize>(), 0..5), action).prop_map(|(path, action)| JsonEdit { path, action })
}

impl JsonEdit {
    fn apply(&self, root: &mut serde_json::Value) {
        apply_at(root, &self.path, &self.action);
    }
}

/// Follows `path` (each step taken modulo the children's count) as far as it goes, then acts.
fn apply_at(target: &mut serde_json::Value, path: &[usize], action: &JsonAction) {
    if let Some((step, rest)) = path.split_first() {
        match target {
            serde_json::Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(step % map.len()).cloned().unwrap_or_default();
                if let Some(next) = map.get_mut(&key) {
                    return apply_at(next, rest, action);
                }
            }
            serde_json::Value::Array(items) if !items.is_empty() => {
                let len = items.len();
                if let Some(next) = items.get_mut(step % len) {
                    return apply_at(next, rest, action);
                }
            }
            _ => {}
        }
    }
    match (action, target) {
        (JsonAction::Remove, serde_json::Value::Object(map)) if !map.is_empty() => {
            let key = map.keys().next().cloned().unwrap_or_default();
            map.remove(&key);
        }
        (JsonAction::Remove, serde_json::Value::Array(items)) => {
            items.pop();
        }
        (JsonAction::Insert(key, value), serde_json::Value::Object(map)) => {
            map.insert((*key).to_owned(), value.clone());
        }
        (JsonAction::Insert(_, value), serde_json::Value::Array(items)) => items.push(value.clone()),
        (JsonAction::Replace(value), target) => *target = value.clone(),
        _ => {}
    }
}

/// Fragments of JSON and YAML, for byte strings that are nearly descriptions.
const DESCRIPTION_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\"purposes\"",
    "\"social_scoring\"",
    "purposes:",
    " - ",
    "\n",
    "  ",
    "&a ",
    "*a",
    "!!str ",
    "1e400",
    "null",
    "true",
    "~",
    "---\n",
    "'x'",
    "2026-09-01",
    "\u{feff}",
    "\u{fffd}",
    "#",
    "? ",
    "|\n",
];

/// A complete, valid description of a high-risk credit scorer with two incidents.
const BASE_SYSTEM: &str = r#"{
  "name": "Base",
  "model": {"general_purpose": true, "open_weights": false,
            "training_compute": {"pretraining": "1e25 FLOP", "fine_tuning": "3 EFLOP"}},
  "parties": [{"name": "Acme", "develops": true, "markets_under_own_name": true, "uses": true,
               "annual_revenue": 1000000, "employees": 50}],
  "purposes": ["credit_scoring", "social_scoring", "scientific_research", "law_enforcement"],
  "deployment": {"jurisdictions": ["EU"], "publicly_accessible_spaces": true, "real_time": true},
  "biometrics": {"remote_identification": true, "realtime": true, "categorisation": false},
  "interacts_with_people": true,
  "generates_synthetic_content": false,
  "placed_on_market_on": "2026-08-10",
  "incidents": [
    {"id": "i1", "aware_at": "2026-09-04", "detected_at": "2026-09-04T08:00:00Z", "serious": true},
    {"id": "i2", "aware_at": "2026-09-20", "serious": true, "death": false}
  ],
  "incident_reports": [{"incident": "i1", "submitted_on": "2026-09-21", "authority": "AI Office"}],
  "registrations": [{"database": "EU", "registered_on": "2026-08-01"}],
  "assessments": [{"kind": "conformity", "completed_on": "2026-07-01"}]
}"#;
