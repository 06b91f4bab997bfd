//! The compiled form of a rulebook: names resolved to slots and indices, types checked.
//!
//! Per-item IR is produced by `check` with references to other declarations by [`DeclRef`]; `link`
//! turns those into indices into the [`CompiledRulebook`]'s tables, so evaluation does no name
//! lookups. A compiled rulebook is plain data: `Send + Sync`, shared behind an `Arc`.

pub mod flat;
pub mod link;

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::schema::{EnumId, Schema, Ty};
use crate::syntax::ast::{BinOp, Relation, Span};
use crate::syntax::split::ItemKind;
use crate::value::Value;

use self::flat::FlatCondition;

/// A reference to a declaration, by its file, kind, name and ordinal (before linking).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclRef {
    pub file: String,
    pub kind: ItemKind,
    pub name: String,
    pub ordinal: u32,
}

/// How an operation compares or combines its operands, decided by the checker from their types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperandKind {
    Bool,
    Number,
    Str,
    Date,
    DateTime,
    Enum,
    Set,
    List,
    Record,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IrExpr {
    Const(Value),
    AsOf,
    /// The description's top-level record.
    Root,
    /// A variable bound by a quantifier, `for each`, `evidence`, a term parameter or a role.
    Local(u32),
    /// A chain of fields from the top level, fused by `link`: `slots` walk the records and
    /// `names` spell the path; `ty` is the type of the last field.
    RootPath {
        slots: Box<[u32]>,
        names: Box<[Arc<str>]>,
        ty: Ty,
    },
    /// Reads slot `slot` of a record; `name` is the field's name, for missing-fact paths.
    Field {
        base: Box<IrExpr>,
        slot: u32,
        name: Arc<str>,
        ty: Ty,
    },
    /// A term; `args` are bound to the term's parameters.
    Term {
        term: TermTarget,
        args: Vec<IrExpr>,
    },
    /// The tier a classification gives the system (an enum value).
    Tier(TierTarget),
    Not(Box<IrExpr>),
    Neg(Box<IrExpr>),
    And(Vec<IrExpr>),
    Or(Vec<IrExpr>),
    Compare {
        op: BinOp,
        kind: OperandKind,
        left: Box<IrExpr>,
        right: Box<IrExpr>,
    },
    /// `x in S`, `x not in S`, `S contains x`: membership in a set or list (normalised to elem, collection).
    Member {
        negated: bool,
        element: Box<IrExpr>,
        collection: Box<IrExpr>,
    },
    Intersects(Box<IrExpr>, Box<IrExpr>),
    /// `+`, `-`, `*` on numbers and quantities.
    Arith {
        op: BinOp,
        left: Box<IrExpr>,
        right: Box<IrExpr>,
    },
    /// `later_of(a, b, …)` or `earlier_of(a, b, …)`: the latest (or earliest) of dates, or of
    /// instants; `first_of(a, b, …)` (`skip_absent`): the earliest of those that are not absent.
    Extreme {
        later: bool,
        /// Absent operands are left out (absent only when all are), instead of making the result
        /// absent.
        skip_absent: bool,
        operands: Vec<IrExpr>,
    },
    /// `countries(S)`: the country part of each ISO 3166 code in a set or list of strings (the
    /// text before the first `-`, so `DE-BY` gives `DE` and `DE` stays `DE`), as a set.
    Countries(Box<IrExpr>),
    /// A date or instant shifted by a duration (`date + 15 days`), or a date by calendar months
    /// (`date + 2 months`).
    DateShift {
        subtract: bool,
        date: Box<IrExpr>,
        duration: Box<IrExpr>,
        instant: bool,
        months: bool,
    },
    Present {
        expr: Box<IrExpr>,
        present: bool,
    },
    Quantified {
        every: bool,
        local: u32,
        list: Box<IrExpr>,
        body: Box<IrExpr>,
    },
    SetOf(Vec<IrExpr>),
    /// Stands where the checker found an error; never reached, since erroneous rulebooks do not compile.
    Error,
}

/// A term, before linking (by declaration) or after (by index).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TermTarget {
    Decl(DeclRef),
    Index(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TierTarget {
    Decl(DeclRef),
    Index(u32),
}

/// What one side of a mapping claim names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MappedTarget {
    /// A term without parameters.
    Term(TermTarget),
    /// A role: a term over one party.
    Role(TermTarget),
    /// A classification as a whole (two classifications relate their tiers' partitions).
    Classification(TierTarget),
    /// One tier of a classification.
    Tier(TierTarget, u32),
    /// One value of an enum.
    Variant(EnumId, u32),
    /// A redline or an obligation, found by file and name in the rulebooks being compared.
    Provision(DeclRef),
}

