//! Type-checks expressions and lowers them to IR: names to slots and declarations, units to base
//! values, operators to the operation their operand types call for.
//!
//! Bare names that are no declaration are read as enum values when the context expects an enum
//! (`system.purposes contains social_scoring`).

use std::collections::BTreeSet;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::schema::{SchemaInfo, ambiguous};
use crate::db::{DeclKey, Lookup, Scope, SourceFile, find_item};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::suggest::did_you_mean;
use crate::ir::{DeclRef, IrExpr, OperandKind, TermTarget, TierTarget};
use crate::schema::{RecordId, Schema, Ty};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, Quantifier, Span};
use crate::syntax::split::ItemKind;
use crate::value::Value;

/// The built-in functions: name, signature and what they give (for completion and hover). A
/// declaration in scope with the same name takes precedence.
pub const BUILTIN_FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "later_of",
        "later_of(date, date, …) -> date",
        "The latest of two or more dates (or date-times): unknown if any is unknown, else absent if any is absent.",
    ),
    (
        "earlier_of",
        "earlier_of(date, date, …) -> date",
        "The earliest of two or more dates (or date-times): unknown if any is unknown, else absent if any is absent.",
    ),
    (
        "first_of",
        "first_of(date, date, …) -> date",
        "The earliest of the events that happened: unknown if any is unknown, else the earliest date that is not absent, absent only if all are.",
    ),
    (
        "countries",
        "countries(set of string) -> set of string",
        "The countries of ISO 3166 codes: each code's part before the first `-` (`DE-BY` gives `DE`, `DE` stays `DE`), as a set; absent if the set is.",
    ),
];

/// The type of a term: its parameters' types and its value's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TermSignature {
    pub params: Vec<Ty>,
    pub result: Ty,
}

pub struct ExprChecker<'a> {
    pub db: &'a dyn salsa::Database,
    pub file: SourceFile,
    pub info: &'a SchemaInfo,
    pub scope: &'a Scope,
    pub cycles: &'a BTreeSet<DeclKey>,
    pub root: Option<RecordId>,
    pub locals: Vec<(String, Ty)>,
    pub max_locals: u32,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations used, for the explanation of what a rule depends on.
    pub uses: BTreeSet<DeclKey>,
}

fn decl_ref(db: &dyn salsa::Database, key: &DeclKey) -> DeclRef {
    DeclRef { file: key.file.path(db).clone(), kind: key.kind, name: key.name.clone(), ordinal: key.ordinal }
}

