//! Linking: replaces references to declarations by indices into the compiled rulebook's tables.

use std::collections::BTreeMap;

use super::flat::{self, FlatCondition};
use super::{DeclRef, IrBinder, IrDue, IrException, IrExpr, MappedTarget, TermTarget, TierTarget};
use crate::value::Value;

pub struct Linker {
    pub terms: BTreeMap<DeclRef, u32>,
    pub tiers: BTreeMap<DeclRef, u32>,
}

impl Linker {
    pub fn expr(&self, expr: &mut IrExpr) {
        // Walk with an explicit stack: expressions are bounded in depth, but this keeps linking
        // independent of that bound.
        let mut stack: Vec<&mut IrExpr> = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr {
                IrExpr::Term { term, args } => {
                    if let TermTarget::Decl(decl) = term {
                        *term = match self.terms.get(decl) {
                            Some(idx) => TermTarget::Index(*idx),
                            None => TermTarget::Index(u32::MAX),
                        };
                    }
                    stack.extend(args.iter_mut());
                }
                IrExpr::Tier(target) => {
                    if let TierTarget::Decl(decl) = target {
                        *target = match self.tiers.get(decl) {
                            Some(idx) => TierTarget::Index(*idx),
                            None => TierTarget::Index(u32::MAX),
                        };
                    }
                }
                IrExpr::Field { .. } => {
                    // A chain of fields from the top level becomes one node: one dispatch instead
                    // of one per field.
                    if let Some(fused) = fuse_root_path(expr) {
                        *expr = fused;
                    } else if let IrExpr::Field { base, .. } = expr {
                        stack.push(base);
                    }
                }
                IrExpr::Not(inner) | IrExpr::Neg(inner) | IrExpr::Countries(inner) => stack.push(inner),
                IrExpr::Present { expr, .. } => stack.push(expr),
                // A set written out of constants (`{credit_scoring, chatbot}`) is built once here,
                // not on every evaluation.
                IrExpr::SetOf(operands) if operands.iter().all(|operand| matches!(operand, IrExpr::Const(_))) => {
                    let mut values: Vec<Value> = operands
                        .iter()
                        .filter_map(|operand| match operand {
                            IrExpr::Const(value) => Some(value.clone()),
                            _ => None,
                        })
                        .collect();
                    values.sort();
                    values.dedup();
                    *expr = IrExpr::Const(Value::Set(values.into_boxed_slice()));
                }
                IrExpr::And(operands)
                | IrExpr::Or(operands)
                | IrExpr::SetOf(operands)
                | IrExpr::Extreme { operands, .. } => stack.extend(operands.iter_mut()),
                IrExpr::Compare { left, right, .. } | IrExpr::Arith { left, right, .. } => {
                    stack.push(left);
                    stack.push(right);
                }
                IrExpr::Member { element, collection, .. } => {
                    stack.push(element);
                    stack.push(collection);
                }
                IrExpr::Intersects(left, right) => {
                    stack.push(left);
                    stack.push(right);
                }
                IrExpr::DateShift { date, duration, .. } => {
                    stack.push(date);
                    stack.push(duration);
                }
                IrExpr::Quantified { list, body, .. } => {
                    stack.push(list);
                    stack.push(body);
                }
                IrExpr::Const(_)
                | IrExpr::AsOf
                | IrExpr::Root
                | IrExpr::RootPath { .. }
                | IrExpr::Local(_)
                | IrExpr::Error => {}
            }
        }
    }

    /// Links a provision's condition and lowers it to its flat form.
    pub fn condition(&self, expr: &mut IrExpr) -> FlatCondition {
        self.expr(expr);
        FlatCondition::lower(expr)
    }

    /// Links a term's body; a term without parameters whose body is a condition also gets its
    /// flat form.
    pub fn term(&self, n_params: u32, body: &mut IrExpr) -> FlatCondition {
        self.expr(body);
        if n_params == 0 { FlatCondition::lower_term(body) } else { FlatCondition::default() }
    }

    pub fn tier_target(&self, target: &mut TierTarget) {
        if let TierTarget::Decl(decl) = target {
            *target = TierTarget::Index(self.tiers.get(decl).copied().unwrap_or(u32::MAX));
        }
    }

    pub fn mapped(&self, target: &mut MappedTarget) {
        match target {
            MappedTarget::Term(term) | MappedTarget::Role(term) => self.term_target(term),
            MappedTarget::Classification(tier) | MappedTarget::Tier(tier, _) => self.tier_target(tier),
            MappedTarget::Variant(..) | MappedTarget::Provision(_) => {}
        }
    }

    pub fn term_target(&self, target: &mut TermTarget) {
        if let TermTarget::Decl(decl) = target {
            *target = TermTarget::Index(self.terms.get(decl).copied().unwrap_or(u32::MAX));
        }
    }

    pub fn exception(&self, exception: &mut IrException) {
        exception.flat = self.condition(&mut exception.when);
        for inner in &mut exception.exceptions {
            self.exception(inner);
        }
    }

    pub fn binder(&self, binder: &mut IrBinder) {
        self.expr(&mut binder.list);
        if let Some(filter) = &mut binder.filter {
            self.expr(filter);
        }
    }

    pub fn due(&self, due: &mut IrDue) {
        match due {
            IrDue::WithinDays { anchor, .. }
            | IrDue::WithinMonths { anchor, .. }
            | IrDue::WithinSeconds { anchor, .. }
            | IrDue::ByDate { anchor, .. }
            | IrDue::Every { anchor, .. } => self.expr(anchor),
            IrDue::Immediately { anchor, limit, .. } => {
                self.expr(anchor);
                if let Some(limit) = limit {
                    self.due(limit);
                }
            }
            IrDue::WithoutUndueDelay | IrDue::Standing => {}
        }
    }
}

