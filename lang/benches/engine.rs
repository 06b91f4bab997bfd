//! Benchmarks of the figures the language core promises:
//! - evaluating a compiled rulebook of ~100 rules against a pre-parsed description;
//! - loading a description from JSON text and deciding, on the fast reader and on the tree
//!   reader, against a floor that deserializes the same JSON into typed structs with serde and
//!   decides by hand (the EU slice of `bench/`, whose policy file this benchmark compiles);
//! - checking a generated 10,000-line rulebook from cold (a new database each time).
//!
//! Run with `cargo bench -p concord-lang --bench engine`. The rulebooks are generated (`support/generated.rs`,
//! shared with the language server's latency benchmark) so the figures do not depend on files that
//! change for other reasons.

use std::hint::black_box;

use concord_lang::{DescriptionBuf, Engine, EvalOptions, Format, Outcomes};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;

#[path = "support/generated.rs"]
mod generated;

use generated::{SYSTEM, generated_rulebook};

#[path = "support/eu_slice_descriptions.rs"]
mod eu_slice_descriptions;
use eu_slice_descriptions::eu_slice_descriptions;

fn evaluation(c: &mut Criterion) {
    let mut engine = Engine::default();
    let file = engine.add_source("bench.concord", &generated_rulebook("bench.rules", 90, 10));
    let diagnostics = engine.diagnostics(file);
    assert!(diagnostics.iter().all(|diagnostic| !diagnostic.is_error()), "{diagnostics:#?}");
    let rulebook = engine.compile(file).expect("the generated rulebook compiles");
    let system = rulebook.load_description(SYSTEM.as_bytes(), Format::Json).expect("the description loads");
    let as_of = "2026-10-01".parse().expect("a date");
    let mut group = c.benchmark_group("evaluate");
    let mut outcomes = concord_lang::Outcomes::default();
    group.bench_function("100 rules, pre-parsed description, verdicts only", |b| {
        b.iter(|| {
            rulebook.evaluate_outcomes(black_box(&system), as_of, &mut outcomes);
            outcomes.redlines.len()
        })
    });
    group.bench_function("100 rules, pre-parsed description, full verdicts", |b| {
        b.iter(|| rulebook.evaluate(black_box(&system), as_of, EvalOptions { explain: false }))
    });
    group.bench_function("100 rules, pre-parsed description, with explanations", |b| {
        b.iter(|| rulebook.evaluate(black_box(&system), as_of, EvalOptions { explain: true }))
    });
    group.bench_function("100 rules, from JSON text", |b| {
        b.iter(|| {
            let system = rulebook.load_description(black_box(SYSTEM.as_bytes()), Format::Json).expect("loads");
            rulebook.evaluate(&system, as_of, EvalOptions { explain: false })
        })
    });
    group.bench_function("100 rules, from JSON text (fast reader), verdicts only", |b| {
        b.iter(|| {
            let system = rulebook.load_description(black_box(SYSTEM.as_bytes()), Format::Json).expect("loads");
            rulebook.evaluate_outcomes(&system, as_of, &mut outcomes);
            outcomes.redlines.len()
        })
    });
    group.bench_function("100 rules, from JSON text (tree reader), verdicts only", |b| {
        b.iter(|| {
            let system = rulebook.load_description_via_tree(black_box(SYSTEM.as_bytes()), Format::Json).expect("loads");
            rulebook.evaluate_outcomes(&system, as_of, &mut outcomes);
            outcomes.redlines.len()
        })
    });
    group.finish();
}

/// The EU slice of the benchmark against Cedar and regorus (`bench/policy/eu_slice.concord`):
/// Concord from JSON text, on each reader, against serde into typed structs and a hand-written
/// decision.
fn from_json(c: &mut Criterion) {
    let mut engine = Engine::default();
    let file = engine.add_source("eu_slice.concord", include_str!("../../bench/policy/eu_slice.concord"));
    let rulebook = engine.compile(file).expect("the EU slice compiles");
    let texts = eu_slice_descriptions();
    let as_of = "2026-10-01".parse().expect("a date");
    let mut outcomes = Outcomes::default();
    // Both sides decide the same three verdicts on every description before anything is timed.
    for text in &texts {
        let system = rulebook.load_description(text.as_bytes(), Format::Json).expect("loads");
        rulebook.evaluate_outcomes(&system, as_of, &mut outcomes);
        let (floor_redline, floor_high, floor_systemic) = floor_decide(text).expect("the floor reads it");
        let redline = outcomes.redlines.contains(&concord_lang::RedlineOutcome::Prohibited);
        assert_eq!(redline, floor_redline, "{text}");
        assert_eq!(outcomes.classifications, vec![Some(u32::from(!floor_high)), Some(u32::from(!floor_systemic))]);
    }
    let mut group = c.benchmark_group("from JSON, EU slice, 8 descriptions");
    group.bench_function("serde into typed structs, decided by hand (floor)", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|text| floor_decide(black_box(text)).map_or(0, |verdicts| usize::from(verdicts.0)))
                .sum::<usize>()
        })
    });
    group.bench_function("Concord, fast reader, verdicts only", |b| {
        b.iter(|| {
            let mut n = 0;
            for text in &texts {
                let system = rulebook.load_description(black_box(text.as_bytes()), Format::Json).expect("loads");
                rulebook.evaluate_outcomes(&system, as_of, &mut outcomes);
                n += outcomes.redlines.len();
            }
            n
        })
    });
    let mut buf = DescriptionBuf::default();
    group.bench_function("Concord, fast reader into a reused buffer, verdicts only", |b| {
        b.iter(|| {
            let mut n = 0;
            for text in &texts {
                let system =
                    rulebook.load_description_into(&mut buf, black_box(text.as_bytes()), Format::Json).expect("loads");
                rulebook.evaluate_outcomes(system, as_of, &mut outcomes);
                n += outcomes.redlines.len();
            }
            n
        })
    });
    group.bench_function("Concord, tree reader, verdicts only", |b| {
        b.iter(|| {
            let mut n = 0;
            for text in &texts {
                let system =
                    rulebook.load_description_via_tree(black_box(text.as_bytes()), Format::Json).expect("loads");
                rulebook.evaluate_outcomes(&system, as_of, &mut outcomes);
                n += outcomes.redlines.len();
            }
            n
        })
    });
    group.bench_function("Concord, fast reader, load only", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|text| rulebook.load_json_fast(black_box(text.as_bytes())).is_some() as usize)
                .sum::<usize>()
        })
    });
    let systems: Vec<_> =
        texts.iter().map(|text| rulebook.load_description(text.as_bytes(), Format::Json).expect("loads")).collect();
    group.bench_function("Concord, pre-parsed, verdicts only", |b| {
        b.iter(|| {
            let mut n = 0;
            for system in &systems {
                rulebook.evaluate_outcomes(black_box(system), as_of, &mut outcomes);
                n += outcomes.redlines.len();
            }
            n
        })
    });
    group.finish();
}

