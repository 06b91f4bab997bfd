//! Counterparts: what the mappings known to the workspace claim about a declaration or an enum
//! value, read from its side. A claim `A is narrower than B` makes B a counterpart of A (A is
//! narrower than B) and A a counterpart of B (B is broader than A).
//!
//! Every mapping of every file of the database is read, the embedded standard library's mappings
//! included; claim sides resolve in the scope of the file that writes the mapping, exactly as the
//! checker resolves them.

use crate::check::schema::schema_info;
use crate::db::{DeclKey, SourceFile, find_item, header, items, parse, workspace_files};
use crate::syntax::ast::{Item, Meta, Relation};
use crate::syntax::split::ItemKind;

use super::resolve::{Definition, enum_key, mapped_name};

/// One claim about the hovered name, from its side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterpart {
    /// How the hovered name relates to the counterpart (a claim's `narrower` read from its right
    /// side is `broader`).
    pub relation: Relation,
    /// The id of the rulebook that declares the counterpart.
    pub rulebook: String,
    /// The counterpart as its rulebook names it: `frontier_model`, `Purpose.chatbot`.
    pub item: String,
    /// The counterpart's citations, as written.
    pub citations: Vec<String>,
    /// The id of the rulebook that writes the mapping, and the mapping's name.
    pub mapping_rulebook: String,
    pub mapping: String,
}

/// Whether a definition can be a side of a claim.
pub fn is_mappable(definition: &Definition) -> bool {
    match definition {
        Definition::Decl(key) => matches!(
            key.kind,
            ItemKind::Term | ItemKind::Role | ItemKind::Classification | ItemKind::Redline | ItemKind::Obligation
        ),
        Definition::Variant { .. } => true,
        _ => false,
    }
}

/// Every claim of the workspace's mappings that involves `definition`, in file, item and claim
/// order.
pub fn counterparts(db: &dyn salsa::Database, definition: &Definition) -> Vec<Counterpart> {
    if !is_mappable(definition) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for file in workspace_files(db) {
        for item in items(db, file) {
            if item.kind(db) != ItemKind::Mapping {
                continue;
            }
            let Item::Mapping(mapping) = &parse(db, *item).item else { continue };
            for claim in &mapping.claims {
                let (left, right) = (mapped_name(db, file, &claim.left.text), mapped_name(db, file, &claim.right.text));
                let (relation, other) = match (left, right) {
                    (Some(left), Some(right)) if &left == definition => (claim.relation, right),
                    (Some(left), Some(right)) if &right == definition => (converse(claim.relation), left),
                    _ => continue,
                };
                let Some((rulebook, item_name, citations)) = describe(db, &other) else { continue };
                out.push(Counterpart {
                    relation,
                    rulebook,
                    item: item_name,
                    citations,
                    mapping_rulebook: rulebook_id(db, file),
                    mapping: mapping.name.text.clone(),
                });
            }
        }
    }
    out
}

/// The relation read from the other side: narrower and broader swap, the others are symmetric.
fn converse(relation: Relation) -> Relation {
    match relation {
        Relation::Narrower => Relation::Broader,
        Relation::Broader => Relation::Narrower,
        other => other,
    }
}

fn rulebook_id(db: &dyn salsa::Database, file: SourceFile) -> String {
    header(db, file).as_ref().map_or_else(|| file.path(db).clone(), |header| header.id.clone())
}

/// The declaring rulebook's id, the name and the citations of a claim side.
fn describe(db: &dyn salsa::Database, definition: &Definition) -> Option<(String, String, Vec<String>)> {
    match definition {
        Definition::Decl(key) => {
            let item = find_item(db, key)?;
            let citations = meta(&parse(db, item).item).map(citations).unwrap_or_default();
            Some((rulebook_id(db, key.file), key.name.clone(), citations))
        }
        Definition::Variant { enum_id, name } => {
            let key: DeclKey = enum_key(schema_info(db), *enum_id)?;
            let item = find_item(db, &key)?;
            let citations = match &parse(db, item).item {
                // A tier's own citations, else none: the classification's would cite another provision.
                Item::Classification(decl) => decl
                    .branches
                    .iter()
                    .chain(&decl.otherwise)
                    .find(|branch| &branch.tier.text == name)
                    .map(|branch| citations(&branch.meta))
                    .unwrap_or_default(),
                parsed => meta(parsed).map(citations).unwrap_or_default(),
            };
            Some((rulebook_id(db, key.file), format!("{}.{name}", key.name), citations))
        }
        _ => None,
    }
}

fn meta(item: &Item) -> Option<&Meta> {
    match item {
        Item::Term(term) => Some(&term.meta),
        Item::Role(role) => Some(&role.meta),
        Item::Classification(decl) => Some(&decl.meta),
        Item::Redline(redline) => Some(&redline.meta),
        Item::Obligation(obligation) => Some(&obligation.meta),
        Item::Enum(decl) => Some(&decl.meta),
        _ => None,
    }
}

fn citations(meta: &Meta) -> Vec<String> {
    meta.citations.iter().map(|citation| citation.text.clone()).collect()
}
