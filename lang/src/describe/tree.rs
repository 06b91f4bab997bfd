//! The document tree a description is read into, and the JSON side of reading it.
//!
//! Both readers (JSON here, YAML in `yaml`) produce a [`Node`] tree that keeps object entries in
//! document order, duplicate keys included, numbers as their exact text, and (for YAML) the line
//! and column of every value. This module also checks a tree's shape (duplicate keys, non-string
//! keys, numbers that are not finite) and converts trees to and from `serde_json::Value`.
//! It knows nothing of the schema.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::DescriptionError;
use crate::num::shorten;

/// How deep [`from_json`] reads a `serde_json::Value` before giving up; the same as
/// `serde_json`'s own recursion limit for text.
pub(crate) const MAX_DEPTH: usize = 128;

/// A value of a description document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    /// Where the value is written, when the reader knows (YAML).
    pub(crate) position: Option<Position>,
}

/// A 1-based line and column in the description's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    Null,
    Bool(bool),
    /// A number, as its text in JSON number syntax (`1e25`, `-3`, `1.50`).
    // INVARIANT: the text is accepted by `serde_json::Number::from_str`.
    Number(Box<str>),
    /// A YAML number that is not finite (`.inf`, `.nan`), as written.
    NonFinite(Box<str>),
    String(Box<str>),
    Array(Vec<Node>),
    /// Entries in document order. Keys may repeat: whoever reads the tree reports repeats.
    Object(Vec<Entry>),
    /// A value nested deeper than [`MAX_DEPTH`] in a `serde_json::Value`; not read further.
    TooDeep,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: Key,
    pub(crate) value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) name: KeyName,
    pub(crate) position: Option<Position>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeyName {
    Text(Box<str>),
    /// A YAML key that is not a string, as it reads after "found" in a message (`1`, `a list`).
    NotText(Box<str>),
}

impl Node {
    pub(crate) fn new(kind: NodeKind) -> Node {
        Node { kind, position: None }
    }
}

/// Parses JSON text into a tree. Syntax errors (including `serde_json`'s recursion limit of 128
/// levels and trailing text) carry the line and column.
pub(crate) fn parse_json(text: &str) -> Result<Node, DescriptionError> {
    match serde_json::from_str::<JsonNode>(text) {
        Ok(JsonNode(node)) => Ok(node),
        Err(error) => {
            let full = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            Err(DescriptionError {
                path: "$".to_owned(),
                message: format!("invalid JSON: {}", one_line(message)),
                line: u32::try_from(error.line()).ok().filter(|line| *line > 0),
                column: u32::try_from(error.column()).ok().filter(|column| *column > 0),
            })
        }
    }
}

/// Converts a `serde_json::Value` into a tree, replacing whatever is nested deeper than
/// [`MAX_DEPTH`] by [`NodeKind::TooDeep`].
pub(crate) fn from_json(value: &serde_json::Value) -> Node {
    from_json_at(value, 0)
}

/// Checks a tree's shape: no key twice in an object, every key a string, every number finite.
/// Returns the problems in document order.
pub(crate) fn check_shape(node: &Node) -> Vec<DescriptionError> {
    let mut errors = Vec::new();
    let mut path = String::from("$");
    check_shape_at(node, &mut path, &mut errors);
    errors
}

/// Converts a shape-checked tree into a `serde_json::Value`.
pub(crate) fn to_json(node: &Node) -> Result<serde_json::Value, Vec<DescriptionError>> {
    let mut errors = Vec::new();
    let mut path = String::from("$");
    let value = to_json_at(node, &mut path, &mut errors);
    if errors.is_empty() {
        return Ok(value);
    }
    Err(errors)
}

/// Appends `.name`, or `["name"]` when the name is not an identifier, to a JSON path.
pub(crate) fn push_field(path: &mut String, name: &str) {
    if is_identifier(name) {
        path.push('.');
        path.push_str(name);
        return;
    }
    path.push('[');
    path.push_str(&json_string(name));
    path.push(']');
}

/// Appends `[index]` to a JSON path.
pub(crate) fn push_index(path: &mut String, index: usize) {
    path.push('[');
    path.push_str(&index.to_string());
    path.push(']');
}

