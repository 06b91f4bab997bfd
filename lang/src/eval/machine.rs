//! The verdicts-only machine: decides a rulebook's redlines and classifications leaf by leaf,
//! without the evaluator, when every condition is a graph whose leaves all have compact tests
//! (`flat::Test`) and every one of them is in force (`CompiledRulebook::machine`, planned by
//! `link`). Obligations, if any, are then weighed by the evaluator, with the tiers the machine
//! decided in its cache.
//!
//! It reads the description's top-level fields and the summaries of the guards' sets, and
//! nothing else: no caches, no locals, no missing facts. Where a test's fast case does not hold
//! (a fact that is unknown or absent, a set with a value of 64 or more) or a classification's
//! branch is unknown, it gives up and the evaluator makes the whole decision afresh, so the
//! machine never changes an outcome or the trace (`lang/tests/flat.rs` compares both walks with the
//! tree's over every rulebook and description of the repository).

use super::{
    EnumSet, GuardSummaries, Outcomes, RedlineOutcome, Scratch, Step, Tri, chain_end, compact_test, count_exceptions,
    exception_applies, graph_end, next, redline_verdict, walk_path,
};
use crate::ir::flat::{self, FlatCondition};
use crate::ir::{CompiledRulebook, IrException};
use crate::value::Value;

/// Decides the redlines and classifications of `rulebook` into `out` (the obligations left
/// empty), on a day the rulebook's machine is in force; each classification's deciding branch
/// goes to the scratch's `machine_branches`. False when it gives up: `out` is then left for
/// the evaluator to overwrite.
pub(super) fn run(
    rulebook: &CompiledRulebook,
    system: &Value,
    given: Option<&GuardSummaries>,
    out: &mut Outcomes,
) -> bool {
    let Value::Record(fields) = system else { return false };
    let Outcomes { redlines: verdicts, classifications: tiers, obligations, scratch } = out;
    let Scratch { trace, machine_sets, machine_branches, .. } = scratch;
    let paths = &rulebook.guard_paths;
    let sets: &[EnumSet] = match given.filter(|given| given.made_for(paths)) {
        Some(given) => &given.sets,
        None => {
            machine_sets.clear();
            machine_sets.extend(paths.iter().map(|slots| EnumSet::of(walk_path(system, slots))));
            machine_sets
        }
    };
    let mut machine = Machine { fields, sets, trace };
    machine.trace.clear();
    verdicts.clear();
    verdicts.resize(rulebook.redlines.len(), RedlineOutcome::NotProhibited);
    tiers.clear();
    machine_branches.clear();
    obligations.clear();
    let decided = match &rulebook.redline_scan {
        Some(scan) => machine.scanned_redlines(rulebook, scan, verdicts),
        None => machine.all_redlines(rulebook, verdicts),
    };
    decided.is_some() && machine.classifications(rulebook, tiers, machine_branches).is_some()
}

struct Machine<'a> {
    fields: &'a [Value],
    sets: &'a [EnumSet],
    trace: &'a mut Vec<Step>,
}

impl<'a> Machine<'a> {
    /// The redlines the scan finds from the values in its set; the others' guards are false, so
    /// their condition is, and they leave no step (see `Outcomes::trace`).
    fn scanned_redlines(
        &mut self,
        rulebook: &'a CompiledRulebook,
        scan: &crate::ir::RedlineScan,
        verdicts: &mut [RedlineOutcome],
    ) -> Option<()> {
        let (present, all) = self.sets.get(scan.path as usize)?.bits()?;
        for idx in scan.weighed(present, all) {
            let (redline, slot, bit) = (rulebook.redlines.get(idx)?, verdicts.get_mut(idx)?, scan.bits.get(idx)?);
            let when = if *bit != 0 {
                // The guard holds (its value is in the set) or is unknown: the graph goes on
                // from there.
                let first = if bit & present != 0 { Tri::True } else { Tri::Unknown };
                let guard = redline.flat.nodes().first()?;
                self.graph(&redline.flat, next(&guard.next, first))?
            } else {
                self.graph(&redline.flat, 0)?
            };
            *slot = self.redline(&redline.exceptions, idx as u32, when)?;
        }
        Some(())
    }

