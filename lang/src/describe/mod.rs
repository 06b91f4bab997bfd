//! Loading a system description (JSON or YAML text) into a [`Value`] laid out by the [`Schema`].
//!
//! A description is read in two steps: the text becomes a document tree (`tree`, `yaml`), which
//! keeps document order, duplicate keys and, for YAML, positions; then the tree is read against
//! the schema (`convert`), which collects every problem in document order, each with the JSON path
//! of the value at fault (`$.incidents[2].aware_at`) and, for YAML, a line and column. Syntax
//! errors carry a line and column in both formats.
//!
//! JSON has a fast path besides: the text is read straight into the schema's slot layout, with
//! no tree between, by a byte scanner for plain JSON (`scan`) and, for the texts it leaves
//! (escapes, deep nesting), by the same parser as the tree's (`fast`), both with the tree's
//! typing rules. It only knows how
//! to succeed: on anything the tree reader would report it gives up, and [`load_description`]
//! reads the text again through the tree to report every error. Both paths give the same value
//! for every valid text, and the errors always come from the tree (`lang/tests/fast_reader.rs` holds
//! them equal over every description in the repository and hostile texts).
//!
//! This module knows nothing of rulebooks, rules or evaluation: it sees only the [`Schema`].
//! Hostile input (invalid UTF-8, deep nesting, huge numbers, YAML alias bombs) becomes errors,
//! never panics, stack overflows or hangs.
//!
//! Numbers are exact: JSON numbers are read from their text, never through `f64`. YAML decides
//! for itself which scalars are numbers; the loader then reads a YAML number from its source text
//! when that text is written as a JSON number (`1e25`, `10000000000000000000000001`, `1.50`), so
//! those are exact too. Other YAML number spellings (`0x1F`, `+5`, `.5`, `1_000`) go through the
//! YAML parser's `u64`, `i64` or `f64`, and a float spelled that way with more than 17
//! significant digits loses precision: write it in JSON number syntax, or, for a quantity, as a
//! string with its unit (`"1.0000000000000000000001e25 FLOP"`). YAML reads an underscored
//! integer beyond 64 bits (`1_000_000_000_000_000_000_000`) as a string, so it is refused as a
//! number. A quoted number (`"15"`) is a string, never a number.

mod convert;
mod fast;
mod scan;
mod tree;
mod yaml;

use std::fmt;
use std::path::Path;

pub(crate) use scan::ScanScratch;

use crate::schema::Schema;
use crate::value::Value;

/// One problem with a description: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DescriptionError {
    /// The JSON path of the value at fault: `$` for the whole description, then `.field` and
    /// `[index]` steps (`$.incidents[2].aware_at`); a key that is not an identifier is written
    /// `["the key"]`.
    pub path: String,
    /// What is wrong, in the project's message style: lowercase, one line, no trailing period.
    pub message: String,
    /// The 1-based line of the problem in the text, when known (syntax errors, YAML documents).
    pub line: Option<u32>,
    /// The 1-based column of the problem in the text, when known.
    pub column: Option<u32>,
}

impl fmt::Display for DescriptionError {
    /// Writes `$.model.training_compute: expected a quantity in FLOP, found "lots"`, followed by
    /// ` (line L, column C)` when the position is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " (line {line}, column {column})"),
            (Some(line), None) => write!(f, " (line {line})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for DescriptionError {}

/// The text format of a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2, one document per file.
    Yaml,
}

impl Format {
    /// The format a file's extension names: `.json` is JSON, `.yaml` and `.yml` are YAML (in any
    /// letter case); any other extension, or none, is `None`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("json") {
            return Some(Format::Json);
        }
        if extension.eq_ignore_ascii_case("yaml") || extension.eq_ignore_ascii_case("yml") {
            return Some(Format::Yaml);
        }
        None
    }
}

