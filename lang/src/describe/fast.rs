//! The fast JSON reader: JSON text straight into the schema's slot layout, with no tree between.
//!
//! `serde_json`'s streaming `Deserializer` is driven by `DeserializeSeed`s that follow the schema:
//! a record's keys are looked up among its fields as they are parsed and each value is read into
//! its field's slot; a set or list reads its elements with the element type; a scalar goes through
//! the same typing rules as the tree reader (`convert::Reader::read_scalar`), so a scalar reads the
//! same on both paths by construction.
//!
//! The reader only knows how to succeed. On the first thing the tree reader would report (a
//! syntax error, an unknown or repeated key, a value of the wrong type, `null` in a list, a number
//! out of range, ...) it gives up and returns `None`, and the caller reads the text again through
//! the tree (`convert`) to produce every error with its path, in document order. So for valid
//! input the two paths give the same [`Value`], and for invalid input the same errors, because
//! the errors always come from the tree reader.
//!
//! What makes the equality hold, beyond the shared scalar rules:
//! - the text is decoded by the same function (UTF-8, byte-order mark) and parsed by the same
//!   `serde_json` parser with the same recursion limit (128), and the reader descends into every
//!   value it accepts, so it meets every syntax error and every nesting limit the tree would;
//! - numbers arrive as the tree's do: a 64-bit integer as the integer (whose `Decimal` is the
//!   one its decimal text reads as), any other number as its exact text through
//!   `arbitrary_precision`'s private one-entry map. A hand-written object of that shape reads as a
//!   number when its text is a JSON number, as in the tree reader; its text arrives borrowed or
//!   unescaped, where the parser's own number text arrives as an owned `String`, so only the
//!   hand-written text is checked again;
//! - a record starts from the values of missing fields (`Unknown`, or `Absent` when optional), and
//!   a field's `null` gives the same; a key met twice gives up;
//! - a set is sorted and deduplicated by the same function.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::convert::{At, Reader, missing, set_value};
use super::scan::{ScanScratch, Seen, Stop, scan_json};
use super::tree::{Found, JSON_NUMBER_TOKEN};
use crate::schema::{FieldDef, RecordDef, Schema, Ty};
use crate::value::Value;

/// Reads JSON `text` as the schema's root record, or `None` when the tree reader would report
/// anything (then nothing is said about why).
///
/// The byte scanner (`scan`) reads it first; only text it does not read (escapes, deep nesting,
/// long numbers) goes through `serde_json`'s parser here.
pub(crate) fn load_json(schema: &Schema, text: &[u8], scratch: &mut ScanScratch) -> Option<Value> {
    // The scanner checks UTF-8 itself, where it matters (see `scan`); `serde_json`'s reader
    // needs the decoded text.
    let bytes = text.strip_prefix(super::BYTE_ORDER_MARK).unwrap_or(text);
    match scan_json(schema, bytes, scratch) {
        Ok(value) => return Some(value),
        Err(Stop::Invalid) => return None,
        Err(Stop::Unsupported) => {}
    }
    load_json_by_serde(schema, super::decode(text).ok()?)
}

/// The reader driven by `serde_json`'s streaming parser, for the texts the scanner leaves.
pub(crate) fn load_json_by_serde(schema: &Schema, text: &str) -> Option<Value> {
    let root = schema.root?;
    let mut reader = Reader::without_paths(schema);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let record = Ty::Record(root);
    let value = ValueSeed { reader: &mut reader, ty: &record, unit: None }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    reader.errors.is_empty().then_some(value)
}

/// The error that stops the fast reader: the tree reader will say what is wrong.
fn give_up<E: de::Error>() -> E {
    E::custom("not read by the fast reader")
}

/// A non-null value of type `ty` (in `unit`, for quantities).
struct ValueSeed<'r, 'a, 't> {
    reader: &'r mut Reader<'a>,
    ty: &'t Ty,
    unit: Option<&'t str>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let ValueSeed { reader, ty, unit } = self;
        match ty {
            Ty::Record(id) => {
                let schema = reader.schema;
                let def = schema.record(*id).ok_or_else(give_up::<D::Error>)?;
                deserializer.deserialize_map(RecordVisitor { reader, def })
            }
            Ty::Set(inner) => deserializer.deserialize_seq(ItemsVisitor { reader, inner, unit, set: true }),
            Ty::List(inner) => deserializer.deserialize_seq(ItemsVisitor { reader, inner, unit, set: false }),
            _ => deserializer.deserialize_any(ScalarVisitor { reader, ty, unit }),
        }
    }
}

/// A record's fields, each into its slot.
struct RecordVisitor<'r, 'a, 't> {
    reader: &'r mut Reader<'a>,
    def: &'t RecordDef,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a `{}` object", self.def.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let RecordVisitor { reader, def } = self;
        let mut slots: Vec<Value> = def.fields.iter().map(missing).collect();
        let mut seen = Seen::new(slots.len());
        while let Some(index) = map.next_key_seed(FieldIndex { def })? {
            let (Some(slot), Some(field)) = (slots.get_mut(index), def.fields.get(index)) else {
                return Err(give_up());
            };
            if !seen.insert(index) {
                return Err(give_up());
            }
            *slot = map.next_value_seed(FieldSeed { reader: &mut *reader, field })?;
        }
        Ok(Value::Record(slots.into_boxed_slice()))
    }
}

/// A key of a record: the index of the field it names.
struct FieldIndex<'t> {
    def: &'t RecordDef,
}

impl<'de> DeserializeSeed<'de> for FieldIndex<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldIndex<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a field of `{}`", self.def.name)
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        self.def.fields.iter().position(|field| field.name == key).ok_or_else(give_up)
    }
}

