//! In-process tests of hover, go to definition and completion: `$0` marks the cursor.

use expect_test::{Expect, expect};

use crate::Engine;

/// A small schema of its own, so the snapshots do not move when the standard library grows.
const FIXTURE_HEAD: &str = r#"rulebook test.rules { title "Test" }
/// The system under evaluation.
record System {
  /// The model it is built on.
  model: Model
  purposes: set of Purpose
  parties: list of Party
  incidents: list of Incident
  reports: list of Report
}
record Model {
  /// Compute used in pre-training.
  pretraining: FLOP
  fine_tuning: optional FLOP
}
record Party {
  develops: bool
}
record Incident {
  id: string
  serious: bool
  aware_at: date
}
record Report {
  incident: string
  submitted_on: date
}
/// What a system is for.
enum Purpose {
  /// Scoring people by their social behaviour.
  social_scoring,
  chatbot,
}
"#;

/// Loads `text` (with `$0` removed) as `test.concord` and returns the engine, file and cursor.
fn load(text: &str) -> (Engine, crate::db::SourceFile, u32) {
    let full = format!("{FIXTURE_HEAD}{text}");
    let offset = full.find("$0").expect("the fixture has a `$0` cursor") as u32;
    let mut engine = Engine::default();
    let file = engine.add_source("test.concord", &full.replace("$0", ""));
    let source = engine.source_file(file);
    (engine, source, offset)
}

fn check_hover(text: &str, expect: Expect) {
    let (engine, file, offset) = load(text);
    let db = engine.database();
    let actual = match super::hover(db, file, offset) {
        Some(info) => {
            let text = file.text(db);
            let covered = text.get(info.span.start as usize..info.span.end as usize).unwrap_or("?");
            format!("[{covered}]\n{}", info.markdown)
        }
        None => "no hover".to_owned(),
    };
    expect.assert_eq(&actual);
}

fn check_goto(text: &str, expect: Expect) {
    let (engine, file, offset) = load(text);
    let db = engine.database();
    let actual = match super::goto_definition(db, file, offset) {
        Some(range) => {
            let target_text = range.file.text(db);
            let name = target_text.get(range.span.start as usize..range.span.end as usize).unwrap_or("?");
            match crate::stdlib::is_stdlib_path(range.file.path(db)) {
                // The standard library grows: pin the file, not the line.
                true => format!("{} `{name}`", range.file.path(db)),
                false => {
                    let line = target_text.get(..range.span.start as usize).unwrap_or("").matches('\n').count() + 1;
                    format!("{}:{line} `{name}`", range.file.path(db))
                }
            }
        }
        None => "no definition".to_owned(),
    };
    expect.assert_eq(&actual);
}