/// Loads a description: parses `text` in `format`, then reads it as the schema's root record.
///
/// A required field that is missing or `null` becomes [`Value::Unknown`] (a missing fact, not an
/// error) and an optional one becomes [`Value::Absent`].
///
/// JSON is first read by the fast reader ([`load_json_fast`]), straight into the schema's slot
/// layout; only when that fails is the text read again through a document tree
/// ([`load_description_via_tree`]), which finds every error. The result is the same as
/// [`load_description_via_tree`]'s, value for value and error for error.
///
/// # Errors
///
/// A syntax error (including invalid UTF-8, an empty text, a second YAML document and the limits
/// on nesting and YAML aliases) stops the load and is the only error. Otherwise every problem is
/// returned, in document order: unknown, duplicate and non-string keys, and values that do not
/// fit their field's type.
pub fn load_description(schema: &Schema, text: &[u8], format: Format) -> Result<Value, Vec<DescriptionError>> {
    load_description_with(schema, text, format, &mut ScanScratch::default())
}

/// [`load_description`] with the fast reader's buffers reused from one description to the next.
pub(crate) fn load_description_with(
    schema: &Schema,
    text: &[u8],
    format: Format,
    scratch: &mut ScanScratch,
) -> Result<Value, Vec<DescriptionError>> {
    if format == Format::Json
        && let Some(value) = fast::load_json(schema, text, scratch)
    {
        return Ok(value);
    }
    load_description_via_tree(schema, text, format)
}

/// Loads a description through a document tree, whatever the format: the general path, which
/// [`load_description`] takes for YAML and for JSON that the fast reader does not accept.
///
/// # Errors
///
/// As [`load_description`].
pub fn load_description_via_tree(schema: &Schema, text: &[u8], format: Format) -> Result<Value, Vec<DescriptionError>> {
    let node = read_document(text, format)?;
    convert::read_description(schema, &node)
}

/// Reads JSON text straight into the schema's slot layout, with no document tree between: the
/// value [`load_description`] gives, or `None` when it would give errors (this reader does not
/// say which; [`load_description`] does).
///
/// For callers that only need to know whether a description is valid, or that report a failure
/// without its details: a refused text costs only the parse up to the first problem.
pub fn load_json_fast(schema: &Schema, text: &[u8]) -> Option<Value> {
    fast::load_json(schema, text, &mut ScanScratch::default())
}

/// Parses `text` in `format` into JSON, checking syntax and the document's shape only (valid
/// UTF-8, not empty, one document, string keys, no duplicate keys), not the schema.
///
/// Numbers keep their exact text (`serde_json`'s `arbitrary_precision`), though `serde_json`
/// spells exponents its own way (`1E25` becomes `1e+25`). Object keys follow `serde_json::Map`'s
/// order.
///
/// # Errors
///
/// A syntax error is the only error; otherwise every duplicate key, non-string key and infinite
/// or NaN YAML number, in document order.
pub fn parse_document(text: &[u8], format: Format) -> Result<serde_json::Value, Vec<DescriptionError>> {
    let node = read_document(text, format)?;
    let errors = tree::check_shape(&node);
    if !errors.is_empty() {
        return Err(errors);
    }
    tree::to_json(&node)
}

/// Reads an already-parsed JSON value as the schema's root record, with the same rules and
/// errors as [`load_description`] (but no line and column, which a `serde_json::Value` does not
/// keep).
///
/// Values nested deeper than 128 levels are errors, whatever the schema, so that a value built
/// by hand cannot exhaust the stack. Errors come in the order of the value's object keys, which
/// is `serde_json::Map`'s order.
///
/// # Errors
///
/// Every unknown key and every value that does not fit its field's type.
pub fn from_json_value(schema: &Schema, value: &serde_json::Value) -> Result<Value, Vec<DescriptionError>> {
    let node = tree::from_json(value);
    convert::read_description(schema, &node)
}