/// A name as it appears between backticks in a message: as written when it is an identifier,
/// else JSON-quoted and shortened, so that a message stays on one line.
pub(crate) fn name_in_message(name: &str) -> String {
    if is_identifier(name) {
        return name.to_owned();
    }
    json_string(&shorten(name, 60))
}

/// A value as the typing rules see it: a scalar with its text, or only the kind of a container.
/// The tree reader takes it from a [`Node`] ([`Node::found`]); the fast JSON reader builds it
/// straight from the parser's events, so both go through the same typing rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Found<'t> {
    Null,
    Bool(bool),
    /// A number as its text in JSON number syntax (see [`NodeKind::Number`]).
    Number(&'t str),
    /// A number the parser read as a 64-bit integer, whose text is its decimal spelling.
    Integer(i128),
    NonFinite(&'t str),
    String(&'t str),
    Array,
    Object,
    TooDeep,
}

impl Node {
    /// The node as the typing rules see it.
    pub(crate) fn found(&self) -> Found<'_> {
        match &self.kind {
            NodeKind::Null => Found::Null,
            NodeKind::Bool(value) => Found::Bool(*value),
            NodeKind::Number(text) => Found::Number(text),
            NodeKind::NonFinite(text) => Found::NonFinite(text),
            NodeKind::String(text) => Found::String(text),
            NodeKind::Array(_) => Found::Array,
            NodeKind::Object(_) => Found::Object,
            NodeKind::TooDeep => Found::TooDeep,
        }
    }
}

/// How a value reads after "found" in a message: `"lots"`, `15`, `true`, `null`, `a list`.
pub(crate) fn describe_found(found: Found<'_>) -> String {
    match found {
        Found::Null => "null".to_owned(),
        Found::Bool(value) => value.to_string(),
        Found::Number(text) | Found::NonFinite(text) => shorten(text, 40),
        Found::Integer(value) => shorten(&value.to_string(), 40),
        Found::String(text) => json_string(&shorten(text, 60)),
        Found::Array => "a list".to_owned(),
        Found::Object => "an object".to_owned(),
        Found::TooDeep => "a value nested too deeply".to_owned(),
    }
}

/// Makes a foreign message (from a parser) safe to show on one line.
pub(crate) fn one_line(message: &str) -> String {
    let mut line = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() {
            line.extend(c.escape_debug());
        } else {
            line.push(c);
        }
    }
    line
}

