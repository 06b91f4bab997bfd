//! Reading a document tree against the schema: the typing rules of descriptions.
//!
//! Walks the tree and the schema together from the root record, building a [`Value`] with one
//! slot per field and collecting every mismatch in document order with its JSON path. Quantities
//! are converted exactly into their dimension's base unit. This module knows nothing of JSON or
//! YAML text; it sees only `tree::Node`s. Its recursion follows the tree, whose depth the readers
//! bound, so it cannot exhaust the stack.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::DescriptionError;
use super::tree::{
    Found, KeyName, Node, NodeKind, Position, describe_found, duplicate_key_message, error_at, name_in_message,
    non_string_key_message, push_field, push_index, too_deep_message,
};
use crate::num::{NumberError, format_decimal, parse_decimal};
use crate::schema::{DimId, EnumId, FieldDef, RecordDef, RecordId, Schema, Ty, UnitDef};
use crate::value::Value;

/// Reads a whole description as the schema's root record.
pub(crate) fn read_description(schema: &Schema, node: &Node) -> Result<Value, Vec<DescriptionError>> {
    let Some(root) = schema.root else {
        let message = "the rulebook declares no `System` record, so there is nothing to describe";
        return Err(vec![error_at("$", None, message.to_owned())]);
    };
    let mut reader = Reader { schema, path: String::from("$"), errors: Vec::new() };
    let value = reader.read_value(&Ty::Record(root), None, node);
    if reader.errors.is_empty() {
        return Ok(value);
    }
    Err(reader.errors)
}

/// The words a message uses for a type: `` `Purpose` ``, `set of date`, `quantity in FLOP`.
fn type_words(schema: &Schema, ty: &Ty) -> String {
    schema.display_ty(ty)
}

/// The candidate closest to `word`, if any is close enough to suggest: Jaro-Winkler similarity
/// of at least 0.8, or at most two edits for names longer than two characters.
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Long words are never typos of a name, and comparing them costs time.
    if word.chars().count() > MAX_SUGGESTION_LEN {
        return None;
    }
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let similarity = strsim::jaro_winkler(word, candidate);
        let close = similarity >= 0.8 || (candidate.chars().count() > 2 && strsim::levenshtein(word, candidate) <= 2);
        if close && best.is_none_or(|(best_similarity, _)| similarity > best_similarity) {
            best = Some((similarity, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

const MAX_SUGGESTION_LEN: usize = 100;

/// How many enum variants a message lists before it stops.
const MAX_LISTED_VARIANTS: usize = 10;

/// Reads values against the schema, collecting errors. The tree reader walks a whole [`Node`]
/// tree with it; the fast JSON reader (`fast`) uses only its scalar rules ([`Reader::read_scalar`]),
/// so that a scalar reads the same on both paths.
pub(crate) struct Reader<'a> {
    pub(crate) schema: &'a Schema,
    /// The JSON path of the node being read; steps are pushed and truncated around each child.
    path: String,
    pub(crate) errors: Vec<DescriptionError>,
}

/// A value and where it is written, as the scalar rules read it.
#[derive(Clone, Copy)]
pub(crate) struct At<'t> {
    pub(crate) found: Found<'t>,
    pub(crate) position: Option<Position>,
}

impl Node {
    fn at(&self) -> At<'_> {
        At { found: self.found(), position: self.position }
    }
}

/// The unit a bare number in a quantity field is read in.
#[derive(Clone, Copy)]
struct BareUnit<'a> {
    name: &'a str,
    scale: Decimal,
}

