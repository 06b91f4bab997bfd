//! The fast JSON reader and the tree reader agree, byte for byte, on every description in the
//! repository and on hostile texts.
//!
//! For each JSON text, under the rulebook it belongs to, three loads are compared:
//! - `Rulebook::load_description_via_tree`, the general path (the reference);
//! - `Rulebook::load_description`, which takes the fast path first;
//! - `Rulebook::load_json_fast`, the fast path alone;
//! - `Rulebook::load_description_into`, the fast path into a buffer reused from one text to the
//!   next (each sweep shares one buffer across all its texts).
//!
//! The first two, and the fourth, must give the same result, description or errors, to the byte (their `Debug`,
//! which shows every decimal's scale, and for a description the JSON of its verdicts with
//! explanations). The fast path must accept exactly what the general path accepts, with the same
//! description.
//!
//! The texts: every description under `examples/systems`, `tests/corpus/eval/*/systems` and
//! `tests/json_schema/{good,bad,gaps}` (YAML ones as the JSON of their document), the inline
//! systems of every `example` block of those rulebooks and of the standard library, every
//! example system under every embedded rulebook, every prefix of each JSON description, each
//! value of each description replaced by values of every other kind, and hand-written hostile
//! texts (deep nesting, huge numbers, repeated keys, invalid UTF-8, empty text, ...).

use std::path::{Path, PathBuf};

use concord_lang::describe::parse_document;
use concord_lang::syntax::ast::Item;
use concord_lang::syntax::split::ItemKind;
use concord_lang::{DescriptionBuf, Engine, EvalOptions, Format, Rulebook};
use serde_json::Value;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The compiled rulebook of a `.concord` file (relative to the repository), loaded with the
/// files beside it.
fn rulebook(path: &str) -> Rulebook {
    let path = repository().join(path);
    let mut engine = Engine::default();
    let file = engine.add_file(&path).expect("read the rulebook");
    let dir = path.parent().expect("a directory");
    for entry in std::fs::read_dir(dir).expect("read the directory").flatten() {
        let sibling = entry.path();
        if sibling.extension().is_some_and(|ext| ext == "concord") && sibling != path {
            engine.add_file_if_not_stdlib(&sibling).expect("read a sibling");
        }
    }
    engine.compile(file).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn embedded(id: &str) -> Rulebook {
    let engine = Engine::default();
    let file = engine.rulebook_by_id(id).expect("an embedded rulebook");
    engine.compile(file).unwrap_or_else(|error| panic!("{id}: {error}"))
}

/// The description files of a directory (relative to the repository), sorted.
fn descriptions(dir: &str) -> Vec<PathBuf> {
    let dir = repository().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| Format::from_path(path).is_some() && !path.to_string_lossy().ends_with(".verdicts.json"))
        .collect();
    files.sort();
    files
}

/// `(rulebook, description directories)` of every description in the repository.
fn repository_cases() -> Vec<(String, Vec<String>)> {
    let mut cases = vec![
        ("examples/ai_rules.concord".to_owned(), vec!["examples/systems".to_owned()]),
        (
            "tests/json_schema/rulebook.concord".to_owned(),
            ["good", "bad", "gaps"].iter().map(|dir| format!("tests/json_schema/{dir}")).collect(),
        ),
    ];
    let mut eval_cases: Vec<PathBuf> = std::fs::read_dir(repository().join("tests/corpus/eval"))
        .expect("tests/corpus/eval")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.join("systems").is_dir())
        .collect();
    eval_cases.sort();
    for case in eval_cases {
        let name = case.file_name().expect("a name").to_string_lossy().into_owned();
        cases.push((
            format!("tests/corpus/eval/{name}/rulebook.concord"),
            vec![format!("tests/corpus/eval/{name}/systems")],
        ));
    }
    cases
}

/// The JSON texts of a description file: the file itself when it is JSON; the JSON of its
/// document, compact and pretty, when it is YAML and parses.
fn json_texts(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).expect("read a description");
    match Format::from_path(path) {
        Some(Format::Json) => vec![bytes],
        _ => match parse_document(&bytes, Format::Yaml) {
            Ok(document) => {
                vec![serde_json::to_vec(&document).expect("JSON"), serde_json::to_vec_pretty(&document).expect("JSON")]
            }
            Err(_) => Vec::new(),
        },
    }
}

