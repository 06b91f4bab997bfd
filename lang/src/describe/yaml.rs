//! The YAML side of reading a description: YAML text into a document tree, with positions.
//!
//! `serde-saphyr` parses; every value is read as a `Spanned` node so that the tree keeps each
//! value's line and column, and so that a number can be re-read exactly from its source text
//! (the parser itself hands numbers over as `u64`, `i64` or `f64`). The parser's budget bounds
//! nesting depth, node counts and alias expansion ("billion laughs"), so hostile documents fail
//! fast. This module knows nothing of the schema, and nothing of JSON beyond number syntax.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::options::{DuplicateKeyPolicy, NonFiniteFloatPolicy};
use serde_saphyr::{Location, MessageFormatter, Spanned, UserMessageFormatter};

use super::DescriptionError;
use super::tree::{Entry, Key, KeyName, Node, NodeKind, Position, float_kind, one_line};

/// How deeply collections may nest in a YAML description.
const MAX_DEPTH: usize = 64;

/// How many values alias expansion may produce in all: a description has no need for more, and
/// an alias bomb trips this long before it costs time or memory.
const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Parses YAML text (one document) into a tree whose nodes carry their positions.
pub(crate) fn parse_yaml(text: &str) -> Result<Node, DescriptionError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_depth: MAX_DEPTH },
        alias_limits: serde_saphyr::alias_limits! { max_total_replayed_events: MAX_REPLAYED_EVENTS },
        // Duplicate keys reach the tree, so that they are reported with their path, in document
        // order among the other errors.
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        // YAML 1.2 booleans only: `yes`, `no`, `on` and `off` stay strings.
        strict_booleans: true,
        // `.inf` and `1e400` reach the tree and are reported with their path: the first is not a
        // number, and the second, re-read from its text, is out of range.
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    };
    let root: Spanned<YamlKind> =
        serde_saphyr::from_str_with_options(text, options).map_err(|error| syntax_error(&error))?;
    if matches!(root.value, YamlKind::Null) && source_text(text, &root.defined).is_some_and(str::is_empty) {
        return Err(DescriptionError {
            path: "$".to_owned(),
            message: "description is empty".to_owned(),
            line: None,
            column: None,
        });
    }
    Ok(to_node(text, root))
}

/// A YAML value as the parser hands it over, before it becomes a [`Node`].
enum YamlKind {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    String(String),
    Sequence(Vec<Spanned<YamlKind>>),
    Mapping(Vec<(Spanned<YamlKind>, Spanned<YamlKind>)>),
}