impl<'a> Reader<'a> {
    /// A reader that does not track the path of what it reads: its errors only say that there
    /// are errors (the fast reader gives up on the first, and the tree reader finds them again).
    pub(crate) fn without_paths(schema: &'a Schema) -> Reader<'a> {
        Reader { schema, path: String::new(), errors: Vec::new() }
    }

    fn error(&mut self, position: Option<Position>, message: String) {
        self.errors.push(error_at(&self.path, position, message));
    }

    fn mismatch(&mut self, expected: &str, at: At<'_>) {
        let message = format!("expected {expected}, found {}", describe_found(at.found));
        self.error(at.position, message);
    }

    /// Reads a non-missing value of type `ty`. `unit` is the unit the field was declared in, for
    /// quantities (also those inside sets and lists).
    fn read_value(&mut self, ty: &Ty, unit: Option<&str>, node: &Node) -> Value {
        if node.kind == NodeKind::TooDeep {
            self.error(node.position, too_deep_message());
            return Value::Unknown;
        }
        match ty {
            Ty::Record(id) => self.read_record(*id, node),
            Ty::Set(inner) => match self.read_items(ty, inner, unit, node) {
                Some(items) => set_value(items),
                None => Value::Unknown,
            },
            Ty::List(inner) => match self.read_items(ty, inner, unit, node) {
                Some(items) => Value::List(items.into_boxed_slice()),
                None => Value::Unknown,
            },
            _ => self.read_scalar(ty, unit, node.at()),
        }
    }

    /// Reads a non-missing value of a type that is neither a record, a set nor a list. On any
    /// other type it reports a mismatch (the tree reader never asks that, and the fast reader
    /// reads those types itself).
    pub(crate) fn read_scalar(&mut self, ty: &Ty, unit: Option<&str>, at: At<'_>) -> Value {
        match ty {
            Ty::Bool => match at.found {
                Found::Bool(value) => Value::Bool(value),
                _ => self.fail("true or false", at),
            },
            Ty::Number => self.read_number(at),
            Ty::Integer => match self.read_number(at) {
                Value::Number(value) if !value.fract().is_zero() => self.fail("a whole number", at),
                other => other,
            },
            Ty::String => match at.found {
                Found::String(text) => Value::Str(text.into()),
                _ => self.fail("a string", at),
            },
            Ty::Date => self.read_date(at),
            Ty::DateTime => self.read_datetime(at),
            Ty::Quantity(dim) => self.read_quantity(*dim, unit, at),
            Ty::Enum(id) => self.read_enum(*id, at),
            Ty::Record(_) | Ty::Set(_) | Ty::List(_) => self.fail("a list or an object", at),
            Ty::Error => {
                self.error(at.position, "cannot read this value: its type in the rulebook has errors".to_owned());
                Value::Unknown
            }
        }
    }

    /// Reports a mismatch and returns the placeholder value.
    fn fail(&mut self, expected: &str, at: At<'_>) -> Value {
        self.mismatch(expected, at);
        Value::Unknown
    }

    fn read_number(&mut self, at: At<'_>) -> Value {
        match exact_number(at.found) {
            Some(Ok(value)) => Value::Number(value),
            Some(Err(error)) => {
                self.error(at.position, error.to_string());
                Value::Unknown
            }
            None => match at.found {
                Found::String(text) if parse_decimal(text).is_ok() => {
                    let message = format!(
                        "expected a number, found {} (write the number without quotes)",
                        describe_found(at.found)
                    );
                    self.error(at.position, message);
                    Value::Unknown
                }
                _ => self.fail("a number", at),
            },
        }
    }

    fn read_date(&mut self, at: At<'_>) -> Value {
        const EXPECTED: &str = "a date (YYYY-MM-DD)";
        let Found::String(text) = at.found else {
            return self.fail(EXPECTED, at);
        };
        // jiff's parser also takes other ISO 8601 forms (`20250202`, a date with a time); a
        // description's dates are written one way only.
        if !is_date_shape(text) {
            return self.fail(EXPECTED, at);
        }
        match text.parse::<Date>() {
            Ok(date) => Value::Date(date),
            Err(_) => {
                let message = format!("expected {EXPECTED}, found {}: no such day", describe_found(at.found));
                self.error(at.position, message);
                Value::Unknown
            }
        }
    }

    fn read_datetime(&mut self, at: At<'_>) -> Value {
        const EXPECTED: &str = "a datetime (RFC 3339 with an offset, like 2025-02-02T10:00:00Z)";
        let Found::String(text) = at.found else {
            return self.fail(EXPECTED, at);
        };
        // jiff's parser also takes other ISO 8601 forms (`2025-02-02 10:00Z`, `20250202T10Z`,
        // bracketed time zones); a description's instants are RFC 3339, as JSON Schema's
        // `date-time` reads them.
        if !is_datetime_shape(text) {
            return self.fail(EXPECTED, at);
        }
        match text.parse::<Timestamp>() {
            Ok(timestamp) => Value::DateTime(timestamp),
            Err(_) => self.fail(EXPECTED, at),
        }
    }

    fn read_quantity(&mut self, dim: DimId, field_unit: Option<&str>, at: At<'_>) -> Value {
        let Some(dimension) = self.schema.dimension(dim) else {
            self.error(at.position, "cannot read this quantity: its dimension is missing from the rulebook".to_owned());
            return Value::Unknown;
        };
        let unit_name = field_unit.unwrap_or(&dimension.base_unit);
        let expected = || format!("a quantity in {unit_name}");
        if let Some(number) = exact_number(at.found) {
            let Some(unit) = self.bare_unit(dim, unit_name) else {
                let message = format!(
                    "cannot read a bare number here: `{unit_name}` is not a unit of {} in the rulebook",
                    dimension.name
                );
                self.error(at.position, message);
                return Value::Unknown;
            };
            let value = match number {
                Ok(value) => value,
                Err(error) => {
                    self.error(at.position, error.to_string());
                    return Value::Unknown;
                }
            };
            return self.convert_to_base(value, unit, &dimension.base_unit, at);
        }
        match at.found {
            Found::String(text) => {
                let Some((number, unit_text)) = text.trim().split_once(char::is_whitespace) else {
                    return self.fail(&expected(), at);
                };
                let unit_text = unit_text.trim();
                let value = match parse_decimal(number) {
                    Ok(value) => value,
                    Err(NumberError::NotANumber(_)) => return self.fail(&expected(), at),
                    Err(error) => {
                        self.error(at.position, error.to_string());
                        return Value::Unknown;
                    }
                };
                let Some(unit) = self.schema.unit(unit_text) else {
                    let units: Vec<String> = self.schema.units_of(dim).map(|name| format!("`{name}`")).collect();
                    let suggestion = suggest(unit_text, self.schema.units_of(dim))
                        .map_or_else(String::new, |name| format!(" (did you mean `{name}`?)"));
                    let message = format!(
                        "expected {}, found {}: unknown unit `{}`{suggestion}; units of {} are {}",
                        expected(),
                        describe_found(at.found),
                        name_in_message(unit_text),
                        dimension.name,
                        units.join(", "),
                    );
                    self.error(at.position, message);
                    return Value::Unknown;
                };
                if unit.dimension != dim {
                    let other =
                        self.schema.dimension(unit.dimension).map_or("another dimension", |other| other.name.as_str());
                    let message = format!(
                        "expected {}, found {}: `{}` is a unit of {other}, not {}",
                        expected(),
                        describe_found(at.found),
                        unit.name,
                        dimension.name
                    );
                    self.error(at.position, message);
                    return Value::Unknown;
                }
                let unit = BareUnit { name: &unit.name, scale: unit.scale };
                self.convert_to_base(value, unit, &dimension.base_unit, at)
            }
            _ => self.fail(&expected(), at),
        }
    }

    /// The unit a bare number is read in, if the rulebook defines it for this dimension.
    fn bare_unit(&self, dim: DimId, name: &str) -> Option<BareUnit<'a>> {
        let schema: &'a Schema = self.schema;
        let unit: &'a UnitDef = schema.unit(name)?;
        (unit.dimension == dim).then_some(BareUnit { name: &unit.name, scale: unit.scale })
    }

