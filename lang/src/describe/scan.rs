//! The fastest JSON path: a scanner over the text's bytes for the plain JSON that descriptions
//! are written in, straight into the schema's slot layout.
//!
//! It reads strings without escapes, numbers, `true`, `false`, `null`, objects and arrays, and
//! nothing else: at a backslash in a string, an object where a scalar is expected (perhaps a
//! number spelled as `serde_json`'s private one-entry map) or nesting deeper than
//! [`MAX_SCAN_DEPTH`] it stops with [`Stop::Unsupported`], and the caller hands the text to the
//! `serde_json`-driven reader (`fast`). At anything the tree reader would report (a syntax
//! error, an unknown or repeated key, a value of the wrong type, `null` in a list) it stops with
//! [`Stop::Invalid`], and the caller reads the text through the tree, which reports every error.
//! A stop is never wrong, only slower: whatever the scanner refuses, the tree decides.
//!
//! What it accepts it reads as the tree reader does:
//! - the syntax it accepts is a subset of JSON's (RFC 8259): the four whitespace bytes,
//!   `serde_json`'s number grammar (no leading zeros, a digit after the point and after the
//!   exponent), strings without control characters, no trailing commas, nothing after the root
//!   object but whitespace;
//! - a number's text is spelled as `serde_json` spells it with `arbitrary_precision` (the exponent
//!   as `e` with its sign, `1E25` as `1e+25`), and becomes a 64-bit integer exactly when
//!   `serde_json`'s parser would make it one (the whole text reads as a `u64`, or as an `i64` and
//!   is not `-0`); the scalar is then read by the tree reader's own rules
//!   (`convert::Reader::read_scalar`);
//! - records, sets and lists hold what the `serde_json`-driven reader puts in them: missing
//!   fields and `null` from `convert::missing`, sets sorted and without repeats by
//!   `convert::sort_set_tail`, the function behind `convert::set_value`. Their slices come from
//!   the last description loaded into the same buffer: a record, set or list is written into
//!   the slice the last description had at the same place when it has the right size (else into
//!   a kept slice of that size, else a new one), so a batch of similar descriptions allocates
//!   nothing but strings and taking the last description apart costs nothing.
//!
//! The common scalars skip the general rules, with the same result: `true` and `false` in a
//! boolean field, a string in an enum field (its bytes compared with the variants'), a set of an
//! enum of at most 128 variants (a bit set, which is the sorted set without repeats), and a
//! number in a number, integer or quantity field, whose digits are read once into its exact
//! value (`Scanner::decimal`; a number it cannot hold cheaply, with more than 28 significant
//! digits or an exponent too large for its digits, is spelled and read by the general rules).
//!
//! The text is not checked as UTF-8 as a whole: everything the scanner reads outside strings
//! must be ASCII, a string it keeps is checked when it is read, and a key or an enum variant is
//! only ever accepted when its bytes equal a name of the schema, which is UTF-8. So the scanner
//! accepts only valid UTF-8.

use rust_decimal::Decimal;

use super::convert::{At, Reader, exact_mul, missing, sort_set_tail};
use super::tree::Found;
use crate::schema::{DimId, EnumDef, RecordDef, Schema, Ty};
use crate::value::Value;

/// Nesting of objects and arrays beyond which the scanner leaves the text to `serde_json`, which
/// knows its own limit (128).
const MAX_SCAN_DEPTH: usize = 96;

/// The longest number text the scanner reads itself; longer ones go to `serde_json`.
const MAX_NUMBER_LEN: usize = 64;

/// Why the scanner stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The text uses JSON the scanner does not read (escapes, deep nesting, long numbers, objects
    /// in scalar places): the `serde_json`-driven reader may still read it.
    Unsupported,
    /// The tree reader would report something (or the scanner cannot tell): read it through the
    /// tree.
    Invalid,
}

type Scan<T> = Result<T, Stop>;

/// Buffers the scanner reuses between descriptions: the elements of the sets and lists being
/// read, as one stack; the last description loaded, whose slices the next one is written into;
/// and emptied slices of earlier descriptions, for values whose place had no slice of their size.
#[derive(Debug, Default)]
pub(crate) struct ScanScratch {
    items: Vec<Value>,
    spare: Vec<Box<[Value]>>,
    last: Value,
}