/// Writes the terms worth inlining (see [`flat::inlinable_terms`]) into the flat form of every
/// provision's condition that reads them, once the whole rulebook is linked and lowered.
pub fn inline_terms(compiled: &mut super::CompiledRulebook) {
    let super::CompiledRulebook { terms, classifications, redlines, obligations, .. } = compiled;
    let mut conditions: Vec<&FlatCondition> = Vec::new();
    for branch in classifications.iter().flat_map(|classification| &classification.branches) {
        conditions.push(&branch.flat);
    }
    for redline in redlines.iter() {
        conditions.push(&redline.flat);
        let mut stack: Vec<&IrException> = redline.exceptions.iter().collect();
        while let Some(exception) = stack.pop() {
            conditions.push(&exception.flat);
            stack.extend(exception.exceptions.iter());
        }
    }
    for obligation in obligations.iter() {
        conditions.push(&obligation.flat);
        let mut stack: Vec<&IrException> = obligation.exceptions.iter().collect();
        while let Some(exception) = stack.pop() {
            conditions.push(&exception.flat);
            stack.extend(exception.exceptions.iter());
        }
    }
    let inline = flat::inlinable_terms(terms, conditions.into_iter());
    if !inline.contains(&true) {
        return;
    }
    let lower = |flat: &mut FlatCondition, when: &IrExpr| {
        if !flat.is_empty() {
            *flat = FlatCondition::lower_inlining(when, terms, &inline);
        }
    };
    for branch in classifications.iter_mut().flat_map(|classification| &mut classification.branches) {
        if let Some(when) = &branch.when {
            lower(&mut branch.flat, when);
        }
    }
    let mut exceptions: Vec<&mut IrException> = Vec::new();
    for redline in redlines.iter_mut() {
        lower(&mut redline.flat, &redline.when);
        exceptions.extend(redline.exceptions.iter_mut());
    }
    for obligation in obligations.iter_mut() {
        if let Some(when) = &obligation.when {
            lower(&mut obligation.flat, when);
        }
        exceptions.extend(obligation.exceptions.iter_mut());
    }
    while let Some(exception) = exceptions.pop() {
        lower(&mut exception.flat, &exception.when);
        exceptions.extend(exception.exceptions.iter_mut());
    }
}

/// Numbers the paths of the sets that conditions' guards test, each path once, into the
/// rulebook's `guard_paths`.
pub fn number_guards(compiled: &mut super::CompiledRulebook) {
    let mut paths = Vec::new();
    for_each_condition(compiled, &mut |flat| flat.number_guard(&mut paths));
    // Once every set is numbered, the graphs' leaves can name them.
    for_each_condition(compiled, &mut |flat| flat.set_tests(&paths));
    for classification in &mut compiled.classifications {
        classification.chain = flat::Chain::new(
            classification.branches.iter().map(|branch| (branch.info.days, branch.when.as_ref().map(|_| &branch.flat))),
        );
    }
    compiled.guard_paths = paths.into();
    compiled.redline_guards = compiled
        .redlines
        .iter()
        .map(|redline| {
            let (path, variant, negated) = redline.flat.numbered_guard().unwrap_or((u32::MAX, 64, false));
            super::RedlineGuard {
                days: redline.info.days,
                path,
                bit: if variant < 64 { 1 << variant } else { 0 },
                negated,
            }
        })
        .collect();
    compiled.redline_scan = redline_scan(&compiled.redline_guards);
    compiled.machine = machine_days(compiled);
}