    fn convert_to_base(&mut self, value: Decimal, unit: BareUnit<'_>, base_unit: &str, at: At<'_>) -> Value {
        match exact_mul(value, unit.scale) {
            Some(base) => Value::Quantity(base),
            None => {
                let message = format!(
                    "quantity `{} {}` cannot be held exactly in {base_unit}: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits",
                    format_decimal(&value),
                    unit.name
                );
                self.error(at.position, message);
                Value::Unknown
            }
        }
    }

    fn read_enum(&mut self, id: EnumId, at: At<'_>) -> Value {
        let Some(def) = self.schema.enum_def(id) else {
            self.error(at.position, "cannot read this value: its enum is missing from the rulebook".to_owned());
            return Value::Unknown;
        };
        if let Found::String(text) = at.found
            // The first byte first: most variants of the same length differ there.
            && let Some(index) = def.variants.iter().position(|variant| {
                variant.len() == text.len() && variant.as_bytes().first() == text.as_bytes().first() && **variant == *text
            })
            && let Ok(index) = u32::try_from(index)
        {
            return Value::Enum(index);
        }
        let suggestion = match at.found {
            Found::String(text) => suggest(text, def.variants.iter().map(String::as_str)),
            _ => None,
        };
        let message = match suggestion {
            Some(variant) => {
                format!(
                    "expected {} `{}`, found {} (did you mean `{variant}`?)",
                    article(&def.name),
                    def.name,
                    describe_found(at.found)
                )
            }
            None => {
                let mut listed: Vec<String> =
                    def.variants.iter().take(MAX_LISTED_VARIANTS).map(|variant| format!("`{variant}`")).collect();
                if def.variants.len() > MAX_LISTED_VARIANTS {
                    listed.push(format!("and {} more", def.variants.len() - MAX_LISTED_VARIANTS));
                }
                format!(
                    "expected {} `{}` (one of {}), found {}",
                    article(&def.name),
                    def.name,
                    listed.join(", "),
                    describe_found(at.found)
                )
            }
        };
        self.error(at.position, message);
        Value::Unknown
    }

    fn read_items(&mut self, ty: &Ty, inner: &Ty, unit: Option<&str>, node: &Node) -> Option<Vec<Value>> {
        let NodeKind::Array(items) = &node.kind else {
            let expected = format!("a list ({})", type_words(self.schema, ty));
            self.mismatch(&expected, node.at());
            return None;
        };
        let mut values = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let len = self.path.len();
            push_index(&mut self.path, index);
            // A `null` element is an error like any other mismatch: nothing reads `null` but a field.
            values.push(self.read_value(inner, unit, item));
            self.path.truncate(len);
        }
        Some(values)
    }

    fn read_record(&mut self, id: RecordId, node: &Node) -> Value {
        let schema = self.schema;
        let Some(def) = schema.record(id) else {
            self.error(node.position, "cannot read this value: its record is missing from the rulebook".to_owned());
            return Value::Unknown;
        };
        let NodeKind::Object(entries) = &node.kind else {
            return self.fail(&format!("{} `{}` object", article(&def.name), def.name), node.at());
        };
        let mut slots: Vec<Option<Value>> = vec![None; def.fields.len()];
        for entry in entries {
            let name = match &entry.key.name {
                KeyName::Text(name) => name,
                KeyName::NotText(found) => {
                    self.error(entry.key.position, non_string_key_message(found));
                    continue;
                }
            };
            let len = self.path.len();
            push_field(&mut self.path, name);
            match def.fields.iter().position(|field| *field.name == **name) {
                Some(index) => {
                    self.read_slot(slots.get_mut(index), def.fields.get(index), entry.key.position, &entry.value)
                }
                None => self.unknown_field(def, name, entry.key.position),
            }
            self.path.truncate(len);
        }
        let values = def.fields.iter().zip(slots).map(|(field, slot)| slot.unwrap_or_else(|| missing(field))).collect();
        Value::Record(values)
    }

    fn read_slot(
        &mut self,
        slot: Option<&mut Option<Value>>,
        field: Option<&FieldDef>,
        key_position: Option<Position>,
        node: &Node,
    ) {
        let (Some(slot), Some(field)) = (slot, field) else {
            return;
        };
        if slot.is_some() {
            self.error(key_position, duplicate_key_message(&field.name));
            return;
        }
        let value = match node.kind {
            NodeKind::Null => missing(field),
            _ => self.read_value(&field.ty, field.unit.as_deref(), node),
        };
        *slot = Some(value);
    }

    fn unknown_field(&mut self, def: &RecordDef, name: &str, position: Option<Position>) {
        let suggestion = suggest(name, def.fields.iter().map(|field| field.name.as_str()))
            .map_or_else(String::new, |field| format!(" (did you mean `{field}`?)"));
        let message = format!("unknown field `{}` in `{}`{suggestion}", name_in_message(name), def.name);
        self.error(position, message);
    }
}