/// The most emptied slices kept for reuse: enough for a description's records, sets and lists,
/// few enough that looking for one of the right size stays cheap.
const MAX_SPARE: usize = 32;

impl ScanScratch {
    /// Keeps `value`, the description last loaded, for the next description to be written into.
    pub(crate) fn recycle(&mut self, value: Value) {
        let older = std::mem::replace(&mut self.last, value);
        self.take_apart(older);
    }

    /// Takes `value` apart, keeping its records', sets' and lists' slices (emptied).
    fn take_apart(&mut self, value: Value) {
        if let Value::Record(mut slots) | Value::Set(mut slots) | Value::List(mut slots) = value {
            // Scalars stay until the slot is written again.
            for slot in slots.iter_mut() {
                if matches!(slot, Value::Record(_) | Value::Set(_) | Value::List(_)) {
                    self.take_apart(std::mem::take(slot));
                }
            }
            if !slots.is_empty() && self.spare.len() < MAX_SPARE {
                self.spare.push(slots);
            }
        }
    }

    /// A slice of `len` slots, each to be written: a spare one, else a new one.
    fn slots(&mut self, len: usize) -> Box<[Value]> {
        if len > 0
            && let Some(at) = self.spare.iter().rposition(|slots| slots.len() == len)
        {
            return self.spare.swap_remove(at);
        }
        std::iter::repeat_with(Value::default).take(len).collect()
    }

    /// A slice of `len` slots for the value at the place where the last description had `old`:
    /// `old`'s own slice when it has `len` slots (what it still holds is to be overwritten),
    /// else as [`ScanScratch::slots`].
    fn reuse(&mut self, old: Value, len: usize) -> Box<[Value]> {
        match old {
            Value::Record(slots) | Value::Set(slots) | Value::List(slots) if slots.len() == len => slots,
            other => {
                self.take_apart(other);
                self.slots(len)
            }
        }
    }
}

/// Reads the JSON `text` (without its byte-order mark, not yet checked as UTF-8) as the schema's
/// root record.
pub(crate) fn scan_json(schema: &Schema, text: &[u8], scratch: &mut ScanScratch) -> Scan<Value> {
    let root = schema.root.ok_or(Stop::Invalid)?;
    let def = schema.record(root).ok_or(Stop::Invalid)?;
    scratch.items.clear();
    let last = std::mem::take(&mut scratch.last);
    let mut scanner = Scanner {
        bytes: text,
        pos: 0,
        depth: 0,
        reader: Reader::without_paths(schema),
        number: [0; MAX_NUMBER_LEN],
        scratch,
    };
    scanner.whitespace();
    let value = scanner.record(def, last)?;
    scanner.whitespace();
    if scanner.pos != scanner.bytes.len() {
        return Err(Stop::Invalid);
    }
    Ok(value)
}

struct Scanner<'s, 'a, 'i> {
    bytes: &'s [u8],
    pos: usize,
    depth: usize,
    reader: Reader<'a>,
    /// The number being read, spelled as `serde_json` spells it.
    number: [u8; MAX_NUMBER_LEN],
    scratch: &'i mut ScanScratch,
}

