//! The three-valued evaluator: a compiled rulebook applied to one system description, as of a date.
//!
//! Kleene logic throughout: `false and unknown = false`, `true or unknown = true`. A fact the
//! description does not give is unknown, and the paths of the unknown facts that could change a
//! result are collected (and dropped again as soon as a known result makes them irrelevant). The
//! evaluator reads values by slot; it does no name lookups. It does no IO and reads no clock.

pub mod deadline;
pub mod examples;
mod machine;
pub mod verdict;
mod wording;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use self::deadline::{DueAt, DueDate, MAX_PERIODS, Periods, compute_due, utc_date};
use self::verdict::*;
use crate::ir::flat::{FlatCondition, Op, Operand, Test, mask_has};
use crate::ir::*;
use crate::schema::Schema;
use crate::syntax::ast::BinOp;
use crate::value::Value;

/// How much to record besides the verdicts.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    /// Build prose explanations and the list of facts used.
    pub explain: bool,
}

/// A truth value in three-valued logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn from_bool(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

/// Evaluates every provision of `rulebook` for one system.
pub fn evaluate(rulebook: &CompiledRulebook, system: &Value, as_of: Date, options: EvalOptions) -> RulebookVerdicts {
    crate::syntax::parse::with_enough_stack(|| evaluate_here(rulebook, system, as_of, options))
}

fn evaluate_here(rulebook: &CompiledRulebook, system: &Value, as_of: Date, options: EvalOptions) -> RulebookVerdicts {
    let mut scratch = Scratch::default();
    let mut evaluator = Evaluator::new(rulebook, system, as_of, options, &mut scratch);
    let in_force = in_force(rulebook.applies_from, rulebook.applies_until, as_of);
    let redlines = rulebook
        .redlines
        .iter()
        .enumerate()
        .map(|(idx, redline)| evaluator.redline(redline, idx as u32, in_force))
        .collect();
    let classifications = rulebook
        .own_classifications
        .iter()
        .filter_map(|idx| rulebook.classifications.get(*idx as usize).map(|classification| (*idx, classification)))
        .map(|(idx, classification)| evaluator.classification_verdict(idx, classification, in_force))
        .collect();
    let obligations =
        rulebook.obligations.iter().map(|obligation| evaluator.obligation(obligation, in_force)).collect();
    RulebookVerdicts { rulebook: rulebook.id.clone(), as_of, in_force, redlines, classifications, obligations }
}

/// The verdicts alone, one per provision in declaration order: what a gate or a batch needs.
/// Reuse one `Outcomes` across descriptions: it keeps the evaluator's buffers, so once they have
/// grown to fit, a decision allocates nothing (`lang/tests/no_alloc.rs` proves it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub redlines: Vec<RedlineOutcome>,
    /// The decided tier (an index into the classification's tiers), or `None` if undetermined.
    pub classifications: Vec<Option<u32>>,
    pub obligations: Vec<ObligationOutcome>,
    /// The evaluator's buffers and the compact trace of the last decision, kept from one
    /// decision to the next.
    scratch: Scratch,
}

impl Outcomes {
    /// What the last decision weighed, provision by provision, as indices into the compiled
    /// rulebook: each redline's steps follow its [`Step::Redline`], each obligation's its
    /// [`Step::Obligation`]. A redline in force whose condition is false (most redlines of a
    /// rulebook, usually ruled out by their guard) leaves no step: its outcome is
    /// `NotProhibited` and nothing else was weighed. Explanations in prose are built from steps
    /// like these.
    pub fn trace(&self) -> &[Step] {
        &self.scratch.trace
    }

    /// Whether the last decision was made by the verdicts-only machine (see
    /// `CompiledRulebook::machine`) rather than the evaluator: the outcomes and trace are the
    /// same either way; tests read this to know the machine is used.
    #[doc(hidden)]
    pub fn decided_by_machine(&self) -> bool {
        self.scratch.by_machine
    }
}

/// One step of an evaluation, recorded as indices and truth values in a reused buffer while the
/// provisions are weighed; the prose of an explanation is built from these steps only when it
/// is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The steps that follow are those of redline `n` (an index into `CompiledRulebook::redlines`).
    Redline(u32),
    /// The steps that follow are those of obligation `n`.
    Obligation(u32),
    /// The provision, or its rulebook, is not in force on the evaluation date.
    NotInForce,
    /// The provision's condition came out so.
    Condition(Tri),
    /// Whether some party holds the role the provision names.
    Role(Tri),
    /// An exception, numbered in preorder among the provision's exceptions, is not in force.
    ExceptionNotInForce(u32),
    /// An exception (numbered in preorder) was weighed: its condition, whether it applies, and
    /// which of its own exceptions (numbered likewise) lifted it.
    Exception { index: u32, when: Tri, applies: Tri, inner: Option<u32> },
    /// An obligation whose triggering events are all known not to exist.
    NoEvent,
}

/// Buffers an evaluation reuses from one decision to the next, and the trace of the last
/// decision. The evaluator borrows them where they are (in the caller's `Outcomes` on the
/// verdicts-only path) instead of moving them in and out.
///
/// Cached values are valid for one decision: each decision takes a new number (`decision`), and
/// a cache entry holds if it was stamped with the current number, so that nothing is reset
/// between decisions. Number 0 is never current.
#[derive(Default)]
struct Scratch {
    locals: Vec<Local<'static, 'static>>,
    /// Parameterless terms' values, valid where `term_stamp` is the current decision.
    term_cache: Vec<CachedTerm>,
    term_stamp: Vec<u32>,
    tier_cache: Vec<TierOutcome>,
    tier_stamp: Vec<u32>,
    missing: Vec<String>,
    instances: Vec<InstanceVerdict>,
    /// The sets guards test (`CompiledRulebook::guard_paths`), summarised when first asked in a
    /// decision (valid where stamped with the current decision).
    guard_sets: Vec<(u32, EnumSet)>,
    /// For each of those sets, the masks of the enum values whose guard is false (`in`, then
    /// `not in`), made by `Evaluator::guard_masks` for the redline loop.
    guard_masks: Vec<[u64; 2]>,
    /// The steps weighed so far (see [`Step`]).
    trace: Vec<Step>,
    /// Whether the verdicts-only machine decided the last decision's redlines and
    /// classifications.
    by_machine: bool,
    /// The branch that decided each of the rulebook's own classifications in the machine
    /// (`None`: no branch holds), for the tier cache the obligations read.
    machine_branches: Vec<Option<u32>>,
    /// The guards' sets summarised for the verdicts-only machine, when the description came
    /// without summaries made for the rulebook.
    machine_sets: Vec<EnumSet>,
    /// Unsure marks and facts used of the verdict being built (full verdicts only).
    unsure: BTreeSet<UnsureMark>,
    facts: BTreeSet<FactUsed>,
    /// The number of the current decision.
    decision: u32,
}

impl Scratch {
    /// Starts a decision of `rulebook`: every cached value becomes stale, the buffers fit.
    #[inline(always)]
    fn start(&mut self, rulebook: &CompiledRulebook) {
        self.decision = self.decision.wrapping_add(1);
        if self.decision == 0 {
            // After 2^32 decisions: stamps of old decisions could match again.
            self.term_stamp.fill(0);
            self.tier_stamp.fill(0);
            self.guard_sets.iter_mut().for_each(|(stamp, _)| *stamp = 0);
            self.decision = 1;
        }
        let (terms, classifications, paths) =
            (rulebook.terms.len(), rulebook.classifications.len(), rulebook.guard_paths.len());
        if self.term_cache.len() < terms || self.term_stamp.len() < terms {
            self.term_cache.resize_with(terms, CachedTerm::default);
            self.term_stamp.resize(terms, 0);
        }
        if self.tier_cache.len() < classifications || self.tier_stamp.len() < classifications {
            self.tier_cache.resize_with(classifications, TierOutcome::default);
            self.tier_stamp.resize(classifications, 0);
        }
        if self.guard_sets.len() < paths {
            self.guard_sets.resize(paths, (0, EnumSet::Unknown));
        }
        self.missing.clear();
        if !self.unsure.is_empty() {
            self.unsure.clear();
        }
        if !self.facts.is_empty() {
            self.facts.clear();
        }
    }
}

impl Clone for Scratch {
    /// Buffers are not copied: a clone starts empty, with the trace.
    fn clone(&self) -> Scratch {
        Scratch { trace: self.trace.clone(), ..Scratch::default() }
    }
}

impl PartialEq for Scratch {
    /// Buffers do not take part in comparing outcomes; the trace does.
    fn eq(&self, other: &Scratch) -> bool {
        self.trace == other.trace
    }
}

impl Eq for Scratch {}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Scratch").field("trace", &self.trace).finish_non_exhaustive()
    }
}

/// Where a condition's graph or a classification's chain goes from a node whose successors are
/// `next` (true, false, unknown) on its leaf's `outcome`.
#[inline(always)]
fn next(next: &[u32; 3], outcome: Tri) -> u32 {
    let [on_true, on_false, on_unknown] = *next;
    match outcome {
        Tri::True => on_true,
        Tri::False => on_false,
        Tri::Unknown => on_unknown,
    }
}

/// The value a condition's graph ends with at `at` (one of `flat::END`'s three ends).
#[inline(always)]
fn graph_end(at: u32) -> Tri {
    match at.wrapping_sub(flat::END) {
        0 => Tri::True,
        1 => Tri::False,
        _ => Tri::Unknown,
    }
}

/// What a classification's chain ends with at `at`: the first branch that holds, `Some(None)`
/// when none does, `None` when a branch is unknown.
#[inline(always)]
fn chain_end(at: u32) -> Option<Option<u32>> {
    match at {
        flat::CHAIN_NONE => Some(None),
        at if at >= flat::CHAIN_HOLDS => Some(Some(at - flat::CHAIN_HOLDS)),
        _ => None,
    }
}

/// A redline's verdict, and the verdicts still possible, from its condition (with its role)
/// and whether an exception applies.
fn redline_verdict(when: Tri, exception: Tri) -> (RedlineOutcome, &'static [RedlineOutcome]) {
    use RedlineOutcome::*;
    match (when, exception) {
        (Tri::False, _) => (NotProhibited, &[]),
        (Tri::True, Tri::False) => (Prohibited, &[]),
        (Tri::True, Tri::True) => (Exempted, &[]),
        (Tri::True, Tri::Unknown) => (Undetermined, &[Prohibited, Exempted]),
        (Tri::Unknown, Tri::True) => (Undetermined, &[Exempted, NotProhibited]),
        (Tri::Unknown, Tri::False) => (Undetermined, &[Prohibited, NotProhibited]),
        (Tri::Unknown, Tri::Unknown) => (Undetermined, &[Prohibited, Exempted, NotProhibited]),
    }
}

/// Whether an exception applies: its condition holds (`when`) and none of its own exceptions
/// applies (`inner`).
fn exception_applies(when: Tri, inner: Tri) -> Tri {
    match (when, inner) {
        (Tri::False, _) | (_, Tri::True) => Tri::False,
        (Tri::True, Tri::False) => Tri::True,
        _ => Tri::Unknown,
    }
}

/// A graph leaf's compact test (see `flat::Test`) on the top-level `fields` of a description:
/// its truth value, or `None` when the fast case does not hold and the instruction must run.
/// `set(path)`: the set numbered `path` as its bits and whether an item of it is unknown, when
/// it is summarised in bits.
#[inline(always)]
fn compact_test(fields: &[Value], test: Test, set: impl Fn(u32) -> Option<(u64, bool)>) -> Option<Tri> {
    let in_bits = |bits: u64, mask: u64, unknown: bool| {
        if bits & mask != 0 {
            Tri::True
        } else if unknown {
            Tri::Unknown
        } else {
            Tri::False
        }
    };
    match test {
        Test::Op => None,
        Test::Fact1 { slot } => match fields.get(slot as usize) {
            Some(Value::Bool(value)) => Some(Tri::from_bool(*value)),
            _ => None,
        },
        Test::Fact2 { outer, inner } => match fields.get(outer as usize) {
            Some(Value::Record(inner_fields)) => match inner_fields.get(inner as usize) {
                Some(Value::Bool(value)) => Some(Tri::from_bool(*value)),
                _ => None,
            },
            _ => None,
        },
        Test::InSet { path, bit, negated } => {
            let (bits, unknown) = set(path)?;
            let found = in_bits(bits, bit, unknown);
            Some(if negated { found.not() } else { found })
        }
        Test::Compare { outer, inner, op, constant } => {
            let value = match fields.get(outer as usize) {
                Some(Value::Record(inner_fields)) if inner != u32::MAX => inner_fields.get(inner as usize),
                value if inner == u32::MAX => value,
                _ => None,
            };
            match value {
                Some(Value::Number(value) | Value::Quantity(value)) => {
                    Some(op.holds(decimal_cmp(value, &constant)).map_or(Tri::Unknown, Tri::from_bool))
                }
                _ => None,
            }
        }
        Test::Intersects { path, mask } => {
            let (bits, unknown) = set(path)?;
            Some(in_bits(bits, mask, unknown))
        }
    }
}

/// An empty vector of another lifetime, with the allocation of `vec`: the buffers of one
/// decision serve the next without a new allocation. (The standard library collects a vector's
/// own `into_iter` in place; `no_alloc.rs` would catch it if it stopped doing so.)
fn recycle<T, U>(mut vec: Vec<T>) -> Vec<U> {
    vec.clear();
    vec.into_iter().filter_map(|_| None).collect()
}

/// How the verdicts-only path evaluates provisions' conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// By their flat form where they have one: the fast path.
    Flat,
    /// By the expression tree alone: the reference the flat form is tested against.
    Tree,
}

