//! Values of a loaded system description, laid out by the schema's slots.
//!
//! A record is a boxed slice with one slot per field in declaration order, so the evaluator reads
//! `system.model.training_compute` as two slot indices, never by name. Quantities are stored in
//! their dimension's base unit. This module knows nothing of JSON or YAML; `describe` builds values.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Value {
    /// A required fact the description does not give (or gives as `null`): unknown.
    #[default]
    Unknown,
    /// An optional field the description leaves out: known not to exist.
    Absent,
    Bool(bool),
    Number(Decimal),
    Str(Box<str>),
    Date(Date),
    DateTime(Timestamp),
    /// In the base unit of the field's dimension.
    Quantity(Decimal),
    /// Index into the enum's variants.
    Enum(u32),
    /// Sorted and without duplicates.
    Set(Box<[Value]>),
    List(Box<[Value]>),
    /// One slot per field of the record type, in declaration order.
    Record(Box<[Value]>),
}
