//! Find references and rename.
//!
//! References are found by resolution, not by text: every word of the workspace spelled like the
//! name is resolved with the same walker as go to definition, and kept when it names the same
//! definition. So a local `party` in one role is not a reference to another role's `party`, and a
//! field `name` of one record is not one of another record's.
//!
//! Rename is refused, with a reason a drafter understands, where it would be unsafe: declarations
//! of the standard library (read-only), built-in units, rulebook ids, `System` (the type of
//! `system`), names that are not identifiers or are reserved, names that would collide with or
//! shadow another, and enum values written in an example's system (whose values have no place in
//! the tree yet). Byte offsets only; nothing here knows the LSP.

use crate::check::schema::schema_info;
use crate::db::{Lookup, SourceFile, declarations, imports, items, parse, scope, workspace_files};
use crate::fmt::RESERVED;
use crate::stdlib::is_stdlib_path;
use crate::syntax::ast::{Item, Span};
use crate::syntax::lexer::{ITEM_KEYWORDS, TokenKind, lex};
use crate::syntax::split::ItemKind;

use super::FileRange;
use super::resolve::{Definition, definition_at, definition_range, enum_key, record_key};

/// One place a definition is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub range: FileRange,
    /// The declaration itself, rather than a use.
    pub is_declaration: bool,
}

/// Why a rename is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError {
    pub message: String,
}