/// Decodes and parses a document. Syntax errors stop at the first.
fn read_document(text: &[u8], format: Format) -> Result<tree::Node, Vec<DescriptionError>> {
    let text = decode(text).map_err(|error| vec![error])?;
    if text.trim().is_empty() {
        return Err(vec![root_error("description is empty")]);
    }
    match format {
        Format::Json => tree::parse_json(text),
        Format::Yaml => yaml::parse_yaml(text),
    }
    .map_err(|error| vec![error])
}

/// The UTF-8 byte-order mark, which a text may start with.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Checks that `text` is UTF-8, dropping a leading byte-order mark.
fn decode(text: &[u8]) -> Result<&str, DescriptionError> {
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
    std::str::from_utf8(text).map_err(|error| {
        let offset = error.valid_up_to();
        let valid = text.get(..offset).and_then(|valid| std::str::from_utf8(valid).ok()).unwrap_or_default();
        let line = valid.matches('\n').count().saturating_add(1);
        let line_start = valid.rfind('\n').map_or(0, |at| at.saturating_add(1));
        let column = valid.get(line_start..).map_or(0, |rest| rest.chars().count()).saturating_add(1);
        DescriptionError {
            path: "$".to_owned(),
            message: format!("description is not valid UTF-8: invalid byte at offset {offset}"),
            line: u32::try_from(line).ok(),
            column: u32::try_from(column).ok(),
        }
    })
}

fn root_error(message: &str) -> DescriptionError {
    DescriptionError { path: "$".to_owned(), message: message.to_owned(), line: None, column: None }
}

#[cfg(test)]
pub(crate) mod tests {
    use expect_test::expect;
    use rust_decimal::Decimal;

    use super::*;
    use crate::schema::{DimId, DimensionDef, EnumDef, EnumId, FieldDef, RecordDef, RecordId, Ty, UnitDef};

    fn field(name: &str, ty: Ty) -> FieldDef {
        FieldDef { name: name.to_owned(), ty, optional: false, unit: None, doc: None }
    }

    fn quantity(name: &str, dim: u32, unit: &str) -> FieldDef {
        FieldDef { unit: Some(unit.to_owned()), ..field(name, Ty::Quantity(DimId(dim))) }
    }

    fn record(name: &str, fields: Vec<FieldDef>) -> RecordDef {
        RecordDef { name: name.to_owned(), fields, doc: None }
    }

    fn unit(name: &str, dim: u32, scale: &str) -> UnitDef {
        UnitDef { name: name.to_owned(), dimension: DimId(dim), scale: crate::num::parse_decimal(scale).unwrap() }
    }

    /// Records: 0 `System`, 1 `Model`, 2 `Incident`, 3 `Authorisation`. Dimensions: 0 compute
    /// (FLOP), 1 time (second), 2 money (EUR). Enum 0 `Purpose`.
    pub(crate) fn fixture_schema() -> Schema {
        Schema {
            records: vec![
                record(
                    "System",
                    vec![
                        field("model", Ty::Record(RecordId(1))),
                        field("purposes", Ty::Set(Box::new(Ty::Enum(EnumId(0))))),
                        field("incidents", Ty::List(Box::new(Ty::Record(RecordId(2))))),
                        FieldDef { optional: true, ..field("authorisation", Ty::Record(RecordId(3))) },
                        quantity("revenue", 2, "EUR"),
                        quantity("notice", 1, "days"),
                        field("employees", Ty::Number),
                        field("launched_at", Ty::DateTime),
                    ],
                ),
                record("Model", vec![quantity("training_compute", 0, "FLOP"), field("general_purpose", Ty::Bool)]),
                record(
                    "Incident",
                    vec![field("id", Ty::String), field("aware_at", Ty::Date), field("serious", Ty::Bool)],
                ),
                record("Authorisation", vec![field("authority", Ty::String)]),
            ],
            enums: vec![EnumDef {
                name: "Purpose".to_owned(),
                variants: vec!["commercial".to_owned(), "military".to_owned(), "research".to_owned()],
                doc: None,
                variant_docs: Vec::new(),
            }],
            dimensions: vec![
                DimensionDef { name: "compute".to_owned(), base_unit: "FLOP".to_owned() },
                DimensionDef { name: "time".to_owned(), base_unit: "second".to_owned() },
                DimensionDef { name: "money".to_owned(), base_unit: "EUR".to_owned() },
            ],
            units: vec![
                unit("FLOP", 0, "1"),
                unit("EFLOP", 0, "1e18"),
                unit("second", 1, "1"),
                unit("days", 1, "86400"),
                unit("EUR", 2, "1"),
            ],
            root: Some(RecordId(0)),
        }
    }