/// Evaluates every provision of `rulebook` for one system, recording only the verdicts and the
/// compact trace.
///
/// `given`: the summaries of the guards' sets made when the description was loaded (see
/// [`GuardSummaries`]); ignored unless made for this rulebook's sets.
pub fn evaluate_outcomes(
    rulebook: &CompiledRulebook,
    system: &Value,
    given: Option<&GuardSummaries>,
    as_of: Date,
    walk: Walk,
    out: &mut Outcomes,
) {
    if walk == Walk::Flat
        && let Some(days) = rulebook.machine
        && days.contains(day_key(as_of))
        && machine::run(rulebook, system, given, out)
    {
        out.scratch.by_machine = true;
        if !rulebook.obligations.is_empty() {
            // The obligations are the evaluator's, with the machine's tiers in its cache.
            let branches = std::mem::take(&mut out.scratch.machine_branches);
            let mut evaluator =
                Evaluator::new(rulebook, system, as_of, EvalOptions { explain: false }, &mut out.scratch);
            evaluator.record = false;
            evaluator.flat = true;
            for ((idx, branch), tier) in rulebook.own_classifications.iter().zip(&branches).zip(&out.classifications) {
                evaluator.write_tier(*idx, branch.zip(*tier).map(|(branch, tier)| (branch as usize, tier)));
            }
            obligation_outcomes(&mut evaluator, rulebook, true, &mut out.obligations);
            evaluator.finish();
            out.scratch.machine_branches = branches;
        }
        return;
    }
    out.scratch.by_machine = false;
    let mut evaluator = Evaluator::new(rulebook, system, as_of, EvalOptions { explain: false }, &mut out.scratch);
    evaluator.record = false;
    evaluator.flat = walk == Walk::Flat;
    evaluator.buf.trace.clear();
    // `in_force`, asked with the day keys the provisions are asked with.
    let in_force = rulebook.days.contains(evaluator.as_of_key);
    out.redlines.clear();
    out.classifications.clear();
    out.obligations.clear();
    let flat = evaluator.flat;
    let today = evaluator.as_of_key;
    evaluator.buf.trace.reserve(2 * rulebook.redlines.len());
    // Written by index: most redlines are not prohibited.
    out.redlines.resize(rulebook.redlines.len(), RedlineOutcome::NotProhibited);
    let guards = &rulebook.redline_guards;
    let redlines = rulebook.redlines.len();
    if flat
        && in_force
        && let Some(scan) = &rulebook.redline_scan
        && scan.days.contains(today)
        && scan.bits.len() == redlines
    {
        // Every redline in force: the redlines to weigh are found from the values in the set
        // (`RedlineScan::by_value`); the others' guards are false, so their condition is, and
        // they leave no step (see `Outcomes::trace`).
        evaluator.guard_masks(given, false);
        let summary = evaluator.buf.guard_sets.get(scan.path as usize).map_or(EnumSet::Other, |(_, summary)| *summary);
        // Which guarded redlines are weighed beside the unguarded ones: those of the values in
        // the set, none (the set is absent), or all (the set or an item of it is unknown, or
        // the summary is not in bits).
        let (present, all) = summary.bits().unwrap_or((0, true));
        for idx in scan.weighed(present, all) {
            let (Some(redline), Some(slot), Some(bit)) =
                (rulebook.redlines.get(idx), out.redlines.get_mut(idx), scan.bits.get(idx))
            else {
                break;
            };
            let (outcome, _, _) = if *bit != 0 && !matches!(summary, EnumSet::Other) {
                // The guard holds (its value is in the set) or is unknown (the set, or an item
                // of it, is): the condition goes on from there.
                let first = if bit & present != 0 { Tri::True } else { Tri::Unknown };
                let when = evaluator.after_guard(&redline.flat, first);
                evaluator.redline_weighed(redline, idx as u32, when)
            } else {
                evaluator.redline_core(redline, idx as u32, in_force)
            };
            *slot = outcome;
        }
    } else if flat && in_force && guards.len() == redlines {
        // Every guard's set summarised now, as masks of the values whose guard is false.
        evaluator.guard_masks(given, true);
        for (idx, guard) in guards.iter().enumerate() {
            // Most redlines of a rulebook are ruled out by their guard (`v in system.a.b`
            // false): decided here from the packed table (their condition is false, so neither
            // the role nor the exceptions are weighed, and they leave no step).
            if guard.days.contains(today)
                && let Some(mask) = evaluator.buf.guard_masks.get(guard.path as usize)
                && {
                    let [ruled_in, ruled_not_in] = *mask;
                    if guard.negated { ruled_not_in } else { ruled_in }
                } & guard.bit
                    != 0
            {
                continue;
            }
            if let (Some(redline), Some(slot)) = (rulebook.redlines.get(idx), out.redlines.get_mut(idx)) {
                let (outcome, _, _) = evaluator.redline_core(redline, idx as u32, in_force);
                *slot = outcome;
            }
        }
    } else {
        for (idx, (redline, slot)) in rulebook.redlines.iter().zip(out.redlines.iter_mut()).enumerate() {
            let (outcome, _, _) = evaluator.redline_core(redline, idx as u32, in_force);
            *slot = outcome;
        }
    }
    for idx in &rulebook.own_classifications {
        let decided = match rulebook.classifications.get(*idx as usize) {
            Some(classification) if in_force && classification.info.days.contains(today) => {
                // After the redlines, only obligations can read a tier: without them, a tier
                // decided here need not be kept for this decision.
                evaluator.decided_tier(*idx, classification, !rulebook.obligations.is_empty())
            }
            _ => None,
        };
        out.classifications.push(decided);
    }
    obligation_outcomes(&mut evaluator, rulebook, in_force, &mut out.obligations);
    evaluator.finish();
}

/// Weighs every obligation of `rulebook` on the verdicts-only path, their steps into the trace.
fn obligation_outcomes<'a>(
    evaluator: &mut Evaluator<'a, '_>,
    rulebook: &'a CompiledRulebook,
    in_force: bool,
    out: &mut Vec<ObligationOutcome>,
) {
    if rulebook.obligations.is_empty() {
        return;
    }
    let mut instances = std::mem::take(&mut evaluator.buf.instances);
    for (idx, obligation) in rulebook.obligations.iter().enumerate() {
        evaluator.buf.trace.push(Step::Obligation(idx as u32));
        let (outcome, _) = evaluator.obligation_core(obligation, in_force, &mut instances);
        out.push(outcome);
    }
    evaluator.buf.instances = instances;
}

/// Evaluates one parameterless term by name (for examples and `concord explain`).
pub fn evaluate_term(
    rulebook: &CompiledRulebook,
    system: &Value,
    as_of: Date,
    name: &str,
) -> Option<(Tri, Vec<String>)> {
    let idx = rulebook.term_names.iter().find(|(term, _)| term == name).map(|(_, idx)| *idx)?;
    let mut scratch = Scratch::default();
    let mut evaluator = Evaluator::new(rulebook, system, as_of, EvalOptions { explain: false }, &mut scratch);
    let value = evaluator.term_value(idx, &[]);
    let tri = truth(&value);
    Some((tri, evaluator.take_missing()))
}

/// The value of term `idx` (parameters bound to `args`) for one description, as a truth value.
/// Used by the analyser to replay witnesses; the verdict paths do not go through it.
pub fn evaluate_term_at(rulebook: &CompiledRulebook, system: &Value, as_of: Date, idx: u32, args: &[Value]) -> Tri {
    let mut scratch = Scratch::default();
    let mut evaluator = Evaluator::new(rulebook, system, as_of, EvalOptions { explain: false }, &mut scratch);
    let args: Vec<(Cow<'_, Value>, Origin<'_>)> =
        args.iter().map(|value| (Cow::Borrowed(value), Origin::None)).collect();
    let value = evaluator.term_value(idx, &args);
    truth(&value)
}

/// The tier classification `idx` decides for one description, if it decides one.
pub fn evaluate_tier(rulebook: &CompiledRulebook, system: &Value, as_of: Date, idx: u32) -> Option<u32> {
    let mut scratch = Scratch::default();
    let mut evaluator = Evaluator::new(rulebook, system, as_of, EvalOptions { explain: false }, &mut scratch);
    evaluator.tier(idx);
    evaluator.cached_tier(idx).and_then(|outcome| outcome.decided)
}

pub fn in_force(from: Option<Date>, until: Option<Date>, as_of: Date) -> bool {
    from.is_none_or(|from| as_of >= from) && until.is_none_or(|until| as_of <= until)
}

/// Where a local's value came from, to name a missing fact's path.
#[derive(Clone, Copy)]
enum Origin<'r> {
    None,
    /// Element `index` of the list `list`, evaluated in the frame starting at `frame`.
    Element {
        list: &'r IrExpr,
        frame: usize,
        index: usize,
    },
    /// The argument `expr` of a term call, evaluated in the frame starting at `frame`.
    Expr {
        expr: &'r IrExpr,
        frame: usize,
    },
}

struct Local<'a, 'r> {
    value: Cow<'a, Value>,
    origin: Origin<'r>,
}

#[derive(Clone, Default)]
struct TierOutcome {
    decided: Option<u32>,
    possible: Vec<u32>,
    missing: Vec<String>,
    branch: Option<usize>,
}

/// A parameterless term's value for one description, with what a verdict that uses it inherits:
/// the facts that would decide it and (when explaining) the facts it read.
#[derive(Clone)]
struct CachedTerm {
    value: Value,
    missing: Vec<String>,
    facts: Vec<FactUsed>,
}

impl Default for CachedTerm {
    fn default() -> CachedTerm {
        CachedTerm { value: Value::Unknown, missing: Vec::new(), facts: Vec::new() }
    }
}

struct Evaluator<'a, 'b> {
    rulebook: &'a CompiledRulebook,
    schema: &'a Schema,
    system: &'a Value,
    as_of: Date,
    /// `as_of` as a day key, to ask provisions' [`DayRange`]s.
    as_of_key: i32,
    options: EvalOptions,
    /// Whether to build full verdicts (missing-fact paths, instances, holders); the compact path
    /// of [`evaluate_outcomes`] does not.
    record: bool,
    /// Whether provisions' conditions run in their flat form (the compact path does, unless
    /// the tree is asked for to check the flat form against it).
    flat: bool,
    locals: Vec<Local<'a, 'a>>,
    frame: usize,
    /// The reused buffers: caches, missing facts, instances, the trace.
    buf: &'b mut Scratch,
}

impl<'a, 'b> Evaluator<'a, 'b> {
    #[inline(always)]
    fn new(
        rulebook: &'a CompiledRulebook,
        system: &'a Value,
        as_of: Date,
        options: EvalOptions,
        buf: &'b mut Scratch,
    ) -> Evaluator<'a, 'b> {
        buf.start(rulebook);
        // The locals' buffer changes lifetime: reused only when it has one.
        let locals = if buf.locals.capacity() == 0 { Vec::new() } else { recycle(std::mem::take(&mut buf.locals)) };
        Evaluator {
            rulebook,
            schema: &rulebook.schema,
            system,
            as_of,
            as_of_key: day_key(as_of),
            options,
            record: true,
            flat: false,
            locals,
            frame: 0,
            buf,
        }
    }

    /// Gives the locals' buffer back for the next decision.
    fn finish(&mut self) {
        if self.locals.capacity() != 0 {
            self.buf.locals = recycle(std::mem::take(&mut self.locals));
        }
    }

    /// The cached value of parameterless term `idx`, if it was evaluated for this decision.
    fn cached_term(&self, idx: u32) -> Option<&CachedTerm> {
        match self.buf.term_stamp.get(idx as usize) {
            Some(stamp) if *stamp == self.buf.decision => self.buf.term_cache.get(idx as usize),
            _ => None,
        }
    }

    /// The cached outcome of classification `idx`, if it was decided for this decision.
    fn cached_tier(&self, idx: u32) -> Option<&TierOutcome> {
        match self.buf.tier_stamp.get(idx as usize) {
            Some(stamp) if *stamp == self.buf.decision => self.buf.tier_cache.get(idx as usize),
            _ => None,
        }
    }

    fn take_missing(&mut self) -> Vec<String> {
        let mut missing = std::mem::take(&mut self.buf.missing);
        missing.sort();
        missing.dedup();
        missing
    }

    fn start_verdict(&mut self, info: &ProvisionInfo) {
        self.buf.missing.clear();
        self.buf.unsure.clear();
        self.buf.facts.clear();
        for reason in &info.unsure {
            self.buf.unsure.insert(UnsureMark { declaration: info.name.clone(), reason: reason.clone() });
        }
    }

    fn basis(&mut self, info: &ProvisionInfo, explanation: Vec<String>) -> Basis {
        Basis {
            citations: info.citations.clone(),
            location: info.location.clone(),
            missing_facts: self.take_missing(),
            unsure: std::mem::take(&mut self.buf.unsure).into_iter().collect(),
            explanation,
            facts_used: std::mem::take(&mut self.buf.facts).into_iter().collect(),
        }
    }

    // ----- Paths of facts -------------------------------------------------------------------

    fn path_of(&self, expr: &IrExpr, frame: usize) -> String {
        match expr {
            IrExpr::Root => "$".to_owned(),
            IrExpr::RootPath { names, .. } => root_path_text(names),
            IrExpr::Field { base, name, .. } => format!("{}.{name}", self.path_of(base, frame)),
            IrExpr::Local(idx) => match self.locals.get(frame + *idx as usize).map(|local| local.origin) {
                Some(Origin::Element { list, frame, index }) => format!("{}[{index}]", self.path_of(list, frame)),
                Some(Origin::Expr { expr, frame }) => self.path_of(expr, frame),
                _ => "$".to_owned(),
            },
            _ => "(computed value)".to_owned(),
        }
    }

    // ----- Expressions ----------------------------------------------------------------------

    /// Evaluates a condition. Boolean nodes are decided here without building a value.
    fn condition(&mut self, expr: &'a IrExpr) -> Tri {
        match expr {
            IrExpr::And(operands) => self.junction(operands, Tri::False),
            IrExpr::Or(operands) => self.junction(operands, Tri::True),
            IrExpr::Not(inner) => self.condition(inner).not(),
            IrExpr::Compare { op, left, right, .. } => {
                let mark = self.buf.missing.len();
                let result = self.compare(*op, left, right);
                if result != Tri::Unknown {
                    self.buf.missing.truncate(mark);
                }
                result
            }
            IrExpr::Member { negated, element, collection } => self.member(*negated, element, collection),
            IrExpr::Const(Value::Bool(value)) => Tri::from_bool(*value),
            _ => {
                let value = self.eval(expr);
                truth(&value)
            }
        }
    }

    /// `element in collection` (or `not in`), in three-valued logic.
    fn member(&mut self, negated: bool, element: &'a IrExpr, collection: &'a IrExpr) -> Tri {
        let mark = self.buf.missing.len();
        let element = self.eval(element);
        let collection = self.eval(collection);
        let result = member_values(negated, &element, &collection);
        if result != Tri::Unknown {
            self.buf.missing.truncate(mark);
        }
        result
    }

