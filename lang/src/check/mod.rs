//! Checking: names, types, units, citations and clause rules of each item, and its lowering to IR.
//!
//! `check_item(item)` is the per-item query: it reads the item's own parse, the file's scope, the
//! schema, and the signatures of the terms it references — never another item's body — so an
//! edit to one rule leaves every other rule's result valid.

pub mod cycles;
pub mod expr;
pub mod schema;

use std::collections::BTreeSet;

use jiff::civil::Date;

use self::cycles::declarations_in_cycles;
use self::expr::{ExprChecker, TermSignature, compatible};
use self::schema::{SchemaInfo, TypeResolver, schema_info};
use crate::db::{DeclKey, ItemRef, Lookup, SourceFile, decl_key, parse, scope};
use crate::describe::from_json_value;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::suggest::did_you_mean;
use crate::ir::flat::FlatCondition;
use crate::ir::*;
use crate::schema::Ty;
use crate::syntax::ast::*;
use crate::syntax::split::ItemKind;

/// The built-in acts a redline may forbid or an obligation require.
pub const BUILTIN_ACTS: &[&str] = &["placing_on_market", "putting_into_service", "use"];
/// The legal statuses a citation can state.
pub const CITATION_STATUSES: &[&str] = &["binding", "adopted", "provisional", "guidance", "commentary"];
pub const PERIOD_CONVENTIONS: &[&str] = &["calendar_days", "next_working_day"];
pub const REDLINE_VERDICTS: &[&str] = &["prohibited", "exempted", "not_prohibited", "not_in_force", "undetermined"];
pub const OBLIGATION_VERDICTS: &[&str] =
    &["satisfied", "violated", "pending", "not_applicable", "not_in_force", "undetermined"];

/// One item, checked and lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedItem {
    pub ir: IrItem,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IrItem {
    None,
    Header(HeaderIr),
    Term(IrTerm),
    Role(IrTerm, IrRole),
    Redline(Box<IrRedline>),
    Obligation(Box<IrObligation>),
    Classification(Box<IrClassification>),
    Example(Box<IrExample>),
    Mapping(Box<IrMapping>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderIr {
    pub id: String,
    pub title: Option<String>,
    pub jurisdiction: Option<String>,
    pub version: Option<String>,
    pub applies_from: Option<Date>,
    pub applies_until: Option<Date>,
    pub periods: PeriodConvention,
    pub holidays: Vec<Date>,
}

/// A term's or role's body, checked once; `term_signature` reads its type from here.
#[salsa::tracked(returns(ref))]
pub fn term_checked<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> (Option<TermSignature>, CheckedItem) {
    crate::syntax::parse::with_enough_stack(|| term_checked_here(db, item))
}

fn term_checked_here<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> (Option<TermSignature>, CheckedItem) {
    let mut ctx = ItemContext::new(db, item);
    let parsed = parse(db, item);
    let result = match &parsed.item {
        Item::Term(term) => {
            let (signature, ir) = ctx.term(term);
            (Some(signature), IrItem::Term(ir))
        }
        Item::Role(role) => {
            let (signature, term, role_ir) = ctx.role(role);
            (Some(signature), IrItem::Role(term, role_ir))
        }
        _ => (None, IrItem::None),
    };
    (result.0, CheckedItem { ir: result.1, diagnostics: ctx.finish() })
}

/// The type of a term or role; unchanged by edits that keep its type, so callers are not re-checked.
#[salsa::tracked(returns(ref))]
pub fn term_signature<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> Option<TermSignature> {
    term_checked(db, item).0.clone()
}

/// Checks one item and lowers it to IR.
#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> CheckedItem {
    crate::syntax::parse::with_enough_stack(|| check_item_here(db, item))
}

fn check_item_here<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> CheckedItem {
    if matches!(item.kind(db), ItemKind::Term | ItemKind::Role) {
        return term_checked(db, item).1.clone();
    }
    let mut ctx = ItemContext::new(db, item);
    let parsed = parse(db, item);
    let ir = match &parsed.item {
        Item::Rulebook(header) => IrItem::Header(ctx.header(header)),
        Item::Import(import) => {
            ctx.meta(&import.meta, None);
            ctx.reject_applies(&import.meta, "an import");
            IrItem::None
        }
        Item::Record(record) => {
            ctx.meta(&record.meta, None);
            ctx.reject_applies(&record.meta, "a record");
            ctx.schema_diagnostics();
            IrItem::None
        }
        Item::Enum(decl) => {
            ctx.meta(&decl.meta, None);
            ctx.reject_applies(&decl.meta, "an enum");
            let mut seen = BTreeSet::new();
            for variant in &decl.variants {
                if !seen.insert(variant.name.text.as_str()) {
                    ctx.error(Diagnostic::error(
                        "duplicate-definition",
                        variant.name.span,
                        format!("`{}` is listed twice in `{}`", variant.name.text, decl.name.text),
                    ));
                }
            }
            IrItem::None
        }
        Item::Unit(unit) => {
            ctx.meta(&unit.meta, None);
            ctx.reject_applies(&unit.meta, "a unit");
            ctx.schema_diagnostics();
            IrItem::None
        }
        Item::Act(act) => {
            ctx.meta(&act.meta, None);
            ctx.reject_applies(&act.meta, "an act");
            IrItem::None
        }
        Item::Redline(redline) => IrItem::Redline(Box::new(ctx.redline(redline))),
        Item::Obligation(obligation) => IrItem::Obligation(Box::new(ctx.obligation(obligation))),
        Item::Classification(classification) => IrItem::Classification(Box::new(ctx.classification(classification))),
        Item::Mapping(mapping) => IrItem::Mapping(Box::new(ctx.mapping(mapping))),
        Item::Example(example) => match ctx.example(example) {
            Some(example) => IrItem::Example(Box::new(example)),
            None => IrItem::None,
        },
        Item::Term(_) | Item::Role(_) | Item::Error => IrItem::None,
    };
    CheckedItem { ir, diagnostics: ctx.finish() }
}

/// What checking one item needs, and what it found.
struct ItemContext<'db> {
    db: &'db dyn salsa::Database,
    file: SourceFile,
    key: DeclKey,
    text: &'db str,
    info: &'db SchemaInfo,
    cycles: &'db BTreeSet<DeclKey>,
    exprs: ExprChecker<'db>,
}