fn check_completion(text: &str, expect: Expect) {
    let (engine, file, offset) = load(text);
    let db = engine.database();
    let completions = super::completions(db, file, offset);
    let actual: Vec<String> = completions
        .iter()
        .filter(|completion| completion.kind != super::CompletionKind::Keyword)
        .map(|completion| match &completion.detail {
            Some(detail) => format!("{} ({detail})", completion.label),
            None => completion.label.clone(),
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

#[test]
fn hover_term_shows_type_doc_and_citation() {
    check_hover(
        r#"
/// Big models.
term big = system.model.pretraining > 1e25 FLOP
  cite "Art. 51(2)" status binding verified 2026-11-01
term uses_big = bi$0g
"#,
        expect![[r#"
            [big]
            ```concord
            term big: bool
            ```

            Big models.

            Cites: Art. 51(2) (binding, verified 2026-11-01)
        "#]],
    );
}

#[test]
fn hover_system_lists_the_record_fields() {
    check_hover(
        r#"
term x = sys$0tem.model.pretraining > 1 FLOP
"#,
        expect![[r#"
            [system]
            ```concord
            record System {
              model: Model
              purposes: set of Purpose
              parties: list of Party
              incidents: list of Incident
              reports: list of Report
            }
            ```

            The system under evaluation.
        "#]],
    );
}

#[test]
fn hover_field_shows_its_type_and_doc() {
    check_hover(
        r#"
term x = system.model.pretrai$0ning > 1 FLOP
"#,
        expect![[r#"
            [pretraining]
            ```concord
            Model.pretraining: FLOP
            ```

            Compute used in pre-training."#]],
    );
}

#[test]
fn hover_local_of_a_role_shows_its_type() {
    check_hover(
        r#"
role developer(party in system.parties) = par$0ty.develops
"#,
        expect![[r#"
            [party]
            ```concord
            party: Party
            ```
        "#]],
    );
}

#[test]
fn hover_enum_value_after_contains_shows_its_doc() {
    check_hover(
        r#"
term scoring = system.purposes contains social_sc$0oring
"#,
        expect![[r#"
            [social_scoring]
            ```concord
            Purpose.social_scoring
            ```

            Scoring people by their social behaviour."#]],
    );
}

#[test]
fn hover_declaration_from_the_stdlib_names_its_rulebook() {
    check_hover(
        r#"
import std.lexicon as lex
term x = lex.Assessment$0Kind.conformity == lex.AssessmentKind.conformity
"#,
        expect![[r#"
            [AssessmentKind]
            ```concord
            enum AssessmentKind {
              conformity,
              fundamental_rights_impact,
              risk_assessment,
              high_risk_derogation,
            }
            ```

            Declared in `std.lexicon`.
        "#]],
    );
}

#[test]
fn hover_on_a_keyword_is_nothing() {
    check_hover(
        r#"
te$0rm x = true
"#,
        expect!["no hover"],
    );
}

#[test]
fn goto_term_in_the_same_file() {
    check_goto(
        r#"
term big = true
term uses_big = b$0ig
"#,
        expect!["test.concord:35 `big`"],
    );
}

#[test]
fn goto_field() {
    check_goto(
        r#"
term x = system.model.pretrain$0ing > 1 FLOP
"#,
        expect!["test.concord:13 `pretraining`"],
    );
}

#[test]
fn goto_enum_value_goes_to_its_variant() {
    check_goto(
        r#"
term scoring = system.purposes contains social_sc$0oring
"#,
        expect!["test.concord:31 `social_scoring`"],
    );
}

#[test]
fn goto_role_named_by_an_obligation() {
    check_goto(
        r#"
role developer(party in system.parties) = party.develops
obligation report {
  cite "Art. 73" status binding
  requires placing_on_market by develo$0per
  when true
}
"#,
        expect!["test.concord:35 `developer`"],
    );
}

#[test]
fn goto_for_each_variable_from_the_evidence_filter() {
    check_goto(
        r#"
obligation report {
  cite "Art. 73" status binding
  requires placing_on_market
  for each incident in system.incidents where incident.serious
  evidence report in system.reports where report.incident == inci$0dent.id
  dated report.submitted_on
  due within 15 days of incident.aware_at
}
"#,
        expect!["test.concord:38 `incident`"],
    );
}

#[test]
fn goto_enum_of_the_standard_library_through_an_alias() {
    check_goto(
        r#"
import std.lexicon as lex
term x = lex.Assessment$0Kind.conformity == lex.AssessmentKind.conformity
"#,
        expect!["std/lexicon.concord `AssessmentKind`"],
    );
}

#[test]
fn goto_import_goes_to_the_rulebook_header() {
    check_goto(
        r#"
import std.lex$0icon as lex
"#,
        expect!["std/lexicon.concord `std.lexicon`"],
    );
}

#[test]
fn goto_field_named_in_an_example_system() {
    check_goto(
        r#"
example "a chatbot" {
  system { purposes: [chatbot], mod$0el: { pretraining: 1 } }
  expect x is true
}
"#,
        expect!["test.concord:5 `model`"],
    );
}

#[test]
fn complete_fields_after_system_dot() {
    check_completion(
        r#"
term x = system.$0
"#,
        expect![[r#"
            model (Model)
            purposes (set of Purpose)
            parties (list of Party)
            incidents (list of Incident)
            reports (list of Report)"#]],
    );
}

#[test]
fn complete_fields_of_a_nested_record_with_a_partial_word() {
    check_completion(
        r#"
term x = system.model.pre$0
"#,
        expect![[r#"
            pretraining (FLOP)
            fine_tuning (optional FLOP)"#]],
    );
}

#[test]
fn complete_fields_of_a_binder_in_an_item_that_does_not_parse() {
    check_completion(
        r#"
obligation report {
  for each incident in system.incidents where incident.$0
"#,
        expect![[r#"
            id (string)
            serious (bool)
            aware_at (date)"#]],
    );
}

#[test]
fn complete_names_in_scope() {
    check_completion(
        r#"
term big = true
role developer(party in system.parties) = $0
"#,
        expect![[r#"
            party (Party)
            system (System)
            Incident (record)
            Model (record)
            Party (record)
            Purpose (enum)
            Report (record)
            System (record)
            big (term)
            developer (role)"#]],
    );
}

#[test]
fn complete_enum_values_after_enum_name() {
    check_completion(
        r#"
term x = Purpose.$0
"#,
        expect![[r#"
            social_scoring (Purpose)
            chatbot (Purpose)"#]],
    );
}

#[test]
fn complete_keywords_at_the_top_level() {
    let (engine, file, offset) = load("\n$0");
    let completions = super::completions(engine.database(), file, offset);
    assert!(completions.iter().any(|it| it.label == "redline" && it.kind == super::CompletionKind::Keyword));
}

#[test]
fn goto_and_hover_a_term_of_another_rulebook() {
    let mut engine = Engine::default();
    engine.add_source(
        "shared.concord",
        r#"rulebook shared.terms { title "Shared" }
import std.lexicon
/// Systems that talk to people.
term conversational = system.interacts_with_people
  cite "Art. 50(1)" status binding
"#,
    );
    let text = r#"rulebook main.rules { title "Main" }
import std.lexicon
import shared.terms
term x = conversational
"#;
    let file = engine.add_source("main.concord", text);
    let source = engine.source_file(file);
    let offset = text.find("conversational").unwrap() as u32 + 3;
    let db = engine.database();
    let target = super::goto_definition(db, source, offset).unwrap();
    assert_eq!(target.file.path(db), "shared.concord");
    let shared = target.file.text(db);
    assert_eq!(&shared[target.span.start as usize..target.span.end as usize], "conversational");
    let hover = super::hover(db, source, offset).unwrap();
    expect![[r#"
        ```concord
        term conversational: bool
        ```

        Declared in `shared.terms`.

        Systems that talk to people.

        Cites: Art. 50(1) (binding)
    "#]]
    .assert_eq(&hover.markdown);
}

#[test]
fn every_offset_of_the_example_rulebook_answers_without_panicking() {
    let text = include_str!("../../../examples/ai_rules.concord");
    let mut engine = Engine::default();
    let file = engine.add_source("ai_rules.concord", text);
    let source = engine.source_file(file);
    let db = engine.database();
    let mut n_hovers = 0;
    for offset in (0..=text.len()).filter(|offset| text.is_char_boundary(*offset)) {
        let offset = offset as u32;
        n_hovers += usize::from(super::hover(db, source, offset).is_some());
        let _ = super::goto_definition(db, source, offset);
        let _ = super::completions(db, source, offset);
    }
    assert!(n_hovers > 1000, "only {n_hovers} offsets have a hover");
}
