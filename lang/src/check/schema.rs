//! Builds the workspace's schema: every record, enum, unit and classification tier set declared
//! in any loaded file, with field types resolved in the scope of the file that declares them.
//!
//! Ids are assigned in file-path order, then item order, so they are the same on every run. The
//! built-in units (time, calendar, compute, currencies) come first. Reads record, enum, unit and
//! classification items only: editing a term or a rule never invalidates the schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::db::{DeclKey, Lookup, decl_key, find_item, items, parse, scope, workspace_files};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::suggest::did_you_mean;
use crate::schema::{DimId, DimensionDef, EnumDef, EnumId, FieldDef, RecordDef, RecordId, Schema, Ty, UnitDef};
use crate::syntax::ast::{Item, TypeExpr};
use crate::syntax::split::ItemKind;

/// The schema and what the checker needs to map declarations onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaInfo {
    pub schema: Arc<Schema>,
    pub records: BTreeMap<DeclKey, RecordId>,
    pub enums: BTreeMap<DeclKey, EnumId>,
    /// Problems in record, enum and unit declarations, by item (item-relative spans).
    pub diagnostics: BTreeMap<DeclKey, Vec<Diagnostic>>,
}

impl SchemaInfo {
    /// The record named `System` visible from a file: the type of `system`.
    /// A `System` imported under an alias counts when it is the only one.
    pub fn root_for(&self, db: &dyn salsa::Database, file: crate::db::SourceFile) -> Option<RecordId> {
        let file_scope = scope(db, file);
        if let Lookup::Found(key) = file_scope.lookup("System") {
            return self.records.get(&key).copied();
        }
        let mut through_aliases = file_scope
            .aliases
            .values()
            .filter_map(|target| {
                crate::db::declarations(db, *target).get("System").and_then(|keys| keys.first().cloned())
            })
            .filter_map(|key| self.records.get(&key).copied());
        let first = through_aliases.next()?;
        match through_aliases.all(|other| other == first) {
            true => Some(first),
            false => None,
        }
    }
}

/// The built-in units: `(name, dimension, scale in the dimension's base unit)`.
const BUILTIN_UNITS: &[(&str, &str, &str)] = &[
    ("second", "time", "1"),
    ("seconds", "time", "1"),
    ("minute", "time", "60"),
    ("minutes", "time", "60"),
    ("hour", "time", "3600"),
    ("hours", "time", "3600"),
    ("day", "time", "86400"),
    ("days", "time", "86400"),
    ("week", "time", "604800"),
    ("weeks", "time", "604800"),
    ("month", "calendar", "1"),
    ("months", "calendar", "1"),
    ("year", "calendar", "12"),
    ("years", "calendar", "12"),
    ("FLOP", "compute", "1"),
    ("kFLOP", "compute", "1e3"),
    ("MFLOP", "compute", "1e6"),
    ("GFLOP", "compute", "1e9"),
    ("TFLOP", "compute", "1e12"),
    ("PFLOP", "compute", "1e15"),
    ("EFLOP", "compute", "1e18"),
    ("ZFLOP", "compute", "1e21"),
    ("YFLOP", "compute", "1e24"),
    ("EUR", "EUR", "1"),
    ("USD", "USD", "1"),
    ("GBP", "GBP", "1"),
    ("KRW", "KRW", "1"),
    ("CNY", "CNY", "1"),
    ("JPY", "JPY", "1"),
];

/// The base unit of each built-in dimension, as shown in messages.
const BUILTIN_DIMENSIONS: &[(&str, &str)] = &[
    ("time", "seconds"),
    ("calendar", "months"),
    ("compute", "FLOP"),
    ("EUR", "EUR"),
    ("USD", "USD"),
    ("GBP", "GBP"),
    ("KRW", "KRW"),
    ("CNY", "CNY"),
    ("JPY", "JPY"),
];

pub const BUILTIN_TYPES: &[&str] = &["bool", "number", "integer", "string", "date", "datetime"];

