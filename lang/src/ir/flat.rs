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

use super::{DayRange, IrExpr, IrTerm, TermTarget, TierTarget};

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
    /// The same instructions as a graph of leaves (see [`Node`]): what the evaluator runs.
    /// Empty when the graph would be too large, and then the instructions run as they are.
    nodes: Box<[Node]>,
}

/// A leaf of a condition's graph: the leaf instruction `ops[leaf]`, and where the run goes on
/// when it is true, false or unknown (`next[0]`, `next[1]`, `next[2]`): another node, or an end
/// ([`END`] plus 0, 1 or 2: the condition is true, false or unknown).
///
/// The graph is derived from the instructions by running their junction logic (`Not`,
/// `Decide`, `Last`) ahead of time for each outcome of each leaf: a node stands for a leaf and
/// the mask of junctions that have seen an unknown operand when the run reaches it, so the
/// evaluator's run is one leaf after another, with no instruction in between. Node 0 is the
/// first instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Node {
    pub leaf: u32,
    pub next: [u32; 3],
    /// The leaf's commonest forms, tested without reading the instruction (set by `link` once
    /// the rulebook's sets are numbered; [`Test::Op`] until then).
    pub test: Test,
}

/// A graph leaf's test in a compact form. Each is a fast case of the instruction `ops[leaf]`:
/// where the fast case does not hold (a fact that is not a boolean, a set not summarised in
/// bits), the evaluator runs the instruction itself, so a test never changes a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Test {
    /// The instruction as it is.
    Op,
    /// The truth of a boolean fact in field `slot` of the top level.
    Fact1 { slot: u32 },
    /// The truth of a boolean fact in field `inner` of the record in field `outer`.
    Fact2 { outer: u32, inner: u32 },
    /// `v in S` (or `not in`) for the set numbered `path` among the rulebook's `guard_paths`,
    /// `bit` standing for `v` (below 64).
    InSet { path: u32, bit: u64, negated: bool },
    /// `S intersects {…}` for the set numbered `path`, the constant's values all below 64.
    Intersects { path: u32, mask: u64 },
    /// A number or quantity one or two slots from the top level (`inner` is `u32::MAX` for
    /// one) compared with a constant number or quantity.
    Compare { outer: u32, inner: u32, op: BinOp, constant: rust_decimal::Decimal },
}

/// A classification's branches as one graph: the branches' graphs one after the other, the
/// false end of each leading to the next branch, so that the first branch that holds is found
/// leaf by leaf. Used on days when every branch is in force (`days`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chain {
    /// The days on which every branch is in force.
    pub days: DayRange,
    /// Where the chain starts: a node, or an end.
    pub start: u32,
    pub nodes: Box<[ChainNode]>,
}

/// A node of a [`Chain`]: leaf `leaf` of branch `branch`'s instructions, its test, and where the
/// run goes on when it is true, false or unknown: a node, or [`CHAIN_UNKNOWN`] (a branch is
/// unknown: the classification is weighed otherwise), [`CHAIN_NONE`] (no branch holds) or
/// [`CHAIN_HOLDS`] plus the number of the first branch that holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainNode {
    pub branch: u32,
    pub leaf: u32,
    pub test: Test,
    pub next: [u32; 3],
}

pub const CHAIN_UNKNOWN: u32 = u32::MAX / 2;
pub const CHAIN_NONE: u32 = CHAIN_UNKNOWN + 1;
pub const CHAIN_HOLDS: u32 = CHAIN_UNKNOWN + 2;

impl Chain {
    /// Chains the branches' graphs: `branches` gives each branch's days, condition in flat form
    /// (`None` for a branch without a condition, which always holds). `None` when a branch with
    /// a condition has no graph.
    pub fn new<'f>(branches: impl Iterator<Item = (DayRange, Option<&'f FlatCondition>)>) -> Option<Chain> {
        let branches: Vec<_> = branches.collect();
        if branches.iter().any(|(_, flat)| flat.is_some_and(|flat| flat.nodes().is_empty())) {
            return None;
        }
        // Where each branch starts: its first node (blocks laid out in branch order), or, for a
        // branch without a condition, the end that says it holds.
        let mut starts = Vec::with_capacity(branches.len());
        let mut laid_out = 0u32;
        for (number, (_, flat)) in branches.iter().enumerate() {
            starts.push(match flat {
                Some(flat) => {
                    let start = laid_out;
                    laid_out += flat.nodes().len() as u32;
                    start
                }
                None => CHAIN_HOLDS + number as u32,
            });
        }
        let mut nodes: Vec<ChainNode> = Vec::with_capacity(laid_out as usize);
        for (number, (_, flat)) in branches.iter().enumerate() {
            let Some(flat) = flat else { continue };
            let (start, holds) = (starts.get(number).copied().unwrap_or(CHAIN_UNKNOWN), CHAIN_HOLDS + number as u32);
            let next_branch = starts.get(number + 1).copied().unwrap_or(CHAIN_NONE);
            let map = |target: u32| match target {
                END => holds,
                target if target == END + 1 => next_branch,
                target if target >= END => CHAIN_UNKNOWN,
                node => start + node,
            };
            nodes.extend(flat.nodes().iter().map(|node| ChainNode {
                branch: number as u32,
                leaf: node.leaf,
                test: node.test,
                next: node.next.map(map),
            }));
        }
        let days = branches.iter().fold(DayRange::default(), |days, (branch_days, _)| days.intersect(*branch_days));
        Some(Chain { days, start: starts.first().copied().unwrap_or(CHAIN_NONE), nodes: nodes.into_boxed_slice() })
    }
}