    pub(crate) fn load_json(text: &str) -> Result<Value, Vec<DescriptionError>> {
        load_description(&fixture_schema(), text.as_bytes(), Format::Json)
    }

    pub(crate) fn load_yaml(text: &str) -> Result<Value, Vec<DescriptionError>> {
        load_description(&fixture_schema(), text.as_bytes(), Format::Yaml)
    }

    /// The errors of a failed load, one `Display` per line.
    pub(crate) fn rendered(result: Result<Value, Vec<DescriptionError>>) -> String {
        match result {
            Ok(value) => format!("unexpectedly loaded: {value:?}"),
            Err(errors) => errors.iter().map(|error| format!("{error}\n")).collect(),
        }
    }

    pub(crate) fn dec(text: &str) -> Decimal {
        crate::num::parse_decimal(text).unwrap()
    }

    const FULL_JSON: &str = r#"{
  "model": {"training_compute": "100 EFLOP", "general_purpose": true},
  "purposes": ["research", "commercial", "research"],
  "incidents": [{"id": "i-1", "aware_at": "2025-03-01", "serious": false}],
  "revenue": 1500000.50,
  "notice": 15,
  "employees": 10000000000000000000000001,
  "launched_at": "2025-02-02T10:00:00Z"
}"#;

    const FULL_YAML: &str = "
model:
  training_compute: 100 EFLOP
  general_purpose: true
purposes: [research, commercial, research]
incidents:
  - id: i-1
    aware_at: '2025-03-01'
    serious: false