impl<'a> ExprChecker<'a> {
    pub fn schema(&self) -> &'a Schema {
        &self.info.schema
    }

    pub fn show(&self, ty: &Ty) -> String {
        self.schema().display_ty(ty)
    }

    pub fn push_local(&mut self, name: &str, ty: Ty) -> u32 {
        self.locals.push((name.to_owned(), ty));
        let depth = self.locals.len() as u32;
        self.max_locals = self.max_locals.max(depth);
        depth - 1
    }

    pub fn pop_local(&mut self) {
        self.locals.pop();
    }

    /// Checks a condition: the expression must be a bool.
    pub fn condition(&mut self, expr: &Expr) -> IrExpr {
        let (ir, ty) = self.expr(expr, Some(&Ty::Bool));
        self.expect_type(&ty, &Ty::Bool, expr.span, "a condition (true or false)");
        ir
    }

    pub fn expect_type(&mut self, actual: &Ty, expected: &Ty, span: Span, what: &str) -> bool {
        if compatible(actual, expected) {
            return true;
        }
        let message = format!("expected {what}, found {}", self.show(actual));
        self.diagnostics.push(
            Diagnostic::error("type-mismatch", span, message)
                .with_label_message(format!("this is {}", article(&self.show(actual)))),
        );
        false
    }

    pub fn expr(&mut self, expr: &Expr, expected: Option<&Ty>) -> (IrExpr, Ty) {
        // Checking recurses once per level of the expression; a debug build's frames are large.
        stacker::maybe_grow(128 << 10, 4 << 20, || self.expr_here(expr, expected))
    }

    fn expr_here(&mut self, expr: &Expr, expected: Option<&Ty>) -> (IrExpr, Ty) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Bool(value) => (IrExpr::Const(Value::Bool(*value)), Ty::Bool),
            ExprKind::Number(value) => (IrExpr::Const(Value::Number(*value)), Ty::Number),
            ExprKind::Str(text) => (IrExpr::Const(Value::Str(text.clone().into_boxed_str())), Ty::String),
            ExprKind::Date(date) => (IrExpr::Const(Value::Date(*date)), Ty::Date),
            ExprKind::DateTime(timestamp) => (IrExpr::Const(Value::DateTime(*timestamp)), Ty::DateTime),
            ExprKind::AsOf => (IrExpr::AsOf, Ty::Date),
            ExprKind::Quantity(amount, unit) => self.quantity(*amount, unit),
            ExprKind::Path(segments) => self.path(segments, expected, span),
            ExprKind::Field(base, field) => {
                let (base_ir, base_ty) = self.expr(base, None);
                self.field(base_ir, base_ty, field)
            }
            ExprKind::Call(alias, name, args) => self.call(alias.as_ref(), name, args, span),
            ExprKind::Set(elements) => {
                let element_expected = match expected {
                    Some(Ty::Set(inner)) | Some(Ty::List(inner)) => Some((**inner).clone()),
                    _ => None,
                };
                let mut element_ty = element_expected.clone();
                let mut irs = Vec::with_capacity(elements.len());
                for element in elements {
                    let (ir, ty) = self.expr(element, element_ty.as_ref());
                    match &element_ty {
                        Some(existing) => {
                            let existing = existing.clone();
                            self.expect_type(&ty, &existing, element.span, &article(&self.show(&existing)));
                        }
                        None => element_ty = Some(ty),
                    }
                    irs.push(ir);
                }
                let element_ty = element_ty.unwrap_or(Ty::Error);
                (IrExpr::SetOf(irs), Ty::Set(Box::new(element_ty)))
            }
            ExprKind::Not(inner) => {
                let ir = self.condition(inner);
                (IrExpr::Not(Box::new(ir)), Ty::Bool)
            }
            ExprKind::Neg(inner) => {
                let (ir, ty) = self.expr(inner, expected);
                if !matches!(ty, Ty::Number | Ty::Quantity(_) | Ty::Error) {
                    self.expect_type(&ty, &Ty::Number, inner.span, "a number or a quantity");
                }
                (IrExpr::Neg(Box::new(ir)), ty)
            }
            ExprKind::And(operands) | ExprKind::Or(operands) => {
                let irs = operands.iter().map(|operand| self.condition(operand)).collect();
                let ir = if matches!(expr.kind, ExprKind::And(_)) { IrExpr::And(irs) } else { IrExpr::Or(irs) };
                (ir, Ty::Bool)
            }
            ExprKind::Present(inner, present) => {
                let (ir, _) = self.expr(inner, None);
                (IrExpr::Present { expr: Box::new(ir), present: *present }, Ty::Bool)
            }
            ExprKind::Quantified { quantifier, var, list, body } => {
                let (list_ir, list_ty) = self.expr(list, None);
                let element_ty = match &list_ty {
                    Ty::List(inner) | Ty::Set(inner) => (**inner).clone(),
                    Ty::Error => Ty::Error,
                    other => {
                        let shown = self.show(other);
                        self.diagnostics.push(Diagnostic::error(
                            "type-mismatch",
                            list.span,
                            format!("expected a list or a set to range over, found {shown}"),
                        ));
                        Ty::Error
                    }
                };
                let local = self.push_local(&var.text, element_ty);
                let body_ir = self.condition(body);
                self.pop_local();
                (
                    IrExpr::Quantified {
                        every: *quantifier == Quantifier::Every,
                        local,
                        list: Box::new(list_ir),
                        body: Box::new(body_ir),
                    },
                    Ty::Bool,
                )
            }
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right, span),
        }
    }

    fn quantity(&mut self, amount: Decimal, unit: &Ident) -> (IrExpr, Ty) {
        let Some(def) = self.schema().unit(&unit.text) else {
            let names: Vec<&str> = self.schema().units.iter().map(|unit| unit.name.as_str()).collect();
            let mut diagnostic = Diagnostic::error("unknown-unit", unit.span, format!("unknown unit `{}`", unit.text));
            diagnostic = match did_you_mean(&unit.text, names) {
                Some(name) => diagnostic.with_help(format!("did you mean `{name}`?")).with_fix(
                    format!("replace with `{name}`"),
                    unit.span,
                    name,
                ),
                None => diagnostic.with_help("declare it with `unit NAME` or `unit NAME = FACTOR BASE`"),
            };
            self.diagnostics.push(diagnostic);
            return (IrExpr::Error, Ty::Error);
        };
        match amount.checked_mul(def.scale) {
            Some(base) => (IrExpr::Const(Value::Quantity(base)), Ty::Quantity(def.dimension)),
            None => {
                self.diagnostics.push(Diagnostic::error(
                    "invalid-number",
                    unit.span,
                    format!(
                        "this quantity is too large to represent in {}",
                        self.schema().dimension(def.dimension).map_or("its base unit", |dim| dim.base_unit.as_str())
                    ),
                ));
                (IrExpr::Error, Ty::Error)
            }
        }
    }

    /// Whether a one-segment path names nothing in scope (so it may be an enum value).
    fn is_unbound_word(&self, expr: &Expr) -> bool {
        let ExprKind::Path(segments) = &expr.kind else { return false };
        let [only] = segments.as_slice() else { return false };
        only.text != "system"
            && !self.locals.iter().any(|(name, _)| name == &only.text)
            && !self.scope.aliases.contains_key(&only.text)
            && self.scope.lookup(&only.text) == Lookup::NotFound
    }

    fn path(&mut self, segments: &[Ident], expected: Option<&Ty>, span: Span) -> (IrExpr, Ty) {
        let Some(first) = segments.first() else { return (IrExpr::Error, Ty::Error) };
        let mut rest = segments.get(1..).unwrap_or(&[]);
        let (mut ir, mut ty) = if let Some(idx) = self.locals.iter().rposition(|(name, _)| name == &first.text) {
            let ty = self.locals.get(idx).map_or(Ty::Error, |(_, ty)| ty.clone());
            (IrExpr::Local(idx as u32), ty)
        } else if first.text == "system" {
            match self.root {
                Some(root) => (IrExpr::Root, Ty::Record(root)),
                None => {
                    self.diagnostics.push(
                        Diagnostic::error("unknown-name", first.span, "no `System` record is declared or imported")
                            .with_help(
                                "import the standard lexicon (`import std.lexicon`) or declare `record System { … }`",
                            ),
                    );
                    return (IrExpr::Error, Ty::Error);
                }
            }
        } else if self.scope.aliases.contains_key(&first.text) {
            let Some(second) = rest.first() else {
                self.diagnostics.push(Diagnostic::error(
                    "unknown-name",
                    first.span,
                    format!("`{}` names an imported rulebook; write `{}.name`", first.text, first.text),
                ));
                return (IrExpr::Error, Ty::Error);
            };
            rest = rest.get(1..).unwrap_or(&[]);
            let Some(key) = self.through_alias(first, second) else { return (IrExpr::Error, Ty::Error) };
            let (ir, ty, consumed) = self.declaration(&key, second, rest, expected);
            rest = rest.get(consumed..).unwrap_or(&[]);
            (ir, ty)
        } else {
            let variant = match expected {
                Some(Ty::Enum(id)) if rest.is_empty() => self
                    .schema()
                    .enum_def(*id)
                    .and_then(|def| def.variants.iter().position(|v| v == &first.text))
                    .map(|idx| (*id, idx as u32)),
                _ => None,
            };
            let lookup = self.scope.lookup(&first.text);
            // A value of the expected enum wins over a declaration that has no value of its own
            // (a redline named like the practice it forbids).
            let has_value =
                matches!(&lookup, Lookup::Found(key) if matches!(key.kind, ItemKind::Term | ItemKind::Classification));
            if let (Some((id, idx)), false) = (variant, has_value) {
                return (IrExpr::Const(Value::Enum(idx)), Ty::Enum(id));
            }
            match lookup {
                Lookup::Found(key) => {
                    let (ir, ty, consumed) = self.declaration(&key, first, rest, expected);
                    rest = rest.get(consumed..).unwrap_or(&[]);
                    (ir, ty)
                }
                Lookup::Ambiguous(keys) => {
                    self.diagnostics.push(ambiguous(&first.text, first.span, self.db, &keys));
                    return (IrExpr::Error, Ty::Error);
                }
                Lookup::NotFound => {
                    if rest.is_empty()
                        && let Some(Ty::Enum(id)) = expected
                        && let Some(variant) = self
                            .schema()
                            .enum_def(*id)
                            .and_then(|def| def.variants.iter().position(|v| v == &first.text))
                    {
                        return (IrExpr::Const(Value::Enum(variant as u32)), Ty::Enum(*id));
                    }
                    self.unknown_name(first, expected);
                    return (IrExpr::Error, Ty::Error);
                }
            }
        };
        for field in rest {
            let (next_ir, next_ty) = self.field(ir, ty, field);
            ir = next_ir;
            ty = next_ty;
        }
        let _ = span;
        (ir, ty)
    }

    /// The declaration `name` of the rulebook imported as `alias`, or a diagnostic.
    fn through_alias(&mut self, alias: &Ident, name: &Ident) -> Option<DeclKey> {
        let Some(target) = self.scope.aliases.get(&alias.text).copied() else {
            let mut diagnostic = Diagnostic::error(
                "unknown-name",
                alias.span,
                format!(
                    "`{}` is not the alias of an import, so `{}.{}(…)` applies nothing",
                    alias.text, alias.text, name.text
                ),
            );
            let aliases = self.scope.aliases.keys().map(String::as_str);
            diagnostic = match did_you_mean(&alias.text, aliases) {
                Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")).with_fix(
                    format!("replace with `{close}`"),
                    alias.span,
                    close,
                ),
                None => diagnostic.with_help(format!(
                    "only a term or role can be applied: write `{}(…)`, or `ALIAS.{}(…)` with the alias of an import (`import id as ALIAS`)",
                    name.text, name.text
                )),
            };
            self.diagnostics.push(diagnostic);
            return None;
        };
        let declarations = crate::db::declarations(self.db, target);
        if let Some(key) = declarations.get(&name.text).and_then(|keys| keys.first()) {
            return Some(key.clone());
        }
        let names: Vec<&str> = declarations.keys().map(String::as_str).collect();
        let mut diagnostic = Diagnostic::error(
            "unknown-name",
            name.span,
            format!(
                "`{}` (the rulebook imported as `{}`) declares no `{}`",
                crate::db::header(self.db, target)
                    .as_ref()
                    .map_or_else(|| target.path(self.db).clone(), |header| header.id.clone()),
                alias.text,
                name.text
            ),
        );
        if let Some(close) = did_you_mean(&name.text, names) {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?")).with_fix(
                format!("replace with `{close}`"),
                name.span,
                close,
            );
        }
        self.diagnostics.push(diagnostic);
        None
    }

    fn unknown_name(&mut self, name: &Ident, expected: Option<&Ty>) {
        let mut candidates: Vec<String> = self.locals.iter().map(|(name, _)| name.clone()).collect();
        candidates.push("system".to_owned());
        candidates.extend(self.scope.names().map(str::to_owned));
        candidates.extend(self.scope.aliases.keys().cloned());
        let expected_enum = match expected {
            Some(Ty::Enum(id)) => self.schema().enum_def(*id),
            _ => None,
        };
        if let Some(def) = expected_enum {
            candidates.extend(def.variants.iter().cloned());
        }
        let mut diagnostic = match expected_enum {
            Some(def) => Diagnostic::error(
                "unknown-variant",
                name.span,
                format!("`{}` is not a value of `{}`", name.text, def.name),
            )
            .with_note(format!("`{}` has {}", def.name, list_words(&def.variants))),
            None => Diagnostic::error("unknown-name", name.span, format!("unknown name `{}`", name.text)),
        };
        if let Some(suggestion) = did_you_mean(&name.text, candidates.iter().map(String::as_str)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                format!("replace with `{suggestion}`"),
                name.span,
                suggestion,
            );
        }
        self.diagnostics.push(diagnostic);
    }

    /// A path that starts with a declaration. Returns how many of `rest` it consumed.
    fn declaration(
        &mut self,
        key: &DeclKey,
        name: &Ident,
        rest: &[Ident],
        expected: Option<&Ty>,
    ) -> (IrExpr, Ty, usize) {
        let _ = expected;
        self.uses.insert(key.clone());
        match key.kind {
            ItemKind::Term => {
                let signature = self.signature_of(key, name.span);
                let Some(signature) = signature else { return (IrExpr::Error, Ty::Error, 0) };
                if !signature.params.is_empty() {
                    self.diagnostics.push(Diagnostic::error(
                        "wrong-argument-count",
                        name.span,
                        format!(
                            "term `{}` takes {} argument(s); write `{}(…)`",
                            name.text,
                            signature.params.len(),
                            name.text
                        ),
                    ));
                    return (IrExpr::Error, Ty::Error, 0);
                }
                (IrExpr::Term { term: TermTarget::Decl(decl_ref(self.db, key)), args: Vec::new() }, signature.result, 0)
            }
            ItemKind::Classification => match self.info.enums.get(key) {
                Some(id) => (IrExpr::Tier(TierTarget::Decl(decl_ref(self.db, key))), Ty::Enum(*id), 0),
                None => (IrExpr::Error, Ty::Error, 0),
            },
            ItemKind::Enum => {
                let Some(id) = self.info.enums.get(key).copied() else { return (IrExpr::Error, Ty::Error, 0) };
                let Some(variant) = rest.first() else {
                    self.diagnostics.push(Diagnostic::error(
                        "type-mismatch",
                        name.span,
                        format!("`{}` is an enum; write `{}.value`", name.text, name.text),
                    ));
                    return (IrExpr::Error, Ty::Error, 0);
                };
                let variants = self.schema().enum_def(id).map(|def| def.variants.clone()).unwrap_or_default();
                match variants.iter().position(|candidate| candidate == &variant.text) {
                    Some(idx) => (IrExpr::Const(Value::Enum(idx as u32)), Ty::Enum(id), 1),
                    None => {
                        self.unknown_name(variant, Some(&Ty::Enum(id)));
                        (IrExpr::Error, Ty::Error, 1)
                    }
                }
            }
            ItemKind::Role => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "wrong-argument-count",
                        name.span,
                        format!("role `{}` is a condition on one party", name.text),
                    )
                    .with_help(format!(
                        "write `{}(party)` with a party bound by `some party in system.parties satisfies …`",
                        name.text
                    )),
                );
                (IrExpr::Error, Ty::Error, 0)
            }
            other => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "type-mismatch",
                        name.span,
                        format!("`{}` is {} and has no value in a condition", name.text, article(other.keyword())),
                    )
                    .with_help("conditions may use the system's facts, terms, roles and classifications"),
                );
                (IrExpr::Error, Ty::Error, 0)
            }
        }
    }

    /// The signature of a term or role, unless it lies on a cycle (reported at the term).
    pub fn signature_of(&mut self, key: &DeclKey, span: Span) -> Option<TermSignature> {
        if self.cycles.contains(key) {
            let _ = span;
            return None;
        }
        let item = find_item(self.db, key)?;
        super::term_signature(self.db, item).clone()
    }

    fn field(&mut self, base: IrExpr, base_ty: Ty, field: &Ident) -> (IrExpr, Ty) {
        match base_ty {
            Ty::Record(id) => {
                let Some(record) = self.schema().record(id) else { return (IrExpr::Error, Ty::Error) };
                match record.fields.iter().position(|def| def.name == field.text) {
                    Some(slot) => {
                        let ty = record.fields.get(slot).map_or(Ty::Error, |def| as_expression_type(&def.ty));
                        (
                            IrExpr::Field {
                                base: Box::new(base),
                                slot: slot as u32,
                                name: Arc::from(field.text.as_str()),
                                ty: ty.clone(),
                            },
                            ty,
                        )
                    }
                    None => {
                        let names: Vec<&str> = record.fields.iter().map(|def| def.name.as_str()).collect();
                        let mut diagnostic = Diagnostic::error(
                            "unknown-field",
                            field.span,
                            format!("`{}` has no field `{}`", record.name, field.text),
                        );
                        diagnostic = match did_you_mean(&field.text, names.iter().copied()) {
                            Some(name) => diagnostic.with_help(format!("did you mean `{name}`?")).with_fix(
                                format!("replace with `{name}`"),
                                field.span,
                                name,
                            ),
                            None => diagnostic.with_note(format!("`{}` has {}", record.name, list_words(&names))),
                        };
                        self.diagnostics.push(diagnostic);
                        (IrExpr::Error, Ty::Error)
                    }
                }
            }
            Ty::Error => (IrExpr::Error, Ty::Error),
            other => {
                let shown = self.show(&other);
                self.diagnostics.push(Diagnostic::error(
                    "unknown-field",
                    field.span,
                    format!("{} has no fields, so it has no `{}`", article(&shown), field.text),
                ));
                (IrExpr::Error, Ty::Error)
            }
        }
    }

    fn call(&mut self, alias: Option<&Ident>, name: &Ident, args: &[Expr], span: Span) -> (IrExpr, Ty) {
        let lookup = match alias {
            Some(alias) => match self.through_alias(alias, name) {
                Some(key) => Lookup::Found(key),
                None => return (IrExpr::Error, Ty::Error),
            },
            None => self.scope.lookup(&name.text),
        };
        let key = match lookup {
            Lookup::Found(key) => key,
            Lookup::Ambiguous(keys) => {
                self.diagnostics.push(ambiguous(&name.text, name.span, self.db, &keys));
                return (IrExpr::Error, Ty::Error);
            }
            Lookup::NotFound => {
                // The built-in functions, unless a declaration in scope has their name.
                match name.text.as_str() {
                    "later_of" => return self.extreme(true, false, name, args, span),
                    "earlier_of" => return self.extreme(false, false, name, args, span),
                    "first_of" => return self.extreme(false, true, name, args, span),
                    "countries" => return self.countries(name, args, span),
                    _ => {}
                }
                self.unknown_name(name, None);
                return (IrExpr::Error, Ty::Error);
            }
        };
        if !matches!(key.kind, ItemKind::Term | ItemKind::Role) {
            self.diagnostics.push(Diagnostic::error(
                "type-mismatch",
                name.span,
                format!("`{}` is {} and cannot be applied to arguments", name.text, article(key.kind.keyword())),
            ));
            return (IrExpr::Error, Ty::Error);
        }
        self.uses.insert(key.clone());
        let Some(signature) = self.signature_of(&key, name.span) else { return (IrExpr::Error, Ty::Error) };
        if signature.params.len() != args.len() {
            self.diagnostics.push(Diagnostic::error(
                "wrong-argument-count",
                span,
                format!("`{}` takes {} argument(s), but {} were given", name.text, signature.params.len(), args.len()),
            ));
            return (IrExpr::Error, Ty::Error);
        }
        let mut irs = Vec::with_capacity(args.len());
        for (arg, param_ty) in args.iter().zip(&signature.params) {
            let (ir, ty) = self.expr(arg, Some(param_ty));
            let what = article(&self.show(param_ty));
            self.expect_type(&ty, param_ty, arg.span, &what);
            irs.push(ir);
        }
        (IrExpr::Term { term: TermTarget::Decl(decl_ref(self.db, &key)), args: irs }, signature.result)
    }

    /// `countries(S)` (see [`BUILTIN_FUNCTIONS`]): one set or list of strings in, a set of strings
    /// out.
    fn countries(&mut self, name: &Ident, args: &[Expr], span: Span) -> (IrExpr, Ty) {
        let [arg] = args else {
            self.diagnostics.push(
                Diagnostic::error(
                    "wrong-argument-count",
                    span,
                    format!("`{}` takes one set of codes, but {} were given", name.text, args.len()),
                )
                .with_help("write `countries(party.establishments) intersects eu_member_states`"),
            );
            return (IrExpr::Error, Ty::Error);
        };
        let strings = Ty::Set(Box::new(Ty::String));
        let (ir, ty) = self.expr(arg, Some(&strings));
        match &ty {
            Ty::Error => (IrExpr::Error, Ty::Error),
            Ty::Set(inner) | Ty::List(inner) if matches!(**inner, Ty::String) => {
                (IrExpr::Countries(Box::new(ir)), strings)
            }
            other => {
                let shown = self.show(other);
                self.diagnostics.push(Diagnostic::error(
                    "type-mismatch",
                    arg.span,
                    format!("`{}` reads ISO 3166 codes: expected a set of strings, found {shown}", name.text),
                ));
                (IrExpr::Error, Ty::Error)
            }
        }
    }

    /// `later_of(a, b, …)`, `earlier_of(a, b, …)` and `first_of(a, b, …)` (see
    /// [`BUILTIN_FUNCTIONS`]).
    fn extreme(&mut self, later: bool, skip_absent: bool, name: &Ident, args: &[Expr], span: Span) -> (IrExpr, Ty) {
        if args.len() < 2 {
            self.diagnostics.push(
                Diagnostic::error(
                    "wrong-argument-count",
                    span,
                    format!("`{}` takes two or more dates, but {} were given", name.text, args.len()),
                )
                .with_help(format!("write `{}(system.placed_on_market_on, 2026-08-02)`", name.text)),
            );
            return (IrExpr::Error, Ty::Error);
        }
        let mut operands = Vec::with_capacity(args.len());
        let mut result: Option<Ty> = None;
        let mut failed = false;
        for arg in args {
            let (ir, ty) = self.expr(arg, result.as_ref());
            operands.push(ir);
            match (&ty, &result) {
                (Ty::Error, _) => failed = true,
                (Ty::Date | Ty::DateTime, None) => result = Some(ty),
                (_, Some(first)) if ty == *first => {}
                _ => {
                    let shown = self.show(&ty);
                    let wanted = match &result {
                        Some(first) => format!("another {}", self.show(first)),
                        None => "a date or a date-time".to_owned(),
                    };
                    self.diagnostics.push(Diagnostic::error(
                        "type-mismatch",
                        arg.span,
                        format!("`{}` compares dates: expected {wanted}, found {shown}", name.text),
                    ));
                    failed = true;
                }
            }
        }
        match (failed, result) {
            (false, Some(ty)) => (IrExpr::Extreme { later, skip_absent, operands }, ty),
            _ => (IrExpr::Error, Ty::Error),
        }
    }

    fn binary(&mut self, op: BinOp, left: &Expr, right: &Expr, span: Span) -> (IrExpr, Ty) {
        // An enum value written bare takes its type from the other side.
        let ((left_ir, left_ty), (right_ir, right_ty)) = if self.is_unbound_word(left) && !self.is_unbound_word(right) {
            let right_result = self.expr(right, None);
            let left_expected = match (op, &right_result.1) {
                (BinOp::In | BinOp::NotIn, Ty::Set(inner) | Ty::List(inner)) => Some((**inner).clone()),
                (_, ty) => Some(ty.clone()),
            };
            (self.expr(left, left_expected.as_ref()), right_result)
        } else {
            let left_result = self.expr(left, None);
            let right_expected = match (op, &left_result.1) {
                (BinOp::Contains, Ty::Set(inner) | Ty::List(inner)) => Some((**inner).clone()),
                (BinOp::In | BinOp::NotIn, ty) => Some(Ty::Set(Box::new(ty.clone()))),
                (BinOp::Add | BinOp::Sub | BinOp::Mul, _) => None,
                (_, ty) => Some(ty.clone()),
            };
            let right_result = self.expr(right, right_expected.as_ref());
            (left_result, right_result)
        };
        if left_ty == Ty::Error || right_ty == Ty::Error {
            let ty = if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) { Ty::Error } else { Ty::Bool };
            return (IrExpr::Error, ty);
        }
        match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                if !self.same_type(&left_ty, &right_ty, span, op) {
                    return (IrExpr::Error, Ty::Bool);
                }
                let kind = operand_kind(&left_ty);
                if ordered && !matches!(kind, OperandKind::Number | OperandKind::Date | OperandKind::DateTime) {
                    let shown = self.show(&left_ty);
                    self.diagnostics.push(Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("`{}` compares numbers, quantities and dates, not {}", op.as_str(), plural(&shown)),
                    ));
                    return (IrExpr::Error, Ty::Bool);
                }
                (IrExpr::Compare { op, kind, left: Box::new(left_ir), right: Box::new(right_ir) }, Ty::Bool)
            }
            BinOp::In | BinOp::NotIn | BinOp::Contains => {
                let (element_ir, element_ty, collection_ir, collection_ty, collection_span) = if op == BinOp::Contains {
                    (right_ir, right_ty, left_ir, left_ty, left.span)
                } else {
                    (left_ir, left_ty, right_ir, right_ty, right.span)
                };
                match &collection_ty {
                    Ty::Set(inner) | Ty::List(inner) => {
                        let inner = (**inner).clone();
                        if !compatible(&element_ty, &inner) {
                            self.same_type(&element_ty, &inner, span, op);
                            return (IrExpr::Error, Ty::Bool);
                        }
                    }
                    other => {
                        let shown = self.show(other);
                        self.diagnostics.push(Diagnostic::error(
                            "type-mismatch",
                            collection_span,
                            format!("`{}` needs a set or a list, found {}", op.as_str(), shown),
                        ));
                        return (IrExpr::Error, Ty::Bool);
                    }
                }
                (
                    IrExpr::Member {
                        negated: op == BinOp::NotIn,
                        element: Box::new(element_ir),
                        collection: Box::new(collection_ir),
                    },
                    Ty::Bool,
                )
            }
            BinOp::Intersects => {
                let ok = matches!((&left_ty, &right_ty), (Ty::Set(a) | Ty::List(a), Ty::Set(b) | Ty::List(b)) if compatible(a, b));
                if !ok {
                    let (l, r) = (self.show(&left_ty), self.show(&right_ty));
                    self.diagnostics.push(Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("`intersects` needs two sets of the same kind, found {l} and {r}"),
                    ));
                    return (IrExpr::Error, Ty::Bool);
                }
                (IrExpr::Intersects(Box::new(left_ir), Box::new(right_ir)), Ty::Bool)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul => self.arith(op, left_ir, left_ty, right_ir, right_ty, span),
        }
    }

    fn arith(
        &mut self,
        op: BinOp,
        left_ir: IrExpr,
        left_ty: Ty,
        right_ir: IrExpr,
        right_ty: Ty,
        span: Span,
    ) -> (IrExpr, Ty) {
        let dimension = |name: &str| {
            self.schema().dimensions.iter().position(|dim| dim.name == name).map(|idx| crate::schema::DimId(idx as u32))
        };
        let (time, calendar) = (dimension("time"), dimension("calendar"));
        let result = match (op, &left_ty, &right_ty) {
            (BinOp::Add | BinOp::Sub, Ty::Number, Ty::Number) => Some(Ty::Number),
            (BinOp::Add | BinOp::Sub, Ty::Quantity(a), Ty::Quantity(b)) if a == b => Some(left_ty.clone()),
            (BinOp::Mul, Ty::Number, Ty::Number) => Some(Ty::Number),
            (BinOp::Mul, Ty::Number, Ty::Quantity(_)) => Some(right_ty.clone()),
            (BinOp::Mul, Ty::Quantity(_), Ty::Number) => Some(left_ty.clone()),
            (BinOp::Add | BinOp::Sub, Ty::Date | Ty::DateTime, Ty::Quantity(dim))
                if Some(*dim) == time || (Some(*dim) == calendar && left_ty == Ty::Date) =>
            {
                let instant = left_ty == Ty::DateTime;
                let months = Some(*dim) == calendar;
                // A date moves by whole days: a literal part of a day is a mistake worth saying.
                if let (false, false, IrExpr::Const(Value::Quantity(seconds))) = (instant, months, &right_ir)
                    && !(seconds % rust_decimal::Decimal::from(86_400)).is_zero()
                {
                    self.diagnostics.push(
                        Diagnostic::error("type-mismatch", span, "a date moves by whole days, not by part of a day")
                            .with_help("use a `datetime` to count hours, or a whole number of days"),
                    );
                    return (IrExpr::Error, Ty::Error);
                }
                return (
                    IrExpr::DateShift {
                        subtract: op == BinOp::Sub,
                        date: Box::new(left_ir),
                        duration: Box::new(right_ir),
                        instant,
                        months,
                    },
                    left_ty,
                );
            }
            _ => None,
        };
        match result {
            Some(ty) => (IrExpr::Arith { op, left: Box::new(left_ir), right: Box::new(right_ir) }, ty),
            None => {
                let (l, r) = (self.show(&left_ty), self.show(&right_ty));
                let both_quantities = matches!((&left_ty, &right_ty), (Ty::Quantity(_), Ty::Quantity(_)));
                let diagnostic = match (op, both_quantities) {
                    (BinOp::Mul, true) => Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("cannot multiply {} by {}", article(&l), article(&r)),
                    )
                    .with_help("a quantity is multiplied by a plain number: `2 * 1e25 FLOP`"),
                    (_, true) => Diagnostic::error(
                        "unit-mismatch",
                        span,
                        format!("cannot apply `{}` to {l} and {r}", op.as_str()),
                    )
                    .with_help("quantities combine only within one dimension; each currency is its own dimension"),
                    _ => Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("cannot apply `{}` to {l} and {r}", op.as_str()),
                    ),
                };
                self.diagnostics.push(diagnostic);
                (IrExpr::Error, Ty::Error)
            }
        }
    }

    fn same_type(&mut self, left: &Ty, right: &Ty, span: Span, op: BinOp) -> bool {
        if compatible(left, right) {
            return true;
        }
        let (l, r) = (self.show(left), self.show(right));
        let diagnostic = match (left, right) {
            (Ty::Quantity(_), Ty::Quantity(_)) => {
                Diagnostic::error("unit-mismatch", span, format!("cannot compare {l} with {r}"))
                    .with_help("quantities compare only within one dimension; each currency is its own dimension")
            }
            (Ty::Quantity(dim), Ty::Number) | (Ty::Number, Ty::Quantity(dim)) => {
                let unit = self.schema().dimension(*dim).map_or("FLOP", |def| def.base_unit.as_str()).to_owned();
                let quantity = if matches!(left, Ty::Quantity(_)) { &l } else { &r };
                Diagnostic::error("unit-mismatch", span, format!("cannot compare a {quantity} with a plain number"))
                    .with_help(format!("write the number with its unit, such as `1e25 {unit}`"))
            }
            _ => Diagnostic::error(
                "type-mismatch",
                span,
                format!("cannot compare {} with {} using `{}`", article(&l), article(&r), op.as_str()),
            ),
        };
        self.diagnostics.push(diagnostic);
        false
    }
}

