//! The flat form of a condition: the instructions the verdicts-only path runs instead of walking
//! the expression tree.
//!
//! `link` lowers the condition of every redline, exception, classification branch and obligation
//! into a [`FlatCondition`]: a short array of [`Op`]s over slot indices, term and classification
//! indices and constants, run by one loop (`Evaluator::run_flat` in `eval/mod.rs`) with a single
//! three-valued accumulator. `and` and `or` become short-circuit jumps; a junction remembers
//! whether one of its operands was unknown in one bit of a mask, one bit per level of nesting.
//!
//! What the flat form does not express (locals, arithmetic, quantifiers, dates shifted, …) stays
//! an [`Op::Tree`] leaf, evaluated by the tree evaluator, so coverage can grow one leaf at a time
//! without changing a result. The flat form and the tree must give the same truth value for every
//! description; `lang/tests/flat.rs` holds them to it over the examples, the corpus and the
//! standard library.

use std::fmt;

use crate::syntax::ast::BinOp;
use crate::value::Value;

use super::{IrExpr, IrTerm, TermTarget, TierTarget};

/// Junctions nested deeper than this keep the tree: the mask of unknown operands has one bit
/// per level.
const MAX_DEPTH: u32 = 64;

/// Terms inlined into terms inlined … stop at this nesting (the checker rejects cycles; this
/// bounds the lowering whatever it is given).
const MAX_INLINING: u32 = 8;

/// A condition lowered to flat instructions; empty when the condition is evaluated by the tree
/// (before linking, or when nested too deep).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FlatCondition {
    ops: Box<[Op]>,
    /// Whether the first instruction is an [`Op::EnumInPath`] whose false makes the whole
    /// condition false (the condition is that test alone, or an `and` that starts with it): the
    /// evaluator then tries it before entering the loop, and most conditions of a rulebook stop
    /// there.
    guarded: bool,
    /// The guard's set among the rulebook's `guard_paths` (numbered by `link` once the whole
    /// rulebook is linked), so that the set is summarised once per decision; `u32::MAX` until
    /// then.
    guard_path: u32,
    /// The guard's enum value and whether it is negated, beside the instructions, so that the
    /// evaluator tests a numbered guard without reading them.
    guard_variant: u32,
    guard_negated: bool,
}

impl Default for FlatCondition {
    fn default() -> FlatCondition {
        FlatCondition {
            ops: Box::default(),
            guarded: false,
            guard_path: u32::MAX,
            guard_variant: 0,
            guard_negated: false,
        }
    }
}

impl fmt::Debug for FlatCondition {
    /// The flat form is derived from the condition beside it; leaving it out keeps printed
    /// rulebooks readable.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "FlatCondition({} ops)", self.ops.len())
    }
}

impl FlatCondition {
    /// Lowers a linked condition. Leaves the tree in charge when it nests deeper than the mask.
    pub fn lower(expr: &IrExpr) -> FlatCondition {
        FlatCondition::lower_inlining(expr, &[], &[])
    }

    /// Lowers a linked condition, with the truth of each term `t` where `inline[t]` holds
    /// written as the instructions of the term's body (see [`inlinable_terms`]) instead of a
    /// read of the term cache.
    pub fn lower_inlining(expr: &IrExpr, terms: &[IrTerm], inline: &[bool]) -> FlatCondition {
        let mut lowering = Lowering { ops: Vec::new(), too_deep: false, terms, inline, inlining: 0 };
        lowering.condition(expr, 0);
        if lowering.too_deep {
            return FlatCondition::default();
        }
        let guarded = matches!(
            lowering.ops.as_slice(),
            [Op::EnumInPath { .. }] | [Op::EnumInPath { .. }, Op::Decide { depth: 0, decisive: false, .. }, ..]
        );
        let (guard_variant, guard_negated) = match lowering.ops.first() {
            Some(Op::EnumInPath { negated, variant, .. }) if guarded => (*variant, *negated),
            _ => (0, false),
        };
        FlatCondition {
            ops: lowering.ops.into_boxed_slice(),
            guarded,
            guard_path: u32::MAX,
            guard_variant,
            guard_negated,
        }
    }