    /// Evaluates an expression. The common nodes are handled here, in a small function; the
    /// rest in `eval_other`, so the hot path keeps a small stack frame.
    fn eval(&mut self, expr: &'a IrExpr) -> Cow<'a, Value> {
        match expr {
            IrExpr::Const(value) => Cow::Borrowed(value),
            IrExpr::Root => Cow::Borrowed(self.system),
            IrExpr::And(operands) => tri_value(self.junction(operands, Tri::False)),
            IrExpr::Or(operands) => tri_value(self.junction(operands, Tri::True)),
            IrExpr::Not(inner) => {
                let value = self.condition(inner);
                tri_value(value.not())
            }
            IrExpr::RootPath { slots, names, ty } => self.root_path(slots, names, ty),
            IrExpr::Field { base, slot, .. } if !self.options.explain => {
                let base_value = self.eval(base);
                let field = match base_value {
                    Cow::Borrowed(Value::Record(fields)) => fields.get(*slot as usize).map(Cow::Borrowed),
                    _ => return self.eval_other(expr),
                };
                match field {
                    Some(value) if !is_unknown(&value) => value,
                    _ => self.eval_other(expr),
                }
            }
            IrExpr::Compare { op, left, right, .. } => {
                let mark = self.buf.missing.len();
                let result = self.compare(*op, left, right);
                if result != Tri::Unknown {
                    self.buf.missing.truncate(mark);
                }
                tri_value(result)
            }
            // A term defined as a constant (`{"AT", "BE", …}`, built once by `link`) is read where
            // it stands, never copied.
            IrExpr::Term { term: TermTarget::Index(idx), args }
                if args.is_empty()
                    && let Some((term, value)) = constant_term(self.rulebook, *idx) =>
            {
                if self.record {
                    for reason in &term.info.unsure {
                        self.buf
                            .unsure
                            .insert(UnsureMark { declaration: term.info.name.clone(), reason: reason.clone() });
                    }
                }
                Cow::Borrowed(value)
            }
            // The cached value of a term, when no unsure mark or missing fact has to be recorded.
            IrExpr::Term { term: TermTarget::Index(idx), args } if args.is_empty() && !self.record => {
                match self.cached_term(*idx) {
                    Some(cached) if cached.missing.is_empty() => Cow::Owned(cached.value.clone()),
                    _ => self.eval_other(expr),
                }
            }
            _ => self.eval_other(expr),
        }
    }

    /// A fact read from the description's top level by slots: `system.model.training_compute`.
    fn root_path(&mut self, slots: &[u32], names: &[Arc<str>], ty: &'a crate::schema::Ty) -> Cow<'a, Value> {
        match walk_path(self.system, slots) {
            PathEnd::Found(current) => {
                if self.options.explain && !is_structural(ty) {
                    let value = show_value(self.schema, current, ty);
                    self.buf.facts.insert(FactUsed { path: root_path_text(names), value });
                }
                Cow::Borrowed(current)
            }
            PathEnd::Absent => Cow::Owned(Value::Absent),
            PathEnd::Unknown { missing } => {
                if let (Some(depth), true) = (missing, self.record) {
                    let path = root_path_text(names.get(..=depth).unwrap_or(names));
                    self.buf.missing.push(path);
                }
                Cow::Owned(Value::Unknown)
            }
        }
    }

    // ----- The flat form ---------------------------------------------------------------------

    /// A provision's condition: by its flat form on the verdicts-only path, by the tree where
    /// missing facts, unsure marks or facts used are recorded, or where it was not lowered.
    /// Inlined into each kind of provision, so that a condition its guard rules out costs no call.
    #[inline(always)]
    fn when(&mut self, flat: &'a FlatCondition, expr: &'a IrExpr) -> Tri {
        if !self.flat || flat.is_empty() {
            return self.condition(expr);
        }
        // Most conditions start with `v in system.a.b` and stop there, false: decided here,
        // without entering the loop. Otherwise the loop starts after the guard and its `Decide`.
        if let Some((variant, slots, negated)) = flat.guard() {
            let first = self.guard(variant, slots, negated, flat.guard_path());
            if first == Tri::False {
                return Tri::False;
            }
            return self.after_guard(flat, first);
        }
        self.flat_condition(flat)
    }

    /// The rest of a guarded condition whose guard came out `first` (true or unknown): the
    /// graph from where the guard's outcome leads, or the instructions after the guard's
    /// `Decide`, as the loop would run them.
    fn after_guard(&mut self, flat: &'a FlatCondition, first: Tri) -> Tri {
        if let Some(node) = flat.nodes().first() {
            return self.run_graph(flat, next(&node.next, first));
        }
        let ops = flat.ops();
        match ops.get(2..) {
            Some(rest) if !rest.is_empty() => {
                // The `Decide` of depth 0 remembers an unknown guard in bit 0.
                let unknown = u64::from(first == Tri::Unknown);
                self.run_flat_from(ops, 2, first, unknown)
            }
            _ => first,
        }
    }

    /// A guard's test, `variant in system.a.b` (or `not in`), through the summary of the set
    /// (made on first use in the decision) when the rulebook numbered its path.
    #[inline(always)]
    fn guard(&mut self, variant: u32, slots: &[u32], negated: bool, path: Option<u32>) -> Tri {
        let Some(path) = path else { return enum_in_path(self.system, variant, slots, negated) };
        let decision = self.buf.decision;
        let summary = match self.buf.guard_sets.get_mut(path as usize) {
            Some((stamp, summary)) if *stamp == decision => *summary,
            Some((stamp, summary)) => {
                *summary = EnumSet::of(walk_path(self.system, slots));
                *stamp = decision;
                *summary
            }
            None => return enum_in_path(self.system, variant, slots, negated),
        };
        let found = match summary {
            EnumSet::Bits { bits, unknown } => {
                if variant < 64 && bits & (1 << variant) != 0 {
                    Tri::True
                } else if unknown {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            }
            EnumSet::Absent => Tri::False,
            EnumSet::Unknown => Tri::Unknown,
            EnumSet::Other => return enum_in_path(self.system, variant, slots, negated),
        };
        if negated { found.not() } else { found }
    }

    /// Summarises every set the rulebook's guards test, for this decision (or takes the
    /// summaries made when the description was loaded, `given`, when made for these sets), and
    /// makes for each the masks the redline loop tests: the enum values whose `v in S` is false,
    /// and the values in the set. A value of 64 or more (bit 0, see `RedlineGuard::bit`) is in
    /// neither, so its redline is weighed in full.
    #[inline(always)]
    fn guard_masks(&mut self, given: Option<&GuardSummaries>, masks: bool) {
        let decision = self.buf.decision;
        let paths = &self.rulebook.guard_paths;
        let given = given.filter(|given| given.made_for(paths));
        let Scratch { guard_sets, guard_masks, .. } = &mut *self.buf;
        guard_masks.clear();
        for (number, (slots, (stamp, summary))) in paths.iter().zip(guard_sets.iter_mut()).enumerate() {
            *summary = match given.and_then(|given| given.sets.get(number)) {
                Some(made) => *made,
                None => EnumSet::of(walk_path(self.system, slots)),
            };
            *stamp = decision;
            if !masks {
                continue;
            }
            guard_masks.push(match *summary {
                EnumSet::Bits { bits, unknown } => [if unknown { 0 } else { !bits }, bits],
                EnumSet::Absent => [!0, 0],
                EnumSet::Unknown | EnumSet::Other => [0, 0],
            });
        }
    }

    /// A condition in flat form that its guard did not rule out.
    fn flat_condition(&mut self, flat: &'a FlatCondition) -> Tri {
        // `level == t3` alone, the usual condition of a duty: asked directly.
        if let [Op::TierIs { classification, tier, negated }] = flat.ops() {
            return self.tier_is(*classification, *tier, *negated);
        }
        self.run_flat(flat)
    }

    /// Runs a condition's flat form: its graph of leaves when it has one, else its instructions.
    fn run_flat(&mut self, flat: &'a FlatCondition) -> Tri {
        if flat.nodes().is_empty() {
            return self.run_flat_from(flat.ops(), 0, Tri::Unknown, 0);
        }
        self.run_graph(flat, 0)
    }

    /// Runs a condition's graph of leaves (see `flat::Node`) from node `at`: each leaf's
    /// outcome says which leaf comes next, or the condition's value.
    #[inline(always)]
    fn run_graph(&mut self, flat: &'a FlatCondition, mut at: u32) -> Tri {
        let (ops, nodes) = (flat.ops(), flat.nodes());
        loop {
            let Some(node) = nodes.get(at as usize) else {
                return graph_end(at);
            };
            let outcome = match self.test(node.test) {
                Some(outcome) => outcome,
                None => match ops.get(node.leaf as usize) {
                    Some(op) => self.leaf(op),
                    None => Tri::Unknown,
                },
            };
            at = next(&node.next, outcome);
        }
    }

    /// Runs a condition's flat instructions from `pc`, with the accumulator and the mask of
    /// unknown operands as they were before it.
    fn run_flat_from(&mut self, ops: &'a [Op], pc: usize, acc: Tri, unknown: u64) -> Tri {
        self.run_flat_inline(ops, pc, acc, unknown)
    }

    /// `run_flat_from`, inlined where a call would cost as much as a short condition's run
    /// (the branches of a classification).
    #[inline(always)]
    fn run_flat_inline(&mut self, ops: &'a [Op], mut pc: usize, mut acc: Tri, mut unknown: u64) -> Tri {
        while let Some(op) = ops.get(pc) {
            pc += 1;
            acc = match op {
                Op::Not => acc.not(),
                Op::Decide { depth, decisive, end } => {
                    let bit = 1u64 << depth;
                    let decisive = Tri::from_bool(*decisive);
                    if acc == decisive {
                        unknown &= !bit;
                        pc = *end as usize;
                    } else if acc == Tri::Unknown {
                        unknown |= bit;
                    }
                    acc
                }
                Op::Last { depth, decisive } => {
                    let bit = 1u64 << depth;
                    let seen = unknown & bit != 0;
                    unknown &= !bit;
                    let decisive = Tri::from_bool(*decisive);
                    if acc == decisive {
                        decisive
                    } else if seen || acc == Tri::Unknown {
                        Tri::Unknown
                    } else {
                        decisive.not()
                    }
                }
                leaf => self.leaf(leaf),
            };
        }
        acc
    }

    /// A graph leaf's compact test (see `flat::Test`): its truth value, or `None` when the fast
    /// case does not hold and the instruction must run.
    #[inline(always)]
    fn test(&self, test: Test) -> Option<Tri> {
        let Value::Record(fields) = self.system else { return None };
        let decision = self.buf.decision;
        let sets = &self.buf.guard_sets;
        compact_test(fields, test, |path| match sets.get(path as usize) {
            Some((stamp, summary)) if *stamp == decision => summary.bits(),
            _ => None,
        })
    }

    /// A leaf instruction's truth value (`Not`, `Decide` and `Last` are not leaves: unknown).
    #[inline(always)]
    fn leaf(&mut self, op: &'a Op) -> Tri {
        match op {
            Op::Const(value) => Tri::from_bool(*value),
            // The commonest operands read without the general dispatch.
            Op::Truth(Operand::Path(slots)) => match walk_path(self.system, slots) {
                PathEnd::Found(value) => truth(value),
                PathEnd::Absent => Tri::False,
                PathEnd::Unknown { .. } => Tri::Unknown,
            },
            Op::Truth(Operand::Term(idx)) => {
                self.prepare_term(*idx);
                self.cached_term(*idx).map_or(Tri::Unknown, |cached| truth(&cached.value))
            }
            Op::Truth(operand) => truth(self.read(operand)),
            Op::EnumInPath { negated, variant, slots } => enum_in_path(self.system, *variant, slots, *negated),
            Op::EnumIntersectsPath { slots, mask, path } => match self.buf.guard_sets.get(*path as usize) {
                // The set's summary, when made for this decision: the bits below 64 are all
                // an intersection with a constant can find there.
                Some((stamp, EnumSet::Bits { bits, unknown })) if *stamp == self.buf.decision => {
                    if bits & mask.first().copied().unwrap_or(0) != 0 {
                        Tri::True
                    } else if *unknown {
                        Tri::Unknown
                    } else {
                        Tri::False
                    }
                }
                _ => match walk_path(self.system, slots) {
                    PathEnd::Found(collection) => enum_intersects(mask, collection),
                    PathEnd::Absent => Tri::False,
                    PathEnd::Unknown { .. } => Tri::Unknown,
                },
            },
            Op::Member { negated, element, collection } => {
                self.prepare(element);
                self.prepare(collection);
                member_values(*negated, self.read(element), self.read(collection))
            }
            Op::Compare { op, left: Operand::Path(slots), right: Operand::Const(constant) } => {
                match walk_path(self.system, slots) {
                    PathEnd::Found(value) => compare_values(*op, value, constant),
                    PathEnd::Absent => compare_values(*op, &ABSENT, constant),
                    PathEnd::Unknown { .. } => Tri::Unknown,
                }
            }
            Op::Compare { op, left, right } => {
                self.prepare(left);
                self.prepare(right);
                compare_values(*op, self.read(left), self.read(right))
            }
            Op::TierIs { classification, tier, negated } => self.tier_is(*classification, *tier, *negated),
            Op::Tree(expr) => self.condition(expr),
            Op::Not | Op::Decide { .. } | Op::Last { .. } => Tri::Unknown,
        }
    }

    /// Makes an operand readable: a term not yet evaluated for this decision is evaluated into
    /// the term cache.
    #[inline]
    fn prepare(&mut self, operand: &Operand) {
        if let Operand::Term(idx) = operand {
            self.prepare_term(*idx);
        }
    }

    /// Evaluates term `idx` into the term cache unless it is there for this decision.
    #[inline]
    fn prepare_term(&mut self, idx: u32) {
        if self.cached_term(idx).is_some() {
            return;
        }
        let rulebook = self.rulebook;
        match rulebook.terms.get(idx as usize) {
            // A condition in flat form, where nothing is recorded: run and cached directly.
            Some(term) if !self.record && !term.flat.is_empty() => self.flat_term(idx, &term.flat),
            _ => {
                let frame = self.locals.len();
                self.term_in_frame(idx, frame, 0);
            }
        }
    }

    /// A parameterless term whose body is a condition in flat form, evaluated into the term
    /// cache on the verdicts-only path: what `term_in_frame` does there, without what it records
    /// for full verdicts.
    fn flat_term(&mut self, idx: u32, flat: &'a FlatCondition) {
        let frame = self.locals.len();
        let saved_frame = std::mem::replace(&mut self.frame, frame);
        let mark = self.buf.missing.len();
        let value = match self.run_flat(flat) {
            Tri::True => Value::Bool(true),
            Tri::False => Value::Bool(false),
            Tri::Unknown => Value::Unknown,
        };
        self.frame = saved_frame;
        self.locals.truncate(frame);
        let decision = self.buf.decision;
        let Scratch { term_cache, term_stamp, missing, .. } = &mut *self.buf;
        if let (Some(slot), Some(stamp)) = (term_cache.get_mut(idx as usize), term_stamp.get_mut(idx as usize)) {
            slot.value = value;
            slot.missing.clear();
            slot.missing.extend_from_slice(missing.get(mark..).unwrap_or_default());
            slot.facts.clear();
            *stamp = decision;
        }
    }

    /// An operand's value, borrowed from the rulebook, the description or the term cache.
    fn read<'s>(&'s self, operand: &'s Operand) -> &'s Value {
        match operand {
            Operand::Const(value) => value,
            Operand::Path(slots) => match walk_path(self.system, slots) {
                PathEnd::Found(value) => value,
                PathEnd::Absent => &ABSENT,
                PathEnd::Unknown { .. } => &UNKNOWN,
            },
            Operand::Term(idx) => self.cached_term(*idx).map_or(&UNKNOWN, |cached| &cached.value),
        }
    }

    #[inline(never)]
    fn eval_other(&mut self, expr: &'a IrExpr) -> Cow<'a, Value> {
        match expr {
            IrExpr::Const(value) => Cow::Borrowed(value),
            IrExpr::AsOf => Cow::Owned(Value::Date(self.as_of)),
            IrExpr::Root => Cow::Borrowed(self.system),
            IrExpr::Local(idx) => match self.locals.get(self.frame + *idx as usize) {
                Some(local) => local.value.clone(),
                None => Cow::Owned(Value::Unknown),
            },
            IrExpr::Field { base, slot, ty, .. } => {
                let base_value = self.eval(base);
                let field = match base_value {
                    Cow::Borrowed(Value::Record(fields)) => fields.get(*slot as usize).map(Cow::Borrowed),
                    Cow::Owned(Value::Record(fields)) => fields.get(*slot as usize).cloned().map(Cow::Owned),
                    Cow::Borrowed(Value::Absent) | Cow::Owned(Value::Absent) => Some(Cow::Owned(Value::Absent)),
                    _ => None,
                };
                match field {
                    Some(value) if is_unknown(&value) => {
                        if self.record {
                            let path = self.path_of(expr, self.frame);
                            self.buf.missing.push(path);
                        }
                        value
                    }
                    Some(value) => {
                        let structural = is_structural(ty);
                        if self.options.explain && !structural {
                            let path = self.path_of(expr, self.frame);
                            self.buf.facts.insert(FactUsed { path, value: show_value(self.schema, &value, ty) });
                        }
                        value
                    }
                    // The base itself was unknown; its path is already recorded.
                    None => Cow::Owned(Value::Unknown),
                }
            }
            IrExpr::Term { term, args } => {
                let TermTarget::Index(idx) = term else { return Cow::Owned(Value::Unknown) };
                // Arguments are bound where the term's frame will start, without a vector of their own.
                let frame = self.locals.len();
                for (offset, arg) in args.iter().enumerate() {
                    let value = self.eval(arg);
                    self.bind(frame + offset, value, Origin::Expr { expr: arg, frame: self.frame });
                }
                Cow::Owned(self.term_in_frame(*idx, frame, args.len()))
            }
            IrExpr::Tier(target) => {
                let TierTarget::Index(idx) = target else { return Cow::Owned(Value::Unknown) };
                match self.tier_lookup(*idx, None).0 {
                    Some(tier) => Cow::Owned(Value::Enum(tier)),
                    None => Cow::Owned(Value::Unknown),
                }
            }
            IrExpr::Not(inner) => {
                let value = self.condition(inner);
                tri_value(value.not())
            }
            IrExpr::Neg(inner) => match &*self.eval(inner) {
                Value::Number(value) => Cow::Owned(Value::Number(-*value)),
                Value::Quantity(value) => Cow::Owned(Value::Quantity(-*value)),
                _ => Cow::Owned(Value::Unknown),
            },
            IrExpr::And(operands) => tri_value(self.junction(operands, Tri::False)),
            IrExpr::Or(operands) => tri_value(self.junction(operands, Tri::True)),
            IrExpr::Compare { op, left, right, .. } => {
                let mark = self.buf.missing.len();
                let result = self.compare(*op, left, right);
                if result != Tri::Unknown {
                    self.buf.missing.truncate(mark);
                }
                tri_value(result)
            }
            IrExpr::Member { negated, element, collection } => tri_value(self.member(*negated, element, collection)),
            IrExpr::Intersects(left, right) if is_countries(left) || is_countries(right) => {
                tri_value(self.countries_intersect(left, right))
            }
            IrExpr::Intersects(left, right) => {
                let mark = self.buf.missing.len();
                let left = self.eval(left);
                let right = self.eval(right);
                let result = match (&*left, &*right) {
                    (Value::Absent, _) | (_, Value::Absent) => Tri::False,
                    (Value::Set(a) | Value::List(a), Value::Set(b) | Value::List(b)) => {
                        if a.iter().any(|item| !is_unknown(item) && b.contains(item)) {
                            Tri::True
                        } else if a.iter().any(is_unknown) || b.iter().any(is_unknown) {
                            Tri::Unknown
                        } else {
                            Tri::False
                        }
                    }
                    _ => Tri::Unknown,
                };
                if result != Tri::Unknown {
                    self.buf.missing.truncate(mark);
                }
                tri_value(result)
            }
            IrExpr::Arith { op, left, right } => {
                let left = self.eval(left);
                let right = self.eval(right);
                let result = match (&*left, &*right) {
                    (Value::Number(a), Value::Number(b)) => arith(*op, *a, *b).map(Value::Number),
                    (Value::Quantity(a), Value::Quantity(b)) => arith(*op, *a, *b).map(Value::Quantity),
                    (Value::Number(a), Value::Quantity(b)) | (Value::Quantity(b), Value::Number(a)) => {
                        arith(*op, *a, *b).map(Value::Quantity)
                    }
                    // An optional quantity that does not exist adds nothing: a model that was not
                    // fine-tuned has no fine-tuning compute to add to its pre-training.
                    (Value::Absent, other) | (other, Value::Absent) if matches!(op, BinOp::Add) => match other {
                        Value::Number(_) | Value::Quantity(_) | Value::Absent => Some(other.clone()),
                        _ => None,
                    },
                    (Value::Quantity(a), Value::Absent) | (Value::Number(a), Value::Absent)
                        if matches!(op, BinOp::Sub) =>
                    {
                        Some(if matches!(*left, Value::Quantity(_)) { Value::Quantity(*a) } else { Value::Number(*a) })
                    }
                    (Value::Absent, _) | (_, Value::Absent) => Some(Value::Absent),
                    _ => None,
                };
                Cow::Owned(result.unwrap_or(Value::Unknown))
            }
            IrExpr::DateShift { subtract, date, duration, instant, months } => {
                let date = self.eval(date);
                let duration = self.eval(duration);
                let Value::Quantity(amount) = &*duration else { return Cow::Owned(Value::Unknown) };
                let amount: i64 = match (amount.fract().is_zero(), amount.trunc().try_into()) {
                    (true, Ok(amount)) => amount,
                    _ => return Cow::Owned(Value::Unknown),
                };
                let amount = if *subtract { -amount } else { amount };
                let shifted = match (&*date, instant, months) {
                    (Value::DateTime(timestamp), true, false) => {
                        timestamp.checked_add(jiff::SignedDuration::from_secs(amount)).ok().map(Value::DateTime)
                    }
                    (Value::Date(date), false, true) => jiff::Span::new()
                        .try_months(amount)
                        .ok()
                        .and_then(|span| date.checked_add(span).ok())
                        .map(Value::Date),
                    // A date moves by whole days only; part of a day has no date to land on.
                    (Value::Date(date), false, false) if amount % 86_400 == 0 => jiff::Span::new()
                        .try_days(amount / 86_400)
                        .ok()
                        .and_then(|span| date.checked_add(span).ok())
                        .map(Value::Date),
                    (Value::Absent, _, _) => Some(Value::Absent),
                    _ => None,
                };
                Cow::Owned(shifted.unwrap_or(Value::Unknown))
            }
            IrExpr::Extreme { later, skip_absent, operands } => {
                // Unknown if any date is unknown; else absent if any is absent (an optional event
                // that did not happen has no later date); else the latest (or earliest). With
                // `skip_absent` (`first_of`), the events that did not happen are left out: the
                // earliest of the others, absent only when none happened.
                let mut best: Option<Value> = None;
                let mut absent = false;
                for operand in operands {
                    let value = self.eval(operand);
                    match &*value {
                        Value::Date(_) | Value::DateTime(_) => {
                            let better = match (&best, &*value) {
                                (None, _) => true,
                                (Some(Value::Date(current)), Value::Date(date)) => {
                                    if *later {
                                        date > current
                                    } else {
                                        date < current
                                    }
                                }
                                (Some(Value::DateTime(current)), Value::DateTime(instant)) => {
                                    if *later {
                                        instant > current
                                    } else {
                                        instant < current
                                    }
                                }
                                _ => return Cow::Owned(Value::Unknown),
                            };
                            if better {
                                best = Some(value.into_owned());
                            }
                        }
                        Value::Absent => absent = true,
                        _ => return Cow::Owned(Value::Unknown),
                    }
                }
                match (absent && !*skip_absent, best) {
                    (false, Some(best)) => Cow::Owned(best),
                    (true, _) => Cow::Owned(Value::Absent),
                    (false, None) if absent => Cow::Owned(Value::Absent),
                    (false, None) => Cow::Owned(Value::Unknown),
                }
            }
            IrExpr::Countries(codes) => {
                // The country part of each code; the set as it is when no code has a subdivision
                // (nothing to build), an unknown code stays unknown.
                let codes = self.eval(codes);
                match &*codes {
                    Value::Set(items) | Value::List(items) => {
                        if matches!(&*codes, Value::Set(_)) && !items.iter().any(|item| country(item).is_some()) {
                            return codes;
                        }
                        let mut countries: Vec<Value> = items
                            .iter()
                            .map(|item| match country(item) {
                                Some(code) => Value::Str(code.into()),
                                None => item.clone(),
                            })
                            .collect();
                        countries.sort();
                        countries.dedup();
                        Cow::Owned(Value::Set(countries.into_boxed_slice()))
                    }
                    Value::Absent => Cow::Owned(Value::Absent),
                    _ => Cow::Owned(Value::Unknown),
                }
            }
            IrExpr::Present { expr, present } => {
                // Only an optional fact can be known to be absent; a required fact the description
                // leaves out is unknown, and so is whether it is present.
                let mark = self.buf.missing.len();
                let value = self.eval(expr);
                match *value {
                    Value::Unknown => Cow::Owned(Value::Unknown),
                    Value::Absent => {
                        self.buf.missing.truncate(mark);
                        Cow::Owned(Value::Bool(!*present))
                    }
                    _ => {
                        self.buf.missing.truncate(mark);
                        Cow::Owned(Value::Bool(*present))
                    }
                }
            }
            IrExpr::Quantified { every, local, list, body } => tri_value(self.quantified(*every, *local, list, body)),
            IrExpr::SetOf(elements) => {
                let mut values: Vec<Value> = elements.iter().map(|element| self.eval(element).into_owned()).collect();
                values.sort();
                values.dedup();
                Cow::Owned(Value::Set(values.into_boxed_slice()))
            }
            IrExpr::RootPath { slots, names, ty } => self.root_path(slots, names, ty),
            IrExpr::Error => Cow::Owned(Value::Unknown),
        }
    }

    /// `and` (stop at false) and `or` (stop at true), in Kleene logic.
    fn junction(&mut self, operands: &'a [IrExpr], decisive: Tri) -> Tri {
        self.kleene(decisive, operands.len(), |evaluator, idx| match operands.get(idx) {
            Some(operand) => evaluator.condition(operand),
            None => Tri::Unknown,
        })
    }

    /// Folds `n` three-valued results in Kleene logic: the first `decisive` result decides (and
    /// drops the missing facts gathered so far); otherwise unknown if any was unknown. The missing
    /// facts of results that came out known are dropped as they come.
    fn kleene(&mut self, decisive: Tri, n: usize, mut each: impl FnMut(&mut Self, usize) -> Tri) -> Tri {
        let mark = self.buf.missing.len();
        let mut unknown = false;
        for idx in 0..n {
            let item_mark = self.buf.missing.len();
            match each(self, idx) {
                value if value == decisive => {
                    self.buf.missing.truncate(mark);
                    return decisive;
                }
                Tri::Unknown => unknown = true,
                _ => self.buf.missing.truncate(item_mark),
            }
        }
        if unknown { Tri::Unknown } else { decisive.not() }
    }

    /// `countries(S) intersects T` (either side, or both, `countries(…)`), compared code by code
    /// on the country part without building the sets: the same truth value as the intersection
    /// of the sets `countries` gives.
    fn countries_intersect(&mut self, left: &'a IrExpr, right: &'a IrExpr) -> Tri {
        let strip = |expr: &'a IrExpr| match expr {
            IrExpr::Countries(codes) => (&**codes, true),
            other => (other, false),
        };
        let ((left, left_countries), (right, right_countries)) = (strip(left), strip(right));
        let mark = self.buf.missing.len();
        let left = self.eval(left);
        let right = self.eval(right);
        let result = match (&*left, &*right) {
            (Value::Absent, _) | (_, Value::Absent) => Tri::False,
            (Value::Set(a) | Value::List(a), Value::Set(b) | Value::List(b)) => {
                fn key(item: &Value, countries: bool) -> Option<&str> {
                    match item {
                        Value::Str(text) if countries => Some(text.split_once('-').map_or(&**text, |(code, _)| code)),
                        Value::Str(text) => Some(text),
                        _ => None,
                    }
                }
                let found = a.iter().any(|x| {
                    b.iter().any(|y| match (key(x, left_countries), key(y, right_countries)) {
                        (Some(x), Some(y)) => x == y,
                        _ => !is_unknown(x) && !is_unknown(y) && x == y,
                    })
                });
                if found {
                    Tri::True
                } else if a.iter().any(is_unknown) || b.iter().any(is_unknown) {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            }
            _ => Tri::Unknown,
        };
        if result != Tri::Unknown {
            self.buf.missing.truncate(mark);
        }
        result
    }

    fn quantified(&mut self, every: bool, local: u32, list: &'a IrExpr, body: &'a IrExpr) -> Tri {
        let mark = self.buf.missing.len();
        let list_value = self.eval(list);
        let n_items = match &*list_value {
            Value::List(items) | Value::Set(items) => items.len(),
            Value::Absent => 0,
            _ => return Tri::Unknown,
        };
        let decisive = if every { Tri::False } else { Tri::True };
        let slot = self.frame + local as usize;
        let result = self.kleene(decisive, n_items, |evaluator, index| {
            let item = element(&list_value, index);
            evaluator.bind(slot, item, Origin::Element { list, frame: evaluator.frame, index });
            evaluator.condition(body)
        });
        if result != Tri::Unknown {
            self.buf.missing.truncate(mark);
        }
        result
    }

    fn bind(&mut self, slot: usize, value: Cow<'a, Value>, origin: Origin<'a>) {
        while self.locals.len() <= slot {
            self.locals.push(Local { value: Cow::Owned(Value::Unknown), origin: Origin::None });
        }
        if let Some(local) = self.locals.get_mut(slot) {
            *local = Local { value, origin };
        }
    }

    fn compare(&mut self, op: BinOp, left: &'a IrExpr, right: &'a IrExpr) -> Tri {
        // A classification that is not decided can still rule a tier in or out.
        if matches!(op, BinOp::Eq | BinOp::Ne)
            && let (IrExpr::Tier(TierTarget::Index(idx)), IrExpr::Const(Value::Enum(tier)))
            | (IrExpr::Const(Value::Enum(tier)), IrExpr::Tier(TierTarget::Index(idx))) = (left, right)
        {
            return self.tier_is(*idx, *tier, op == BinOp::Ne);
        }
        let left = self.eval(left);
        let right = self.eval(right);
        compare_values(op, &left, &right)
    }

    /// Whether classification `idx` gives `tier` (or, `negated`, does not): known as soon as the
    /// tier is decided or ruled out.
    fn tier_is(&mut self, idx: u32, tier: u32, negated: bool) -> Tri {
        let mark = self.buf.missing.len();
        let equal = match self.tier_lookup(idx, Some(tier)) {
            (Some(decided), _) => Tri::from_bool(decided == tier),
            (None, false) => {
                self.buf.missing.truncate(mark);
                Tri::False
            }
            (None, true) => Tri::Unknown,
        };
        if negated { equal.not() } else { equal }
    }

    fn term_value(&mut self, idx: u32, args: &[(Cow<'a, Value>, Origin<'a>)]) -> Value {
        let frame = self.locals.len();
        for (offset, (value, origin)) in args.iter().enumerate() {
            self.bind(frame + offset, value.clone(), *origin);
        }
        self.term_in_frame(idx, frame, args.len())
    }

    /// The value of term `idx` whose `n_args` arguments are bound from local `frame` on.
    fn term_in_frame(&mut self, idx: u32, frame: usize, n_args: usize) -> Value {
        let rulebook = self.rulebook;
        let Some(term) = rulebook.terms.get(idx as usize) else {
            self.locals.truncate(frame);
            return Value::Unknown;
        };
        if self.record {
            for reason in &term.info.unsure {
                self.buf.unsure.insert(UnsureMark { declaration: term.info.name.clone(), reason: reason.clone() });
            }
        }
        if n_args == 0
            && self.buf.term_stamp.get(idx as usize) == Some(&self.buf.decision)
            && let Some(cached) = self.buf.term_cache.get(idx as usize)
        {
            let value = cached.value.clone();
            if self.record {
                self.buf.missing.extend(cached.missing.iter().cloned());
            }
            if self.options.explain {
                self.buf.facts.extend(cached.facts.iter().cloned());
            }
            return value;
        }
        // The facts this term reads are gathered apart, so later verdicts that use it inherit them.
        let outer_facts =
            if n_args == 0 && self.options.explain { Some(std::mem::take(&mut self.buf.facts)) } else { None };
        let saved_frame = self.frame;
        self.frame = frame;
        let mark = self.buf.missing.len();
        let value = if self.flat && n_args == 0 && !term.flat.is_empty() {
            // The body is a condition (see `FlatCondition::lower_term`): its value is its truth.
            match self.run_flat(&term.flat) {
                Tri::True => Value::Bool(true),
                Tri::False => Value::Bool(false),
                Tri::Unknown => Value::Unknown,
            }
        } else {
            self.eval(&term.body).into_owned()
        };
        self.frame = saved_frame;
        self.locals.truncate(frame);
        if n_args == 0 {
            let facts: Vec<FactUsed> = match outer_facts {
                Some(outer) => {
                    let term_facts = std::mem::replace(&mut self.buf.facts, outer);
                    self.buf.facts.extend(term_facts.iter().cloned());
                    term_facts.into_iter().collect()
                }
                None => Vec::new(),
            };
            let missing = self.buf.missing.get(mark..).unwrap_or_default();
            if let (Some(slot), Some(cached)) =
                (self.buf.term_cache.get_mut(idx as usize), self.buf.term_stamp.get_mut(idx as usize))
            {
                slot.value.clone_from(&value);
                slot.missing.clear();
                slot.missing.extend_from_slice(missing);
                slot.facts = facts;
                *cached = self.buf.decision;
            }
        }
        value
    }

    /// The decided tier of a classification, whether `tier` is still possible, and (when
    /// undecided and recording) the facts that would decide it added to the missing facts.
    fn tier_lookup(&mut self, idx: u32, tier: Option<u32>) -> (Option<u32>, bool) {
        self.tier(idx);
        let Some(outcome) = self.cached_tier(idx) else { return (None, true) };
        if !self.record {
            // Nothing to record: the outcome alone.
            return (outcome.decided, tier.is_none_or(|tier| outcome.possible.contains(&tier)));
        }
        let possible = tier.is_none_or(|tier| outcome.possible.contains(&tier));
        let decided = outcome.decided;
        let branch = outcome.branch;
        if decided.is_none() && self.record {
            let missing = outcome.missing.clone();
            self.buf.missing.extend(missing);
        }
        if self.record {
            // A verdict that depends on a classification carries its unsure marks.
            let rulebook = self.rulebook;
            if let Some(classification) = rulebook.classifications.get(idx as usize) {
                let branch_info =
                    branch.and_then(|branch| classification.branches.get(branch)).map(|branch| &branch.info);
                for info in std::iter::once(&classification.info).chain(branch_info) {
                    for reason in &info.unsure {
                        self.buf.unsure.insert(UnsureMark { declaration: info.name.clone(), reason: reason.clone() });
                    }
                }
            }
        }
        (decided, possible)
    }

    /// Decides classification `idx` into the tier cache, unless it is there already.
    fn tier(&mut self, idx: u32) {
        if self.cached_tier(idx).is_some() {
            return;
        }
        let rulebook = self.rulebook;
        let Some(classification) = rulebook.classifications.get(idx as usize) else { return };
        if !self.record && self.quick_tier(idx, classification, true).is_some() {
            return;
        }
        self.classify_into_cache(idx, classification);
    }

    /// Decides classification `idx` by `classify` into the tier cache.
    fn classify_into_cache(&mut self, idx: u32, classification: &'a IrClassification) {
        let mut outcome = self.buf.tier_cache.get_mut(idx as usize).map(std::mem::take).unwrap_or_default();
        self.classify(classification, &mut outcome);
        if let (Some(slot), Some(cached)) =
            (self.buf.tier_cache.get_mut(idx as usize), self.buf.tier_stamp.get_mut(idx as usize))
        {
            *slot = outcome;
            *cached = self.buf.decision;
        }
    }

    /// On the verdicts-only path, the usual case of a classification: its branches tried in
    /// order until one holds, none of them unknown on the way, so that the first that holds
    /// wins (or none does) and no tier is merely possible. Decided straight into the tier cache,
    /// as `classify` would; false (nothing cached) when a branch is unknown, for `classify` to
    /// weigh it (conditions have no effect but the caches, so weighing them again is sound).
    ///
    /// The tier decided (`Some(None)` when no branch holds), or `None` when a branch is unknown.
    #[inline(always)]
    fn quick_tier(&mut self, idx: u32, classification: &'a IrClassification, keep: bool) -> Option<Option<u32>> {
        let mark = self.buf.missing.len();
        let holds = if self.flat
            && let Some(chain) = &classification.chain
            && chain.days.contains(self.as_of_key)
        {
            // Every branch in force: the chained graphs find the first branch that holds.
            let first = self.run_chain(classification, chain);
            self.buf.missing.truncate(mark);
            first?.and_then(|branch| classification.branches.get(branch as usize).map(|it| (branch as usize, it.tier)))
        } else {
            self.first_branch(classification, mark)?
        };
        if keep {
            self.write_tier(idx, holds);
        }
        Some(holds.map(|(_, tier)| tier))
    }

    /// The first branch of `classification` in force that holds (`Some(None)` when none does), or
    /// `None` when a branch is unknown: `quick_tier` branch by branch.
    fn first_branch(&mut self, classification: &'a IrClassification, mark: usize) -> Option<Option<(usize, u32)>> {
        let mut holds = None;
        for (branch_idx, branch) in classification.branches.iter().enumerate() {
            if !branch.info.days.contains(self.as_of_key) {
                continue;
            }
            let value = match &branch.when {
                None => Tri::True,
                // A branch in flat form without a guard: its instructions run here.
                Some(_) if self.flat && !branch.flat.nodes().is_empty() && !branch.flat.is_guarded() => {
                    self.run_graph(&branch.flat, 0)
                }
                Some(when) => self.when(&branch.flat, when),
            };
            match value {
                Tri::True => {
                    holds = Some((branch_idx, branch.tier));
                    break;
                }
                Tri::Unknown => {
                    self.buf.missing.truncate(mark);
                    return None;
                }
                Tri::False => {}
            }
        }
        self.buf.missing.truncate(mark);
        Some(holds)
    }

    /// Writes a classification decided by its first branch that holds (`holds`: the branch and
    /// its tier) into the tier cache, as `classify` would.
    fn write_tier(&mut self, idx: u32, holds: Option<(usize, u32)>) {
        let decision = self.buf.decision;
        let decided = holds.map(|(_, tier)| tier);
        let Scratch { tier_cache, tier_stamp, .. } = &mut *self.buf;
        if let (Some(slot), Some(stamp)) = (tier_cache.get_mut(idx as usize), tier_stamp.get_mut(idx as usize)) {
            slot.possible.clear();
            if let Some(tier) = decided {
                slot.possible.push(tier);
            }
            slot.decided = decided;
            slot.branch = holds.map(|(branch, _)| branch);
            if !slot.missing.is_empty() {
                slot.missing.clear();
            }
            *stamp = decision;
        }
    }

    /// Runs a classification's chained branches (see `flat::Chain`): the number of the first
    /// branch that holds, `Some(None)` when none does, `None` when one is unknown.
    #[inline(always)]
    fn run_chain(&mut self, classification: &'a IrClassification, chain: &'a flat::Chain) -> Option<Option<u32>> {
        let mut at = chain.start;
        loop {
            let Some(node) = chain.nodes.get(at as usize) else {
                return chain_end(at);
            };
            let outcome = match self.test(node.test) {
                Some(outcome) => outcome,
                None => match classification
                    .branches
                    .get(node.branch as usize)
                    .and_then(|branch| branch.flat.ops().get(node.leaf as usize))
                {
                    Some(op) => self.leaf(op),
                    None => Tri::Unknown,
                },
            };
            at = next(&node.next, outcome);
        }
    }

    /// The tier classification `idx` decides, on the verdicts-only path: from the tier cache,
    /// else by its branches tried in order (`quick_tier`), else weighed by `classify`. `keep`:
    /// whether a tier decided by its branches goes to the tier cache (not needed when nothing
    /// weighed after it can read it).
    #[inline]
    fn decided_tier(&mut self, idx: u32, classification: &'a IrClassification, keep: bool) -> Option<u32> {
        if let Some(outcome) = self.cached_tier(idx) {
            return outcome.decided;
        }
        if let Some(decided) = self.quick_tier(idx, classification, keep) {
            return decided;
        }
        self.classify_into_cache(idx, classification);
        self.cached_tier(idx).and_then(|outcome| outcome.decided)
    }

    /// Decides a classification into `outcome`, reusing its buffers.
    fn classify(&mut self, classification: &'a IrClassification, outcome: &mut TierOutcome) {
        if self.record {
            for reason in &classification.info.unsure {
                self.buf
                    .unsure
                    .insert(UnsureMark { declaration: classification.info.name.clone(), reason: reason.clone() });
            }
        }
        let outer_mark = self.buf.missing.len();
        let possible = &mut outcome.possible;
        possible.clear();
        let mut decided_branch = None;
        for (branch_idx, branch) in classification.branches.iter().enumerate() {
            let applies_today = branch.info.days.contains(self.as_of_key);
            let value = match (&branch.when, applies_today) {
                (_, false) => Tri::False,
                (None, true) => Tri::True,
                (Some(when), true) => {
                    let mark = self.buf.missing.len();
                    let value = self.when(&branch.flat, when);
                    if value != Tri::Unknown {
                        self.buf.missing.truncate(mark);
                    }
                    value
                }
            };
            match value {
                Tri::True => {
                    if !possible.contains(&branch.tier) {
                        possible.push(branch.tier);
                    }
                    decided_branch = Some(branch_idx);
                    break;
                }
                Tri::Unknown => {
                    if !possible.contains(&branch.tier) {
                        possible.push(branch.tier);
                    }
                }
                Tri::False => {}
            }
        }
        outcome.missing.clear();
        match possible.as_slice() {
            [only] => {
                outcome.decided = Some(*only);
                outcome.branch = decided_branch;
            }
            _ => {
                outcome.decided = None;
                outcome.branch = None;
                outcome.missing.extend(self.buf.missing.drain(outer_mark..));
            }
        }
        self.buf.missing.truncate(outer_mark);
    }

    // ----- Provisions -----------------------------------------------------------------------

    fn redline(&mut self, redline: &'a IrRedline, idx: u32, rulebook_in_force: bool) -> RedlineVerdict {
        self.start_verdict(&redline.info);
        let by = redline.by.as_ref().map(|role| self.role_holders(role));
        let start = self.buf.trace.len();
        let (verdict, possible, exception) = self.redline_core(redline, idx, rulebook_in_force);
        if verdict != RedlineOutcome::Undetermined {
            self.buf.missing.clear();
        }
        let explanation = self.explain_steps(&redline.info, &redline.exceptions, redline.by.as_ref(), start, false);
        RedlineVerdict {
            redline: redline.info.name.clone(),
            verdict,
            possible: possible.to_vec(),
            exception: exception.map(|exception| exception.info.name.clone()),
            acts: redline.acts.clone(),
            by,
            basis: self.basis(&redline.info, explanation),
        }
    }

    /// Whether a provision (and its rulebook) is in force on the evaluation date; if not, says why.
    fn provision_in_force(&mut self, info: &ProvisionInfo, rulebook_in_force: bool) -> bool {
        let in_force = rulebook_in_force && info.days.contains(self.as_of_key);
        if !in_force {
            self.buf.trace.push(Step::NotInForce);
        }
        in_force
    }

    /// The prose explanation of one provision, from its steps in the trace (from `start` on),
    /// when explanations were asked for; the steps are dropped either way.
    fn explain_steps(
        &mut self,
        info: &ProvisionInfo,
        exceptions: &[IrException],
        role: Option<&RoleTarget>,
        start: usize,
        obligation: bool,
    ) -> Vec<String> {
        let mut explanation = Vec::new();
        if self.options.explain {
            let condition = info.condition_text.as_deref().unwrap_or("…");
            for step in self.buf.trace.get(start..).unwrap_or_default() {
                let line = match *step {
                    Step::Redline(_) | Step::Obligation(_) => continue,
                    Step::NotInForce => not_in_force_text(info, self.as_of),
                    Step::Condition(when) if obligation => format!("applies when `{condition}`: {}", when.as_str()),
                    Step::Condition(when) => format!("condition `{condition}` is {}", when.as_str()),
                    Step::Role(held) => {
                        let role = role.map_or("…", |role| role.name.as_str());
                        match held {
                            Tri::True => format!("some party is a `{role}`"),
                            Tri::False => format!("no party of the system is a `{role}`"),
                            Tri::Unknown => format!("whether any party is a `{role}` is not known"),
                        }
                    }
                    Step::ExceptionNotInForce(index) => {
                        let name = nth_exception(exceptions, index).map_or("…", |exception| &exception.info.name);
                        format!("exception `{name}` is not in force on {}", self.as_of)
                    }
                    Step::Exception { index, when, applies, inner } => {
                        let Some(exception) = nth_exception(exceptions, index) else { continue };
                        let cite = exception
                            .info
                            .citations
                            .first()
                            .map(|citation| format!(" ({})", citation.text))
                            .unwrap_or_default();
                        let because = match inner.and_then(|inner| nth_exception(exceptions, inner)) {
                            Some(inner) => format!("its own exception `{}` applies", inner.info.name),
                            None => format!(
                                "its condition `{}` is {}",
                                exception.info.condition_text.as_deref().unwrap_or("…"),
                                when.as_str()
                            ),
                        };
                        let verb = match applies {
                            Tri::True => "applies",
                            Tri::False => "does not apply",
                            Tri::Unknown => "may apply",
                        };
                        format!("exception `{}`{cite} {verb}: {because}", exception.info.name)
                    }
                    Step::NoEvent => "no event triggers it".to_owned(),
                };
                explanation.push(line);
            }
        }
        self.buf.trace.truncate(start);
        explanation
    }

    /// A redline's verdict, the verdicts still possible, and the exception that applied.
    fn redline_core(
        &mut self,
        redline: &'a IrRedline,
        idx: u32,
        rulebook_in_force: bool,
    ) -> (RedlineOutcome, &'static [RedlineOutcome], Option<&'a IrException>) {
        if !(rulebook_in_force && redline.info.days.contains(self.as_of_key)) {
            self.buf.trace.extend_from_slice(&[Step::Redline(idx), Step::NotInForce]);
            (RedlineOutcome::NotInForce, &[], None)
        } else {
            let when = self.when(&redline.flat, &redline.when);
            self.redline_weighed(redline, idx, when)
        }
    }

    /// A redline in force whose condition came out `when`: its role and exceptions weighed.
    #[inline]
    /// Its steps go to the trace, except on the verdicts-only path when the condition is false:
    /// a redline in force that leaves no step there had a false condition (see
    /// `Outcomes::trace`).
    fn redline_weighed(
        &mut self,
        redline: &'a IrRedline,
        idx: u32,
        mut when: Tri,
    ) -> (RedlineOutcome, &'static [RedlineOutcome], Option<&'a IrException>) {
        use RedlineOutcome::*;
        if when == Tri::False && !self.record {
            return (NotProhibited, &[], None);
        }
        {
            self.buf.trace.extend_from_slice(&[Step::Redline(idx), Step::Condition(when)]);
            // The act is forbidden to a role: with no party in that role, nobody commits it.
            if let (Some(role), false) = (&redline.by, when == Tri::False) {
                when = and(when, self.role_condition(role));
            }
            let (exception, exception_applied) =
                if when == Tri::False { (Tri::False, None) } else { self.exceptions(&redline.exceptions, 0) };
            let (outcome, possible) = redline_verdict(when, exception);
            let applied = if outcome == Exempted { exception_applied.map(|(exception, _)| exception) } else { None };
            (outcome, possible, applied)
        }
    }

    /// Whether any exception applies (Kleene `or`), and the first that surely does with its
    /// preorder number. `first` numbers the first of `exceptions` among the provision's.
    fn exceptions(&mut self, exceptions: &'a [IrException], first: u32) -> (Tri, Option<(&'a IrException, u32)>) {
        let mark = self.buf.missing.len();
        let mut unknown = false;
        let mut index = first;
        for exception in exceptions {
            let exception_mark = self.buf.missing.len();
            let applies = self.exception(exception, index);
            match applies {
                Tri::True => {
                    self.buf.missing.truncate(mark);
                    return (Tri::True, Some((exception, index)));
                }
                Tri::Unknown => unknown = true,
                Tri::False => self.buf.missing.truncate(exception_mark),
            }
            index += 1 + count_exceptions(&exception.exceptions);
        }
        (if unknown { Tri::Unknown } else { Tri::False }, None)
    }

    /// Whether exception number `index` (in preorder) applies; its step goes to the trace.
    fn exception(&mut self, exception: &'a IrException, index: u32) -> Tri {
        if self.record {
            for reason in &exception.info.unsure {
                self.buf.unsure.insert(UnsureMark { declaration: exception.info.name.clone(), reason: reason.clone() });
            }
        }
        if !exception.info.days.contains(self.as_of_key) {
            self.buf.trace.push(Step::ExceptionNotInForce(index));
            return Tri::False;
        }
        let when = self.when(&exception.flat, &exception.when);
        let (inner, inner_applied) =
            if when == Tri::False { (Tri::False, None) } else { self.exceptions(&exception.exceptions, index + 1) };
        let applies = exception_applies(when, inner);
        self.buf.trace.push(Step::Exception { index, when, applies, inner: inner_applied.map(|(_, inner)| inner) });
        applies
    }

    fn role_holders(&mut self, role: &RoleTarget) -> RoleHolders {
        let mark = self.buf.missing.len();
        let (holders, possibly) = self.role_members(role);
        self.buf.missing.truncate(mark);
        RoleHolders { role: role.name.clone(), parties: holders, possibly }
    }

    /// Whether some party holds the role a provision names; its step goes to the trace.
    fn role_condition(&mut self, role: &RoleTarget) -> Tri {
        let held = self.role_held(role);
        self.buf.trace.push(Step::Role(held));
        held
    }

    /// Whether some party holds a role (Kleene `or` over the parties).
    fn role_held(&mut self, role: &RoleTarget) -> Tri {
        let TermTarget::Index(idx) = role.term else { return Tri::Unknown };
        let rulebook = self.rulebook;
        let Some(Some(role_info)) = rulebook.roles.get(idx as usize) else { return Tri::Unknown };
        let mark = self.buf.missing.len();
        let domain = self.eval(&role_info.domain);
        let n_parties = match &*domain {
            Value::List(items) | Value::Set(items) => items.len(),
            Value::Absent => 0,
            _ => return Tri::Unknown,
        };
        let result = self.kleene(Tri::True, n_parties, |evaluator, index| {
            let party = element(&domain, index);
            let origin = Origin::Element { list: &role_info.domain, frame: evaluator.frame, index };
            let value = evaluator.term_value(idx, &[(party, origin)]);
            truth(&value)
        });
        if result != Tri::Unknown {
            self.buf.missing.truncate(mark);
        }
        result
    }

    /// The parties that hold a role, and those that may.
    fn role_members(&mut self, role: &RoleTarget) -> (Vec<String>, Vec<String>) {
        let TermTarget::Index(idx) = role.term else { return (Vec::new(), Vec::new()) };
        let rulebook = self.rulebook;
        let Some(Some(role_info)) = rulebook.roles.get(idx as usize) else { return (Vec::new(), Vec::new()) };
        let domain = self.eval(&role_info.domain);
        let n_parties = match &*domain {
            Value::List(items) | Value::Set(items) => items.len(),
            Value::Absent => 0,
            _ => return (Vec::new(), vec![format!("{} (not given)", self.path_of(&role_info.domain, self.frame))]),
        };
        let mut holders = Vec::new();
        let mut possibly = Vec::new();
        for index in 0..n_parties {
            let party = element(&domain, index);
            let label = match (&*party, role_info.label_slot) {
                (Value::Record(fields), Some(slot)) => match fields.get(slot as usize) {
                    Some(Value::Str(name)) => name.to_string(),
                    _ => format!("{}[{index}]", self.path_of(&role_info.domain, self.frame)),
                },
                _ => format!("{}[{index}]", self.path_of(&role_info.domain, self.frame)),
            };
            let value =
                self.term_value(idx, &[(party, Origin::Element { list: &role_info.domain, frame: self.frame, index })]);
            match truth(&value) {
                Tri::True => holders.push(label),
                Tri::Unknown => possibly.push(label),
                Tri::False => {}
            }
        }
        (holders, possibly)
    }

    fn classification_verdict(
        &mut self,
        idx: u32,
        classification: &'a IrClassification,
        rulebook_in_force: bool,
    ) -> ClassificationVerdict {
        self.start_verdict(&classification.info);
        let names = self.schema.enum_def(classification.tiers).map(|def| def.variants.clone()).unwrap_or_default();
        let name = |tier: u32| names.get(tier as usize).cloned().unwrap_or_default();
        if !rulebook_in_force
            || !in_force(classification.info.applies_from, classification.info.applies_until, self.as_of)
        {
            let explanation = if self.options.explain {
                vec![not_in_force_text(&classification.info, self.as_of)]
            } else {
                Vec::new()
            };
            return ClassificationVerdict {
                classification: classification.info.name.clone(),
                tier: None,
                possible: Vec::new(),
                not_in_force: true,
                basis: self.basis(&classification.info, explanation),
            };
        }
        // Evaluate afresh (not from the cache) so the facts used are recorded for this verdict.
        let mut outcome = TierOutcome::default();
        self.classify(classification, &mut outcome);
        if let (Some(slot), Some(cached)) =
            (self.buf.tier_cache.get_mut(idx as usize), self.buf.tier_stamp.get_mut(idx as usize))
        {
            slot.clone_from(&outcome);
            *cached = self.buf.decision;
        }
        let mut explanation = Vec::new();
        let mut citations = classification.info.citations.clone();
        if let Some(branch) = outcome.branch.and_then(|branch| classification.branches.get(branch)) {
            citations.extend(branch.info.citations.iter().cloned());
            for reason in &branch.info.unsure {
                self.buf.unsure.insert(UnsureMark {
                    declaration: format!("{}.{}", classification.info.name, branch.info.name),
                    reason: reason.clone(),
                });
            }
            if self.options.explain {
                match &branch.info.condition_text {
                    Some(text) => explanation.push(format!("tier `{}`: condition `{text}` is true", branch.info.name)),
                    None => explanation.push(format!("tier `{}`: no earlier branch applies", branch.info.name)),
                }
            }
        } else if self.options.explain {
            explanation.push(format!(
                "the tier is one of {} until the missing facts are known",
                outcome.possible.iter().map(|tier| format!("`{}`", name(*tier))).collect::<Vec<_>>().join(", ")
            ));
        }
        self.buf.missing = outcome.missing.clone();
        let mut basis = self.basis(&classification.info, explanation);
        basis.citations = citations;
        ClassificationVerdict {
            classification: classification.info.name.clone(),
            tier: outcome.decided.map(name),
            possible: if outcome.decided.is_none() {
                outcome.possible.iter().map(|tier| name(*tier)).collect()
            } else {
                Vec::new()
            },
            not_in_force: false,
            basis,
        }
    }

    fn obligation(&mut self, obligation: &'a IrObligation, rulebook_in_force: bool) -> ObligationVerdict {
        self.start_verdict(&obligation.info);
        let owed_by = obligation.by.as_ref().map(|role| self.role_holders(role));
        let start = self.buf.trace.len();
        let mut instances = Vec::new();
        let (verdict, exception) = self.obligation_core(obligation, rulebook_in_force, &mut instances);
        let mut explanation =
            self.explain_steps(&obligation.info, &obligation.exceptions, obligation.by.as_ref(), start, true);
        let due = instances
            .iter()
            .filter(|instance| instance.verdict == ObligationOutcome::Pending)
            .filter_map(|instance| instance.due.clone())
            .min();
        if self.options.explain {
            for instance in &instances {
                let due = instance.due.as_deref().map(|due| format!(", due {due}")).unwrap_or_default();
                let evidence = match (&instance.evidence, &instance.evidence_date) {
                    (Some(path), Some(date)) => format!(", evidence {path} dated {date}"),
                    (Some(path), None) => format!(", evidence {path}"),
                    _ => String::new(),
                };
                let judgement = match (&obligation.due, instance.verdict) {
                    (_, ObligationOutcome::Undetermined) if instance.needs_judgement_of_efforts => {
                        match instance.evidence {
                            Some(_) => {
                                ": given after the due date; whether the party made the efforts the law asks needs judgement"
                            }
                            None => ": none given; whether the party made the efforts the law asks needs judgement",
                        }
                    }
                    (IrDue::Immediately { .. }, ObligationOutcome::Undetermined)
                        if instance.missing_facts.is_empty() =>
                    {
                        match instance.evidence {
                            Some(_) => ": given after the day of the event; whether that was immediate needs judgement",
                            None => {
                                ": none given on the day of the event; whether the delay is still immediate needs judgement"
                            }
                        }
                    }
                    _ => "",
                };
                let verdict = instance.verdict.as_str();
                explanation.push(match wording::evidence_searched(obligation, instance) {
                    // The system's own instance is best named by what it lacks.
                    Some(searched) if instance.instance == "$" => format!("{searched}: {verdict}{due}{judgement}"),
                    Some(searched) => {
                        format!(
                            "{}: {verdict}{due}{judgement}: {searched}",
                            wording::instance_subject(&instance.instance)
                        )
                    }
                    None => {
                        format!(
                            "{}: {verdict}{due}{evidence}{judgement}",
                            wording::instance_subject(&instance.instance)
                        )
                    }
                });
            }
        }
        ObligationVerdict {
            obligation: obligation.info.name.clone(),
            verdict,
            exception: exception.map(|exception| exception.info.name.clone()),
            due,
            act: obligation.act.clone(),
            owed_by,
            instances,
            basis: self.basis(&obligation.info, explanation),
        }
    }

    /// An obligation's applicability: its condition and someone holding the role that owes the
    /// duty; then whether one of its exceptions lifts it (Kleene `or`), and the first that surely
    /// does. Exceptions are weighed only where the duty is not already ruled out.
    fn obligation_applicability(&mut self, obligation: &'a IrObligation) -> (Tri, Tri, Option<&'a IrException>) {
        let mut applicable = match &obligation.when {
            Some(when) => {
                let value = self.when(&obligation.flat, when);
                self.buf.trace.push(Step::Condition(value));
                value
            }
            None => Tri::True,
        };
        // The role matters only if the condition does not already rule the duty out.
        if let (Some(role), false) = (&obligation.by, applicable == Tri::False) {
            applicable = and(applicable, self.role_condition(role));
        }
        if applicable == Tri::False || obligation.exceptions.is_empty() {
            return (applicable, Tri::False, None);
        }
        let (lifted, applied) = self.exceptions(&obligation.exceptions, 0);
        (applicable, lifted, applied.map(|(exception, _)| exception))
    }

    /// An obligation's aggregate verdict and the exception that lifted it; its triggering
    /// instances go to `instances`.
    fn obligation_core(
        &mut self,
        obligation: &'a IrObligation,
        rulebook_in_force: bool,
        instances: &mut Vec<InstanceVerdict>,
    ) -> (ObligationOutcome, Option<&'a IrException>) {
        instances.clear();
        if !self.provision_in_force(&obligation.info, rulebook_in_force) {
            return (ObligationOutcome::NotInForce, None);
        }
        let (applicable, lifted, exception) = self.obligation_applicability(obligation);
        if applicable == Tri::False || lifted == Tri::True {
            self.buf.missing.clear();
            return (ObligationOutcome::NotApplicable, exception);
        }
        let mut maybe_more = false;
        match &obligation.for_each {
            Some(binder) => {
                let list = self.eval(&binder.list);
                match &*list {
                    Value::List(items) | Value::Set(items) => {
                        for index in 0..items.len() {
                            let slot = binder.local as usize;
                            self.bind(
                                slot,
                                element(&list, index),
                                Origin::Element { list: &binder.list, frame: 0, index },
                            );
                            let instance_path = if self.record {
                                format!("{}[{index}]", self.path_of(&binder.list, 0))
                            } else {
                                String::new()
                            };
                            let selected = match &binder.filter {
                                Some(filter) => {
                                    let mark = self.buf.missing.len();
                                    let value = self.condition(filter);
                                    if value != Tri::Unknown {
                                        self.buf.missing.truncate(mark);
                                    }
                                    value
                                }
                                None => Tri::True,
                            };
                            match selected {
                                Tri::False => continue,
                                Tri::Unknown => {
                                    maybe_more = true;
                                    continue;
                                }
                                Tri::True => {}
                            }
                            self.instances_of(obligation, instance_path, instances);
                        }
                    }
                    Value::Absent => {}
                    _ => maybe_more = true,
                }
            }
            None => {
                let path = if self.record { "$".to_owned() } else { String::new() };
                self.instances_of(obligation, path, instances);
            }
        }
        // No triggering event makes the duty inapplicable whatever the unknown conditions are.
        let verdict = if instances.is_empty() && !maybe_more {
            self.buf.trace.push(Step::NoEvent);
            ObligationOutcome::NotApplicable
        } else if applicable == Tri::Unknown {
            ObligationOutcome::Undetermined
        } else {
            match aggregate(instances) {
                ObligationOutcome::Violated => ObligationOutcome::Violated,
                _ if maybe_more => ObligationOutcome::Undetermined,
                other => other,
            }
        };
        // An exception that may apply leaves the duty open unless it is met anyway.
        let verdict = match verdict {
            ObligationOutcome::Satisfied | ObligationOutcome::NotApplicable => verdict,
            _ if lifted == Tri::Unknown => ObligationOutcome::Undetermined,
            _ => verdict,
        };
        if verdict != ObligationOutcome::Undetermined {
            self.buf.missing.clear();
        } else {
            for instance in instances.iter() {
                self.buf.missing.extend(instance.missing_facts.iter().cloned());
            }
        }
        (verdict, None)
    }

    /// One triggering instance of an obligation (its `for each` variable is bound). `None` when
    /// the event lies after the evaluation date.
    fn instance(&mut self, obligation: &'a IrObligation, instance: String) -> Option<InstanceVerdict> {
        let mark = self.buf.missing.len();
        let due = self.due_date(&obligation.due);
        let as_of_end = end_of_day(self.as_of);
        let counts_from_event = matches!(
            obligation.due,
            IrDue::WithinDays { .. }
                | IrDue::WithinMonths { .. }
                | IrDue::WithinSeconds { .. }
                | IrDue::Immediately { .. }
        );
        match &due {
            // An event after the evaluation date has not happened yet.
            DueDate::Due { anchor, .. } if counts_from_event && anchor.after(self.as_of, as_of_end) => {
                self.buf.missing.truncate(mark);
                return None;
            }
            // An optional event or deadline that does not exist triggers nothing.
            DueDate::Absent => {
                self.buf.missing.truncate(mark);
                return None;
            }
            _ => {}
        }
        Some(self.judge(obligation, instance, due, None, mark))
    }

    /// When one instance's evidence is due (its `for each` variable is bound). "Immediately"
    /// is due on the day of its event, or with an outer limit, by that limit.
    fn due_date(&mut self, due: &'a IrDue) -> DueDate {
        match due {
            IrDue::WithinDays { days, anchor, .. } => {
                let anchor = self.eval(anchor).into_owned();
                compute_due(DueSpec::Days(*days), &anchor, self.rulebook)
            }
            IrDue::WithinMonths { months, anchor, .. } => {
                let anchor = self.eval(anchor).into_owned();
                compute_due(DueSpec::Months(*months), &anchor, self.rulebook)
            }
            IrDue::WithinSeconds { seconds, anchor, .. } => {
                let anchor = self.eval(anchor).into_owned();
                compute_due(DueSpec::Seconds(*seconds), &anchor, self.rulebook)
            }
            IrDue::ByDate { anchor, inclusive, .. } => {
                let anchor = self.eval(anchor).into_owned();
                compute_due(DueSpec::On { inclusive: *inclusive }, &anchor, self.rulebook)
            }
            IrDue::WithoutUndueDelay => DueDate::NoDueDate { undue_delay: true },
            IrDue::Immediately { limit: Some(limit), .. } => self.due_date(limit),
            IrDue::Immediately { anchor, limit: None, .. } => match &*self.eval(anchor) {
                Value::Date(date) => {
                    DueDate::Due { anchor: EvidenceDate::Day(*date), at: DueAt::Day(*date), inclusive: true }
                }
                Value::DateTime(timestamp) => DueDate::Due {
                    anchor: EvidenceDate::Instant(*timestamp),
                    at: DueAt::Day(utc_date(*timestamp)),
                    inclusive: true,
                },
                Value::Absent => DueDate::Absent,
                _ => DueDate::Unknown,
            },
            // Recurring duties are judged period by period in `instances_of`.
            IrDue::Standing | IrDue::Every { .. } => DueDate::NoDueDate { undue_delay: false },
        }
    }

    /// The instances one triggering event gives: one, or for a recurring duty one per period
    /// begun by the evaluation date (and ending on or after the day the duty applies from).
    fn instances_of(&mut self, obligation: &'a IrObligation, instance: String, instances: &mut Vec<InstanceVerdict>) {
        let IrDue::Every { period, anchor, .. } = &obligation.due else {
            if let Some(verdict) = self.instance(obligation, instance) {
                instances.push(verdict);
            }
            return;
        };
        let mark = self.buf.missing.len();
        let start = match &*self.eval(anchor) {
            Value::Date(date) => *date,
            Value::DateTime(timestamp) => utc_date(*timestamp),
            // An optional start that does not exist starts no periods.
            Value::Absent => {
                self.buf.missing.truncate(mark);
                return;
            }
            // The day the periods count from is not known.
            _ => {
                instances.push(self.judge(obligation, instance, DueDate::Unknown, None, mark));
                return;
            }
        };
        self.buf.missing.truncate(mark);
        let owed_from = match (obligation.info.applies_from, self.rulebook.applies_from) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let periods = Periods::new(start, *period, owed_from, self.rulebook);
        for (judged, (number, from, until)) in periods.enumerate() {
            if from > self.as_of {
                return;
            }
            if judged == MAX_PERIODS {
                // Periods beyond the bound are not judged one by one; the duty stays open.
                let label = if self.record { format!("{instance} periods from {from}") } else { String::new() };
                let mark = self.buf.missing.len();
                instances.push(self.judge(obligation, label, DueDate::Unknown, None, mark));
                return;
            }
            let label =
                if self.record { format!("{instance} period {number} ({from} to {until})") } else { String::new() };
            let due = DueDate::Due { anchor: EvidenceDate::Day(start), at: DueAt::Day(until), inclusive: true };
            let mark = self.buf.missing.len();
            instances.push(self.judge(obligation, label, due, Some((from, until)), mark));
        }
    }

    /// An instance's verdict against its due date, from the evidence given by the evaluation
    /// date; with a window, only evidence dated within it counts (a recurring duty's period).
    fn judge(
        &mut self,
        obligation: &'a IrObligation,
        instance: String,
        due: DueDate,
        window: Option<(Date, Date)>,
        mark: usize,
    ) -> InstanceVerdict {
        let as_of_end = end_of_day(self.as_of);
        // Evidence: matching records given on or before the evaluation date.
        let mut on_time: Option<(String, Option<String>)> = None;
        let mut late: Option<(String, Option<String>)> = None;
        let mut any_match: Option<(String, Option<String>)> = None;
        // The earliest day of matching evidence, for "immediately".
        let mut first_day: Option<Date> = None;
        let mut maybe = false;
        let evidence_list_known = match &obligation.evidence {
            Some(binder) => {
                let list = self.eval(&binder.list);
                match &*list {
                    Value::List(items) | Value::Set(items) => {
                        for index in 0..items.len() {
                            self.bind(
                                binder.local as usize,
                                element(&list, index),
                                Origin::Element { list: &binder.list, frame: 0, index },
                            );
                            let path = if self.record {
                                format!("{}[{index}]", self.path_of(&binder.list, 0))
                            } else {
                                String::new()
                            };
                            let matches = match &binder.filter {
                                Some(filter) => self.condition(filter),
                                None => Tri::True,
                            };
                            if matches == Tri::False {
                                continue;
                            }
                            let date = obligation.dated.as_ref().map(|dated| self.eval(dated).into_owned());
                            let date = match date {
                                None => EvidenceDate::Undated,
                                Some(Value::Date(date)) => EvidenceDate::Day(date),
                                Some(Value::DateTime(timestamp)) => EvidenceDate::Instant(timestamp),
                                // Evidence whose date is an optional fact left out cannot be
                                // placed against the deadline: that fact would decide it.
                                Some(Value::Absent) => {
                                    if let (Some(dated), true) = (&obligation.dated, self.record) {
                                        let path = self.path_of(dated, 0);
                                        self.buf.missing.push(path);
                                    }
                                    EvidenceDate::Unknown
                                }
                                Some(_) => EvidenceDate::Unknown,
                            };
                            if date.after(self.as_of, as_of_end) {
                                continue;
                            }
                            if let (Some((from, until)), Some(day)) = (window, date.day())
                                && (day < from || day > until)
                            {
                                continue;
                            }
                            if matches == Tri::Unknown || date == EvidenceDate::Unknown {
                                maybe = true;
                                continue;
                            }
                            let shown = if self.record { date.show() } else { None };
                            first_day = match (first_day, date.day()) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            };
                            any_match.get_or_insert((path.clone(), shown.clone()));
                            match due.is_on_time(&date) {
                                Some(true) => {
                                    on_time.get_or_insert((path, shown));
                                }
                                Some(false) => {
                                    late.get_or_insert((path, shown));
                                }
                                None => maybe = true,
                            }
                        }
                        true
                    }
                    Value::Absent => true,
                    _ => false,
                }
            }
            None => false,
        };
        let verdict = match &due {
            _ if !evidence_list_known => ObligationOutcome::Undetermined,
            DueDate::NoDueDate { undue_delay } => match (&any_match, maybe, undue_delay) {
                (Some(_), _, _) => ObligationOutcome::Satisfied,
                (None, true, _) => ObligationOutcome::Undetermined,
                (None, false, true) => ObligationOutcome::Pending,
                (None, false, false) => ObligationOutcome::Violated,
            },
            DueDate::Unknown | DueDate::Absent => ObligationOutcome::Undetermined,
            DueDate::Due { .. } => {
                if on_time.is_some() {
                    ObligationOutcome::Satisfied
                } else if maybe {
                    ObligationOutcome::Undetermined
                } else if late.is_some() {
                    ObligationOutcome::Violated
                } else if due.still_open(self.as_of, as_of_end) {
                    ObligationOutcome::Pending
                } else {
                    ObligationOutcome::Violated
                }
            }
        };
        let immediately = match (&obligation.due, &due) {
            (IrDue::Immediately { limit, .. }, DueDate::Due { anchor, .. }) if evidence_list_known => {
                Some((anchor.day(), limit.is_some()))
            }
            _ => None,
        };
        let verdict = match immediately {
            Some((event_day, has_limit)) => immediate(verdict, event_day, first_day, has_limit, self.as_of),
            None => verdict,
        };
        // A duty to endeavour is never violated: whether the efforts were made needs judgement.
        let judgement = obligation.endeavour && verdict == ObligationOutcome::Violated;
        let verdict = if judgement { ObligationOutcome::Undetermined } else { verdict };
        let evidence = match verdict {
            ObligationOutcome::Satisfied => on_time.or(any_match),
            ObligationOutcome::Violated => late,
            // The late evidence whose efforts need judgement.
            ObligationOutcome::Undetermined if judgement => late,
            // The evidence whose delay needs judgement.
            ObligationOutcome::Undetermined if immediately.is_some() && !maybe => any_match,
            _ => None,
        };
        let missing_facts = if verdict == ObligationOutcome::Undetermined && !judgement {
            let mut missing = self.buf.missing.get(mark..).map(<[String]>::to_vec).unwrap_or_default();
            missing.sort();
            missing.dedup();
            missing
        } else {
            Vec::new()
        };
        self.buf.missing.truncate(mark);
        InstanceVerdict {
            instance,
            verdict,
            due: if self.record { due.show() } else { None },
            evidence: evidence.as_ref().map(|(path, _)| path.clone()),
            evidence_date: evidence.and_then(|(_, date)| date),
            missing_facts,
            needs_judgement_of_efforts: judgement,
        }
    }
}

/// The verdict of an instance due "immediately", from its verdict against the outer limit (or
/// against the day of the event, without one): evidence dated on the day of the event (or before
/// it) meets it; the limit passed without evidence on time breaks it; anything in between, evidence
/// given later or none yet after the day of the event, is a judgement the evidence cannot make.
fn immediate(
    verdict: ObligationOutcome,
    event_day: Option<Date>,
    first_day: Option<Date>,
    has_limit: bool,
    as_of: Date,
) -> ObligationOutcome {
    let Some(event_day) = event_day else { return verdict };
    if first_day.is_some_and(|day| day <= event_day) {
        return ObligationOutcome::Satisfied;
    }
    match verdict {
        ObligationOutcome::Violated if has_limit => ObligationOutcome::Violated,
        ObligationOutcome::Pending if as_of <= event_day => ObligationOutcome::Pending,
        _ => ObligationOutcome::Undetermined,
    }
}

/// What a deadline is counted in.
#[derive(Debug, Clone, Copy)]
pub enum DueSpec {
    Days(i64),
    Months(i64),
    Seconds(i64),
    On { inclusive: bool },
}

/// When a piece of evidence was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceDate {
    Undated,
    Unknown,
    Day(Date),
    Instant(Timestamp),
}

impl EvidenceDate {
    /// Whether it lies after the evaluation date (and so is ignored).
    pub fn after(&self, as_of: Date, as_of_end: Timestamp) -> bool {
        match self {
            EvidenceDate::Day(date) => *date > as_of,
            EvidenceDate::Instant(timestamp) => *timestamp > as_of_end,
            EvidenceDate::Undated | EvidenceDate::Unknown => false,
        }
    }