impl<'s> Scanner<'s, '_, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` or stops.
    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.peek() != Some(byte) {
            return Err(Stop::Invalid);
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes `word` (`true`, `false`, `null`) or stops.
    fn literal(&mut self, word: &[u8]) -> Scan<()> {
        let end = self.pos.checked_add(word.len()).ok_or(Stop::Invalid)?;
        // Byte by byte: a call to `memcmp` costs more than four or five bytes.
        if !self.bytes.get(self.pos..end).is_some_and(|text| text.iter().zip(word).all(|(a, b)| a == b)) {
            return Err(Stop::Invalid);
        }
        self.pos = end;
        Ok(())
    }

    /// Enters an object or an array.
    fn descend(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_SCAN_DEPTH {
            return Err(Stop::Unsupported);
        }
        Ok(())
    }

    /// After an element or a member, whitespace then `,` (true) or `close` (false).
    fn next_or_close(&mut self, close: u8) -> Scan<bool> {
        self.whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.whitespace();
                Ok(true)
            }
            Some(byte) if byte == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(Stop::Invalid),
        }
    }

    /// A non-null value of type `ty` (in `unit`, for quantities), at its first byte, written
    /// where the last description had `old`.
    fn value(&mut self, ty: &Ty, unit: Option<&str>, old: Value) -> Scan<Value> {
        match ty {
            Ty::Record(id) => {
                let def = self.reader.schema.record(*id).ok_or(Stop::Invalid)?;
                self.record(def, old)
            }
            Ty::Set(inner) => self.items(inner, unit, true, old),
            Ty::List(inner) => self.items(inner, unit, false, old),
            _ => {
                if let Value::Record(_) | Value::Set(_) | Value::List(_) = old {
                    self.scratch.take_apart(old);
                }
                self.scalar(ty, unit)
            }
        }
    }

    /// A record's fields, each into its slot.
    fn record(&mut self, def: &RecordDef, old: Value) -> Scan<Value> {
        self.expect(b'{')?;
        self.descend()?;
        let mut slots = self.scratch.reuse(old, def.fields.len());
        let mut seen = Seen::new(slots.len());
        // Descriptions mostly list fields in declaration order: the field after the last one
        // read is tried first.
        let mut next = 0usize;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let index = match def.fields.get(next) {
                    Some(field) if self.key_is(field.name.as_bytes()) => next,
                    _ => {
                        let key = self.string_bytes()?;
                        def.fields.iter().position(|field| field.name.as_bytes() == key).ok_or(Stop::Invalid)?
                    }
                };
                self.whitespace();
                self.expect(b':')?;
                self.whitespace();
                next = index + 1;
                let (Some(slot), Some(field)) = (slots.get_mut(index), def.fields.get(index)) else {
                    return Err(Stop::Invalid);
                };
                if !seen.insert(index) {
                    return Err(Stop::Invalid);
                }
                if let Ty::Record(_) | Ty::Set(_) | Ty::List(_) = field.ty {
                    let old = std::mem::take(slot);
                    if self.peek() == Some(b'n') {
                        self.literal(b"null")?;
                        self.scratch.take_apart(old);
                        *slot = missing(field);
                    } else {
                        *slot = self.value(&field.ty, field.unit.as_deref(), old)?;
                    }
                } else {
                    let value = match (&field.ty, self.peek()) {
                        (_, Some(b'n')) => {
                            self.literal(b"null")?;
                            missing(field)
                        }
                        (Ty::Bool, Some(b't')) => {
                            self.literal(b"true")?;
                            Value::Bool(true)
                        }
                        (Ty::Bool, Some(b'f')) => {
                            self.literal(b"false")?;
                            Value::Bool(false)
                        }
                        _ => self.scalar(&field.ty, field.unit.as_deref())?,
                    };
                    let old = std::mem::replace(slot, value);
                    if let Value::Record(_) | Value::Set(_) | Value::List(_) = old {
                        self.scratch.take_apart(old);
                    }
                }
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        // Every slot not written above holds what the last description left there.
        if !seen.is_full(slots.len()) {
            for (index, (slot, field)) in slots.iter_mut().zip(&def.fields).enumerate() {
                if seen.insert(index) {
                    let old = std::mem::replace(slot, missing(field));
                    self.scratch.take_apart(old);
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Record(slots))
    }

    /// The elements of a set or a list, through the shared stack of elements; element `i` is
    /// written where the last description had its element `i`.
    fn items(&mut self, inner: &Ty, unit: Option<&str>, set: bool, old: Value) -> Scan<Value> {
        let mut old_items = match old {
            Value::Set(items) | Value::List(items) => items,
            other => {
                self.scratch.take_apart(other);
                Box::default()
            }
        };
        if set
            && let Ty::Enum(id) = inner
            && let Some(def) = self.reader.schema.enum_def(*id)
            && def.variants.len() <= 128
        {
            return self.enum_set(def, inner, unit, old_items);
        }
        self.expect(b'[')?;
        self.descend()?;
        let start = self.scratch.items.len();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                // `null` is not an element: the scalar reader stops at it, and so do records,
                // sets and lists.
                let old_item =
                    old_items.get_mut(self.scratch.items.len() - start).map(std::mem::take).unwrap_or_default();
                let item = self.value(inner, unit, old_item)?;
                self.scratch.items.push(item);
                if !self.next_or_close(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        if set {
            sort_set_tail(&mut self.scratch.items, start);
        }
        let len = self.scratch.items.len().saturating_sub(start);
        let mut slots = self.scratch.reuse(Value::List(old_items), len);
        for (slot, item) in slots.iter_mut().zip(self.scratch.items.drain(start..)) {
            *slot = item;
        }
        if set {
            return Ok(Value::Set(slots));
        }
        Ok(Value::List(slots))
    }

    /// A set of an enum of at most 128 variants, as a bit set of its variants' indices: read in
    /// ascending order, that is the set sorted and without repeats.
    fn enum_set(&mut self, def: &EnumDef, inner: &Ty, unit: Option<&str>, old: Box<[Value]>) -> Scan<Value> {
        self.expect(b'[')?;
        self.descend()?;
        let mut bits = 0u128;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let index = if self.peek() == Some(b'"') {
                    self.variant(def)?
                } else {
                    // Not a string: the general rules say what it is (never a variant).
                    match self.scalar(inner, unit)? {
                        Value::Enum(index) => index,
                        _ => return Err(Stop::Invalid),
                    }
                };
                bits |= 1u128.checked_shl(index).ok_or(Stop::Invalid)?;
                if !self.next_or_close(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        let len = usize::try_from(bits.count_ones()).map_err(|_| Stop::Invalid)?;
        let mut slots = self.scratch.reuse(Value::Set(old), len);
        for slot in slots.iter_mut() {
            *slot = Value::Enum(bits.trailing_zeros());
            bits &= bits - 1;
        }
        Ok(Value::Set(slots))
    }

    /// The index of the enum variant named by the string at the cursor (at its opening quote):
    /// its bytes equal the variant's name, so they are UTF-8. A string that names no variant is
    /// refused, as the general rules refuse it.
    fn variant(&mut self, def: &EnumDef) -> Scan<u32> {
        let text = self.string_bytes()?;
        let first = text.first();
        // The length, then the first byte, then the rest: most variants differ in the first two.
        for (index, variant) in def.variants.iter().enumerate() {
            let variant = variant.as_bytes();
            if variant.len() == text.len() && variant.first() == first && same_bytes(variant, text) {
                return u32::try_from(index).map_err(|_| Stop::Invalid);
            }
        }
        Err(Stop::Invalid)
    }

    /// Whether the key at the cursor (at its opening quote) is `name`, then consumed: the text
    /// holds the quote, `name`'s bytes and the closing quote. A field's name is an identifier
    /// (no quote, backslash or control character), so this is the string
    /// [`Scanner::string_bytes`] would read.
    fn key_is(&mut self, name: &[u8]) -> bool {
        let start = self.pos + 1;
        let end = start + name.len();
        if self.peek() == Some(b'"')
            && self.bytes.get(end) == Some(&b'"')
            && self.bytes.get(start..end).is_some_and(|key| same_bytes(key, name))
        {
            self.pos = end + 1;
            return true;
        }
        false
    }

    /// A string without escapes, at its opening quote: its bytes, borrowed from the text and not
    /// checked as UTF-8 (the caller compares them with UTF-8 names, or checks them).
    fn string_bytes(&mut self) -> Scan<&'s [u8]> {
        self.expect(b'"')?;
        let start = self.pos;
        let rest = self.bytes.get(start..).ok_or(Stop::Invalid)?;
        let length = string_length(rest).ok_or(Stop::Invalid)?;
        self.pos = start + length;
        match self.peek() {
            Some(b'"') => {}
            Some(b'\\') => return Err(Stop::Unsupported),
            // `serde_json` refuses control characters in strings; so does the tree.
            _ => return Err(Stop::Invalid),
        }
        let text = rest.get(..length).ok_or(Stop::Invalid)?;
        self.pos += 1;
        Ok(text)
    }

    /// A string without escapes, at its opening quote, borrowed from the text. Invalid UTF-8 is
    /// refused, as the tree reader refuses the whole text.
    fn string(&mut self) -> Scan<&'s str> {
        let bytes = self.string_bytes()?;
        std::str::from_utf8(bytes).map_err(|_| Stop::Invalid)
    }

    /// A scalar: the common ones directly, the rest by the tree reader's rules.
    fn scalar(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
        match (ty, self.peek()) {
            (Ty::Bool, Some(b't')) => {
                self.literal(b"true")?;
                Ok(Value::Bool(true))
            }
            (Ty::Bool, Some(b'f')) => {
                self.literal(b"false")?;
                Ok(Value::Bool(false))
            }
            (Ty::Enum(id), Some(b'"')) => {
                let def = self.reader.schema.enum_def(*id).ok_or(Stop::Invalid)?;
                Ok(Value::Enum(self.variant(def)?))
            }
            (Ty::Number | Ty::Integer | Ty::Quantity(_), Some(b'-' | b'0'..=b'9')) => self.number(ty, unit),
            // A number where no number goes: the tree reader reports it.
            (_, Some(b'-' | b'0'..=b'9')) => Err(Stop::Invalid),
            (_, Some(b'"')) => {
                let text = self.string()?;
                self.read(ty, unit, Found::String(text))
            }
            (_, Some(b't')) => {
                self.literal(b"true")?;
                self.read(ty, unit, Found::Bool(true))
            }
            (_, Some(b'f')) => {
                self.literal(b"false")?;
                self.read(ty, unit, Found::Bool(false))
            }
            // Perhaps a number as `serde_json`'s one-entry map, which the other reader knows.
            (_, Some(b'{')) => Err(Stop::Unsupported),
            _ => Err(Stop::Invalid),
        }
    }

    fn read(&mut self, ty: &Ty, unit: Option<&str>, found: Found<'_>) -> Scan<Value> {
        let value = self.reader.read_scalar(ty, unit, At { found, position: None });
        if !self.reader.errors.is_empty() {
            return Err(Stop::Invalid);
        }
        Ok(value)
    }

    /// A number in a number, integer or quantity field: its exact value read from its digits
    /// once ([`Scanner::decimal`]), or, when that cannot hold it, spelled and read by the
    /// general rules ([`Scanner::spelled_number`]).
    fn number(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
        let start = self.pos;
        let Some(value) = self.decimal()? else {
            self.pos = start;
            return self.spelled_number(ty, unit);
        };
        match ty {
            Ty::Number => Ok(Value::Number(value)),
            // The value is normalized: it is whole exactly when it has no digits after the point.
            Ty::Integer if value.scale() == 0 => Ok(Value::Number(value)),
            Ty::Quantity(dim) => self.quantity(*dim, unit, value),
            _ => Err(Stop::Invalid),
        }
    }

    /// A bare number in a quantity field, in the field's unit (else the dimension's base unit),
    /// converted to the base unit as `convert::Reader::read_quantity` converts it.
    fn quantity(&mut self, dim: DimId, unit: Option<&str>, value: Decimal) -> Scan<Value> {
        let schema = self.reader.schema;
        let dimension = schema.dimension(dim).ok_or(Stop::Invalid)?;
        let name = unit.unwrap_or(&dimension.base_unit);
        let unit = schema.unit(name).filter(|unit| unit.dimension == dim).ok_or(Stop::Invalid)?;
        // A scale of exactly 1 (the base unit) gives the value itself: `exact_mul` multiplies
        // the mantissa by 1 and normalizes a value that is already normalized.
        if unit.scale.mantissa() == 1 && unit.scale.scale() == 0 {
            return Ok(Value::Quantity(value));
        }
        exact_mul(value, unit.scale).map(Value::Quantity).ok_or(Stop::Invalid)
    }

    /// A number at the cursor, checked against `serde_json`'s grammar (a stop at anything else)
    /// and read from its digits once into the value `num::parse_decimal` gives for its text, or
    /// `None` when that value is not at hand: more than 28 significant digits, a magnitude that
    /// may be out of range, more than 28 digits after the point (the general rules then read
    /// it, and report what is wrong).
    ///
    /// The value is normalized, as `parse_decimal`'s: the mantissa is the significant digits
    /// (no trailing zero) when there are digits after the point, and any whole number has scale
    /// 0. The text of a 64-bit integer reads as the integer itself, which the general rules
    /// turn into the same `Decimal` (scale 0).
    fn decimal(&mut self) -> Scan<Option<Decimal>> {
        /// The most significant digits read here; a `Decimal` holds all 28-digit mantissas.
        const MAX_DIGITS: u32 = 28;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut significant = 0u128;
        let mut n_significant = 0u32;
        // Zeros after the last nonzero digit, not yet in `significant`.
        let mut zeros = 0i64;
        let mut n_fraction = 0i64;
        let mut held = true;
        let mut digit = |digit: u8, significant: &mut u128| {
            if digit == 0 {
                if n_significant > 0 {
                    zeros += 1;
                }
                return;
            }
            let needed = i64::from(n_significant) + zeros + 1;
            if !held || needed > i64::from(MAX_DIGITS) {
                held = false;
                return;
            }
            for _ in 0..zeros {
                *significant *= 10;
            }
            *significant = *significant * 10 + u128::from(digit);
            n_significant = u32::try_from(needed).unwrap_or(MAX_DIGITS);
            zeros = 0;
        };
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Stop::Invalid);
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(byte @ b'0'..=b'9') = self.peek() {
                    digit(byte - b'0', &mut significant);
                    self.pos += 1;
                }
            }
            _ => return Err(Stop::Invalid),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Stop::Invalid);
            }
            while let Some(byte @ b'0'..=b'9') = self.peek() {
                digit(byte - b'0', &mut significant);
                n_fraction += 1;
                self.pos += 1;
            }
        }
        let mut exponent = 0i64;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let negative_exponent = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Stop::Invalid);
            }
            while let Some(byte @ b'0'..=b'9') = self.peek() {
                // Clamped as `parse_decimal` clamps it: far beyond any exponent that can hold.
                exponent = exponent.saturating_mul(10).saturating_add(i64::from(byte - b'0')).min(1_000_000_000);
                self.pos += 1;
            }
            if negative_exponent {
                exponent = -exponent;
            }
        }
        if !held {
            return Ok(None);
        }
        if n_significant == 0 {
            return Ok(Some(Decimal::ZERO));
        }
        // The value is `significant × 10^exponent`; every term is bounded by the text's length
        // or the clamp, far from overflowing an i64.
        let exponent = exponent.saturating_add(zeros).saturating_sub(n_fraction);
        let (mantissa, scale) = match u32::try_from(exponent) {
            Ok(exponent) => {
                let Some(mantissa) = 10u128.checked_pow(exponent).and_then(|power| significant.checked_mul(power))
                else {
                    return Ok(None);
                };
                (mantissa, 0)
            }
            Err(_) => match u32::try_from(exponent.saturating_neg()) {
                Ok(scale) if scale <= 28 => (significant, scale),
                _ => return Ok(None),
            },
        };
        // 2^96 - 1, the largest mantissa a `Decimal` holds.
        if mantissa > (1u128 << 96) - 1 {
            return Ok(None);
        }
        let Ok(signed) = i128::try_from(mantissa) else { return Ok(None) };
        let signed = if negative { -signed } else { signed };
        Ok(Decimal::try_from_i128_with_scale(signed, scale).ok())
    }

    /// A number, spelled into `self.number` as `serde_json` spells it (`scan_integer`,
    /// `scan_decimal` and `scan_exponent` with `arbitrary_precision`), then read as
    /// `parse_any_number` hands it over: a `u64`, an `i64` (not `-0`), or the text.
    fn spelled_number(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
        let mut len = 0;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.push_number(&mut len, b'-')?;
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.push_number(&mut len, b'0')?;
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Stop::Invalid);
                }
            }
            Some(b'1'..=b'9') => self.digits(&mut len)?,
            _ => return Err(Stop::Invalid),
        }
        if self.peek() == Some(b'.') {
            self.push_number(&mut len, b'.')?;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Stop::Invalid);
            }
            self.digits(&mut len)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.push_number(&mut len, b'e')?;
            self.pos += 1;
            match self.peek() {
                Some(sign @ (b'+' | b'-')) => {
                    self.push_number(&mut len, sign)?;
                    self.pos += 1;
                }
                _ => self.push_number(&mut len, b'+')?,
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Stop::Invalid);
            }
            self.digits(&mut len)?;
        }
        let number = self.number;
        let text = number.get(..len).and_then(|text| std::str::from_utf8(text).ok()).ok_or(Stop::Invalid)?;
        let found = if !negative && let Ok(value) = text.parse::<u64>() {
            Found::Integer(i128::from(value))
        } else if negative
            && text != "-0"
            && let Ok(value) = text.parse::<i64>()
        {
            Found::Integer(i128::from(value))
        } else {
            Found::Number(text)
        };
        self.read(ty, unit, found)
    }

    fn digits(&mut self, len: &mut usize) -> Scan<()> {
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            self.push_number(len, digit)?;
            self.pos += 1;
        }
        Ok(())
    }

    fn push_number(&mut self, len: &mut usize, byte: u8) -> Scan<()> {
        let slot = self.number.get_mut(*len).ok_or(Stop::Unsupported)?;
        *slot = byte;
        *len += 1;
        Ok(())
    }
}