/// The JSON of the inline system of every `example` block in a rulebook's text.
fn example_systems(text: &str) -> Vec<Vec<u8>> {
    let tokens = concord_lang::syntax::lexer::lex(text);
    let mut systems = Vec::new();
    for item in concord_lang::syntax::split::split_items(text, &tokens) {
        if item.kind != ItemKind::Example {
            continue;
        }
        let source = &text[item.start as usize..item.end as usize];
        if let Item::Example(example) = concord_lang::syntax::parse::parse_item(item.kind, source).item
            && let Some((system, _)) = example.system
        {
            let system = concord_lang::check::json_to_serde(&system);
            systems.push(serde_json::to_vec(&system).expect("JSON"));
        }
    }
    systems
}

/// What the two paths and the fast path alone found on one text.
#[derive(Default)]
struct Tally {
    /// Whether to compare the verdicts of accepted descriptions too (the descriptions are
    /// compared always; equal descriptions give equal verdicts, which the sweeps over thousands
    /// of edited texts take on trust to stay fast).
    skip_verdicts: bool,
    accepted: usize,
    refused: usize,
    failures: Vec<String>,
    /// The buffer every text of the sweep is loaded into, after the one before.
    buf: DescriptionBuf,
}

impl Tally {
    /// Loads `text` every way under `rulebook` and records any disagreement.
    fn check(&mut self, rulebook: &Rulebook, label: &str, text: &[u8]) {
        let general = rulebook.load_description_via_tree(text, Format::Json);
        let combined = rulebook.load_description(text, Format::Json);
        let fast = rulebook.load_json_fast(text);
        let into = rulebook.load_description_into(&mut self.buf, text, Format::Json).cloned();
        let shown = || String::from_utf8_lossy(&text[..text.len().min(300)]).into_owned();
        if format!("{general:?}") != format!("{combined:?}") {
            self.failures.push(format!("{label}: load_description differs from the tree\n  tree: {general:?}\n  load: {combined:?}\n  text: {}", shown()));
            return;
        }
        if format!("{general:?}") != format!("{into:?}") {
            self.failures.push(format!(
                "{label}: load_description_into differs from the tree\n  tree: {general:?}\n  into: {into:?}\n  text: {}",
                shown()
            ));
            return;
        }
        match (&general, &fast) {
            (Ok(description), Some(fast)) => {
                self.accepted += 1;
                if format!("{description:?}") != format!("{fast:?}") {
                    self.failures.push(format!(
                        "{label}: the fast path reads another description\n  tree: {description:?}\n  fast: {fast:?}"
                    ));
                    return;
                }
                if self.skip_verdicts {
                    return;
                }
                let as_of = "2026-09-01".parse().expect("a date");
                let verdicts = |description| {
                    serde_json::to_string(&rulebook.evaluate(description, as_of, EvalOptions { explain: true }))
                        .expect("verdicts serialize")
                };
                if verdicts(description) != verdicts(fast) {
                    self.failures.push(format!("{label}: the verdicts differ"));
                }
            }
            (Err(_), None) => self.refused += 1,
            (Ok(_), None) => self.failures.push(format!("{label}: the fast path refuses a valid text: {}", shown())),
            (Err(errors), Some(_)) => {
                self.failures.push(format!("{label}: the fast path accepts a text with errors {errors:?}: {}", shown()))
            }
        }
    }

    fn assert_clean(&self) {
        assert!(self.failures.is_empty(), "{} disagreements:\n{}", self.failures.len(), self.failures.join("\n"));
    }
}

#[test]
fn every_description_in_the_repository_reads_the_same_on_both_paths() {
    let mut tally = Tally::default();
    let mut n_files = 0;
    for (rulebook_path, dirs) in repository_cases() {
        let rulebook = rulebook(&rulebook_path);
        for dir in dirs {
            for path in descriptions(&dir) {
                n_files += 1;
                for text in json_texts(&path) {
                    tally.check(&rulebook, &path.display().to_string(), &text);
                }
            }
        }
        let text = std::fs::read_to_string(repository().join(&rulebook_path)).expect("read the rulebook");
        for (index, system) in example_systems(&text).iter().enumerate() {
            tally.check(&rulebook, &format!("{rulebook_path}, example {index}"), system);
        }
    }
    tally.assert_clean();
    assert!(n_files >= 90, "only {n_files} description files");
    assert!(tally.accepted >= 60, "only {} accepted", tally.accepted);
    assert!(tally.refused >= 30, "only {} refused", tally.refused);
}

