//! The flat form of conditions (`lang/src/ir/flat.rs`) gives exactly what the expression tree
//! gives: the same outcomes and the same trace, for every rulebook in the repository (the
//! standard library, the examples, the evaluation corpus and the generated 100-rule rulebook),
//! every description that loads against it (the examples' systems, the corpus's systems, the
//! rulebook's own `example` blocks) on dates around the dates in force and on the examples' dates,
//! and each of those descriptions with facts made unknown or absent one at a time on two dates
//! when most provisions are in force.

use std::path::{Path, PathBuf};

use concord_lang::ir::flat::{Op, Operand};
use concord_lang::value::Value;
use concord_lang::{Description, Engine, Format, Outcomes, Rulebook};

#[path = "../benches/support/eu_slice_descriptions.rs"]
mod eu_slice_descriptions;
#[path = "../benches/support/generated.rs"]
mod generated;

/// Dates for the descriptions as written.
const DATES: [&str; 9] = [
    "2024-07-31",
    "2025-02-01",
    "2025-02-02",
    "2025-08-02",
    "2026-08-01",
    "2026-09-16",
    "2026-10-12",
    "2027-01-01",
    "2028-08-02",
];

/// Dates for the variants with a fact made unknown or absent.
const VARIANT_DATES: [&str; 2] = ["2026-10-12", "2027-01-01"];

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, wanted: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.map(|entry| entry.expect("a directory entry").path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, wanted, out);
        } else if wanted(&path) {
            out.push(path);
        }
    }
}

/// Every description file in the repository: the examples' systems and the corpus's.
fn description_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let is_description =
        |path: &Path| Format::from_path(path).is_some() && !path.to_string_lossy().ends_with(".verdicts.json");
    files_under(&repository().join("examples/systems"), &is_description, &mut files);
    files_under(&repository().join("tests/corpus/eval"), &is_description, &mut files);
    files
}

/// The rulebooks to compare on: (name, engine, file).
fn rulebooks() -> Vec<(String, Rulebook)> {
    let mut out = Vec::new();
    let engine = Engine::default();
    for (id, _, _) in concord_lang::stdlib::STDLIB {
        let file = engine.rulebook_by_id(id).expect("an embedded rulebook");
        out.push((id.to_string(), engine.compile(file).expect("the standard library compiles")));
    }
    let mut paths = vec![repository().join("examples/ai_rules.concord")];
    files_under(
        &repository().join("tests/corpus/eval"),
        &|path| path.file_name().is_some_and(|name| name == "rulebook.concord"),
        &mut paths,
    );
    for path in paths {
        let mut engine = Engine::default();
        let file = engine.add_file(&path).expect("a readable rulebook");
        out.push((path.display().to_string(), engine.compile(file).expect("the rulebook compiles")));
    }
    let mut engine = Engine::default();
    let file = engine.add_source("bench.concord", &generated::generated_rulebook("bench.rules", 90, 10));
    out.push(("generated".to_owned(), engine.compile(file).expect("the generated rulebook compiles")));
    let mut engine = Engine::default();
    let file = engine.add_source("eu_slice.concord", include_str!("../../bench/policy/eu_slice.concord"));
    out.push(("eu_slice".to_owned(), engine.compile(file).expect("the EU slice compiles")));
    out
}

/// `value` with the field at `path` (slots from the top level) replaced by `by`.
fn with_field(value: &Value, path: &[usize], by: &Value) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else { return Some(by.clone()) };
    let Value::Record(fields) = value else { return None };
    let mut fields = fields.to_vec();
    let field = fields.get_mut(*first)?;
    *field = with_field(field, rest, by)?;
    Some(Value::Record(fields.into_boxed_slice()))
}

/// A description and its variants with each field of the top level and of the records beneath
/// it made unknown, and made absent.
/// (The description itself is not among them.)
fn variants(rulebook: &Rulebook, description: &Description) -> Vec<Description> {
    let value = description.value();
    let mut paths = Vec::new();
    if let Value::Record(fields) = value {
        for (slot, field) in fields.iter().enumerate() {
            paths.push(vec![slot]);
            if let Value::Record(inner) = field {
                paths.extend((0..inner.len()).map(|inner| vec![slot, inner]));
            }
        }
    }
    let mut out = Vec::new();
    for path in &paths {
        for by in [Value::Unknown, Value::Absent] {
            if let Some(changed) = with_field(value, path, &by)
                && changed != *value
            {
                out.push(rulebook.description_from_value(changed));
            }
        }
    }
    out
}