/// The length of the string whose bytes start `rest` (after its opening quote): the offset of
/// the first quote, backslash or control character, or `None` when there is none. Eight bytes at
/// a time: in a word, a byte equal to `b` is a zero byte of `word ^ b…b`, and the lowest byte
/// flagged by `(x - 0x01…01) & !x & 0x80…80` is exactly the lowest zero byte of `x` (a borrow
/// only runs upward, past it); bytes below 0x20 are flagged likewise by subtracting 0x20…20.
fn string_length(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let mut at = 0usize;
    while let Some(chunk) = rest.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let flagged = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        let flagged = flagged & HIGHS;
        if flagged != 0 {
            return Some(at + usize::try_from(flagged.trailing_zeros() / 8).ok()?);
        }
        at += 8;
    }
    let tail = rest.get(at..)?;
    tail.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20).map(|length| at + length)
}

/// Whether two byte strings are equal: for the short names of fields and variants, two
/// overlapping words instead of a call to `memcmp`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word =
        |bytes: &[u8], at: usize| bytes.get(at..at + 8).and_then(|chunk| chunk.try_into().ok()).map(u64::from_le_bytes);
    if n < 8 {
        let half = |bytes: &[u8], at: usize| {
            bytes.get(at..at + 4).and_then(|chunk| chunk.try_into().ok()).map(u32::from_le_bytes)
        };
        if n >= 4 {
            return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4);
        }
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Which fields of a record have been read: a bit set, for records of up to 128 fields, else a
/// vector of flags.
pub(crate) enum Seen {
    Bits(u128),
    Flags(Vec<bool>),
}

