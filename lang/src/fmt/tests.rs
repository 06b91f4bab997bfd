//! Tests of the formatter: snapshots of the canonical layout, and idempotence and preservation of
//! the syntax trees over every rulebook of the repository that parses.

use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};

use super::{FormatError, format_source, same_syntax};

fn check(input: &str, expect: Expect) {
    let formatted = match format_source("test.concord", input) {
        Ok(formatted) => formatted,
        Err(error) => panic!("not formatted: {error:?}"),
    };
    expect.assert_eq(&formatted);
    assert_eq!(format_source("test.concord", &formatted).as_deref(), Ok(formatted.as_str()), "not idempotent");
}

#[test]
fn clauses_are_indented_and_continuations_go_one_level_deeper() {
    check(
        r#"rulebook demo.x {
title "X"
      jurisdiction   "EU"
}
import std.lexicon
/// Social scoring.
redline social_scoring {
cite "Art. 5(1)(c)" status binding
forbids placing_on_market,use
when system.purposes contains social_scoring
         and system.purposes contains law_enforcement
   /// Research.
         unless research {
  when system.purposes contains scientific_research
  }
}
"#,
        expect![[r#"
            rulebook demo.x {
              title "X"
              jurisdiction "EU"
            }

            import std.lexicon

            /// Social scoring.
            redline social_scoring {
              cite "Art. 5(1)(c)" status binding
              forbids placing_on_market, use
              when system.purposes contains social_scoring
                and system.purposes contains law_enforcement
              /// Research.
              unless research {
                when system.purposes contains scientific_research
              }
            }
        "#]],
    );
}

#[test]
fn exceptions_of_obligations_are_blocks_like_those_of_redlines() {
    check(
        r#"obligation verification {
cite "Art. 14(5)" status binding
requires placing_on_market
evidence feature in system.design_features where feature.kind == two_person_verification
      /// Disproportionate by law.
   unless disproportionate {
 cite "Art. 14(5)" status binding
      when system.two_person_verification_disproportionate_by_law
          and system.purposes contains law_enforcement
  unless inner { when false }
    }
}
"#,
        expect![[r#"
            obligation verification {
              cite "Art. 14(5)" status binding
              requires placing_on_market
              evidence feature in system.design_features where feature.kind == two_person_verification
              /// Disproportionate by law.
              unless disproportionate {
                cite "Art. 14(5)" status binding
                when system.two_person_verification_disproportionate_by_law
                  and system.purposes contains law_enforcement
                unless inner { when false }
              }
            }
        "#]],
    );
}

#[test]
fn operators_brackets_and_calls_are_spaced() {
    check(
        r#"term above( amount:USD,threshold : USD )=amount>threshold
term x=- 1 + 2*3 - -4 >= ( 5 - 1 )
term y = system . purposes intersects { a , b } and not(above(1 USD,2 USD))
"#,
        expect![[r#"
            term above(amount: USD, threshold: USD) = amount > threshold

            term x = -1 + 2 * 3 - -4 >= (5 - 1)

            term y = system.purposes intersects {a, b} and not (above(1 USD, 2 USD))
        "#]],
    );
}

#[test]
fn comments_and_doc_comments_are_kept_in_place() {
    check(
        r#"rulebook demo.c { title "C" }   // the header



//// ----------
//// Banner
//// ----------
/// A term.
term t = true // always   
  // a note on the citation
     cite "Art. 1"
// trailing comment
"#,
        expect![[r#"
            rulebook demo.c { title "C" } // the header

            //// ----------
            //// Banner
            //// ----------
            /// A term.
            term t = true // always
              // a note on the citation
              cite "Art. 1"
            // trailing comment
        "#]],
    );
}

#[test]
fn classification_citations_after_a_branch_belong_to_it() {
    check(
        r#"classification risk_tier {
cite "Art. 6"
tier high when annex_iii_area
cite "Annex III"
tier systemic when system.model.general_purpose
and total > 1e25 FLOP
otherwise minimal
}
"#,
        expect![[r#"
            classification risk_tier {
              cite "Art. 6"
              tier high when annex_iii_area
                cite "Annex III"
              tier systemic when system.model.general_purpose
                and total > 1e25 FLOP
              otherwise minimal
            }
        "#]],
    );
}

#[test]
fn parentheses_and_sets_spanning_lines_indent_past_the_continuation() {
    check(
        r#"term law_enforcement = system.purposes intersects {victim_risk,
evidence_reliability, criminal_profiling}
or (system.purposes contains polygraph
and system.purposes contains law_enforcement)
redline r {
  when a
  or (b
  and c)
}
"#,
        expect![[r#"
            term law_enforcement = system.purposes intersects {victim_risk,
                evidence_reliability, criminal_profiling}
              or (system.purposes contains polygraph
                and system.purposes contains law_enforcement)

            redline r {
              when a
                or (b
                  and c)
            }
        "#]],
    );
}

#[test]
fn examples_objects_and_arrays() {
    check(
        r#"example "a report" {
as_of 2026-10-01
system {
purposes: [credit_scoring,social_scoring]
parties: [{name: "Acme",develops: true}]
model: {pretraining: 1e22, delta: -5}

incidents: []
}
expect risk_tier is one of { high , limited }
expect serious_incident_report is violated
}
"#,
        expect![[r#"
            example "a report" {
              as_of 2026-10-01
              system {
                purposes: [credit_scoring, social_scoring]
                parties: [{ name: "Acme", develops: true }]
                model: { pretraining: 1e22, delta: -5 }

                incidents: []
              }
              expect risk_tier is one of {high, limited}
              expect serious_incident_report is violated
            }
        "#]],
    );
}

#[test]
fn blank_lines_are_one_between_items_and_none_inside_brackets() {
    check(
        r#"


import std.lexicon
import std.other as other
term a = true term b = false
record R {

  /// The name.
  name: string


  other: optional set of Purpose

}
enum E { x, y, }
mapping m {
  cite "Table" status commentary
  a is narrower than
    b
    cite "Row 1"
  c.d is equivalent to e
}
"#,
        expect![[r#"
            import std.lexicon
            import std.other as other

            term a = true

            term b = false

            record R {
              /// The name.
              name: string

              other: optional set of Purpose
            }

            enum E { x, y, }

            mapping m {
              cite "Table" status commentary
              a is narrower than
                b
                cite "Row 1"
              c.d is equivalent to e
            }
        "#]],
    );
}

#[test]
fn obligation_clauses_and_deadlines() {
    check(
        r#"obligation report {
requires placing_on_market by provider
for each incident in system.incidents
where incident.serious
evidence report in system.reports where report.incident==incident.id
dated report.submitted_on
due within 15 days of incident.aware_at + 2 days
}
"#,
        expect![[r#"
            obligation report {
              requires placing_on_market by provider
              for each incident in system.incidents
                where incident.serious
              evidence report in system.reports where report.incident == incident.id
              dated report.submitted_on
              due within 15 days of incident.aware_at + 2 days
            }
        "#]],
    );
}

#[test]
fn endeavour_is_a_clause_of_its_own() {
    check(
        r#"obligation assessment {
requires use by operator
    endeavour
evidence assessment in system.assessments where assessment.kind == fundamental_rights_impact
dated assessment.completed_on
due by system.placed_on_market_on endeavour
}
"#,
        expect![[r#"
            obligation assessment {
              requires use by operator
              endeavour
              evidence assessment in system.assessments where assessment.kind == fundamental_rights_impact
              dated assessment.completed_on
              due by system.placed_on_market_on endeavour
            }
        "#]],
    );
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_its_diagnostics() {
    let source = "rulebook a.b { title \"x\" }\nterm broken = \nterm fine = true\n";
    match format_source("broken.concord", source) {
        Err(FormatError::Syntax(diagnostics)) => {
            assert!(diagnostics.iter().any(|diagnostic| diagnostic.code == "syntax-error"), "{diagnostics:?}");
        }
        other => panic!("expected syntax errors, got {other:?}"),
    }
}

#[test]
fn an_empty_file_stays_empty_and_a_file_gets_one_final_newline() {
    assert_eq!(format_source("e.concord", ""), Ok(String::new()));
    assert_eq!(format_source("e.concord", "\n\n  \n"), Ok(String::new()));
    assert_eq!(format_source("e.concord", "term x = true\n\n\n"), Ok("term x = true\n".to_owned()));
    assert_eq!(format_source("e.concord", "term x = true\r\n"), Ok("term x = true\n".to_owned()));
}

/// Every `.concord` file of the repository, and every `concord` block of the language reference.
fn repository_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["stdlib", "examples", "tests/corpus", "docs"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    let mut sources = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("concord") => sources.push((name, text)),
            Some("md") => {
                for (idx, block) in text.split("```concord\n").skip(1).enumerate() {
                    let block = block.split("```").next().unwrap_or("");
                    sources.push((format!("{name} block {}", idx + 1), block.to_owned()));
                }
            }
            _ => {}
        }
    }
    sources
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "concord" || ext == "md") {
            out.push(path);
        }
    }
}

#[test]
fn every_rulebook_of_the_repository_formats_idempotently_to_the_same_trees() {
    let sources = repository_sources();
    assert!(sources.len() > 50, "found only {} sources", sources.len());
    let mut n_formatted = 0;
    for (name, source) in &sources {
        let formatted = match format_source(name, source) {
            Ok(formatted) => formatted,
            // Corpus cases of syntax errors are left as they are.
            Err(FormatError::Syntax(_)) => continue,
            Err(FormatError::ChangesMeaning) => panic!("formatting `{name}` would change its meaning"),
        };
        n_formatted += 1;
        assert!(same_syntax(source, &formatted), "`{name}` formats to different trees");
        let again = format_source(name, &formatted).unwrap();
        assert!(again == formatted, "formatting `{name}` is not idempotent:\n{formatted}\n---\n{again}");
    }
    assert!(n_formatted > 40, "formatted only {n_formatted} sources");
}

#[test]
fn the_standard_library_keeps_its_shape() {
    // The formatter's style is the one the standard library is written in: formatting it moves
    // few lines. This pins how close, so a change of style is a reviewed decision.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib");
    let mut n_lines = 0;
    let mut n_changed = 0;
    for name in ["lexicon.concord", "eu_ai_act.concord", "us_ca_sb53.concord"] {
        let source = std::fs::read_to_string(root.join(name)).unwrap();
        let formatted = format_source(name, &source).unwrap();
        let written: std::collections::BTreeSet<&str> = source.lines().collect();
        n_lines += source.lines().count();
        n_changed += formatted.lines().filter(|line| !written.contains(line)).count();
    }
    assert!(n_changed * 20 < n_lines, "{n_changed} of {n_lines} lines change");
}

#[test]
fn the_blocks_of_the_formatting_guide_are_formatted() {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/fmt.md")).unwrap();
    for block in guide.split("```concord\n").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        assert_eq!(format_source("docs/fmt.md", block).as_deref(), Ok(block));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The example rulebook with its tokens joined by arbitrary whitespace still formats soundly:
    /// either it no longer parses (and is refused), or it formats to the same trees, idempotently.
    #[test]
    fn arbitrary_whitespace_between_tokens_formats_soundly(
        seps in proptest::collection::vec(0usize..12, 2000),
    ) {
        let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ai_rules.concord")).unwrap();
        let tokens = crate::syntax::lexer::lex(&source);
        let mut text = String::new();
        let mut seps = seps.iter().cycle();
        for token in tokens.iter().filter(|token| !matches!(token.kind, crate::syntax::lexer::TokenKind::Whitespace | crate::syntax::lexer::TokenKind::Newline)) {
            let piece = token.text(&source);
            text.push_str(match seps.next() {
                Some(0) => "",
                Some(1..=6) => " ",
                Some(7 | 8) => "\n",
                Some(9) => "\n\n\n   ",
                _ => "\t",
            });
            text.push_str(piece);
            if token.kind == crate::syntax::lexer::TokenKind::Comment {
                text.push('\n');
            }
        }
        match format_source("fuzz.concord", &text) {
            Ok(formatted) => {
                proptest::prop_assert!(same_syntax(&text, &formatted));
                proptest::prop_assert_eq!(format_source("fuzz.concord", &formatted), Ok(formatted.clone()));
            }
            Err(FormatError::Syntax(_)) => {}
            Err(FormatError::ChangesMeaning) => proptest::prop_assert!(false, "changes meaning:\n{}", text),
        }
    }
}
