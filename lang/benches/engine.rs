//! Benchmarks of the two figures the language core promises:
//! - evaluating a compiled rulebook of ~100 rules against a pre-parsed description;
//! - checking a generated 10,000-line rulebook from cold (a new database each time).
//!
//! Run with `cargo bench -p concord-lang --bench engine`. The rulebooks are generated (`support/generated.rs`,
//! shared with the language server's latency benchmark) so the figures do not depend on files that
//! change for other reasons.

use std::hint::black_box;

use concord_lang::{Engine, EvalOptions, Format};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generated.rs"]
mod generated;

use generated::{SYSTEM, generated_rulebook};

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
    group.finish();
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

criterion_group!(benches, evaluation, checking);
criterion_main!(benches);
