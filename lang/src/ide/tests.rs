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
              high_impact_determination,
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
fn goto_role_applied_through_an_alias() {
    check_goto(
        r#"
import eu.ai_act as eu
term x = some p in system.parties satisfies eu.prov$0ider(p)
"#,
        expect!["std/eu_ai_act.concord `provider`"],
    );
}

#[test]
fn goto_alias_of_an_application_goes_to_the_rulebook() {
    check_goto(
        r#"
import eu.ai_act as eu
term x = some p in system.parties satisfies e$0u.provider(p)
"#,
        expect!["std/eu_ai_act.concord `eu.ai_act`"],
    );
}

#[test]
fn hover_role_applied_through_an_alias() {
    check_hover(
        r#"
import eu.ai_act as eu
term x = some p in system.parties satisfies eu.dep$0loyer(p)
"#,
        expect![[r#"
            [deployer]
            ```concord
            role deployer(party in system.parties)
            ```

            Declared in `eu.ai_act`.

            A deployer uses an AI system under its authority, except in a personal non-professional
            activity (the lexicon's `uses` already excludes personal use).

            Cites: Art. 3(4), 2(10) (binding, verified 2026-11-26)

            Mapped:

            - overlapping with `utilisation_operator` of `kr.ai_basic_act` (cites AI Basic Act, definition of AI business operator), by mapping `roles` of `map.eu_ai_act.kr_ai_basic_act`
            - overlapping with `ai_business_operator` of `kr.ai_basic_act` (cites AI Basic Act, definition of AI business operator), by mapping `roles` of `map.eu_ai_act.kr_ai_basic_act`
            - equivalent to `deployer` of `us.co.sb26_189` (cites Colorado SB 26-189, definition of deployer), by mapping `roles` of `map.eu_ai_act.us_co_sb26_189`
        "#]],
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
            developer (role)
            later_of (later_of(date, date, …) -> date)
            earlier_of (earlier_of(date, date, …) -> date)
            first_of (first_of(date, date, …) -> date)
            countries (countries(set of string) -> set of string)"#]],
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
fn hover_an_endeavour_duty_says_it_is_never_violated() {
    check_hover(
        r#"
/// Operators endeavour to assess the impact on fundamental rights.
obligation rights_impact_assess$0ment {
  cite "AI Basic Act, Art. 35" status binding
  requires use
  endeavour
  evidence assessment in system.assessments where assessment.kind == fundamental_rights_impact
  dated assessment.completed_on
}
"#,
        expect![[r#"
            [rights_impact_assessment]
            ```concord
            obligation rights_impact_assessment
            ```

            A duty to endeavour: never `violated`; where an ordinary duty would be, whether the efforts were made needs judgement.

            Operators endeavour to assess the impact on fundamental rights.

            Cites: AI Basic Act, Art. 35 (binding)
        "#]],
    );
}

#[test]
fn complete_endeavour_inside_an_obligation() {
    let (engine, file, offset) = load("\nobligation o {\n  cite \"x\"\n  endea$0\n}\n");
    let completions = super::completions(engine.database(), file, offset);
    assert!(completions.iter().any(|it| it.label == "endeavour" && it.kind == super::CompletionKind::Keyword));
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

/// Two rulebooks and a mapping between them, each file with a `$0` cursor somewhere or none.
const MAPPED: [(&str, &str); 3] = [
    (
        "eu.concord",
        r#"rulebook demo.eu { title "EU" }
import std.lexicon
term systemic_model = system.model.training_compute.pretraining > 1e25 FLOP
  cite "EU AI Act, Art. 51(2)" status binding
enum Use { chatbot, scoring }
"#,
    ),
    (
        "ca.concord",
        r#"rulebook demo.ca { title "California" }
import std.lexicon
term frontier_model = system.model.training_compute.pretraining > 1e26 FLOP
  cite "Bus. & Prof. Code § 22757.11(i)" status binding
classification scope {
  cite "Sec. 1"
  tier covered when frontier_model
    cite "Sec. 2(a)"
  otherwise out
}
"#,
    ),
    (
        "map.concord",
        r#"rulebook demo.map { title "EU and California" }
import demo.eu as eu
import demo.ca as ca
mapping models {
  cite "Concordance" status commentary
  ca.frontier_model is narrower than eu.systemic_model
  eu.Use.chatbot is overlapping with ca.scope.covered
}
mapping more {
  eu.systemic_model is disjoint from ca.scope.out
}
"#,
    ),
];

/// The hover at the first occurrence of `needle` (plus `delta` bytes) in the file at `path`,
/// with the files of `MAPPED` loaded.
fn hover_mapped(path: &str, needle: &str, delta: u32) -> String {
    let mut engine = Engine::default();
    for (path, text) in MAPPED {
        engine.add_source(path, text);
    }
    let (_, text) = MAPPED.iter().find(|(it, _)| *it == path).expect("a file of the fixture");
    let file = engine.add_source(path, text);
    let file = engine.source_file(file);
    let offset = text.find(needle).expect("the needle is in the file") as u32 + delta;
    super::hover(engine.database(), file, offset).map_or_else(|| "no hover".to_owned(), |info| info.markdown)
}

#[test]
fn hover_a_mapped_term_lists_its_counterparts_from_either_side() {
    expect![[r#"
        ```concord
        term systemic_model: bool
        ```

        Cites: EU AI Act, Art. 51(2) (binding)

        Mapped:

        - broader than `frontier_model` of `demo.ca` (cites Bus. & Prof. Code § 22757.11(i)), by mapping `models` of `demo.map`
        - disjoint from `scope.out` of `demo.ca`, by mapping `more` of `demo.map`
    "#]]
    .assert_eq(&hover_mapped("eu.concord", "systemic_model", 2));
    expect![[r#"
        ```concord
        term frontier_model: bool
        ```

        Cites: Bus. & Prof. Code § 22757.11(i) (binding)

        Mapped:

        - narrower than `systemic_model` of `demo.eu` (cites EU AI Act, Art. 51(2)), by mapping `models` of `demo.map`
    "#]]
    .assert_eq(&hover_mapped("ca.concord", "frontier_model", 2));
}

#[test]
fn hover_a_mapped_enum_value_or_tier_lists_its_counterparts() {
    expect![[r#"
        ```concord
        Use.chatbot
        ```

        Mapped:

        - overlapping with `scope.covered` of `demo.ca` (cites Sec. 2(a)), by mapping `models` of `demo.map`
    "#]]
    .assert_eq(&hover_mapped("eu.concord", "chatbot", 1));
    expect![[r#"
        ```concord
        tier covered of classification scope
        ```

        Cites: Sec. 2(a)

        Mapped:

        - overlapping with `Use.chatbot` of `demo.eu`, by mapping `models` of `demo.map`
    "#]]
    .assert_eq(&hover_mapped("ca.concord", "covered", 1));
}

#[test]
fn hover_on_a_claim_side_shows_the_counterparts_too() {
    expect![[r#"
        ```concord
        term frontier_model: bool
        ```

        Declared in `demo.ca`.

        Cites: Bus. & Prof. Code § 22757.11(i) (binding)

        Mapped:

        - narrower than `systemic_model` of `demo.eu` (cites EU AI Act, Art. 51(2)), by mapping `models` of `demo.map`
    "#]]
    .assert_eq(&hover_mapped("map.concord", "frontier_model", 1));
}

#[test]
fn hover_a_standard_library_term_lists_the_standard_library_mappings() {
    // As an editor opens it from the cache: the embedded path is the file's path in the database.
    let engine = Engine::default();
    let db = engine.database();
    let file = crate::db::workspace_files(db)
        .into_iter()
        .find(|file| file.path(db).ends_with("us_ca_sb53.concord"))
        .expect("the standard library has SB 53");
    let offset = file.text(db).find("term frontier_model").unwrap() as u32 + 6;
    let markdown = super::hover(db, file, offset).unwrap().markdown;
    let mapped = markdown.split_once("Mapped:\n").map_or("", |(_, mapped)| mapped);
    // The standard library grows: pin the claims of the EU mapping, not every line.
    let eu: Vec<&str> = mapped.lines().filter(|line| line.contains("map.eu_ai_act.us_ca_sb53")).collect();
    expect![[r#"
        - overlapping with `compute_presumption` of `eu.ai_act` (cites Art. 51(2)), by mapping `models` of `map.eu_ai_act.us_ca_sb53`
        - overlapping with `systemic_risk_model` of `eu.ai_act` (cites Art. 51(1)-(2), 52(2)-(4)), by mapping `models` of `map.eu_ai_act.us_ca_sb53`"#]]
    .assert_eq(&eu.join("\n"));
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

// ----- outlines, highlighting, references, rename, code actions, formatting ----------------------

fn line_col(text: &str, offset: u32) -> String {
    let before = text.get(..offset as usize).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |idx| idx + 1) + 1;
    format!("{line}:{column}")
}

fn check_references(text: &str, expect: Expect) {
    let (engine, file, offset) = load(text);
    let db = engine.database();
    let actual: Vec<String> = super::references(db, file, offset)
        .iter()
        .map(|reference| {
            let target = reference.range.file.text(db);
            let written = target.get(reference.range.span.start as usize..reference.range.span.end as usize).unwrap();
            let mark = if reference.is_declaration { " (declaration)" } else { "" };
            format!(
                "{} {} `{written}`{mark}",
                reference.range.file.path(db),
                line_col(target, reference.range.span.start)
            )
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_rename(text: &str, new_name: &str, expect: Expect) {
    let (engine, file, offset) = load(text);
    let db = engine.database();
    let actual = match super::rename(db, file, offset, new_name) {
        Ok(edits) => {
            let mut renamed = file.text(db).clone();
            let mut edits: Vec<_> = edits.into_iter().filter(|(range, _)| range.file == file).collect();
            edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.span.start));
            for (range, new_text) in edits {
                renamed.replace_range(range.span.start as usize..range.span.end as usize, &new_text);
            }
            // The fixture's head, by its lines: a renamed enum value is declared there.
            renamed.split_inclusive('\n').skip(FIXTURE_HEAD.lines().count()).collect()
        }
        Err(error) => format!("refused: {}", error.message),
    };
    expect.assert_eq(&actual);
}

#[test]
fn references_of_a_term_span_uses_and_the_declaration() {
    check_references(
        r#"
term big = system.model.pretraining > 1e25 FLOP
term uses_big = bi$0g and not big
classification tier_of {
  cite "x"
  tier high when big
  otherwise low
}
"#,
        expect![[r#"
            test.concord 35:6 `big` (declaration)
            test.concord 36:17 `big`
            test.concord 36:29 `big`
            test.concord 39:18 `big`"#]],
    );
}

#[test]
fn references_of_a_local_stay_in_its_binder() {
    check_references(
        r#"
term a = some incident in system.incidents satisfies inci$0dent.serious and incident.id == "x"
term b = some incident in system.incidents satisfies incident.serious
"#,
        expect![[r#"
            test.concord 35:15 `incident` (declaration)
            test.concord 35:54 `incident`
            test.concord 35:75 `incident`"#]],
    );
}

#[test]
fn references_of_a_field_include_example_systems_and_paths() {
    check_references(
        r#"
term serious_ones = some incident in system.incidents satisfies incident.ser$0ious
example "e" {
  as_of 2026-01-01
  system { incidents: [{ id: "a", serious: true, aware_at: 2026-01-01 }] }
  expect serious_ones is true
}
"#,
        expect![[r#"
            test.concord 21:3 `serious` (declaration)
            test.concord 35:74 `serious`
            test.concord 38:35 `serious`"#]],
    );
}

#[test]
fn references_of_a_tier_include_expectations() {
    check_references(
        r#"
classification risk {
  cite "x"
  tier hi$0gh when true
  otherwise low
}
term is_high = risk == high
example "e" {
  as_of 2026-01-01
  system { }
  expect risk is high
  expect risk is one of {high, low}
}
"#,
        expect![[r#"
            test.concord 37:8 `high` (declaration)
            test.concord 40:24 `high`
            test.concord 44:18 `high`
            test.concord 45:26 `high`"#]],
    );
}

#[test]
fn rename_a_term_everywhere() {
    check_rename(
        r#"
term big = true
term uses_big = bi$0g and not big
"#,
        "large",
        expect![[r#"

            term large = true
            term uses_big = large and not large
        "#]],
    );
}

#[test]
fn rename_is_refused_for_the_standard_library_reserved_words_and_collisions() {
    let (engine, file, _) = load("term a = true\nterm b = a$0\nrole r(party in system.parties) = party.develops\n");
    let db = engine.database();
    let text = file.text(db).clone();
    let at = |needle: &str| text.find(needle).unwrap() as u32;
    let refused = |offset: u32, new_name: &str| match super::rename(db, file, offset, new_name) {
        Ok(_) => "accepted".to_owned(),
        Err(error) => error.message,
    };
    expect![[r#"
        `and` is a reserved word
        `1x` is not a name: a name is a letter or `_` followed by letters, digits and `_`
        `b` is already declared in `test.concord`
        `term` is a keyword of the language; choose another name
        `System` is the type of `system` and keeps its name
        `develops` is already used here; renaming would change what it means
        accepted"#]]
    .assert_eq(
        &[
            refused(at("a = true"), "and"),
            refused(at("a = true"), "1x"),
            refused(at("a = true"), "b"),
            refused(at("a = true"), "term"),
            refused(at("System"), "Root"),
            refused(at("party in"), "develops"),
            refused(at("party in"), "holder"),
        ]
        .join("\n"),
    );
    let mut engine = Engine::default();
    let file = engine.add_source(
        "user.concord",
        "rulebook u.x { title \"u\" }\nimport std.lexicon\nterm t = system.interacts_with_people\n",
    );
    let source = engine.source_file(file);
    let db = engine.database();
    let offset = source.text(db).find("interacts").unwrap() as u32;
    let error = super::rename(db, source, offset, "talks").unwrap_err();
    assert!(error.message.contains("declared in the standard library"), "{}", error.message);
}

#[test]
fn renaming_an_enum_value_rewrites_it_in_example_systems_bare_and_quoted() {
    check_rename(
        r#"
term scores = system.purposes contains social$0_scoring
example "e" {
  as_of 2026-01-01
  system { purposes: [social_scoring, chatbot], "incidents": [] }
  expect scores is true
}
example "f" {
  as_of 2026-01-01
  system { purposes: ["social_scoring"], parties: [{ develops: true }] }
  expect scores is true
}
"#,
        "scoring",
        expect![[r#"

            term scores = system.purposes contains scoring
            example "e" {
              as_of 2026-01-01
              system { purposes: [scoring, chatbot], "incidents": [] }
              expect scores is true
            }
            example "f" {
              as_of 2026-01-01
              system { purposes: ["scoring"], parties: [{ develops: true }] }
              expect scores is true
            }
        "#]],
    );
}

#[test]
fn a_value_in_an_example_system_resolves_by_the_type_of_its_field() {
    // A word spelled like an enum value where the field is a string is not the value.
    let text = r#"
term chat = system.purposes contains chatbot
example "e" {
  as_of 2026-01-01
  system { incidents: [{ id: "chatbot", serious: false, aware_at: 2026-01-01 }], purposes: [chat$0bot] }
  expect chat is true
}
"#;
    check_references(
        text,
        expect![[r#"
            test.concord 32:3 `chatbot` (declaration)
            test.concord 35:38 `chatbot`
            test.concord 38:93 `chatbot`"#]],
    );
    check_hover(
        text,
        expect![[r#"
            [chatbot]
            ```concord
            Purpose.chatbot
            ```
        "#]],
    );
}

#[test]
fn renaming_a_value_descriptions_write_carries_a_caution() {
    let (engine, file, offset) = load(
        "term scores = system.purposes contains social$0_scoring\nenum Local { a, b }\nterm t(x: Local) = x == a\n",
    );
    let db = engine.database();
    expect![[r#"`social_scoring` is a value of `Purpose` that descriptions write (`System.purposes`): description files (JSON, YAML) outside the rulebooks that write it would not be updated by this rename"#]]
    .assert_eq(&super::rename_caution(db, file, offset).unwrap_or_default());
    // An enum no record field takes is written in rulebooks only.
    let local = file.text(db).rfind("== a").unwrap() as u32 + 3;
    assert_eq!(super::rename_caution(db, file, local), None);
}

#[test]
fn document_symbols_nest_fields_exceptions_and_tiers() {
    let (engine, file, _) = load(
        r#"
/// Doc.
term big(x: number) = x > 1$0
redline r {
  cite "x"
  forbids use
  when big(2)
  unless a { when true unless b { when false } }
}
classification c {
  cite "x"
  tier high when big(3)
  otherwise low
}
obligation o {
  cite "x"
  requires use
  evidence p in system.parties
  unless d { when big(4) unless e { when false } }
}
"#,
    );
    let db = engine.database();
    fn show(symbol: &super::Symbol, depth: usize, out: &mut Vec<String>) {
        let detail = symbol.detail.as_deref().map(|detail| format!(" {detail}")).unwrap_or_default();
        out.push(format!("{}{:?} {}{detail}", "  ".repeat(depth), symbol.kind, symbol.name));
        for child in &symbol.children {
            show(child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for symbol in super::document_symbols(db, file).iter().filter(|symbol| {
        symbol.name != "System"
            && symbol.name != "Model"
            && symbol.name != "Party"
            && symbol.name != "Incident"
            && symbol.name != "Report"
    }) {
        show(symbol, 0, &mut out);
    }
    expect![[r#"
        Item(Rulebook) test.rules
        Item(Enum) Purpose
          Variant social_scoring
          Variant chatbot
        Item(Term) big (x: number)
        Item(Redline) r
          Exception a unless
            Exception b unless
        Item(Classification) c
          Tier high
          Tier low otherwise
        Item(Obligation) o
          Exception d unless
            Exception e unless"#]]
    .assert_eq(&out.join("\n"));
    let symbols = super::workspace_symbols(db, "scor");
    let names: Vec<String> =
        symbols.iter().map(|symbol| format!("{} in {}", symbol.name, symbol.file.path(db))).collect();
    assert!(names.contains(&"social_scoring in test.concord".to_owned()), "{names:?}");
    assert!(names.iter().any(|name| name.starts_with("credit_scoring in std/")), "{names:?}");
}

#[test]
fn folding_ranges_cover_items_blocks_and_comment_runs() {
    let (engine, file, _) = load(
        r#"
// One.
// Two.
redline r {
  forbids use
  when true
}$0
"#,
    );
    let db = engine.database();
    let text = file.text(db);
    let folds: Vec<String> = super::folding_ranges(db, file)
        .iter()
        .filter(|fold| fold.span.start as usize >= FIXTURE_HEAD.len())
        .map(|fold| format!("{:?} {}-{}", fold.kind, line_col(text, fold.span.start), line_col(text, fold.span.end)))
        .collect();
    expect![[r#"
        Comment 35:1-36:8
        Region 37:1-40:2"#]]
    .assert_eq(&folds.join("\n"));
}

#[test]
fn highlights_classify_keywords_names_fields_and_literals() {
    let (engine, file, _) =
        load("/// Doc.\nterm big = system.model.pretraining > 1e25 FLOP and Purpose.chatbot in system.purposes$0\n");
    let db = engine.database();
    let text = file.text(db);
    let shown: Vec<String> = super::highlights(db, file)
        .iter()
        .filter(|highlight| highlight.span.start as usize >= FIXTURE_HEAD.len())
        .map(|highlight| {
            let written = text.get(highlight.span.start as usize..highlight.span.end as usize).unwrap();
            let mut modifiers = String::new();
            for (on, name) in [
                (highlight.documentation, " doc"),
                (highlight.declaration, " decl"),
                (highlight.default_library, " lib"),
            ] {
                if on {
                    modifiers.push_str(name);
                }
            }
            format!("{written} {:?}{modifiers}", highlight.kind)
        })
        .collect();
    expect![[r#"
        /// Doc. Comment doc
        term Keyword
        big Function decl
        = Operator
        system Variable lib
        model Property
        pretraining Property
        > Operator
        1e25 Number
        FLOP Type
        and Keyword
        Purpose Enum
        chatbot EnumMember
        in Keyword
        system Variable lib
        purposes Property"#]]
    .assert_eq(&shown.join("\n"));
}

#[test]
fn highlights_endeavour_as_a_keyword() {
    let (engine, file, _) = load("obligation o {\n  cite \"x\"\n  endeavour$0\n}\n");
    let db = engine.database();
    let text = file.text(db);
    let endeavour = super::highlights(db, file)
        .into_iter()
        .find(|highlight| text.get(highlight.span.start as usize..highlight.span.end as usize) == Some("endeavour"))
        .map(|highlight| format!("{:?}", highlight.kind));
    assert_eq!(endeavour.as_deref(), Some("Keyword"));
}

#[test]
fn code_actions_apply_did_you_mean_and_add_a_missing_otherwise() {
    let (engine, file, _) = load(
        r#"
term big = system.model.pretrainig > 1 FLOP
classification c {
  cite "x"
  tier high when big
}$0
"#,
    );
    let db = engine.database();
    let text = file.text(db);
    let everything = crate::syntax::ast::Span::new(0, text.len());
    let actions: Vec<String> = super::code_actions(db, file, everything)
        .iter()
        .map(|action| {
            let edits: Vec<String> = action
                .edits
                .iter()
                .map(|(range, new_text)| format!("{} {new_text:?}", line_col(text, range.span.start)))
                .collect();
            format!("{} [{}]: {}", action.title, action.code, edits.join(", "))
        })
        .collect();
    expect![[r#"
        replace with `pretraining` [unknown-field]: 35:25 "pretraining"
        add `otherwise minimal` [classification-not-exhaustive]: 39:1 "  otherwise minimal\n""#]]
    .assert_eq(&actions.join("\n"));
}

#[test]
fn formatting_edits_only_what_changes() {
    let mut engine = Engine::default();
    let file = engine.add_source("f.concord", "rulebook f.x { title \"f\" }\n\nterm   big=true\n");
    let file = engine.source_file(file);
    let db = engine.database();
    let edit = super::formatting(db, file).unwrap();
    let text = file.text(db);
    assert_eq!(text.get(edit.span.start as usize..edit.span.end as usize), Some("  big="));
    assert_eq!(edit.new_text, "big = ");
    assert_eq!(super::minimal_edit("é a", "é b").unwrap().span, crate::syntax::ast::Span::new(3, 4));
}
