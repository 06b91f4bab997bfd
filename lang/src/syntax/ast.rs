//! The abstract syntax tree of one item, with spans relative to the item's first byte.
//!
//! Item-relative spans keep an item's tree equal when text above it moves, so an edit elsewhere
//! in the file leaves this item's parse (and everything computed from it) valid. The tree knows
//! nothing of names' meanings or types; `check` gives it those.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

/// A byte range relative to the start of the item it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: u32::try_from(start).unwrap_or(u32::MAX), end: u32::try_from(end).unwrap_or(u32::MAX) }
    }

    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A name as written, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    Rulebook(RulebookHeader),
    Import(Import),
    Unit(UnitDecl),
    Record(RecordDecl),
    Enum(EnumDecl),
    Term(TermDecl),
    Role(RoleDecl),
    Act(ActDecl),
    Redline(Box<Redline>),
    Obligation(Box<Obligation>),
    Classification(Box<Classification>),
    Mapping(Mapping),
    Example(Example),
    /// An item that did not parse; its diagnostics say why.
    Error,
}

impl Item {
    /// The span of the item's name (its id for a header, its title for an example).
    pub fn name_span(&self) -> Option<Span> {
        Some(match self {
            Item::Rulebook(header) => header.id.span,
            Item::Import(import) => import.rulebook.span,
            Item::Unit(unit) => unit.name.span,
            Item::Record(record) => record.name.span,
            Item::Enum(decl) => decl.name.span,
            Item::Term(term) => term.name.span,
            Item::Role(role) => role.name.span,
            Item::Act(act) => act.name.span,
            Item::Redline(redline) => redline.name.span,
            Item::Obligation(obligation) => obligation.name.span,
            Item::Classification(classification) => classification.name.span,
            Item::Mapping(mapping) => mapping.name.span,
            Item::Example(example) => example.title.span,
            Item::Error => return None,
        })
    }
}

