//! The rulebooks' own `example` blocks, run as the user runs them: `concord test examples/` and
//! `concord test --stdlib` through the built binary must pass, and every bundled rulebook and
//! system description must check and load cleanly.
//!
//! This file knows the command line only.

#[path = "support/run.rs"]
mod run;

use run::concord;

#[test]
fn examples_of_the_bundled_rulebooks_pass() {
    let run = concord(&["test", "examples/"]);
    assert_eq!(run.code, 0, "{run}");
    let summary = run.stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("examples: ") && summary.ends_with(" passed, 0 failed"), "{run}");
    assert!(!summary.starts_with("examples: 0 passed"), "no example ran\n{run}");
    assert!(!run.stdout.contains("FAILED"), "{run}");
}

#[test]
fn examples_of_the_standard_library_pass() {
    let run = concord(&["test", "--stdlib"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains(" passed, 0 failed"), "{run}");
}

#[test]
fn examples_and_standard_library_together_pass() {
    let run = concord(&["test", "examples", "--stdlib"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn bundled_rulebooks_have_no_diagnostics() {
    let run = concord(&["check", "examples/"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains(": 0 errors, 0 warnings"), "{run}");
}

#[test]
fn bundled_descriptions_load_under_the_demo_rulebook() {
    let run =
        concord(&["eval", "--rulebook", "examples/ai_rules.concord", "examples/systems", "--as-of", "2026-09-01"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stdout.contains("error:"), "{run}");
}