impl<'db> ItemContext<'db> {
    fn new(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> ItemContext<'db> {
        let file = item.file(db);
        let info = schema_info(db);
        let cycles = declarations_in_cycles(db);
        let exprs = ExprChecker {
            db,
            file,
            info,
            scope: scope(db, file),
            cycles,
            root: info.root_for(db, file),
            locals: Vec::new(),
            max_locals: 0,
            diagnostics: Vec::new(),
            uses: BTreeSet::new(),
        };
        ItemContext { db, file, key: decl_key(db, item), text: item.text(db), info, cycles, exprs }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.exprs.diagnostics.push(diagnostic);
    }

    fn finish(self) -> Vec<Diagnostic> {
        self.exprs.diagnostics
    }

    fn schema_diagnostics(&mut self) {
        if let Some(found) = self.info.diagnostics.get(&self.key) {
            self.exprs.diagnostics.extend(found.iter().cloned());
        }
    }

    fn source_text(&self, span: Span) -> String {
        let text = self.text.get(span.start as usize..span.end as usize).unwrap_or("");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Checks doc, citations, dates and unsure marks; returns the provision's info.
    fn meta(&mut self, meta: &Meta, name: Option<&Ident>) -> ProvisionInfo {
        let mut citations = Vec::new();
        for citation in &meta.citations {
            let status = citation.status.as_ref().map(|status| {
                if !CITATION_STATUSES.contains(&status.text.as_str()) {
                    let mut diagnostic = Diagnostic::error(
                        "unknown-status",
                        status.span,
                        format!("`{}` is not a citation status", status.text),
                    )
                    .with_note("statuses are `binding`, `adopted`, `provisional`, `guidance` and `commentary`");
                    if let Some(suggestion) = did_you_mean(&status.text, CITATION_STATUSES.iter().copied()) {
                        diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                            format!("replace with `{suggestion}`"),
                            status.span,
                            suggestion,
                        );
                    }
                    self.error(diagnostic);
                }
                status.text.clone()
            });
            citations.push(CitationInfo { text: citation.text.clone(), status, verified: citation.verified });
        }
        if let Some(applies) = &meta.applies
            && let (Some(from), Some(until)) = (applies.from, applies.until)
            && until < from
        {
            self.error(Diagnostic::error(
                "invalid-applies",
                applies.span,
                format!("this provision would stop applying on {until}, before it starts on {from}"),
            ));
        }
        ProvisionInfo {
            name: name.map(|name| name.text.clone()).unwrap_or_default(),
            doc: meta.doc.clone(),
            citations,
            unsure: meta.unsure.iter().map(|unsure| unsure.reason.clone()).collect(),
            applies_from: meta.applies.as_ref().and_then(|applies| applies.from),
            applies_until: meta.applies.as_ref().and_then(|applies| applies.until),
            name_span: name.map(|name| name.span).unwrap_or_default(),
            location: None,
            condition_text: None,
            days: DayRange::new(
                meta.applies.as_ref().and_then(|applies| applies.from),
                meta.applies.as_ref().and_then(|applies| applies.until),
            ),
        }
    }

    /// Dates of application belong on provisions; on a definition they would have no effect.
    fn reject_applies(&mut self, meta: &Meta, what: &str) {
        if let Some(applies) = &meta.applies {
            self.error(
                Diagnostic::error("invalid-applies", applies.span, format!("`applies` has no effect on {what}"))
                    .with_help("put the dates on the redlines, obligations and classifications that use it"),
            );
        }
    }

    /// Provisions that decide verdicts need a citation, and one that is more than guidance.
    fn require_authority(&mut self, meta: &Meta, name: &Ident, what: &str) {
        if meta.citations.is_empty() {
            self.error(
                Diagnostic::warning("missing-citation", name.span, format!("{what} `{}` cites no source", name.text))
                    .with_help("add `cite \"Art. …\"` so verdicts can show the law they apply"),
            );
            return;
        }
        let decisive = meta.citations.iter().any(|citation| {
            !matches!(citation.status.as_ref().map(|status| status.text.as_str()), Some("guidance" | "commentary"))
        });
        if !decisive {
            self.error(
                Diagnostic::error(
                    "guidance-only-citation",
                    name.span,
                    format!("{what} `{}` rests on guidance or commentary alone", name.text),
                )
                .with_help("guidance may explain a verdict but never decides one: cite the binding provision as well"),
            );
        }
    }

    fn duplicates(&mut self, duplicates: &[Span]) {
        for span in duplicates {
            self.error(
                Diagnostic::error("duplicate-clause", *span, "this clause is already given above")
                    .with_help("keep one of them"),
            );
        }
    }

    fn missing(&mut self, span: Span, message: impl Into<String>, help: &str) {
        self.error(Diagnostic::error("missing-clause", span, message).with_help(help.to_owned()));
    }