/// The description as typed structs, unknown fields denied (as `bench/src/floor.rs`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorDescription {
    purposes: Vec<FloorPurpose>,
    model: FloorModel,
    deployment: FloorDeployment,
    profiles_persons: bool,
    infers_sensitive_attributes: bool,
    medical_or_safety: bool,
    judicial_authorisation: bool,
    narrow_procedural_task: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorModel {
    general_purpose: bool,
    training_compute: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorDeployment {
    workplace: bool,
    education: bool,
    public_spaces: bool,
    real_time: bool,
    law_enforcement: bool,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum FloorPurpose {
    SubliminalManipulation,
    ExploitingVulnerabilities,
    SocialScoring,
    CrimePrediction,
    FacialScraping,
    EmotionRecognition,
    BiometricCategorisation,
    RemoteBiometricIdentification,
    BiometricIdentification,
    CriticalInfrastructure,
    EducationAssessment,
    EmploymentScreening,
    CreditScoring,
    LawEnforcementAssessment,
    MigrationControl,
    JudicialAssistance,
    Chatbot,
    ContentGeneration,
    MedicalDevice,
    ScientificResearch,
    Translation,
    Recommendation,
    Search,
    CodeGeneration,
}

/// The floor: serde into typed structs, then the slice's three verdicts by hand (as
/// `bench/src/floor.rs`): (a redline is violated, high-risk, systemic risk).
fn floor_decide(text: &str) -> Result<(bool, bool, bool), serde_json::Error> {
    use FloorPurpose as P;
    let d: FloorDescription = serde_json::from_str(text)?;
    let bits = d.purposes.iter().fold(0u32, |acc, purpose| acc | 1 << *purpose as u32);
    let has = |purpose: P| bits & (1 << purpose as u32) != 0;
    let deployment = &d.deployment;
    let redline = has(P::SubliminalManipulation)
        | has(P::ExploitingVulnerabilities)
        | has(P::SocialScoring)
        | (has(P::CrimePrediction) & d.profiles_persons)
        | has(P::FacialScraping)
        | (has(P::EmotionRecognition) & (deployment.workplace | deployment.education) & !d.medical_or_safety)
        | (has(P::BiometricCategorisation) & d.infers_sensitive_attributes)
        | (has(P::RemoteBiometricIdentification)
            & deployment.real_time
            & deployment.public_spaces
            & deployment.law_enforcement
            & !d.judicial_authorisation);
    let annex_iii = bits & (0xFF << 8) != 0;
    // Art. 6(3): a narrow procedural task is not high-risk, unless the system profiles people.
    let high_risk = annex_iii && (!d.narrow_procedural_task || d.profiles_persons);
    let systemic = d.model.general_purpose && d.model.training_compute > 1e25;
    Ok((redline, high_risk, systemic))
}

fn checking(c: &mut Criterion) {
    // About 10,000 lines: 1,100 redlines and 100 obligations.
    let text = generated_rulebook("bench.rules", 1_100, 100);
    let n_lines = text.lines().count();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function(format!("{n_lines}-line rulebook, cold"), |b| {
        b.iter(|| {
            let mut engine = Engine::default();
            let file = engine.add_source("big.concord", black_box(&text));
            let diagnostics = engine.diagnostics(file);
            assert!(diagnostics.iter().all(|diagnostic| !diagnostic.is_error()));
            diagnostics.len()
        })
    });
    group.bench_function(format!("{n_lines}-line rulebook, one edit re-checked"), |b| {
        let mut engine = Engine::default();
        let file = engine.add_source("big.concord", &text);
        let _ = engine.diagnostics(file);
        let mut flip = false;
        b.iter(|| {
            flip = !flip;
            let edited = text.replacen(
                "total_compute > 1e10 FLOP",
                if flip { "total_compute > 2e10 FLOP" } else { "total_compute > 1e10 FLOP" },
                1,
            );
            engine.add_source("big.concord", &edited);
            engine.diagnostics(file).len()
        })
    });
    group.finish();
}

criterion_group!(benches, evaluation, from_json, checking);
criterion_main!(benches);
