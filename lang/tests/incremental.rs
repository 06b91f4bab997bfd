//! Editing one rule re-checks that rule alone: salsa's event log shows which queries ran.

use concord_lang::Engine;
use concord_lang::db::{QueryLog, items};
use salsa::plumbing::AsId;

const RULEBOOK: &str = r#"rulebook inc.rules { title "Incrementality" }
import std.lexicon

redline alpha {
  cite "Art. 1"
  forbids use
  when system.purposes contains social_scoring
}

redline beta {
  cite "Art. 2"
  forbids use
  when system.purposes contains credit_scoring
}
"#;

fn engine_with_log() -> (Engine, QueryLog) {
    let log = QueryLog::default();
    (Engine::with_database(log.database()), log)
}

fn item_id(engine: &Engine, file: concord_lang::FileId, name: &str) -> salsa::Id {
    let db = engine.database();
    items(db, engine.source_file(file)).iter().find(|item| item.name(db) == name).map(|item| item.as_id()).unwrap()
}

#[test]
fn editing_one_redline_does_not_recheck_another() {
    let (mut engine, log) = engine_with_log();
    let file = engine.add_source("inc.concord", RULEBOOK);
    assert!(engine.diagnostics(file).is_empty());
    let (alpha, beta) = (item_id(&engine, file, "alpha"), item_id(&engine, file, "beta"));
    assert!(log.ran("check_item", alpha) && log.ran("check_item", beta), "the first check runs both");

    log.clear();
    let edited = RULEBOOK.replace("contains social_scoring", "contains emotion_recognition_workplace");
    engine.add_source("inc.concord", &edited);
    assert!(engine.diagnostics(file).is_empty());
    assert!(log.ran("parse", alpha), "the edited item is parsed again");
    assert!(log.ran("check_item", alpha), "the edited item is checked again");
    assert!(!log.ran("parse", beta), "the other item is not parsed again");
    assert!(!log.ran("check_item", beta), "the other item is not checked again");
}

#[test]
fn inserting_text_above_an_item_does_not_recheck_it() {
    let (mut engine, log) = engine_with_log();
    let file = engine.add_source("inc.concord", RULEBOOK);
    assert!(engine.diagnostics(file).is_empty());
    let beta = item_id(&engine, file, "beta");
    log.clear();
    let edited = RULEBOOK.replace("redline alpha {", "// A comment that moves everything below it.\nredline alpha {");
    engine.add_source("inc.concord", &edited);
    let diagnostics = engine.diagnostics(file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!log.ran("check_item", beta), "a moved item keeps its check result");
}

#[test]
fn changing_a_term_body_without_changing_its_type_does_not_recheck_its_users() {
    let text = r#"rulebook inc.terms { title "Terms" }
import std.lexicon

term big = system.model.training_compute.pretraining > 1e25 FLOP
  cite "Art. 51"

redline uses_big {
  cite "Art. 5"
  forbids use
  when big
}
"#;
    let (mut engine, log) = engine_with_log();
    let file = engine.add_source("terms.concord", text);
    assert!(engine.diagnostics(file).is_empty());
    let user = item_id(&engine, file, "uses_big");
    log.clear();
    engine.add_source("terms.concord", &text.replace("> 1e25 FLOP", "> 1e26 FLOP"));
    assert!(engine.diagnostics(file).is_empty());
    assert!(!log.ran("check_item", user), "the term's type did not change, so its user is not re-checked");
}