    /// Its day in UTC, when it has one.
    fn day(&self) -> Option<Date> {
        match self {
            EvidenceDate::Day(date) => Some(*date),
            EvidenceDate::Instant(timestamp) => Some(utc_date(*timestamp)),
            EvidenceDate::Undated | EvidenceDate::Unknown => None,
        }
    }

    fn show(&self) -> Option<String> {
        match self {
            EvidenceDate::Day(date) => Some(date.to_string()),
            EvidenceDate::Instant(timestamp) => Some(timestamp.to_string()),
            EvidenceDate::Undated | EvidenceDate::Unknown => None,
        }
    }
}

/// The last instant of a day, in UTC: facts of that day are not "after" it.
pub fn end_of_day(date: Date) -> Timestamp {
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::constant(23, 59, 59, 999_999_999)))
        .unwrap_or(Timestamp::MAX)
}

fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::False, _) | (_, Tri::False) => Tri::False,
        (Tri::True, Tri::True) => Tri::True,
        _ => Tri::Unknown,
    }
}

fn aggregate(instances: &[InstanceVerdict]) -> ObligationOutcome {
    let has = |outcome| instances.iter().any(|instance| instance.verdict == outcome);
    if has(ObligationOutcome::Violated) {
        ObligationOutcome::Violated
    } else if has(ObligationOutcome::Undetermined) {
        ObligationOutcome::Undetermined
    } else if has(ObligationOutcome::Pending) {
        ObligationOutcome::Pending
    } else {
        ObligationOutcome::Satisfied
    }
}