#[test]
fn example_systems_read_the_same_under_every_embedded_rulebook() {
    let mut tally = Tally::default();
    for (id, _, text) in concord_lang::stdlib::STDLIB {
        let rulebook = embedded(id);
        for path in descriptions("examples/systems") {
            for text in json_texts(&path) {
                tally.check(&rulebook, &format!("{} under {id}", path.display()), &text);
            }
        }
        for (index, system) in example_systems(text).iter().enumerate() {
            tally.check(&rulebook, &format!("{id}, example {index}"), system);
        }
    }
    tally.assert_clean();
    assert!(tally.accepted >= 50, "only {} accepted", tally.accepted);
}

/// Every prefix of every JSON description: syntax errors at every point of the text.
#[test]
fn every_prefix_reads_the_same_on_both_paths() {
    let mut tally = Tally { skip_verdicts: true, ..Tally::default() };
    for (rulebook_path, dirs) in repository_cases() {
        let rulebook = rulebook(&rulebook_path);
        for dir in dirs {
            for path in descriptions(&dir) {
                for text in json_texts(&path).into_iter().take(1) {
                    for end in 0..text.len() {
                        tally.check(&rulebook, &format!("{} up to byte {end}", path.display()), &text[..end]);
                    }
                }
            }
        }
    }
    tally.assert_clean();
    assert!(tally.refused >= 5_000, "only {} prefixes refused", tally.refused);
}

/// Values of every kind, to put in place of each value of a description.
fn replacements() -> Vec<Value> {
    [
        "null",
        "true",
        "0",
        "-7",
        "18446744073709551615",
        "18446744073709551616",
        "1.50",
        "1e25",
        "1E400",
        "0.1234567890123456789012345678",
        "12345678901234567890123456789",
        "\"x\"",
        "\"15\"",
        "\"2026-02-29\"",
        "\"2026-03-01T10:00:00Z\"",
        "\"100 EFLOP\"",
        "\"2 weeks\"",
        "\"chatbot\"",
        "[]",
        "[null]",
        "[\"chatbot\", \"chatbot\"]",
        "[15, \"2 days\"]",
        "{}",
        "{\"$serde_json::private::Number\": \"5\"}",
        "{\"id\": \"i\", \"aware_at\": \"2026-01-01\"}",
    ]
    .iter()
    .map(|text| serde_json::from_str(text).expect("a replacement"))
    .collect()
}