/// The days on which the verdicts-only machine decides the redlines and classifications (see
/// `CompiledRulebook::machine`), or `None` when one of them needs the evaluator.
fn machine_days(compiled: &super::CompiledRulebook) -> Option<super::DayRange> {
    let compact =
        |flat: &FlatCondition| !flat.nodes().is_empty() && flat.nodes().iter().all(|node| node.test != flat::Test::Op);
    let mut days = compiled.days;
    if let Some(scan) = &compiled.redline_scan {
        days = days.intersect(scan.days);
    }
    for redline in &compiled.redlines {
        if redline.by.is_some() || !compact(&redline.flat) {
            return None;
        }
        days = days.intersect(redline.info.days);
        let mut stack: Vec<&IrException> = redline.exceptions.iter().collect();
        while let Some(exception) = stack.pop() {
            if !compact(&exception.flat) {
                return None;
            }
            days = days.intersect(exception.info.days);
            stack.extend(exception.exceptions.iter());
        }
    }
    for idx in &compiled.own_classifications {
        let classification = compiled.classifications.get(*idx as usize)?;
        let chain = classification.chain.as_ref()?;
        if chain.nodes.iter().any(|node| node.test == flat::Test::Op) {
            return None;
        }
        days = days.intersect(classification.info.days).intersect(chain.days);
    }
    Some(days)
}

/// Calls `each` with the flat form of every condition of the rulebook: terms, classification
/// branches, redlines and their exceptions at every depth, obligations.
fn for_each_condition(compiled: &mut super::CompiledRulebook, each: &mut impl FnMut(&mut FlatCondition)) {
    for term in &mut compiled.terms {
        each(&mut term.flat);
    }
    for classification in &mut compiled.classifications {
        for branch in &mut classification.branches {
            each(&mut branch.flat);
        }
    }
    for redline in &mut compiled.redlines {
        each(&mut redline.flat);
        let mut stack: Vec<&mut IrException> = redline.exceptions.iter_mut().collect();
        while let Some(exception) = stack.pop() {
            each(&mut exception.flat);
            stack.extend(exception.exceptions.iter_mut());
        }
    }
    for obligation in &mut compiled.obligations {
        each(&mut obligation.flat);
    }
}

/// The scan of the redlines' guards on the set most of their (not negated) guards test.
fn redline_scan(guards: &[super::RedlineGuard]) -> Option<super::RedlineScan> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for guard in guards.iter().filter(|guard| guard.path != u32::MAX && !guard.negated && guard.bit != 0) {
        *counts.entry(guard.path).or_default() += 1;
    }
    // The set most guards test (the first such on a tie, for determinism).
    let path = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(path, _)| *path)?;
    let days = guards.iter().fold(super::DayRange::default(), |days, guard| days.intersect(guard.days));
    let bits: Box<[u64]> =
        guards.iter().map(|guard| if guard.path == path && !guard.negated { guard.bit } else { 0 }).collect();
    let words = bits.len().div_ceil(64);
    let mut unguarded = vec![0u64; words];
    let mut by_value = vec![0u64; 64 * words];
    for (idx, bit) in bits.iter().enumerate() {
        let (word, at) = (idx / 64, 1u64 << (idx % 64));
        let target = match bit.trailing_zeros() {
            64 => unguarded.get_mut(word),
            value => by_value.get_mut(value as usize * words + word),
        };
        if let Some(target) = target {
            *target |= at;
        }
    }
    Some(super::RedlineScan {
        days,
        path,
        bits,
        unguarded: unguarded.into_boxed_slice(),
        by_value: by_value.into_boxed_slice(),
    })
}

/// `system.a.b` as one `RootPath` node, when the chain of fields starts at the top level.
fn fuse_root_path(expr: &IrExpr) -> Option<IrExpr> {
    let IrExpr::Field { ty, .. } = expr else { return None };
    let mut slots = Vec::new();
    let mut names = Vec::new();
    let mut current = expr;
    loop {
        match current {
            IrExpr::Field { base, slot, name, .. } => {
                slots.push(*slot);
                names.push(name.clone());
                current = base;
            }
            IrExpr::Root => break,
            _ => return None,
        }
    }
    slots.reverse();
    names.reverse();
    Some(IrExpr::RootPath { slots: slots.into_boxed_slice(), names: names.into_boxed_slice(), ty: ty.clone() })
}