    /// Numbers the guard's path among `paths` (equal paths share a number), and the paths of
    /// the intersections with constant sets, which read the same summaries.
    pub fn number_guard(&mut self, paths: &mut Vec<Box<[u32]>>) {
        for op in &mut self.ops {
            if let Op::EnumIntersectsPath { slots, path, .. } = op {
                *path = path_number(paths, slots);
            }
        }
        let Some((_, slots, _)) = self.guard() else { return };
        let number = path_number(paths, slots);
        self.guard_path = number;
    }

    /// The number of the guard's path among the rulebook's `guard_paths`, once numbered.
    #[inline]
    pub fn guard_path(&self) -> Option<u32> {
        (self.guard_path != u32::MAX).then_some(self.guard_path)
    }

    /// A numbered guard's test: the number of its path, its enum value and whether it is
    /// negated.
    #[inline]
    pub fn numbered_guard(&self) -> Option<(u32, u32, bool)> {
        (self.guarded && self.guard_path != u32::MAX).then_some((
            self.guard_path,
            self.guard_variant,
            self.guard_negated,
        ))
    }

    /// The guarding test (see `guarded`): its enum value, its slots and whether it is negated.
    #[inline]
    pub fn guard(&self) -> Option<(u32, &[u32], bool)> {
        match (self.guarded, self.ops.first()) {
            (true, Some(Op::EnumInPath { negated, variant, slots })) => Some((*variant, slots, *negated)),
            _ => None,
        }
    }

    /// Lowers the body of a term without parameters, when the body is a condition whose tree
    /// value is always a boolean or unknown (a junction, a negation, a comparison, a membership,
    /// an intersection): the term's value is then the flat form's truth value. Other bodies
    /// (a fact read as it is, arithmetic, …) keep the tree, since their value is not only a
    /// truth value.
    pub fn lower_term(expr: &IrExpr) -> FlatCondition {
        match expr {
            IrExpr::And(_)
            | IrExpr::Or(_)
            | IrExpr::Not(_)
            | IrExpr::Compare { .. }
            | IrExpr::Member { .. }
            | IrExpr::Intersects(..) => FlatCondition::lower(expr),
            _ => FlatCondition::default(),
        }
    }

    /// Whether the condition starts with a guard (see `guarded`).
    #[inline]
    pub fn is_guarded(&self) -> bool {
        self.guarded
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Where an operand's value is read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operand {
    Const(Value),
    /// A fact reached from the description's top level through these slots.
    Path(Box<[u32]>),
    /// A term without parameters (an index into the rulebook's terms), read from the term cache.
    Term(u32),
}

/// One instruction. Leaves set the accumulator to their truth value; `Not` negates it;
/// `Decide` and `Last` close the operands of an `and` (decisive value false) or an `or`
/// (decisive value true).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Op {
    /// A constant truth value.
    Const(bool),
    /// The truth of a value: true, false, absent (false) or anything else (unknown).
    Truth(Operand),
    /// `v in system.a.b` (or `not in`) for an enum value `v` and a set or list of enum values
    /// reached through `slots`: the commonest test of the rulebooks, one instruction.
    EnumInPath {
        negated: bool,
        variant: u32,
        slots: Box<[u32]>,
    },
    /// `system.a.b intersects {v1, v2, …}` (either order) for a set of enum values written out
    /// of constants: bit `v` of `mask` (64 variants a word) says whether `v` is in the constant.
    EnumIntersectsPath {
        slots: Box<[u32]>,
        mask: Box<[u64]>,
        /// The path's number among the rulebook's `guard_paths` (see
        /// [`FlatCondition::number_guard`]), so that the test reads the set's summary;
        /// `u32::MAX` until numbered.
        path: u32,
    },
    /// `element in collection`, or `not in`.
    Member {
        negated: bool,
        element: Operand,
        collection: Operand,
    },
    /// A comparison of two values (numbers and quantities exactly, dates, or by equality).
    Compare {
        op: BinOp,
        left: Operand,
        right: Operand,
    },
    /// Whether classification `classification` gives tier `tier` (`==`, or `!=` when negated),
    /// decided even while the classification is undecided when the tier is ruled out.
    TierIs {
        classification: u32,
        tier: u32,
        negated: bool,
    },
    Not,
    /// After an operand of a junction at `depth`: on the decisive value, the junction has that
    /// value and the run continues at `end`; on unknown, the junction remembers it.
    Decide {
        depth: u8,
        decisive: bool,
        end: u32,
    },
    /// After the last operand of a junction at `depth`: the junction's value.
    Last {
        depth: u8,
        decisive: bool,
    },
    /// What the flat form does not express: evaluated by the tree evaluator, as a condition.
    Tree(Box<IrExpr>),
}