/// The private key under which `serde_json` with `arbitrary_precision` hands a number to a
/// visitor: as a one-entry map from this key to the number's text.
pub(crate) const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A tree read from JSON text.
struct JsonNode(Node);

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JsonNode, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonNode)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::new(NodeKind::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::new(NodeKind::Null))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::new(NodeKind::Bool(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Node::new(NodeKind::Number(value.to_string().into())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::new(NodeKind::Number(value.to_string().into())))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        Ok(Node::new(float_kind(value, &format!("{value:e}"))))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::new(NodeKind::String(value.into())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::new(NodeKind::String(value.into_boxed_str())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonNode(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::new(NodeKind::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let JsonNode(value) = map.next_value()?;
            entries.push(Entry { key: Key { name: KeyName::Text(key.into()), position: None }, value });
        }
        // With `arbitrary_precision`, every number that does not fit an `i64` or `u64` arrives as
        // a one-entry map from a private key to its text. An object written that way by hand
        // reads as that number, as it does for `serde_json::Value`.
        if let [Entry { key: Key { name: KeyName::Text(key), .. }, value: Node { kind: NodeKind::String(text), .. } }] =
            entries.as_slice()
            && &**key == JSON_NUMBER_TOKEN
            && serde_json::Number::from_str(text).is_ok()
        {
            return Ok(Node::new(NodeKind::Number(text.clone())));
        }
        Ok(Node::new(NodeKind::Object(entries)))
    }
}

/// A float as a node: its exact text when that is a JSON number, else its shortest round-trip
/// spelling; not finite, as written.
pub(crate) fn float_kind(value: f64, written: &str) -> NodeKind {
    // `1e400` overflows an `f64` but is a number all the same, which reading it exactly will find
    // out of range.
    if serde_json::Number::from_str(written).is_ok() {
        return NodeKind::Number(written.into());
    }
    if !value.is_finite() {
        return NodeKind::NonFinite(written.into());
    }
    // `{:e}` is the shortest text that reads back as the same `f64` (`5e-1`, `1.5e3`).
    NodeKind::Number(format!("{value:e}").into())
}

fn from_json_at(value: &serde_json::Value, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return Node::new(NodeKind::TooDeep);
    }
    let kind = match value {
        serde_json::Value::Null => NodeKind::Null,
        serde_json::Value::Bool(value) => NodeKind::Bool(*value),
        serde_json::Value::Number(number) => NodeKind::Number(number.to_string().into()),
        serde_json::Value::String(text) => NodeKind::String(text.as_str().into()),
        serde_json::Value::Array(items) => {
            NodeKind::Array(items.iter().map(|item| from_json_at(item, depth.saturating_add(1))).collect())
        }
        serde_json::Value::Object(map) => NodeKind::Object(
            map.iter()
                .map(|(key, value)| Entry {
                    key: Key { name: KeyName::Text(key.as_str().into()), position: None },
                    value: from_json_at(value, depth.saturating_add(1)),
                })
                .collect(),
        ),
    };
    Node::new(kind)
}

fn check_shape_at(node: &Node, path: &mut String, errors: &mut Vec<DescriptionError>) {
    match &node.kind {
        NodeKind::NonFinite(text) => errors.push(error_at(
            path,
            node.position,
            format!("`{}` is not a number Concord can hold: numbers are finite exact decimals", one_line(text)),
        )),
        NodeKind::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                push_index(path, index);
                check_shape_at(item, path, errors);
                path.truncate(len);
            }
        }
        NodeKind::Object(entries) => {
            let mut seen = BTreeSet::new();
            for entry in entries {
                let name = match &entry.key.name {
                    KeyName::Text(name) => name,
                    KeyName::NotText(found) => {
                        errors.push(error_at(path, entry.key.position, non_string_key_message(found)));
                        continue;
                    }
                };
                let len = path.len();
                push_field(path, name);
                if !seen.insert(&**name) {
                    errors.push(error_at(path, entry.key.position, duplicate_key_message(name)));
                }
                check_shape_at(&entry.value, path, errors);
                path.truncate(len);
            }
        }
        NodeKind::Null | NodeKind::Bool(_) | NodeKind::Number(_) | NodeKind::String(_) | NodeKind::TooDeep => {}
    }
}

fn to_json_at(node: &Node, path: &mut String, errors: &mut Vec<DescriptionError>) -> serde_json::Value {
    match &node.kind {
        NodeKind::Null => serde_json::Value::Null,
        NodeKind::Bool(value) => serde_json::Value::Bool(*value),
        NodeKind::Number(text) => match serde_json::Number::from_str(text) {
            Ok(number) => serde_json::Value::Number(number),
            Err(_) => {
                errors.push(error_at(path, node.position, format!("`{}` is not a JSON number", shorten(text, 40))));
                serde_json::Value::Null
            }
        },
        NodeKind::NonFinite(text) => {
            errors.push(error_at(path, node.position, format!("`{}` is not a finite number", one_line(text))));
            serde_json::Value::Null
        }
        NodeKind::String(text) => serde_json::Value::String(text.to_string()),
        NodeKind::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                push_index(path, index);
                values.push(to_json_at(item, path, errors));
                path.truncate(len);
            }
            serde_json::Value::Array(values)
        }
        NodeKind::Object(entries) => {
            let mut map = serde_json::Map::new();
            for entry in entries {
                let name = match &entry.key.name {
                    KeyName::Text(name) => name,
                    KeyName::NotText(found) => {
                        errors.push(error_at(path, entry.key.position, non_string_key_message(found)));
                        continue;
                    }
                };
                let len = path.len();
                push_field(path, name);
                let value = to_json_at(&entry.value, path, errors);
                path.truncate(len);
                map.insert(name.to_string(), value);
            }
            serde_json::Value::Object(map)
        }
        NodeKind::TooDeep => {
            errors.push(error_at(path, node.position, too_deep_message()));
            serde_json::Value::Null
        }
    }
}

pub(crate) fn duplicate_key_message(name: &str) -> String {
    format!("key `{}` appears more than once in this object", name_in_message(name))
}

pub(crate) fn non_string_key_message(found: &str) -> String {
    format!("expected a string key (a field name), found {found}")
}

pub(crate) fn too_deep_message() -> String {
    format!("value is nested more than {MAX_DEPTH} levels deep")
}

