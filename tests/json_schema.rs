//! `concord schema --json-schema`: the exported JSON Schema accepts what the description reader
//! accepts and refuses what it refuses.
//!
//! - `tests/json_schema/rulebook.concord` is a rulebook whose `System` holds every type; its
//!   schema, as the command writes it, is pinned in `rulebook.schema.json` (`UPDATE_SNAPSHOTS=1`
//!   rewrites it).
//! - `good/`, `bad/` and `gaps/` hold descriptions under that rulebook: the reader and the schema
//!   both accept those in `good/` and both refuse those in `bad/`; those in `gaps/` are what JSON
//!   Schema cannot say, so the reader refuses them and the schema accepts them.
//! - Every description under `examples/` and `tests/corpus/eval/` gets the same verdict from its
//!   rulebook's schema as from the reader.
//! - Every exported schema is valid against the draft 2020-12 meta-schema.

#[path = "support/run.rs"]
mod run;
#[path = "support/snapshot.rs"]
#[allow(dead_code, reason = "this test uses `check_snapshot` only")]
mod snapshot;

use std::path::{Path, PathBuf};

use concord_lang::describe::parse_document;
use concord_lang::{Engine, Format, Rulebook};
use run::concord;
use serde_json::Value;

const FIXTURE: &str = "tests/json_schema/rulebook.concord";

/// The compiled rulebook of a `.concord` file, loaded with the files beside it.
fn rulebook(path: &str) -> Rulebook {
    let mut engine = Engine::default();
    let file = engine.add_file(Path::new(path)).expect("read the rulebook");
    let dir = Path::new(path).parent().expect("a directory");
    for entry in std::fs::read_dir(dir).expect("read the directory").flatten() {
        let sibling = entry.path();
        if sibling.extension().is_some_and(|ext| ext == "concord") && sibling != Path::new(path) {
            engine.add_file_if_not_stdlib(&sibling).expect("read a sibling");
        }
    }
    engine.compile(file).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn embedded(id: &str) -> Rulebook {
    let engine = Engine::default();
    let file = engine.rulebook_by_id(id).expect("an embedded rulebook");
    engine.compile(file).unwrap_or_else(|error| panic!("{id}: {error}"))
}

/// A validator for an exported schema, checking formats as editors do.
fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options().should_validate_formats(true).build(schema).expect("the schema compiles")
}

/// The files of a directory with one of the description extensions, sorted.
fn descriptions(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| Format::from_path(path).is_some() && !path.to_string_lossy().ends_with(".verdicts.json"))
        .collect();
    files.sort();
    files
}

