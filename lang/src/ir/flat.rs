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

use super::{IrExpr, TermTarget, TierTarget};

/// Junctions nested deeper than this keep the tree: the mask of unknown operands has one bit
/// per level.
const MAX_DEPTH: u32 = 64;

/// A condition lowered to flat instructions; empty when the condition is evaluated by the tree
/// (before linking, or when nested too deep).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct FlatCondition {
    ops: Box<[Op]>,
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
        let mut lowering = Lowering { ops: Vec::new(), too_deep: false };
        lowering.condition(expr, 0);
        if lowering.too_deep {
            return FlatCondition::default();
        }
        FlatCondition { ops: lowering.ops.into_boxed_slice() }
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

struct Lowering {
    ops: Vec<Op>,
    too_deep: bool,
}

impl Lowering {
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