fn descriptions(rulebook: &Rulebook, files: &[PathBuf]) -> Vec<Description> {
    let mut loaded: Vec<Description> = files
        .iter()
        .filter_map(|path| {
            let format = Format::from_path(path)?;
            rulebook.load_description(&std::fs::read(path).ok()?, format).ok()
        })
        .collect();
    for example in &rulebook.compiled().examples {
        loaded.push(rulebook.description_from_value(example.system.clone()));
    }
    loaded
}

/// Evaluates each description on each date both ways and requires the same outcomes and trace;
/// returns the number of decisions compared.
fn compare(name: &str, rulebook: &Rulebook, descriptions: &[Description], dates: &[jiff::civil::Date]) -> usize {
    let mut flat = Outcomes::default();
    let mut tree = Outcomes::default();
    let mut n_compared = 0;
    for (index, description) in descriptions.iter().enumerate() {
        for as_of in dates {
            rulebook.evaluate_outcomes(description, *as_of, &mut flat);
            rulebook.evaluate_outcomes_by_tree(description, *as_of, &mut tree);
            let context = || format!("{name}, description {index}, {as_of}");
            assert_eq!(flat.redlines, tree.redlines, "redlines: {}", context());
            assert_eq!(flat.classifications, tree.classifications, "classifications: {}", context());
            assert_eq!(flat.obligations, tree.obligations, "obligations: {}", context());
            assert_eq!(flat.trace(), tree.trace(), "trace: {}", context());
            n_compared += 1;
        }
    }
    n_compared
}

fn dates(texts: &[&str]) -> Vec<jiff::civil::Date> {
    texts.iter().map(|date| date.parse().expect("a date")).collect()
}

#[test]
fn the_flat_form_gives_the_outcomes_and_trace_of_the_tree() {
    let files = description_files();
    let mut n_compared = 0usize;
    for (name, rulebook) in rulebooks() {
        let mut as_written = dates(&DATES);
        as_written.extend(rulebook.compiled().examples.iter().map(|example| example.as_of));
        let mut descriptions = descriptions(&rulebook, &files);
        if name == "generated" {
            let system = rulebook.load_description(generated::SYSTEM.as_bytes(), Format::Json);
            descriptions.push(system.expect("the benchmark's description loads"));
        }
        if name == "eu_slice" {
            for text in eu_slice_descriptions::eu_slice_descriptions() {
                let system = rulebook.load_description(text.as_bytes(), Format::Json);
                descriptions.push(system.expect("the benchmark's description loads"));
            }
        }
        assert!(!descriptions.is_empty(), "{name}: no description loads");
        n_compared += compare(&name, &rulebook, &descriptions, &as_written);
        let variants: Vec<Description> =
            descriptions.iter().flat_map(|description| variants(&rulebook, description)).collect();
        n_compared += compare(&name, &rulebook, &variants, &dates(&VARIANT_DATES));
    }
    assert!(n_compared >= 10_000, "compared only {n_compared} decisions");
}

/// The hot path runs flat: every condition of the generated benchmark rulebook and of the EU AI
/// Act is lowered, and the generated rulebook's without a single leaf left to the tree.
#[test]
fn conditions_are_lowered() {
    for (name, rulebook) in rulebooks() {
        let compiled = rulebook.compiled();
        let mut conditions = Vec::new();
        for redline in &compiled.redlines {
            conditions.push(&redline.flat);
            let mut stack: Vec<_> = redline.exceptions.iter().collect();
            while let Some(exception) = stack.pop() {
                conditions.push(&exception.flat);
                stack.extend(&exception.exceptions);
            }
        }
        for classification in &compiled.classifications {
            conditions.extend(branches_with_when(classification));
        }
        for obligation in &compiled.obligations {
            if obligation.when.is_some() {
                conditions.push(&obligation.flat);
            }
        }
        assert!(conditions.iter().all(|flat| !flat.is_empty()), "{name}: a condition was not lowered");
        if name == "generated" {
            let tree_leaves = conditions.iter().flat_map(|flat| flat.ops()).filter(|op| matches!(op, Op::Tree(_)));
            assert_eq!(tree_leaves.count(), 0, "the generated rulebook leaves leaves to the tree");
        }
    }
}

fn branches_with_when(
    classification: &concord_lang::ir::IrClassification,
) -> impl Iterator<Item = &concord_lang::ir::flat::FlatCondition> {
    classification.branches.iter().filter(|branch| branch.when.is_some()).map(|branch| &branch.flat)
}