/// A number's exact value, when the value is a number.
fn exact_number(found: Found<'_>) -> Option<Result<Decimal, NumberError>> {
    match found {
        Found::Number(text) => Some(parse_decimal(text)),
        // The same value as reading the integer's text, which `parse_decimal` would give with
        // scale 0; every 64-bit integer fits a `Decimal`.
        Found::Integer(value) => {
            Some(Decimal::try_from_i128_with_scale(value, 0).or_else(|_| parse_decimal(&value.to_string())))
        }
        _ => None,
    }
}

/// The value of a set read as `items`: sorted, without repeats.
pub(crate) fn set_value(mut items: Vec<Value>) -> Value {
    sort_set_tail(&mut items, 0);
    Value::Set(items.into_boxed_slice())
}

/// Sorts `items[start..]` and removes its repeats, keeping the first of equal values (as
/// `sort` then `dedup`): the elements of a set, in the order a set holds them.
pub(crate) fn sort_set_tail(items: &mut Vec<Value>, start: usize) {
    let Some(tail) = items.get_mut(start..) else {
        return;
    };
    tail.sort();
    let mut kept = 0usize;
    for read in 0..tail.len() {
        let fresh = kept == 0 || tail.get(read) != tail.get(kept - 1);
        if fresh {
            tail.swap(read, kept);
            kept += 1;
        }
    }
    items.truncate(start + kept);
}

/// The value of a field the description leaves out or gives as `null`.
pub(crate) fn missing(field: &FieldDef) -> Value {
    if field.optional {
        return Value::Absent;
    }
    Value::Unknown
}

/// "an" before a name that starts with a vowel letter, else "a".
fn article(name: &str) -> &'static str {
    match name.chars().next().map(|first| first.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `YYYY-MM-DD`, digits and dashes only.
fn is_date_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// RFC 3339's `date-time`: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of one to nine digits,
/// then `Z` or `±HH:MM`; `T` and `Z` may be lowercase. Hours, minutes and seconds are checked
/// against their ranges (a leap second `:60` is refused); the day is left to the date parser.
/// `schema_export`'s `DATETIME_PATTERN` is the same shape as a regular expression.
fn is_datetime_shape(text: &str) -> bool {
    let in_range = |tens: u8, ones: u8, max: u8| two_digits(tens, ones).is_some_and(|value| value <= max);
    let Some((date, time)) = text.split_at_checked(10) else { return false };
    let [b'T' | b't', h1, h2, b':', m1, m2, b':', s1, s2, rest @ ..] = time.as_bytes() else { return false };
    if !(is_date_shape(date) && in_range(*h1, *h2, 23) && in_range(*m1, *m2, 59) && in_range(*s1, *s2, 59)) {
        return false;
    }
    let offset = match rest {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|byte| byte.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return false;
            }
            fraction.get(digits..).unwrap_or_default()
        }
        _ => rest,
    };
    match offset {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => in_range(*h1, *h2, 23) && in_range(*m1, *m2, 59),
        _ => false,
    }
}

/// The value of two ASCII digits.
fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| (tens - b'0') * 10 + (ones - b'0'))
}