/// Whether an expression is `countries(…)`.
fn is_countries(expr: &IrExpr) -> bool {
    matches!(expr, IrExpr::Countries(_))
}

/// The country part of an ISO 3166-2 code (`DE-BY` gives `DE`); `None` for a code without a
/// subdivision and for anything but a string.
fn country(value: &Value) -> Option<&str> {
    match value {
        Value::Str(text) => text.split_once('-').map(|(country, _)| country),
        _ => None,
    }
}

fn is_unknown(value: &Value) -> bool {
    matches!(value, Value::Unknown)
}

static UNKNOWN: Value = Value::Unknown;
static ABSENT: Value = Value::Absent;

/// A value as a condition: an optional fact that does not exist is false, anything but a
/// boolean unknown.
fn truth(value: &Value) -> Tri {
    match value {
        Value::Bool(value) => Tri::from_bool(*value),
        Value::Absent => Tri::False,
        _ => Tri::Unknown,
    }
}

/// `element in collection` (or `not in`) on values, in three-valued logic.
fn member_values(negated: bool, element: &Value, collection: &Value) -> Tri {
    let result = match (element, collection) {
        (_, Value::Absent) | (Value::Absent, _) => Tri::False,
        (Value::Unknown, _) | (_, Value::Unknown) => Tri::Unknown,
        // Enum values, the common case, compare by index without the general equality.
        (Value::Enum(wanted), _) => enum_member(*wanted, collection),
        (element, Value::Set(items) | Value::List(items)) if items.iter().any(|item| item == element) => Tri::True,
        (_, Value::Set(items) | Value::List(items)) if items.iter().any(is_unknown) => Tri::Unknown,
        (_, Value::Set(_) | Value::List(_)) => Tri::False,
        _ => Tri::Unknown,
    };
    if negated { result.not() } else { result }
}