impl<'de> Deserialize<'de> for YamlKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<YamlKind, D::Error> {
        deserializer.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = YamlKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<YamlKind, E> {
        Ok(YamlKind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<YamlKind, E> {
        Ok(YamlKind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<YamlKind, D::Error> {
        YamlKind::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<YamlKind, E> {
        Ok(YamlKind::Bool(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<YamlKind, E> {
        Ok(YamlKind::Unsigned(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<YamlKind, E> {
        Ok(YamlKind::Signed(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<YamlKind, E> {
        Ok(YamlKind::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<YamlKind, E> {
        Ok(YamlKind::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<YamlKind, E> {
        Ok(YamlKind::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(YamlKind::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(YamlKind::Mapping(entries))
    }
}

fn to_node(text: &str, spanned: Spanned<YamlKind>) -> Node {
    let position = position(&spanned.referenced);
    let kind = match spanned.value {
        YamlKind::Null => NodeKind::Null,
        YamlKind::Bool(value) => NodeKind::Bool(value),
        YamlKind::Unsigned(value) => number_kind(source_text(text, &spanned.defined), value.to_string()),
        YamlKind::Signed(value) => number_kind(source_text(text, &spanned.defined), value.to_string()),
        YamlKind::Float(value) => {
            let written = source_text(text, &spanned.defined).map_or_else(|| format!("{value:e}"), str::to_owned);
            float_kind(value, &written)
        }
        YamlKind::String(value) => NodeKind::String(value.into_boxed_str()),
        YamlKind::Sequence(items) => NodeKind::Array(items.into_iter().map(|item| to_node(text, item)).collect()),
        YamlKind::Mapping(entries) => NodeKind::Object(
            entries
                .into_iter()
                .map(|(key, value)| Entry { key: to_key(text, key), value: to_node(text, value) })
                .collect(),
        ),
    };
    Node { kind, position }
}

/// An integer's exact source text when it is written as a JSON number, else the parser's value.
fn number_kind(written: Option<&str>, parsed: String) -> NodeKind {
    match written {
        Some(written) if written.parse::<serde_json::Number>().is_ok() => NodeKind::Number(written.into()),
        _ => NodeKind::Number(parsed.into_boxed_str()),
    }
}

fn to_key(text: &str, key: Spanned<YamlKind>) -> Key {
    let position = position(&key.referenced);
    let name = match key.value {
        YamlKind::String(name) => KeyName::Text(name.into_boxed_str()),
        YamlKind::Null => KeyName::NotText("null".into()),
        YamlKind::Bool(value) => KeyName::NotText(value.to_string().into()),
        YamlKind::Unsigned(_) | YamlKind::Signed(_) | YamlKind::Float(_) => {
            let written = source_text(text, &key.defined).unwrap_or("a number");
            KeyName::NotText(one_line(&crate::num::shorten(written, 40)).into())
        }
        YamlKind::Sequence(_) => KeyName::NotText("a list".into()),
        YamlKind::Mapping(_) => KeyName::NotText("an object".into()),
    };
    Key { name, position }
}

/// The text a node was written as, when the parser knows its bytes.
fn source_text<'t>(text: &'t str, location: &Location) -> Option<&'t str> {
    let span = location.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    text.get(start..start.checked_add(len)?)
}

fn position(location: &Location) -> Option<Position> {
    let line = u32::try_from(location.line()).ok().filter(|line| *line > 0)?;
    let column = u32::try_from(location.column()).ok().filter(|column| *column > 0)?;
    Some(Position { line, column })
}

fn syntax_error(error: &serde_saphyr::Error) -> DescriptionError {
    let position = error.location().as_ref().and_then(position);
    let mut original = error;
    while let serde_saphyr::Error::AliasError { error, .. } | serde_saphyr::Error::WithSnippet { error, .. } = original
    {
        original = error;
    }
    let message = match original {
        serde_saphyr::Error::MultipleDocuments { .. } => {
            "a description file holds one YAML document, but this one holds more (a second `---`)".to_owned()
        }
        serde_saphyr::Error::Budget { breach: BudgetBreach::Depth { .. }, .. } => {
            format!("invalid YAML: collections are nested more than {MAX_DEPTH} levels deep")
        }
        serde_saphyr::Error::Budget { .. }
        | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. }
        | serde_saphyr::Error::AliasReplayCounterOverflow { .. } => {
            "invalid YAML: the document is too large or expands too many aliases; descriptions are limited so that alias bombs fail fast".to_owned()
        }
        original => format!("invalid YAML: {}", one_line(&UserMessageFormatter.format_message(original))),
    };
    DescriptionError {
        path: "$".to_owned(),
        message,
        line: position.map(|position| position.line),
        column: position.map(|position| position.column),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use expect_test::expect;

    use super::*;
    use crate::describe::tests::{dec, load_yaml, rendered};
    use crate::value::Value;

    fn kind(text: &str) -> NodeKind {
        parse_yaml(text).unwrap().kind
    }

    /// The `System` record's slot `index` after loading `text`.
    fn system_slot(text: &str, index: usize) -> Value {
        let Value::Record(system) = load_yaml(text).unwrap() else { panic!("not a record") };
        system[index].clone()
    }

    #[test]
    fn yaml_exponent_number_is_exact() {
        assert_eq!(system_slot("employees: 1e25\n", 6), Value::Number(dec("1e25")));
    }

    #[test]
    fn yaml_long_integer_is_exact() {
        assert_eq!(
            system_slot("employees: 10000000000000000000000001\n", 6),
            Value::Number(dec("10000000000000000000000001"))
        );
    }

    #[test]
    fn yaml_twenty_six_digit_power_of_ten_is_exact() {
        assert_eq!(system_slot("employees: 10000000000000000000000000\n", 6), Value::Number(dec("1e25")));
    }

    #[test]
    fn yaml_ten_thousand_digit_number_is_out_of_range() {
        let text = format!("employees: {}\n", "9".repeat(10_000));
        expect![[r#"
            $.employees: number `99999999999999999999…9999999999 (10000 characters)` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits (line 1, column 12)
        "#]].assert_eq(&rendered(load_yaml(&text)));
    }

    #[test]
    fn yaml_long_integer_through_an_alias_is_exact() {
        let text = "employees: &n 10000000000000000000000001\nmodel: {training_compute: *n}\n";
        let Value::Record(system) = load_yaml(text).unwrap() else { panic!("not a record") };
        assert_eq!(system[6], Value::Number(dec("10000000000000000000000001")));
        assert_eq!(
            system[0],
            Value::Record(Box::new([Value::Quantity(dec("10000000000000000000000001")), Value::Unknown]))
        );
    }

    #[test]
    fn yaml_number_spellings_outside_json_go_through_the_parser() {
        assert_eq!(kind("0x1F"), NodeKind::Number("31".into()));
        assert_eq!(kind("+5"), NodeKind::Number("5".into()));
        assert_eq!(kind("1_000"), NodeKind::Number("1000".into()));
        assert_eq!(kind(".5"), NodeKind::Number("5e-1".into()));
    }

    #[test]
    fn yaml_quoted_number_is_a_string() {
        expect![[r#"
            $.employees: expected a number, found "1e25" (write the number without quotes) (line 1, column 12)
        "#]]
        .assert_eq(&rendered(load_yaml("employees: '1e25'\n")));
    }

    #[test]
    fn yaml_quoted_quantity_with_unit_keeps_all_digits() {
        let value = system_slot("notice: '1.000000000000000000001 second'\n", 5);
        assert_eq!(value, Value::Quantity(dec("1.000000000000000000001")));
    }

    #[test]
    fn yaml_huge_number_is_out_of_range_at_its_path() {
        expect![[r#"
            $.employees: number `1e400` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits (line 1, column 12)
        "#]]
        .assert_eq(&rendered(load_yaml("employees: 1e400\n")));
    }

    #[test]
    fn yaml_infinity_is_an_error() {
        expect![[r#"
            $.employees: expected a number, found .inf (line 1, column 12)
        "#]]
        .assert_eq(&rendered(load_yaml("employees: .inf\n")));
    }

    #[test]
    fn parse_document_refuses_infinity() {
        let result = crate::describe::parse_document(b"a: [1, -.inf]\n", crate::describe::Format::Yaml);
        expect![[r#"
            $.a[1]: `-.inf` is not a number Concord can hold: numbers are finite exact decimals (line 1, column 8)
        "#]]
        .assert_eq(&rendered(result.map(|_| Value::Unknown)));
    }

    #[test]
    fn yaml_yes_is_a_string_not_a_bool() {
        expect![[r#"
            $.model.general_purpose: expected true or false, found "yes" (line 2, column 20)
        "#]]
        .assert_eq(&rendered(load_yaml("model:\n  general_purpose: yes\n")));
    }

    #[test]
    fn yaml_unquoted_date_is_a_string() {
        let Value::List(incidents) = system_slot("incidents:\n  - aware_at: 2025-03-01\n", 2) else {
            panic!("not a list")
        };
        assert_eq!(
            incidents[0],
            Value::Record(Box::new([Value::Unknown, Value::Date(jiff::civil::date(2025, 3, 1)), Value::Unknown]))
        );
    }

    #[test]
    fn yaml_errors_carry_positions() {
        let text = "model:\n  trainig_compute: 1\nincidents:\n  - aware_at: next week\n";
        expect![[r#"
            $.model.trainig_compute: unknown field `trainig_compute` in `Model` (did you mean `training_compute`?) (line 2, column 3)
            $.incidents[0].aware_at: expected a date (YYYY-MM-DD), found "next week" (line 4, column 15)
        "#]]
        .assert_eq(&rendered(load_yaml(text)));
    }

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let result = load_yaml("model: {training_compute: 1\nnotice: 2\n");
        expect![[r#"
            $: invalid YAML: while parsing a flow mapping, did not find expected ',' or '}' (line 2, column 7)
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn yaml_multiple_documents_are_an_error() {
        expect![[r#"
            $: a description file holds one YAML document, but this one holds more (a second `---`) (line 3, column 1)
        "#]]
        .assert_eq(&rendered(load_yaml("notice: 1\n---\nnotice: 2\n")));
    }

    #[test]
    fn yaml_document_markers_around_one_document_are_fine() {
        assert_eq!(system_slot("---\nnotice: 1\n...\n", 5), Value::Quantity(dec("86400")));
    }

    #[test]
    fn yaml_comment_only_document_is_empty() {
        expect![[r#"
            $: description is empty
        "#]]
        .assert_eq(&rendered(load_yaml("# nothing yet\n")));
    }

    #[test]
    fn yaml_null_document_is_not_a_record() {
        expect![[r#"
            $: expected a `System` object, found null (line 1, column 1)
        "#]]
        .assert_eq(&rendered(load_yaml("null\n")));
    }

    #[test]
    fn yaml_non_string_keys_are_errors() {
        let text = "1: a\ntrue: b\n~: c\n[x]: d\nmodel: {2.5: e}\n";
        expect![[r#"
            $: expected a string key (a field name), found 1 (line 1, column 1)
            $: expected a string key (a field name), found true (line 2, column 1)
            $: expected a string key (a field name), found null (line 3, column 1)
            $: expected a string key (a field name), found a list (line 4, column 1)
            $.model: expected a string key (a field name), found 2.5 (line 5, column 9)
        "#]]
        .assert_eq(&rendered(load_yaml(text)));
    }

    #[test]
    fn yaml_duplicate_key_is_an_error_with_position() {
        expect![[r#"
            $.notice: key `notice` appears more than once in this object (line 2, column 1)
        "#]]
        .assert_eq(&rendered(load_yaml("notice: 1\nnotice: 2\n")));
    }

    #[test]
    fn yaml_deep_flow_nesting_is_an_error_not_a_crash() {
        let text = format!("model: {}", "[".repeat(100_000));
        expect![[r#"
            $: invalid YAML: recursion limit exceeded (line 1, column 263)
        "#]]
        .assert_eq(&rendered(load_yaml(&text)));
    }

    #[test]
    fn yaml_deep_block_nesting_is_an_error_not_a_crash() {
        let text: String = (0..10_000).map(|depth| format!("{}- \n", "  ".repeat(depth))).collect();
        expect![[r#"
            $: invalid YAML: collections are nested more than 64 levels deep (line 65, column 129)
        "#]]
        .assert_eq(&rendered(load_yaml(&text)));
    }

    #[test]
    fn yaml_nesting_within_the_limit_is_read() {
        let text = format!("{}1{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse_yaml(&text).is_ok());
    }

    #[test]
    fn yaml_alias_bomb_is_rejected_quickly() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = level - 1;
            let aliases = vec![format!("*a{previous}"); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        let started = Instant::now();
        let result = load_yaml(&text);
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        expect![[r#"
            $: invalid YAML: the document is too large or expands too many aliases; descriptions are limited so that alias bombs fail fast (line 5, column 45)
        "#]].assert_eq(&rendered(result));
    }

    #[test]
    fn yaml_modest_aliases_are_expanded() {
        let text = "base: &b {id: x, serious: true}\n";
        assert!(parse_yaml(text).is_ok());
        let text = "incidents: [&i {id: x, serious: true}, *i]\n";
        let Value::List(incidents) = system_slot(text, 2) else { panic!("not a list") };
        assert_eq!(incidents.len(), 2);
        assert_eq!(incidents[0], incidents[1]);
    }
}