    fn header(&mut self, header: &RulebookHeader) -> HeaderIr {
        self.duplicates(&header.duplicates);
        self.meta(&header.meta, Some(&header.id));
        let periods = match header.periods.as_ref().map(|ident| ident.text.as_str()) {
            None | Some("calendar_days") => PeriodConvention::CalendarDays,
            Some("next_working_day") => PeriodConvention::NextWorkingDay,
            Some(other) => {
                let span = header.periods.as_ref().map(|ident| ident.span).unwrap_or_default();
                let mut diagnostic = Diagnostic::error(
                    "invalid-period-convention",
                    span,
                    format!("`{other}` is not a period convention"),
                )
                .with_note("conventions are `calendar_days` and `next_working_day`");
                if let Some(suggestion) = did_you_mean(other, PERIOD_CONVENTIONS.iter().copied()) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                        format!("replace with `{suggestion}`"),
                        span,
                        suggestion,
                    );
                }
                self.error(diagnostic);
                PeriodConvention::CalendarDays
            }
        };
        HeaderIr {
            id: header.id.text.clone(),
            title: header.title.clone(),
            jurisdiction: header.jurisdiction.clone(),
            version: header.version.clone(),
            applies_from: header.meta.applies.as_ref().and_then(|applies| applies.from),
            applies_until: header.meta.applies.as_ref().and_then(|applies| applies.until),
            periods,
            holidays: header.holidays.clone(),
        }
    }

    fn resolve_type(&mut self, ty: &TypeExpr) -> Ty {
        let resolver = TypeResolver {
            db: self.db,
            schema: &self.info.schema,
            records: &self.info.records,
            enums: &self.info.enums,
            file: self.file,
        };
        resolver.resolve(ty, &mut self.exprs.diagnostics).0
    }

    fn term(&mut self, term: &TermDecl) -> (TermSignature, IrTerm) {
        let mut info = self.meta(&term.meta, Some(&term.name));
        self.reject_applies(&term.meta, "a term");
        if self.cycles.contains(&self.key) {
            self.error(
                Diagnostic::error(
                    "term-cycle",
                    term.name.span,
                    format!("`{}` is defined through itself", term.name.text),
                )
                .with_help(
                    "a term may not depend on itself, directly or through other terms; evaluation must always end",
                ),
            );
        }
        let mut params = Vec::new();
        for param in &term.params {
            let ty = self.resolve_type(&param.ty);
            self.exprs.push_local(&param.name.text, ty.clone());
            params.push(ty);
        }
        let declared = term.declared_type.as_ref().map(|ty| self.resolve_type(ty));
        let (body, mut result) = if self.cycles.contains(&self.key) {
            (IrExpr::Error, Ty::Error)
        } else {
            self.exprs.expr(&term.body, declared.as_ref())
        };
        if let Some(declared) = declared {
            let what = self.exprs.show(&declared);
            self.exprs.expect_type(&result, &declared, term.body.span, &what);
            result = declared;
        }
        info.condition_text = Some(self.source_text(term.body.span));
        let n_locals = self.exprs.max_locals;
        let ir = IrTerm {
            info,
            n_params: term.params.len() as u32,
            param_types: params.clone(),
            n_locals,
            body,
            flat: Default::default(),
        };
        let signature = TermSignature { params, result };
        (signature, ir)
    }

    fn role(&mut self, role: &RoleDecl) -> (TermSignature, IrTerm, IrRole) {
        let mut info = self.meta(&role.meta, Some(&role.name));
        self.reject_applies(&role.meta, "a role");
        if self.cycles.contains(&self.key) {
            self.error(Diagnostic::error(
                "term-cycle",
                role.name.span,
                format!("`{}` is defined through itself", role.name.text),
            ));
        }
        let (domain, domain_ty) = self.exprs.expr(&role.domain, None);
        let (party_ty, label_slot) = match &domain_ty {
            Ty::List(inner) | Ty::Set(inner) => {
                let label_slot = match &**inner {
                    Ty::Record(id) => self.info.schema.record(*id).and_then(|record| {
                        record
                            .fields
                            .iter()
                            .position(|field| (field.name == "name" || field.name == "id") && field.ty == Ty::String)
                            .map(|slot| slot as u32)
                    }),
                    _ => None,
                };
                ((**inner).clone(), label_slot)
            }
            Ty::Error => (Ty::Error, None),
            other => {
                let shown = self.exprs.show(other);
                self.error(Diagnostic::error(
                    "type-mismatch",
                    role.domain.span,
                    format!("a role ranges over a list of parties, found {shown}"),
                ));
                (Ty::Error, None)
            }
        };
        self.exprs.push_local(&role.param.text, party_ty.clone());
        let body = if self.cycles.contains(&self.key) { IrExpr::Error } else { self.exprs.condition(&role.body) };
        info.condition_text = Some(self.source_text(role.body.span));
        let term = IrTerm {
            info,
            n_params: 1,
            param_types: Vec::new(),
            n_locals: self.exprs.max_locals,
            body,
            flat: Default::default(),
        };
        (TermSignature { params: vec![party_ty], result: Ty::Bool }, term, IrRole { domain, label_slot })
    }

    fn role_target(&mut self, by: Option<&Ident>) -> Option<RoleTarget> {
        let by = by?;
        match self.exprs.scope.lookup(&by.text) {
            Lookup::Found(key) if key.kind == ItemKind::Role => {
                let decl = DeclRef {
                    file: key.file.path(self.db).clone(),
                    kind: key.kind,
                    name: key.name.clone(),
                    ordinal: key.ordinal,
                };
                Some(RoleTarget { name: by.text.clone(), term: TermTarget::Decl(decl) })
            }
            Lookup::Found(key) => {
                self.error(
                    Diagnostic::error(
                        "not-a-role",
                        by.span,
                        format!("`{}` is {}, not a role", by.text, key.kind.with_article()),
                    )
                    .with_help("declare it with `role NAME(party in system.parties) = …`"),
                );
                None
            }
            _ => {
                let roles: Vec<&str> = self
                    .exprs
                    .scope
                    .own
                    .iter()
                    .chain(self.exprs.scope.imported.iter())
                    .filter(|(_, keys)| keys.iter().any(|key| key.kind == ItemKind::Role))
                    .map(|(name, _)| name.as_str())
                    .collect();
                let mut diagnostic = Diagnostic::error("not-a-role", by.span, format!("unknown role `{}`", by.text));
                if let Some(suggestion) = did_you_mean(&by.text, roles) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                        format!("replace with `{suggestion}`"),
                        by.span,
                        suggestion,
                    );
                }
                self.error(diagnostic);
                None
            }
        }
    }

    fn act(&mut self, act: &Ident) -> String {
        let declared = matches!(self.exprs.scope.lookup(&act.text), Lookup::Found(key) if key.kind == ItemKind::Act);
        if !declared && !BUILTIN_ACTS.contains(&act.text.as_str()) {
            let mut acts: Vec<&str> = BUILTIN_ACTS.to_vec();
            acts.extend(
                self.exprs
                    .scope
                    .own
                    .iter()
                    .chain(self.exprs.scope.imported.iter())
                    .filter(|(_, keys)| keys.iter().any(|key| key.kind == ItemKind::Act))
                    .map(|(name, _)| name.as_str()),
            );
            let mut diagnostic = Diagnostic::error("unknown-act", act.span, format!("unknown act `{}`", act.text))
                .with_note("the built-in acts are `placing_on_market`, `putting_into_service` and `use`");
            diagnostic = match did_you_mean(&act.text, acts) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                    format!("replace with `{suggestion}`"),
                    act.span,
                    suggestion,
                ),
                None => diagnostic.with_help(format!("declare it with `act {}`", act.text)),
            };
            self.error(diagnostic);
        }
        act.text.clone()
    }

    fn redline(&mut self, redline: &Redline) -> IrRedline {
        self.duplicates(&redline.duplicates);
        let mut info = self.meta(&redline.meta, Some(&redline.name));
        self.require_authority(&redline.meta, &redline.name, "redline");
        if redline.acts.is_empty() {
            self.missing(
                redline.name.span,
                format!("redline `{}` does not say what it forbids", redline.name.text),
                "add `forbids use` (or `placing_on_market`, `putting_into_service`, or a declared act)",
            );
        }
        let acts = redline.acts.iter().map(|act| self.act(act)).collect();
        let by = self.role_target(redline.by.as_ref());
        let when = match &redline.when {
            Some(when) => {
                info.condition_text = Some(self.source_text(when.span));
                self.exprs.condition(when)
            }
            None => {
                self.missing(
                    redline.name.span,
                    format!("redline `{}` has no `when` condition", redline.name.text),
                    "add `when <condition>`",
                );
                IrExpr::Error
            }
        };
        let exceptions = redline.exceptions.iter().map(|exception| self.exception(exception)).collect();
        IrRedline { info, acts, by, n_locals: self.exprs.max_locals, when, flat: FlatCondition::default(), exceptions }
    }

    fn exception(&mut self, exception: &Exception) -> IrException {
        self.duplicates(&exception.duplicates);
        let mut info = self.meta(&exception.meta, Some(&exception.name));
        if !exception.meta.citations.is_empty() {
            self.require_authority(&exception.meta, &exception.name, "exception");
        }
        let when = match &exception.when {
            Some(when) => {
                info.condition_text = Some(self.source_text(when.span));
                self.exprs.condition(when)
            }
            None => {
                self.missing(
                    exception.name.span,
                    format!("exception `{}` has no `when` condition", exception.name.text),
                    "add `when <condition>` inside its braces",
                );
                IrExpr::Error
            }
        };
        let exceptions = exception.exceptions.iter().map(|inner| self.exception(inner)).collect();
        IrException { info, when, flat: FlatCondition::default(), exceptions }
    }

    fn binder(&mut self, binder: &Binder) -> (IrBinder, Ty) {
        let (list, list_ty) = self.exprs.expr(&binder.list, None);
        let element = match &list_ty {
            Ty::List(inner) | Ty::Set(inner) => (**inner).clone(),
            Ty::Error => Ty::Error,
            other => {
                let shown = self.exprs.show(other);
                self.error(Diagnostic::error(
                    "type-mismatch",
                    binder.list.span,
                    format!("expected a list to range over, found {shown}"),
                ));
                Ty::Error
            }
        };
        let local = self.exprs.push_local(&binder.var.text, element.clone());
        let filter = binder.filter.as_ref().map(|filter| self.exprs.condition(filter));
        let binder_ir = IrBinder { local, list, filter, text: self.source_text(binder.span) };
        (binder_ir, element)
    }

    fn date_expr(&mut self, expr: &Expr, instant: bool, what: &str) -> IrExpr {
        let (ir, ty) = self.exprs.expr(expr, None);
        let ok = match ty {
            Ty::Date => !instant,
            Ty::DateTime | Ty::Error => true,
            _ => false,
        };
        if !ok {
            let shown = self.exprs.show(&ty);
            let mut diagnostic = Diagnostic::error(
                "type-mismatch",
                expr.span,
                format!("{what} must be {}, found {shown}", if instant { "a date and time" } else { "a date" }),
            );
            if instant {
                diagnostic =
                    diagnostic.with_help("a clock in hours runs between instants: declare the field as `datetime`");
            }
            self.error(diagnostic);
        }
        ir
    }

    fn obligation(&mut self, obligation: &Obligation) -> IrObligation {
        self.duplicates(&obligation.duplicates);
        let mut info = self.meta(&obligation.meta, Some(&obligation.name));
        self.require_authority(&obligation.meta, &obligation.name, "obligation");
        let act = obligation.act.as_ref().map(|act| self.act(act));
        let by = self.role_target(obligation.by.as_ref());
        let when = obligation.when.as_ref().map(|when| {
            info.condition_text = Some(self.source_text(when.span));
            self.exprs.condition(when)
        });
        // Exceptions speak of the system, as the condition does: checked before the `for each`
        // variable is bound, so they cannot name it.
        let exceptions = obligation.exceptions.iter().map(|exception| self.exception(exception)).collect();
        let for_each = obligation.for_each.as_ref().map(|binder| self.binder(binder).0);
        // The deadline's anchor may use the `for each` variable but not the evidence's.
        let due_days_or_instant = match &obligation.due {
            Some(Due::Within { amount, unit, anchor, span }) => {
                Some(self.due_within(*amount, unit, anchor, *span, false))
            }
            Some(Due::Every { amount, unit, anchor, span }) => {
                Some(self.due_within(*amount, unit, anchor, *span, true))
            }
            Some(Due::By { date, .. }) | Some(Due::Before { date, .. }) => {
                let inclusive = matches!(obligation.due, Some(Due::By { .. }));
                let (anchor, ty) = self.exprs.expr(date, None);
                if !matches!(ty, Ty::Date | Ty::DateTime | Ty::Error) {
                    let shown = self.exprs.show(&ty);
                    self.error(Diagnostic::error(
                        "type-mismatch",
                        date.span,
                        format!("a deadline must be a date, found {shown}"),
                    ));
                }
                Some((IrDue::ByDate { anchor, inclusive, text: self.source_text(date.span) }, ty == Ty::DateTime))
            }
            Some(Due::WithoutUndueDelay { .. }) => Some((IrDue::WithoutUndueDelay, false)),
            Some(Due::Immediately { limit, anchor, span }) => {
                let text = self.source_text(*span);
                Some(match limit {
                    Some((amount, unit)) => {
                        let (limit, instant) = self.due_within(*amount, unit, anchor, *span, false);
                        let anchor = match &limit {
                            IrDue::WithinDays { anchor, .. }
                            | IrDue::WithinMonths { anchor, .. }
                            | IrDue::WithinSeconds { anchor, .. } => anchor.clone(),
                            _ => IrExpr::Error,
                        };
                        (IrDue::Immediately { anchor, limit: Some(Box::new(limit)), text }, instant)
                    }
                    None => {
                        let anchor = self.date_expr(anchor, false, "the event a deadline counts from");
                        (IrDue::Immediately { anchor, limit: None, text }, false)
                    }
                })
            }
            None => None,
        };
        let (due, instant) = due_days_or_instant.unwrap_or((IrDue::Standing, false));
        let evidence = match &obligation.evidence {
            Some(binder) => Some(self.binder(binder).0),
            None => {
                self.missing(
                    obligation.name.span,
                    format!("obligation `{}` does not say what evidence meets it", obligation.name.text),
                    "add `evidence report in system.reports where …`: the records in a description that show the duty was met",
                );
                None
            }
        };
        let needs_date = matches!(
            due,
            IrDue::WithinDays { .. }
                | IrDue::WithinMonths { .. }
                | IrDue::WithinSeconds { .. }
                | IrDue::ByDate { .. }
                | IrDue::Every { .. }
                | IrDue::Immediately { .. }
        );
        let dated = match &obligation.dated {
            Some(dated) => Some(self.date_expr(dated, instant, "the evidence date")),
            None => {
                if needs_date {
                    self.error(
                        Diagnostic::error(
                            "evidence-date-required",
                            obligation.name.span,
                            format!(
                                "obligation `{}` has a deadline but does not say when its evidence was given",
                                obligation.name.text
                            ),
                        )
                        .with_help("add `dated report.submitted_on` (the date field of the evidence)"),
                    );
                }
                None
            }
        };
        // A duty that no evidence can leave violated gains nothing from `endeavour`.
        if let Some(span) = obligation.endeavour {
            let never_violated = match &due {
                IrDue::WithoutUndueDelay => Some("`due without undue delay` stays pending without evidence"),
                IrDue::Immediately { limit: None, .. } => {
                    Some("`due immediately after` without an outer limit already leaves any delay to judgement")
                }
                _ => None,
            };
            if let Some(reason) = never_violated {
                self.error(
                    Diagnostic::warning(
                        "endeavour-without-effect",
                        span,
                        format!("`endeavour` changes nothing here: {reason}, never `violated`"),
                    )
                    .with_help("remove `endeavour`, or give the deadline the duty has (`due within …`, `due by …`)"),
                );
            }
        }
        IrObligation {
            info,
            act,
            by,
            n_locals: self.exprs.max_locals,
            when,
            flat: FlatCondition::default(),
            for_each,
            evidence,
            dated,
            due,
            endeavour: obligation.endeavour.is_some(),
            exceptions,
        }
    }

    /// `within N units of E`, or with `every`, `every N units from E`.
    fn due_within(
        &mut self,
        amount: rust_decimal::Decimal,
        unit: &Ident,
        anchor: &Expr,
        span: Span,
        every: bool,
    ) -> (IrDue, bool) {
        let text = self.source_text(span);
        let whole = amount.fract().is_zero() && amount >= rust_decimal::Decimal::ZERO;
        let count: i64 = if whole { amount.trunc().try_into().unwrap_or(i64::MAX) } else { 0 };
        if !whole || count > 1_000_000 {
            self.error(Diagnostic::error(
                "invalid-number",
                span,
                "a deadline counts a whole, non-negative number of units",
            ));
        } else if every && count == 0 {
            self.error(
                Diagnostic::error("invalid-number", span, "a recurring duty's period must be at least one unit long")
                    .with_help("write `every 1 month from …`, or `within 0 days of …` for a duty due on the day"),
            );
        }
        let kind = match unit.text.as_str() {
            "day" | "days" => Some((IrDueKind::Days, count)),
            "week" | "weeks" => Some((IrDueKind::Days, count.saturating_mul(7))),
            "month" | "months" => Some((IrDueKind::Months, count)),
            "year" | "years" => Some((IrDueKind::Months, count.saturating_mul(12))),
            "hour" | "hours" => Some((IrDueKind::Seconds, count.saturating_mul(3600))),
            "minute" | "minutes" => Some((IrDueKind::Seconds, count.saturating_mul(60))),
            "second" | "seconds" => Some((IrDueKind::Seconds, count)),
            _ => None,
        };
        let Some((kind, count)) = kind else {
            self.error(
                Diagnostic::error(
                    "unit-mismatch",
                    unit.span,
                    format!("a deadline is counted in time, not in `{}`", unit.text),
                )
                .with_help("use `hours`, `days`, `weeks`, `months` or `years`"),
            );
            let anchor = self.exprs.expr(anchor, None).0;
            return (IrDue::WithinDays { days: 0, anchor, text }, false);
        };
        if every {
            let period = match kind {
                IrDueKind::Days => crate::ir::RecurringPeriod::Days(count.max(1)),
                IrDueKind::Months => crate::ir::RecurringPeriod::Months(count.max(1)),
                IrDueKind::Seconds => {
                    self.error(
                        Diagnostic::error(
                            "unit-mismatch",
                            unit.span,
                            format!("a recurring duty's period is counted in days or longer, not in `{}`", unit.text),
                        )
                        .with_help("use `days`, `weeks`, `months` or `years`"),
                    );
                    crate::ir::RecurringPeriod::Days(1)
                }
            };
            let anchor = self.date_expr(anchor, false, "the day a recurring duty counts from");
            return (IrDue::Every { period, anchor, text }, false);
        }
        let instant = kind == IrDueKind::Seconds;
        let anchor_ir = self.date_expr(anchor, instant, "the event a deadline counts from");
        let due = match kind {
            IrDueKind::Days => IrDue::WithinDays { days: count, anchor: anchor_ir, text },
            IrDueKind::Months => IrDue::WithinMonths { months: count, anchor: anchor_ir, text },
            IrDueKind::Seconds => IrDue::WithinSeconds { seconds: count, anchor: anchor_ir, text },
        };
        (due, instant)
    }

    fn classification(&mut self, classification: &Classification) -> IrClassification {
        self.duplicates(&classification.duplicates);
        let mut info = self.meta(&classification.meta, Some(&classification.name));
        self.require_authority(&classification.meta, &classification.name, "classification");
        let tiers = self.info.enums.get(&self.key).copied().unwrap_or(crate::schema::EnumId(0));
        let variants = self.info.schema.enum_def(tiers).map(|def| def.variants.clone()).unwrap_or_default();
        let tier_index = |name: &str| variants.iter().position(|variant| variant == name).unwrap_or(0) as u32;
        let mut branches = Vec::new();
        for branch in &classification.branches {
            let mut branch_info = self.meta(&branch.meta, Some(&branch.tier));
            let when = branch.when.as_ref().map(|when| {
                branch_info.condition_text = Some(self.source_text(when.span));
                self.exprs.condition(when)
            });
            branches.push(IrBranch {
                tier: tier_index(&branch.tier.text),
                when,
                flat: FlatCondition::default(),
                info: branch_info,
            });
        }
        match &classification.otherwise {
            Some(otherwise) => {
                let branch_info = self.meta(&otherwise.meta, Some(&otherwise.tier));
                branches.push(IrBranch {
                    tier: tier_index(&otherwise.tier.text),
                    when: None,
                    flat: FlatCondition::default(),
                    info: branch_info,
                });
            }
            None => self.error(
                Diagnostic::error(
                    "classification-not-exhaustive",
                    classification.name.span,
                    format!("classification `{}` has no `otherwise` branch", classification.name.text),
                )
                .with_help("add `otherwise minimal` (or the tier a system gets when no branch applies), so every system gets exactly one tier"),
            ),
        }
        info.condition_text = None;
        IrClassification { info, tiers, n_locals: self.exprs.max_locals, branches, chain: None }
    }

    fn mapping(&mut self, mapping: &Mapping) -> IrMapping {
        let info = self.meta(&mapping.meta, Some(&mapping.name));
        self.reject_applies(&mapping.meta, "a mapping");
        let mut claims = Vec::new();
        for claim in &mapping.claims {
            let mut claim_info = self.meta(&claim.meta, None);
            self.reject_applies(&claim.meta, "a mapping claim");
            let left = self.mapped(&claim.left);
            let right = self.mapped(&claim.right);
            let (Some(left), Some(right)) = (left, right) else { continue };
            let same = match (&left, &right) {
                // Two classifications relate their sets of systems, whatever their tiers are called.
                (Mapped::Decl(a, _), Mapped::Decl(b, _))
                    if a.kind == ItemKind::Classification && b.kind == ItemKind::Classification =>
                {
                    true
                }
                (Mapped::Decl(a, ta), Mapped::Decl(b, tb)) => a.kind == b.kind && compatible(ta, tb),
                (Mapped::Variant(..), Mapped::Variant(..)) => true,
                _ => false,
            };
            if !same {
                self.error(
                    Diagnostic::error(
                        "mapping-kind-mismatch",
                        claim.span,
                        format!(
                            "`{}` and `{}` cannot be compared: {} against {}",
                            claim.left.text,
                            claim.right.text,
                            left.describe(&self.info.schema),
                            right.describe(&self.info.schema)
                        ),
                    )
                    .with_help(
                        "a claim relates two terms of the same type, two roles, two enum values or tiers, two redlines or two obligations",
                    ),
                );
                continue;
            }
            claim_info.name = format!("{} is {} {}", claim.left.text, claim.relation.phrase(), claim.right.text);
            claim_info.name_span = claim.span;
            claims.push(IrClaim {
                left: left.target(self.db),
                left_text: claim.left.text.clone(),
                relation: claim.relation,
                right: right.target(self.db),
                right_text: claim.right.text.clone(),
                info: claim_info,
            });
        }
        IrMapping { info, claims }
    }

    fn mapped(&mut self, name: &Ident) -> Option<Mapped> {
        let segments: Vec<&str> = name.text.split('.').collect();
        let (decls, rest) = match segments.split_first() {
            Some((first, rest)) if self.exprs.scope.aliases.contains_key(*first) => {
                let target = self.exprs.scope.aliases.get(*first).copied()?;
                let (second, rest) = rest.split_first()?;
                (crate::db::declarations(self.db, target).get(*second).cloned().unwrap_or_default(), rest.to_vec())
            }
            Some((first, rest)) => match self.exprs.scope.lookup(first) {
                Lookup::Found(key) => (vec![key], rest.to_vec()),
                _ => (Vec::new(), rest.to_vec()),
            },
            None => (Vec::new(), Vec::new()),
        };
        let Some(key) = decls.first().cloned() else {
            self.error(
                Diagnostic::error("unknown-name", name.span, format!("`{}` names no declaration", name.text))
                    .with_help("write `alias.name` for a declaration of a rulebook imported `as alias`"),
            );
            return None;
        };
        match (key.kind, rest.as_slice()) {
            (ItemKind::Enum | ItemKind::Classification, [variant]) => {
                let id = self.info.enums.get(&key).copied()?;
                let index =
                    self.info.schema.enum_def(id).and_then(|def| def.variants.iter().position(|v| v == variant));
                let Some(index) = index else {
                    self.error(Diagnostic::error(
                        "unknown-variant",
                        name.span,
                        format!("`{}` has no value `{variant}`", key.name),
                    ));
                    return None;
                };
                Some(Mapped::Variant(key, id, index as u32))
            }
            (ItemKind::Redline | ItemKind::Obligation, []) => Some(Mapped::Decl(key, Ty::Bool)),
            (ItemKind::Term | ItemKind::Role, []) => {
                let signature = self.exprs.signature_of(&key, name.span)?;
                Some(Mapped::Decl(key, signature.result))
            }
            (ItemKind::Classification, []) => {
                let id = self.info.enums.get(&key).copied()?;
                Some(Mapped::Decl(key, Ty::Enum(id)))
            }
            _ => {
                self.error(Diagnostic::error(
                    "mapping-kind-mismatch",
                    name.span,
                    format!(
                        "`{}` is {}; mappings relate terms, roles, classifications, enum values, redlines and obligations",
                        name.text,
                        key.kind.with_article()
                    ),
                ));
                None
            }
        }
    }

    fn example(&mut self, example: &Example) -> Option<IrExample> {
        self.duplicates(&example.duplicates);
        let as_of = match example.as_of {
            Some((date, _)) => Some(date),
            None => {
                self.missing(
                    example.title.span,
                    format!("example \"{}\" has no `as_of` date", example.title.text),
                    "add `as_of 2026-09-01`: examples never use today's date, so they do not change with the calendar",
                );
                None
            }
        };
        let system = match &example.system {
            Some((json, span)) => self.example_system(json, *span),
            None => {
                self.missing(
                    example.title.span,
                    format!("example \"{}\" has no `system`", example.title.text),
                    "add `system { … }` describing the system",
                );
                None
            }
        };
        let mut expectations = Vec::new();
        for expectation in &example.expectations {
            if let Some(ir) = self.expectation(expectation) {
                expectations.push(ir);
            }
        }
        Some(IrExample {
            title: example.title.text.clone(),
            as_of: as_of?,
            system: system?,
            expectations,
            name_span: example.title.span,
            location: None,
        })
    }

    fn example_system(&mut self, json: &JsonValue, span: Span) -> Option<crate::value::Value> {
        let value = json_to_serde(json);
        let root = self.exprs.root;
        let schema = crate::schema::Schema { root, ..(*self.info.schema).clone() };
        match from_json_value(&schema, &value) {
            Ok(value) => Some(value),
            Err(errors) => {
                for error in errors {
                    self.error(Diagnostic::error(
                        "invalid-example-system",
                        span,
                        format!("{}: {}", error.path, error.message),
                    ));
                }
                None
            }
        }
    }

    fn expectation(&mut self, expectation: &Expectation) -> Option<IrExpectation> {
        let target = &expectation.target;
        let key = match self.exprs.scope.lookup(&target.text) {
            Lookup::Found(key) => key,
            _ => {
                let candidates: Vec<&str> = self.exprs.scope.names().collect();
                let mut diagnostic =
                    Diagnostic::error("unknown-name", target.span, format!("unknown provision `{}`", target.text));
                if let Some(suggestion) = did_you_mean(&target.text, candidates) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                        format!("replace with `{suggestion}`"),
                        target.span,
                        suggestion,
                    );
                }
                self.error(diagnostic);
                return None;
            }
        };
        let words: Vec<String> = match key.kind {
            ItemKind::Redline => REDLINE_VERDICTS.iter().map(|word| (*word).to_owned()).collect(),
            ItemKind::Obligation => OBLIGATION_VERDICTS.iter().map(|word| (*word).to_owned()).collect(),
            ItemKind::Classification => {
                let id = self.info.enums.get(&key).copied()?;
                self.info.schema.enum_def(id).map(|def| def.variants.clone()).unwrap_or_default()
            }
            ItemKind::Term => {
                let signature = self.exprs.signature_of(&key, target.span);
                if let Some(signature) =
                    signature.filter(|signature| !signature.params.is_empty() || signature.result != Ty::Bool)
                {
                    let shown = if signature.params.is_empty() {
                        format!("its value is {}", self.info.schema.display_ty(&signature.result))
                    } else {
                        "it takes arguments".to_owned()
                    };
                    self.error(
                        Diagnostic::error(
                            "unknown-expectation",
                            target.span,
                            format!("examples check terms that are conditions, and `{}` is not: {shown}", target.text),
                        )
                        .with_help("expect a verdict of a provision that uses it instead"),
                    );
                    return None;
                }
                vec!["true".to_owned(), "false".to_owned(), "unknown".to_owned()]
            }
            other => {
                self.error(Diagnostic::error(
                    "unknown-expectation",
                    target.span,
                    format!(
                        "`{}` is {}; examples check redlines, obligations, classifications and terms",
                        target.text,
                        other.with_article()
                    ),
                ));
                return None;
            }
        };
        let check_word = |ctx: &mut Self, word: &Ident| {
            if !words.contains(&word.text) {
                let mut diagnostic = Diagnostic::error(
                    "unknown-expectation",
                    word.span,
                    format!("`{}` is not something {} `{}` can give", word.text, key.kind.keyword(), target.text),
                )
                .with_note(format!(
                    "it can give {}",
                    words.iter().map(|word| format!("`{word}`")).collect::<Vec<_>>().join(", ")
                ));
                if let Some(suggestion) = did_you_mean(&word.text, words.iter().map(String::as_str)) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?")).with_fix(
                        format!("replace with `{suggestion}`"),
                        word.span,
                        suggestion,
                    );
                }
                ctx.error(diagnostic);
                return false;
            }
            true
        };
        let expected = match &expectation.expected {
            Expected::Word(word) => {
                if !check_word(self, word) {
                    return None;
                }
                if key.kind == ItemKind::Classification {
                    IrExpected::Tier(word.text.clone())
                } else {
                    IrExpected::Word(word.text.clone())
                }
            }
            Expected::Bool(value, span) => {
                if key.kind != ItemKind::Term {
                    self.error(Diagnostic::error(
                        "unknown-expectation",
                        *span,
                        format!("`{}` is not a term; it has no true or false value", target.text),
                    ));
                    return None;
                }
                IrExpected::Word(value.to_string())
            }
            Expected::OneOf(words_given, span) => {
                if key.kind != ItemKind::Classification {
                    self.error(Diagnostic::error(
                        "unknown-expectation",
                        *span,
                        "`one of` is for the tiers of a classification",
                    ));
                    return None;
                }
                for word in words_given {
                    if !check_word(self, word) {
                        return None;
                    }
                }
                IrExpected::OneOf(words_given.iter().map(|word| word.text.clone()).collect())
            }
        };
        if expectation.due.is_some() && key.kind != ItemKind::Obligation {
            self.error(Diagnostic::error("unknown-expectation", expectation.span, "only obligations have a due date"));
        }
        Some(IrExpectation {
            target: target.text.clone(),
            target_kind: key.kind,
            expected,
            due: expectation.due,
            span: expectation.span,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IrDueKind {
    Days,
    Months,
    Seconds,
}

enum Mapped {
    Decl(DeclKey, Ty),
    Variant(DeclKey, crate::schema::EnumId, u32),
}

impl Mapped {
    fn target(&self, db: &dyn salsa::Database) -> MappedTarget {
        let decl = |key: &DeclKey| DeclRef {
            file: key.file.path(db).clone(),
            kind: key.kind,
            name: key.name.clone(),
            ordinal: key.ordinal,
        };
        match self {
            Mapped::Decl(key, _) => match key.kind {
                ItemKind::Role => MappedTarget::Role(TermTarget::Decl(decl(key))),
                ItemKind::Redline | ItemKind::Obligation => MappedTarget::Provision(decl(key)),
                ItemKind::Classification => MappedTarget::Classification(TierTarget::Decl(decl(key))),
                _ => MappedTarget::Term(TermTarget::Decl(decl(key))),
            },
            Mapped::Variant(key, _, index) if key.kind == ItemKind::Classification => {
                MappedTarget::Tier(TierTarget::Decl(decl(key)), *index)
            }
            Mapped::Variant(_, id, index) => MappedTarget::Variant(*id, *index),
        }
    }

    fn describe(&self, schema: &crate::schema::Schema) -> String {
        match self {
            Mapped::Decl(key, ty) => format!("{} `{}` ({})", key.kind.keyword(), key.name, schema.display_ty(ty)),
            Mapped::Variant(key, ..) => format!("a value of `{}`", key.name),
        }
    }
}

/// An inline example system as the JSON a description file would hold.
pub fn json_to_serde(value: &JsonValue) -> serde_json::Value {
    match value {
        JsonValue::Null => serde_json::Value::Null,
        JsonValue::Bool(value) => serde_json::Value::Bool(*value),
        JsonValue::Number(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(number @ serde_json::Value::Number(_)) => number,
            _ => serde_json::Value::String(text.clone()),
        },
        JsonValue::String(text) => serde_json::Value::String(text.clone()),
        JsonValue::Array(items) => serde_json::Value::Array(items.iter().map(json_to_serde).collect()),
        JsonValue::Object(members) => {
            let mut map = serde_json::Map::new();
            for (key, value) in members {
                map.insert(key.text.clone(), json_to_serde(value));
            }
            serde_json::Value::Object(map)
        }
    }
}
