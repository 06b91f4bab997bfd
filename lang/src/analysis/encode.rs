//! Conditions as a satisfiability problem.
//!
//! Every fact a condition reads becomes propositional variables over a symbolic description:
//! a bool field one variable, an enum field one variable per value (exactly one holds), a set
//! field one variable per value it may contain, and a number, quantity or date field the
//! order encoding over the constants it is compared with (`x ≥ c` and `x > c` for each constant
//! `c`, chained so that the thresholds stay ordered). An optional field has a variable saying it is
//! present; a list has a bounded number of element slots, each with a variable saying it exists.
//! Conditions become literals by the Tseitin transformation, so one solver holds every provision
//! of both rulebooks and each question is a call with assumptions.
//!
//! What falls outside this fragment (arithmetic between fields, dates shifted by durations,
//! comparisons of two facts) is [`Undecided`], never approximated.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rustsat::solvers::{Solve, SolveIncremental, SolverResult};
use rustsat::types::{Lit, TernaryVal, Var};
use rustsat_batsat::BasicSolver;

use super::linear;
use crate::eval::in_force;
use crate::ir::{
    CompiledRulebook, IrClassification, IrDue, IrException, IrExpr, IrObligation, IrRedline, OperandKind,
    PeriodConvention, RoleTarget, TermTarget, TierTarget,
};
use crate::schema::{RecordId, Schema, Ty};
use crate::syntax::ast::BinOp;
use crate::value::Value;

/// One step of a path into the symbolic description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// Field slot of a record.
    Field(u32),
    /// Element slot of a list.
    Elem(u32),
    /// A sum of facts (index into the encoder's sums); only ever a whole path on its own.
    Sum(u32),
}

/// A sum of facts, `Σ coefficient · fact`, as the SAT encoding sees it: an ordered fact of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumDef {
    pub terms: Vec<(Path, Decimal)>,
    pub ty: Ty,
    /// Whether the sum includes a constant, which makes it present even if every fact is absent.
    pub has_const: bool,
}

pub type Path = Vec<Seg>;

/// A condition outside the decided fragment, with the reason in a drafter's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided(pub String);

type Result<T> = std::result::Result<T, Undecided>;

/// How a fact of the description is encoded.
#[derive(Debug, Clone)]
pub enum Leaf {
    Bool(Lit),
    /// One literal per enum value; exactly one holds.
    Enum(Vec<Lit>),
    /// A set of enum values: one literal per value, true when the set contains it.
    EnumSet(Vec<Lit>),
    /// A set of strings: one literal per string some condition mentions.
    StrSet(BTreeMap<String, Lit>),
    /// A string: at most one of the strings some condition mentions (none: another string).
    Str(BTreeMap<String, Lit>),
    /// A number, quantity, date or instant, as `(≥ c, > c)` literals per constant `c`.
    Ordered {
        integral: bool,
        thresholds: BTreeMap<Decimal, (Lit, Lit)>,
    },
    /// A list: one literal per element slot, true when the element exists.
    List(Vec<Lit>),
}

/// A symbolic value: a literal, a constant, or a node of the description.
#[derive(Debug, Clone)]
pub enum Sym {
    Bool(Lit),
    Const(Value),
    Node {
        path: Path,
        ty: Ty,
    },
    /// `Σ coefficient · fact + constant` over number or quantity facts.
    Linear {
        terms: Vec<(Path, Decimal)>,
        constant: Decimal,
        has_const: bool,
        ty: Ty,
    },
    /// The tier of classification `idx` of the current rulebook.
    Tier(usize, u32),
}

/// The solver, the variables of the symbolic description, and caches of encoded terms.
pub struct Encoder<'s> {
    pub schema: &'s Schema,
    pub as_of: Date,
    /// Element slots per list.
    pub list_bound: u32,
    solver: BasicSolver,
    next_var: u32,
    truth: Lit,
    pub leaves: BTreeMap<Path, Leaf>,
    /// Presence literal of each optional field that some condition reads.
    pub presence: BTreeMap<Path, Lit>,
    /// Per set of strings that `countries(…)` reads, per country: the set holds a code of one of
    /// that country's subdivisions (`DE-BY` for `DE`). Every subdivision code a condition names
    /// implies it; the witness adds a code of its own when none named holds.
    pub subdivisions: BTreeMap<Path, BTreeMap<String, Lit>>,
    /// Encoded parameterless terms and classifications, per rulebook (by position in `rulebooks`).
    term_cache: BTreeMap<(usize, u32), (Sym, bool)>,
    tier_cache: BTreeMap<(usize, u32), (Vec<Lit>, bool)>,
    /// Whether some encoded condition quantifies over a list (answers then hold up to the bound).
    pub used_lists: bool,
    /// The sums of facts conditions compare, by the path `[Seg::Sum(index)]`.
    pub sums: Vec<SumDef>,
    /// The values the arithmetic realiser chose for the facts in sums, for the last model.
    pub assigned: BTreeMap<Path, Decimal>,
    /// How many constants each ordered fact had when its chain of thresholds was last added.
    ordered: BTreeMap<Path, usize>,
    /// Encoded provisions (by rulebook, what is asked, and the provision's address), so a
    /// provision asked about many times is encoded once: `(literal, reads lists)`.
    provision_cache: BTreeMap<(usize, u8, usize), (Lit, bool)>,
    /// While set, a comparison of two facts becomes a fresh literal, free to take either value:
    /// the encoding then allows more systems than the rulebook does, so a question it answers
    /// "no system" is answered for the rulebook too (and a "yes" proves nothing). Nothing encoded
    /// while it is set is cached.
    relaxed: bool,
    /// The question a sum is encoded for (an obligation's deadline), while one is being encoded.
    scope: Option<usize>,
    /// The questions each scoped sum was encoded for; sums encoded outside any are global.
    sum_owners: BTreeMap<usize, std::collections::BTreeSet<usize>>,
    global_sums: std::collections::BTreeSet<usize>,
    /// The scopes whose sums are realised after each model, besides the global ones. A sum no
    /// literal of the question depends on may take any region without changing the answer, so
    /// only the sums of the questions being asked are realised (see [`Encoder::realize`]).
    pub active_scopes: std::collections::BTreeSet<usize>,
}

/// The rulebook whose declarations a condition refers to, with its position among the rulebooks
/// being analysed (caches are kept apart per rulebook).
#[derive(Clone, Copy)]
pub struct Ctx<'r> {
    pub index: usize,
    pub rulebook: &'r CompiledRulebook,
}

