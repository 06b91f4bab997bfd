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
//! shadow another. An enum value is renamed in example systems too (bare or quoted); one that
//! descriptions write carries a caution (`rename_caution`), because description files outside the
//! rulebooks cannot be updated. Byte offsets only; nothing here knows the LSP.

use crate::check::schema::schema_info;
use crate::db::{Lookup, SourceFile, declarations, items, scope, workspace_files};
use crate::fmt::RESERVED;
use crate::schema::Ty;
use crate::stdlib::is_stdlib_path;
use crate::syntax::ast::Span;
use crate::syntax::lexer::{ITEM_KEYWORDS, Token, TokenKind, lex};
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
            let Some(span) = name_span(&token, text).filter(|span| written(text, *span) == name) else { continue };
            let Some((found, _)) = definition_at(db, candidate, span.start) else { continue };
            if &found != definition {
                continue;
            }
            let range = FileRange { file: candidate, span };
            let is_declaration = declaration.is_some_and(|it| it.file == candidate && it.span == range.span);
            out.push(Reference { range, is_declaration });
        }
    }
    out
}

/// Where a token writes a name: a word, or the inside of a string (an enum value in an example's
/// system, `"chatbot"`).
fn name_span(token: &Token, text: &str) -> Option<Span> {
    match token.kind {
        TokenKind::Word => Some(Span { start: token.start, end: token.end }),
        TokenKind::String if token.text(text).len() >= 2 => Some(Span { start: token.start + 1, end: token.end - 1 }),
        _ => None,
    }
}

fn written(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize).unwrap_or("")
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
        .iter()
        .filter_map(|token| name_span(token, text))
        .find(|word| word.start <= offset && offset <= word.end)
        .unwrap_or(span);
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

/// Why renaming the name at `offset` may break what the workspace does not hold, if it may: an
/// enum value that a record field takes is written in description files (JSON, YAML) that no
/// rulebook holds and rename cannot update. Example systems are rulebook text and are renamed.
pub fn rename_caution(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Option<String> {
    let (Definition::Variant { enum_id, name }, _) = definition_at(db, file, offset)? else { return None };
    let info = schema_info(db);
    let key = enum_key(info, enum_id)?;
    let takes = |ty: &Ty| match ty {
        Ty::Enum(id) => *id == enum_id,
        Ty::Set(inner) | Ty::List(inner) => **inner == Ty::Enum(enum_id),
        _ => false,
    };
    let (record, field) = info
        .schema
        .records
        .iter()
        .find_map(|record| record.fields.iter().find(|field| takes(&field.ty)).map(|field| (record, field)))?;
    Some(format!(
        "`{name}` is a value of `{}` that descriptions write (`{}.{}`): description files (JSON, YAML) outside the rulebooks that write it would not be updated by this rename",
        key.name, record.name, field.name
    ))
}