/// Whether enum value `wanted` is in `collection` (a set or list, or a fact that is absent or
/// unknown), in three-valued logic; one pass over the items.
#[inline]
fn enum_member(wanted: u32, collection: &Value) -> Tri {
    match collection {
        Value::Absent => Tri::False,
        Value::Set(items) | Value::List(items) => {
            let mut unknown = false;
            for item in items.iter() {
                match item {
                    Value::Enum(found) if *found == wanted => return Tri::True,
                    Value::Unknown => unknown = true,
                    _ => {}
                }
            }
            if unknown { Tri::Unknown } else { Tri::False }
        }
        _ => Tri::Unknown,
    }
}

/// A set (or list) of enum values summarised for guards: which values below 64 it holds and
/// whether an item is unknown; or absent, or unknown as a whole; or `Other` (a value of 64 or
/// more, or an item that is not an enum value), which guards test by scanning as before.
/// The summaries of the sets a rulebook's guards test (`CompiledRulebook::guard_paths`), made
/// once when a description is loaded so that its decisions start with them.
#[derive(Debug, Clone, Default)]
pub struct GuardSummaries {
    /// The sets summarised: the rulebook's own list, shared, so that summaries are used only
    /// with the rulebook (or a clone of it) they were made for.
    paths: Option<Arc<[Box<[u32]>]>>,
    sets: Vec<EnumSet>,
}