/// A field's value: `null` is a missing fact, anything else is read with the field's type.
struct FieldSeed<'r, 'a, 't> {
    reader: &'r mut Reader<'a>,
    field: &'t FieldDef,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the field `{}`", self.field.name)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(missing(self.field))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(missing(self.field))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let FieldSeed { reader, field } = self;
        ValueSeed { reader, ty: &field.ty, unit: field.unit.as_deref() }.deserialize(deserializer)
    }
}

/// The elements of a set or a list.
struct ItemsVisitor<'r, 'a, 't> {
    reader: &'r mut Reader<'a>,
    inner: &'t Ty,
    unit: Option<&'t str>,
    set: bool,
}

impl<'de> Visitor<'de> for ItemsVisitor<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ItemsVisitor { reader, inner, unit, set } = self;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        // A `null` element is an error for the tree reader: the scalar visitor, and
        // `deserialize_map` and `deserialize_seq` for records, sets and lists, refuse it.
        while let Some(item) = seq.next_element_seed(ValueSeed { reader: &mut *reader, ty: inner, unit })? {
            items.push(item);
        }
        if set {
            return Ok(set_value(items));
        }
        Ok(Value::List(items.into_boxed_slice()))
    }
}

/// A scalar, read by the tree reader's rules.
struct ScalarVisitor<'r, 'a, 't> {
    reader: &'r mut Reader<'a>,
    ty: &'t Ty,
    unit: Option<&'t str>,
}

impl ScalarVisitor<'_, '_, '_> {
    fn read<E: de::Error>(self, found: Found<'_>) -> Result<Value, E> {
        let value = self.reader.read_scalar(self.ty, self.unit, At { found, position: None });
        if !self.reader.errors.is_empty() {
            return Err(give_up());
        }
        Ok(value)
    }
}

impl<'de> Visitor<'de> for ScalarVisitor<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        self.read(Found::Bool(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.read(Found::Integer(i128::from(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.read(Found::Integer(i128::from(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        self.read(Found::String(value))
    }

    /// A number that is not a 64-bit integer, as `arbitrary_precision` hands it over: a one-entry
    /// map from a private key to the number's text. Any other object gives up.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if !map.next_key_seed(IsNumberToken)?.unwrap_or(false) {
            return Err(give_up());
        }
        let text = map.next_value_seed(NumberTextSeed)?;
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(give_up());
        }
        match text {
            NumberText::Parsed(text) => self.read(Found::Number(&text)),
            NumberText::Written(text) if text.parse::<serde_json::Number>().is_ok() => self.read(Found::Number(&text)),
            NumberText::Written(_) => Err(give_up()),
        }
    }
}

/// The text of a number handed over as a one-entry map: `Parsed` when `serde_json` parsed it as
/// a number (it hands the text over as an owned `String`, and has checked its syntax), `Written`
/// when the text is a string written in the description (borrowed from the text or unescaped),
/// whose syntax is checked as the tree reader checks it.
enum NumberText {
    Parsed(String),
    Written(String),
}

struct NumberTextSeed;

impl<'de> DeserializeSeed<'de> for NumberTextSeed {
    type Value = NumberText;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<NumberText, D::Error> {
        deserializer.deserialize_string(NumberTextVisitor)
    }
}

struct NumberTextVisitor;

impl<'de> Visitor<'de> for NumberTextVisitor {
    type Value = NumberText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number's text")
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<NumberText, E> {
        Ok(NumberText::Parsed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<NumberText, E> {
        Ok(NumberText::Written(text.to_owned()))
    }
}

/// Whether a key is `arbitrary_precision`'s private number key.
struct IsNumberToken;

impl<'de> DeserializeSeed<'de> for IsNumberToken {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsNumberToken {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == JSON_NUMBER_TOKEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::{Format, load_description_via_tree};
    use crate::schema::RecordId;

    /// `System { children: optional list of System }`.
    fn recursive_schema() -> Schema {
        let children = FieldDef {
            name: "children".to_owned(),
            ty: Ty::List(Box::new(Ty::Record(RecordId(0)))),
            optional: true,
            unit: None,
            doc: None,
        };
        Schema {
            records: vec![RecordDef { name: "System".to_owned(), fields: vec![children], doc: None }],
            root: Some(RecordId(0)),
            ..Schema::default()
        }
    }

    /// `{"children": [{"children": [ ... {} ... ]}]}`, `levels` records deep.
    fn nested(levels: usize) -> String {
        let mut text = String::new();
        for _ in 1..levels {
            text.push_str(r#"{"children": ["#);
        }
        text.push_str("{}");
        for _ in 1..levels {
            text.push_str("]}");
        }
        text
    }

    #[test]
    fn a_description_nested_to_the_limit_reads_as_through_the_tree() {
        // Two levels of JSON nesting per record: 64 records reach the parser's limit of 128.
        for levels in [1, 2, 30, 63, 64, 65, 100] {
            let text = nested(levels);
            let tree = load_description_via_tree(&recursive_schema(), text.as_bytes(), Format::Json);
            let fast = load_json(&recursive_schema(), text.as_bytes(), &mut ScanScratch::default());
            assert_eq!(format!("{:?}", tree.ok()), format!("{fast:?}"), "{levels} levels");
        }
        let load = |text: String| load_json(&recursive_schema(), text.as_bytes(), &mut ScanScratch::default());
        assert!(load(nested(60)).is_some());
        assert!(load(nested(100)).is_none());
        // The scanner leaves deep texts to `serde_json`, which reads them to its limit.
        let deep = nested(60);
        assert_eq!(
            scan_json(&recursive_schema(), deep.as_bytes(), &mut ScanScratch::default()),
            Err(Stop::Unsupported)
        );
        assert!(load_json_by_serde(&recursive_schema(), &deep).is_some());
    }
}
