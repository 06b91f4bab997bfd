//! Recurring duties (`due every N months from E`) over long spans: periods before the duty
//! applies are skipped without being judged, and an event that starts more periods than are
//! judged one by one ends in one `undetermined` instance instead of being cut off silently.

use concord_lang::eval::verdict::ObligationOutcome;
use concord_lang::{Engine, EvalOptions, Format};

const RULEBOOK: &str = r#"rulebook recurring.bounds { title "Recurring duties over long spans" }
import std.lexicon

obligation daily_log {
  cite "test" status binding
  requires use
  evidence log in system.documents where log.kind == technical_documentation
  dated log.dated_on
  due every 1 day from system.placed_on_market_on
}

obligation daily_log_from_2026 {
  cite "test" status binding
  applies from 2026-01-01
  requires use
  evidence log in system.documents where log.kind == technical_documentation
  dated log.dated_on
  due every 1 day from system.placed_on_market_on
}
"#;

fn verdicts(placed_on_market: &str, as_of: &str) -> concord_lang::eval::verdict::RulebookVerdicts {
    let mut engine = Engine::default();
    let file = engine.add_source("recurring.concord", RULEBOOK);
    let rulebook = engine.compile(file).unwrap();
    let system = format!(
        r#"{{"model": {{"general_purpose": false, "open_weights": false, "training_compute": {{"pretraining": 1e20}}}},
            "parties": [], "purposes": [],
            "deployment": {{"jurisdictions": ["EU"], "publicly_accessible_spaces": false, "real_time": false}},
            "interacts_with_people": false, "generates_synthetic_content": false,
            "placed_on_market_on": "{placed_on_market}",
            "documents": [{{"kind": "technical_documentation", "dated_on": "{as_of}", "published": false}}]}}"#
    );
    let description = rulebook.load_description(system.as_bytes(), Format::Json).unwrap();
    rulebook.evaluate(&description, as_of.parse().unwrap(), EvalOptions { explain: false })
}

#[test]
fn more_periods_than_judged_end_in_one_undetermined_instance() {
    // 1 January 1990 to 1 June 2026: more than 13,000 daily periods, none of them documented but
    // the last.
    let verdicts = verdicts("1990-01-01", "2026-06-01");
    let unbounded = &verdicts.obligations[0];
    assert_eq!(unbounded.instances.len(), 10_001);
    assert_eq!(unbounded.instances[0].instance, "$ period 1 (1990-01-01 to 1990-01-02)");
    assert_eq!(unbounded.instances[0].verdict, ObligationOutcome::Violated);
    let last = unbounded.instances.last().unwrap();
    assert_eq!(last.instance, "$ periods from 2017-05-20");
    assert_eq!(last.verdict, ObligationOutcome::Undetermined);
    assert_eq!(unbounded.verdict, ObligationOutcome::Violated);
}

#[test]
fn periods_before_the_duty_applies_are_skipped_not_counted() {
    let verdicts = verdicts("1990-01-01", "2026-01-03");
    let from_2026 = &verdicts.obligations[1];
    let shown: Vec<(&str, ObligationOutcome)> =
        from_2026.instances.iter().map(|instance| (instance.instance.as_str(), instance.verdict)).collect();
    // Period 1 runs from the day of the event to the day after; each later daily period is one
    // day. Period 13149 ends on 1 January 2026, the first day the duty applies; the one running
    // on the evaluation date is documented.
    assert_eq!(
        shown,
        [
            ("$ period 13149 (2026-01-01 to 2026-01-01)", ObligationOutcome::Violated),
            ("$ period 13150 (2026-01-02 to 2026-01-02)", ObligationOutcome::Violated),
            ("$ period 13151 (2026-01-03 to 2026-01-03)", ObligationOutcome::Satisfied),
        ]
    );
}
