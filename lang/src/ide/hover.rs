//! Hover: what the name under the cursor is, as Markdown: its kind and type (or a record's
//! fields, an enum's values), its doc comment and its citations, and for a name that mappings
//! relate, each counterpart they claim (`counterparts.rs`).
//!
//! It reads the declaration's parsed item for the written form and the schema for resolved types;
//! it knows nothing of how an editor shows Markdown.

use std::fmt::Write;

use crate::check::schema::schema_info;
use crate::check::term_signature;
use crate::db::{DeclKey, SourceFile, find_item, header, parse};
use crate::schema::{Schema, Ty};
use crate::syntax::ast::*;

use super::counterparts::{Counterpart, counterparts};
use super::resolve::{Definition, definition_at, enum_key, record_key};

/// The hover text and the span (file offsets) of the name it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub markdown: String,
    pub span: Span,
}

/// What to show when the cursor rests on `offset`.
pub fn hover(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Option<HoverInfo> {
    let (definition, span) = definition_at(db, file, offset)?;
    let mut markdown = describe(db, file, &definition)?;
    append_counterparts(&mut markdown, &counterparts(db, &definition));
    Some(HoverInfo { markdown, span })
}

/// The section listing what mappings claim about the name, one line per claim.
fn append_counterparts(out: &mut String, found: &[Counterpart]) {
    if found.is_empty() {
        return;
    }
    out.push_str("\nMapped:\n");
    for counterpart in found {
        let _ =
            write!(out, "\n- {} `{}` of `{}`", counterpart.relation.phrase(), counterpart.item, counterpart.rulebook);
        if !counterpart.citations.is_empty() {
            let _ = write!(out, " (cites {})", counterpart.citations.join("; "));
        }
        let _ = write!(out, ", by mapping `{}` of `{}`", counterpart.mapping, counterpart.mapping_rulebook);
    }
    out.push('\n');
}

fn describe(db: &dyn salsa::Database, file: SourceFile, definition: &Definition) -> Option<String> {
    let schema = &schema_info(db).schema;
    match definition {
        Definition::Decl(key) => describe_decl(db, file, key),
        Definition::Local { name, ty, .. } => Some(code(&format!("{name}: {}", show(schema, ty)))),
        Definition::Rulebook(target) => {
            let id = header(db, *target).as_ref().map_or_else(|| target.path(db).clone(), |header| header.id.clone());
            Some(code(&format!("rulebook {id}")))
        }
        Definition::BuiltinUnit(name) => {
            let unit = schema.unit(name)?;
            let dimension = schema.dimension(unit.dimension)?;
            Some(format!(
                "{}\nA built-in unit of {} ({} {}).",
                code(&format!("unit {name}")),
                dimension.name,
                unit.scale,
                dimension.base_unit
            ))
        }
        Definition::Field { record, name } => {
            let key = record_key(schema_info(db), *record)?;
            let item = find_item(db, &key)?;
            let Item::Record(decl) = &parse(db, item).item else { return None };
            let field = decl.fields.iter().find(|field| &field.name.text == name)?;
            let mut out = code(&format!("{}.{}: {}", decl.name.text, name, field_type(field)));
            if let Some(doc) = &field.doc {
                let _ = write!(out, "\n{doc}");
            }
            Some(out)
        }
        Definition::Variant { enum_id, name } => {
            let key = enum_key(schema_info(db), *enum_id)?;
            let item = find_item(db, &key)?;
            match &parse(db, item).item {
                Item::Enum(decl) => {
                    let variant = decl.variants.iter().find(|variant| &variant.name.text == name)?;
                    let mut out = code(&format!("{}.{}", decl.name.text, name));
                    if let Some(doc) = &variant.doc {
                        let _ = write!(out, "\n{doc}");
                    }
                    Some(out)
                }
                Item::Classification(decl) => {
                    let branch =
                        decl.branches.iter().chain(&decl.otherwise).find(|branch| &branch.tier.text == name)?;
                    let mut out = code(&format!("tier {} of classification {}", name, decl.name.text));
                    append_meta(&mut out, &branch.meta);
                    Some(out)
                }
                _ => None,
            }
        }
    }
}

fn describe_decl(db: &dyn salsa::Database, file: SourceFile, key: &DeclKey) -> Option<String> {
    let item = find_item(db, key)?;
    let text = item.text(db);
    let schema = &schema_info(db).schema;
    let (signature, meta) = match &parse(db, item).item {
        Item::Term(term) => {
            let params: Vec<String> =
                term.params.iter().map(|param| format!("{}: {}", param.name.text, type_text(&param.ty))).collect();
            let params = if params.is_empty() { String::new() } else { format!("({})", params.join(", ")) };
            let ty = match &term.declared_type {
                Some(ty) => type_text(ty),
                None => term_signature(db, item)
                    .as_ref()
                    .map_or_else(|| "unknown type".to_owned(), |it| show(schema, &it.result)),
            };
            (format!("term {}{params}: {ty}", term.name.text), &term.meta)
        }
        Item::Role(role) => {
            let domain = text.get(role.domain.span.start as usize..role.domain.span.end as usize).unwrap_or("…");
            (format!("role {}({} in {domain})", role.name.text, role.param.text), &role.meta)
        }
        Item::Record(record) => {
            let mut out = format!("record {} {{", record.name.text);
            for field in &record.fields {
                let _ = write!(out, "\n  {}: {}", field.name.text, field_type(field));
            }
            out.push_str("\n}");
            (out, &record.meta)
        }
        Item::Enum(decl) => {
            let mut out = format!("enum {} {{", decl.name.text);
            for variant in &decl.variants {
                let _ = write!(out, "\n  {},", variant.name.text);
            }
            out.push_str("\n}");
            (out, &decl.meta)
        }
        Item::Classification(decl) => {
            let tiers: Vec<&str> =
                decl.branches.iter().chain(&decl.otherwise).map(|branch| branch.tier.text.as_str()).collect();
            (format!("classification {}: one of {}", decl.name.text, tiers.join(", ")), &decl.meta)
        }
        Item::Redline(redline) => (format!("redline {}", redline.name.text), &redline.meta),
        Item::Obligation(obligation) => (format!("obligation {}", obligation.name.text), &obligation.meta),
        Item::Act(act) => (format!("act {}", act.name.text), &act.meta),
        Item::Unit(unit) => {
            let definition = match &unit.definition {
                Some((scale, base)) => format!(" = {scale} {}", base.text),
                None => String::new(),
            };
            (format!("unit {}{definition}", unit.name.text), &unit.meta)
        }
        Item::Mapping(mapping) => (format!("mapping {}", mapping.name.text), &mapping.meta),
        Item::Rulebook(_) | Item::Import(_) | Item::Example(_) | Item::Error => return None,
    };
    let mut out = code(&signature);
    if let Item::Obligation(obligation) = &parse(db, item).item
        && obligation.endeavour.is_some()
    {
        out.push_str(
            "\nA duty to endeavour: never `violated`; where an ordinary duty would be, whether the efforts were made needs judgement.\n",
        );
    }
    if key.file != file {
        let id = header(db, key.file).as_ref().map_or_else(|| key.file.path(db).clone(), |header| header.id.clone());
        let _ = write!(out, "\nDeclared in `{id}`.\n");
    }
    append_meta(&mut out, meta);
    Some(out)
}

fn append_meta(out: &mut String, meta: &Meta) {
    if let Some(doc) = &meta.doc {
        let _ = write!(out, "\n{doc}\n");
    }
    for citation in &meta.citations {
        let mut details = Vec::new();
        if let Some(status) = &citation.status {
            details.push(status.text.clone());
        }
        if let Some(verified) = citation.verified {
            details.push(format!("verified {verified}"));
        }
        let details = if details.is_empty() { String::new() } else { format!(" ({})", details.join(", ")) };
        let _ = write!(out, "\nCites: {}{details}\n", citation.text);
    }
    for unsure in &meta.unsure {
        let _ = write!(out, "\nUnsure: {}\n", unsure.reason);
    }
}

fn code(text: &str) -> String {
    format!("```concord\n{text}\n```\n")
}

fn show(schema: &Schema, ty: &Ty) -> String {
    schema.display_ty(ty).replace('`', "")
}

fn field_type(field: &FieldDecl) -> String {
    let ty = type_text(&field.ty);
    if field.optional { format!("optional {ty}") } else { ty }
}

fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named(name) => name.text.clone(),
        TypeExpr::Set(inner, _) => format!("set of {}", type_text(inner)),
        TypeExpr::List(inner, _) => format!("list of {}", type_text(inner)),
    }
}