/// What every declaration may carry: its doc comment, citations, `unsure` marks and dates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Meta {
    pub doc: Option<String>,
    pub citations: Vec<Citation>,
    pub unsure: Vec<Unsure>,
    pub applies: Option<Applies>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Citation {
    pub text: String,
    pub status: Option<Ident>,
    pub verified: Option<Date>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsure {
    pub reason: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Applies {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RulebookHeader {
    pub id: Ident,
    pub meta: Meta,
    pub title: Option<String>,
    pub jurisdiction: Option<String>,
    pub source: Option<String>,
    pub version: Option<String>,
    pub periods: Option<Ident>,
    pub holidays: Vec<Date>,
    /// Clauses given twice, for a diagnostic.
    pub duplicates: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Import {
    pub rulebook: Ident,
    pub alias: Option<Ident>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitDecl {
    pub name: Ident,
    /// `unit EFLOP = 1e18 FLOP`: the scale and the unit it is defined by.
    pub definition: Option<(Decimal, Ident)>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    Named(Ident),
    Set(Box<TypeExpr>, Span),
    List(Box<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(ident) => ident.span,
            TypeExpr::Set(_, span) | TypeExpr::List(_, span) => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub optional: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    pub name: Ident,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TermDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub declared_type: Option<TypeExpr>,
    pub body: Expr,
    pub meta: Meta,
}

/// `role provider(party in system.parties) = …`: a legal role as a condition on one party.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleDecl {
    pub name: Ident,
    pub param: Ident,
    pub domain: Expr,
    pub body: Expr,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActDecl {
    pub name: Ident,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redline {
    pub name: Ident,
    pub meta: Meta,
    pub acts: Vec<Ident>,
    pub by: Option<Ident>,
    pub when: Option<Expr>,
    pub exceptions: Vec<Exception>,
    pub duplicates: Vec<Span>,
}

/// `unless name { … }`: lifts the rule it belongs to; may have exceptions of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exception {
    pub name: Ident,
    pub meta: Meta,
    pub when: Option<Expr>,
    pub exceptions: Vec<Exception>,
    pub span: Span,
    pub duplicates: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Obligation {
    pub name: Ident,
    pub meta: Meta,
    pub act: Option<Ident>,
    pub by: Option<Ident>,
    pub when: Option<Expr>,
    pub for_each: Option<Binder>,
    pub evidence: Option<Binder>,
    pub dated: Option<Expr>,
    pub due: Option<Due>,
    /// `endeavour`: a duty to endeavour (best efforts), never `violated`; where an ordinary duty
    /// would be, whether the efforts were made needs judgement. The clause's span.
    pub endeavour: Option<Span>,
    /// `unless name { … }`: lifts the obligation when it holds (checked before `for each`, so an
    /// exception speaks of the system, not of one instance).
    pub exceptions: Vec<Exception>,
    pub duplicates: Vec<Span>,
}

/// `x in <list> where <condition>`, as in `for each` and `evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binder {
    pub var: Ident,
    pub list: Expr,
    pub filter: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Due {
    /// `within 15 days of incident.aware_at`
    Within { amount: Decimal, unit: Ident, anchor: Expr, span: Span },
    /// `every 3 months from system.placed_on_market`: one instance per period, each due at its end.
    Every { amount: Decimal, unit: Ident, anchor: Expr, span: Span },
    /// `by <date>`: on or before.
    By { date: Expr, span: Span },
    /// `before <date>`: strictly before.
    Before { date: Expr, span: Span },
    /// `without undue delay`: no due date; only evidence decides.
    WithoutUndueDelay { span: Span },
    /// `immediately after E`, or `immediately within 15 days of E` with an outer limit: met on the
    /// day of E; later (within the limit) only judgement can say whether it was immediate.
    Immediately { limit: Option<(Decimal, Ident)>, anchor: Expr, span: Span },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Classification {
    pub name: Ident,
    pub meta: Meta,
    pub branches: Vec<Branch>,
    pub otherwise: Option<Branch>,
    pub duplicates: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Branch {
    pub tier: Ident,
    /// `None` for the `otherwise` branch.
    pub when: Option<Expr>,
    pub meta: Meta,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    Equivalent,
    Narrower,
    Broader,
    Overlapping,
    Disjoint,
}

impl Relation {
    /// The relation as a claim writes it: `narrower than`, `equivalent to`.
    pub fn phrase(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent to",
            Relation::Narrower => "narrower than",
            Relation::Broader => "broader than",
            Relation::Overlapping => "overlapping with",
            Relation::Disjoint => "disjoint from",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::Narrower => "narrower",
            Relation::Broader => "broader",
            Relation::Overlapping => "overlapping",
            Relation::Disjoint => "disjoint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Claim {
    pub left: Ident,
    pub relation: Relation,
    pub right: Ident,
    pub meta: Meta,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mapping {
    pub name: Ident,
    pub meta: Meta,
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Example {
    pub title: Ident,
    pub doc: Option<String>,
    pub as_of: Option<(Date, Span)>,
    /// The inline system, as a JSON value for the description loader.
    pub system: Option<(JsonValue, Span)>,
    pub expectations: Vec<Expectation>,
    pub duplicates: Vec<Span>,
}

/// An inline system value; quantities and dates are kept as the strings a description would hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JsonValue {
    Null,
    Bool(bool),
    /// The number's exact text.
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(Ident, JsonValue)>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expectation {
    pub target: Ident,
    pub expected: Expected,
    pub due: Option<ExpectedDue>,
    pub span: Span,
}

/// The due date an expectation names: a day, or an instant for a clock in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectedDue {
    Day(Date),
    Instant(Timestamp),
}

impl std::fmt::Display for ExpectedDue {
    /// As verdicts show due dates, so that an expectation compares with them as text.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedDue::Day(day) => write!(formatter, "{day}"),
            ExpectedDue::Instant(instant) => write!(formatter, "{instant}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A verdict (`prohibited`), a tier (`high`) or `unknown`.
    Word(Ident),
    Bool(bool, Span),
    OneOf(Vec<Ident>, Span),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Contains,
    Intersects,
    Add,
    Sub,
    Mul,
}

impl BinOp {
    /// Whether a comparison holds for two operands that compare as `ordering`; `None` for an
    /// operator that is not a comparison.
    pub fn holds(self, ordering: std::cmp::Ordering) -> Option<bool> {
        use std::cmp::Ordering::*;
        Some(match self {
            BinOp::Eq => ordering == Equal,
            BinOp::Ne => ordering != Equal,
            BinOp::Lt => ordering == Less,
            BinOp::Le => ordering != Greater,
            BinOp::Gt => ordering == Greater,
            BinOp::Ge => ordering != Less,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Contains => "contains",
            BinOp::Intersects => "intersects",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    Every,
    Some,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// A name followed by field accesses: `system.model.training_compute`, `high_risk`, `incident.date`.
    Path(Vec<Ident>),
    /// A parameterised term or role applied to arguments: `serious(incident)`, or through the
    /// alias of an import, `eu.provider(party)` (the alias first).
    Call(Option<Ident>, Ident, Vec<Expr>),
    /// Field access on a parenthesised expression.
    Field(Box<Expr>, Ident),
    Bool(bool),
    Number(Decimal),
    Quantity(Decimal, Ident),
    Str(String),
    Date(Date),
    DateTime(Timestamp),
    /// The evaluation date.
    AsOf,
    Set(Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    /// Flattened, so that a long chain of `and` is not a deep tree.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is present` (true) or `x is absent` (false).
    Present(Box<Expr>, bool),
    Quantified {
        quantifier: Quantifier,
        var: Ident,
        list: Box<Expr>,
        body: Box<Expr>,
    },
}