struct Lowering<'t> {
    ops: Vec<Op>,
    too_deep: bool,
    /// The rulebook's terms, and which of them to inline (empty: none).
    terms: &'t [IrTerm],
    inline: &'t [bool],
    /// How many inlined terms the instructions being lowered are nested in.
    inlining: u32,
}

impl Lowering<'_> {
    /// Appends the instructions of a condition at junction depth `depth`. The depth of
    /// expressions is bounded by the checker (64 brackets), so this recursion is too.
    fn condition(&mut self, expr: &IrExpr, depth: u32) {
        match expr {
            IrExpr::And(operands) => self.junction(operands, false, depth),
            IrExpr::Or(operands) => self.junction(operands, true, depth),
            IrExpr::Not(inner) => {
                self.condition(inner, depth);
                self.ops.push(Op::Not);
            }
            IrExpr::Const(Value::Bool(value)) => self.ops.push(Op::Const(*value)),
            IrExpr::Compare { op, left, right, .. } => {
                let lowered = match (&**left, &**right) {
                    (IrExpr::Tier(TierTarget::Index(classification)), IrExpr::Const(Value::Enum(tier)))
                    | (IrExpr::Const(Value::Enum(tier)), IrExpr::Tier(TierTarget::Index(classification)))
                        if matches!(op, BinOp::Eq | BinOp::Ne) =>
                    {
                        Some(Op::TierIs { classification: *classification, tier: *tier, negated: *op == BinOp::Ne })
                    }
                    // A tier against anything else goes through the tree's own special case.
                    (IrExpr::Tier(_), _) | (_, IrExpr::Tier(_)) => None,
                    (left, right) => {
                        operand(left).zip(operand(right)).map(|(left, right)| Op::Compare { op: *op, left, right })
                    }
                };
                self.leaf(lowered, expr);
            }
            IrExpr::Member { negated, element, collection } => {
                if let (IrExpr::Const(Value::Enum(variant)), IrExpr::RootPath { slots, .. }) =
                    (&**element, &**collection)
                {
                    self.ops.push(Op::EnumInPath { negated: *negated, variant: *variant, slots: slots.clone() });
                    return;
                }
                let lowered = operand(element).zip(operand(collection)).map(|(element, collection)| Op::Member {
                    negated: *negated,
                    element,
                    collection,
                });
                self.leaf(lowered, expr);
            }
            IrExpr::Intersects(left, right) => {
                let lowered = match (&**left, &**right) {
                    (IrExpr::RootPath { slots, .. }, IrExpr::Const(set))
                    | (IrExpr::Const(set), IrExpr::RootPath { slots, .. }) => {
                        enum_mask(set).map(|mask| Op::EnumIntersectsPath { slots: slots.clone(), mask, path: u32::MAX })
                    }
                    _ => None,
                };
                self.leaf(lowered, expr);
            }
            IrExpr::Term { term: TermTarget::Index(idx), args }
                if args.is_empty()
                    && self.inlining < MAX_INLINING
                    && self.inline.get(*idx as usize).copied().unwrap_or(false) =>
            {
                let Some(term) = self.terms.get(*idx as usize) else {
                    return self.leaf(operand(expr).map(Op::Truth), expr);
                };
                // The term's body is a condition: its truth value is the term's.
                self.inlining += 1;
                self.condition(&term.body, depth);
                self.inlining -= 1;
            }
            _ => self.leaf(operand(expr).map(Op::Truth), expr),
        }
    }

    fn leaf(&mut self, lowered: Option<Op>, expr: &IrExpr) {
        self.ops.push(lowered.unwrap_or_else(|| Op::Tree(Box::new(expr.clone()))));
    }

    /// `and` (decisive value false) or `or` (decisive value true): each operand but the last is
    /// followed by a `Decide` that jumps past the junction, the last by `Last`.
    fn junction(&mut self, operands: &[IrExpr], decisive: bool, depth: u32) {
        if depth >= MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        let level = depth as u8;
        let Some((last, rest)) = operands.split_last() else {
            // An empty junction is its neutral value.
            self.ops.push(Op::Const(!decisive));
            return;
        };
        let mut decides = Vec::with_capacity(rest.len());
        for operand in rest {
            self.condition(operand, depth + 1);
            decides.push(self.ops.len());
            self.ops.push(Op::Decide { depth: level, decisive, end: 0 });
        }
        self.condition(last, depth + 1);
        self.ops.push(Op::Last { depth: level, decisive });
        let end = self.ops.len() as u32;
        for at in decides {
            if let Some(Op::Decide { end: target, .. }) = self.ops.get_mut(at) {
                *target = end;
            }
        }
    }
}

