//! Editing one rule re-checks that rule alone: salsa's event log shows which queries ran.

use std::sync::{Arc, Mutex};

use concord_lang::Engine;
use concord_lang::db::{Database, items};
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

/// Every query execution, as (query debug text, key id).
type Log = Arc<Mutex<Vec<(String, salsa::Id)>>>;

fn engine_with_log() -> (Engine, Log) {
    let log: Log = Arc::default();
    let sink = log.clone();
    let db = Database::with_event_callback(Box::new(move |event| {
        if let salsa::EventKind::WillExecute { database_key } = event.kind {
            sink.lock().unwrap().push((format!("{database_key:?}"), database_key.key_index()));
        }
    }));
    (Engine::with_database(db), log)
}

fn ran(log: &Log, query: &str, id: salsa::Id) -> bool {
    log.lock().unwrap().iter().any(|(text, key)| text.starts_with(query) && *key == id)
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
    assert!(ran(&log, "check_item", alpha) && ran(&log, "check_item", beta), "the first check runs both");

    log.lock().unwrap().clear();
    let edited = RULEBOOK.replace("contains social_scoring", "contains emotion_recognition_workplace");
    engine.add_source("inc.concord", &edited);
    assert!(engine.diagnostics(file).is_empty());
    assert!(ran(&log, "parse", alpha), "the edited item is parsed again");
    assert!(ran(&log, "check_item", alpha), "the edited item is checked again");
    assert!(!ran(&log, "parse", beta), "the other item is not parsed again");
    assert!(!ran(&log, "check_item", beta), "the other item is not checked again");
}

#[test]
fn inserting_text_above_an_item_does_not_recheck_it() {
    let (mut engine, log) = engine_with_log();
    let file = engine.add_source("inc.concord", RULEBOOK);
    assert!(engine.diagnostics(file).is_empty());
    let beta = item_id(&engine, file, "beta");
    log.lock().unwrap().clear();
    let edited = RULEBOOK.replace("redline alpha {", "// A comment that moves everything below it.\nredline alpha {");
    engine.add_source("inc.concord", &edited);
    let diagnostics = engine.diagnostics(file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!ran(&log, "check_item", beta), "a moved item keeps its check result");
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
    log.lock().unwrap().clear();
    engine.add_source("terms.concord", &text.replace("> 1e25 FLOP", "> 1e26 FLOP"));
    assert!(engine.diagnostics(file).is_empty());
    assert!(!ran(&log, "check_item", user), "the term's type did not change, so its user is not re-checked");
}