/// Every place the name at `offset` is written (its declaration included), in file and offset
/// order; empty when there is no name there.
pub fn references(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Vec<Reference> {
    let Some((definition, _)) = definition_at(db, file, offset) else { return Vec::new() };
    references_of(db, file, &definition)
}

fn references_of(db: &dyn salsa::Database, file: SourceFile, definition: &Definition) -> Vec<Reference> {
    let Some(name) = definition_name(definition) else { return Vec::new() };
    let declaration = definition_range(db, file, definition);
    let files = match definition {
        Definition::Local { .. } => vec![file],
        _ => workspace_files(db),
    };
    let mut out = Vec::new();
    for candidate in files {
        let text = candidate.text(db);
        if !text.contains(name) {
            continue;
        }
        for token in lex(text) {
            if token.kind != TokenKind::Word || token.text(text) != name {
                continue;
            }
            let Some((found, _)) = definition_at(db, candidate, token.start) else { continue };
            if &found != definition {
                continue;
            }
            let range = FileRange { file: candidate, span: Span { start: token.start, end: token.end } };
            let is_declaration = declaration.is_some_and(|it| it.file == candidate && it.span == range.span);
            out.push(Reference { range, is_declaration });
        }
    }
    out
}

fn definition_name(definition: &Definition) -> Option<&str> {
    match definition {
        Definition::Decl(key) => Some(&key.name),
        Definition::Field { name, .. } | Definition::Variant { name, .. } | Definition::Local { name, .. } => {
            Some(name)
        }
        Definition::BuiltinUnit(name) => Some(name),
        Definition::Rulebook(_) => None,
    }
}

/// The span of the name at `offset` that [`rename`] would rename, or why it cannot be renamed.
pub fn prepare_rename(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Result<Span, RenameError> {
    let (definition, span) =
        definition_at(db, file, offset).ok_or_else(|| refuse("there is no name here to rename"))?;
    renamable(db, file, &definition)?;
    // A qualified name in a mapping resolves as a whole; rename the word under the cursor.
    let text = file.text(db);
    let word = lex(text)
        .into_iter()
        .find(|token| token.kind == TokenKind::Word && token.start <= offset && offset <= token.end)
        .map_or(span, |token| Span { start: token.start, end: token.end });
    Ok(word)
}

/// The edits that rename the name at `offset` to `new_name` everywhere it is used.
pub fn rename(
    db: &dyn salsa::Database,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Result<Vec<(FileRange, String)>, RenameError> {
    let (definition, _) = definition_at(db, file, offset).ok_or_else(|| refuse("there is no name here to rename"))?;
    let old_name = renamable(db, file, &definition)?;
    if new_name == old_name {
        return Ok(Vec::new());
    }
    check_new_name(db, file, &definition, new_name)?;
    let references = references_of(db, file, &definition);
    if let Some(stdlib) = references.iter().find(|it| is_stdlib_path(it.range.file.path(db))) {
        return Err(refuse(format!(
            "`{old_name}` is used in the standard library (`{}`), which is read-only",
            stdlib.range.file.path(db)
        )));
    }
    if let Definition::Variant { name, .. } = &definition
        && let Some(example) = example_writing_value(db, &definition, name)
    {
        return Err(refuse(format!(
            "`{name}` is written as a value in the system of example \"{example}\", which rename cannot update yet; rename it there by hand first"
        )));
    }
    Ok(references.into_iter().map(|reference| (reference.range, new_name.to_owned())).collect())
}

fn refuse(message: impl Into<String>) -> RenameError {
    RenameError { message: message.into() }
}

/// The current name, if the definition may be renamed at all.
fn renamable<'a>(
    db: &dyn salsa::Database,
    file: SourceFile,
    definition: &'a Definition,
) -> Result<&'a str, RenameError> {
    let name = match definition {
        Definition::Rulebook(_) => return Err(refuse("renaming a rulebook's id is not supported")),
        Definition::BuiltinUnit(name) => return Err(refuse(format!("`{name}` is a built-in unit"))),
        Definition::Decl(key) if key.kind == ItemKind::Record && key.name == "System" => {
            return Err(refuse("`System` is the type of `system` and keeps its name"));
        }
        Definition::Decl(key) => &key.name,
        Definition::Field { name, .. } | Definition::Variant { name, .. } | Definition::Local { name, .. } => name,
    };
    if let Some(declaration) = definition_range(db, file, definition)
        && is_stdlib_path(declaration.file.path(db))
    {
        return Err(refuse(format!(
            "`{name}` is declared in the standard library (`{}`), which is read-only",
            declaration.file.path(db)
        )));
    }
    Ok(name)
}

fn check_new_name(
    db: &dyn salsa::Database,
    file: SourceFile,
    definition: &Definition,
    new_name: &str,
) -> Result<(), RenameError> {
    let mut chars = new_name.chars();
    let valid = chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if !valid {
        return Err(refuse(format!(
            "`{new_name}` is not a name: a name is a letter or `_` followed by letters, digits and `_`"
        )));
    }
    let is_field = matches!(definition, Definition::Field { .. });
    if !is_field && RESERVED.contains(&new_name) {
        return Err(refuse(format!("`{new_name}` is a reserved word")));
    }
    if !is_field && (ITEM_KEYWORDS.contains(&new_name) || new_name == "system") {
        return Err(refuse(format!("`{new_name}` is a keyword of the language; choose another name")));
    }
    let info = schema_info(db);
    match definition {
        Definition::Decl(key) => {
            if key.kind == ItemKind::Unit && info.schema.unit(new_name).is_some() {
                return Err(refuse(format!("a unit `{new_name}` exists already")));
            }
            // Every file that sees the declaration by its plain name must not see another one.
            for other in workspace_files(db) {
                let sees_it = other == key.file
                    || matches!(scope(db, other).lookup(&key.name), Lookup::Found(found) if &found == key);
                if !sees_it {
                    continue;
                }
                if other == key.file && declarations(db, other).contains_key(new_name) {
                    return Err(refuse(format!("`{new_name}` is already declared in `{}`", other.path(db))));
                }
                if !matches!(scope(db, other).lookup(new_name), Lookup::NotFound) {
                    return Err(refuse(format!(
                        "`{new_name}` already names a declaration visible in `{}`",
                        other.path(db)
                    )));
                }
            }
        }
        Definition::Field { record, .. } => {
            let fields = info.schema.record(*record).map(|def| &def.fields);
            if fields.is_some_and(|fields| fields.iter().any(|field| field.name == new_name)) {
                return Err(refuse(format!("the record already has a field `{new_name}`")));
            }
            let _ = record_key(info, *record);
        }
        Definition::Variant { enum_id, .. } => {
            if info.schema.enum_def(*enum_id).is_some_and(|def| def.variants.iter().any(|it| it == new_name)) {
                return Err(refuse(format!("`{new_name}` is already a value of the same enum")));
            }
        }
        Definition::Local { span, .. } => {
            // The new name must not be used in the item already, nor name a declaration.
            let text = file.text(db);
            let item = items(db, file).iter().copied().find(|item| {
                let start = item.start(db);
                start <= span.start && span.end <= start + item.text(db).len() as u32
            });
            let used = item.is_some_and(|item| {
                let item_text = item.text(db);
                lex(item_text).iter().any(|token| token.kind == TokenKind::Word && token.text(item_text) == new_name)
            });
            if used || !matches!(scope(db, file).lookup(new_name), Lookup::NotFound) {
                return Err(refuse(format!("`{new_name}` is already used here; renaming would change what it means")));
            }
            let _ = text;
        }
        Definition::Rulebook(_) | Definition::BuiltinUnit(_) => {}
    }
    Ok(())
}

/// The title of an example whose inline system writes `value` (bare or quoted), if any, among the
/// files that can see the enum.
fn example_writing_value(db: &dyn salsa::Database, definition: &Definition, value: &str) -> Option<String> {
    let Definition::Variant { enum_id, .. } = definition else { return None };
    let info = schema_info(db);
    // A classification's tiers are never written in a system.
    let key = enum_key(info, *enum_id)?;
    if key.kind == ItemKind::Classification {
        return None;
    }
    let quoted = format!("\"{value}\"");
    let sees_enum =
        |file: SourceFile| file == key.file || imports(db, file).iter().any(|it| it.target == Some(key.file));
    for file in workspace_files(db).into_iter().filter(|file| sees_enum(*file)) {
        for item in items(db, file).iter().copied().filter(|item| item.kind(db) == ItemKind::Example) {
            let Item::Example(example) = &parse(db, item).item else { continue };
            let Some((_, span)) = &example.system else { continue };
            let text = item.text(db);
            let system = text.get(span.start as usize..span.end as usize).unwrap_or("");
            let writes = lex(system).iter().any(|token| {
                let word = token.text(system);
                (token.kind == TokenKind::Word && word == value) || (token.kind == TokenKind::String && word == quoted)
            });
            if writes {
                return Some(example.title.text.clone());
            }
        }
    }
    None
}