/// The first of the three ends of a graph: `END` (true), `END + 1` (false), `END + 2`
/// (unknown).
pub const END: u32 = u32::MAX - 2;

/// Graphs larger than this are not built (the instructions run as they are): the unknown masks
/// of deeply nested junctions could multiply the nodes.
const MAX_NODES: usize = 512;

impl Default for FlatCondition {
    fn default() -> FlatCondition {
        FlatCondition {
            ops: Box::default(),
            nodes: Box::default(),
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
        let nodes = graph(&lowering.ops).unwrap_or_default();
        FlatCondition {
            ops: lowering.ops.into_boxed_slice(),
            nodes,
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

    /// Gives the graph's leaves their compact tests (see [`Test`]), once the rulebook's sets
    /// are numbered (`paths`, the rulebook's `guard_paths`).
    pub fn set_tests(&mut self, paths: &[Box<[u32]>]) {
        let ops = &self.ops;
        for node in &mut self.nodes {
            node.test = match ops.get(node.leaf as usize) {
                Some(Op::Truth(Operand::Path(slots))) => match **slots {
                    [slot] => Test::Fact1 { slot },
                    [outer, inner] => Test::Fact2 { outer, inner },
                    _ => Test::Op,
                },
                Some(Op::EnumInPath { negated, variant, slots }) if *variant < 64 => {
                    match paths.iter().position(|path| **path == **slots) {
                        Some(path) => Test::InSet { path: path as u32, bit: 1 << variant, negated: *negated },
                        None => Test::Op,
                    }
                }
                Some(Op::Compare {
                    op,
                    left: Operand::Path(slots),
                    right: Operand::Const(Value::Number(constant) | Value::Quantity(constant)),
                }) if op.holds(std::cmp::Ordering::Equal).is_some() => match **slots {
                    [outer] => Test::Compare { outer, inner: u32::MAX, op: *op, constant: *constant },
                    [outer, inner] => Test::Compare { outer, inner, op: *op, constant: *constant },
                    _ => Test::Op,
                },
                Some(Op::EnumIntersectsPath { mask, path, .. }) if *path != u32::MAX && mask.len() <= 1 => {
                    Test::Intersects { path: *path, mask: mask.first().copied().unwrap_or(0) }
                }
                _ => Test::Op,
            };
        }
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

    /// The instructions as a graph of leaves (see [`Node`]); empty when they run as they are.
    #[inline]
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
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

/// Whether an instruction is a leaf (sets the accumulator whatever it held) rather than a step
/// of a junction's logic.
fn is_leaf(op: &Op) -> bool {
    !matches!(op, Op::Not | Op::Decide { .. } | Op::Last { .. })
}

/// Truth values while the junction logic is run ahead of time: 0 true, 1 false, 2 unknown (the
/// order of the graph's `next` and ends).
const TRUE: u8 = 0;
const FALSE: u8 = 1;
const UNKNOWN: u8 = 2;

/// Where the instructions go from `pc` with accumulator `acc` and unknown mask `unknown`,
/// running `Not`, `Decide` and `Last` exactly as the evaluator's loop does: the next leaf and
/// the mask there, or the end of the run with its value.
fn settle(ops: &[Op], mut pc: usize, mut acc: u8, mut unknown: u64) -> Result<(usize, u64), u8> {
    let not = |value: u8| match value {
        TRUE => FALSE,
        FALSE => TRUE,
        other => other,
    };
    while let Some(op) = ops.get(pc) {
        match op {
            Op::Not => acc = not(acc),
            Op::Decide { depth, decisive, end } => {
                let bit = 1u64 << depth;
                let decisive = if *decisive { TRUE } else { FALSE };
                if acc == decisive {
                    unknown &= !bit;
                    pc = *end as usize;
                    continue;
                } else if acc == UNKNOWN {
                    unknown |= bit;
                }
            }
            Op::Last { depth, decisive } => {
                let bit = 1u64 << depth;
                let seen = unknown & bit != 0;
                unknown &= !bit;
                let decisive = if *decisive { TRUE } else { FALSE };
                acc = if acc == decisive {
                    decisive
                } else if seen || acc == UNKNOWN {
                    UNKNOWN
                } else {
                    not(decisive)
                };
            }
            _ => return Ok((pc, unknown)),
        }
        pc += 1;
    }
    Err(acc)
}

/// The graph of a condition's instructions (see [`Node`]), or `None` when the first
/// instruction is not a leaf or the graph would pass [`MAX_NODES`].
fn graph(ops: &[Op]) -> Option<Box<[Node]>> {
    if !ops.first().is_some_and(is_leaf) {
        return None;
    }
    let mut states: Vec<(usize, u64)> = vec![(0, 0)];
    let mut nodes: Vec<Node> = Vec::new();
    let mut at = 0;
    while let Some(&(pc, unknown)) = states.get(at) {
        let mut next = [0u32; 3];
        for (outcome, target) in next.iter_mut().enumerate() {
            *target = match settle(ops, pc + 1, outcome as u8, unknown) {
                Err(value) => END + u32::from(value),
                Ok(state) => match states.iter().position(|known| *known == state) {
                    Some(number) => number as u32,
                    None => {
                        if states.len() >= MAX_NODES {
                            return None;
                        }
                        states.push(state);
                        (states.len() - 1) as u32
                    }
                },
            };
        }
        nodes.push(Node { leaf: pc as u32, next, test: Test::Op });
        at += 1;
    }
    Some(nodes.into_boxed_slice())
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{END, FlatCondition, Op, Operand};
    use crate::ir::IrExpr;
    use crate::schema::Ty;

    /// Fact `n` of the top level, as a leaf.
    fn fact(n: u32) -> IrExpr {
        IrExpr::RootPath { slots: Box::new([n]), names: Box::new([Arc::from(format!("f{n}"))]), ty: Ty::Bool }
    }

    /// Kleene logic over the leaves' outcomes (0 true, 1 false, 2 unknown), as the tree decides.
    fn kleene(expr: &IrExpr, outcomes: &[u8]) -> u8 {
        let junction = |operands: &[IrExpr], decisive: u8| {
            let mut unknown = false;
            for operand in operands {
                match kleene(operand, outcomes) {
                    value if value == decisive => return decisive,
                    2 => unknown = true,
                    _ => {}
                }
            }
            if unknown { 2 } else { 1 - decisive }
        };
        match expr {
            IrExpr::RootPath { slots, .. } => outcomes[slots[0] as usize],
            IrExpr::Not(inner) => match kleene(inner, outcomes) {
                2 => 2,
                value => 1 - value,
            },
            IrExpr::And(operands) => junction(operands, 1),
            IrExpr::Or(operands) => junction(operands, 0),
            other => panic!("not in these tests: {other:?}"),
        }
    }

    /// Follows a condition's graph with each leaf's outcome given, counting the leaves run.
    fn follow(flat: &FlatCondition, outcomes: &[u8]) -> (u8, usize) {
        let mut at = 0u32;
        let mut run = 0;
        loop {
            let Some(node) = flat.nodes().get(at as usize) else { return ((at - END) as u8, run) };
            let Some(Op::Truth(Operand::Path(slots))) = flat.ops().get(node.leaf as usize) else {
                panic!("a node's leaf is a fact: {:?}", flat.ops());
            };
            run += 1;
            at = node.next[outcomes[slots[0] as usize] as usize];
        }
    }

    #[test]
    fn the_graph_decides_as_kleene_logic_for_every_outcome_of_the_leaves() {
        use IrExpr::{And, Not, Or};
        let not = |expr: IrExpr| Not(Box::new(expr));
        let conditions = [
            // The EU slice's high-risk branch: `a and not (b and not c)`.
            And(vec![fact(0), not(And(vec![fact(1), not(fact(2))]))]),
            Or(vec![fact(0), And(vec![fact(1), fact(2)]), not(fact(3))]),
            And(vec![Or(vec![fact(0), fact(1)]), Or(vec![not(fact(2)), fact(3)]), fact(0)]),
            not(Or(vec![And(vec![fact(0), not(Or(vec![fact(1), fact(2)]))]), fact(3)])),
            And(vec![fact(0), fact(1), fact(2), fact(3)]),
        ];
        for condition in &conditions {
            let flat = FlatCondition::lower(condition);
            assert!(!flat.nodes().is_empty(), "{condition:?} has a graph");
            let leaves = flat.ops().iter().filter(|op| matches!(op, Op::Truth(_))).count();
            for assignment in 0..81u32 {
                let outcomes: Vec<u8> = (0..4).map(|n| (assignment / 3u32.pow(n) % 3) as u8).collect();
                let (value, run) = follow(&flat, &outcomes);
                assert_eq!(value, kleene(condition, &outcomes), "{condition:?} with {outcomes:?}");
                assert!(run <= leaves, "no leaf runs twice: {condition:?} with {outcomes:?}");
            }
        }
    }

    #[test]
    fn a_node_is_a_leaf_and_the_unknowns_seen_before_it() {
        let condition = IrExpr::And(vec![fact(0), IrExpr::Not(Box::new(IrExpr::And(vec![fact(1), fact(2)])))]);
        let flat = FlatCondition::lower(&condition);
        // `a`; `b` after `a` true or unknown; `c` after each of the four ways through them
        // that do not decide the condition: no node for a junction or a negation.
        let leaves: Vec<u32> = flat.nodes().iter().map(|node| node.leaf).collect();
        assert_eq!(leaves, [0, 2, 2, 4, 4, 4, 4], "{:?}", flat.ops());
    }
}