impl<'s> Encoder<'s> {
    pub fn new(schema: &'s Schema, as_of: Date, list_bound: u32) -> Encoder<'s> {
        let mut solver = BasicSolver::default();
        let truth = Var::new(0).pos_lit();
        let _ = solver.add_unit(truth);
        Encoder {
            schema,
            as_of,
            list_bound,
            solver,
            next_var: 1,
            truth,
            leaves: BTreeMap::new(),
            presence: BTreeMap::new(),
            subdivisions: BTreeMap::new(),
            term_cache: BTreeMap::new(),
            tier_cache: BTreeMap::new(),
            used_lists: false,
            sums: Vec::new(),
            assigned: BTreeMap::new(),
            ordered: BTreeMap::new(),
            provision_cache: BTreeMap::new(),
            relaxed: false,
            scope: None,
            sum_owners: BTreeMap::new(),
            global_sums: std::collections::BTreeSet::new(),
            active_scopes: std::collections::BTreeSet::new(),
        }
    }

    pub fn truth(&self) -> Lit {
        self.truth
    }

    fn fresh(&mut self) -> Lit {
        let lit = Var::new(self.next_var).pos_lit();
        self.next_var += 1;
        lit
    }

    fn clause(&mut self, lits: &[Lit]) {
        let _ = self.solver.add_clause(lits.iter().copied().collect());
    }

    pub fn and(&mut self, lits: &[Lit]) -> Lit {
        let lits: Vec<Lit> = lits.iter().copied().filter(|lit| *lit != self.truth).collect();
        if lits.contains(&!self.truth) {
            return !self.truth;
        }
        match lits.as_slice() {
            [] => self.truth,
            [only] => *only,
            _ => {
                let out = self.fresh();
                for lit in &lits {
                    self.clause(&[!out, *lit]);
                }
                let mut back: Vec<Lit> = lits.iter().map(|lit| !*lit).collect();
                back.push(out);
                self.clause(&back);
                out
            }
        }
    }

    pub fn or(&mut self, lits: &[Lit]) -> Lit {
        let negated: Vec<Lit> = lits.iter().map(|lit| !*lit).collect();
        !self.and(&negated)
    }

    fn implies(&mut self, a: Lit, b: Lit) -> Lit {
        self.or(&[!a, b])
    }

    /// Solves under assumptions; `true` when some description satisfies them. When conditions
    /// compare sums, each model's regions are checked for numbers that realise them, and a
    /// combination that none do is excluded before asking again.
    pub fn solve(&mut self, assumptions: &[Lit]) -> bool {
        self.finish_orders();
        loop {
            if !matches!(self.solver.solve_assumps(assumptions), Ok(SolverResult::Sat)) {
                return false;
            }
            match self.realize() {
                Ok(()) => return true,
                Err(blocking) => {
                    if blocking.is_empty() {
                        return false;
                    }
                    self.clause(&blocking);
                }
            }
        }
    }

    /// Solves like [`Encoder::solve`], then looks for a plainer model of the same assumptions:
    /// flags false, sets and lists short, optional facts absent where the finding allows, so a
    /// witness shows what matters and little else.
    pub fn solve_minimal(&mut self, assumptions: &[Lit]) -> bool {
        if !self.solve(assumptions) {
            return false;
        }
        // Ask for every preference at once; the preferences in the solver's core of a refusal are
        // dropped and the rest asked again. Each round drops at least one, and rounds are few.
        let mut preferences = self.preferences();
        loop {
            let mut all = assumptions.to_vec();
            all.extend(preferences.iter().copied());
            match self.solve_or_core(&all) {
                Ok(()) => return true,
                Err(core) => {
                    let before = preferences.len();
                    preferences.retain(|lit| !core.contains(&!*lit));
                    if preferences.len() == before {
                        return self.solve(assumptions);
                    }
                }
            }
        }
    }

    /// A large subset of `wanted` that holds together with `assumptions` (found by dropping the
    /// literals of the solver's cores until the rest are satisfiable); `None` if the assumptions
    /// alone cannot hold.
    pub fn largest_compatible(&mut self, assumptions: &[Lit], wanted: &[Lit]) -> Option<Vec<Lit>> {
        let mut kept = wanted.to_vec();
        loop {
            let mut all = assumptions.to_vec();
            all.extend(kept.iter().copied());
            match self.solve_or_core(&all) {
                Ok(()) => return Some(kept),
                Err(core) => {
                    let before = kept.len();
                    kept.retain(|lit| !core.contains(&!*lit));
                    if kept.len() == before {
                        return if self.solve(assumptions) { Some(Vec::new()) } else { None };
                    }
                }
            }
        }
    }

    /// Like [`Encoder::solve`], but a refusal gives the assumptions it rests on (the negations
    /// of the solver's core).
    pub(crate) fn solve_or_core(&mut self, assumptions: &[Lit]) -> std::result::Result<(), Vec<Lit>> {
        self.finish_orders();
        loop {
            match self.solver.solve_assumps(assumptions) {
                Ok(SolverResult::Sat) => {}
                _ => return Err(self.solver.core().unwrap_or_default()),
            }
            match self.realize() {
                Ok(()) => return Ok(()),
                Err(blocking) => {
                    if blocking.is_empty() {
                        return Err(Vec::new());
                    }
                    self.clause(&blocking);
                }
            }
        }
    }

    /// The literals of a plain description: every flag, set member, list element and optional fact false.
    fn preferences(&self) -> Vec<Lit> {
        // Fewer list entries first (the greedy pass keeps what it can, in this order), then
        // absent optional facts, then false flags and empty sets.
        let mut out = Vec::new();
        for leaf in self.leaves.values() {
            if let Leaf::List(lits) = leaf {
                out.extend(lits.iter().rev().map(|lit| !*lit));
            }
        }
        out.extend(self.presence.values().map(|lit| !*lit));
        for subs in self.subdivisions.values() {
            out.extend(subs.values().map(|lit| !*lit));
        }
        for leaf in self.leaves.values() {
            match leaf {
                Leaf::Bool(lit) => out.push(!*lit),
                Leaf::EnumSet(lits) => out.extend(lits.iter().map(|lit| !*lit)),
                Leaf::StrSet(map) => out.extend(map.values().map(|lit| !*lit)),
                // A number below every constant it is compared with (zero, where that is).
                Leaf::Ordered { thresholds, .. } => out.extend(thresholds.values().next().map(|(ge, _)| !*ge)),
                _ => {}
            }
        }
        out
    }

    /// Values for the facts in sums that put every sum and fact in the region the model chose;
    /// otherwise the clause that excludes that combination of regions.
    fn realize(&mut self) -> std::result::Result<(), Vec<Lit>> {
        self.assigned.clear();
        let active: Vec<usize> = (0..self.sums.len())
            .filter(|index| {
                matches!(self.leaves.get(&vec![Seg::Sum(*index as u32)]), Some(Leaf::Ordered { thresholds, .. }) if !thresholds.is_empty())
            })
            .filter(|index| {
                self.global_sums.contains(index)
                    || self
                        .sum_owners
                        .get(index)
                        .is_some_and(|owners| owners.iter().any(|owner| self.active_scopes.contains(owner)))
            })
            .collect();
        if active.is_empty() {
            return Ok(());
        }
        // Variables: the facts of the active sums.
        let mut vars: Vec<Path> = Vec::new();
        for index in &active {
            for (path, _) in self.sums.get(*index).map(|sum| sum.terms.as_slice()).unwrap_or_default() {
                if !vars.contains(path) {
                    vars.push(path.clone());
                }
            }
        }
        // Constraints in groups, each with the model's literals it rests on: one group per fact
        // (its presence and region), one per sum (its region and its facts' presence).
        let mut groups: Vec<(Vec<linear::Constraint>, Vec<Lit>)> = Vec::new();
        let mut present = Vec::new();
        let mut presence_lits: Vec<Vec<Lit>> = Vec::new();
        for (var, path) in vars.iter().enumerate() {
            let (is_present, lits) = self.presence_in_model(path);
            let mut model_lits = lits.clone();
            presence_lits.push(lits);
            present.push(is_present);
            let mut constraints = Vec::new();
            let only = |sign: i64| BTreeMap::from([(var, Decimal::from(sign))]);
            if !is_present {
                constraints.push(linear::Constraint::new(only(1), Decimal::ZERO, false));
                constraints.push(linear::Constraint::new(only(-1), Decimal::ZERO, false));
                groups.push((constraints, model_lits));
                continue;
            }
            // Quantities (compute, money, durations) are never negative.
            if matches!(self.node_ty(path), Some((Ty::Quantity(_), _))) {
                constraints.push(linear::Constraint::new(only(1), Decimal::ZERO, false));
            }
            if let Some(Leaf::Ordered { thresholds, .. }) = self.leaves.get(path) {
                let cuts = self.cuts_in_model(thresholds, &mut model_lits);
                region_constraints(&cuts, &only(1), &mut constraints);
            }
            groups.push((constraints, model_lits));
        }
        for index in &active {
            let Some(sum) = self.sums.get(*index) else { continue };
            let mut model_lits = Vec::new();
            let mut sum_present = sum.has_const;
            for (path, _) in &sum.terms {
                if let Some(v) = vars.iter().position(|p| p == path) {
                    sum_present |= present.get(v).copied().unwrap_or(false);
                    model_lits.extend(presence_lits.get(v).cloned().unwrap_or_default());
                }
            }
            if !sum_present {
                continue;
            }
            let mut coefficients = BTreeMap::new();
            for (path, coefficient) in &sum.terms {
                if let Some(var) = vars.iter().position(|v| v == path) {
                    *coefficients.entry(var).or_insert(Decimal::ZERO) += *coefficient;
                }
            }
            let mut constraints = Vec::new();
            if let Some(Leaf::Ordered { thresholds, .. }) = self.leaves.get(&vec![Seg::Sum(*index as u32)]) {
                let cuts = self.cuts_in_model(thresholds, &mut model_lits);
                region_constraints(&cuts, &coefficients, &mut constraints);
            }
            groups.push((constraints, model_lits));
        }
        let integral: Vec<bool> = vars
            .iter()
            .map(|path| matches!(self.node_ty(path), Some((Ty::Integer | Ty::Date | Ty::DateTime, _))))
            .collect();
        let all: Vec<linear::Constraint> =
            groups.iter().flat_map(|(constraints, _)| constraints.iter().cloned()).collect();
        match linear::solve(vars.len(), &all, &integral) {
            Some(values) => {
                for ((path, value), is_present) in vars.into_iter().zip(values).zip(present) {
                    if is_present {
                        self.assigned.insert(path, value);
                    }
                }
                Ok(())
            }
            None => {
                // Only the groups the refusal needs are excluded (each group left out in turn,
                // kept out when the rest still has no solution), so one clause rules out every
                // model that repeats that part, not only this one.
                let mut kept: Vec<bool> = vec![true; groups.len()];
                for index in 0..groups.len() {
                    if let Some(flag) = kept.get_mut(index) {
                        *flag = false;
                    }
                    let rest: Vec<linear::Constraint> = groups
                        .iter()
                        .zip(&kept)
                        .filter(|(_, keep)| **keep)
                        .flat_map(|((constraints, _), _)| constraints.iter().cloned())
                        .collect();
                    if linear::solve(vars.len(), &rest, &integral).is_some()
                        && let Some(flag) = kept.get_mut(index)
                    {
                        *flag = true;
                    }
                }
                let mut blocking: Vec<Lit> = groups
                    .iter()
                    .zip(&kept)
                    .filter(|(_, keep)| **keep)
                    .flat_map(|((_, lits), _)| lits.iter().map(|lit| !*lit))
                    .collect();
                blocking.sort();
                blocking.dedup();
                Err(blocking)
            }
        }
    }

    /// Whether every optional field on the way to `path` is present in the model, and the
    /// presence literals as the model set them.
    fn presence_in_model(&self, path: &[Seg]) -> (bool, Vec<Lit>) {
        let mut lits = Vec::new();
        let mut present = true;
        for end in 1..=path.len() {
            let Some(prefix) = path.get(..end) else { continue };
            if let Some((_, true)) = self.node_ty(prefix) {
                match self.presence.get(prefix) {
                    Some(lit) => {
                        let value = self.value(*lit);
                        lits.push(if value { *lit } else { !*lit });
                        present &= value;
                    }
                    None => present = false,
                }
            }
        }
        (present, lits)
    }

    /// The thresholds of an ordered fact with the model's values, recording the literals.
    fn cuts_in_model(
        &self,
        thresholds: &BTreeMap<Decimal, (Lit, Lit)>,
        lits: &mut Vec<Lit>,
    ) -> Vec<(Decimal, bool, bool)> {
        thresholds
            .iter()
            .map(|(c, (ge, gt))| {
                let (ge_value, gt_value) = (self.value(*ge), self.value(*gt));
                lits.push(if ge_value { *ge } else { !*ge });
                lits.push(if gt_value { *gt } else { !*gt });
                (*c, ge_value, gt_value)
            })
            .collect()
    }

    /// The value of a literal in the last model.
    pub fn value(&self, lit: Lit) -> bool {
        matches!(self.solver.lit_val(lit), Ok(TernaryVal::True))
    }

    /// Chains the thresholds of every ordered fact: `> c` implies `≥ c`, `≥ c'` implies `> c`
    /// for `c < c'`, and for whole numbers an empty gap between two constants is skipped.
    fn finish_orders(&mut self) {
        let mut clauses = Vec::new();
        for (path, leaf) in &self.leaves {
            let Leaf::Ordered { integral, thresholds } = leaf else { continue };
            // Only facts that gained constants since the last call need their chain again.
            if self.ordered.get(path) == Some(&thresholds.len()) {
                continue;
            }
            self.ordered.insert(path.clone(), thresholds.len());
            let list: Vec<(&Decimal, &(Lit, Lit))> = thresholds.iter().collect();
            for (index, (value, (ge, gt))) in list.iter().enumerate() {
                clauses.push(vec![!*gt, *ge]);
                if *integral && !value.fract().is_zero() {
                    // A whole number is never equal to a fraction.
                    clauses.push(vec![!*ge, *gt]);
                }
                if let Some((next_value, (next_ge, _))) = list.get(index + 1) {
                    clauses.push(vec![!*next_ge, *gt]);
                    if *integral && !has_integer_between(value, next_value) {
                        clauses.push(vec![!*gt, *next_ge]);
                    }
                }
            }
        }
        for clause in clauses {
            self.clause(&clause);
        }
    }

    fn field_ty(&self, record: RecordId, slot: u32) -> Option<(Ty, bool)> {
        let field = self.schema.record(record)?.fields.get(slot as usize)?;
        Some((field.ty.clone(), field.optional))
    }

    /// The type of the node at `path`, and whether that last step is an optional field.
    pub fn node_ty(&self, path: &[Seg]) -> Option<(Ty, bool)> {
        if let [Seg::Sum(index)] = path {
            return self.sums.get(*index as usize).map(|sum| (sum.ty.clone(), false));
        }
        let mut ty = Ty::Record(self.schema.root?);
        let mut optional = false;
        for seg in path {
            match (seg, &ty) {
                (Seg::Field(slot), Ty::Record(record)) => {
                    let (next, opt) = self.field_ty(*record, *slot)?;
                    ty = next;
                    optional = opt;
                }
                (Seg::Elem(_), Ty::List(inner) | Ty::Set(inner)) => {
                    ty = (**inner).clone();
                    optional = false;
                }
                _ => return None,
            }
        }
        Some((ty, optional))
    }

    /// Whether the node at `path` is present: every optional field on the way is.
    fn present(&mut self, path: &[Seg]) -> Lit {
        let mut lits = Vec::new();
        for end in 1..=path.len() {
            let Some(prefix) = path.get(..end) else { continue };
            if let Some((_, true)) = self.node_ty(prefix) {
                let lit = match self.presence.get(prefix) {
                    Some(lit) => *lit,
                    None => {
                        let lit = self.fresh();
                        self.presence.insert(prefix.to_vec(), lit);
                        lit
                    }
                };
                lits.push(lit);
            }
        }
        self.and(&lits)
    }

    fn leaf(&mut self, path: &[Seg], ty: &Ty) -> Result<Leaf> {
        if let Some(leaf) = self.leaves.get(path) {
            return Ok(leaf.clone());
        }
        let leaf = match ty {
            Ty::Bool => Leaf::Bool(self.fresh()),
            Ty::Enum(id) => {
                let n = self.schema.enum_def(*id).map_or(0, |def| def.variants.len());
                let lits: Vec<Lit> = (0..n).map(|_| self.fresh()).collect();
                self.clause(&lits);
                for (i, a) in lits.iter().enumerate() {
                    for b in lits.iter().skip(i + 1) {
                        self.clause(&[!*a, !*b]);
                    }
                }
                Leaf::Enum(lits)
            }
            Ty::Set(inner) if enum_of(inner).is_some() => {
                let n = enum_of(inner).and_then(|id| self.schema.enum_def(id)).map_or(0, |def| def.variants.len());
                Leaf::EnumSet((0..n).map(|_| self.fresh()).collect())
            }
            Ty::Set(inner) if matches!(**inner, Ty::String) => Leaf::StrSet(BTreeMap::new()),
            Ty::String => Leaf::Str(BTreeMap::new()),
            Ty::Number | Ty::Quantity(_) => Leaf::Ordered { integral: false, thresholds: BTreeMap::new() },
            Ty::Integer | Ty::Date | Ty::DateTime => Leaf::Ordered { integral: true, thresholds: BTreeMap::new() },
            Ty::List(_) | Ty::Set(_) => {
                let lits: Vec<Lit> = (0..self.list_bound).map(|_| self.fresh()).collect();
                for pair in lits.windows(2) {
                    if let [before, after] = pair {
                        self.clause(&[!*after, *before]);
                    }
                }
                if let Some(first) = lits.first().copied() {
                    let present = self.present(path);
                    self.clause(&[!first, present]);
                }
                Leaf::List(lits)
            }
            _ => return Err(Undecided(format!("a fact of type {} is not decided", self.schema.display_ty(ty)))),
        };
        self.leaves.insert(path.to_vec(), leaf.clone());
        Ok(leaf)
    }

    /// The `(≥ c, > c)` literals of an ordered fact for constant `c`.
    fn threshold(&mut self, path: &[Seg], ty: &Ty, c: Decimal) -> Result<(Lit, Lit)> {
        self.leaf(path, ty)?;
        if let Some(Leaf::Ordered { thresholds, .. }) = self.leaves.get(path)
            && let Some(pair) = thresholds.get(&c)
        {
            return Ok(*pair);
        }
        let pair = (self.fresh(), self.fresh());
        if let Some(Leaf::Ordered { thresholds, .. }) = self.leaves.get_mut(path) {
            thresholds.insert(c, pair);
            Ok(pair)
        } else {
            Err(Undecided("a fact compared as a number is not a number".to_owned()))
        }
    }

    fn string_lit(&mut self, path: &[Seg], ty: &Ty, text: &str) -> Result<Lit> {
        self.leaf(path, ty)?;
        if let Some(Leaf::Str(map) | Leaf::StrSet(map)) = self.leaves.get(path)
            && let Some(lit) = map.get(text)
        {
            return Ok(*lit);
        }
        let lit = self.fresh();
        let single = matches!(self.leaves.get(path), Some(Leaf::Str(_)));
        let others: Vec<Lit> = match self.leaves.get(path) {
            Some(Leaf::Str(map)) => map.values().copied().collect(),
            _ => Vec::new(),
        };
        if single {
            for other in others {
                self.clause(&[!lit, !other]);
            }
        }
        if let Some(Leaf::Str(map) | Leaf::StrSet(map)) = self.leaves.get_mut(path) {
            map.insert(text.to_owned(), lit);
        }
        // A subdivision code in the set puts its country in `countries(…)` of the set.
        if let Some((country, _)) = text.split_once('-')
            && let Some(sub) = self.subdivisions.get(path).and_then(|subs| subs.get(country)).copied()
        {
            self.clause(&[!lit, sub]);
        }
        Ok(lit)
    }

    /// The set of strings at `path` holds a code of a subdivision of `country` (see
    /// [`Encoder::subdivisions`]).
    fn subdivision_lit(&mut self, path: &[Seg], ty: &Ty, country: &str) -> Result<Lit> {
        let Leaf::StrSet(map) = self.leaf(path, ty)? else {
            return Err(Undecided("`countries` of a list of strings is not decided".to_owned()));
        };
        if let Some(lit) = self.subdivisions.get(path).and_then(|subs| subs.get(country)) {
            return Ok(*lit);
        }
        let sub = self.fresh();
        for (text, lit) in &map {
            if text.split_once('-').is_some_and(|(code, _)| code == country) {
                self.clause(&[!*lit, sub]);
            }
        }
        self.subdivisions.entry(path.to_vec()).or_default().insert(country.to_owned(), sub);
        Ok(sub)
    }

    /// `countries(S) contains code` for the set of strings `S` at `path`: `S` holds the code
    /// itself or a code of one of its subdivisions.
    fn countries_contains(&mut self, path: &[Seg], ty: &Ty, code: &Value) -> Result<Lit> {
        let Value::Str(code) = code else { return Err(mismatch()) };
        if !matches!(ty, Ty::Set(inner) if matches!(**inner, Ty::String)) {
            return Err(Undecided("`countries` of a list of strings is not decided".to_owned()));
        }
        // The country part of a code never holds a `-`.
        if code.contains('-') {
            return Ok(!self.truth);
        }
        let present = self.present(path);
        let itself = self.string_lit(path, ty, code)?;
        let sub = self.subdivision_lit(path, ty, code)?;
        let either = self.or(&[itself, sub]);
        Ok(self.and(&[present, either]))
    }

    /// `countries(codes) contains` each of `items` (any of them), for `member` and `intersects`.
    fn countries_any(&mut self, ctx: Ctx<'_>, codes: &IrExpr, items: &[Value], env: &[Option<Sym>]) -> Result<Lit> {
        match self.sym(ctx, codes, env)? {
            Sym::Const(Value::Absent) => Ok(!self.truth),
            Sym::Const(value) => {
                let found =
                    countries_of(&value).is_some_and(|countries| items.iter().any(|item| countries.contains(item)));
                Ok(if found { self.truth } else { !self.truth })
            }
            Sym::Node { path, ty } => {
                let mut lits = Vec::new();
                for item in items {
                    lits.push(self.countries_contains(&path, &ty, item)?);
                }
                Ok(self.or(&lits))
            }
            _ => Err(Undecided("`countries` of a computed collection".to_owned())),
        }
    }

    // ----- conditions -----

    /// A condition of rulebook `ctx` as a literal; `env` binds the locals.
    pub fn cond(&mut self, ctx: Ctx<'_>, expr: &IrExpr, env: &[Option<Sym>]) -> Result<Lit> {
        match expr {
            IrExpr::Const(Value::Bool(value)) => Ok(if *value { self.truth } else { !self.truth }),
            IrExpr::And(operands) => {
                let lits = operands.iter().map(|op| self.cond(ctx, op, env)).collect::<Result<Vec<_>>>()?;
                Ok(self.and(&lits))
            }
            IrExpr::Or(operands) => {
                let lits = operands.iter().map(|op| self.cond(ctx, op, env)).collect::<Result<Vec<_>>>()?;
                Ok(self.or(&lits))
            }
            IrExpr::Not(inner) => Ok(!self.cond(ctx, inner, env)?),
            IrExpr::Compare { op, kind, left, right } => self.compare(ctx, *op, *kind, left, right, env),
            IrExpr::Member { negated, element, collection } => {
                let lit = self.member(ctx, element, collection, env)?;
                Ok(if *negated { !lit } else { lit })
            }
            IrExpr::Intersects(a, b) => self.intersects(ctx, a, b, env),
            IrExpr::Present { expr, present } => {
                let lit = match self.sym(ctx, expr, env)? {
                    Sym::Node { path, .. } => self.present(&path),
                    Sym::Const(Value::Absent) => !self.truth,
                    _ => self.truth,
                };
                Ok(if *present { lit } else { !lit })
            }
            IrExpr::Quantified { every, local, list, body } => {
                let list = self.sym(ctx, list, env)?;
                self.quantified(ctx, *every, *local, list, env, |encoder, env| encoder.cond(ctx, body, env))
            }
            _ => {
                let sym = self.sym(ctx, expr, env)?;
                self.truth_of(sym)
            }
        }
    }

    fn truth_of(&mut self, sym: Sym) -> Result<Lit> {
        match sym {
            Sym::Bool(lit) => Ok(lit),
            Sym::Const(Value::Bool(value)) => Ok(if value { self.truth } else { !self.truth }),
            Sym::Const(_) => Ok(!self.truth),
            Sym::Node { path, ty: Ty::Bool } => {
                let present = self.present(&path);
                let Leaf::Bool(value) = self.leaf(&path, &Ty::Bool)? else {
                    return Err(Undecided("a condition reads a fact that is not a bool".to_owned()));
                };
                Ok(self.and(&[present, value]))
            }
            _ => Err(Undecided("a condition reads a fact that is not a bool".to_owned())),
        }
    }

    /// `some` or `every` element of a list satisfies `body`, over the list's element slots.
    fn quantified(
        &mut self,
        ctx: Ctx<'_>,
        every: bool,
        local: u32,
        list: Sym,
        env: &[Option<Sym>],
        mut body: impl FnMut(&mut Self, &[Option<Sym>]) -> Result<Lit>,
    ) -> Result<Lit> {
        let _ = ctx;
        let (path, ty) = match list {
            Sym::Node { path, ty } => (path, ty),
            Sym::Const(Value::Absent) => return Ok(if every { self.truth } else { !self.truth }),
            _ => return Err(Undecided("a quantifier over a list written in the rulebook is not decided".to_owned())),
        };
        let (Ty::List(inner) | Ty::Set(inner)) = &ty else {
            return Err(Undecided("a quantifier over something that is not a list".to_owned()));
        };
        // Over a set of enum values, every value is considered: exact, with no bound.
        if let (Ty::Set(_), Some(id)) = (&ty, enum_of(inner)) {
            let n = self.schema.enum_def(id).map_or(0, |def| def.variants.len());
            let mut parts = Vec::new();
            for index in 0..n {
                let value = Value::Enum(index as u32);
                let member = self.contains(&path, &ty, &value)?;
                let inner_env = bind(env, local, Sym::Const(value));
                let holds = body(self, &inner_env)?;
                parts.push(if every { self.implies(member, holds) } else { self.and(&[member, holds]) });
            }
            return Ok(if every { self.and(&parts) } else { self.or(&parts) });
        }
        self.used_lists = true;
        let list_leaf = self.list_leaf(&path, &ty)?;
        let mut parts = Vec::new();
        for (index, exists) in list_leaf.iter().enumerate() {
            let mut element_path = path.clone();
            element_path.push(Seg::Elem(index as u32));
            let inner_env = bind(env, local, Sym::Node { path: element_path, ty: (**inner).clone() });
            let holds = body(self, &inner_env)?;
            parts.push(if every { self.implies(*exists, holds) } else { self.and(&[*exists, holds]) });
        }
        Ok(if every { self.and(&parts) } else { self.or(&parts) })
    }

    /// The element-slot literals of a list (sets of enums or strings are lists here too when
    /// quantified over).
    fn list_leaf(&mut self, path: &[Seg], ty: &Ty) -> Result<Vec<Lit>> {
        match self.leaves.get(path) {
            Some(Leaf::List(lits)) => return Ok(lits.clone()),
            Some(_) => return Err(Undecided("a set is both quantified over and tested for members".to_owned())),
            None => {}
        }
        let list_ty = match ty {
            Ty::Set(inner) => Ty::List(inner.clone()),
            other => other.clone(),
        };
        // Encode as a list even if it is a set of enums.
        let lits: Vec<Lit> = (0..self.list_bound).map(|_| self.fresh()).collect();
        for pair in lits.windows(2) {
            if let [before, after] = pair {
                self.clause(&[!*after, *before]);
            }
        }
        if let Some(first) = lits.first().copied() {
            let present = self.present(path);
            self.clause(&[!first, present]);
        }
        let _ = list_ty;
        self.leaves.insert(path.to_vec(), Leaf::List(lits.clone()));
        Ok(lits)
    }

    fn compare(
        &mut self,
        ctx: Ctx<'_>,
        op: BinOp,
        kind: OperandKind,
        left: &IrExpr,
        right: &IrExpr,
        env: &[Option<Sym>],
    ) -> Result<Lit> {
        let left = self.sym(ctx, left, env)?;
        let right = self.sym(ctx, right, env)?;
        let (op, node, constant) = match (left, right) {
            (Sym::Tier(idx, tier), Sym::Const(Value::Enum(value)))
            | (Sym::Const(Value::Enum(value)), Sym::Tier(idx, tier)) => {
                let tiers = self.tiers(ctx, idx as u32)?;
                let _ = tier;
                let lit = tiers.get(value as usize).copied().unwrap_or(!self.truth);
                return match op {
                    BinOp::Eq => Ok(lit),
                    BinOp::Ne => Ok(!lit),
                    _ => Err(Undecided("tiers are compared only for equality".to_owned())),
                };
            }
            (Sym::Const(a), Sym::Const(b)) => return Ok(self.const_compare(op, &a, &b)),
            (Sym::Bool(a), Sym::Const(Value::Bool(b))) | (Sym::Const(Value::Bool(b)), Sym::Bool(a)) => {
                let eq = if b { a } else { !a };
                return match op {
                    BinOp::Eq => Ok(eq),
                    BinOp::Ne => Ok(!eq),
                    _ => Err(Undecided("truth values are compared only for equality".to_owned())),
                };
            }
            (left, right) if is_dated_sum(&left) || is_dated_sum(&right) => {
                return self.compare_dated(op, left, right);
            }
            (Sym::Linear { terms, constant, has_const, ty }, Sym::Const(value)) => {
                return self.compare_sum(op, terms, constant, has_const, ty, &value);
            }
            (Sym::Const(value), Sym::Linear { terms, constant, has_const, ty }) => {
                return self.compare_sum(flip(op), terms, constant, has_const, ty, &value);
            }
            (Sym::Node { path, ty }, Sym::Const(value)) => (op, (path, ty), value),
            (Sym::Const(value), Sym::Node { path, ty }) => (flip(op), (path, ty), value),
            (Sym::Node { path: left, ty: left_ty }, Sym::Node { path: right, ty: right_ty })
                if !self.relaxed && left_ty == right_ty && is_ordered(&left_ty) =>
            {
                return self.compare_facts(op, left, right, left_ty);
            }
            (left @ Sym::Linear { .. }, right @ (Sym::Linear { .. } | Sym::Node { .. }))
            | (left @ Sym::Node { .. }, right @ Sym::Linear { .. })
                if !self.relaxed =>
            {
                return self.compare_sums(op, left, right);
            }
            _ if self.relaxed => {
                // Set free: it may go either way (see `Encoder::relaxed`).
                return Ok(self.fresh());
            }
            _ => {
                return Err(Undecided(
                    "a comparison between two facts of the description (only comparisons with a constant are decided)"
                        .to_owned(),
                ));
            }
        };
        let _ = kind;
        let (path, ty) = node;
        let present = self.present(&path);
        if matches!(constant, Value::Absent) {
            return Ok(match op {
                BinOp::Ne => self.truth,
                _ => !self.truth,
            });
        }
        let eq_or = |encoder: &mut Self, eq: Lit| -> Result<Lit> {
            let eq = encoder.and(&[present, eq]);
            match op {
                BinOp::Eq => Ok(eq),
                BinOp::Ne => Ok(!eq),
                _ => Err(Undecided("this kind of value is compared only for equality".to_owned())),
            }
        };
        match (&ty, &constant) {
            (Ty::Bool, Value::Bool(b)) => {
                let Leaf::Bool(lit) = self.leaf(&path, &ty)? else { return Err(mismatch()) };
                eq_or(self, if *b { lit } else { !lit })
            }
            (Ty::Enum(_), Value::Enum(index)) => {
                let Leaf::Enum(lits) = self.leaf(&path, &ty)? else { return Err(mismatch()) };
                let lit = lits.get(*index as usize).copied().unwrap_or(!self.truth);
                eq_or(self, lit)
            }
            (Ty::String, Value::Str(text)) => {
                let lit = self.string_lit(&path, &ty, text)?;
                eq_or(self, lit)
            }
            _ => {
                let Some(c) = ordered_key(&constant) else {
                    return Err(Undecided(format!(
                        "a comparison of {} with this constant is not decided",
                        self.schema.display_ty(&ty)
                    )));
                };
                let (ge, gt) = self.threshold(&path, &ty, c)?;
                let core = match op {
                    BinOp::Gt => gt,
                    BinOp::Ge => ge,
                    BinOp::Lt => !ge,
                    BinOp::Le => !gt,
                    BinOp::Eq | BinOp::Ne => self.and(&[ge, !gt]),
                    _ => return Err(Undecided("an operator outside comparisons".to_owned())),
                };
                let holds = self.and(&[present, core]);
                Ok(if op == BinOp::Ne { !holds } else { holds })
            }
        }
    }

    /// Two facts of one ordered type compared with each other (`report.submitted_on >=
    /// incident.aware_at`): `left − right  op  0`, through the sum's ordered leaf and the linear
    /// realiser. Either fact absent makes the comparison false (`!=` true), as in the evaluator.
    fn compare_facts(&mut self, op: BinOp, left: Path, right: Path, ty: Ty) -> Result<Lit> {
        if left == right {
            let present = self.present(&left);
            let holds = op.holds(std::cmp::Ordering::Equal).ok_or_else(mismatch)?;
            return Ok(match (op, holds) {
                (BinOp::Ne, _) => !present,
                (_, true) => present,
                (_, false) => !self.truth,
            });
        }
        self.leaf(&left, &ty)?;
        self.leaf(&right, &ty)?;
        let both = [self.present(&left), self.present(&right)];
        let (sum_ty, zero) = match ty {
            Ty::Quantity(_) => (ty.clone(), Value::Quantity(Decimal::ZERO)),
            // Days between dates and seconds between instants are whole numbers.
            Ty::Date | Ty::DateTime | Ty::Integer => (Ty::Integer, Value::Number(Decimal::ZERO)),
            _ => (Ty::Number, Value::Number(Decimal::ZERO)),
        };
        let mut terms = vec![(left, Decimal::ONE), (right, Decimal::NEGATIVE_ONE)];
        terms.sort();
        let compared =
            self.compare_sum(if op == BinOp::Ne { BinOp::Eq } else { op }, terms, Decimal::ZERO, false, sum_ty, &zero)?;
        let holds = self.and(&[both[0], both[1], compared]);
        Ok(if op == BinOp::Ne { !holds } else { holds })
    }

    /// Two sums of facts compared (`3 * modification.compute > original_compute`), at least one
    /// of them more than a single fact: `left − right  op  0`, through the sum's ordered leaf.
    /// Either side absent (no fact of it present, and no constant) makes the comparison false
    /// (`!=` true), as in the evaluator.
    fn compare_sums(&mut self, op: BinOp, left: Sym, right: Sym) -> Result<Lit> {
        let (Some((terms, a, has_a, ty_a)), Some((more, b, has_b, ty_b))) = (linear_of(left), linear_of(right)) else {
            return Err(Undecided("a comparison of values that are not numbers or quantities".to_owned()));
        };
        let present = [self.sum_present(&terms, has_a), self.sum_present(&more, has_b)];
        let ty = ty_a.or(ty_b).unwrap_or(Ty::Number);
        self.compare_linear(op, (terms, a), (more, b), present, ty)
    }

    /// A date or instant moved by a duration compared with another (`requested_at <= started_at
    /// + 24 hours`), or with a constant: `left − right  op  0` in days or seconds, as two facts
    /// of one such type are compared (see `compare_facts`); either side absent makes it false.
    fn compare_dated(&mut self, op: BinOp, left: Sym, right: Sym) -> Result<Lit> {
        if self.relaxed {
            return Ok(self.fresh());
        }
        let (left, left_present) = self.dated_form(left)?;
        let (right, right_present) = self.dated_form(right)?;
        let (Some((terms, a, left_seconds)), Some((more, b, right_seconds))) = (left, right) else {
            return Ok(if op == BinOp::Ne { self.truth } else { !self.truth });
        };
        if left_seconds != right_seconds {
            return Err(Undecided("a date compared with an instant".to_owned()));
        }
        self.compare_linear(op, (terms, a), (more, b), [left_present, right_present], Ty::Integer)
    }

    /// `Σ left + a  op  Σ right + b` where both sides are `present`: their difference compared
    /// with 0 through the sum's ordered leaf (`ty`: the difference's type), false (`!=` true)
    /// where either side is not present.
    fn compare_linear(
        &mut self,
        op: BinOp,
        (terms, a): (Vec<(Path, Decimal)>, Decimal),
        (more, b): (Vec<(Path, Decimal)>, Decimal),
        present: [Lit; 2],
        ty: Ty,
    ) -> Result<Lit> {
        let too_large = || Undecided("a difference too large to decide".to_owned());
        let mut terms = merged(terms, more, Decimal::NEGATIVE_ONE).ok_or_else(too_large)?;
        terms.retain(|(_, coefficient)| !coefficient.is_zero());
        terms.sort();
        let constant = a.checked_sub(b).ok_or_else(too_large)?;
        let core = if op == BinOp::Ne { BinOp::Eq } else { op };
        let compared = if terms.is_empty() {
            let holds = core.holds(constant.cmp(&Decimal::ZERO)).ok_or_else(mismatch)?;
            if holds { self.truth } else { !self.truth }
        } else {
            let zero = if matches!(ty, Ty::Quantity(_)) {
                Value::Quantity(Decimal::ZERO)
            } else {
                Value::Number(Decimal::ZERO)
            };
            self.compare_sum(core, terms, constant, true, ty, &zero)?
        };
        let holds = self.and(&[present[0], present[1], compared]);
        Ok(if op == BinOp::Ne { !holds } else { holds })
    }

    /// `Σ terms + constant  op  value`, through the sum's own ordered leaf.
    fn compare_sum(
        &mut self,
        op: BinOp,
        terms: Vec<(Path, Decimal)>,
        constant: Decimal,
        has_const: bool,
        ty: Ty,
        value: &Value,
    ) -> Result<Lit> {
        if matches!(value, Value::Absent) {
            return Ok(if op == BinOp::Ne { self.truth } else { !self.truth });
        }
        let Some(c) = ordered_key(value) else { return Err(mismatch()) };
        let c = c.checked_sub(constant).ok_or_else(|| Undecided("a constant too large to compare".to_owned()))?;
        let def = SumDef { terms, ty: ty.clone(), has_const };
        let index = match self.sums.iter().position(|sum| *sum == def) {
            Some(index) => index,
            None => {
                self.sums.push(def.clone());
                self.sums.len() - 1
            }
        };
        match self.scope {
            Some(owner) => {
                self.sum_owners.entry(index).or_default().insert(owner);
            }
            None => {
                self.global_sums.insert(index);
            }
        }
        let path = vec![Seg::Sum(index as u32)];
        let present = self.sum_present(&def.terms, has_const);
        let (ge, gt) = self.threshold(&path, &ty, c)?;
        let core = match op {
            BinOp::Gt => gt,
            BinOp::Ge => ge,
            BinOp::Lt => !ge,
            BinOp::Le => !gt,
            BinOp::Eq | BinOp::Ne => self.and(&[ge, !gt]),
            _ => return Err(Undecided("an operator outside comparisons".to_owned())),
        };
        let holds = self.and(&[present, core]);
        Ok(if op == BinOp::Ne { !holds } else { holds })
    }

    /// Whether a sum exists: always with a constant in it (`has_const`), else when one of its
    /// facts is present (an absent fact adds nothing, as in the evaluator).
    fn sum_present(&mut self, terms: &[(Path, Decimal)], has_const: bool) -> Lit {
        let presences: Vec<Lit> = terms.iter().map(|(term, _)| self.present(term)).collect();
        if has_const { self.truth } else { self.or(&presences) }
    }

    fn const_compare(&self, op: BinOp, a: &Value, b: &Value) -> Lit {
        let result = match (a, b) {
            (Value::Absent, _) | (_, Value::Absent) => op == BinOp::Ne,
            _ => match (ordered_key(a), ordered_key(b)) {
                (Some(x), Some(y)) => op.holds(x.cmp(&y)).unwrap_or(false),
                _ => match op {
                    BinOp::Eq => a == b,
                    BinOp::Ne => a != b,
                    _ => false,
                },
            },
        };
        if result { self.truth } else { !self.truth }
    }

    fn member(&mut self, ctx: Ctx<'_>, element: &IrExpr, collection: &IrExpr, env: &[Option<Sym>]) -> Result<Lit> {
        if let IrExpr::Countries(codes) = collection {
            return match self.sym(ctx, element, env)? {
                Sym::Const(Value::Absent) => Ok(!self.truth),
                Sym::Const(value) => self.countries_any(ctx, codes, &[value], env),
                _ => Err(Undecided("membership of a fact in `countries(…)`".to_owned())),
            };
        }
        let element = self.sym(ctx, element, env)?;
        let collection = self.sym(ctx, collection, env)?;
        match (element, collection) {
            (Sym::Const(Value::Absent), _) | (_, Sym::Const(Value::Absent)) => Ok(!self.truth),
            (Sym::Const(value), Sym::Const(Value::Set(items) | Value::List(items))) => {
                Ok(if items.contains(&value) { self.truth } else { !self.truth })
            }
            (Sym::Node { path, ty }, Sym::Const(Value::Set(items) | Value::List(items))) => {
                let mut lits = Vec::new();
                for item in items.iter() {
                    lits.push(self.compare_node_const(&path, &ty, item)?);
                }
                Ok(self.or(&lits))
            }
            (Sym::Const(value), Sym::Node { path, ty }) => self.contains(&path, &ty, &value),
            (Sym::Node { path: elem_path, ty: elem_ty }, Sym::Node { path, ty }) => match (&elem_ty, &ty) {
                (Ty::Enum(id), Ty::Set(inner)) if matches!(**inner, Ty::Enum(_)) => {
                    let n = self.schema.enum_def(*id).map_or(0, |def| def.variants.len());
                    let mut lits = Vec::new();
                    for index in 0..n {
                        let is = self.compare_node_const(&elem_path, &elem_ty, &Value::Enum(index as u32))?;
                        let has = self.contains(&path, &ty, &Value::Enum(index as u32))?;
                        lits.push(self.and(&[is, has]));
                    }
                    Ok(self.or(&lits))
                }
                _ => Err(Undecided("membership of one fact in another fact's list".to_owned())),
            },
            _ => Err(Undecided("membership in a computed collection".to_owned())),
        }
    }

    /// `node == constant`, the node present.
    fn compare_node_const(&mut self, path: &[Seg], ty: &Ty, constant: &Value) -> Result<Lit> {
        let present = self.present(path);
        let lit = match (ty, constant) {
            (Ty::Enum(_), Value::Enum(index)) => {
                let Leaf::Enum(lits) = self.leaf(path, ty)? else { return Err(mismatch()) };
                lits.get(*index as usize).copied().unwrap_or(!self.truth)
            }
            (Ty::String, Value::Str(text)) => self.string_lit(path, ty, text)?,
            (Ty::Bool, Value::Bool(b)) => {
                let Leaf::Bool(lit) = self.leaf(path, ty)? else { return Err(mismatch()) };
                if *b { lit } else { !lit }
            }
            _ => {
                let Some(c) = ordered_key(constant) else { return Err(mismatch()) };
                let (ge, gt) = self.threshold(path, ty, c)?;
                self.and(&[ge, !gt])
            }
        };
        Ok(self.and(&[present, lit]))
    }

    /// A set or list fact contains a constant.
    fn contains(&mut self, path: &[Seg], ty: &Ty, value: &Value) -> Result<Lit> {
        let present = self.present(path);
        match (ty, value) {
            (Ty::Set(inner), Value::Enum(index)) if matches!(**inner, Ty::Enum(_)) => {
                let lit = match self.leaf(path, ty)? {
                    Leaf::EnumSet(lits) => lits.get(*index as usize).copied().unwrap_or(!self.truth),
                    Leaf::List(_) => return self.list_contains(path, ty, value),
                    _ => return Err(mismatch()),
                };
                Ok(self.and(&[present, lit]))
            }
            (Ty::Set(inner), Value::Str(text)) if matches!(**inner, Ty::String) => {
                let lit = self.string_lit(path, ty, text)?;
                Ok(self.and(&[present, lit]))
            }
            (Ty::List(_) | Ty::Set(_), _) => self.list_contains(path, ty, value),
            _ => Err(mismatch()),
        }
    }

    fn list_contains(&mut self, path: &[Seg], ty: &Ty, value: &Value) -> Result<Lit> {
        let (Ty::List(inner) | Ty::Set(inner)) = ty else { return Err(mismatch()) };
        self.used_lists = true;
        let exists = self.list_leaf(path, ty)?;
        let mut lits = Vec::new();
        for (index, exists) in exists.iter().enumerate() {
            let mut element = path.to_vec();
            element.push(Seg::Elem(index as u32));
            let is = self.compare_node_const(&element, inner, value)?;
            lits.push(self.and(&[*exists, is]));
        }
        Ok(self.or(&lits))
    }

    fn intersects(&mut self, ctx: Ctx<'_>, a: &IrExpr, b: &IrExpr, env: &[Option<Sym>]) -> Result<Lit> {
        match (a, b) {
            (IrExpr::Countries(codes), other) | (other, IrExpr::Countries(codes))
                if !matches!(other, IrExpr::Countries(_)) =>
            {
                return match self.sym(ctx, other, env)? {
                    Sym::Const(Value::Absent) => Ok(!self.truth),
                    Sym::Const(Value::Set(items) | Value::List(items)) => self.countries_any(ctx, codes, &items, env),
                    _ => Err(Undecided("`countries(…)` intersected with a fact".to_owned())),
                };
            }
            (IrExpr::Countries(_), IrExpr::Countries(_)) => {
                return Err(Undecided("`countries(…)` intersected with `countries(…)`".to_owned()));
            }
            _ => {}
        }
        let a = self.sym(ctx, a, env)?;
        let b = self.sym(ctx, b, env)?;
        match (a, b) {
            (Sym::Const(Value::Absent), _) | (_, Sym::Const(Value::Absent)) => Ok(!self.truth),
            (Sym::Const(Value::Set(x)), Sym::Const(Value::Set(y))) => {
                Ok(if x.iter().any(|item| y.contains(item)) { self.truth } else { !self.truth })
            }
            (Sym::Node { path, ty }, Sym::Const(Value::Set(items) | Value::List(items)))
            | (Sym::Const(Value::Set(items) | Value::List(items)), Sym::Node { path, ty }) => {
                let mut lits = Vec::new();
                for item in items.iter() {
                    lits.push(self.contains(&path, &ty, item)?);
                }
                Ok(self.or(&lits))
            }
            (Sym::Node { path: pa, ty: ta }, Sym::Node { path: pb, ty: tb }) => match (&ta, &tb) {
                (Ty::Set(inner), Ty::Set(_)) if matches!(**inner, Ty::Enum(_)) && ta == tb => {
                    let Ty::Enum(id) = **inner else { return Err(mismatch()) };
                    let n = self.schema.enum_def(id).map_or(0, |def| def.variants.len());
                    let mut lits = Vec::new();
                    for index in 0..n {
                        let x = self.contains(&pa, &ta, &Value::Enum(index as u32))?;
                        let y = self.contains(&pb, &tb, &Value::Enum(index as u32))?;
                        lits.push(self.and(&[x, y]));
                    }
                    Ok(self.or(&lits))
                }
                _ => Err(Undecided("intersection of two facts that are not sets of one enum".to_owned())),
            },
            _ => Err(Undecided("intersection with a computed collection".to_owned())),
        }
    }

    /// A symbolic value of an expression.
    fn sym(&mut self, ctx: Ctx<'_>, expr: &IrExpr, env: &[Option<Sym>]) -> Result<Sym> {
        match expr {
            IrExpr::Const(value) => Ok(Sym::Const(value.clone())),
            IrExpr::AsOf => Ok(Sym::Const(Value::Date(self.as_of))),
            IrExpr::Root => Ok(Sym::Node { path: Vec::new(), ty: Ty::Record(self.root()?) }),
            IrExpr::Local(index) => env
                .get(*index as usize)
                .cloned()
                .flatten()
                .ok_or_else(|| Undecided("a variable the analyser cannot follow".to_owned())),
            IrExpr::RootPath { slots, ty, .. } => {
                Ok(Sym::Node { path: slots.iter().map(|slot| Seg::Field(*slot)).collect(), ty: ty.clone() })
            }
            IrExpr::Field { base, slot, ty, .. } => match self.sym(ctx, base, env)? {
                Sym::Node { mut path, .. } => {
                    path.push(Seg::Field(*slot));
                    Ok(Sym::Node { path, ty: ty.clone() })
                }
                Sym::Const(Value::Absent) => Ok(Sym::Const(Value::Absent)),
                _ => Err(Undecided("a field of a computed value".to_owned())),
            },
            IrExpr::Term { term: TermTarget::Index(idx), args } => {
                let term = ctx
                    .rulebook
                    .terms
                    .get(*idx as usize)
                    .ok_or_else(|| Undecided("a term the analyser cannot find".to_owned()))?;
                if args.is_empty()
                    && let Some((cached, lists)) = self.term_cache.get(&(ctx.index, *idx))
                {
                    self.used_lists |= *lists;
                    return Ok(cached.clone());
                }
                let outer_lists = std::mem::replace(&mut self.used_lists, false);
                let mut inner_env = Vec::new();
                for arg in args {
                    inner_env.push(Some(self.sym(ctx, arg, env)?));
                }
                let body = &term.body;
                let value = if is_condition(body) {
                    Sym::Bool(self.cond(ctx, body, &inner_env)?)
                } else {
                    self.sym(ctx, body, &inner_env)?
                };
                let lists = self.used_lists;
                self.used_lists |= outer_lists;
                if args.is_empty() && !self.relaxed {
                    self.term_cache.insert((ctx.index, *idx), (value.clone(), lists));
                }
                Ok(value)
            }
            IrExpr::Tier(TierTarget::Index(idx)) => Ok(Sym::Tier(*idx as usize, 0)),
            IrExpr::SetOf(items) => {
                let mut values = Vec::new();
                for item in items {
                    match self.sym(ctx, item, env)? {
                        Sym::Const(value) => values.push(value),
                        _ => return Err(Undecided("a set built from facts of the description".to_owned())),
                    }
                }
                values.sort();
                values.dedup();
                Ok(Sym::Const(Value::Set(values.into_boxed_slice())))
            }
            IrExpr::And(_)
            | IrExpr::Or(_)
            | IrExpr::Not(_)
            | IrExpr::Compare { .. }
            | IrExpr::Member { .. }
            | IrExpr::Intersects(..)
            | IrExpr::Present { .. }
            | IrExpr::Quantified { .. } => Ok(Sym::Bool(self.cond(ctx, expr, env)?)),
            IrExpr::Arith { op: BinOp::Add, left, right } => {
                let left = self.sym(ctx, left, env)?;
                let right = self.sym(ctx, right, env)?;
                match (linear_of(left), linear_of(right)) {
                    (Some((terms, a, ha, ty_a)), Some((more, b, hb, ty_b))) => {
                        let mut terms = merged(terms, more, Decimal::ONE)
                            .ok_or_else(|| Undecided("a sum too large to decide".to_owned()))?;
                        terms.sort();
                        let constant =
                            a.checked_add(b).ok_or_else(|| Undecided("a sum too large to decide".to_owned()))?;
                        let ty = ty_a.or(ty_b).unwrap_or(Ty::Number);
                        if terms.is_empty() {
                            return Ok(Sym::Const(if matches!(ty, Ty::Quantity(_)) {
                                Value::Quantity(constant)
                            } else {
                                Value::Number(constant)
                            }));
                        }
                        Ok(Sym::Linear { terms, constant, has_const: ha || hb, ty })
                    }
                    _ => Err(Undecided("arithmetic other than sums of facts is not decided".to_owned())),
                }
            }
            IrExpr::Arith { op: BinOp::Mul, left, right } => {
                let left = self.sym(ctx, left, env)?;
                let right = self.sym(ctx, right, env)?;
                match (left, right) {
                    // As in the evaluator, a product with an absent operand is absent.
                    (Sym::Const(Value::Absent), _) | (_, Sym::Const(Value::Absent)) => Ok(Sym::Const(Value::Absent)),
                    (Sym::Const(factor), other) | (other, Sym::Const(factor)) => {
                        let (factor, quantity) = match factor {
                            Value::Number(factor) => (factor, false),
                            Value::Quantity(factor) => (factor, true),
                            _ => return Err(mismatch()),
                        };
                        scaled(other, factor, quantity)
                    }
                    _ => Err(Undecided("a product of two facts is not decided".to_owned())),
                }
            }
            IrExpr::Arith { op: BinOp::Sub, left, right } => {
                let left = self.sym(ctx, left, env)?;
                let right = self.sym(ctx, right, env)?;
                match (left, right) {
                    // As in the evaluator: an absent left operand makes the difference absent,
                    // an absent right one takes nothing away.
                    (Sym::Const(Value::Absent), _) => Ok(Sym::Const(Value::Absent)),
                    (left, Sym::Const(Value::Absent)) => Ok(left),
                    (left, right) => {
                        let negated = scaled(right, Decimal::NEGATIVE_ONE, false)?;
                        let (Some((mut terms, a, has_const, ty_a)), Some((more, b, _, ty_b))) =
                            (linear_of(left), linear_of(negated))
                        else {
                            return Err(Undecided("arithmetic other than sums of facts is not decided".to_owned()));
                        };
                        // The difference exists where its left operand does: with facts on both
                        // sides, a sum's presence (any of its facts) would not say that.
                        if !terms.is_empty() && !more.is_empty() {
                            return Err(Undecided("a difference of two facts is not decided".to_owned()));
                        }
                        let has_const = has_const || terms.is_empty();
                        terms.extend(more);
                        let constant =
                            a.checked_add(b).ok_or_else(|| Undecided("a difference too large to decide".to_owned()))?;
                        linear_sym(terms, constant, has_const, ty_a.or(ty_b).unwrap_or(Ty::Number))
                    }
                }
            }
            IrExpr::Arith { .. } | IrExpr::Neg(_) => {
                Err(Undecided("arithmetic other than sums of facts is not decided".to_owned()))
            }
            IrExpr::DateShift { subtract, date, duration, instant, months: false } => {
                // A date moved by whole days, or an instant by seconds, as the fact plus a
                // constant in the unit its key counts (days, seconds); absent where it is.
                let date = self.sym(ctx, date, env)?;
                let Sym::Const(Value::Quantity(seconds)) = self.sym(ctx, duration, env)? else {
                    return Err(Undecided("a date moved by a duration that is not a constant".to_owned()));
                };
                let seconds = if *subtract { -seconds } else { seconds };
                let day = Decimal::from(86_400);
                let offset = match instant {
                    true => seconds,
                    false if (seconds % day).is_zero() => seconds / day,
                    false => return Err(Undecided("a date moved by part of a day".to_owned())),
                };
                match date {
                    Sym::Const(Value::Absent) => Ok(Sym::Const(Value::Absent)),
                    Sym::Node { path, ty: ty @ (Ty::Date | Ty::DateTime) } => {
                        Ok(Sym::Linear { terms: vec![(path, Decimal::ONE)], constant: offset, has_const: false, ty })
                    }
                    Sym::Linear { terms, constant, has_const: false, ty: ty @ (Ty::Date | Ty::DateTime) } => {
                        let constant = constant
                            .checked_add(offset)
                            .ok_or_else(|| Undecided("a date moved out of range".to_owned()))?;
                        Ok(Sym::Linear { terms, constant, has_const: false, ty })
                    }
                    _ => Err(Undecided("date arithmetic on a computed or constant date is not decided".to_owned())),
                }
            }
            IrExpr::DateShift { .. } => Err(Undecided("date arithmetic in months is not decided".to_owned())),
            IrExpr::Extreme { .. } => Err(Undecided("the later, earlier or first of dates is not decided".to_owned())),
            IrExpr::Countries(codes) => match self.sym(ctx, codes, env)? {
                Sym::Const(Value::Absent) => Ok(Sym::Const(Value::Absent)),
                Sym::Const(value) => countries_of(&value)
                    .map(|countries| Sym::Const(Value::Set(countries.into_boxed_slice())))
                    .ok_or_else(mismatch),
                _ => Err(Undecided(
                    "`countries(…)` of a fact is decided only in `contains` and `intersects` with constants".to_owned(),
                )),
            },
            _ => Err(Undecided("an expression the analyser does not decide".to_owned())),
        }
    }

    fn root(&self) -> Result<RecordId> {
        self.schema.root.ok_or_else(|| Undecided("the rulebook declares no `system` record".to_owned()))
    }

    /// One literal per tier of a classification: the system gets that tier.
    pub fn tiers(&mut self, ctx: Ctx<'_>, idx: u32) -> Result<Vec<Lit>> {
        if let Some((cached, lists)) = self.tier_cache.get(&(ctx.index, idx)) {
            self.used_lists |= *lists;
            return Ok(cached.clone());
        }
        let outer_lists = std::mem::replace(&mut self.used_lists, false);
        let classification: &IrClassification = ctx
            .rulebook
            .classifications
            .get(idx as usize)
            .ok_or_else(|| Undecided("a classification the analyser cannot find".to_owned()))?;
        let taken = self.branches_taken(ctx, classification)?;
        let n = self.schema.enum_def(classification.tiers).map_or(0, |def| def.variants.len());
        let mut tiers = Vec::new();
        for tier in 0..n {
            let lits: Vec<Lit> = classification
                .branches
                .iter()
                .zip(&taken)
                .filter(|(branch, _)| branch.tier == tier as u32)
                .map(|(_, lit)| *lit)
                .collect();
            tiers.push(self.or(&lits));
        }
        let lists = self.used_lists;
        self.used_lists |= outer_lists;
        if !self.relaxed {
            self.tier_cache.insert((ctx.index, idx), (tiers.clone(), lists));
        }
        Ok(tiers)
    }

    /// One literal per branch: the branch is the one that decides the tier.
    pub fn branches_taken(&mut self, ctx: Ctx<'_>, classification: &IrClassification) -> Result<Vec<Lit>> {
        let mut none_before = self.truth;
        let mut taken = Vec::new();
        for branch in &classification.branches {
            let holds = if !in_force(branch.info.applies_from, branch.info.applies_until, self.as_of) {
                !self.truth
            } else {
                match &branch.when {
                    None => self.truth,
                    Some(when) => self.cond(ctx, when, &[])?,
                }
            };
            taken.push(self.and(&[none_before, holds]));
            none_before = self.and(&[none_before, !holds]);
        }
        Ok(taken)
    }

    /// Some party holds a role.
    pub fn role_held(&mut self, ctx: Ctx<'_>, role: &RoleTarget) -> Result<Lit> {
        let TermTarget::Index(idx) = role.term else { return Err(Undecided("an unlinked role".to_owned())) };
        let Some(Some(info)) = ctx.rulebook.roles.get(idx as usize) else {
            return Err(Undecided("a role the analyser cannot find".to_owned()));
        };
        let domain = self.sym(ctx, &info.domain, &[])?;
        self.quantified(ctx, false, 0, domain, &[], |encoder, env| {
            encoder.role_of(ctx, idx, env.first().cloned().flatten())
        })
    }

    /// Whether the party `party` holds role (term) `idx`.
    fn role_of(&mut self, ctx: Ctx<'_>, idx: u32, party: Option<Sym>) -> Result<Lit> {
        let term = ctx
            .rulebook
            .terms
            .get(idx as usize)
            .ok_or_else(|| Undecided("a role the analyser cannot find".to_owned()))?;
        self.cond(ctx, &term.body, &[party])
    }

    /// Role `idx` held by element `index` of its domain list.
    pub fn role_of_element(&mut self, ctx: Ctx<'_>, idx: u32, index: u32) -> Result<(Lit, Path)> {
        let Some(Some(info)) = ctx.rulebook.roles.get(idx as usize) else {
            return Err(Undecided("a role the analyser cannot find".to_owned()));
        };
        let Sym::Node { path, ty } = self.sym(ctx, &info.domain, &[])? else {
            return Err(Undecided("a role over a computed list".to_owned()));
        };
        let (Ty::List(inner) | Ty::Set(inner)) = &ty else { return Err(mismatch()) };
        let exists = self.list_leaf(&path, &ty)?;
        self.used_lists = true;
        let exists = exists.get(index as usize).copied().ok_or_else(|| Undecided("no element slot".to_owned()))?;
        let mut element = path.clone();
        element.push(Seg::Elem(index));
        let holds = self.role_of(ctx, idx, Some(Sym::Node { path: element, ty: (**inner).clone() }))?;
        Ok((self.and(&[exists, holds]), path))
    }

    /// Term `idx` of one record parameter, applied to element `index` of the first list of the
    /// description whose entries are of that record (`system.incidents` for an `Incident`).
    pub fn term_of_element(&mut self, ctx: Ctx<'_>, idx: u32, index: u32) -> Result<(Lit, Path)> {
        let term = ctx.rulebook.terms.get(idx as usize).ok_or_else(|| Undecided("no such term".to_owned()))?;
        let [Ty::Record(record)] = term.param_types.as_slice() else {
            return Err(Undecided("a claim about a term whose parameters are not one record".to_owned()));
        };
        let path = self.list_of(*record).ok_or_else(|| {
            Undecided("a claim about a term over a record that no list of the description holds".to_owned())
        })?;
        let list_ty = Ty::List(Box::new(Ty::Record(*record)));
        let exists = self.list_leaf(&path, &list_ty)?;
        self.used_lists = true;
        let exists = exists.get(index as usize).copied().ok_or_else(|| Undecided("no element slot".to_owned()))?;
        let mut element = path.clone();
        element.push(Seg::Elem(index));
        let body = term.body.clone();
        let holds = self.cond(ctx, &body, &[Some(Sym::Node { path: element, ty: Ty::Record(*record) })])?;
        Ok((self.and(&[exists, holds]), path))
    }

    /// The first list (breadth first from the top level, outside other lists) of entries of `record`.
    fn list_of(&self, record: RecordId) -> Option<Path> {
        let mut queue: std::collections::VecDeque<(Path, RecordId)> = std::collections::VecDeque::new();
        queue.push_back((Vec::new(), self.schema.root?));
        let mut seen = std::collections::BTreeSet::new();
        while let Some((path, id)) = queue.pop_front() {
            if !seen.insert(id) {
                continue;
            }
            for (slot, field) in self.schema.record(id)?.fields.iter().enumerate() {
                let mut next = path.clone();
                next.push(Seg::Field(slot as u32));
                match &field.ty {
                    Ty::List(inner) if **inner == Ty::Record(record) => return Some(next),
                    Ty::Record(child) => queue.push_back((next, *child)),
                    _ => {}
                }
            }
        }
        None
    }

    /// A parameterless bool term as a literal.
    pub fn term(&mut self, ctx: Ctx<'_>, idx: u32) -> Result<Lit> {
        let expr = IrExpr::Term { term: TermTarget::Index(idx), args: Vec::new() };
        self.cond(ctx, &expr, &[])
    }

    // ----- provisions -----

    /// A provision's literal, encoded once per `key` (rulebook, what is asked, the provision's
    /// address); a cached answer still marks whether it reads lists.
    fn cached_provision(
        &mut self,
        key: (usize, u8, usize),
        encode: impl FnOnce(&mut Self) -> Result<Lit>,
    ) -> Result<Lit> {
        if let Some((lit, lists)) = self.provision_cache.get(&key) {
            self.used_lists |= *lists;
            return Ok(*lit);
        }
        let outer_lists = std::mem::replace(&mut self.used_lists, false);
        let lit = encode(self);
        let lists = self.used_lists;
        self.used_lists |= outer_lists;
        let lit = lit?;
        if !self.relaxed {
            self.provision_cache.insert(key, (lit, lists));
        }
        Ok(lit)
    }

    /// An exception applies: in force, its condition holds, and none of its own exceptions applies.
    pub fn exception(&mut self, ctx: Ctx<'_>, exception: &IrException) -> Result<Lit> {
        let key = (ctx.index, 3, exception as *const IrException as usize);
        self.cached_provision(key, |encoder| encoder.exception_uncached(ctx, exception))
    }

    fn exception_uncached(&mut self, ctx: Ctx<'_>, exception: &IrException) -> Result<Lit> {
        if !in_force(exception.info.applies_from, exception.info.applies_until, self.as_of) {
            return Ok(!self.truth);
        }
        let when = self.cond(ctx, &exception.when, &[])?;
        let inner = self.any_exception(ctx, &exception.exceptions)?;
        Ok(self.and(&[when, !inner]))
    }

    pub fn any_exception(&mut self, ctx: Ctx<'_>, exceptions: &[IrException]) -> Result<Lit> {
        let lits = exceptions.iter().map(|exception| self.exception(ctx, exception)).collect::<Result<Vec<_>>>()?;
        Ok(self.or(&lits))
    }

    /// A redline's trigger: its condition and, when it names a role, some party in that role.
    pub fn redline_trigger(&mut self, ctx: Ctx<'_>, redline: &IrRedline) -> Result<Lit> {
        let key = (ctx.index, 0, redline as *const IrRedline as usize);
        self.cached_provision(key, |encoder| encoder.redline_trigger_uncached(ctx, redline))
    }

    fn redline_trigger_uncached(&mut self, ctx: Ctx<'_>, redline: &IrRedline) -> Result<Lit> {
        let when = self.cond(ctx, &redline.when, &[])?;
        let role = match &redline.by {
            Some(role) => self.role_held(ctx, role)?,
            None => self.truth,
        };
        Ok(self.and(&[when, role]))
    }

    /// The redline prohibits: its trigger holds and no exception applies.
    pub fn redline_prohibits(&mut self, ctx: Ctx<'_>, redline: &IrRedline) -> Result<Lit> {
        let key = (ctx.index, 1, redline as *const IrRedline as usize);
        self.cached_provision(key, |encoder| encoder.redline_prohibits_uncached(ctx, redline))
    }

    fn redline_prohibits_uncached(&mut self, ctx: Ctx<'_>, redline: &IrRedline) -> Result<Lit> {
        let trigger = self.redline_trigger(ctx, redline)?;
        let exempt = self.any_exception(ctx, &redline.exceptions)?;
        Ok(self.and(&[trigger, !exempt]))
    }

    /// Whether an instance of the obligation has a clock: the event or date its deadline counts
    /// from exists (an absent one triggers nothing) and, for a period counted from an event, that
    /// event lies on or before the evaluation date.
    fn clock_started(&mut self, ctx: Ctx<'_>, obligation: &IrObligation, env: &[Option<Sym>]) -> Result<Lit> {
        let (anchor, from_event) = match &obligation.due {
            IrDue::WithinDays { anchor, .. }
            | IrDue::WithinMonths { anchor, .. }
            | IrDue::WithinSeconds { anchor, .. }
            | IrDue::Every { anchor, .. }
            | IrDue::Immediately { anchor, .. } => (anchor, true),
            IrDue::ByDate { anchor, .. } => (anchor, false),
            IrDue::WithoutUndueDelay | IrDue::Standing => return Ok(self.truth),
        };
        self.anchor_started(ctx, anchor, env, from_event)
    }

    /// Whether the day a deadline counts from exists and, when `from_event`, lies on or before
    /// the evaluation date. `later_of(…)` exists when all its dates do and has passed when all
    /// have; `earlier_of(…)` exists when all do and has passed when any has; `first_of(…)` exists
    /// when any does and has passed when any has.
    fn anchor_started(&mut self, ctx: Ctx<'_>, anchor: &IrExpr, env: &[Option<Sym>], from_event: bool) -> Result<Lit> {
        if let IrExpr::Extreme { later, skip_absent, operands } = anchor {
            let mut present = Vec::with_capacity(operands.len());
            let mut passed = Vec::with_capacity(operands.len());
            for operand in operands {
                present.push(self.anchor_started(ctx, operand, env, false)?);
                if from_event {
                    passed.push(self.anchor_started(ctx, operand, env, true)?);
                }
            }
            if *skip_absent {
                // An operand that has passed is present, so the earliest present one has passed
                // exactly when some operand has.
                return Ok(if from_event { self.or(&passed) } else { self.or(&present) });
            }
            let all_present = self.and(&present);
            if !from_event {
                return Ok(all_present);
            }
            let passed = if *later { self.and(&passed) } else { self.or(&passed) };
            return Ok(self.and(&[all_present, passed]));
        }
        match self.sym(ctx, anchor, env)? {
            Sym::Const(Value::Absent) => Ok(!self.truth),
            Sym::Const(Value::Date(date)) if from_event && date > self.as_of => Ok(!self.truth),
            Sym::Const(_) => Ok(self.truth),
            Sym::Node { path, ty } => {
                let present = self.present(&path);
                if !from_event {
                    return Ok(present);
                }
                let limit = match ty {
                    Ty::Date => ordered_key(&Value::Date(self.as_of)),
                    Ty::DateTime => end_of_day_key(self.as_of),
                    _ => None,
                }
                .ok_or_else(|| Undecided("a deadline counted from something that is not a date".to_owned()))?;
                let (_, gt) = self.threshold(&path, &ty, limit)?;
                Ok(self.and(&[present, !gt]))
            }
            _ => Err(Undecided("a deadline counted from a computed date".to_owned())),
        }
    }

    /// The obligation is triggered whether or not an exception lifts it: its condition, its role,
    /// and (for `for each`) some triggering event whose clock has started.
    pub fn obligation_triggered(&mut self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Lit> {
        let key = (ctx.index, 4, obligation as *const IrObligation as usize);
        self.cached_provision(key, |encoder| {
            encoder
                .obligation_events(ctx, obligation, false, |encoder, env| encoder.clock_started(ctx, obligation, env))
        })
    }

    /// The obligation applies: its condition, its role, none of its exceptions, and (for `for
    /// each`) some triggering event.
    pub fn obligation_applies(&mut self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Lit> {
        let key = (ctx.index, 2, obligation as *const IrObligation as usize);
        self.cached_provision(key, |encoder| encoder.obligation_applies_uncached(ctx, obligation))
    }

    fn obligation_applies_uncached(&mut self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Lit> {
        self.obligation_instances(ctx, obligation, |encoder, env| encoder.clock_started(ctx, obligation, env))
    }

    /// The obligation's condition and role hold, no exception lifts it, and some event it is
    /// triggered by (an entry of its `for each` list that meets the filter, or the system itself)
    /// meets `instance`.
    fn obligation_instances(
        &mut self,
        ctx: Ctx<'_>,
        obligation: &IrObligation,
        instance: impl FnMut(&mut Self, &[Option<Sym>]) -> Result<Lit>,
    ) -> Result<Lit> {
        self.obligation_events(ctx, obligation, true, instance)
    }

    /// As [`Encoder::obligation_instances`]; the exceptions are weighed only with `lift`.
    fn obligation_events(
        &mut self,
        ctx: Ctx<'_>,
        obligation: &IrObligation,
        lift: bool,
        mut instance: impl FnMut(&mut Self, &[Option<Sym>]) -> Result<Lit>,
    ) -> Result<Lit> {
        let when = match &obligation.when {
            Some(when) => self.cond(ctx, when, &[])?,
            None => self.truth,
        };
        let role = match &obligation.by {
            Some(role) => self.role_held(ctx, role)?,
            None => self.truth,
        };
        let lifted = if lift { self.any_exception(ctx, &obligation.exceptions)? } else { !self.truth };
        let event = match &obligation.for_each {
            Some(binder) => {
                let list = self.sym(ctx, &binder.list, &[])?;
                let filter = binder.filter.clone();
                let local = binder.local;
                self.quantified(ctx, false, local, list, &[], |encoder, env| {
                    let selected = match &filter {
                        Some(filter) => encoder.cond(ctx, filter, env)?,
                        None => encoder.truth,
                    };
                    let holds = instance(encoder, env)?;
                    Ok(encoder.and(&[selected, holds]))
                })?
            }
            None => instance(self, &[])?,
        };
        Ok(self.and(&[when, role, !lifted, event]))
    }

    /// The obligation applies on account of its first event (entry 0 of its `for each` list, or
    /// the system itself) and its clock has started, with the fact its clock counts from (the
    /// symbolic path of the deadline's anchor for that event). `None` when the deadline counts
    /// from no single fact (a computed date, `later_of`, a constant) or has no length.
    pub fn obligation_first_event(&mut self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Option<(Lit, Path)>> {
        let anchor = match &obligation.due {
            IrDue::WithinDays { anchor, .. }
            | IrDue::WithinMonths { anchor, .. }
            | IrDue::WithinSeconds { anchor, .. }
                if !matches!(anchor, IrExpr::Extreme { .. }) =>
            {
                anchor
            }
            _ => return Ok(None),
        };
        let local = obligation.for_each.as_ref().map(|binder| binder.local as usize);
        let mut event = None;
        let lit = self.obligation_instances(ctx, obligation, |encoder, env| {
            if let Some(local) = local {
                let first =
                    matches!(env.get(local), Some(Some(Sym::Node { path, .. })) if path.last() == Some(&Seg::Elem(0)));
                if !first {
                    return Ok(!encoder.truth);
                }
            }
            match encoder.sym(ctx, anchor, env)? {
                Sym::Node { path, .. } => event = Some(path),
                _ => return Ok(!encoder.truth),
            }
            encoder.clock_started(ctx, obligation, env)
        })?;
        Ok(event.map(|path| (lit, path)))
    }

    /// The obligation's condition and role hold and some event is selected, whether or not the
    /// deadline's clock has started.
    pub fn obligation_selected(&mut self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Lit> {
        self.obligation_instances(ctx, obligation, |encoder, _| Ok(encoder.truth))
    }

    /// What it takes to meet an obligation, as literals (see [`Meeting`]).
    /// Sums of facts it compares (the deadline's `evidence date − event date`) belong to `scope`:
    /// they are realised only while `scope` is among [`Encoder::active_scopes`].
    pub fn obligation_meeting(&mut self, ctx: Ctx<'_>, obligation: &IrObligation, scope: usize) -> Result<Meeting> {
        let selected = self.obligation_selected(ctx, obligation)?;
        let windows = self.windows(ctx, obligation)?;
        let sums_before = self.sums.len();
        let owned_before = self.sum_owners.values().filter(|owners| owners.contains(&scope)).count();
        self.scope = Some(scope);
        // Evidence is matched to its event by comparing facts (`report.incident == incident.id`),
        // which is set free here: the answers that matter are the refusals.
        self.relaxed = true;
        let met = (|| {
            let evidence = self.obligation_met(ctx, obligation, None)?;
            let (on_time, on_time_longest) = match windows {
                Some((shortest, longest)) => (
                    self.obligation_met(ctx, obligation, Some(shortest))?,
                    self.obligation_met(ctx, obligation, Some(longest))?,
                ),
                None => (evidence, evidence),
            };
            Ok((evidence, on_time, on_time_longest))
        })();
        self.relaxed = false;
        self.scope = None;
        let (evidence, on_time, on_time_longest) = met?;
        let owned = self.sum_owners.values().filter(|owners| owners.contains(&scope)).count();
        let sums = self.sums.len() > sums_before || owned > owned_before;
        Ok(Meeting { selected, evidence, on_time, on_time_longest, sums })
    }

    /// The deadline's shortest and longest reading (`None` without a due date).
    fn windows(&self, ctx: Ctx<'_>, obligation: &IrObligation) -> Result<Option<(Window, Window)>> {
        // The most days a period can move under the next-working-day convention: a run of days that
        // are weekend days or holidays (with `h` holidays, at most 1.4·(h + 2) days long).
        let shift = match ctx.rulebook.periods {
            PeriodConvention::NextWorkingDay => 2 * ctx.rulebook.holidays.len() as i64 + 3,
            _ => 0,
        };
        Ok(match &obligation.due {
            IrDue::WithinDays { days, .. } => Some((
                Window::Days { days: *days, longest: false },
                Window::Days { days: days.saturating_add(shift), longest: true },
            )),
            IrDue::WithinMonths { months, .. } => Some((
                Window::Days { days: months.saturating_mul(28), longest: false },
                Window::Days { days: months.saturating_mul(31).saturating_add(shift), longest: true },
            )),
            IrDue::WithinSeconds { seconds, .. } => Some((Window::Seconds(*seconds), Window::Seconds(*seconds))),
            IrDue::ByDate { inclusive, .. } => {
                let by = Window::By { inclusive: *inclusive };
                Some((by, by))
            }
            // A recurring duty is met period by period; whether evidence can exist at all is
            // asked as for a duty without a due date, which can only find fewer systems unmeetable.
            // "Immediately" is a judgement: asked as for a duty without a due date.
            IrDue::WithoutUndueDelay | IrDue::Standing | IrDue::Every { .. } | IrDue::Immediately { .. } => None,
        })
    }

    /// Some instance of the obligation has matching evidence dated on or before the analysis date,
    /// and, given a window, dated within it.
    fn obligation_met(&mut self, ctx: Ctx<'_>, obligation: &IrObligation, window: Option<Window>) -> Result<Lit> {
        let Some(binder) = &obligation.evidence else { return Ok(!self.truth) };
        let (list_expr, filter, local) = (&binder.list, binder.filter.clone(), binder.local);
        self.obligation_instances(ctx, obligation, |encoder, env| {
            let started = encoder.clock_started(ctx, obligation, env)?;
            let list = encoder.sym(ctx, list_expr, env)?;
            let evidence = encoder.quantified(ctx, false, local, list, env, |encoder, env| {
                let matches = match &filter {
                    Some(filter) => encoder.cond(ctx, filter, env)?,
                    None => encoder.truth,
                };
                let dated = encoder.evidence_dated(ctx, obligation, window, env)?;
                Ok(encoder.and(&[matches, dated]))
            })?;
            Ok(encoder.and(&[started, evidence]))
        })
    }

    /// The evidence bound in `env` has a date, on or before the analysis date (later evidence is
    /// not counted), and within `window` of the deadline's event.
    fn evidence_dated(
        &mut self,
        ctx: Ctx<'_>,
        obligation: &IrObligation,
        window: Option<Window>,
        env: &[Option<Sym>],
    ) -> Result<Lit> {
        let Some(dated) = &obligation.dated else {
            // Undated evidence meets a duty without a due date, and no deadline.
            return Ok(if window.is_some() { !self.truth } else { self.truth });
        };
        let date = self.sym(ctx, dated, env)?;
        let (date_form, date_present) = self.dated_form(date)?;
        let Some((date_terms, date_const, date_seconds)) = date_form else { return Ok(!self.truth) };
        // Not after the analysis date (its end, for an instant).
        let limit = if date_seconds { end_of_day_key(self.as_of) } else { ordered_key(&Value::Date(self.as_of)) }
            .ok_or_else(|| Undecided("an analysis date out of range".to_owned()))?;
        let not_later = self.linear_le(&date_terms, limit - date_const)?;
        let Some(window) = window else { return Ok(self.and(&[date_present, not_later])) };
        let anchor = match &obligation.due {
            IrDue::WithinDays { anchor, .. }
            | IrDue::WithinMonths { anchor, .. }
            | IrDue::WithinSeconds { anchor, .. }
            | IrDue::ByDate { anchor, .. } => anchor,
            IrDue::WithoutUndueDelay | IrDue::Standing | IrDue::Every { .. } | IrDue::Immediately { .. } => {
                return Ok(self.and(&[date_present, not_later]));
            }
        };
        let date = (date_terms.as_slice(), date_const, date_seconds);
        let (anchor_present, within, _) = self.anchor_within(ctx, anchor, env, window, date)?;
        Ok(self.and(&[date_present, anchor_present, not_later, within]))
    }

    /// Whether the deadline's day `anchor` exists, and whether the evidence's `date` (its facts
    /// with coefficients, its constant, whether counted in seconds) is within `window` of it:
    /// `date − scale·anchor ≤ bound`, in the unit of the evidence's date; with whether the anchor
    /// is counted in seconds (`None` for an absent constant). `later_of(…)` exists when all its
    /// dates do and is met when one of them is; `earlier_of(…)` exists when all do and is met
    /// when all are; `first_of(…)` exists when any does and is met when every one that exists is.
    fn anchor_within(
        &mut self,
        ctx: Ctx<'_>,
        anchor: &IrExpr,
        env: &[Option<Sym>],
        window: Window,
        date: (&[(Path, Decimal)], Decimal, bool),
    ) -> Result<(Lit, Lit, Option<bool>)> {
        if let IrExpr::Extreme { later, skip_absent, operands } = anchor {
            let mut present = Vec::with_capacity(operands.len());
            let mut within = Vec::with_capacity(operands.len());
            let mut seconds = None;
            for operand in operands {
                let (operand_present, operand_within, operand_seconds) =
                    self.anchor_within(ctx, operand, env, window, date)?;
                match (seconds, operand_seconds) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(Undecided("the later, earlier or first of a date and an instant".to_owned()));
                    }
                    (None, Some(b)) => seconds = Some(b),
                    _ => {}
                }
                // With absent dates left out, an absent one bounds nothing.
                within.push(match (skip_absent, later) {
                    (true, false) => self.or(&[!operand_present, operand_within]),
                    (true, true) => self.and(&[operand_present, operand_within]),
                    (false, _) => operand_within,
                });
                present.push(operand_present);
            }
            let present = if *skip_absent { self.or(&present) } else { self.and(&present) };
            // The latest day is met when one day is; the earliest when every day is.
            let within = if *later { self.or(&within) } else { self.and(&within) };
            return Ok((present, within, seconds));
        }
        let (date_terms, date_const, date_seconds) = date;
        let anchor = self.sym(ctx, anchor, env)?;
        let (anchor_form, anchor_present) = self.dated_form(anchor)?;
        let Some((anchor_terms, anchor_const, anchor_seconds)) = anchor_form else {
            return Ok((!self.truth, !self.truth, None));
        };
        // `date − scale·anchor ≤ bound`, in the unit of the evidence's date.
        const DAY: i64 = 86_400;
        let (scale, bound) = match (window, anchor_seconds, date_seconds) {
            (Window::Days { days, .. }, false, false) => (1, days),
            (Window::Days { days, .. }, false, true) => (DAY, days * DAY + DAY - 1),
            // Between two instants, the days count: on time for sure within `days` whole days of
            // the event, and never later than the end of the last day.
            (Window::Days { days, longest }, true, true) => (1, days * DAY + if longest { DAY - 1 } else { 0 }),
            (Window::Seconds(seconds), true, true) => (1, seconds),
            (Window::By { inclusive }, false, false) | (Window::By { inclusive }, true, true) => {
                (1, if inclusive { 0 } else { -1 })
            }
            (Window::By { inclusive }, false, true) => (DAY, if inclusive { DAY - 1 } else { -1 }),
            _ => {
                return Err(Undecided(
                    "a deadline counted from an instant and met by evidence dated by the day (or the reverse, in hours) is not decided"
                        .to_owned(),
                ));
            }
        };
        let scale = Decimal::from(scale);
        let too_large = || Undecided("a deadline too far from its dates to decide".to_owned());
        let mut terms = merged(date_terms.to_vec(), anchor_terms, -scale).ok_or_else(too_large)?;
        terms.retain(|(_, coefficient)| !coefficient.is_zero());
        terms.sort();
        let bound = anchor_const
            .checked_mul(scale)
            .and_then(|shift| Decimal::from(bound).checked_sub(date_const)?.checked_add(shift))
            .ok_or_else(too_large)?;
        let within = self.linear_le(&terms, bound)?;
        Ok((anchor_present, within, Some(anchor_seconds)))
    }

    /// A date or instant as `(facts with coefficients, constant, counted in seconds)`, with the
    /// literal saying it is present; `None` for an absent constant.
    #[allow(clippy::type_complexity)]
    fn dated_form(&mut self, sym: Sym) -> Result<(Option<(Vec<(Path, Decimal)>, Decimal, bool)>, Lit)> {
        match sym {
            Sym::Const(Value::Absent) => Ok((None, !self.truth)),
            Sym::Const(value @ (Value::Date(_) | Value::DateTime(_))) => {
                let seconds = matches!(value, Value::DateTime(_));
                let key = ordered_key(&value).ok_or_else(mismatch)?;
                Ok((Some((Vec::new(), key, seconds)), self.truth))
            }
            Sym::Node { path, ty: ty @ (Ty::Date | Ty::DateTime) } => {
                self.leaf(&path, &ty)?;
                let present = self.present(&path);
                Ok((Some((vec![(path, Decimal::ONE)], Decimal::ZERO, ty == Ty::DateTime)), present))
            }
            // A date or instant moved by a duration (`started_at + 24 hours`): present where its
            // fact is.
            Sym::Linear { terms, constant, has_const: false, ty: ty @ (Ty::Date | Ty::DateTime) } => {
                let mut present = Vec::with_capacity(terms.len());
                for (path, _) in &terms {
                    self.leaf(path, &ty)?;
                    present.push(self.present(path));
                }
                let present = self.or(&present);
                Ok((Some((terms, constant, ty == Ty::DateTime)), present))
            }
            _ => Err(Undecided("a deadline or evidence date that is computed, not a fact".to_owned())),
        }
    }

    /// `Σ coefficient·fact ≤ bound` over date and instant facts (the facts present).
    fn linear_le(&mut self, terms: &[(Path, Decimal)], bound: Decimal) -> Result<Lit> {
        match terms {
            [] => Ok(if Decimal::ZERO <= bound { self.truth } else { !self.truth }),
            [(path, coefficient)] if *coefficient == Decimal::ONE || *coefficient == Decimal::NEGATIVE_ONE => {
                let ty = self.node_ty(path).map(|(ty, _)| ty).ok_or_else(mismatch)?;
                if *coefficient == Decimal::ONE {
                    let (_, gt) = self.threshold(path, &ty, bound)?;
                    Ok(!gt)
                } else {
                    let (ge, _) = self.threshold(path, &ty, -bound)?;
                    Ok(ge)
                }
            }
            _ => self.compare_sum(BinOp::Le, terms.to_vec(), Decimal::ZERO, false, Ty::Integer, &Value::Number(bound)),
        }
    }
}

/// What it takes to meet an obligation: each literal says that the obligation's condition and role
/// hold and some event triggers it, and then more.
#[derive(Debug, Clone, Copy)]
pub struct Meeting {
    /// Nothing more: the trigger without the deadline's clock.
    pub selected: Lit,
    /// The clock started and matching evidence is dated on or before the analysis date.
    pub evidence: Lit,
    /// Such evidence is on time for the shortest reading of the deadline (so on time whatever the
    /// calendar). These three are encoded relaxed (see `Encoder::relaxed`): only a refusal is
    /// an answer for the rulebook.
    pub on_time: Lit,
    /// ... for the longest reading (months of 31 days, periods moved past every weekend and holiday).
    pub on_time_longest: Lit,
    /// Whether the deadline compares sums of facts, realised only in its scope.
    pub sums: bool,
}

/// How long after its event a deadline falls, in one reading.
#[derive(Debug, Clone, Copy)]
enum Window {
    /// Whole days; `longest` for the reading that gives the most time.
    Days {
        days: i64,
        longest: bool,
    },
    Seconds(i64),
    /// The event is the deadline itself.
    By {
        inclusive: bool,
    },
}

/// The locals `env` with `local` bound to `value`.
fn bind(env: &[Option<Sym>], local: u32, value: Sym) -> Vec<Option<Sym>> {
    let mut out = env.to_vec();
    let slot = local as usize;
    if out.len() <= slot {
        out.resize(slot + 1, None);
    }
    if let Some(entry) = out.get_mut(slot) {
        *entry = Some(value);
    }
    out
}

/// A value as a sum: its facts with coefficients, its constant, whether it has one, its type.
#[allow(clippy::type_complexity)]
fn linear_of(sym: Sym) -> Option<(Vec<(Path, Decimal)>, Decimal, bool, Option<Ty>)> {
    match sym {
        // A date or instant moved by a duration is not a number to add to or scale.
        Sym::Linear { ty: Ty::Date | Ty::DateTime, .. } => None,
        Sym::Linear { terms, constant, has_const, ty } => Some((terms, constant, has_const, Some(ty))),
        Sym::Node { path, ty: ty @ (Ty::Number | Ty::Integer | Ty::Quantity(_)) } => {
            Some((vec![(path, Decimal::ONE)], Decimal::ZERO, false, Some(ty)))
        }
        Sym::Const(Value::Number(d)) => Some((Vec::new(), d, true, Some(Ty::Number))),
        Sym::Const(Value::Quantity(d)) => Some((Vec::new(), d, true, None)),
        // An absent operand adds nothing.
        Sym::Const(Value::Absent) => Some((Vec::new(), Decimal::ZERO, false, None)),
        _ => None,
    }
}

/// `terms + sign·more`, terms of one fact merged; `None` on overflow.
fn merged(mut terms: Vec<(Path, Decimal)>, more: Vec<(Path, Decimal)>, sign: Decimal) -> Option<Vec<(Path, Decimal)>> {
    for (path, coefficient) in more {
        let coefficient = coefficient.checked_mul(sign)?;
        match terms.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = existing.checked_add(coefficient)?,
            None => terms.push((path, coefficient)),
        }
    }
    Some(terms)
}

/// A date or instant moved by a duration (see `IrExpr::DateShift` in `Encoder::sym`).
fn is_dated_sum(sym: &Sym) -> bool {
    matches!(sym, Sym::Linear { ty: Ty::Date | Ty::DateTime, .. })
}

/// `Σ terms + constant` as a symbol: a constant when no fact is left in it.
fn linear_sym(terms: Vec<(Path, Decimal)>, constant: Decimal, has_const: bool, ty: Ty) -> Result<Sym> {
    if terms.is_empty() {
        return Ok(Sym::Const(if matches!(ty, Ty::Quantity(_)) {
            Value::Quantity(constant)
        } else {
            Value::Number(constant)
        }));
    }
    Ok(Sym::Linear { terms, constant, has_const, ty })
}

/// `factor · sym` for a number or quantity symbol (`quantity`: the factor is a quantity, so the
/// product is one); it exists where `sym` does.
fn scaled(sym: Sym, factor: Decimal, quantity: bool) -> Result<Sym> {
    let Some((terms, constant, has_const, ty)) = linear_of(sym) else {
        return Err(Undecided("arithmetic other than sums of facts is not decided".to_owned()));
    };
    let too_large = || Undecided("a product too large to decide".to_owned());
    let constant = constant.checked_mul(factor).ok_or_else(too_large)?;
    if terms.is_empty() {
        // A constant (`linear_of` gives no type for a constant quantity).
        let quantity = quantity || !matches!(ty, Some(Ty::Number | Ty::Integer));
        return Ok(Sym::Const(if quantity { Value::Quantity(constant) } else { Value::Number(constant) }));
    }
    let ty = match ty {
        Some(ty @ Ty::Quantity(_)) => ty,
        _ if quantity => return Err(Undecided("a number of the description times a quantity".to_owned())),
        // Whole numbers times a fraction are no longer whole.
        Some(Ty::Integer) if factor.fract().is_zero() => Ty::Integer,
        _ => Ty::Number,
    };
    let terms = terms
        .into_iter()
        .map(|(path, coefficient)| Ok((path, coefficient.checked_mul(factor).ok_or_else(too_large)?)))
        .collect::<Result<Vec<_>>>()?;
    linear_sym(terms, constant, has_const, ty)
}

/// Constraints putting `Σ coefficients·x` in the region the model chose among `cuts`.
fn region_constraints(
    cuts: &[(Decimal, bool, bool)],
    coefficients: &BTreeMap<usize, Decimal>,
    out: &mut Vec<linear::Constraint>,
) {
    let negated: BTreeMap<usize, Decimal> = coefficients.iter().map(|(k, v)| (*k, -*v)).collect();
    let reached = cuts.iter().rposition(|(_, ge, _)| *ge);
    match reached {
        None => {
            if let Some((first, ..)) = cuts.first() {
                out.push(linear::Constraint::new(negated, -*first, true));
            }
        }
        Some(index) => {
            let Some((c, _, gt)) = cuts.get(index).copied() else { return };
            if gt {
                out.push(linear::Constraint::new(coefficients.clone(), c, true));
                if let Some((next, ..)) = cuts.get(index + 1) {
                    out.push(linear::Constraint::new(negated, -*next, true));
                }
            } else {
                out.push(linear::Constraint::new(coefficients.clone(), c, false));
                out.push(linear::Constraint::new(negated, -c, false));
            }
        }
    }
}

/// The end of a day, in seconds since the epoch (an instant up to it lies on that day).
fn end_of_day_key(date: Date) -> Option<Decimal> {
    ordered_key(&Value::Date(date)).map(|days| days * Decimal::from(86_400) + Decimal::from(86_399))
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

/// The sorted country parts of a constant set or list of ISO 3166 codes, as `countries(…)` gives them.
fn countries_of(value: &Value) -> Option<Vec<Value>> {
    let (Value::Set(items) | Value::List(items)) = value else { return None };
    let mut countries: Vec<Value> = items
        .iter()
        .map(|item| match item {
            Value::Str(text) => Value::Str(text.split_once('-').map_or(&**text, |(code, _)| code).into()),
            other => other.clone(),
        })
        .collect();
    countries.sort();
    countries.dedup();
    Some(countries)
}

fn mismatch() -> Undecided {
    Undecided("a fact and a constant of different kinds".to_owned())
}

fn enum_of(ty: &Ty) -> Option<crate::schema::EnumId> {
    match ty {
        Ty::Enum(id) => Some(*id),
        _ => None,
    }
}

/// Whether an expression is a condition (a truth value) rather than a value.
fn is_condition(expr: &IrExpr) -> bool {
    matches!(
        expr,
        IrExpr::And(_)
            | IrExpr::Or(_)
            | IrExpr::Not(_)
            | IrExpr::Compare { .. }
            | IrExpr::Member { .. }
            | IrExpr::Intersects(..)
            | IrExpr::Present { .. }
            | IrExpr::Quantified { .. }
    )
}

/// Numbers, quantities, dates and instants on one line: dates as days, instants as seconds.
pub fn ordered_key(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(d) | Value::Quantity(d) => Some(*d),
        Value::Date(date) => {
            let epoch = Date::constant(1970, 1, 1);
            let days = (*date - epoch).get_days();
            Some(Decimal::from(days))
        }
        Value::DateTime(ts) => Some(Decimal::from(ts.as_second())),
        _ => None,
    }
}

fn has_integer_between(a: &Decimal, b: &Decimal) -> bool {
    // The smallest whole number above `a` is below `b`.
    let next = a.floor() + Decimal::ONE;
    next < *b
}

/// Types whose values are ordered numbers on one scale: facts of one of them can be compared with
/// each other as a sum (`left − right`).
fn is_ordered(ty: &Ty) -> bool {
    matches!(ty, Ty::Number | Ty::Integer | Ty::Quantity(_) | Ty::Date | Ty::DateTime)
}
