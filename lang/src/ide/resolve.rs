//! What the name at a byte offset refers to: a declaration, a record field, an enum value, a
//! local variable or an imported rulebook.
//!
//! It walks the parsed item under the cursor with the locals in scope, and types path prefixes
//! with the checker's `ExprChecker`. It does not read tokens: an item that does not parse has no
//! definitions to find.

use std::collections::BTreeSet;

use crate::check::cycles::declarations_in_cycles;
use crate::check::expr::ExprChecker;
use crate::check::schema::{BUILTIN_TYPES, SchemaInfo, TypeResolver, schema_info};
use crate::db::{DeclKey, ItemRef, Lookup, Scope, SourceFile, decl_key, declarations, find_item, items, parse, scope};
use crate::schema::{EnumId, RecordId, Ty};
use crate::syntax::ast::*;
use crate::syntax::lexer::{Token, TokenKind, lex};
use crate::syntax::split::ItemKind;

use super::FileRange;

/// What a name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Definition {
    Decl(DeclKey),
    Field {
        record: RecordId,
        name: String,
    },
    Variant {
        enum_id: EnumId,
        name: String,
    },
    /// A variable bound in the same item; `span` is its binding, in file offsets.
    Local {
        name: String,
        span: Span,
        ty: Ty,
    },
    Rulebook(SourceFile),
    BuiltinUnit(String),
}

/// The item whose text holds `offset` (an offset at an item's very end belongs to it).
pub fn item_at(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Option<ItemRef<'_>> {
    let all = items(db, file);
    let inside = |item: &ItemRef<'_>| {
        let start = item.start(db);
        let end = start.saturating_add(item.text(db).len() as u32);
        (start..=end).contains(&offset)
    };
    let mut found = all.iter().copied().filter(inside);
    let first = found.next()?;
    // Where one item ends and the next starts, prefer the one the offset is inside of.
    Some(found.next().filter(|next| next.start(db) == offset).unwrap_or(first))
}

/// A checker for the expressions of one file, whose diagnostics are thrown away.
pub fn expr_checker<'db>(db: &'db dyn salsa::Database, file: SourceFile) -> ExprChecker<'db> {
    let info = schema_info(db);
    ExprChecker {
        db,
        file,
        info,
        scope: scope(db, file),
        cycles: declarations_in_cycles(db),
        root: info.root_for(db, file),
        locals: Vec::new(),
        max_locals: 0,
        diagnostics: Vec::new(),
        uses: BTreeSet::new(),
    }
}

/// The type of a written path (`system.model`, `incident`), in the checker's locals.
pub fn path_type(checker: &mut ExprChecker<'_>, segments: &[Ident]) -> Ty {
    let expr = Expr { kind: ExprKind::Path(segments.to_vec()), span: Span::default() };
    let ty = checker.expr(&expr, None).1;
    checker.diagnostics.clear();
    ty
}

pub fn element_type(ty: &Ty) -> Ty {
    match ty {
        Ty::List(inner) | Ty::Set(inner) => (**inner).clone(),
        _ => Ty::Error,
    }
}

pub fn record_key(info: &SchemaInfo, record: RecordId) -> Option<DeclKey> {
    info.records.iter().find(|(_, id)| **id == record).map(|(key, _)| key.clone())
}

pub fn enum_key(info: &SchemaInfo, enum_id: EnumId) -> Option<DeclKey> {
    info.enums.iter().find(|(_, id)| **id == enum_id).map(|(key, _)| key.clone())
}

/// The definition the name at `offset` refers to, and the reference's span in file offsets.
pub fn definition_at(db: &dyn salsa::Database, file: SourceFile, offset: u32) -> Option<(Definition, Span)> {
    let item = item_at(db, file, offset)?;
    let start = item.start(db);
    let mut walker = Walker {
        db,
        file,
        text: item.text(db),
        key: decl_key(db, item),
        item_start: start,
        target: offset.saturating_sub(start),
        checker: expr_checker(db, file),
        local_spans: Vec::new(),
        found: None,
    };
    walker.item(&parse(db, item).item);
    let (definition, span) = walker.found?;
    Some((definition, Span { start: span.start + start, end: span.end + start }))
}