/// A claim of a mapping: `left relation right`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrClaim {
    pub left: MappedTarget,
    pub left_text: String,
    pub relation: Relation,
    pub right: MappedTarget,
    pub right_text: String,
    /// The claim's doc comment and citations; `name` is the claim as written.
    pub info: ProvisionInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrMapping {
    pub info: ProvisionInfo,
    pub claims: Vec<IrClaim>,
}

/// A citation as the law's source and the encoding's status against it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CitationInfo {
    pub text: String,
    /// `binding`, `adopted`, `provisional`, `guidance` or `commentary`; absent when not stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<Date>,
}

/// Where a declaration is written, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// What every compiled provision carries into its verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProvisionInfo {
    pub name: String,
    pub doc: Option<String>,
    pub citations: Vec<CitationInfo>,
    pub unsure: Vec<String>,
    pub applies_from: Option<Date>,
    pub applies_until: Option<Date>,
    /// Item-relative span of the declaration's name; turned into `location` at link time.
    pub name_span: Span,
    pub location: Option<SourceLocation>,
    /// The condition's source text, for explanations.
    pub condition_text: Option<String>,
    /// `applies_from` and `applies_until` as day keys, so that the evaluator asks whether the
    /// provision is in force with two integer comparisons.
    pub days: DayRange,
}

/// The days a provision applies, inclusive, as keys that order like the dates (see
/// [`day_key`]); unbounded ends are the extreme keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DayRange {
    from: i32,
    until: i32,
}

impl DayRange {
    pub fn new(from: Option<Date>, until: Option<Date>) -> DayRange {
        DayRange { from: from.map_or(i32::MIN, day_key), until: until.map_or(i32::MAX, day_key) }
    }

    /// The days in both ranges (an empty range when they do not meet).
    pub fn intersect(self, other: DayRange) -> DayRange {
        DayRange { from: self.from.max(other.from), until: self.until.min(other.until) }
    }

    /// Whether the day whose key is `day` lies in the range.
    #[inline]
    pub fn contains(&self, day: i32) -> bool {
        self.from <= day && day <= self.until
    }
}

impl Default for DayRange {
    fn default() -> DayRange {
        DayRange::new(None, None)
    }
}