impl GuardSummaries {
    /// Summarises, in `system`, each set of `paths`.
    pub fn make(&mut self, paths: &Arc<[Box<[u32]>]>, system: &Value) {
        self.sets.clear();
        self.sets.extend(paths.iter().map(|slots| EnumSet::of(walk_path(system, slots))));
        self.paths = Some(paths.clone());
    }

    /// Whether these are the summaries of `paths`.
    fn made_for(&self, paths: &Arc<[Box<[u32]>]>) -> bool {
        self.paths.as_ref().is_some_and(|own| Arc::ptr_eq(own, paths)) && self.sets.len() == paths.len()
    }
}

#[derive(Debug, Clone, Copy)]
enum EnumSet {
    Bits { bits: u64, unknown: bool },
    Absent,
    Unknown,
    Other,
}

impl EnumSet {
    /// The set as the bits of its values and whether an item of it is unknown, as a compact
    /// test reads it: an absent set holds nothing, an unknown one nothing known. `None` for a
    /// set not summarised in bits.
    #[inline(always)]
    fn bits(self) -> Option<(u64, bool)> {
        match self {
            EnumSet::Bits { bits, unknown } => Some((bits, unknown)),
            EnumSet::Absent => Some((0, false)),
            EnumSet::Unknown => Some((0, true)),
            EnumSet::Other => None,
        }
    }