/// Every place in a document: (path of keys and indices) to each value.
fn places(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                prefix.push(Step::Index(index));
                places(item, prefix, out);
                prefix.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                prefix.push(Step::Key(key.clone()));
                places(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn place_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let Some((first, rest)) = path.split_first() else { return Some(value) };
    let next = match (first, value) {
        (Step::Key(key), Value::Object(map)) => map.get_mut(key)?,
        (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
        _ => return None,
    };
    place_mut(next, rest)
}

/// Each value of each description replaced by values of every kind, and each object given an
/// unknown key and a repeated key: type errors, unknown fields and repeats everywhere.
#[test]
fn every_value_replaced_reads_the_same_on_both_paths() {
    let mut tally = Tally { skip_verdicts: true, ..Tally::default() };
    let replacements = replacements();
    for (rulebook_path, dirs) in repository_cases() {
        let rulebook = rulebook(&rulebook_path);
        for dir in dirs {
            for path in descriptions(&dir) {
                let Some(text) = json_texts(&path).into_iter().next() else { continue };
                let Ok(document) = serde_json::from_slice::<Value>(&text) else { continue };
                let mut all = Vec::new();
                places(&document, &mut Vec::new(), &mut all);
                for place in &all {
                    for replacement in &replacements {
                        let mut edited = document.clone();
                        if let Some(slot) = place_mut(&mut edited, place) {
                            *slot = replacement.clone();
                        }
                        let label = format!("{} with a replaced value", path.display());
                        tally.check(&rulebook, &label, &serde_json::to_vec(&edited).expect("JSON"));
                    }
                    let mut edited = document.clone();
                    if let Some(Value::Object(map)) = place_mut(&mut edited, place) {
                        map.insert("trainig_compute".to_owned(), Value::Bool(true));
                        tally.check(
                            &rulebook,
                            &format!("{} with an unknown key", path.display()),
                            &serde_json::to_vec(&edited).expect("JSON"),
                        );
                    }
                    // A repeated key: the object's first entry written again at its end.
                    let mut edited = document.clone();
                    if let Some(Value::Object(map)) = place_mut(&mut edited, place)
                        && let Some((key, value)) = map.iter().next().map(|(key, value)| (key.clone(), value.clone()))
                    {
                        map.insert("__repeat__".to_owned(), Value::Null);
                        let repeated = format!("{}:{value}", serde_json::to_string(&key).expect("JSON"));
                        let text =
                            serde_json::to_string(&edited).expect("JSON").replacen("\"__repeat__\":null", &repeated, 1);
                        tally.check(&rulebook, &format!("{} with a repeated key", path.display()), text.as_bytes());
                    }
                }
            }
        }
    }
    tally.assert_clean();
    assert!(tally.accepted >= 1_000, "only {} accepted", tally.accepted);
    assert!(tally.refused >= 10_000, "only {} refused", tally.refused);
}

/// Deep nesting, huge numbers, repeated keys, invalid UTF-8, empty texts and other hostile input.
fn hostile_texts() -> Vec<(String, Vec<u8>)> {
    let mut texts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |label: &str, text: Vec<u8>| texts.push((label.to_owned(), text));
    add("empty", Vec::new());
    add("whitespace", b" \n\t ".to_vec());
    add("byte-order mark alone", b"\xEF\xBB\xBF".to_vec());
    add("byte-order mark then an object", b"\xEF\xBB\xBF{}".to_vec());
    add("an empty object", b"{}".to_vec());
    add("null", b"null".to_vec());
    add("a number", b"15".to_vec());
    add("a list", b"[]".to_vec());
    add("trailing text", b"{} {}".to_vec());
    add("trailing comma", br#"{"active": true,}"#.to_vec());
    add("invalid UTF-8 before the text", b"\xFF{}".to_vec());
    add("invalid UTF-8 in a string", b"{\"name\": \"a\xC3\x28\"}".to_vec());
    add("invalid UTF-8 in a key", b"{\"na\xFFme\": \"a\"}".to_vec());
    add("a lone surrogate escape", br#"{"name": "\ud800"}"#.to_vec());
    add("escapes in a key", br#"{"n\u0061me": "x", "active": true}"#.to_vec());
    add("a control character in a string", b"{\"name\": \"a\x01b\"}".to_vec());
    add("deep lists", "[".repeat(100_000).into_bytes());
    add("deep objects", "{\"a\":".repeat(100_000).into_bytes());
    add("deep lists closed", format!("{}{}", "[".repeat(200), "]".repeat(200)).into_bytes());
    add("deep in a field", format!("{{\"active\": {}true{}}}", "[".repeat(127), "]".repeat(127)).into_bytes());
    add("deep in a list field", format!("{{\"purposes\": {}{}}}", "[".repeat(130), "]".repeat(130)).into_bytes());
    add("deep in an unknown field", format!("{{\"colour\": {}{}}}", "[".repeat(130), "]".repeat(130)).into_bytes());
    add(
        "deep after an error",
        format!("{{\"active\": 1, \"x\": {}{}}}", "[".repeat(130), "]".repeat(130)).into_bytes(),
    );
    add("a 10,000-digit number", format!("{{\"employees\": {}}}", "9".repeat(10_000)).into_bytes());
    add("a 10,000-digit quantity", format!("{{\"context\": {}}}", "9".repeat(10_000)).into_bytes());
    add("a huge exponent", br#"{"share": 1e999999999999}"#.to_vec());
    add("a tiny number", br#"{"share": 1e-30}"#.to_vec());
    add("29 significant digits", br#"{"share": 1.2345678901234567890123456789}"#.to_vec());
    add("28 significant digits", br#"{"share": 1.234567890123456789012345678}"#.to_vec());
    add("the largest u64", br#"{"employees": 18446744073709551615}"#.to_vec());
    add("the smallest i64", br#"{"employees": -9223372036854775808}"#.to_vec());
    add("negative zero", br#"{"employees": -0, "share": -0.0}"#.to_vec());
    add("trailing zeros", br#"{"share": 1.500, "employees": 1.0, "context": 2.50}"#.to_vec());
    add("an exponent on an integer", br#"{"employees": 25e1, "context": 1E2}"#.to_vec());
    add("a fractional integer", br#"{"employees": 2.5}"#.to_vec());
    add("a repeated key", br#"{"active": true, "active": true}"#.to_vec());
    add("a repeated null key", br#"{"name": null, "name": null}"#.to_vec());
    add("a repeated nested key", br#"{"model": {"open_weights": true, "open_weights": false}}"#.to_vec());
    add("a repeated unknown key", br#"{"colour": 1, "colour": 1}"#.to_vec());
    add("a number object with two keys", br#"{"share": {"$serde_json::private::Number": "5", "x": 1}}"#.to_vec());
    add(
        "a number object repeated",
        br#"{"share": {"$serde_json::private::Number": "5", "$serde_json::private::Number": "5"}}"#.to_vec(),
    );
    add("a number object", br#"{"share": {"$serde_json::private::Number": "5"}}"#.to_vec());
    add("a number object with a plus sign", br#"{"share": {"$serde_json::private::Number": "+5"}}"#.to_vec());
    add("a number object with underscores", br#"{"share": {"$serde_json::private::Number": "1_000"}}"#.to_vec());
    add("a number object with an escape", br#"{"share": {"$serde_json::private::Number": "\u0035"}}"#.to_vec());
    add("a number object with an escaped key", br#"{"share": {"$serde_json::private::Numbe\u0072": "5"}}"#.to_vec());
    add("a number object for a quantity", br#"{"context": {"$serde_json::private::Number": "1.5e3"}}"#.to_vec());
    add("a number object for a record", br#"{"model": {"$serde_json::private::Number": "5"}}"#.to_vec());
    add("a number object at the top", br#"{"$serde_json::private::Number": "5"}"#.to_vec());
    add("null in a set", br#"{"purposes": [null]}"#.to_vec());
    add("null in a list of records", br#"{"incidents": [null]}"#.to_vec());
    add(
        "nulls for every field",
        br#"{"name": null, "active": null, "model": null, "purposes": null, "incidents": null}"#.to_vec(),
    );
    add("a long unknown key", format!("{{\"{}\": 1}}", "k".repeat(10_000)).into_bytes());
    add("a long string", format!("{{\"name\": \"{}\"}}", "é".repeat(10_000)).into_bytes());
    add("a quantity with spaces", br#"{"context": "  2   ktoken  "}"#.to_vec());
    add("a quantity with a tab", b"{\"context\": \"2\\tktoken\"}".to_vec());
    add("a quantity too precise in the base unit", br#"{"context": "0.0001 token"}"#.to_vec());
    add("a quantity out of range in the base unit", br#"{"context": 79228162514264337593543950}"#.to_vec());
    add(
        "a date and an instant",
        br#"{"founded_on": "2024-02-29", "launched_at": "2026-09-01T10:00:00.123456789+02:00"}"#.to_vec(),
    );
    add("an instant with lowercase letters", br#"{"launched_at": "2026-09-01t10:00:00z"}"#.to_vec());
    add("an enum by a near name", br#"{"purposes": ["chatbto"]}"#.to_vec());
    add("every kind of whitespace", b"\r\n\t {\r\n\t\"active\"\t:\r\ntrue\n,\r\"name\" : \"x\" \t}\r\n\t ".to_vec());
    add("whitespace that JSON does not allow", b"{\x0b\"active\": true}".to_vec());
    add("a non-breaking space", "{\u{a0}\"active\": true}".as_bytes().to_vec());
    add("an escaped string value", br#"{"name": "a\"b\\c\/d\n\u00e9"}"#.to_vec());
    add("an escaped enum", br#"{"purposes": ["chat\u0062ot"]}"#.to_vec());
    add("numbers spelled every way", br#"{"share": 1E2, "employees": 1e+2, "context": 2.5E-1}"#.to_vec());
    add("a negative fraction", br#"{"share": -0.5, "employees": -3}"#.to_vec());
    add("a leading zero", br#"{"employees": 01}"#.to_vec());
    add("a leading plus", br#"{"employees": +1}"#.to_vec());
    add("a bare point", br#"{"share": .5}"#.to_vec());
    add("a point without digits", br#"{"share": 1.}"#.to_vec());
    add("an exponent without digits", br#"{"share": 1e}"#.to_vec());
    add("an exponent sign without digits", br#"{"share": 1e+}"#.to_vec());
    add("a minus alone", br#"{"share": -}"#.to_vec());
    add("a number then a letter", br#"{"employees": 1x}"#.to_vec());
    add(
        "a number of 19 and 20 digits",
        br#"{"employees": 9999999999999999999, "share": 12345678901234567890}"#.to_vec(),
    );
    add("a 70-digit number", format!("{{\"share\": 0.{}1}}", "0".repeat(68)).into_bytes());
    add("a misspelt literal", br#"{"active": tru}"#.to_vec());
    add("a literal then a letter", br#"{"active": truex}"#.to_vec());
    add("a misspelt null", br#"{"active": nul}"#.to_vec());
    add("null then a letter", br#"{"active": nullx}"#.to_vec());
    add("a missing colon", br#"{"active" true}"#.to_vec());
    add("a missing comma", br#"{"active": true "name": "x"}"#.to_vec());
    add("a trailing comma in a list", br#"{"purposes": ["chatbot",]}"#.to_vec());
    add("a leading comma in a list", br#"{"purposes": [,"chatbot"]}"#.to_vec());
    add("a list never closed", br#"{"purposes": ["chatbot""#.to_vec());
    add("a string never closed", br#"{"name": "x"#.to_vec());
    add("an unquoted key", br#"{active: true}"#.to_vec());
    add("a single-quoted string", br#"{"name": 'x'}"#.to_vec());
    add("invalid UTF-8 in an enum", b"{\"purposes\": [\"chat\xFFbot\"]}".to_vec());
    add("invalid UTF-8 in a single enum", b"{\"model\": {\"open_weights\": \"\xFF\"}}".to_vec());
    add("invalid UTF-8 after the text", b"{}\xFF".to_vec());
    add("invalid UTF-8 after the text and whitespace", b"{\"active\": true} \xC3".to_vec());
    add("invalid UTF-8 between members", b"{\"active\": true\xC3\xA9, \"name\": \"x\"}".to_vec());
    add("invalid UTF-8 in a date", b"{\"founded_on\": \"2024-02-2\x80\"}".to_vec());
    add("invalid UTF-8 in a quantity", b"{\"context\": \"2 kto\xFFken\"}".to_vec());
    add("an overlong encoding", b"{\"name\": \"\xC0\xAF\"}".to_vec());
    add("a surrogate in UTF-8", b"{\"name\": \"\xED\xA0\x80\"}".to_vec());
    add("a truncated character at the end of a string", b"{\"name\": \"a\xC3\"}".to_vec());
    add("a truncated character at the end of the text", b"{\"name\": \"a\"}\xE2\x82".to_vec());
    add("a byte-order mark inside the text", b"{\xEF\xBB\xBF\"active\": true}".to_vec());
    add("two byte-order marks", b"\xEF\xBB\xBF\xEF\xBB\xBF{}".to_vec());
    add("a key with letters beyond ASCII", "{\"nämé\": \"x\"}".as_bytes().to_vec());
    add("a value with letters beyond ASCII", "{\"name\": \"Ünïcødé ✓ 𝄞\"}".as_bytes().to_vec());
    add("an enum with letters beyond ASCII", "{\"purposes\": [\"chatböt\"]}".as_bytes().to_vec());
    add("an enum with a prefix of a variant", br#"{"purposes": ["chat"]}"#.to_vec());
    add("an enum with a variant and more", br#"{"purposes": ["chatbots"]}"#.to_vec());
    add("an empty enum", br#"{"purposes": [""]}"#.to_vec());
    add("a number in a set of an enum", br#"{"purposes": [1]}"#.to_vec());
    add("true in a set of an enum", br#"{"purposes": [true]}"#.to_vec());
    add("a list in a set of an enum", br#"{"purposes": [["chatbot"]]}"#.to_vec());
    add("an object in a set of an enum", br#"{"purposes": [{}]}"#.to_vec());
    add("a number object in a set of an enum", br#"{"purposes": [{"$serde_json::private::Number": "5"}]}"#.to_vec());
    add("an escaped enum in a set", br#"{"purposes": ["credit_scoring", "chat\u0062ot"]}"#.to_vec());
    add("every variant in reverse", br#"{"purposes": ["scientific_research", "credit_scoring", "chatbot"]}"#.to_vec());
    add("a set of an enum never closed", br#"{"purposes": ["chatbot", "#.to_vec());
    add("a number where a string goes", br#"{"name": 15}"#.to_vec());
    add("a number where a date goes", br#"{"founded_on": 20240229}"#.to_vec());
    add("a negative number where a boolean goes", br#"{"active": -1}"#.to_vec());
    add("a string where a boolean goes", br#"{"active": "true"}"#.to_vec());
    add("a boolean where a number goes", br#"{"share": true}"#.to_vec());
    add("a repeated enum in a set", br#"{"purposes": ["chatbot", "chatbot", "translation", "chatbot"]}"#.to_vec());
    add("an object where a scalar goes", br#"{"active": {}}"#.to_vec());
    add("a list where a scalar goes", br#"{"active": []}"#.to_vec());
    add("a scalar where a record goes", br#"{"model": 1}"#.to_vec());
    add("a scalar where a set goes", br#"{"purposes": "chatbot"}"#.to_vec());
    add(
        "many incidents",
        format!(
            "{{\"incidents\": [{}]}}",
            vec![r#"{"id": "i", "aware_at": "2026-01-01", "serious": false}"#; 1_000].join(",")
        )
        .into_bytes(),
    );
    texts
}

#[test]
fn hostile_texts_read_the_same_on_both_paths() {
    let mut tally = Tally::default();
    let rulebooks =
        [rulebook("tests/json_schema/rulebook.concord"), rulebook("examples/ai_rules.concord"), embedded("eu.ai_act")];
    for rulebook in &rulebooks {
        for (label, text) in hostile_texts() {
            tally.check(rulebook, &format!("{label} under {}", rulebook.id()), &text);
        }
    }
    tally.assert_clean();
    assert!(tally.accepted >= 20, "only {} accepted", tally.accepted);
    assert!(tally.refused >= 60, "only {} refused", tally.refused);
}

#[test]
fn a_rulebook_without_a_system_record_refuses_on_both_paths() {
    let mut engine = Engine::default();
    let file = engine.add_source("no_system.concord", "rulebook test.no_system { title \"None\" }\n");
    let rulebook = engine.compile(file).expect("compiles");
    let mut tally = Tally::default();
    tally.check(&rulebook, "no System record", b"{}");
    tally.assert_clean();
    assert_eq!(tally.refused, 1);
}

/// Numbers written every way JSON allows, in every kind of numeric field: integers, numbers,
/// quantities in a unit of scale 1000 and in base units, in lists: the scanner reads a number's
/// digits once into its value, and must give the general rules' value (and its scale) or refuse
/// what they refuse.
#[test]
fn numbers_read_the_same_on_both_paths() {
    let integers = [
        "0",
        "1",
        "7",
        "10",
        "100",
        "250",
        "1000000",
        "123456789",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "1234567890123456789012345678",
        "12345678901234567890123456789",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "100000000000000000000000000000",
    ];
    let fractions = [
        "",
        ".0",
        ".5",
        ".50",
        ".000001",
        ".999",
        ".1234567890123456789012345678",
        ".0000000000000000000000000001",
        ".00000000000000000000000000001",
        ".0000000000000000000000000000000000000001000",
    ];
    let exponents = [
        "",
        "e0",
        "E0",
        "e+1",
        "e-1",
        "e2",
        "E25",
        "e-25",
        "e28",
        "e-28",
        "e29",
        "e-29",
        "e-30",
        "e400",
        "e-400",
        "e999999999999",
        "e-999999999999",
        "e0000000000000000000000000001",
    ];
    let rulebook = rulebook("tests/json_schema/rulebook.concord");
    let mut tally = Tally { skip_verdicts: true, ..Tally::default() };
    for sign in ["", "-"] {
        for integer in integers {
            for fraction in fractions {
                for exponent in exponents {
                    let number = format!("{sign}{integer}{fraction}{exponent}");
                    for template in [
                        "{\"employees\": N}",
                        "{\"share\": N}",
                        "{\"context\": N}",
                        "{\"notice_periods\": [N, N]}",
                        "{\"model\": {\"training_compute\": N}}",
                    ] {
                        let text = template.replace('N', &number);
                        tally.check(&rulebook, &text, text.as_bytes());
                    }
                }
            }
        }
    }
    tally.assert_clean();
    assert!(tally.accepted >= 5_000, "only {} accepted", tally.accepted);
    assert!(tally.refused >= 10_000, "only {} refused", tally.refused);
}

/// Sets of enums of every size around the bit set's limit of 128 variants, lists of records of
/// changing lengths and shapes, all loaded one after the other into one buffer: each value is
/// written into the slices of the last description where they fit.
#[test]
fn sets_and_reused_slices_read_the_same_on_both_paths() {
    let variants = |n: usize| (0..n).map(|index| format!("v{index}")).collect::<Vec<_>>();
    let mut source = String::from("rulebook test.sets { title \"Sets\" }\n");
    for n in [1, 127, 128, 129, 200] {
        source.push_str(&format!("enum E{n} {{ {} }}\n", variants(n).join(", ")));
    }
    source.push_str(
        "record Item { flag: bool\n tags: set of E128\n items: list of Item }\n\
         record System { a: set of E1\n b: set of E127\n c: set of E128\n d: set of E129\n e: set of E200\n \
         items: list of Item\n single: E200\n nested: list of set of E129 }\n",
    );
    let mut engine = Engine::default();
    let file = engine.add_source("sets.concord", &source);
    let rulebook = engine.compile(file).unwrap_or_else(|error| panic!("{error}: {:?}", engine.diagnostics(file)));
    let mut texts = Vec::new();
    for n in [1usize, 127, 128, 129, 200] {
        let field = match n {
            1 => "a",
            127 => "b",
            128 => "c",
            129 => "d",
            _ => "e",
        };
        let all = variants(n);
        let quoted = |names: &[String]| names.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(",");
        let reversed: Vec<String> = all.iter().rev().cloned().collect();
        let repeated: Vec<String> = all.iter().chain(all.iter()).step_by(3).cloned().collect();
        for names in [&all[..], &reversed[..], &repeated[..], &all[n - 1..], &[][..]] {
            texts.push(format!("{{\"{field}\": [{}]}}", quoted(names)));
        }
        texts.push(format!("{{\"{field}\": [\"v{n}\"]}}"));
        texts.push(format!("{{\"{field}\": [\"{}\", null]}}", all[0]));
    }
    let item = |depth: usize, tags: &str| {
        let mut text = format!("{{\"flag\": true, \"tags\": [{tags}], \"items\": []}}");
        for _ in 0..depth {
            text = format!("{{\"tags\": [\"v127\", \"v0\"], \"items\": [{text}, {text}], \"flag\": false}}");
        }
        text
    };
    for (count, depth) in [(0, 0), (1, 0), (3, 1), (2, 2), (3, 0), (1, 3), (0, 1), (4, 1)] {
        let items: Vec<String> =
            (0..count).map(|index| item(depth, if index % 2 == 0 { "\"v1\"" } else { "" })).collect();
        texts.push(format!("{{\"items\": [{}], \"single\": \"v199\", \"c\": [\"v3\"]}}", items.join(",")));
        texts.push(format!("{{\"single\": \"v5\", \"items\": [{}]}}", items.join(",")));
        texts.push(format!("{{\"nested\": [[\"v128\"], [], [\"v0\", \"v0\"]], \"items\": [{}]}}", items.join(",")));
        texts.push(format!("{{\"items\": {}}}", if count % 2 == 0 { "null" } else { "[]" }));
    }
    let mut tally = Tally::default();
    for round in 0..2 {
        for text in &texts {
            tally.check(&rulebook, &format!("round {round}: {text}"), text.as_bytes());
        }
    }
    tally.assert_clean();
    assert!(tally.accepted >= 80, "only {} accepted", tally.accepted);
    assert!(tally.refused >= 10, "only {} refused", tally.refused);
}