/// What a claim side of a mapping written in `file` names (`name`, `alias.name`, `Enum.value`,
/// `classification.tier`, `alias.Enum.value`).
pub fn mapped_name(db: &dyn salsa::Database, file: SourceFile, name: &str) -> Option<Definition> {
    let words: Vec<&str> = name.split('.').collect();
    mapped_segment(db, scope(db, file), &words, words.len().saturating_sub(1))
}

/// What the segment `idx` of a claim side's `words` names: the rulebook of an alias, a declaration,
/// or an enum value or tier.
fn mapped_segment(db: &dyn salsa::Database, scope: &Scope, words: &[&str], idx: usize) -> Option<Definition> {
    let word = |idx: usize| words.get(idx).copied();
    let alias = word(0).and_then(|first| scope.aliases.get(first).copied());
    let decl = |target: Option<SourceFile>, name: &str| -> Option<DeclKey> {
        match target {
            Some(target) => declarations(db, target).get(name)?.first().cloned(),
            None => match scope.lookup(name) {
                Lookup::Found(key) => Some(key),
                Lookup::Ambiguous(keys) => keys.first().cloned(),
                Lookup::NotFound => None,
            },
        }
    };
    let (target, rest) = match alias {
        Some(target) if words.len() > 1 => (Some(target), 1),
        _ => (None, 0),
    };
    match idx.checked_sub(rest) {
        None => alias.map(Definition::Rulebook),
        Some(0) => word(rest).and_then(|it| decl(target, it)).map(Definition::Decl),
        Some(1) => word(rest).and_then(|it| decl(target, it)).and_then(|key| {
            let enum_id = *schema_info(db).enums.get(&key)?;
            Some(Definition::Variant { enum_id, name: word(idx)?.to_owned() })
        }),
        Some(_) => None,
    }
}

/// Where a definition is written.
pub fn definition_range(db: &dyn salsa::Database, file: SourceFile, definition: &Definition) -> Option<FileRange> {
    let info = schema_info(db);
    match definition {
        Definition::Decl(key) => decl_name_range(db, key),
        Definition::Local { span, .. } => Some(FileRange { file, span: *span }),
        Definition::Rulebook(target) => {
            let header = items(db, *target).iter().copied().find(|item| item.kind(db) == ItemKind::Rulebook);
            match header {
                Some(header) => decl_name_range(db, &decl_key(db, header)),
                None => Some(FileRange { file: *target, span: Span::default() }),
            }
        }
        Definition::Field { record, name } => {
            let key = record_key(info, *record)?;
            let item = find_item(db, &key)?;
            let Item::Record(decl) = &parse(db, item).item else { return None };
            let field = decl.fields.iter().find(|field| &field.name.text == name)?;
            Some(shifted(key.file, item.start(db), field.name.span))
        }
        Definition::Variant { enum_id, name } => {
            let key = enum_key(info, *enum_id)?;
            let item = find_item(db, &key)?;
            let span = match &parse(db, item).item {
                Item::Enum(decl) => decl.variants.iter().find(|variant| &variant.name.text == name)?.name.span,
                Item::Classification(decl) => {
                    decl.branches.iter().chain(&decl.otherwise).find(|branch| &branch.tier.text == name)?.tier.span
                }
                _ => return None,
            };
            Some(shifted(key.file, item.start(db), span))
        }
        Definition::BuiltinUnit(_) => None,
    }
}

fn decl_name_range(db: &dyn salsa::Database, key: &DeclKey) -> Option<FileRange> {
    let item = find_item(db, key)?;
    let span = parse(db, item).item.name_span().unwrap_or_default();
    Some(shifted(key.file, item.start(db), span))
}

fn shifted(file: SourceFile, start: u32, span: Span) -> FileRange {
    FileRange { file, span: Span { start: span.start + start, end: span.end + start } }
}

