//! The resolved schema of system descriptions: records, enums, units and dimensions.
//!
//! A `Schema` is built by the checker from a rulebook's declarations (its own and its imports')
//! and is what both the description loader and the compiled evaluator read. It holds no spans and
//! no salsa handles: it is plain data, cheap to share behind an `Arc`.

use rust_decimal::Decimal;

/// Index of a record type in [`Schema::records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u32);

/// Index of an enum type in [`Schema::enums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumId(pub u32);

/// Index of a physical or monetary dimension in [`Schema::dimensions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DimId(pub u32);

/// The type of a value in a system description or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    /// A plain (dimensionless) exact decimal number.
    Number,
    /// A whole number. Descriptions must give a whole number; in conditions it is a number.
    Integer,
    String,
    /// A calendar date (ISO 8601, `2025-02-02`).
    Date,
    /// An instant (RFC 3339, `2025-02-02T10:00:00Z`).
    DateTime,
    /// A quantity of a dimension (compute, time, a currency); stored in the dimension's base unit.
    Quantity(DimId),
    Enum(EnumId),
    Record(RecordId),
    Set(Box<Ty>),
    List(Box<Ty>),
    /// Produced only by the checker after an error, so that one mistake reports once.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    /// An optional field may be left out, and leaving it out states that the thing does not exist.
    /// A required field that is left out is an unknown fact.
    pub optional: bool,
    /// For a quantity field (or a set or list of quantities), the unit it was declared in: a bare
    /// number in a description is read in this unit (`training_compute: FLOP` reads `1e25` as
    /// 1e25 FLOP, `notice_periods: list of days` reads `[15]` as 15 days).
    pub unit: Option<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<String>,
    pub doc: Option<String>,
    /// Each variant's doc comment, in the order of `variants` (empty for a classification's tiers).
    pub variant_docs: Vec<Option<String>>,
}

/// A dimension (compute, time, a currency). Values of one dimension convert into each other by
/// their units' scales; values of two dimensions never compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionDef {
    pub name: String,
    /// The unit values are stored in.
    pub base_unit: String,
}

/// A unit of a dimension: `value_in_base_unit = value * scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDef {
    pub name: String,
    pub dimension: DimId,
    pub scale: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    pub records: Vec<RecordDef>,
    pub enums: Vec<EnumDef>,
    pub dimensions: Vec<DimensionDef>,
    pub units: Vec<UnitDef>,
    /// The record a description's top level is read as (the type of `system`).
    pub root: Option<RecordId>,
}

impl Schema {
    pub fn record(&self, id: RecordId) -> Option<&RecordDef> {
        self.records.get(id.0 as usize)
    }

    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.0 as usize)
    }

    pub fn dimension(&self, id: DimId) -> Option<&DimensionDef> {
        self.dimensions.get(id.0 as usize)
    }

    /// Finds a unit by its name (`FLOP`, `days`, `EUR`).
    pub fn unit(&self, name: &str) -> Option<&UnitDef> {
        self.units.iter().find(|unit| unit.name == name)
    }

    /// The names of the units of one dimension, for messages.
    pub fn units_of(&self, dim: DimId) -> impl Iterator<Item = &str> {
        self.units.iter().filter(move |unit| unit.dimension == dim).map(|unit| unit.name.as_str())
    }

    /// Renders a type in the language's own words (`set of Purpose`, `quantity of compute`).
    pub fn display_ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool".to_owned(),
            Ty::Number => "number".to_owned(),
            Ty::Integer => "integer".to_owned(),
            Ty::String => "string".to_owned(),
            Ty::Date => "date".to_owned(),
            Ty::DateTime => "datetime".to_owned(),
            Ty::Quantity(dim) => match self.dimension(*dim) {
                Some(def) => format!("quantity in {}", def.base_unit),
                None => "quantity".to_owned(),
            },
            Ty::Enum(id) => self.enum_def(*id).map_or_else(|| "enum".to_owned(), |def| format!("`{}`", def.name)),
            Ty::Record(id) => self.record(*id).map_or_else(|| "record".to_owned(), |def| format!("`{}`", def.name)),
            Ty::Set(inner) => format!("set of {}", self.display_ty(inner)),
            Ty::List(inner) => format!("list of {}", self.display_ty(inner)),
            Ty::Error => "unknown type".to_owned(),
        }
    }
}