/// `value × scale`, or `None` when the product is out of range or would need rounding.
pub(crate) fn exact_mul(value: Decimal, scale: Decimal) -> Option<Decimal> {
    let product = value.checked_mul(scale)?.normalize();
    // `checked_mul` rounds a product with more digits than a `Decimal` holds; compare with the
    // exact product of the mantissas to refuse that. A product whose mantissas overflow a u128
    // has far more digits than a `Decimal` holds, so refusing it refuses nothing exact in
    // practice.
    let value = value.normalize();
    let scale = scale.normalize();
    let exact_mantissa = value.mantissa().unsigned_abs().checked_mul(scale.mantissa().unsigned_abs())?;
    let exact_scale = value.scale().checked_add(scale.scale())?;
    let product_mantissa = product.mantissa().unsigned_abs();
    let exact = match exact_scale.checked_sub(product.scale()) {
        Some(shift) => product_mantissa.checked_mul(10u128.checked_pow(shift)?) == Some(exact_mantissa),
        None => {
            exact_mantissa.checked_mul(10u128.checked_pow(product.scale().checked_sub(exact_scale)?)?)
                == Some(product_mantissa)
        }
    };
    exact.then_some(product)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::describe::tests::{dec, fixture_schema, load_json, rendered};
    use crate::describe::{Format, from_json_value, load_description};
    use crate::schema::{DimensionDef, EnumDef};

    /// Loads `{"model": <model>}` and returns the `Model` record's slots.
    fn model_slots(model: &str) -> Vec<Value> {
        let Value::Record(system) = load_json(&format!(r#"{{"model": {model}}}"#)).unwrap() else {
            panic!("not a record");
        };
        let Value::Record(model) = system[0].clone() else {
            panic!("model is not a record: {:?}", system[0]);
        };
        model.into_vec()
    }

    /// Loads a description and returns the `System` record's slot `index`.
    fn system_slot(text: &str, index: usize) -> Value {
        let Value::Record(system) = load_json(text).unwrap() else {
            panic!("not a record");
        };
        system[index].clone()
    }

    #[test]
    fn missing_required_field_is_unknown() {
        assert_eq!(model_slots("{}"), vec![Value::Unknown, Value::Unknown]);
    }

    #[test]
    fn null_required_field_is_unknown() {
        assert_eq!(model_slots(r#"{"general_purpose": null}"#), vec![Value::Unknown, Value::Unknown]);
    }

    #[test]
    fn missing_optional_field_is_absent() {
        assert_eq!(system_slot("{}", 3), Value::Absent);
    }

    #[test]
    fn null_optional_field_is_absent() {
        assert_eq!(system_slot(r#"{"authorisation": null}"#, 3), Value::Absent);
    }

    #[test]
    fn present_optional_field_is_read() {
        let value = system_slot(r#"{"authorisation": {"authority": "AI Office"}}"#, 3);
        assert_eq!(value, Value::Record(Box::new([Value::Str("AI Office".into())])));
    }

    #[test]
    fn unknown_field_suggests_nearest() {
        expect![[r#"
            $.model.trainig_compute: unknown field `trainig_compute` in `Model` (did you mean `training_compute`?)
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"trainig_compute": 1}}"#)));
    }

    #[test]
    fn unknown_field_without_near_name_has_no_suggestion() {
        expect![[r#"
            $.colour: unknown field `colour` in `System`
        "#]]
        .assert_eq(&rendered(load_json(r#"{"colour": "blue"}"#)));
    }

    #[test]
    fn unknown_field_that_is_not_an_identifier_is_quoted_in_path_and_message() {
        expect![[r#"
            $["training compute"]: unknown field `"training compute"` in `System`
        "#]]
        .assert_eq(&rendered(load_json(r#"{"training compute": 1}"#)));
    }

    #[test]
    fn bool_field_rejects_a_string() {
        expect![[r#"
            $.model.general_purpose: expected true or false, found "yes"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"general_purpose": "yes"}}"#)));
    }

    #[test]
    fn bool_field_rejects_a_number() {
        expect![[r#"
            $.model.general_purpose: expected true or false, found 1
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"general_purpose": 1}}"#)));
    }

    #[test]
    fn number_field_reads_exactly() {
        assert_eq!(system_slot(r#"{"employees": 1e25}"#, 6), Value::Number(dec("1e25")));
        assert_eq!(system_slot(r#"{"employees": -2.5e-3}"#, 6), Value::Number(dec("-0.0025")));
    }

    #[test]
    fn number_field_rejects_a_quoted_number() {
        expect![[r#"
            $.employees: expected a number, found "15" (write the number without quotes)
        "#]]
        .assert_eq(&rendered(load_json(r#"{"employees": "15"}"#)));
    }

    #[test]
    fn number_field_rejects_a_word() {
        expect![[r#"
            $.employees: expected a number, found "many"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"employees": "many"}"#)));
    }

    #[test]
    fn huge_json_number_is_out_of_range() {
        expect![[r#"
            $.employees: number `1e+400` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits
        "#]]
        .assert_eq(&rendered(load_json(r#"{"employees": 1e400}"#)));
    }

    #[test]
    fn ten_thousand_digit_number_is_a_short_error() {
        let text = format!(r#"{{"employees": {}}}"#, "7".repeat(10_000));
        expect![[r#"
            $.employees: number `77777777777777777777…7777777777 (10000 characters)` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits
        "#]]
        .assert_eq(&rendered(load_json(&text)));
    }

    #[test]
    fn too_precise_number_is_an_error_not_rounded() {
        expect![[r#"
            $.employees: number `1.00000000000000000000000000001` cannot be held exactly: Concord numbers have at most 28 significant digits and 28 digits after the decimal point
        "#]]
        .assert_eq(&rendered(load_json(r#"{"employees": 1.00000000000000000000000000001}"#)));
    }

    #[test]
    fn string_field_rejects_a_number() {
        expect![[r#"
            $.incidents[0].id: expected a string, found 7
        "#]]
        .assert_eq(&rendered(load_json(r#"{"incidents": [{"id": 7}]}"#)));
    }

    #[test]
    fn very_long_string_is_read_whole() {
        let id = "x".repeat(1_000_000);
        let Value::List(incidents) = system_slot(&format!(r#"{{"incidents": [{{"id": "{id}"}}]}}"#), 2) else {
            panic!("not a list");
        };
        assert_eq!(incidents[0], Value::Record(Box::new([Value::Str(id.into()), Value::Unknown, Value::Unknown])));
    }

    #[test]
    fn very_long_string_is_shortened_in_messages() {
        let text = format!(r#"{{"employees": "{}"}}"#, "y".repeat(100_000));
        expect![[r#"
            $.employees: expected a number, found "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…yyyyyyyyyyyyyyy (100000 characters)"
        "#]]
        .assert_eq(&rendered(load_json(&text)));
    }

    #[test]
    fn date_field_reads_an_iso_date() {
        let Value::List(incidents) = system_slot(r#"{"incidents": [{"aware_at": "2024-02-29"}]}"#, 2) else {
            panic!("not a list");
        };
        let Value::Record(incident) = &incidents[0] else { panic!("not a record") };
        assert_eq!(incident[1], Value::Date(jiff::civil::date(2024, 2, 29)));
    }

    #[test]
    fn date_field_rejects_words() {
        expect![[r#"
            $.incidents[0].aware_at: expected a date (YYYY-MM-DD), found "next week"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"incidents": [{"aware_at": "next week"}]}"#)));
    }

    #[test]
    fn date_field_rejects_a_day_that_does_not_exist() {
        expect![[r#"
            $.incidents[0].aware_at: expected a date (YYYY-MM-DD), found "2025-02-29": no such day
        "#]]
        .assert_eq(&rendered(load_json(r#"{"incidents": [{"aware_at": "2025-02-29"}]}"#)));
    }

    #[test]
    fn date_field_rejects_other_iso_forms() {
        expect![[r#"
            $.incidents[0].aware_at: expected a date (YYYY-MM-DD), found "20250202"
            $.incidents[1].aware_at: expected a date (YYYY-MM-DD), found "2025-02-02T10:00:00Z"
        "#]]
        .assert_eq(&rendered(load_json(
            r#"{"incidents": [{"aware_at": "20250202"}, {"aware_at": "2025-02-02T10:00:00Z"}]}"#,
        )));
    }

    #[test]
    fn datetime_field_reads_rfc3339_with_offset() {
        let value = system_slot(r#"{"launched_at": "2025-02-02T11:00:00+01:00"}"#, 7);
        assert_eq!(value, Value::DateTime("2025-02-02T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn datetime_field_rejects_a_time_without_offset() {
        expect![[r#"
            $.launched_at: expected a datetime (RFC 3339 with an offset, like 2025-02-02T10:00:00Z), found "2025-02-02T10:00:00"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"launched_at": "2025-02-02T10:00:00"}"#)));
    }

    #[test]
    fn datetime_field_reads_rfc3339_only() {
        for accepted in ["2025-02-02T10:00:00Z", "2025-02-02t10:00:00.123456789z", "2025-02-02T23:59:59-23:59"] {
            let value = system_slot(&format!(r#"{{"launched_at": "{accepted}"}}"#), 7);
            assert!(matches!(value, Value::DateTime(_)), "{accepted}: {value:?}");
        }
        // ISO 8601 forms that jiff reads but RFC 3339 (and JSON Schema's `date-time`) does not.
        for refused in [
            "2025-02-02 10:00:00Z",
            "2025-02-02T10:00Z",
            "20250202T100000Z",
            "2025-02-02T10:00:00+01",
            "2025-02-02T10:00:00Z[Europe/Paris]",
            "2025-02-02T10:00:00.1234567890Z",
            "2025-02-02T24:00:00Z",
            "2025-02-02T23:59:60Z",
            "2025-02-02T10:00:00+24:00",
            "2025-02-02T10:00:00.Z",
        ] {
            let errors = load_json(&format!(r#"{{"launched_at": "{refused}"}}"#)).unwrap_err();
            assert!(errors[0].message.starts_with("expected a datetime"), "{refused}: {}", errors[0]);
        }
    }

    #[test]
    fn datetime_field_checks_the_day() {
        expect![[r#"
            $.launched_at: expected a datetime (RFC 3339 with an offset, like 2025-02-02T10:00:00Z), found "2025-02-30T10:00:00Z"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"launched_at": "2025-02-30T10:00:00Z"}"#)));
    }

    #[test]
    fn quantity_bare_number_is_in_the_field_unit() {
        assert_eq!(model_slots(r#"{"training_compute": 1e25}"#)[0], Value::Quantity(dec("1e25")));
        assert_eq!(system_slot(r#"{"notice": 15}"#, 5), Value::Quantity(dec("1296000")));
    }

    #[test]
    fn quantity_string_with_unit_is_converted_to_the_base_unit() {
        assert_eq!(model_slots(r#"{"training_compute": "100 EFLOP"}"#)[0], Value::Quantity(dec("1e20")));
        assert_eq!(model_slots(r#"{"training_compute": "1e25 FLOP"}"#)[0], Value::Quantity(dec("1e25")));
        assert_eq!(system_slot(r#"{"notice": "2 second"}"#, 5), Value::Quantity(dec("2")));
    }

    #[test]
    fn quantity_rejects_a_word() {
        expect![[r#"
            $.model.training_compute: expected a quantity in FLOP, found "lots"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "lots"}}"#)));
    }

    #[test]
    fn quantity_rejects_a_unit_of_another_dimension() {
        expect![[r#"
            $.model.training_compute: expected a quantity in FLOP, found "15 days": `days` is a unit of time, not compute
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "15 days"}}"#)));
    }

    #[test]
    fn quantity_with_unknown_unit_lists_the_units() {
        expect![[r#"
            $.model.training_compute: expected a quantity in FLOP, found "3 PFLOP": unknown unit `PFLOP` (did you mean `FLOP`?); units of compute are `FLOP`, `EFLOP`
            $.notice: expected a quantity in days, found "3 weeks": unknown unit `weeks`; units of time are `second`, `days`
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "3 PFLOP"}, "notice": "3 weeks"}"#)));
    }

    #[test]
    fn quantity_rejects_a_quoted_bare_number() {
        expect![[r#"
            $.model.training_compute: expected a quantity in FLOP, found "1e25"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "1e25"}}"#)));
    }

    #[test]
    fn quantity_that_overflows_in_the_base_unit_is_an_error() {
        expect![[r#"
            $.model.training_compute: quantity `1e20 EFLOP` cannot be held exactly in FLOP: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "1e20 EFLOP"}}"#)));
    }

    #[test]
    fn quantity_that_would_round_in_the_base_unit_is_an_error() {
        expect![[r#"
            $.notice: quantity `0.1234567890123456789012345678 days` cannot be held exactly in second: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits
        "#]]
        .assert_eq(&rendered(load_json(r#"{"notice": 0.1234567890123456789012345678}"#)));
    }

    #[test]
    fn quantity_with_out_of_range_number_in_a_string_is_an_error() {
        expect![[r#"
            $.model.training_compute: number `1e40` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": {"training_compute": "1e40 FLOP"}}"#)));
    }

    #[test]
    fn quantity_field_without_declared_unit_reads_bare_numbers_in_the_base_unit() {
        let mut schema = fixture_schema();
        schema.records[1].fields[0].unit = None;
        let value = load_description(&schema, br#"{"model": {"training_compute": 5}}"#, Format::Json).unwrap();
        let Value::Record(system) = value else { panic!("not a record") };
        assert_eq!(system[0], Value::Record(Box::new([Value::Quantity(dec("5")), Value::Unknown])));
    }

    #[test]
    fn enum_reads_the_variant_index() {
        assert_eq!(system_slot(r#"{"purposes": ["military"]}"#, 1), Value::Set(Box::new([Value::Enum(1)])));
    }

    #[test]
    fn enum_suggests_the_nearest_variant() {
        expect![[r#"
            $.purposes[0]: expected a `Purpose`, found "reserch" (did you mean `research`?)
        "#]]
        .assert_eq(&rendered(load_json(r#"{"purposes": ["reserch"]}"#)));
    }

    #[test]
    fn enum_lists_the_variants_without_a_near_one() {
        expect![[r#"
            $.purposes[0]: expected a `Purpose` (one of `commercial`, `military`, `research`), found "fun"
            $.purposes[1]: expected a `Purpose` (one of `commercial`, `military`, `research`), found 3
        "#]]
        .assert_eq(&rendered(load_json(r#"{"purposes": ["fun", 3]}"#)));
    }

    #[test]
    fn enum_with_many_variants_lists_the_first_ten() {
        let mut schema = fixture_schema();
        schema.enums[0].variants = (0..15).map(|index| format!("v{index}")).collect();
        let result = load_description(&schema, br#"{"purposes": ["zzzzzzzz"]}"#, Format::Json);
        expect![[r#"
            $.purposes[0]: expected a `Purpose` (one of `v0`, `v1`, `v2`, `v3`, `v4`, `v5`, `v6`, `v7`, `v8`, `v9`, and 5 more), found "zzzzzzzz"
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn set_is_sorted_and_deduplicated() {
        let value = system_slot(r#"{"purposes": ["research", "commercial", "research", "military"]}"#, 1);
        assert_eq!(value, Value::Set(Box::new([Value::Enum(0), Value::Enum(1), Value::Enum(2)])));
    }

    #[test]
    fn list_keeps_its_order() {
        let Value::List(incidents) = system_slot(r#"{"incidents": [{"id": "b"}, {"id": "a"}, {"id": "b"}]}"#, 2) else {
            panic!("not a list");
        };
        let ids: Vec<Value> = incidents
            .iter()
            .map(|incident| match incident {
                Value::Record(slots) => slots[0].clone(),
                other => panic!("not a record: {other:?}"),
            })
            .collect();
        assert_eq!(ids, vec![Value::Str("b".into()), Value::Str("a".into()), Value::Str("b".into())]);
    }

    #[test]
    fn set_rejects_a_single_value() {
        expect![[r#"
            $.purposes: expected a list (set of `Purpose`), found "research"
        "#]]
        .assert_eq(&rendered(load_json(r#"{"purposes": "research"}"#)));
    }

    #[test]
    fn null_list_element_is_an_error() {
        expect![[r#"
            $.incidents[1]: expected an `Incident` object, found null
        "#]]
        .assert_eq(&rendered(load_json(r#"{"incidents": [{}, null]}"#)));
    }

    #[test]
    fn record_rejects_a_non_object() {
        expect![[r#"
            $.model: expected a `Model` object, found a list
        "#]]
        .assert_eq(&rendered(load_json(r#"{"model": [1, 2]}"#)));
    }

    #[test]
    fn top_level_must_be_an_object() {
        expect![[r#"
            $: expected a `System` object, found a list
        "#]]
        .assert_eq(&rendered(load_json("[]")));
    }

    #[test]
    fn all_errors_are_collected_in_document_order() {
        let text = r#"{
  "notice": "soon",
  "model": {"general_purpose": "no", "trainig_compute": 1},
  "incidents": [{}, {}, {"aware_at": "next week", "serious": 1}],
  "purposes": ["fun"]
}"#;
        expect![[r#"
            $.notice: expected a quantity in days, found "soon"
            $.model.general_purpose: expected true or false, found "no"
            $.model.trainig_compute: unknown field `trainig_compute` in `Model` (did you mean `training_compute`?)
            $.incidents[2].aware_at: expected a date (YYYY-MM-DD), found "next week"
            $.incidents[2].serious: expected true or false, found 1
            $.purposes[0]: expected a `Purpose` (one of `commercial`, `military`, `research`), found "fun"
        "#]]
        .assert_eq(&rendered(load_json(text)));
    }

    #[test]
    fn duplicate_keys_and_mismatches_come_in_one_list_in_document_order() {
        let text = r#"{"notice": "soon", "employees": "x", "notice": 1, "colour": 2}"#;
        expect![[r#"
            $.notice: expected a quantity in days, found "soon"
            $.employees: expected a number, found "x"
            $.notice: key `notice` appears more than once in this object
            $.colour: unknown field `colour` in `System`
        "#]]
        .assert_eq(&rendered(load_json(text)));
    }

    #[test]
    fn error_type_in_the_schema_is_an_error_value_not_a_panic() {
        let mut schema = fixture_schema();
        schema.records[1].fields[1].ty = Ty::Error;
        let result = load_description(&schema, br#"{"model": {"general_purpose": true}}"#, Format::Json);
        expect![[r#"
            $.model.general_purpose: cannot read this value: its type in the rulebook has errors
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn missing_error_type_field_is_unknown() {
        let mut schema = fixture_schema();
        schema.records[1].fields[1].ty = Ty::Error;
        assert!(load_description(&schema, br#"{"model": {}}"#, Format::Json).is_ok());
    }

    #[test]
    fn dangling_schema_ids_are_errors_not_panics() {
        let mut schema = fixture_schema();
        schema.records[1].fields[0].ty = Ty::Quantity(DimId(9));
        schema.records[1].fields[1].ty = Ty::Enum(EnumId(9));
        schema.records[0].fields[3].ty = Ty::Record(RecordId(9));
        let text = br#"{"model": {"training_compute": 1, "general_purpose": "x"}, "authorisation": {}}"#;
        expect![[r#"
            $.model.training_compute: cannot read this quantity: its dimension is missing from the rulebook
            $.model.general_purpose: cannot read this value: its enum is missing from the rulebook
            $.authorisation: cannot read this value: its record is missing from the rulebook
        "#]]
        .assert_eq(&rendered(load_description(&schema, text, Format::Json)));
    }

    #[test]
    fn declared_unit_of_another_dimension_is_an_error_for_bare_numbers() {
        let mut schema = fixture_schema();
        schema.records[1].fields[0].unit = Some("days".to_owned());
        let result = load_description(&schema, br#"{"model": {"training_compute": 1}}"#, Format::Json);
        expect![[r#"
            $.model.training_compute: cannot read a bare number here: `days` is not a unit of compute in the rulebook
        "#]]
        .assert_eq(&rendered(result));
    }

    /// A schema whose `System` is a tree: `{"children": [{"children": [...]}]}`.
    fn recursive_schema() -> Schema {
        Schema {
            records: vec![RecordDef {
                name: "System".to_owned(),
                fields: vec![
                    FieldDef {
                        name: "children".to_owned(),
                        ty: Ty::List(Box::new(Ty::Record(RecordId(0)))),
                        optional: true,
                        unit: None,
                        doc: None,
                    },
                    FieldDef { name: "flag".to_owned(), ty: Ty::Bool, optional: true, unit: None, doc: None },
                ],
                doc: None,
            }],
            enums: vec![EnumDef { name: "Unused".to_owned(), variants: vec![], doc: None, variant_docs: vec![] }],
            dimensions: vec![DimensionDef { name: "unused".to_owned(), base_unit: "u".to_owned() }],
            units: vec![],
            root: Some(RecordId(0)),
        }
    }

    /// Builds `{"children": [{"children": [ ... ]}]}` `depth` levels deep, without recursion.
    fn deep_tree(depth: usize) -> serde_json::Value {
        // Not `json!`, which serializes an interpolated value recursively.
        let mut value = serde_json::Value::Object(serde_json::Map::new());
        for _ in 0..depth {
            let mut map = serde_json::Map::new();
            map.insert("children".to_owned(), serde_json::Value::Array(vec![value]));
            value = serde_json::Value::Object(map);
        }
        value
    }

    /// Takes a deep value apart without recursion, so that dropping it cannot overflow the stack.
    fn drop_deep(value: serde_json::Value) {
        let mut stack = vec![value];
        while let Some(value) = stack.pop() {
            match value {
                serde_json::Value::Array(items) => stack.extend(items),
                serde_json::Value::Object(map) => stack.extend(map.into_iter().map(|(_, value)| value)),
                _ => {}
            }
        }
    }

    #[test]
    fn recursive_schema_reads_a_shallow_tree() {
        assert!(from_json_value(&recursive_schema(), &deep_tree(20)).is_ok());
    }

    #[test]
    fn hand_built_value_nested_too_deeply_is_an_error() {
        let value = deep_tree(100_000);
        let errors = from_json_value(&recursive_schema(), &value).unwrap_err();
        drop_deep(value);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("nested more than 128 levels deep"), "{}", errors[0]);
        assert!(errors[0].path.starts_with("$.children[0].children[0]"), "{}", errors[0].path);
    }

    #[test]
    fn deep_value_where_the_schema_has_no_nesting_is_a_mismatch() {
        let mut value = serde_json::Value::Bool(true);
        for _ in 0..100_000 {
            value = serde_json::Value::Array(vec![value]);
        }
        let mut map = serde_json::Map::new();
        map.insert("flag".to_owned(), value);
        let description = serde_json::Value::Object(map);
        let result = from_json_value(&recursive_schema(), &description);
        drop_deep(description);
        expect![[r#"
            $.flag: expected true or false, found a list
        "#]]
        .assert_eq(&rendered(result));
    }

    #[test]
    fn exact_mul_refuses_products_that_need_rounding() {
        assert_eq!(exact_mul(dec("1.5"), dec("86400")), Some(dec("129600")));
        assert_eq!(exact_mul(dec("-2"), dec("1e18")), Some(dec("-2e18")));
        assert_eq!(exact_mul(dec("0"), dec("1e18")), Some(Decimal::ZERO));
        assert_eq!(exact_mul(dec("0.1234567890123456789012345678"), dec("86400")), None);
        assert_eq!(exact_mul(dec("1e11"), dec("1e18")), None);
    }

    #[test]
    fn suggest_picks_the_closest_candidate() {
        assert_eq!(suggest("trainig_compute", ["general_purpose", "training_compute"]), Some("training_compute"));
        assert_eq!(suggest("colour", ["model", "notice"]), None);
        assert_eq!(suggest(&"x".repeat(1_000), ["x"]), None);
    }
}