struct Walker<'db> {
    db: &'db dyn salsa::Database,
    file: SourceFile,
    /// The item's text.
    text: &'db str,
    key: DeclKey,
    item_start: u32,
    /// The cursor, relative to the item.
    target: u32,
    checker: ExprChecker<'db>,
    /// Bindings of the locals in `checker.locals`, item-relative, in the same order.
    local_spans: Vec<Span>,
    found: Option<(Definition, Span)>,
}

impl<'db> Walker<'db> {
    fn hit(&self, span: Span) -> bool {
        self.found.is_none() && span.start <= self.target && self.target <= span.end
    }

    fn found(&mut self, definition: Option<Definition>, span: Span) {
        if let Some(definition) = definition {
            self.found = Some((definition, span));
        }
    }

    fn info(&self) -> &'db SchemaInfo {
        self.checker.info
    }

    fn lookup(&self, name: &Ident) -> Option<Definition> {
        match self.checker.scope.lookup(&name.text) {
            Lookup::Found(key) => Some(Definition::Decl(key)),
            Lookup::Ambiguous(keys) => keys.first().cloned().map(Definition::Decl),
            Lookup::NotFound => None,
        }
    }

    fn own(&mut self, name: &Ident) {
        if self.hit(name.span) {
            self.found(Some(Definition::Decl(self.key.clone())), name.span);
        }
    }

    fn push_local(&mut self, name: &Ident, ty: Ty) {
        if self.hit(name.span) {
            let span = Span { start: name.span.start + self.item_start, end: name.span.end + self.item_start };
            self.found(Some(Definition::Local { name: name.text.clone(), span, ty: ty.clone() }), name.span);
        }
        self.checker.push_local(&name.text, ty);
        self.local_spans.push(name.span);
    }

    fn pop_local(&mut self) {
        self.checker.pop_local();
        self.local_spans.pop();
    }

    fn type_of(&mut self, expr: &Expr) -> Ty {
        let ty = self.checker.expr(expr, None).1;
        self.checker.diagnostics.clear();
        ty
    }

    fn resolve_type(&mut self, ty: &TypeExpr) -> Ty {
        let info = self.info();
        let resolver = TypeResolver {
            db: self.db,
            schema: &info.schema,
            records: &info.records,
            enums: &info.enums,
            file: self.file,
        };
        resolver.resolve(ty, &mut Vec::new()).0
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match ty {
            TypeExpr::Set(inner, _) | TypeExpr::List(inner, _) => self.type_expr(inner),
            TypeExpr::Named(name) if self.hit(name.span) => {
                if BUILTIN_TYPES.contains(&name.text.as_str()) {
                    return;
                }
                let definition = self.unit(name).or_else(|| self.lookup(name));
                self.found(definition, name.span);
            }
            TypeExpr::Named(_) => {}
        }
    }

    /// A unit: its declaration when a rulebook declares it, else the built-in one.
    fn unit(&self, name: &Ident) -> Option<Definition> {
        self.info().schema.unit(&name.text)?;
        match self.checker.scope.lookup(&name.text) {
            Lookup::Found(key) if key.kind == ItemKind::Unit => Some(Definition::Decl(key)),
            _ => Some(Definition::BuiltinUnit(name.text.clone())),
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Rulebook(header) => self.own(&header.id),
            Item::Import(import) => {
                if self.hit(import.rulebook.span) {
                    let target = crate::db::rulebook_index(self.db).get(&import.rulebook.text).copied();
                    self.found(target.map(Definition::Rulebook), import.rulebook.span);
                }
            }
            Item::Unit(unit) => {
                self.own(&unit.name);
                if let Some((_, base)) = &unit.definition
                    && self.hit(base.span)
                {
                    let definition = self.unit(base);
                    self.found(definition, base.span);
                }
            }
            Item::Record(record) => {
                self.own(&record.name);
                let id = self.info().records.get(&self.key).copied();
                for field in &record.fields {
                    if self.hit(field.name.span) {
                        let definition = id.map(|record| Definition::Field { record, name: field.name.text.clone() });
                        self.found(definition, field.name.span);
                    }
                    self.type_expr(&field.ty);
                }
            }
            Item::Enum(decl) => {
                self.own(&decl.name);
                let id = self.info().enums.get(&self.key).copied();
                for variant in &decl.variants {
                    if self.hit(variant.name.span) {
                        let definition =
                            id.map(|enum_id| Definition::Variant { enum_id, name: variant.name.text.clone() });
                        self.found(definition, variant.name.span);
                    }
                }
            }
            Item::Term(term) => {
                self.own(&term.name);
                for param in &term.params {
                    self.type_expr(&param.ty);
                    let ty = self.resolve_type(&param.ty);
                    self.push_local(&param.name, ty);
                }
                if let Some(ty) = &term.declared_type {
                    self.type_expr(ty);
                }
                self.expr(&term.body, None);
            }
            Item::Role(role) => {
                self.own(&role.name);
                self.expr(&role.domain, None);
                let ty = element_type(&self.type_of(&role.domain));
                self.push_local(&role.param, ty);
                self.expr(&role.body, None);
            }
            Item::Act(act) => self.own(&act.name),
            Item::Redline(redline) => {
                self.own(&redline.name);
                self.acts_and_role(&redline.acts, redline.by.as_ref());
                if let Some(when) = &redline.when {
                    self.expr(when, None);
                }
                self.exceptions(&redline.exceptions);
            }
            Item::Obligation(obligation) => self.obligation(obligation),
            Item::Classification(classification) => {
                self.own(&classification.name);
                let id = self.info().enums.get(&self.key).copied();
                for branch in classification.branches.iter().chain(&classification.otherwise) {
                    if self.hit(branch.tier.span) {
                        let definition =
                            id.map(|enum_id| Definition::Variant { enum_id, name: branch.tier.text.clone() });
                        self.found(definition, branch.tier.span);
                    }
                    if let Some(when) = &branch.when {
                        self.expr(when, None);
                    }
                }
            }
            Item::Mapping(mapping) => {
                self.own(&mapping.name);
                for claim in &mapping.claims {
                    for side in [&claim.left, &claim.right] {
                        if self.hit(side.span) {
                            let (definition, span) = self.qualified(side);
                            self.found(definition, span);
                        }
                    }
                }
            }
            Item::Example(example) => {
                if let Some((system, span)) = &example.system {
                    let root = self.checker.root.map(Ty::Record).unwrap_or(Ty::Error);
                    self.json(system, &root);
                    if self.hit(*span) {
                        self.system_value(*span, root);
                    }
                }
                for expectation in &example.expectations {
                    if self.hit(expectation.target.span) {
                        let definition = self.lookup(&expectation.target);
                        self.found(definition, expectation.target.span);
                    }
                    // The tiers a classification's expectation names.
                    let tiers: &[Ident] = match &expectation.expected {
                        Expected::Word(word) => std::slice::from_ref(word),
                        Expected::OneOf(words, _) => words,
                        Expected::Bool(..) => &[],
                    };
                    for tier in tiers {
                        if !self.hit(tier.span) {
                            continue;
                        }
                        let definition = match self.lookup(&expectation.target) {
                            Some(Definition::Decl(key)) if key.kind == ItemKind::Classification => self
                                .info()
                                .enums
                                .get(&key)
                                .map(|enum_id| Definition::Variant { enum_id: *enum_id, name: tier.text.clone() }),
                            _ => None,
                        };
                        self.found(definition, tier.span);
                    }
                }
            }
            Item::Error => {}
        }
    }

    /// The segment under the cursor of a name in a mapping (`name`, `alias.name`, `Enum.value`,
    /// `classification.tier`, `alias.Enum.value`), what it names, and the segment's span.
    fn qualified(&self, name: &Ident) -> (Option<Definition>, Span) {
        let mut segments = Vec::new();
        let mut offset = name.span.start;
        for text in name.text.split('.') {
            let end = offset + text.len() as u32;
            segments.push((text, Span { start: offset, end }));
            offset = end + 1;
        }
        let idx = segments.iter().position(|(_, span)| self.hit(*span)).unwrap_or(0);
        let span = segments.get(idx).map_or(name.span, |(_, span)| *span);
        let words: Vec<&str> = segments.iter().map(|(text, _)| *text).collect();
        (mapped_segment(self.db, self.checker.scope, &words, idx), span)
    }

    fn acts_and_role(&mut self, acts: &[Ident], by: Option<&Ident>) {
        for act in acts {
            if self.hit(act.span) {
                let definition =
                    self.lookup(act).filter(|it| matches!(it, Definition::Decl(key) if key.kind == ItemKind::Act));
                self.found(definition, act.span);
            }
        }
        if let Some(by) = by
            && self.hit(by.span)
        {
            let definition = self.lookup(by);
            self.found(definition, by.span);
        }
    }

    fn exceptions(&mut self, exceptions: &[Exception]) {
        for exception in exceptions {
            if let Some(when) = &exception.when {
                self.expr(when, None);
            }
            self.exceptions(&exception.exceptions);
        }
    }

    fn obligation(&mut self, obligation: &Obligation) {
        self.own(&obligation.name);
        self.acts_and_role(obligation.act.as_slice(), obligation.by.as_ref());
        if let Some(when) = &obligation.when {
            self.expr(when, None);
        }
        self.exceptions(&obligation.exceptions);
        let mut n_locals = 0;
        if let Some(binder) = &obligation.for_each {
            self.binder(binder);
            n_locals += 1;
        }
        match &obligation.due {
            Some(Due::Within { anchor, unit, .. } | Due::Every { anchor, unit, .. }) => {
                if self.hit(unit.span) {
                    let definition = self.unit(unit);
                    self.found(definition, unit.span);
                }
                self.expr(anchor, None);
            }
            Some(Due::By { date, .. }) | Some(Due::Before { date, .. }) => self.expr(date, None),
            Some(Due::Immediately { limit, anchor, .. }) => {
                if let Some((_, unit)) = limit
                    && self.hit(unit.span)
                {
                    let definition = self.unit(unit);
                    self.found(definition, unit.span);
                }
                self.expr(anchor, None);
            }
            Some(Due::WithoutUndueDelay { .. }) | None => {}
        }
        if let Some(binder) = &obligation.evidence {
            self.binder(binder);
            n_locals += 1;
        }
        if let Some(dated) = &obligation.dated {
            self.expr(dated, None);
        }
        for _ in 0..n_locals {
            self.pop_local();
        }
    }

    fn binder(&mut self, binder: &Binder) {
        self.expr(&binder.list, None);
        let ty = element_type(&self.type_of(&binder.list));
        self.push_local(&binder.var, ty);
        if let Some(filter) = &binder.filter {
            self.expr(filter, None);
        }
    }

    fn json(&mut self, value: &JsonValue, ty: &Ty) {
        match value {
            JsonValue::Object(pairs) => {
                let record = match ty {
                    Ty::Record(id) => self.info().schema.record(*id).map(|def| (*id, def)),
                    _ => None,
                };
                for (name, inner) in pairs {
                    let field = record.and_then(|(id, def)| {
                        def.fields.iter().find(|field| field.name == name.text).map(|field| (id, field))
                    });
                    if self.hit(name.span) {
                        let definition = field.map(|(record, _)| Definition::Field { record, name: name.text.clone() });
                        self.found(definition, name.span);
                    }
                    let field_ty = field.map_or(Ty::Error, |(_, field)| field.ty.clone());
                    self.json(inner, &field_ty);
                }
            }
            JsonValue::Array(elements) => {
                let inner = element_type(ty);
                for element in elements {
                    self.json(element, &inner);
                }
            }
            _ => {}
        }
    }

    /// An enum value written in an example's system (`purposes: [chatbot]`, `"chatbot"`). The
    /// tree keeps no place for values, so this reads the system's tokens, following keys and
    /// brackets from `root` to the type each value stands at.
    fn system_value(&mut self, span: Span, root: Ty) {
        let system = self.text.get(span.start as usize..span.end as usize).unwrap_or("");
        let tokens: Vec<Token> = lex(system)
            .into_iter()
            .filter(|token| !matches!(token.kind, TokenKind::Whitespace | TokenKind::Newline | TokenKind::Comment))
            .collect();
        // Each open bracket with the type of what it holds: a record's fields (and the key just
        // read) or a list's elements.
        let mut stack: Vec<(Ty, Option<String>)> = Vec::new();
        let info = self.info();
        let value_type = |stack: &[(Ty, Option<String>)]| -> Ty {
            match stack.last() {
                None => root.clone(),
                Some((Ty::Record(id), Some(key))) => info
                    .schema
                    .record(*id)
                    .and_then(|def| def.fields.iter().find(|field| &field.name == key))
                    .map_or(Ty::Error, |field| field.ty.clone()),
                Some((Ty::Record(_), None)) => Ty::Error,
                Some((elements, _)) => elements.clone(),
            }
        };
        for (idx, token) in tokens.iter().enumerate() {
            let next_is_colon = tokens.get(idx + 1).is_some_and(|next| next.kind == TokenKind::Colon);
            match token.kind {
                TokenKind::LBrace => stack.push((value_type(&stack), None)),
                TokenKind::LBracket => stack.push((element_type(&value_type(&stack)), None)),
                TokenKind::RBrace | TokenKind::RBracket => {
                    stack.pop();
                    if let Some((_, key)) = stack.last_mut() {
                        *key = None;
                    }
                }
                TokenKind::Word | TokenKind::String if next_is_colon => {
                    if let Some((Ty::Record(_), key)) = stack.last_mut() {
                        *key = Some(token.text(system).trim_matches('"').to_owned());
                    }
                }
                TokenKind::Word | TokenKind::String => {
                    let quoted = token.kind == TokenKind::String;
                    let inner = Span {
                        start: span.start + token.start + u32::from(quoted),
                        end: span.start + token.end - u32::from(quoted),
                    };
                    if self.hit(inner) {
                        let word = Ident { text: token.text(system).trim_matches('"').to_owned(), span: inner };
                        let definition = self.variant(&word, Some(&value_type(&stack)));
                        self.found(definition, inner);
                        return;
                    }
                    // A quantity's unit follows its number under the same key.
                    if !quoted && tokens.get(idx.wrapping_sub(1)).is_some_and(|it| it.kind == TokenKind::Number) {
                        continue;
                    }
                    if let Some((Ty::Record(_), key)) = stack.last_mut() {
                        *key = None;
                    }
                }
                _ => {}
            }
        }
    }

    fn expr(&mut self, expr: &Expr, expected: Option<&Ty>) {
        if self.found.is_some() {
            return;
        }
        match &expr.kind {
            ExprKind::Path(segments) => self.path(segments, expected),
            ExprKind::Call(Some(alias), name, args) => {
                self.path(&[alias.clone(), name.clone()], None);
                for arg in args {
                    self.expr(arg, None);
                }
            }
            ExprKind::Call(None, name, args) => {
                if self.hit(name.span) {
                    let definition = self.lookup(name);
                    self.found(definition, name.span);
                }
                for arg in args {
                    self.expr(arg, None);
                }
            }
            ExprKind::Field(base, field) => {
                self.expr(base, None);
                if self.hit(field.span) {
                    let ty = self.type_of(base);
                    let definition = self.field_of(&ty, field);
                    self.found(definition, field.span);
                }
            }
            ExprKind::Set(elements) => {
                for element in elements {
                    self.expr(element, expected);
                }
            }
            ExprKind::Not(inner) | ExprKind::Neg(inner) | ExprKind::Present(inner, _) => self.expr(inner, None),
            ExprKind::And(operands) | ExprKind::Or(operands) => {
                for operand in operands {
                    self.expr(operand, None);
                }
            }
            ExprKind::Binary(_, left, right) => {
                let left_ty = self.type_of(left);
                let right_ty = self.type_of(right);
                self.expr(left, Some(&right_ty));
                self.expr(right, Some(&left_ty));
            }
            ExprKind::Quantified { var, list, body, .. } => {
                self.expr(list, None);
                let ty = element_type(&self.type_of(list));
                self.push_local(var, ty);
                self.expr(body, None);
                self.pop_local();
            }
            ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::Quantity(..)
            | ExprKind::Str(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::AsOf => {}
        }
    }

    fn field_of(&self, ty: &Ty, field: &Ident) -> Option<Definition> {
        let Ty::Record(record) = ty else { return None };
        let def = self.info().schema.record(*record)?;
        def.fields
            .iter()
            .any(|candidate| candidate.name == field.text)
            .then(|| Definition::Field { record: *record, name: field.text.clone() })
    }

    /// An enum value named by a bare word, when the other side of the comparison is an enum.
    fn variant(&self, word: &Ident, expected: Option<&Ty>) -> Option<Definition> {
        let enum_id = match expected? {
            Ty::Enum(id) => *id,
            Ty::Set(inner) | Ty::List(inner) => match **inner {
                Ty::Enum(id) => id,
                _ => return None,
            },
            _ => return None,
        };
        let def = self.info().schema.enum_def(enum_id)?;
        def.variants.contains(&word.text).then(|| Definition::Variant { enum_id, name: word.text.clone() })
    }

    fn path(&mut self, segments: &[Ident], expected: Option<&Ty>) {
        let Some(idx) = segments.iter().position(|segment| self.hit(segment.span)) else { return };
        let (Some(segment), Some(first)) = (segments.get(idx), segments.first()) else { return };
        let definition = if idx == 0 {
            {
                // Only a bare word can be an enum value.
                let expected = if segments.len() == 1 { expected } else { None };
                self.first_segment(first, expected)
            }
        } else if let Some(target) = self.checker.scope.aliases.get(&first.text).copied() {
            self.through_alias(target, segments, idx)
        } else if let (1, Lookup::Found(key)) = (idx, self.checker.scope.lookup(&first.text))
            && key.kind == ItemKind::Enum
        {
            self.info()
                .enums
                .get(&key)
                .map(|enum_id| Definition::Variant { enum_id: *enum_id, name: segment.text.clone() })
        } else {
            let ty = path_type(&mut self.checker, segments.get(..idx).unwrap_or(&[]));
            self.field_of(&ty, segment)
        };
        self.found(definition, segment.span);
    }

    fn first_segment(&self, first: &Ident, expected: Option<&Ty>) -> Option<Definition> {
        if let Some(idx) = self.checker.locals.iter().rposition(|(name, _)| name == &first.text) {
            let (name, ty) = self.checker.locals.get(idx)?;
            let span = self.local_spans.get(idx)?;
            let span = Span { start: span.start + self.item_start, end: span.end + self.item_start };
            return Some(Definition::Local { name: name.clone(), span, ty: ty.clone() });
        }
        if first.text == "system" {
            return record_key(self.info(), self.checker.root?).map(Definition::Decl);
        }
        if let Some(target) = self.checker.scope.aliases.get(&first.text) {
            return Some(Definition::Rulebook(*target));
        }
        let variant = self.variant(first, expected);
        match (self.lookup(first), variant) {
            (Some(Definition::Decl(key)), Some(variant))
                if !matches!(key.kind, ItemKind::Term | ItemKind::Classification) =>
            {
                Some(variant)
            }
            (Some(found), _) => Some(found),
            (None, variant) => variant,
        }
    }

    fn through_alias(&self, target: SourceFile, segments: &[Ident], idx: usize) -> Option<Definition> {
        let second = segments.get(1)?;
        let key = declarations(self.db, target).get(&second.text)?.first()?.clone();
        match idx {
            1 => Some(Definition::Decl(key)),
            2 if key.kind == ItemKind::Enum => {
                let enum_id = *self.info().enums.get(&key)?;
                Some(Definition::Variant { enum_id, name: segments.get(2)?.text.clone() })
            }
            _ => None,
        }
    }
}
