//! The embedding example (`examples/embed`) builds with the workspace, runs, and prints the
//! verdicts it expects; it exits non-zero on any surprise, so its exit code is the real check.
//!
//! It is run through `cargo run -p concord-embed-example`, with the cargo and target directory of
//! the run that builds these tests. Cargo selects features for that one package, so some
//! dependencies may be compiled again: on a loaded two-core machine that took over two minutes,
//! which is why this run, a build and not a timed program, gets a limit of its own.

#[path = "support/run.rs"]
mod run;

use std::process::Command;
use std::time::Duration;

use run::{repo_root, run_within};

#[test]
fn embedding_example_runs_and_prints_the_expected_verdicts() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["run", "--quiet", "--locked", "-p", "concord-embed-example"])
        .current_dir(repo_root())
        .env_remove("CARGO_TARGET_TMPDIR");
    let run = run_within(command, None, Duration::from_secs(900));
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("compiled demo.ai_rules\n"), "{run}");
    assert!(run.stdout.contains("CitizenScore under demo.ai_rules as of 2026-10-01:"), "{run}");
    assert!(run.stdout.contains("  redline social_scoring: prohibited\n"), "{run}");
    assert!(run.stdout.contains("  classification risk_tier: high\n"), "{run}");
    assert!(run.stdout.contains("  obligation serious_incident_report: satisfied\n"), "{run}");
    assert!(run.stdout.ends_with("all verdicts as expected\n"), "{run}");
}