revenue: 1500000.50
notice: 15
employees: 10000000000000000000000001
launched_at: 2025-02-02T10:00:00Z
";

    fn full_value() -> Value {
        Value::Record(Box::new([
            Value::Record(Box::new([Value::Quantity(dec("1e20")), Value::Bool(true)])),
            Value::Set(Box::new([Value::Enum(0), Value::Enum(2)])),
            Value::List(Box::new([Value::Record(Box::new([
                Value::Str("i-1".into()),
                Value::Date(jiff::civil::date(2025, 3, 1)),
                Value::Bool(false),
            ]))])),
            Value::Absent,
            Value::Quantity(dec("1500000.5")),
            Value::Quantity(dec("1296000")),
            Value::Number(dec("10000000000000000000000001")),
            Value::DateTime("2025-02-02T10:00:00Z".parse().unwrap()),
        ]))
    }

    #[test]
    fn full_json_description_loads() {
        assert_eq!(load_json(FULL_JSON), Ok(full_value()));
    }

    #[test]
    fn full_yaml_description_loads_like_json() {
        assert_eq!(load_yaml(FULL_YAML), Ok(full_value()));
    }

    #[test]
    fn an_integer_field_takes_whole_numbers_only() {
        let schema = Schema {
            records: vec![RecordDef {
                name: "System".to_owned(),
                fields: vec![field("employees", Ty::Integer)],
                doc: None,
            }],
            root: Some(RecordId(0)),
            ..Schema::default()
        };
        assert_eq!(
            load_description(&schema, br#"{"employees": 250}"#, Format::Json),
            Ok(Value::Record(Box::new([Value::Number(dec("250"))])))
        );
        let errors = load_description(&schema, br#"{"employees": 2.5}"#, Format::Json).unwrap_err();
        assert_eq!(errors[0].path, "$.employees");
        assert!(errors[0].message.contains("expected a whole number"), "{}", errors[0].message);
    }

    #[test]
    fn display_appends_line_and_column_when_known() {
        let error = DescriptionError {
            path: "$.model.training_compute".to_owned(),
            message: "expected a quantity in FLOP, found \"lots\"".to_owned(),
            line: Some(3),
            column: Some(21),
        };
        assert_eq!(
            error.to_string(),
            "$.model.training_compute: expected a quantity in FLOP, found \"lots\" (line 3, column 21)"
        );
    }

    #[test]
    fn display_without_position_is_path_and_message() {
        let error = DescriptionError {
            path: "$".to_owned(),
            message: "description is empty".to_owned(),
            line: None,
            column: None,
        };
        assert_eq!(error.to_string(), "$: description is empty");
    }

    #[test]
    fn description_error_serializes_its_fields() {
        let error = DescriptionError { path: "$.a".to_owned(), message: "m".to_owned(), line: Some(1), column: None };
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(json, r#"{"path":"$.a","message":"m","line":1,"column":null}"#);
    }

    #[test]
    fn format_from_path_reads_extensions() {
        assert_eq!(Format::from_path(Path::new("system.json")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("dir/system.yaml")), Some(Format::Yaml));
        assert_eq!(Format::from_path(Path::new("system.YML")), Some(Format::Yaml));
        assert_eq!(Format::from_path(Path::new("system.toml")), None);
        assert_eq!(Format::from_path(Path::new("system")), None);
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset() {
        let result = load_description(&fixture_schema(), b"{\n  \"model\": \"\xFF\"}", Format::Json);
        expect![[r#"
            $: description is not valid UTF-8: invalid byte at offset 14 (line 2, column 13)
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn invalid_utf8_in_yaml_names_the_byte_offset() {
        let result = load_description(&fixture_schema(), b"model: \xC3\x28\n", Format::Yaml);
        expect![[r#"
            $: description is not valid UTF-8: invalid byte at offset 7 (line 1, column 8)
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn empty_json_is_an_error() {
        expect![[r#"
            $: description is empty
        "#]]
        .assert_eq(&rendered(load_json("")));
    }

    #[test]
    fn whitespace_only_yaml_is_an_error() {
        expect![[r#"
            $: description is empty
        "#]]
        .assert_eq(&rendered(load_yaml(" \n\t\n")));
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = format!("\u{feff}{FULL_JSON}");
        assert_eq!(load_description(&fixture_schema(), text.as_bytes(), Format::Json), Ok(full_value()));
    }

    #[test]
    fn schema_without_root_is_an_error() {
        let schema = Schema { root: None, ..fixture_schema() };
        let result = load_description(&schema, b"{}", Format::Json);
        expect![[r#"
            $: the rulebook declares no `System` record, so there is nothing to describe
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn parse_document_returns_json_with_exact_numbers() {
        // `serde_json` writes an exponent with its sign; the number is exact all the same.
        let value = parse_document(b"a: 10000000000000000000000001\nb: [1e25, x]\n", Format::Yaml).unwrap();
        assert_eq!(value.to_string(), r#"{"a":10000000000000000000000001,"b":[1e+25,"x"]}"#);
    }

    #[test]
    fn parse_document_does_not_check_the_schema() {
        let value = parse_document(br#"{"nonsense": [null, {"x": -0}]}"#, Format::Json).unwrap();
        assert_eq!(value.to_string(), r#"{"nonsense":[null,{"x":-0}]}"#);
    }

    #[test]
    fn parse_document_reports_duplicate_keys() {
        let result = parse_document(br#"{"a": {"b": 1, "b": 2}}"#, Format::Json);
        let errors = result.unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].to_string(), "$.a.b: key `b` appears more than once in this object");
    }

    #[test]
    fn from_json_value_reads_a_parsed_value() {
        let value: serde_json::Value = serde_json::from_str(FULL_JSON).unwrap();
        assert_eq!(from_json_value(&fixture_schema(), &value), Ok(full_value()));
    }
}