/// A date as an integer that orders like the date: year, month and day in separate bit fields.
pub fn day_key(date: Date) -> i32 {
    (i32::from(date.year()) << 9) | (i32::from(date.month()) << 5) | i32::from(date.day())
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrTerm {
    pub info: ProvisionInfo,
    pub n_params: u32,
    /// The parameters' types (empty for a role, whose one parameter is a party of its domain).
    pub param_types: Vec<Ty>,
    /// Locals the body needs (parameters first).
    pub n_locals: u32,
    pub body: IrExpr,
    /// `body` in its flat form, filled by `link` for a term without parameters whose body is a
    /// condition (see [`flat::FlatCondition::lower_term`]); empty otherwise.
    pub flat: FlatCondition,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrRole {
    /// The list of parties the role is tested on (`system.parties`).
    pub domain: IrExpr,
    /// The field of a party that names it in verdicts (`name` or `id`), if it has one.
    pub label_slot: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrException {
    pub info: ProvisionInfo,
    pub when: IrExpr,
    /// `when` in its flat form, filled by `link` (see [`flat`]).
    pub flat: FlatCondition,
    pub exceptions: Vec<IrException>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrRedline {
    pub info: ProvisionInfo,
    pub acts: Vec<String>,
    pub by: Option<RoleTarget>,
    pub n_locals: u32,
    pub when: IrExpr,
    /// `when` in its flat form, filled by `link` (see [`flat`]).
    pub flat: FlatCondition,
    pub exceptions: Vec<IrException>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleTarget {
    pub name: String,
    pub term: TermTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrBinder {
    pub local: u32,
    pub list: IrExpr,
    pub filter: Option<IrExpr>,
    pub text: String,
}

/// When evidence for an obligation is due.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IrDue {
    /// `within N days/weeks of E` (calendar days, moved by the period convention).
    WithinDays {
        days: i64,
        anchor: IrExpr,
        text: String,
    },
    /// `within N months/years of E`.
    WithinMonths {
        months: i64,
        anchor: IrExpr,
        text: String,
    },
    /// `within N hours of E`: E and the evidence dates are instants.
    WithinSeconds {
        seconds: i64,
        anchor: IrExpr,
        text: String,
    },
    /// `by E` (inclusive) or `before E` (exclusive).
    ByDate {
        anchor: IrExpr,
        inclusive: bool,
        text: String,
    },
    /// `every N days/weeks/months/years from E`: a recurring duty, one instance per period
    /// counted from E, each due at the end of its period.
    Every {
        period: RecurringPeriod,
        anchor: IrExpr,
        text: String,
    },
    WithoutUndueDelay,
    /// `immediately after E`: met by evidence dated on the day of E (in UTC); with `limit` (the
    /// `within N units of E` of `immediately within N units of E`), violated once the limit has
    /// passed without evidence; in between, whether the delay was immediate is undetermined.
    Immediately {
        anchor: IrExpr,
        limit: Option<Box<IrDue>>,
        text: String,
    },
    /// No `due` clause: a standing duty; evidence must exist now.
    Standing,
}

/// The length of a recurring duty's period (at least one day or one month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecurringPeriod {
    Days(i64),
    Months(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrObligation {
    pub info: ProvisionInfo,
    pub act: Option<String>,
    pub by: Option<RoleTarget>,
    pub n_locals: u32,
    pub when: Option<IrExpr>,
    /// `when` in its flat form, filled by `link` (see [`flat`]); empty without `when`.
    pub flat: FlatCondition,
    pub for_each: Option<IrBinder>,
    pub evidence: Option<IrBinder>,
    pub dated: Option<IrExpr>,
    pub due: IrDue,
    /// `endeavour`: a duty to endeavour. An instance an ordinary duty would find `violated` is
    /// `undetermined` with no missing facts (whether the efforts were made needs judgement).
    pub endeavour: bool,
    /// `unless` exceptions: one that applies lifts the obligation (`not_applicable`, naming it).
    pub exceptions: Vec<IrException>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrBranch {
    pub tier: u32,
    pub when: Option<IrExpr>,
    /// `when` in its flat form, filled by `link` (see [`flat`]); empty without `when`.
    pub flat: FlatCondition,
    pub info: ProvisionInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrClassification {
    pub info: ProvisionInfo,
    pub tiers: EnumId,
    pub n_locals: u32,
    pub branches: Vec<IrBranch>,
    /// The branches' graphs chained into one (see [`flat::Chain`]), filled by `link` when every
    /// branch has a graph or no condition.
    pub chain: Option<flat::Chain>,
}

/// What an example expects of one verdict.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IrExpected {
    /// A redline's or obligation's verdict word, or a term's `true`/`false`/`unknown`.
    Word(String),
    /// A classification's tier.
    Tier(String),
    OneOf(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrExpectation {
    pub target: String,
    pub target_kind: ItemKind,
    pub expected: IrExpected,
    pub due: Option<crate::syntax::ast::ExpectedDue>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IrExample {
    pub title: String,
    pub as_of: Date,
    pub system: Value,
    pub expectations: Vec<IrExpectation>,
    pub name_span: Span,
    pub location: Option<SourceLocation>,
}

/// How "within N days" counts when the last day is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodConvention {
    /// Calendar days; the last day counts whatever day of the week it is.
    CalendarDays,
    /// Regulation (EEC, Euratom) No 1182/71: a period ending on a Saturday, Sunday or public
    /// holiday ends at the end of the next working day.
    NextWorkingDay,
}

/// One compiled, linked rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledRulebook {
    pub id: String,
    pub title: Option<String>,
    pub jurisdiction: Option<String>,
    pub version: Option<String>,
    pub content_hash: String,
    pub file: String,
    pub applies_from: Option<Date>,
    pub applies_until: Option<Date>,
    /// `applies_from` and `applies_until` as day keys.
    pub days: DayRange,
    pub periods: PeriodConvention,
    pub holidays: Vec<Date>,
    pub schema: Arc<Schema>,
    pub terms: Vec<IrTerm>,
    pub roles: Vec<Option<IrRole>>,
    pub classifications: Vec<IrClassification>,
    /// The classifications declared by this rulebook itself (indices into `classifications`).
    pub own_classifications: Vec<u32>,
    pub redlines: Vec<IrRedline>,
    pub obligations: Vec<IrObligation>,
    pub examples: Vec<IrExample>,
    /// The mappings declared by this rulebook itself.
    pub mappings: Vec<IrMapping>,
    /// Every term, role and classification by name, for `concord explain` and examples.
    pub term_names: Vec<(String, u32)>,
    /// The slot paths of the sets that conditions' guards test (`v in system.purposes`), each
    /// once, numbered by `link`: the evaluator summarises each set once per decision.
    pub guard_paths: Arc<[Box<[u32]>]>,
    /// One entry per redline (same order as `redlines`), what the verdicts-only loop needs to
    /// rule a redline out by its guard without reading the redline itself: filled by `link`.
    pub redline_guards: Vec<RedlineGuard>,
    /// The redlines' guards on the set most of them test, for the verdicts-only loop on days
    /// when every redline is in force; filled by `link` when some redline has such a guard.
    pub redline_scan: Option<RedlineScan>,
    /// The days on which the verdicts-only machine (`eval::machine`) decides the redlines and
    /// the rulebook's own classifications without the evaluator (which then weighs only the
    /// obligations): the rulebook and every redline, exception and classification branch are in
    /// force, and each of their conditions is a graph whose leaves all have compact tests (see
    /// `flat::Test`). `None` when one of them needs the evaluator on any day (a role, a
    /// condition without a graph, a leaf without a compact test); filled by `link`.
    pub machine: Option<DayRange>,
}

/// What the verdicts-only loop needs to rule redlines out by their guards when every redline
/// is in force: one bit per redline, tested against one mask per decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedlineScan {
    /// The days on which every redline is in force.
    pub days: DayRange,
    /// The set (among `guard_paths`) the guards test.
    pub path: u32,
    /// For each redline, its guard's value as a bit (`v in S`, not negated, `v` below 64), or 0
    /// when it has no such guard on that set (it is then weighed in full).
    pub bits: Box<[u64]>,
    /// The redlines as bit sets of 64 a word: those without such a guard (always weighed)…
    pub unguarded: Box<[u64]>,
    /// …and, for each enum value `v` below 64, those whose guard is `v in S`, at
    /// `v * unguarded.len() + word`: the redlines a decision weighs are the unguarded ones and
    /// those of the values in the set, found without visiting the others.
    pub by_value: Box<[u64]>,
}

impl RedlineScan {
    /// The redlines a decision weighs, in order: the unguarded ones and those guarded by a value
    /// among `present` (the set's values below 64), or every redline when `all` (the set, or an
    /// item of it, is unknown).
    pub fn weighed(&self, present: u64, all: bool) -> Weighed<'_> {
        Weighed { scan: self, present, all, word: 0, bits: 0 }
    }

    /// The redlines of word `word` (64 a word) that a decision weighs.
    fn word(&self, word: usize, present: u64, all: bool) -> u64 {
        let words = self.unguarded.len();
        let mut weigh = self.unguarded.get(word).copied().unwrap_or(0);
        if all {
            // Every redline of the word, and none past the last.
            let past = self.bits.len().saturating_sub(word * 64);
            weigh = if past >= 64 { !0 } else { (1u64 << past) - 1 };
        } else {
            let mut values = present;
            while values != 0 {
                let value = values.trailing_zeros() as usize;
                values &= values - 1;
                weigh |= self.by_value.get(value * words + word).copied().unwrap_or(0);
            }
        }
        weigh
    }
}

/// The redlines a decision weighs (see [`RedlineScan::weighed`]).
pub struct Weighed<'s> {
    scan: &'s RedlineScan,
    present: u64,
    all: bool,
    /// The next word to read.
    word: usize,
    /// The redlines of the word before it not yet given.
    bits: u64,
}

impl Iterator for Weighed<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            if self.word >= self.scan.unguarded.len() {
                return None;
            }
            self.bits = self.scan.word(self.word, self.present, self.all);
            self.word += 1;
        }
        let idx = (self.word - 1) * 64 + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(idx)
    }
}

/// A redline's days in force and its guard (`v in system.a.b` whose false makes the condition
/// false), packed beside the others so that the verdicts-only loop reads one small array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RedlineGuard {
    pub days: DayRange,
    /// The guard's set among the rulebook's `guard_paths`; `u32::MAX` when the redline's
    /// condition has no numbered guard.
    pub path: u32,
    /// The guard's enum value as a bit of the set's summary; 0 for a value of 64 or more, which
    /// a summary in bits never holds.
    pub bit: u64,
    pub negated: bool,
}

/// A decimal rendered for explanations.
pub fn show_decimal(value: &Decimal) -> String {
    crate::num::format_decimal(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Day keys order exactly as the dates do, across months, years and the ends of jiff's range.
    #[test]
    fn day_keys_order_like_dates() {
        let dates: Vec<Date> = [
            "-009999-01-01",
            "0000-12-31",
            "2024-02-29",
            "2024-03-01",
            "2024-12-31",
            "2025-01-01",
            "2025-02-02",
            "2026-10-01",
            "9999-12-31",
        ]
        .iter()
        .map(|text| text.parse().expect("a date"))
        .collect();
        for a in &dates {
            for b in &dates {
                assert_eq!(day_key(*a).cmp(&day_key(*b)), a.cmp(b), "{a} against {b}");
            }
        }
        let range = DayRange::new(dates.get(2).copied(), dates.get(5).copied());
        let inside: Vec<bool> = dates.iter().map(|date| range.contains(day_key(*date))).collect();
        assert_eq!(inside, [false, false, true, true, true, true, false, false, false]);
        assert!(dates.iter().all(|date| DayRange::default().contains(day_key(*date))));
    }
}