    fn of(end: PathEnd<'_>) -> EnumSet {
        match end {
            PathEnd::Found(Value::Set(items) | Value::List(items)) => {
                let mut bits = 0u64;
                let mut unknown = false;
                for item in items.iter() {
                    match item {
                        Value::Enum(found) if *found < 64 => bits |= 1 << found,
                        Value::Unknown => unknown = true,
                        _ => return EnumSet::Other,
                    }
                }
                EnumSet::Bits { bits, unknown }
            }
            PathEnd::Found(Value::Absent) | PathEnd::Absent => EnumSet::Absent,
            PathEnd::Found(_) | PathEnd::Unknown { .. } => EnumSet::Unknown,
        }
    }
}

/// `variant in system.a.b` (or `not in`) for the set or list of enum values reached by `slots`.
#[inline]
fn enum_in_path(system: &Value, variant: u32, slots: &[u32], negated: bool) -> Tri {
    let found = match walk_path(system, slots) {
        PathEnd::Found(collection) => enum_member(variant, collection),
        PathEnd::Absent => Tri::False,
        PathEnd::Unknown { .. } => Tri::Unknown,
    };
    if negated { found.not() } else { found }
}

/// Whether a set or list of enum values (or a fact that is absent or unknown) shares a value
/// with a constant set of enum values given as a mask, in three-valued logic.
#[inline]
fn enum_intersects(mask: &[u64], collection: &Value) -> Tri {
    match collection {
        Value::Absent => Tri::False,
        Value::Set(items) | Value::List(items) => {
            if items.iter().any(|item| matches!(item, Value::Enum(found) if mask_has(mask, *found))) {
                Tri::True
            } else if items.iter().any(is_unknown) {
                Tri::Unknown
            } else {
                Tri::False
            }
        }
        _ => Tri::Unknown,
    }
}

/// Exact decimals in order: by their mantissas when both have the same scale (the common case
/// of a fact and a threshold written alike), which is exact and cheaper than the general
/// comparison that rescales.
#[inline]
fn decimal_cmp(a: &Decimal, b: &Decimal) -> std::cmp::Ordering {
    if a.scale() == b.scale() { a.mantissa().cmp(&b.mantissa()) } else { a.cmp(b) }
}

/// A comparison of two values: numbers and quantities exactly, dates and instants in time,
/// anything else by equality; unknown if either is, and an absent fact equals nothing.
fn compare_values(op: BinOp, left: &Value, right: &Value) -> Tri {
    let ordering = match (left, right) {
        (Value::Unknown, _) | (_, Value::Unknown) => return Tri::Unknown,
        (Value::Absent, _) | (_, Value::Absent) => return Tri::from_bool(op == BinOp::Ne),
        (Value::Number(a) | Value::Quantity(a), Value::Number(b) | Value::Quantity(b)) => decimal_cmp(a, b),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::DateTime(a), Value::DateTime(b)) => a.cmp(b),
        (a, b) => {
            return match op {
                BinOp::Eq => Tri::from_bool(a == b),
                BinOp::Ne => Tri::from_bool(a != b),
                _ => Tri::Unknown,
            };
        }
    };
    op.holds(ordering).map_or(Tri::Unknown, Tri::from_bool)
}

/// A term whose definition is a constant, and that constant.
fn constant_term(rulebook: &CompiledRulebook, idx: u32) -> Option<(&IrTerm, &Value)> {
    let term = rulebook.terms.get(idx as usize)?;
    match &term.body {
        IrExpr::Const(value) => Some((term, value)),
        _ => None,
    }
}

/// Where a chain of slots from the top level ends.
enum PathEnd<'v> {
    Found(&'v Value),
    /// An optional record on the way does not exist.
    Absent,
    /// The fact is not known; `missing` is the depth of the field the description left out,
    /// if one did (rather than the value not being a record).
    Unknown {
        missing: Option<usize>,
    },
}

/// Follows `slots` from the description's top level.
fn walk_path<'v>(system: &'v Value, slots: &[u32]) -> PathEnd<'v> {
    let mut current = system;
    for (depth, slot) in slots.iter().enumerate() {
        let next = match current {
            Value::Record(fields) => fields.get(*slot as usize),
            Value::Absent => return PathEnd::Absent,
            _ => None,
        };
        let Some(next) = next else { return PathEnd::Unknown { missing: None } };
        if is_unknown(next) {
            return PathEnd::Unknown { missing: Some(depth) };
        }
        current = next;
    }
    PathEnd::Found(current)
}

/// Records, and lists of records, are not shown among the facts used: their fields are.
fn is_structural(ty: &crate::schema::Ty) -> bool {
    use crate::schema::Ty;
    matches!(ty, Ty::Record(_)) || matches!(ty, Ty::List(inner) | Ty::Set(inner) if matches!(**inner, Ty::Record(_)))
}

/// `$.a.b.c` from field names.
fn root_path_text(names: &[Arc<str>]) -> String {
    let mut path = String::from("$");
    for name in names {
        path.push('.');
        path.push_str(name);
    }
    path
}

/// Element `index` of a list or set, borrowed when the list is borrowed.
fn element<'a>(list: &Cow<'a, Value>, index: usize) -> Cow<'a, Value> {
    match list {
        Cow::Borrowed(Value::List(items) | Value::Set(items)) => {
            items.get(index).map_or(Cow::Owned(Value::Unknown), Cow::Borrowed)
        }
        Cow::Owned(Value::List(items) | Value::Set(items)) => {
            Cow::Owned(items.get(index).cloned().unwrap_or(Value::Unknown))
        }
        _ => Cow::Owned(Value::Unknown),
    }
}

fn tri_value<'a>(value: Tri) -> Cow<'a, Value> {
    Cow::Owned(match value {
        Tri::True => Value::Bool(true),
        Tri::False => Value::Bool(false),
        Tri::Unknown => Value::Unknown,
    })
}

fn arith(op: BinOp, a: Decimal, b: Decimal) -> Option<Decimal> {
    match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        _ => None,
    }
}

fn not_in_force_text(info: &ProvisionInfo, as_of: Date) -> String {
    match (info.applies_from, info.applies_until) {
        (Some(from), _) if as_of < from => format!("not in force on {as_of}: applies from {from}"),
        (_, Some(until)) if as_of > until => format!("not in force on {as_of}: applied until {until}"),
        _ => format!("the rulebook is not in force on {as_of}"),
    }
}

/// A value as shown in explanations, in the words of its type (`1e25 FLOP`, `credit_scoring`).
pub fn show_value(schema: &Schema, value: &Value, ty: &crate::schema::Ty) -> String {
    use crate::schema::Ty;
    match (value, ty) {
        (Value::Unknown, _) => "unknown".to_owned(),
        (Value::Absent, _) => "absent".to_owned(),
        (Value::Bool(value), _) => value.to_string(),
        (Value::Quantity(value), Ty::Quantity(dim)) => {
            let unit = schema.dimension(*dim).map_or("", |def| def.base_unit.as_str());
            format!("{} {unit}", crate::num::format_decimal(value))
        }
        (Value::Number(value) | Value::Quantity(value), _) => crate::num::format_decimal(value),
        (Value::Str(text), _) => format!("{text:?}"),
        (Value::Date(date), _) => date.to_string(),
        (Value::DateTime(timestamp), _) => timestamp.to_string(),
        (Value::Enum(idx), Ty::Enum(id)) => schema
            .enum_def(*id)
            .and_then(|def| def.variants.get(*idx as usize))
            .cloned()
            .unwrap_or_else(|| format!("#{idx}")),
        (Value::Enum(idx), _) => format!("#{idx}"),
        (Value::Set(items) | Value::List(items), Ty::Set(inner) | Ty::List(inner)) => {
            format!("[{}]", items.iter().map(|item| show_value(schema, item, inner)).collect::<Vec<_>>().join(", "))
        }
        (Value::Set(items) | Value::List(items), _) => format!("[{} items]", items.len()),
        (Value::Record(_), _) => "{…}".to_owned(),
    }
}

/// How many exceptions a list holds, its exceptions' own exceptions included.
fn count_exceptions(exceptions: &[IrException]) -> u32 {
    exceptions.iter().map(|exception| 1 + count_exceptions(&exception.exceptions)).sum()
}

/// Exception number `index` of a provision, numbered in preorder (an exception, then its own).
fn nth_exception(exceptions: &[IrException], mut index: u32) -> Option<&IrException> {
    for exception in exceptions {
        if index == 0 {
            return Some(exception);
        }
        let inner = count_exceptions(&exception.exceptions);
        if index <= inner {
            return nth_exception(&exception.exceptions, index - 1);
        }
        index -= 1 + inner;
    }
    None
}