impl Seen {
    pub(crate) fn new(n_fields: usize) -> Seen {
        if n_fields <= 128 {
            return Seen::Bits(0);
        }
        Seen::Flags(vec![false; n_fields])
    }

    /// Whether every one of `n_fields` fields has been read.
    pub(crate) fn is_full(&self, n_fields: usize) -> bool {
        match self {
            Seen::Bits(bits) => usize::try_from(bits.count_ones()).is_ok_and(|count| count == n_fields),
            Seen::Flags(flags) => flags.iter().all(|flag| *flag),
        }
    }

    /// Marks field `index` as read; false if it already was.
    pub(crate) fn insert(&mut self, index: usize) -> bool {
        match self {
            Seen::Bits(bits) => {
                let Some(bit) = u32::try_from(index).ok().and_then(|index| 1u128.checked_shl(index)) else {
                    return false;
                };
                let fresh = *bits & bit == 0;
                *bits |= bit;
                fresh
            }
            Seen::Flags(flags) => match flags.get_mut(index) {
                Some(flag) => !std::mem::replace(flag, true),
                None => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{same_bytes, string_length};

    /// Every byte of interest at every place of texts of every length up to 40, after runs of
    /// plain bytes, bytes beyond ASCII and bytes just above the specials.
    #[test]
    fn string_length_finds_the_first_special_byte() {
        let naive = |rest: &[u8]| rest.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20);
        let fillers = [b'a', b' ', 0x21, 0x23, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF];
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1F, b'a', 0x20, 0xA2, 0xDC, 0x9F];
        for len in 0..40 {
            for filler in fillers {
                let plain = vec![filler; len];
                assert_eq!(string_length(&plain), naive(&plain), "{plain:?}");
                for at in 0..len {
                    for special in specials {
                        for second in specials {
                            let mut text = plain.clone();
                            text[at] = special;
                            if at + 3 < len {
                                text[at + 3] = second;
                            }
                            assert_eq!(string_length(&text), naive(&text), "{text:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn same_bytes_compares_every_byte() {
        for len in 0..40usize {
            let a: Vec<u8> = (0..len).map(|index| b'a' + (index % 26) as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            assert!(!same_bytes(&a, &a[..len.saturating_sub(1)]) || len == 0);
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same_bytes(&a, &b), "{len} {at}");
            }
        }
    }
}