pub(crate) fn error_at(path: &str, position: Option<Position>, message: String) -> DescriptionError {
    DescriptionError {
        path: path.to_owned(),
        message,
        line: position.map(|position| position.line),
        column: position.map(|position| position.column),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::describe::tests::{load_json, rendered};
    use crate::describe::{Format, parse_document};

    fn kind(text: &str) -> NodeKind {
        parse_json(text).unwrap().kind
    }

    #[test]
    fn json_numbers_keep_their_exact_text() {
        assert_eq!(kind("10000000000000000000000001"), NodeKind::Number("10000000000000000000000001".into()));
        assert_eq!(kind("1.50"), NodeKind::Number("1.50".into()));
        assert_eq!(kind("-7"), NodeKind::Number("-7".into()));
        assert_eq!(kind("1E25"), NodeKind::Number("1e+25".into()));
    }

    #[test]
    fn json_huge_number_is_kept_as_text() {
        let digits = "9".repeat(10_000);
        assert_eq!(kind(&digits), NodeKind::Number(digits.into()));
    }

    #[test]
    fn json_objects_keep_document_order() {
        let NodeKind::Object(entries) = kind(r#"{"b": 1, "a": 2}"#) else { panic!("not an object") };
        let keys: Vec<&KeyName> = entries.iter().map(|entry| &entry.key.name).collect();
        assert_eq!(keys, vec![&KeyName::Text("b".into()), &KeyName::Text("a".into())]);
    }

    #[test]
    fn json_object_shaped_like_a_private_number_with_a_non_number_stays_an_object() {
        let text = r#"{"$serde_json::private::Number": "lots"}"#;
        assert!(matches!(kind(text), NodeKind::Object(entries) if entries.len() == 1));
    }

    #[test]
    fn json_syntax_error_has_line_and_column() {
        expect![[r#"
            $: invalid JSON: expected `,` or `}` (line 3, column 3)
        "#]]
        .assert_eq(&rendered(load_json("{\n  \"model\": {}\n  \"notice\": 1\n}")));
    }

    #[test]
    fn json_trailing_text_is_an_error() {
        expect![[r#"
            $: invalid JSON: trailing characters (line 1, column 4)
        "#]]
        .assert_eq(&rendered(load_json("{} {}")));
    }

    #[test]
    fn json_deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        expect![[r#"
            $: invalid JSON: recursion limit exceeded (line 1, column 128)
        "#]]
        .assert_eq(&rendered(load_json(&text)));
    }

    #[test]
    fn json_duplicate_key_is_an_error_at_its_path() {
        expect![[r#"
            $.model.general_purpose: key `general_purpose` appears more than once in this object
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"general_purpose": true, "general_purpose": false}}"#)));
    }

    #[test]
    fn duplicate_keys_are_all_reported_in_document_order() {
        let text = r#"{"a": 1, "a": 2, "b": [{"c": 1, "c": 2}], "a": 3}"#;
        expect![[r#"
            $.a: key `a` appears more than once in this object
            $.b[0].c: key `c` appears more than once in this object
            $.a: key `a` appears more than once in this object
        "#]]
        .assert_eq(&rendered(parse_document(text.as_bytes(), Format::Json).map(|_| crate::value::Value::Unknown)));
    }

    #[test]
    fn from_json_stops_at_the_depth_limit() {
        let mut value = serde_json::Value::Null;
        for _ in 0..200 {
            value = serde_json::Value::Array(vec![value]);
        }
        let mut node = from_json(&value);
        let mut depth = 0;
        while let NodeKind::Array(mut items) = node.kind {
            node = items.pop().unwrap();
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH + 1);
        assert_eq!(node.kind, NodeKind::TooDeep);
    }

    #[test]
    fn paths_quote_keys_that_are_not_identifiers() {
        let mut path = String::from("$");
        push_field(&mut path, "model");
        push_index(&mut path, 2);
        push_field(&mut path, "a \"b\"");
        push_field(&mut path, "_x1");
        assert_eq!(path, r#"$.model[2]["a \"b\""]._x1"#);
    }

    #[test]
    fn one_line_escapes_control_characters() {
        assert_eq!(one_line("a\nb\tc\u{1b}é"), "a\\nb\\tc\\u{1b}é");
    }
}