    /// Every redline, each from the start of its graph.
    fn all_redlines(&mut self, rulebook: &'a CompiledRulebook, verdicts: &mut [RedlineOutcome]) -> Option<()> {
        for (idx, (redline, slot)) in rulebook.redlines.iter().zip(verdicts.iter_mut()).enumerate() {
            let when = self.graph(&redline.flat, 0)?;
            *slot = self.redline(&redline.exceptions, idx as u32, when)?;
        }
        Some(())
    }

    /// A redline whose condition came out `when`: its exceptions weighed, its steps recorded as
    /// the evaluator records them (none when the condition is false).
    #[inline]
    fn redline(&mut self, exceptions: &'a [IrException], idx: u32, when: Tri) -> Option<RedlineOutcome> {
        if when == Tri::False {
            return Some(RedlineOutcome::NotProhibited);
        }
        self.trace.extend_from_slice(&[Step::Redline(idx), Step::Condition(when)]);
        let (exception, _) = self.exceptions(exceptions, 0)?;
        Some(redline_verdict(when, exception).0)
    }

    /// Whether any of `exceptions` applies (Kleene `or`), and the preorder number of the first
    /// that surely does; `first` numbers the first of them.
    fn exceptions(&mut self, exceptions: &'a [IrException], first: u32) -> Option<(Tri, Option<u32>)> {
        let mut unknown = false;
        let mut index = first;
        for exception in exceptions {
            let when = self.graph(&exception.flat, 0)?;
            let (inner, inner_applied) = if when == Tri::False {
                (Tri::False, None)
            } else {
                self.exceptions(&exception.exceptions, index + 1)?
            };
            let applies = exception_applies(when, inner);
            self.trace.push(Step::Exception { index, when, applies, inner: inner_applied });
            match applies {
                Tri::True => return Some((Tri::True, Some(index))),
                Tri::Unknown => unknown = true,
                Tri::False => {}
            }
            index += 1 + count_exceptions(&exception.exceptions);
        }
        Some((if unknown { Tri::Unknown } else { Tri::False }, None))
    }

    /// The rulebook's own classifications, each by its chain: the tier of the first branch
    /// that holds (into `tiers`) and that branch's number (into `branches`). `None` when a
    /// branch is unknown (the evaluator weighs which tiers remain).
    fn classifications(
        &mut self,
        rulebook: &'a CompiledRulebook,
        tiers: &mut Vec<Option<u32>>,
        branches: &mut Vec<Option<u32>>,
    ) -> Option<()> {
        for idx in &rulebook.own_classifications {
            let classification = rulebook.classifications.get(*idx as usize)?;
            let chain = classification.chain.as_ref()?;
            let branch = self.chain(chain)?;
            tiers.push(match branch {
                Some(branch) => Some(classification.branches.get(branch as usize)?.tier),
                None => None,
            });
            branches.push(branch);
        }
        Some(())
    }

    /// A leaf's compact test; `None` when its fast case does not hold.
    #[inline(always)]
    fn test(&self, test: flat::Test) -> Option<Tri> {
        let sets = self.sets;
        compact_test(self.fields, test, |path| sets.get(path as usize).and_then(|summary| summary.bits()))
    }

    /// Runs a condition's graph from node `at` to its end.
    #[inline]
    fn graph(&self, condition: &FlatCondition, mut at: u32) -> Option<Tri> {
        let nodes = condition.nodes();
        loop {
            let Some(node) = nodes.get(at as usize) else {
                return Some(graph_end(at));
            };
            at = next(&node.next, self.test(node.test)?);
        }
    }

    /// Runs a classification's chain: the first branch that holds, `Some(None)` when none does,
    /// `None` when a branch is unknown or a test's fast case does not hold.
    #[inline]
    fn chain(&self, chain: &flat::Chain) -> Option<Option<u32>> {
        let mut at = chain.start;
        loop {
            let Some(node) = chain.nodes.get(at as usize) else {
                return chain_end(at);
            };
            at = next(&node.next, self.test(node.test)?);
        }
    }
}
