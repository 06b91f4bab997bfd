//! The VS Code extension's TextMate grammar (`editors/vscode/syntaxes/concord.tmLanguage.json`)
//! does not drift from the lexer: every keyword the lexer knows is highlighted as one, every word
//! the grammar highlights as a keyword is one the lexer knows, and the primitive types are the
//! checker's. The grammar's scopes themselves are tested by `npm test` in `editors/vscode`
//! (`vscode-tmgrammar-test` over `editors/vscode/test/*.concord`).

use std::collections::BTreeSet;

use concord_lang::check::schema::BUILTIN_TYPES;
use concord_lang::syntax::lexer::KEYWORDS;
use serde_json::Value;

const GRAMMAR: &str = "editors/vscode/syntaxes/concord.tmLanguage.json";

fn grammar() -> Value {
    let text = std::fs::read_to_string(GRAMMAR).unwrap_or_else(|error| panic!("{GRAMMAR}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{GRAMMAR}: {error}"))
}

/// The words listed in the `(?:a|b|c)` groups of a regular expression.
fn alternatives(pattern: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for group in pattern.split("(?:").skip(1) {
        let Some((body, _)) = group.split_once(')') else { continue };
        if body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '|') {
            words.extend(body.split('|').filter(|word| !word.is_empty()).map(str::to_owned));
        }
    }
    words
}

/// The words of every `match` in a repository entry of the grammar.
fn words_of(grammar: &Value, entry: &str) -> BTreeSet<String> {
    let entry = &grammar["repository"][entry];
    let mut patterns: Vec<&Value> = vec![entry];
    if let Some(nested) = entry["patterns"].as_array() {
        patterns.extend(nested);
    }
    patterns.iter().filter_map(|pattern| pattern["match"].as_str()).flat_map(alternatives).collect()
}

#[test]
fn every_lexer_keyword_is_a_keyword_of_the_grammar_and_no_other_word_is() {
    let grammar = grammar();
    let highlighted = words_of(&grammar, "keywords");
    let known: BTreeSet<String> = KEYWORDS.iter().map(|word| (*word).to_owned()).collect();
    let missing: Vec<&String> = known.difference(&highlighted).collect();
    let unknown: Vec<&String> = highlighted.difference(&known).collect();
    assert!(missing.is_empty(), "keywords of the lexer that {GRAMMAR} does not highlight: {missing:?}");
    assert!(unknown.is_empty(), "words {GRAMMAR} highlights as keywords that the lexer does not know: {unknown:?}");
}

#[test]
fn the_grammar_knows_the_keywords_a_number_is_not_followed_by_as_a_unit() {
    // `250 and x`: a keyword after a number is not its unit.
    let grammar = grammar();
    let excluded = words_of(&grammar, "quantities");
    let missing: Vec<&&str> = KEYWORDS.iter().filter(|word| !excluded.contains(**word)).collect();
    assert!(missing.is_empty(), "keywords {GRAMMAR} would read as units after a number: {missing:?}");
}

#[test]
fn the_primitive_types_of_the_grammar_are_the_checkers() {
    let grammar = grammar();
    let highlighted = words_of(&grammar, "types");
    let builtin: BTreeSet<String> = BUILTIN_TYPES.iter().map(|word| (*word).to_owned()).collect();
    assert_eq!(highlighted, builtin, "{GRAMMAR} and the checker disagree on the primitive types");
}

#[test]
fn the_grammar_is_the_one_the_extension_contributes() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string("editors/vscode/package.json").expect("editors/vscode/package.json"),
    )
    .expect("package.json is JSON");
    let grammars = manifest["contributes"]["grammars"].as_array().expect("contributes.grammars");
    assert!(
        grammars.iter().any(|entry| entry["path"] == "./syntaxes/concord.tmLanguage.json"
            && entry["scopeName"] == grammar()["scopeName"]
            && entry["language"] == "concord"),
        "package.json does not contribute {GRAMMAR}"
    );
    let languages = manifest["contributes"]["languages"].as_array().expect("contributes.languages");
    assert!(languages.iter().any(|entry| entry["id"] == "concord" && entry["extensions"][0] == ".concord"));
}