/// The type a field's value has in a condition: integers are numbers there.
fn as_expression_type(ty: &Ty) -> Ty {
    match ty {
        Ty::Integer => Ty::Number,
        Ty::Set(inner) => Ty::Set(Box::new(as_expression_type(inner))),
        Ty::List(inner) => Ty::List(Box::new(as_expression_type(inner))),
        other => other.clone(),
    }
}

/// Whether a value of type `actual` can stand where `expected` is wanted.
pub fn compatible(actual: &Ty, expected: &Ty) -> bool {
    match (actual, expected) {
        (Ty::Error, _) | (_, Ty::Error) => true,
        (Ty::Integer, Ty::Number) | (Ty::Number, Ty::Integer) => true,
        (Ty::Set(a), Ty::Set(b))
        | (Ty::List(a), Ty::List(b))
        | (Ty::Set(a), Ty::List(b))
        | (Ty::List(a), Ty::Set(b)) => compatible(a, b),
        _ => actual == expected,
    }
}

pub fn operand_kind(ty: &Ty) -> OperandKind {
    match ty {
        Ty::Bool => OperandKind::Bool,
        Ty::Number | Ty::Integer | Ty::Quantity(_) => OperandKind::Number,
        Ty::String => OperandKind::Str,
        Ty::Date => OperandKind::Date,
        Ty::DateTime => OperandKind::DateTime,
        Ty::Enum(_) => OperandKind::Enum,
        Ty::Set(_) => OperandKind::Set,
        Ty::List(_) => OperandKind::List,
        Ty::Record(_) | Ty::Error => OperandKind::Record,
    }
}

fn article(noun: &str) -> String {
    let starts_with_vowel = noun.chars().next().is_some_and(|ch| "aeiouAEIOU".contains(ch));
    if noun.starts_with("set ") || noun.starts_with("list ") || noun.starts_with("quantity ") {
        return format!("a {noun}");
    }
    if noun.starts_with('`') {
        return format!("a {noun} value");
    }
    if starts_with_vowel { format!("an {noun}") } else { format!("a {noun}") }
}

fn plural(noun: &str) -> String {
    if noun.starts_with('`') { format!("{noun} values") } else { format!("{noun}s") }
}

fn list_words<S: AsRef<str>>(words: &[S]) -> String {
    let quoted: Vec<String> = words.iter().take(12).map(|word| format!("`{}`", word.as_ref())).collect();
    let more = if words.len() > 12 { format!(" and {} more", words.len() - 12) } else { String::new() };
    format!("{}{more}", quoted.join(", "))
}