#[salsa::tracked(returns(ref))]
pub fn schema_info(db: &dyn salsa::Database) -> SchemaInfo {
    let mut schema = Schema::default();
    let mut diagnostics: BTreeMap<DeclKey, Vec<Diagnostic>> = BTreeMap::new();
    for (name, base) in BUILTIN_DIMENSIONS {
        schema.dimensions.push(DimensionDef { name: (*name).to_owned(), base_unit: (*base).to_owned() });
    }
    for (name, dimension, scale) in BUILTIN_UNITS {
        let dim = schema.dimensions.iter().position(|def| def.name == *dimension).unwrap_or(0);
        let scale = crate::num::parse_decimal(scale).unwrap_or(Decimal::ONE);
        schema.units.push(UnitDef { name: (*name).to_owned(), dimension: DimId(dim as u32), scale });
    }
    // First pass: give every record, enum and classification an id; declare units.
    let mut records = BTreeMap::new();
    let mut enums = BTreeMap::new();
    let mut record_items = Vec::new();
    let mut pending_units = Vec::new();
    for file in workspace_files(db) {
        for item in items(db, file).iter().copied() {
            let key = decl_key(db, item);
            match (&parse(db, item).item, item.kind(db)) {
                (Item::Record(record), _) => {
                    records.insert(key.clone(), RecordId(schema.records.len() as u32));
                    schema.records.push(RecordDef {
                        name: record.name.text.clone(),
                        fields: Vec::new(),
                        doc: record.meta.doc.clone(),
                    });
                    record_items.push(key);
                }
                (Item::Enum(decl), _) => {
                    enums.insert(key, EnumId(schema.enums.len() as u32));
                    schema.enums.push(EnumDef {
                        name: decl.name.text.clone(),
                        variants: decl.variants.iter().map(|variant| variant.name.text.clone()).collect(),
                        doc: decl.meta.doc.clone(),
                        variant_docs: decl.variants.iter().map(|variant| variant.doc.clone()).collect(),
                    });
                }
                (Item::Classification(classification), _) => {
                    let mut tiers: Vec<String> = Vec::new();
                    for branch in classification.branches.iter().chain(classification.otherwise.iter()) {
                        if !tiers.contains(&branch.tier.text) {
                            tiers.push(branch.tier.text.clone());
                        }
                    }
                    enums.insert(key, EnumId(schema.enums.len() as u32));
                    schema.enums.push(EnumDef {
                        name: classification.name.text.clone(),
                        variants: tiers,
                        doc: classification.meta.doc.clone(),
                        variant_docs: Vec::new(),
                    });
                }
                (Item::Unit(unit), _) => pending_units.push((key, unit.clone())),
                _ => {}
            }
        }
    }
    declare_units(&mut schema, pending_units, &mut diagnostics);
    // Second pass: resolve field types in the declaring file's scope.
    for key in record_items {
        let Some(item) = find_item(db, &key) else { continue };
        let Item::Record(record) = &parse(db, item).item else { continue };
        let Some(record_id) = records.get(&key).copied() else { continue };
        let mut fields = Vec::new();
        let mut item_diagnostics = Vec::new();
        for field in &record.fields {
            if fields.iter().any(|existing: &FieldDef| existing.name == field.name.text) {
                item_diagnostics.push(Diagnostic::error(
                    "duplicate-definition",
                    field.name.span,
                    format!("field `{}` is declared twice in `{}`", field.name.text, record.name.text),
                ));
                continue;
            }
            let resolver = TypeResolver { db, schema: &schema, records: &records, enums: &enums, file: key.file };
            let (ty, unit) = resolver.resolve(&field.ty, &mut item_diagnostics);
            fields.push(FieldDef {
                name: field.name.text.clone(),
                ty,
                optional: field.optional,
                unit,
                doc: field.doc.clone(),
            });
        }
        if let Some(def) = schema.records.get_mut(record_id.0 as usize) {
            def.fields = fields;
        }
        if !item_diagnostics.is_empty() {
            diagnostics.entry(key).or_default().extend(item_diagnostics);
        }
    }
    SchemaInfo { schema: Arc::new(schema), records, enums, diagnostics }
}

fn declare_units(
    schema: &mut Schema,
    mut pending: Vec<(DeclKey, crate::syntax::ast::UnitDecl)>,
    diagnostics: &mut BTreeMap<DeclKey, Vec<Diagnostic>>,
) {
    // Units may be defined by units declared later: repeat while progress is made.
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for (key, unit) in pending {
            if schema.unit(&unit.name.text).is_some() {
                diagnostics.entry(key).or_default().push(Diagnostic::error(
                    "duplicate-definition",
                    unit.name.span,
                    format!("unit `{}` is already declared", unit.name.text),
                ));
                continue;
            }
            match &unit.definition {
                None => {
                    let dim = DimId(schema.dimensions.len() as u32);
                    schema
                        .dimensions
                        .push(DimensionDef { name: unit.name.text.clone(), base_unit: unit.name.text.clone() });
                    schema.units.push(UnitDef { name: unit.name.text.clone(), dimension: dim, scale: Decimal::ONE });
                }
                Some((factor, base)) => match schema.unit(&base.text).cloned() {
                    Some(base_unit) => match factor.checked_mul(base_unit.scale) {
                        Some(scale) => schema.units.push(UnitDef {
                            name: unit.name.text.clone(),
                            dimension: base_unit.dimension,
                            scale,
                        }),
                        None => diagnostics.entry(key).or_default().push(Diagnostic::error(
                            "invalid-number",
                            unit.name.span,
                            format!("unit `{}` is too large to represent", unit.name.text),
                        )),
                    },
                    None => rest.push((key, unit)),
                },
            }
        }
        if rest.len() == before || rest.is_empty() {
            for (key, unit) in rest {
                if let Some((_, base)) = &unit.definition {
                    let names: Vec<&str> = schema.units.iter().map(|unit| unit.name.as_str()).collect();
                    let mut diagnostic =
                        Diagnostic::error("unknown-unit", base.span, format!("unknown unit `{}`", base.text));
                    if let Some(name) = did_you_mean(&base.text, names) {
                        diagnostic = diagnostic.with_help(format!("did you mean `{name}`?")).with_fix(
                            format!("replace with `{name}`"),
                            base.span,
                            name,
                        );
                    }
                    diagnostics.entry(key).or_default().push(diagnostic);
                }
            }
            return;
        }
        pending = rest;
    }
}

