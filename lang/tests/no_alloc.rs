//! The verdicts-only hot path allocates nothing per decision once its buffers are warm.
//!
//! `allocation-counter` replaces the global allocator in this test binary only (which is why
//! this is a test binary of its own) and counts the allocations of the current thread.

use std::path::{Path, PathBuf};

use concord_lang::{Description, Engine, Format, Outcomes, Rulebook};

#[path = "../benches/support/eu_slice_descriptions.rs"]
mod eu_slice_descriptions;
#[path = "../benches/support/generated.rs"]
mod generated;

const DATES: [&str; 6] = ["2024-07-31", "2025-02-02", "2026-08-01", "2026-09-16", "2026-10-12", "2027-01-01"];

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every description under `examples/systems`, loaded against `rulebook`'s schema.
fn example_descriptions(rulebook: &Rulebook) -> Vec<Description> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repository().join("examples/systems"))
        .expect("examples/systems is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    paths.sort();
    let mut descriptions: Vec<Description> = paths
        .iter()
        .map(|path| {
            let format = Format::from_path(path).expect("a description format");
            let text = std::fs::read(path).expect("a readable description");
            rulebook.load_description(&text, format).unwrap_or_else(|errors| panic!("{}: {errors:?}", path.display()))
        })
        .collect();
    for example in &rulebook.compiled().examples {
        descriptions.push(rulebook.description_from_value(example.system.clone()));
    }
    descriptions
}

/// Warms the buffers up on every input once, then counts the allocations of many decisions.
fn assert_no_allocations(name: &str, rulebook: &Rulebook, descriptions: &[Description]) {
    let dates: Vec<jiff::civil::Date> = DATES.iter().map(|date| date.parse().expect("a date")).collect();
    let mut outcomes = Outcomes::default();
    for description in descriptions {
        for as_of in &dates {
            rulebook.evaluate_outcomes(description, *as_of, &mut outcomes);
        }
    }
    let mut decisions = 0usize;
    let info = allocation_counter::measure(|| {
        for _ in 0..20 {
            for description in descriptions {
                for as_of in &dates {
                    rulebook.evaluate_outcomes(description, *as_of, &mut outcomes);
                    decisions += 1;
                }
            }
        }
    });
    assert!(decisions >= 100, "{name}: only {decisions} decisions");
    assert_eq!(
        (info.count_total, info.bytes_total),
        (0, 0),
        "{name}: {} allocations ({} bytes) over {decisions} decisions",
        info.count_total,
        info.bytes_total
    );
}

#[test]
fn the_generated_hundred_rules_allocate_nothing_per_decision() {
    let mut engine = Engine::default();
    let file = engine.add_source("bench.concord", &generated::generated_rulebook("bench.rules", 90, 10));
    let rulebook = engine.compile(file).expect("the generated rulebook compiles");
    let mut descriptions = example_descriptions(&rulebook);
    descriptions.push(rulebook.load_description(generated::SYSTEM.as_bytes(), Format::Json).expect("loads"));
    assert_no_allocations("generated", &rulebook, &descriptions);
}

#[test]
fn the_eu_ai_act_allocates_nothing_per_decision() {
    let engine = Engine::default();
    let file = engine.rulebook_by_id("eu.ai_act").expect("the standard library has eu.ai_act");
    let rulebook = engine.compile(file).expect("eu.ai_act compiles");
    let descriptions = example_descriptions(&rulebook);
    assert_no_allocations("eu.ai_act", &rulebook, &descriptions);
}

#[test]
fn the_example_rulebook_allocates_nothing_per_decision() {
    let mut engine = Engine::default();
    let file = engine.add_file(&repository().join("examples/ai_rules.concord")).expect("the example rulebook reads");
    let rulebook = engine.compile(file).expect("the example rulebook compiles");
    let descriptions = example_descriptions(&rulebook);
    assert_no_allocations("examples/ai_rules", &rulebook, &descriptions);
}

/// The verdicts-only machine (`CompiledRulebook::machine`) decides the EU slice of the peer
/// benchmark, and SB 53's classifications before the evaluator weighs its obligations: neither
/// allocates either.
#[test]
fn the_verdicts_only_machine_allocates_nothing_per_decision() {
    let mut engine = Engine::default();
    let file = engine.add_source("eu_slice.concord", include_str!("../../bench/policy/eu_slice.concord"));
    let rulebook = engine.compile(file).expect("the EU slice compiles");
    let descriptions: Vec<Description> = eu_slice_descriptions::eu_slice_descriptions()
        .iter()
        .map(|text| rulebook.load_description(text.as_bytes(), Format::Json).expect("loads"))
        .collect();
    assert!(rulebook.compiled().machine.is_some(), "the EU slice has no machine");
    assert_no_allocations("eu_slice", &rulebook, &descriptions);

    let engine = Engine::default();
    let file = engine.rulebook_by_id("us.ca.sb53").expect("the standard library has us.ca.sb53");
    let rulebook = engine.compile(file).expect("us.ca.sb53 compiles");
    assert!(rulebook.compiled().machine.is_some(), "SB 53 has no machine");
    assert_no_allocations("us.ca.sb53", &rulebook, &example_descriptions(&rulebook));
}