/// Which terms the provisions' conditions read inline rather than through the term cache: terms
/// without parameters whose body is in flat form without a leaf left to the tree, and that are
/// read once among the flat forms of `conditions` and of the terms' bodies, or are a single
/// instruction (cheaper to run again than to look up). Their body then runs where they are read,
/// with no cache entry written and read. `conditions` are lowered without inlining.
pub fn inlinable_terms<'c>(terms: &[IrTerm], conditions: impl Iterator<Item = &'c FlatCondition>) -> Vec<bool> {
    let mut reads = vec![0u32; terms.len()];
    let mut count = |ops: &[Op]| {
        for op in ops {
            let operands: [Option<&Operand>; 2] = match op {
                Op::Truth(operand) => [Some(operand), None],
                Op::Member { element, collection, .. } => [Some(element), Some(collection)],
                Op::Compare { left, right, .. } => [Some(left), Some(right)],
                _ => [None, None],
            };
            for operand in operands.into_iter().flatten() {
                if let Operand::Term(idx) = operand
                    && let Some(n) = reads.get_mut(*idx as usize)
                {
                    *n += 1;
                }
            }
        }
    };
    for condition in conditions {
        count(condition.ops());
    }
    for term in terms {
        count(term.flat.ops());
    }
    terms
        .iter()
        .zip(&reads)
        .map(|(term, reads)| {
            let ops = term.flat.ops();
            term.n_params == 0
                && !ops.is_empty()
                && !ops.iter().any(|op| matches!(op, Op::Tree(_)))
                && (*reads == 1 || ops.len() == 1)
        })
        .collect()
}

/// The number of `slots` among `paths`, added if new.
fn path_number(paths: &mut Vec<Box<[u32]>>, slots: &[u32]) -> u32 {
    match paths.iter().position(|path| **path == *slots) {
        Some(number) => number as u32,
        None => {
            paths.push(slots.into());
            (paths.len() - 1) as u32
        }
    }
}

/// The bit mask of a constant set (or list) of enum values; `None` if an element is anything
/// else.
fn enum_mask(value: &Value) -> Option<Box<[u64]>> {
    let (Value::Set(items) | Value::List(items)) = value else { return None };
    let mut mask: Vec<u64> = Vec::new();
    for item in items.iter() {
        let Value::Enum(variant) = item else { return None };
        let word = (*variant / 64) as usize;
        if mask.len() <= word {
            mask.resize(word + 1, 0);
        }
        if let Some(bits) = mask.get_mut(word) {
            *bits |= 1 << (*variant % 64);
        }
    }
    Some(mask.into_boxed_slice())
}

/// Whether enum value `variant` is in a mask built by [`enum_mask`].
#[inline]
pub fn mask_has(mask: &[u64], variant: u32) -> bool {
    mask.get((variant / 64) as usize).is_some_and(|bits| bits & (1 << (variant % 64)) != 0)
}

/// The operand an expression reads, if it is a constant, a fact from the top level or a term
/// without parameters.
fn operand(expr: &IrExpr) -> Option<Operand> {
    match expr {
        IrExpr::Const(value) => Some(Operand::Const(value.clone())),
        IrExpr::RootPath { slots, .. } => Some(Operand::Path(slots.clone())),
        IrExpr::Term { term: TermTarget::Index(idx), args } if args.is_empty() => Some(Operand::Term(*idx)),
        _ => None,
    }
}