/// Resolves written types (`set of Purpose`, `FLOP`, `date`) to schema types.
pub struct TypeResolver<'a> {
    pub db: &'a dyn salsa::Database,
    pub schema: &'a Schema,
    pub records: &'a BTreeMap<DeclKey, RecordId>,
    pub enums: &'a BTreeMap<DeclKey, EnumId>,
    pub file: crate::db::SourceFile,
}

impl TypeResolver<'_> {
    /// The type, and for a quantity (or a set or list of them) the unit it was written in: a
    /// description's bare numbers are read in it (`list of days` reads `[15]` as 15 days).
    pub fn resolve(&self, ty: &TypeExpr, diagnostics: &mut Vec<Diagnostic>) -> (Ty, Option<String>) {
        match ty {
            TypeExpr::Set(inner, _) => {
                let (inner, unit) = self.resolve(inner, diagnostics);
                (Ty::Set(Box::new(inner)), unit)
            }
            TypeExpr::List(inner, _) => {
                let (inner, unit) = self.resolve(inner, diagnostics);
                (Ty::List(Box::new(inner)), unit)
            }
            TypeExpr::Named(name) => {
                let text = name.text.as_str();
                let builtin = match text {
                    "bool" => Some(Ty::Bool),
                    "number" => Some(Ty::Number),
                    "integer" => Some(Ty::Integer),
                    "string" => Some(Ty::String),
                    "date" => Some(Ty::Date),
                    "datetime" => Some(Ty::DateTime),
                    _ => None,
                };
                if let Some(ty) = builtin {
                    return (ty, None);
                }
                if let Some(unit) = self.schema.unit(text) {
                    return (Ty::Quantity(unit.dimension), Some(unit.name.clone()));
                }
                let lookup = scope(self.db, self.file).lookup(text);
                match lookup {
                    Lookup::Found(key) => {
                        if let Some(id) = self.records.get(&key) {
                            return (Ty::Record(*id), None);
                        }
                        if let Some(id) = self.enums.get(&key).filter(|_| key.kind == ItemKind::Enum) {
                            return (Ty::Enum(*id), None);
                        }
                        diagnostics.push(Diagnostic::error(
                            "unknown-type",
                            name.span,
                            format!("`{text}` is a {}, not a type", key.kind.keyword()),
                        ));
                        (Ty::Error, None)
                    }
                    Lookup::Ambiguous(keys) => {
                        diagnostics.push(ambiguous(text, name.span, self.db, &keys));
                        (Ty::Error, None)
                    }
                    Lookup::NotFound => {
                        let scope = scope(self.db, self.file);
                        let candidates = BUILTIN_TYPES
                            .iter()
                            .copied()
                            .chain(scope.names())
                            .chain(self.schema.units.iter().map(|unit| unit.name.as_str()));
                        let mut diagnostic =
                            Diagnostic::error("unknown-type", name.span, format!("unknown type `{text}`"));
                        diagnostic = match did_you_mean(text, candidates) {
                            Some(suggestion) => diagnostic
                                .with_help(format!("did you mean `{suggestion}`?"))
                                .with_fix(format!("replace with `{suggestion}`"), name.span, suggestion),
                            None => diagnostic.with_help(
                                "types are `bool`, `number`, `string`, `date`, `datetime`, a unit such as `FLOP`, a declared record or enum, `set of T` or `list of T`",
                            ),
                        };
                        diagnostics.push(diagnostic);
                        (Ty::Error, None)
                    }
                }
            }
        }
    }
}

pub fn ambiguous(name: &str, span: crate::syntax::ast::Span, db: &dyn salsa::Database, keys: &[DeclKey]) -> Diagnostic {
    let files: Vec<String> = keys.iter().map(|key| format!("`{}`", key.file.path(db))).collect();
    Diagnostic::error("ambiguous-name", span, format!("`{name}` is declared by more than one imported rulebook"))
        .with_note(format!("declared in {}", files.join(" and ")))
        .with_help("import one of the rulebooks with `as` and write `alias.name`")
}

#[cfg(test)]
mod tests {
    use crate::value::Value;
    use crate::{Engine, Format};

    #[test]
    fn a_set_or_list_of_a_unit_reads_bare_numbers_in_that_unit() {
        let mut engine = Engine::default();
        let text =
            "rulebook t.units { title \"T\" }\nrecord System {\n  notice: list of days\n  limits: set of kFLOP\n}\n";
        let file = engine.add_source("t.concord", text);
        let rulebook = engine.compile(file).unwrap();
        let description =
            rulebook.load_description(br#"{"notice": [1, "2 days"], "limits": [3]}"#, Format::Json).unwrap();
        let quantity = |text: &str| Value::Quantity(crate::num::parse_decimal(text).unwrap());
        assert_eq!(
            description.value(),
            &Value::Record(Box::new([
                Value::List(Box::new([quantity("86400"), quantity("172800")])),
                Value::Set(Box::new([quantity("3000")])),
            ]))
        );
    }
}