/// The document an editor validates: JSON as `serde_json` reads it (a repeated key keeps its last
/// value), YAML as the description reader parses it.
fn document(path: &Path) -> Value {
    let text = std::fs::read(path).expect("read a description");
    match Format::from_path(path) {
        Some(Format::Json) => {
            serde_json::from_slice(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        }
        _ => parse_document(&text, Format::Yaml).unwrap_or_else(|errors| panic!("{}: {errors:?}", path.display())),
    }
}

/// Both verdicts on one description: `(reader accepts, schema accepts, why the reader refused,
/// why the schema refused)`.
fn verdicts(rulebook: &Rulebook, validator: &jsonschema::Validator, path: &Path) -> (bool, bool, String) {
    let text = std::fs::read(path).expect("read a description");
    let format = Format::from_path(path).expect("a description extension");
    let reader = rulebook.load_description(&text, format);
    let document = document(path);
    let schema_errors: Vec<String> =
        validator.iter_errors(&document).map(|error| format!("{} at {}", error, error.instance_path())).collect();
    let reader_errors = match &reader {
        Ok(_) => String::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    };
    let why = format!("reader: [{reader_errors}]; schema: [{}]", schema_errors.join("; "));
    (reader.is_ok(), schema_errors.is_empty(), why)
}

/// Checks every description of `dir` against the fixture: `expect` is (reader accepts, schema
/// accepts). Returns the disagreements.
fn check_corpus(dir: &str, expect: (bool, bool)) -> Vec<String> {
    let rulebook = rulebook(FIXTURE);
    let schema = rulebook.json_schema().expect("a schema");
    let validator = validator(&schema);
    let files = descriptions(Path::new(dir));
    assert!(!files.is_empty(), "no descriptions in {dir}");
    let mut failures = Vec::new();
    for path in files {
        let (reader, schema, why) = verdicts(&rulebook, &validator, &path);
        if (reader, schema) != expect {
            failures.push(format!("{}: reader accepts: {reader}, schema accepts: {schema}; {why}", path.display()));
        }
    }
    failures
}

#[test]
fn good_descriptions_pass_the_reader_and_the_schema() {
    let failures = check_corpus("tests/json_schema/good", (true, true));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_descriptions_fail_the_reader_and_the_schema() {
    let failures = check_corpus("tests/json_schema/bad", (false, false));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_json_schema_cannot_say_only_the_reader_refuses() {
    let failures = check_corpus("tests/json_schema/gaps", (false, true));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `(rulebook, directory of descriptions)` of every description in the repository.
fn repository_descriptions() -> Vec<(String, PathBuf)> {
    let mut cases = vec![("examples/ai_rules.concord".to_owned(), PathBuf::from("examples/systems"))];
    let mut eval_cases: Vec<PathBuf> = std::fs::read_dir("tests/corpus/eval")
        .expect("tests/corpus/eval")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.join("systems").is_dir())
        .collect();
    eval_cases.sort();
    for case in eval_cases {
        cases.push((case.join("rulebook.concord").to_string_lossy().into_owned(), case.join("systems")));
    }
    cases
}

#[test]
fn repository_descriptions_get_the_same_verdict_from_the_schema_as_from_the_reader() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rulebook_path, dir) in repository_descriptions() {
        let rulebook = rulebook(&rulebook_path);
        let validator = validator(&rulebook.json_schema().expect("a schema"));
        for path in descriptions(&dir) {
            let (reader, schema, why) = verdicts(&rulebook, &validator, &path);
            checked += 1;
            if reader != schema {
                failures.push(format!("{} under {rulebook_path}: {why}", path.display()));
            }
        }
    }
    assert!(checked >= 30, "only {checked} descriptions checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_descriptions_are_valid_under_every_jurisdiction() {
    let files = descriptions(Path::new("examples/systems"));
    for (id, _, _) in concord_lang::stdlib::STDLIB {
        let rulebook = embedded(id);
        let Ok(schema) = rulebook.json_schema() else { continue };
        let validator = validator(&schema);
        for path in &files {
            let errors: Vec<String> = validator.iter_errors(&document(path)).map(|error| error.to_string()).collect();
            assert!(errors.is_empty(), "{} under {id}: {errors:?}", path.display());
        }
    }
}

#[test]
fn exported_schemas_are_valid_draft_2020_12_schemas() {
    let mut schemas =
        vec![("examples/ai_rules.concord".to_owned(), rulebook("examples/ai_rules.concord").json_schema())];
    schemas.push((FIXTURE.to_owned(), rulebook(FIXTURE).json_schema()));
    for (id, _, _) in concord_lang::stdlib::STDLIB {
        schemas.push(((*id).to_owned(), embedded(id).json_schema()));
    }
    let mut exported = 0;
    for (name, schema) in schemas {
        let Ok(schema) = schema else { continue };
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
        if let Err(error) = jsonschema::meta::validate(&schema) {
            panic!("{name}: the schema is not a valid JSON Schema: {error} at {}", error.instance_path());
        }
        exported += 1;
    }
    assert!(exported >= 3, "only {exported} schemas exported");
}

#[test]
fn the_fixture_schema_is_pinned() {
    let run = concord(&["schema", "--json-schema", FIXTURE]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    let snapshot = snapshot::check_snapshot(Path::new("tests/json_schema/rulebook.schema.json"), &run.stdout);
    if let Err(message) = snapshot {
        panic!("{message}");
    }
}

#[test]
fn the_schema_is_the_same_on_every_run_and_through_output() {
    let first = concord(&["schema", "--json-schema", "std.lexicon"]);
    let second = concord(&["schema", "--json-schema", "std.lexicon"]);
    assert_eq!(first.code, 0, "{first}");
    assert_eq!(first.stdout, second.stdout);
    let dir = std::env::temp_dir().join(format!("concord-json-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let out = dir.join("lexicon.schema.json");
    let run = concord(&["schema", "--json-schema", "std.lexicon", "--output", &out.to_string_lossy()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert_eq!(std::fs::read_to_string(&out).expect("the written schema"), first.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_rulebook_is_a_usage_error() {
    let run = concord(&["schema", "--json-schema", "tests/json_schema/no_such_rulebook.concord"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("cannot read `tests/json_schema/no_such_rulebook.concord`"), "{run}");
    assert_eq!(run.stderr.matches("os error").count(), 1, "the reason is given once\n{run}");
}

#[test]
fn an_unknown_rulebook_id_is_a_usage_error() {
    let run = concord(&["schema", "--json-schema", "eu.ai_akt"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no rulebook `eu.ai_akt`"), "{run}");
}

#[test]
fn a_rulebook_with_errors_shows_its_diagnostics_and_writes_nothing() {
    let run = concord(&["schema", "--json-schema", "tests/json_schema/cli/has_errors.concord"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("unknown-type") || run.stderr.contains("[unknown"), "{run}");
    assert!(run.stderr.contains("has errors; no schema was written"), "{run}");
}

#[test]
fn a_rulebook_without_a_system_record_is_explained() {
    let run = concord(&["schema", "--json-schema", "tests/json_schema/cli/no_system.concord"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("declares no `System` record"), "{run}");
}

#[test]
fn the_flag_is_required() {
    let run = concord(&["schema", FIXTURE]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("--json-schema"), "{run}");
}