/// A term without parameters read once by the conditions (or a single instruction) is written
/// into the condition that reads it: the EU slice's `annex_iii_area` becomes the first
/// instruction of `high_risk`'s branch, an intersection with the constant set, and no condition
/// of the slice reads a term through the cache.
#[test]
fn terms_read_once_are_inlined() {
    let (_, rulebook) = rulebooks().into_iter().find(|(name, _)| name == "eu_slice").expect("the EU slice");
    let compiled = rulebook.compiled();
    let high_risk = compiled.classifications.first().expect("high_risk");
    let branch = high_risk.branches.first().expect("its first branch");
    assert!(matches!(branch.flat.ops().first(), Some(Op::EnumIntersectsPath { .. })), "{:?}", branch.flat.ops());
    let reads_term = |op: &Op| match op {
        Op::Truth(operand) => matches!(operand, Operand::Term(_)),
        Op::Member { element, collection, .. } => [element, collection].iter().any(|o| matches!(o, Operand::Term(_))),
        Op::Compare { left, right, .. } => [left, right].iter().any(|o| matches!(o, Operand::Term(_))),
        _ => false,
    };
    let conditions = compiled
        .classifications
        .iter()
        .flat_map(branches_with_when)
        .chain(compiled.redlines.iter().map(|redline| &redline.flat));
    for flat in conditions {
        assert!(!flat.ops().iter().any(reads_term), "{:?}", flat.ops());
    }
}

/// The verdicts-only machine (`CompiledRulebook::machine`) decides the EU slice on its own:
/// every benchmark description on a date in force; the evaluator takes over before the
/// rulebook applies and where a fact the machine reads is not a plain value (its outcomes and
/// trace are then the evaluator's, which `the_flat_form_gives_the_outcomes_and_trace_of_the_tree`
/// checks both ways). The generated rulebook, whose redlines read a term of two facts, has no
/// machine.
#[test]
fn the_machine_decides_what_it_can() {
    let all = rulebooks();
    let planned = |wanted: &str| {
        let (_, rulebook) = all.iter().find(|(name, _)| name == wanted).expect("a rulebook");
        rulebook.compiled().machine.is_some()
    };
    assert!(planned("eu_slice"), "the EU slice has no machine");
    assert!(!planned("generated"), "the generated rulebook reads a term of two facts, yet has a machine");
    // Obligations are weighed by the evaluator after the machine.
    assert!(planned("us.ca.sb53"), "SB 53's classifications have no machine");
    let (_, rulebook) = all.iter().find(|(name, _)| name == "eu_slice").expect("the EU slice");
    let mut out = Outcomes::default();
    let in_force = dates(&["2026-10-01"])[0];
    let before = dates(&["2024-07-31"])[0];
    for text in eu_slice_descriptions::eu_slice_descriptions() {
        let description = rulebook.load_description(text.as_bytes(), Format::Json).expect("a description");
        rulebook.evaluate_outcomes(&description, in_force, &mut out);
        assert!(out.decided_by_machine(), "not decided by the machine: {text}");
        rulebook.evaluate_outcomes(&description, before, &mut out);
        assert!(!out.decided_by_machine(), "decided by the machine before the rulebook applies");
        // `model.general_purpose` unknown: the chain of `systemic_risk` cannot read it.
        let schema = &rulebook.compiled().schema;
        let root = schema.root.and_then(|root| schema.record(root)).expect("the System record");
        let model = root.fields.iter().position(|field| field.name == "model").expect("the model's slot");
        let unknown = with_field(description.value(), &[model, 0], &Value::Unknown).expect("a record");
        rulebook.evaluate_outcomes(&rulebook.description_from_value(unknown), in_force, &mut out);
        assert!(!out.decided_by_machine(), "decided by the machine with a fact unknown");
    }
    // The corpus's rulebook for the machine: decided by it from the day its last exception
    // applies (2026-08-02), where its facts are plain; by the evaluator before that day.
    let (_, compact) =
        all.iter().find(|(name, _)| name.ends_with("compact_rulebook/rulebook.concord")).expect("the corpus case");
    let systems = repository().join("tests/corpus/eval/compact_rulebook/systems");
    let mut by_machine = Vec::new();
    for name in ["prohibited", "exempted_by_research", "research_in_public", "purposes_unknown", "supervision_unknown"]
    {
        let text = std::fs::read(systems.join(format!("{name}.json"))).expect("a system");
        let description = compact.load_description(&text, Format::Json).expect("a description");
        compact.evaluate_outcomes(&description, dates(&["2026-01-01"])[0], &mut out);
        assert!(!out.decided_by_machine(), "{name} decided by the machine before an exception applies");
        compact.evaluate_outcomes(&description, dates(&["2026-10-01"])[0], &mut out);
        by_machine.push((name, out.decided_by_machine()));
    }
    // An unknown set of purposes is weighed by the machine (every guarded redline weighed with
    // an unknown guard) until a classification's chain cannot read it.
    assert_eq!(
        by_machine,
        [
            ("prohibited", true),
            ("exempted_by_research", true),
            ("research_in_public", true),
            ("purposes_unknown", false),
            ("supervision_unknown", false)
        ]
    );
}
