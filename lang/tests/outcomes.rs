//! The verdicts-only path (`Rulebook::evaluate_outcomes`) gives exactly the verdicts of the full
//! path (`Rulebook::evaluate`), for every bundled description, on dates around every deadline.

use std::path::Path;

use concord_lang::{EvalOptions, Format, Outcomes, Step};

#[test]
fn verdicts_only_agree_with_full_verdicts_on_every_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut engine = concord_lang::Engine::default();
    let file = engine.add_file(&root.join("examples/ai_rules.concord")).unwrap();
    let rulebook = engine.compile(file).unwrap();
    let mut descriptions = Vec::new();
    for entry in std::fs::read_dir(root.join("examples/systems")).unwrap() {
        let path = entry.unwrap().path();
        let format = Format::from_path(&path).unwrap();
        descriptions.push(rulebook.load_description(&std::fs::read(&path).unwrap(), format).unwrap());
    }
    for example in &rulebook.compiled().examples {
        descriptions.push(rulebook.description_from_value(example.system.clone()));
    }
    let dates = [
        "2024-07-31",
        "2025-02-01",
        "2025-02-02",
        "2026-08-01",
        "2026-09-04",
        "2026-09-16",
        "2026-10-12",
        "2027-01-01",
    ];
    let mut outcomes = Outcomes::default();
    let mut n_compared = 0;
    for description in &descriptions {
        for date in dates {
            let as_of = date.parse().unwrap();
            let full = rulebook.evaluate(description, as_of, EvalOptions { explain: true });
            rulebook.evaluate_outcomes(description, as_of, &mut outcomes);
            let full_redlines: Vec<_> = full.redlines.iter().map(|verdict| verdict.verdict).collect();
            let full_obligations: Vec<_> = full.obligations.iter().map(|verdict| verdict.verdict).collect();
            let full_tiers: Vec<_> = full.classifications.iter().map(|verdict| verdict.tier.clone()).collect();
            let compact_tiers: Vec<_> = outcomes
                .classifications
                .iter()
                .zip(&rulebook.compiled().own_classifications)
                .map(|(tier, idx)| {
                    let classification = &rulebook.compiled().classifications[*idx as usize];
                    let names = &rulebook.schema().enum_def(classification.tiers).unwrap().variants;
                    tier.map(|tier| names[tier as usize].clone())
                })
                .collect();
            assert_eq!(outcomes.redlines, full_redlines, "redlines on {date}");
            assert_eq!(outcomes.obligations, full_obligations, "obligations on {date}");
            assert_eq!(compact_tiers, full_tiers, "classifications on {date}");
            let traced = |wanted: fn(&Step) -> bool| outcomes.trace().iter().filter(|step| wanted(step)).count();
            // A redline in force whose condition is false leaves no step; every other one does.
            let weighed = full
                .redlines
                .iter()
                .filter(|verdict| {
                    verdict.verdict != concord_lang::RedlineOutcome::NotProhibited
                        || !verdict
                            .basis
                            .explanation
                            .iter()
                            .any(|line| line.starts_with("condition `") && line.ends_with("is false"))
                })
                .count();
            assert_eq!(traced(|step| matches!(step, Step::Redline(_))), weighed, "redlines traced on {date}");
            assert_eq!(traced(|step| matches!(step, Step::Obligation(_))), full.obligations.len());
            n_compared += 1;
        }
    }
    assert!(n_compared >= 100, "compared {n_compared} evaluations");
}

/// One compiled rulebook serves several threads at once, each with its own `Outcomes`, and they
/// all reach the verdicts a single thread reaches.
#[test]
fn one_rulebook_is_shared_across_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut engine = concord_lang::Engine::default();
    let file = engine.add_file(&root.join("examples/ai_rules.concord")).unwrap();
    let rulebook = engine.compile(file).unwrap();
    let mut paths: Vec<_> =
        std::fs::read_dir(root.join("examples/systems")).unwrap().map(|entry| entry.unwrap().path()).collect();
    paths.sort();
    let descriptions: Vec<_> = paths
        .iter()
        .map(|path| rulebook.load_description(&std::fs::read(path).unwrap(), Format::from_path(path).unwrap()).unwrap())
        .collect();
    let as_of = "2026-10-12".parse().unwrap();
    let verdicts_of = |outcomes: &mut Outcomes| -> Vec<(Vec<_>, Vec<_>, Vec<_>)> {
        descriptions
            .iter()
            .map(|description| {
                rulebook.evaluate_outcomes(description, as_of, outcomes);
                (outcomes.redlines.clone(), outcomes.classifications.clone(), outcomes.obligations.clone())
            })
            .collect()
    };
    let alone = verdicts_of(&mut Outcomes::default());
    let together: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let verdicts_of = &verdicts_of;
                scope.spawn(move || {
                    let mut outcomes = Outcomes::default();
                    (0..50).map(|_| verdicts_of(&mut outcomes)).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect()
    });
    assert_eq!(together.len(), 200);
    assert!(together.iter().all(|verdicts| *verdicts == alone));
}

/// A description carries the summaries of the sets its rulebook's guards test, made when it was
/// loaded; evaluated by another compilation of the rulebook (whose list of sets is its own), the
/// summaries are made again (by the verdicts-only machine, which decides this rulebook) and the
/// outcomes and trace are the same.
#[test]
fn a_description_loaded_by_another_compilation_gives_the_same_outcomes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source = std::fs::read_to_string(root.join("bench/policy/eu_slice.concord")).unwrap();
    let compile = || {
        let mut engine = concord_lang::Engine::default();
        let file = engine.add_source("eu_slice.concord", &source);
        engine.compile(file).unwrap()
    };
    let (one, other) = (compile(), compile());
    let text = br#"{"purposes": ["emotion_recognition", "credit_scoring"],
        "model": {"general_purpose": true, "training_compute": 2e25},
        "deployment": {"workplace": true, "education": false, "public_spaces": false,
                       "real_time": false, "law_enforcement": false},
        "profiles_persons": false, "infers_sensitive_attributes": false, "medical_or_safety": false,
        "judicial_authorisation": false, "narrow_procedural_task": true}"#;
    let description = one.load_description(text, Format::Json).unwrap();
    let as_of = "2026-10-01".parse().unwrap();
    let (mut by_one, mut by_other) = (Outcomes::default(), Outcomes::default());
    one.evaluate_outcomes(&description, as_of, &mut by_one);
    other.evaluate_outcomes(&description, as_of, &mut by_other);
    assert_eq!(by_one, by_other);
    assert_eq!(by_one.trace(), by_other.trace());
    // Both by the verdicts-only machine: the other compilation's with the summaries made again.
    assert!(by_one.decided_by_machine() && by_other.decided_by_machine());
    // Emotion recognition at work: prohibited; credit scoring with a narrow procedural task and
    // no profiling: not high-risk; a general-purpose model above 10^25 FLOP: systemic risk.
    assert!(by_one.redlines.contains(&concord_lang::RedlineOutcome::Prohibited));
    assert_eq!(by_one.classifications, [Some(1), Some(0)]);
}
