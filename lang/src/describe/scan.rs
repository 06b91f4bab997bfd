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
//!   the last description loaded into the same buffer when it had slices of the same sizes
//!   (`ScanScratch::recycle`), so a batch of similar descriptions allocates little.

use super::convert::{At, Reader, missing, sort_set_tail};
use super::tree::Found;
use crate::schema::{RecordDef, Schema, Ty};
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
/// read, as one stack, and the slots of the last description's records, sets and lists, emptied,
/// for the next description's values of the same sizes.
#[derive(Debug, Default)]
pub(crate) struct ScanScratch {
    items: Vec<Value>,
    spare: Vec<Box<[Value]>>,
}

/// The most emptied slices kept for reuse: enough for a description's records, sets and lists,
/// few enough that looking for one of the right size stays cheap.
const MAX_SPARE: usize = 32;

impl ScanScratch {
    /// Takes `value` apart, keeping its records', sets' and lists' slices (emptied) for the next
    /// description.
    pub(crate) fn recycle(&mut self, value: Value) {
        if let Value::Record(mut slots) | Value::Set(mut slots) | Value::List(mut slots) = value {
            // Scalars stay until the slot is written again.
            for slot in slots.iter_mut() {
                if matches!(slot, Value::Record(_) | Value::Set(_) | Value::List(_)) {
                    self.recycle(std::mem::take(slot));
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
}

/// Reads the decoded JSON `text` as the schema's root record.
pub(crate) fn scan_json(schema: &Schema, text: &str, scratch: &mut ScanScratch) -> Scan<Value> {
    let root = schema.root.ok_or(Stop::Invalid)?;
    let def = schema.record(root).ok_or(Stop::Invalid)?;
    scratch.items.clear();
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        reader: Reader::without_paths(schema),
        number: [0; MAX_NUMBER_LEN],
        scratch,
    };
    scanner.whitespace();
    let value = scanner.record(def)?;
    scanner.whitespace();
    if scanner.pos != scanner.bytes.len() {
        return Err(Stop::Invalid);
    }
    Ok(value)
}

struct Scanner<'s, 'a, 'i> {
    bytes: &'s [u8],
    text: &'s str,
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
        if self.bytes.get(self.pos..end) != Some(word) {
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

    /// A non-null value of type `ty` (in `unit`, for quantities), at its first byte.
    fn value(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
        match ty {
            Ty::Record(id) => {
                let def = self.reader.schema.record(*id).ok_or(Stop::Invalid)?;
                self.record(def)
            }
            Ty::Set(inner) => self.items(inner, unit, true),
            Ty::List(inner) => self.items(inner, unit, false),
            _ => self.scalar(ty, unit),
        }
    }

    /// A record's fields, each into its slot.
    fn record(&mut self, def: &RecordDef) -> Scan<Value> {
        self.expect(b'{')?;
        self.descend()?;
        let mut slots = self.scratch.slots(def.fields.len());
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
                    Some(field) if self.key_is(&field.name) => next,
                    _ => {
                        let key = self.string()?;
                        def.fields.iter().position(|field| field.name == key).ok_or(Stop::Invalid)?
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
                if self.peek() == Some(b'n') {
                    self.literal(b"null")?;
                    *slot = missing(field);
                } else {
                    *slot = self.value(&field.ty, field.unit.as_deref())?;
                }
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        // Every slot not written above holds what the last description left there.
        for (index, (slot, field)) in slots.iter_mut().zip(&def.fields).enumerate() {
            if seen.insert(index) {
                *slot = missing(field);
            }
        }
        self.depth -= 1;
        Ok(Value::Record(slots))
    }

    /// The elements of a set or a list, through the shared stack of elements.
    fn items(&mut self, inner: &Ty, unit: Option<&str>, set: bool) -> Scan<Value> {
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
                let item = self.value(inner, unit)?;
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
        let mut slots = self.scratch.slots(len);
        for (slot, item) in slots.iter_mut().zip(self.scratch.items.drain(start..)) {
            *slot = item;
        }
        if set {
            return Ok(Value::Set(slots));
        }
        Ok(Value::List(slots))
    }

    /// Whether the key at the cursor (at its opening quote) is `name`, then consumed: the text
    /// holds the quote, `name`'s bytes and the closing quote. A field's name is an identifier
    /// (no quote, backslash or control character), so this is the string [`Scanner::string`]
    /// would read.
    fn key_is(&mut self, name: &str) -> bool {
        let start = self.pos + 1;
        let end = start + name.len();
        if self.peek() == Some(b'"')
            && self.bytes.get(end) == Some(&b'"')
            && self.bytes.get(start..end) == Some(name.as_bytes())
        {
            self.pos = end + 1;
            return true;
        }
        false
    }

    /// A string without escapes, at its opening quote, borrowed from the text.
    fn string(&mut self) -> Scan<&'s str> {
        self.expect(b'"')?;
        let start = self.pos;
        let rest = self.bytes.get(start..).ok_or(Stop::Invalid)?;
        let length = rest.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20).ok_or(Stop::Invalid)?;
        self.pos = start + length;
        match self.peek() {
            Some(b'"') => {}
            Some(b'\\') => return Err(Stop::Unsupported),
            // `serde_json` refuses control characters in strings; so does the tree.
            _ => return Err(Stop::Invalid),
        }
        // Both ends are ASCII quotes, so the slice falls on character boundaries.
        let text = self.text.get(start..self.pos).ok_or(Stop::Invalid)?;
        self.pos += 1;
        Ok(text)
    }

    /// A scalar, read by the tree reader's rules.
    fn scalar(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
        match self.peek() {
            Some(b'"') => {
                let text = self.string()?;
                self.read(ty, unit, Found::String(text))
            }
            Some(b't') => {
                self.literal(b"true")?;
                self.read(ty, unit, Found::Bool(true))
            }
            Some(b'f') => {
                self.literal(b"false")?;
                self.read(ty, unit, Found::Bool(false))
            }
            Some(b'-' | b'0'..=b'9') => self.number(ty, unit),
            // Perhaps a number as `serde_json`'s one-entry map, which the other reader knows.
            Some(b'{') => Err(Stop::Unsupported),
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

    /// A number, spelled into `self.number` as `serde_json` spells it (`scan_integer`,
    /// `scan_decimal` and `scan_exponent` with `arbitrary_precision`), then read as
    /// `parse_any_number` hands it over: a `u64`, an `i64` (not `-0`), or the text.
    fn number(&mut self, ty: &Ty, unit: Option<&str>) -> Scan<Value> {
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
