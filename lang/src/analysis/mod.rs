//! Consistency analysis: provisions that can never apply, exceptions that never fire, classification
//! branches that earlier ones shadow, and across two rulebooks, conflicts, gaps and mapping claims
//! that the definitions do not bear out.
//!
//! Every question is a satisfiability question over the conditions of the rulebooks (see
//! [`encode`]); every finding that some system exists comes with that system as a witness
//! (see [`witness`]), which is loaded as a description and run through the evaluator before the
//! finding is reported. A witness that does not reproduce marks the finding `replayed: false`, and
//! the test suite fails on any such finding.

pub mod encode;
pub mod html;
pub mod kinds;
pub mod linear;
pub mod sarif;
pub mod text;
pub mod witness;

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rustsat::types::Lit;
use serde::Serialize;

use crate::eval::verdict::{ObligationOutcome, RedlineOutcome};
use crate::eval::{EvalOptions, Tri, evaluate, evaluate_term_at, evaluate_tier, in_force};
use crate::ir::{
    CitationInfo, CompiledRulebook, IrDue, IrException, IrObligation, IrRedline, MappedTarget, ProvisionInfo,
    RoleTarget, SourceLocation, TermTarget, TierTarget,
};
use crate::schema::{Schema, Ty};
use crate::syntax::ast::Relation;
use crate::syntax::split::ItemKind;
use crate::value::Value;
use encode::{Ctx, Encoder, Leaf, Path, Seg, Undecided};

/// The version of the analysis report's JSON shape.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy)]
pub struct AnalysisOptions {
    /// The date at which provisions are taken to be in force.
    pub as_of: Date,
    /// Element slots per list in witnesses and proofs.
    pub list_bound: u32,
}

/// One provision a finding is about.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProvisionRef {
    pub rulebook: String,
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CitationInfo>,
}

/// What the evaluator must say of the witness for the finding to hold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expectation {
    pub rulebook: String,
    pub target: String,
    pub expected: String,
    /// What the evaluator said when the witness was replayed.
    pub actual: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Witness {
    pub system: serde_json::Value,
    /// The facts of `system` that the analysed conditions read, by dotted path: the part of the
    /// witness that matters (the rest are plain defaults).
    pub facts: Vec<(String, serde_json::Value)>,
    pub expectations: Vec<Expectation>,
    /// Whether every expectation held when the witness was evaluated.
    pub replayed: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// `dead-redline`, `exception-never-applies`, `unreachable-branch`, `dead-obligation`,
    /// `redundant-redline`, `divergence`, `wrong-claim`, `gap`, `conflict`.
    pub kind: &'static str,
    pub message: String,
    pub provisions: Vec<ProvisionRef>,
    /// For a divergence: the relation the definitions bear out, and the one claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<&'static str>,
    /// The bands of numeric facts on which the finding's systems lie.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<Witness>,
    /// For a finding that no system exists: the bound on list lengths the proof holds up to, when
    /// the conditions read lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists_up_to: Option<u32>,
}

/// A provision or claim the analyser could not decide, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UndecidedItem {
    pub provision: ProvisionRef,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub schema_version: u32,
    pub as_of: Date,
    pub rulebooks: Vec<String>,
    pub findings: Vec<Finding>,
    pub undecided: Vec<UndecidedItem>,
}

impl Report {
    /// Findings whose witness did not reproduce under the evaluator: bugs of the analyser.
    pub fn unreplayed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| finding.witnesses.iter().any(|witness| !witness.replayed))
    }
}

/// A check the evaluator runs on a witness.
#[derive(Debug, Clone)]
enum Check {
    Redline {
        rulebook: usize,
        index: usize,
        allowed: Vec<RedlineOutcome>,
    },
    ObligationApplies {
        rulebook: usize,
        index: usize,
        applies: bool,
    },
    Term {
        rulebook: usize,
        index: u32,
        name: String,
        value: bool,
    },
    Role {
        rulebook: usize,
        index: u32,
        name: String,
        list: Path,
        element: u32,
        value: bool,
    },
    Tier {
        rulebook: usize,
        index: u32,
        name: String,
        tier: u32,
    },
    /// The obligation's verdict is one of these.
    ObligationVerdict {
        rulebook: usize,
        index: usize,
        allowed: Vec<ObligationOutcome>,
    },
    /// None of these redlines prohibits.
    NoneProhibits {
        rulebook: usize,
        indices: Vec<usize>,
    },
}

struct Analyser<'r> {
    rulebooks: Vec<&'r CompiledRulebook>,
    first: &'r CompiledRulebook,
    encoder: Encoder<'r>,
    options: AnalysisOptions,
    findings: Vec<Finding>,
    undecided: Vec<UndecidedItem>,
    /// Pairs of roles a claim of the mapping relates (by any relation but `disjoint`).
    role_claims: Vec<(RoleId, RoleId)>,
    /// Pairs of obligations whose clocks were compared (rulebook, index, rulebook, index), so a
    /// pair a claim relates is not reported again as a pair on the same event.
    clock_pairs: std::collections::BTreeSet<(usize, usize, usize, usize)>,
}

/// A role's declaration: its name and where it is written.
type RoleId = (String, Option<SourceLocation>);

/// Redlines or obligations: the two kinds of provision gaps are found between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Redline,
    Obligation,
}

impl Side {
    fn kind(self) -> &'static str {
        match self {
            Side::Redline => "redline",
            Side::Obligation => "obligation",
        }
    }
}

/// The counterparts in one rulebook of a provision of the other on one act.
struct Cover {
    counterparts: Vec<usize>,
    /// Provisions on the act by roles no claim relates to the provision's role.
    other_roles: Vec<usize>,
    /// Some counterpart covers the system.
    any: Lit,
}

/// For a provision that cannot take effect on the analysis date: whether it can on another date.
enum OtherDates {
    /// On no date the rulebook names.
    Never,
    /// First on this later date.
    From(Date),
    /// No later date, but on this earlier one (the latest such).
    Until(Date),
}

impl OtherDates {
    /// `"{what} can never {verb}: {why}"`, or on which date it cannot and when it can.
    fn phrase(&self, as_of: Date, what: &str, verb: &str, why: &str) -> String {
        match self {
            OtherDates::Never => format!("{what} can never {verb}: {why}"),
            OtherDates::From(date) => format!("{what} cannot {verb} on {as_of}: {why} (first possible: {date})"),
            OtherDates::Until(date) => {
                format!("{what} cannot {verb} on {as_of} or later: {why} (last possible: {date})")
            }
        }
    }
}

/// What an exception qualifies: its redline or obligation, and the exceptions it lies inside
/// (outermost first), so that its question can be put again on another date.
#[derive(Clone)]
struct Qualified<'r> {
    provision: QualifiedProvision<'r>,
    within: Vec<&'r IrException>,
}

#[derive(Clone, Copy)]
enum QualifiedProvision<'r> {
    Redline(&'r IrRedline),
    Obligation(&'r IrObligation),
}

impl<'r> Qualified<'r> {
    fn new(provision: QualifiedProvision<'r>) -> Qualified<'r> {
        Qualified { provision, within: Vec::new() }
    }

    /// The provision, then each exception it lies inside: all must be in force for the exception
    /// to matter.
    fn infos(&self) -> Vec<&'r ProvisionInfo> {
        let first = match self.provision {
            QualifiedProvision::Redline(redline) => &redline.info,
            QualifiedProvision::Obligation(obligation) => &obligation.info,
        };
        std::iter::once(first).chain(self.within.iter().map(|exception| &exception.info)).collect()
    }

    /// Where the exception matters: the provision is triggered (whether or not an exception lifts
    /// it) and the condition of each exception it lies inside holds.
    fn context(&self, encoder: &mut Encoder<'r>, ctx: Ctx<'r>) -> Result<Lit, Undecided> {
        let mut lits = vec![match self.provision {
            QualifiedProvision::Redline(redline) => encoder.redline_trigger(ctx, redline)?,
            QualifiedProvision::Obligation(obligation) => encoder.obligation_triggered(ctx, obligation)?,
        }];
        for exception in &self.within {
            lits.push(encoder.cond(ctx, &exception.when, &[])?);
        }
        Ok(encoder.and(&lits))
    }
}

/// Why a redline prohibits no system: `triggered` whether some system triggers it.
fn redline_dead_why(triggered: bool) -> String {
    if triggered { "whenever it is triggered, an exception applies" } else { "no system meets its condition" }
        .to_string()
}

/// Why an obligation applies to no system, asked of `encoder` (on its date, which `date` names
/// in the message), `triggered` the literal of its being triggered.
fn obligation_dead_why<'r>(
    encoder: &mut Encoder<'r>,
    ctx: Ctx<'r>,
    obligation: &'r IrObligation,
    triggered: Lit,
    date: &str,
) -> String {
    if encoder.solve(&[triggered]) {
        return "whenever it is triggered, an exception lifts it".to_string();
    }
    // Triggered, but the event its deadline counts from never has happened.
    if encoder.obligation_selected(ctx, obligation).is_ok_and(|selected| encoder.solve(&[selected])) {
        return format!(
            "its deadline (`{}`) never starts, because on every system its condition covers, the event is absent or after {date}",
            due_text(&obligation.due)
        );
    }
    "no system meets its condition".to_string()
}

/// The dates on which a provision of `rulebook`, one of its exceptions or a branch of a
/// classification it uses starts or stops applying: each first day, each last day, and the days
/// either side, so every stretch of days on which the same provisions are in force has a date here.
fn change_dates(rulebook: &CompiledRulebook) -> std::collections::BTreeSet<Date> {
    fn add(dates: &mut std::collections::BTreeSet<Date>, from: Option<Date>, until: Option<Date>) {
        for date in from.into_iter().chain(until) {
            dates.insert(date);
            dates.extend(date.yesterday().ok());
            dates.extend(date.tomorrow().ok());
        }
    }
    fn exceptions(dates: &mut std::collections::BTreeSet<Date>, list: &[IrException]) {
        for exception in list {
            add(dates, exception.info.applies_from, exception.info.applies_until);
            exceptions(dates, &exception.exceptions);
        }
    }
    let mut dates = std::collections::BTreeSet::new();
    add(&mut dates, rulebook.applies_from, rulebook.applies_until);
    for redline in &rulebook.redlines {
        add(&mut dates, redline.info.applies_from, redline.info.applies_until);
        exceptions(&mut dates, &redline.exceptions);
    }
    for obligation in &rulebook.obligations {
        add(&mut dates, obligation.info.applies_from, obligation.info.applies_until);
        exceptions(&mut dates, &obligation.exceptions);
    }
    for term in &rulebook.terms {
        add(&mut dates, term.info.applies_from, term.info.applies_until);
    }
    for classification in &rulebook.classifications {
        add(&mut dates, classification.info.applies_from, classification.info.applies_until);
        for branch in &classification.branches {
            add(&mut dates, branch.info.applies_from, branch.info.applies_until);
        }
    }
    dates
}

/// Analyses one rulebook on its own: dead redlines and obligations, exceptions that never apply,
/// redundant redlines, unreachable classification branches.
pub fn analyze(rulebook: &CompiledRulebook, options: AnalysisOptions) -> Report {
    let mut analyser = Analyser::new(rulebook, vec![rulebook], &rulebook.schema, options);
    analyser.inside(0);
    analyser.finish()
}

/// Compares two rulebooks (and checks the claims of an optional mapping rulebook that imports
/// both): divergent mapped terms, wrong claims, gaps between redlines, and conflicts where one
/// forbids the act the other requires.
pub fn compare(
    left: &CompiledRulebook,
    right: &CompiledRulebook,
    mapping: Option<&CompiledRulebook>,
    options: AnalysisOptions,
) -> Report {
    let mut rulebooks = vec![left, right];
    rulebooks.extend(mapping);
    let mut analyser = Analyser::new(left, rulebooks, &left.schema, options);
    if mapping.is_some() {
        analyser.role_claims = analyser.related_roles(2);
        analyser.claims(2);
    }
    analyser.gaps(Side::Redline, 0, 1);
    analyser.gaps(Side::Redline, 1, 0);
    analyser.gaps(Side::Obligation, 1, 0);
    analyser.gaps(Side::Obligation, 0, 1);
    analyser.same_event_deadlines(0, 1);
    analyser.conflicts(0, 1);
    analyser.conflicts(1, 0);
    analyser.incompatible(0, 1);
    analyser.finish()
}

impl<'r> Analyser<'r> {
    fn new(
        first: &'r CompiledRulebook,
        rulebooks: Vec<&'r CompiledRulebook>,
        schema: &'r Schema,
        options: AnalysisOptions,
    ) -> Analyser<'r> {
        Analyser {
            rulebooks,
            first,
            encoder: Encoder::new(schema, options.as_of, options.list_bound.max(1)),
            options,
            findings: Vec::new(),
            undecided: Vec::new(),
            role_claims: Vec::new(),
            clock_pairs: std::collections::BTreeSet::new(),
        }
    }

    /// The pairs of roles the claims of mapping rulebook `rb` relate, other than as disjoint.
    fn related_roles(&self, rb: usize) -> Vec<(RoleId, RoleId)> {
        let mut out = Vec::new();
        for mapping in &self.book(rb).mappings {
            for claim in &mapping.claims {
                if claim.relation == Relation::Disjoint {
                    continue;
                }
                let (MappedTarget::Role(left), MappedTarget::Role(right)) = (&claim.left, &claim.right) else {
                    continue;
                };
                let target = |target: &TermTarget| RoleTarget { name: String::new(), term: target.clone() };
                if let (Some(left), Some(right)) = (self.role_id(rb, &target(left)), self.role_id(rb, &target(right))) {
                    out.push((left, right));
                }
            }
        }
        out
    }

    fn finish(self) -> Report {
        Report {
            schema_version: REPORT_VERSION,
            as_of: self.options.as_of,
            rulebooks: self.rulebooks.iter().map(|rulebook| rulebook.id.clone()).collect(),
            findings: self.findings,
            undecided: self.undecided,
        }
    }

    /// Rulebook `index` (the first one for an index out of range, which the analyser never asks for).
    fn book(&self, index: usize) -> &'r CompiledRulebook {
        self.rulebooks.get(index).copied().unwrap_or(self.first)
    }

    fn ctx(&self, index: usize) -> Ctx<'r> {
        Ctx { index, rulebook: self.book(index) }
    }

    fn provision(&self, rulebook: usize, kind: &'static str, info: &ProvisionInfo) -> ProvisionRef {
        ProvisionRef {
            rulebook: self.book(rulebook).id.clone(),
            kind,
            name: info.name.clone(),
            location: info.location.clone(),
            citations: info.citations.clone(),
        }
    }

    fn undecided(&mut self, provision: ProvisionRef, reason: Undecided) {
        if !self.undecided.iter().any(|item| item.provision == provision) {
            self.undecided.push(UndecidedItem { provision, reason: reason.0 });
        }
    }

    fn in_force(&self, rulebook: usize, info: &ProvisionInfo) -> bool {
        self.in_force_on(rulebook, &[info], self.options.as_of)
    }

    /// Whether rulebook `rb` and every one of `infos` (a provision, then what qualifies it) are in
    /// force on `date`.
    fn in_force_on(&self, rb: usize, infos: &[&ProvisionInfo], date: Date) -> bool {
        let compiled = self.book(rb);
        in_force(compiled.applies_from, compiled.applies_until, date)
            && infos.iter().all(|info| in_force(info.applies_from, info.applies_until, date))
    }

    /// Whether rulebook `rb` and every one of `infos` are in force together on some date. Each
    /// first and last day is among the dates the rulebook names, so trying those is exact.
    fn ever_in_force(&self, rb: usize, infos: &[&ProvisionInfo]) -> bool {
        change_dates(self.book(rb)).into_iter().any(|date| self.in_force_on(rb, infos, date))
    }

    /// Whether a provision (a redline, an obligation, an exception, a branch) that cannot take
    /// effect on the analysis date can on another date: the question `ask` is put again on each
    /// date on which something in rulebook `rb` (or a classification it uses) starts or stops
    /// applying and the rulebook and all of `infos` (the provision and what it lies inside) are in
    /// force, first the later dates in order, then the earlier ones, latest first. Dates the
    /// rulebook never names are not tried, so a provision whose condition compares a fact with the
    /// analysis date can still be found on other dates.
    fn other_dates(
        &self,
        rb: usize,
        infos: &[&ProvisionInfo],
        mut ask: impl FnMut(&mut Encoder<'r>, Ctx<'r>) -> Result<Lit, Undecided>,
    ) -> OtherDates {
        let as_of = self.options.as_of;
        let dates = change_dates(self.book(rb));
        let later = dates.range(as_of.tomorrow().unwrap_or(as_of)..).copied();
        let earlier = dates.range(..as_of).rev().copied();
        let mut possible = |date: Date| {
            if date == as_of || !self.in_force_on(rb, infos, date) {
                return false;
            }
            let mut encoder = Encoder::new(self.encoder.schema, date, self.options.list_bound.max(1));
            ask(&mut encoder, self.ctx(rb)).is_ok_and(|lit| encoder.solve(&[lit]))
        };
        for date in later {
            if possible(date) {
                return OtherDates::From(date);
            }
        }
        for date in earlier {
            if possible(date) {
                return OtherDates::Until(date);
            }
        }
        OtherDates::Never
    }

    /// For a provision of rulebook `rb` not in force on the analysis date: when it comes into
    /// force on a later date the rulebook names, and on none of the later dates on which it is in
    /// force can it take effect, a finding of `kind` saying so. `ask` gives, on a date, the
    /// literal of its taking effect; `why`, asked on the first of those dates, why it cannot.
    /// Nothing is said when it never comes into force later, when it can take effect on one of
    /// those dates, or when the question cannot be encoded (the provision is then reported
    /// undecided when analysed as of a date on which it is in force). `(kind, verb)`: the finding's
    /// kind and the verb of its message.
    fn dead_once_in_force(
        &mut self,
        rb: usize,
        info: &ProvisionInfo,
        provision: ProvisionRef,
        (kind, verb): (&'static str, &str),
        mut ask: impl FnMut(&mut Encoder<'r>, Ctx<'r>) -> Result<Lit, Undecided>,
        why: impl FnOnce(&mut Encoder<'r>, Ctx<'r>) -> Result<String, Undecided>,
    ) {
        let as_of = self.options.as_of;
        let dates = change_dates(self.book(rb));
        let mut first = None;
        for date in dates.range(as_of.tomorrow().unwrap_or(as_of)..).copied() {
            if !self.in_force_on(rb, &[info], date) {
                continue;
            }
            let mut encoder = Encoder::new(self.encoder.schema, date, self.options.list_bound.max(1));
            let Ok(effect) = ask(&mut encoder, self.ctx(rb)) else { return };
            if encoder.solve(&[effect]) {
                return;
            }
            first.get_or_insert((date, encoder));
        }
        let Some((date, mut encoder)) = first else { return };
        let Ok(why) = why(&mut encoder, self.ctx(rb)) else { return };
        let lists_up_to = encoder.used_lists.then_some(self.options.list_bound);
        let message = format!(
            "{} `{}` is not in force on {as_of}; from {date}, when it is, it can never {verb}: {why}",
            provision.kind, info.name
        );
        self.push_proof(kind, message, provision, lists_up_to);
    }

    /// A finding about one provision, proved rather than shown by a witness (a provision that
    /// can never take effect).
    fn push_proof(&mut self, kind: &'static str, message: String, provision: ProvisionRef, lists_up_to: Option<u32>) {
        self.push(Finding {
            kind,
            message,
            provisions: vec![provision],
            relation: None,
            claimed: None,
            bands: Vec::new(),
            witnesses: Vec::new(),
            lists_up_to,
        });
    }

    fn lists_bound(&self) -> Option<u32> {
        self.encoder.used_lists.then_some(self.options.list_bound)
    }

    // ----- one rulebook -----

    fn inside(&mut self, rb: usize) {
        let ctx = self.ctx(rb);
        let rulebook = self.book(rb);
        let mut prohibits: Vec<Option<Lit>> = Vec::new();
        for (index, redline) in rulebook.redlines.iter().enumerate() {
            let provision = self.provision(rb, "redline", &redline.info);
            if !self.in_force(rb, &redline.info) {
                prohibits.push(None);
                self.dead_once_in_force(
                    rb,
                    &redline.info,
                    provision,
                    ("dead-redline", "prohibit"),
                    |encoder, ctx| encoder.redline_prohibits(ctx, redline),
                    |encoder, ctx| {
                        let trigger = encoder.redline_trigger(ctx, redline)?;
                        Ok(redline_dead_why(encoder.solve(&[trigger])))
                    },
                );
                continue;
            }
            self.encoder.used_lists = false;
            let encoded = self
                .encoder
                .redline_trigger(ctx, redline)
                .and_then(|trigger| Ok((trigger, self.encoder.redline_prohibits(ctx, redline)?)));
            let (trigger, prohibited) = match encoded {
                Ok(pair) => pair,
                Err(reason) => {
                    self.undecided(provision, reason);
                    prohibits.push(None);
                    continue;
                }
            };
            prohibits.push(Some(prohibited));
            if !self.encoder.solve(&[prohibited]) {
                let exempted = self.encoder.solve(&[trigger]);
                let message = redline_dead_why(exempted);
                let when =
                    self.other_dates(rb, &[&redline.info], |encoder, ctx| encoder.redline_prohibits(ctx, redline));
                let message =
                    when.phrase(self.options.as_of, &format!("redline `{}`", redline.info.name), "prohibit", &message);
                let witnesses = if exempted && self.encoder.solve_minimal(&[trigger]) {
                    vec![self.witness(vec![Check::Redline {
                        rulebook: rb,
                        index,
                        allowed: vec![RedlineOutcome::Exempted],
                    }])]
                } else {
                    Vec::new()
                };
                let lists_up_to = self.lists_bound();
                self.push(Finding {
                    kind: "dead-redline",
                    message,
                    provisions: vec![provision.clone()],
                    relation: None,
                    claimed: None,
                    bands: Vec::new(),
                    witnesses,
                    lists_up_to,
                });
                continue;
            }
            self.exceptions(
                rb,
                &provision,
                trigger,
                &Qualified::new(QualifiedProvision::Redline(redline)),
                &redline.exceptions,
            );
        }
        self.redundant(rb, &prohibits);
        for (index, obligation) in rulebook.obligations.iter().enumerate() {
            let provision = self.provision(rb, "obligation", &obligation.info);
            if !self.in_force(rb, &obligation.info) {
                self.dead_once_in_force(
                    rb,
                    &obligation.info,
                    provision,
                    ("dead-obligation", "apply"),
                    |encoder, ctx| encoder.obligation_applies(ctx, obligation),
                    |encoder, ctx| {
                        let triggered = encoder.obligation_triggered(ctx, obligation)?;
                        let date = encoder.as_of.to_string();
                        Ok(obligation_dead_why(encoder, ctx, obligation, triggered, &date))
                    },
                );
                continue;
            }
            self.encoder.used_lists = false;
            let encoded = self
                .encoder
                .obligation_applies(ctx, obligation)
                .and_then(|applies| Ok((applies, self.encoder.obligation_triggered(ctx, obligation)?)));
            match encoded {
                Ok((applies, triggered)) => {
                    if self.encoder.solve(&[applies]) {
                        self.exceptions(
                            rb,
                            &provision,
                            triggered,
                            &Qualified::new(QualifiedProvision::Obligation(obligation)),
                            &obligation.exceptions,
                        );
                        self.unmeetable(rb, index, obligation, provision, applies);
                        continue;
                    }
                    let why = obligation_dead_why(&mut self.encoder, ctx, obligation, triggered, "the analysis date");
                    let when = self.other_dates(rb, &[&obligation.info], |encoder, ctx| {
                        encoder.obligation_applies(ctx, obligation)
                    });
                    let message = when.phrase(
                        self.options.as_of,
                        &format!("obligation `{}`", obligation.info.name),
                        "apply",
                        &why,
                    );
                    let lists_up_to = self.lists_bound();
                    self.push_proof("dead-obligation", message, provision, lists_up_to);
                }
                Err(reason) => self.undecided(provision, reason),
            }
        }
        for &idx in &rulebook.own_classifications {
            let Some(classification) = rulebook.classifications.get(idx as usize) else { continue };
            let provision = self.provision(rb, "classification", &classification.info);
            if !self.in_force(rb, &classification.info) {
                continue;
            }
            self.encoder.used_lists = false;
            let taken = match self.encoder.branches_taken(ctx, classification) {
                Ok(taken) => taken,
                Err(reason) => {
                    self.undecided(provision, reason);
                    continue;
                }
            };
            let tiers =
                self.encoder.schema.enum_def(classification.tiers).map(|def| def.variants.clone()).unwrap_or_default();
            for (branch_index, (branch, lit)) in classification.branches.iter().zip(&taken).enumerate() {
                let tier_name = tiers.get(branch.tier as usize).cloned().unwrap_or_default();
                let what =
                    format!("branch {} of `{}` (tier `{tier_name}`)", branch_index + 1, classification.info.name);
                let infos = [&classification.info, &branch.info];
                let mut branch_ref = provision.clone();
                branch_ref.kind = "branch";
                branch_ref.name = format!("{} / {}", classification.info.name, tier_name);
                branch_ref.location = branch.info.location.clone().or(provision.location.clone());
                let (message, witnesses, lists_up_to) =
                    if !in_force(branch.info.applies_from, branch.info.applies_until, self.options.as_of) {
                        // Not yet or no longer in force: weighed on the dates it is, unless there are none.
                        if self.ever_in_force(rb, &infos) {
                            continue;
                        }
                        let why = format!("it is in force on no date on which `{}` is", classification.info.name);
                        (OtherDates::Never.phrase(self.options.as_of, &what, "be reached", &why), Vec::new(), None)
                    } else {
                        if self.encoder.solve(&[*lit]) {
                            continue;
                        }
                        let own = match &branch.when {
                            Some(when) => self.encoder.cond(ctx, when, &[]).ok(),
                            None => Some(self.encoder.truth()),
                        };
                        let mut witnesses = Vec::new();
                        let mut why = "earlier branches already classify every system it covers".to_string();
                        if let Some(own) = own
                            && self.encoder.solve_minimal(&[own])
                        {
                            // Which earlier branch takes such a system.
                            let earlier = taken.iter().position(|lit| self.encoder.value(*lit));
                            if let Some(earlier) = earlier
                                && let Some(earlier_branch) = classification.branches.get(earlier)
                            {
                                why.push_str(&format!(
                                    " (for example as `{}`)",
                                    tiers.get(earlier_branch.tier as usize).cloned().unwrap_or_default()
                                ));
                                witnesses.push(self.witness(vec![Check::Tier {
                                    rulebook: rb,
                                    index: idx,
                                    name: classification.info.name.clone(),
                                    tier: earlier_branch.tier,
                                }]));
                            }
                        } else {
                            why = "no system meets its condition".to_string();
                        }
                        let lists_up_to = self.lists_bound();
                        let dates = self.other_dates(rb, &infos, |encoder, ctx| {
                            let taken = encoder.branches_taken(ctx, classification)?;
                            taken
                                .get(branch_index)
                                .copied()
                                .ok_or_else(|| Undecided("a branch the analyser cannot find".to_owned()))
                        });
                        (dates.phrase(self.options.as_of, &what, "be reached", &why), witnesses, lists_up_to)
                    };
                self.push(Finding {
                    kind: "unreachable-branch",
                    message,
                    provisions: vec![branch_ref],
                    relation: None,
                    claimed: None,
                    bands: Vec::new(),
                    witnesses,
                    lists_up_to,
                });
            }
        }
    }

    /// Exceptions that never apply where their redline, obligation or parent exception is
    /// triggered (`context`, on the analysis date). One that cannot apply on the analysis date is
    /// asked again on the rulebook's other dates. One not in force on the analysis date is weighed
    /// on the dates it is in force, as any provision is; it is reported only when it is in force on
    /// no date on which what it qualifies is.
    fn exceptions(
        &mut self,
        rb: usize,
        parent: &ProvisionRef,
        context: Lit,
        qualified: &Qualified<'r>,
        exceptions: &'r [IrException],
    ) {
        let ctx = self.ctx(rb);
        for exception in exceptions {
            let mut provision = self.provision(rb, "exception", &exception.info);
            provision.name = format!("{} / {}", parent.name, exception.info.name);
            if provision.location.is_none() {
                provision.location = parent.location.clone();
            }
            let what = format!("exception `{}` of `{}`", exception.info.name, parent.name);
            let mut infos = qualified.infos();
            infos.push(&exception.info);
            if !in_force(exception.info.applies_from, exception.info.applies_until, self.options.as_of) {
                if !self.ever_in_force(rb, &infos) {
                    let why = format!("it is in force on no date on which `{}` is", parent.name);
                    self.push_proof(
                        "exception-never-applies",
                        OtherDates::Never.phrase(self.options.as_of, &what, "apply", &why),
                        provision,
                        None,
                    );
                }
                continue;
            }
            let encoded = self
                .encoder
                .exception(ctx, exception)
                .and_then(|applies| Ok((applies, self.encoder.cond(ctx, &exception.when, &[])?)));
            let (applies, when) = match encoded {
                Ok(pair) => pair,
                Err(reason) => {
                    self.undecided(provision, reason);
                    continue;
                }
            };
            if !self.encoder.solve(&[context, applies]) {
                let lists_up_to = self.lists_bound();
                let why = if self.encoder.solve(&[context, when]) {
                    "wherever its condition holds, one of its own exceptions applies"
                } else {
                    "its condition never holds where the provision it qualifies is triggered"
                };
                let dates = self.other_dates(rb, &infos, |encoder, ctx| {
                    let context = qualified.context(encoder, ctx)?;
                    let applies = encoder.exception(ctx, exception)?;
                    Ok(encoder.and(&[context, applies]))
                });
                self.push_proof(
                    "exception-never-applies",
                    dates.phrase(self.options.as_of, &what, "apply", why),
                    provision.clone(),
                    lists_up_to,
                );
                continue;
            }
            let inner_context = self.encoder.and(&[context, when]);
            let mut inner = qualified.clone();
            inner.within.push(exception);
            self.exceptions(rb, &provision, inner_context, &inner, &exception.exceptions);
        }
    }

    /// An obligation that applies to some system but can never be met on any: no evidence it accepts
    /// can exist there, or none can be dated by its deadline. Decided on the deadline's shortest and
    /// longest readings; when they disagree (a month's length, a weekend), it is not decided.
    fn unmeetable(
        &mut self,
        rb: usize,
        index: usize,
        obligation: &IrObligation,
        provision: ProvisionRef,
        applies: Lit,
    ) {
        let ctx = self.ctx(rb);
        let scope = scope_of(rb, index);
        let meeting = match self.encoder.obligation_meeting(ctx, obligation, scope) {
            Ok(meeting) => meeting,
            Err(reason) => {
                self.undecided(provision, reason);
                return;
            }
        };
        self.encoder.active_scopes = std::collections::BTreeSet::from([scope]);
        let on_time = self.encoder.solve(&[meeting.on_time]);
        let on_time_longest = on_time || self.encoder.solve(&[meeting.on_time_longest]);
        let evidence = on_time_longest || self.encoder.solve(&[meeting.evidence]);
        self.encoder.active_scopes.clear();
        if on_time {
            return;
        }
        if on_time_longest {
            self.undecided(
                provision,
                Undecided(format!(
                    "whether evidence can meet its deadline (`{}`) depends on the calendar: the length of a month or the weekends and holidays a period is moved past",
                    due_text(&obligation.due)
                )),
            );
            return;
        }
        let why = if evidence {
            format!(
                "on every system it applies to, the evidence it accepts is dated too late for its deadline (`{}`)",
                due_text(&obligation.due)
            )
        } else {
            "on no system it applies to can evidence it accepts exist, dated by the analysis date".to_owned()
        };
        let lists_up_to = self.lists_bound();
        let witnesses = if self.encoder.solve_minimal(&[applies]) {
            vec![self.witness(vec![Check::ObligationVerdict {
                rulebook: rb,
                index,
                allowed: vec![ObligationOutcome::Violated, ObligationOutcome::Pending, ObligationOutcome::Undetermined],
            }])]
        } else {
            Vec::new()
        };
        self.push(Finding {
            kind: "unmeetable-obligation",
            message: format!(
                "obligation `{}` applies but can never be met: {why}{}",
                obligation.info.name,
                endeavour_note(&[obligation])
            ),
            provisions: vec![provision],
            relation: None,
            claimed: None,
            bands: Vec::new(),
            witnesses,
            lists_up_to,
        });
    }

    /// Redlines every system of which another redline of the same acts and role already prohibits.
    fn redundant(&mut self, rb: usize, prohibits: &[Option<Lit>]) {
        let rulebook = self.book(rb);
        for (a, redline) in rulebook.redlines.iter().enumerate() {
            let Some(Some(pa)) = prohibits.get(a) else { continue };
            if !self.encoder.solve(&[*pa]) {
                continue;
            }
            // The redlines on the same acts and role, which could make it redundant.
            let mut remaining: Vec<(usize, Lit)> = rulebook
                .redlines
                .iter()
                .enumerate()
                .filter(|(b, other)| {
                    *b != a
                        && redline.acts.iter().all(|act| other.acts.contains(act))
                        && redline.by.as_ref().map(|role| &role.name) == other.by.as_ref().map(|role| &role.name)
                })
                .filter_map(|(b, _)| prohibits.get(b).copied().flatten().map(|lit| (b, lit)))
                .collect();
            // If all of them together leave some system it prohibits uncovered, none alone covers
            // it. Otherwise only the redlines of the solver's core can; those that do not alone
            // are set aside and the rest asked again, until the rest no longer cover it.
            let mut cover = None;
            while cover.is_none() && !remaining.is_empty() {
                let mut asked = vec![*pa];
                asked.extend(remaining.iter().map(|(_, lit)| !*lit));
                let core = match self.encoder.solve_or_core(&asked) {
                    Ok(()) => break,
                    Err(core) => core,
                };
                let in_core: Vec<(usize, Lit)> =
                    remaining.iter().copied().filter(|(_, lit)| core.contains(lit)).collect();
                if in_core.is_empty() {
                    break;
                }
                for (b, pb) in &in_core {
                    if !self.encoder.solve(&[*pa, !*pb]) {
                        cover = Some((*b, *pb));
                        break;
                    }
                }
                remaining.retain(|entry| !in_core.contains(entry));
            }
            let Some((b, pb)) = cover else { continue };
            let Some(other) = rulebook.redlines.get(b) else { continue };
            // Two redlines that prohibit exactly the same systems: report the later one only.
            let mutual = other.acts.iter().all(|act| redline.acts.contains(act)) && !self.encoder.solve(&[pb, !*pa]);
            if mutual && a < b {
                continue;
            }
            let _ = self.encoder.solve_minimal(&[*pa]);
            let witness = self.witness(vec![
                Check::Redline { rulebook: rb, index: a, allowed: vec![RedlineOutcome::Prohibited] },
                Check::Redline { rulebook: rb, index: b, allowed: vec![RedlineOutcome::Prohibited] },
            ]);
            let lists_up_to = self.lists_bound();
            self.push(Finding {
                kind: "redundant-redline",
                message: format!(
                    "redline `{}` is redundant: `{}` already prohibits every system it prohibits",
                    redline.info.name, other.info.name
                ),
                provisions: vec![
                    self.provision(rb, "redline", &redline.info),
                    self.provision(rb, "redline", &other.info),
                ],
                relation: None,
                claimed: None,
                bands: Vec::new(),
                witnesses: vec![witness],
                lists_up_to,
            });
        }
    }

    // ----- two rulebooks -----

    /// Checks each claim of the mapping rulebook `rb` against the definitions.
    fn claims(&mut self, rb: usize) {
        let ctx = self.ctx(rb);
        let rulebook = self.book(rb);
        for mapping in &rulebook.mappings {
            for claim in &mapping.claims {
                let provision = self.provision(rb, "claim", &claim.info);
                self.encoder.used_lists = false;
                let sides = self.side(ctx, &claim.left).and_then(|left| Ok((left, self.side(ctx, &claim.right)?)));
                let ((left, left_check), (right, right_check)) = match sides {
                    Ok(sides) => sides,
                    Err(reason) => {
                        self.undecided(provision, reason);
                        continue;
                    }
                };
                let both = self.encoder.solve(&[left, right]);
                let only_left = self.encoder.solve(&[left, !right]);
                let only_right = self.encoder.solve(&[!left, right]);
                let holds = |relation: Relation| match relation {
                    Relation::Equivalent => !only_left && !only_right,
                    Relation::Narrower => !only_left && only_right,
                    Relation::Broader => only_left && !only_right,
                    Relation::Disjoint => !both,
                    Relation::Overlapping => both && only_left && only_right,
                };
                let actual = [
                    Relation::Equivalent,
                    Relation::Disjoint,
                    Relation::Narrower,
                    Relation::Broader,
                    Relation::Overlapping,
                ]
                .into_iter()
                .find(|relation| holds(*relation))
                .unwrap_or(Relation::Overlapping);
                let claim_holds = holds(claim.relation);
                if both {
                    self.compare_deadlines(
                        &claim.left,
                        &claim.right,
                        &provision,
                        [left, right],
                        [&left_check, &right_check],
                    );
                }
                if claim_holds && actual == Relation::Equivalent {
                    continue;
                }
                let mut witnesses = Vec::new();
                let mut bands = Vec::new();
                for (exists, assumptions, left_value, right_value) in
                    [(only_left, [left, !right], true, false), (only_right, [!left, right], false, true)]
                {
                    if !exists {
                        continue;
                    }
                    bands.extend(self.bands(&assumptions, &claim.left_text, &claim.right_text, left_value));
                    let _ = self.encoder.solve_minimal(&assumptions);
                    let checks = vec![left_check(left_value), right_check(right_value)];
                    witnesses.push(self.witness(checks));
                }
                if !claim_holds && witnesses.is_empty() && both {
                    let _ = self.encoder.solve_minimal(&[left, right]);
                    witnesses.push(self.witness(vec![left_check(true), right_check(true)]));
                }
                let message = if claim_holds {
                    format!(
                        "`{}` and `{}` differ: `{}` is {} `{}`",
                        claim.left_text,
                        claim.right_text,
                        claim.left_text,
                        relation_phrase(actual),
                        claim.right_text
                    )
                } else {
                    format!(
                        "the mapping claims `{}` is {} `{}`, but the definitions make it {} `{}`",
                        claim.left_text,
                        relation_phrase(claim.relation),
                        claim.right_text,
                        relation_phrase(actual),
                        claim.right_text
                    )
                };
                let lists_up_to = if witnesses.is_empty() { self.lists_bound() } else { None };
                self.push(Finding {
                    kind: if claim_holds { "divergence" } else { "wrong-claim" },
                    message,
                    provisions: vec![provision],
                    relation: Some(actual.as_str()),
                    claimed: Some(claim.relation.as_str()),
                    bands,
                    witnesses,
                    lists_up_to,
                });
            }
        }
    }

    /// Two obligations a claim relates, due after different lengths of time from their events: the
    /// stricter and the looser clock, on a system both apply to.
    #[allow(clippy::type_complexity)]
    fn compare_deadlines(
        &mut self,
        left: &MappedTarget,
        right: &MappedTarget,
        claim: &ProvisionRef,
        lits: [Lit; 2],
        checks: [&dyn Fn(bool) -> Check; 2],
    ) {
        let (Some((lb, li, lo)), Some((rb, ri, ro))) = (self.obligation_of(left), self.obligation_of(right)) else {
            return;
        };
        let Some(ordering) = clock_ordering(&lo.due, &ro.due) else { return };
        self.clock_pairs.insert((lb, li, rb, ri));
        self.clock_pairs.insert((rb, ri, lb, li));
        if ordering == std::cmp::Ordering::Equal || !self.encoder.solve_minimal(&lits) {
            return;
        }
        let [left_check, right_check] = checks;
        let witness = self.witness(vec![left_check(true), right_check(true)]);
        let (stricter, looser) =
            if ordering == std::cmp::Ordering::Less { ((lb, lo), (rb, ro)) } else { ((rb, ro), (lb, lo)) };
        self.push_deadline(stricter, looser, "", Some(claim.clone()), witness);
    }

    /// Obligations of `x` and `y` whose clocks count from the same event (the same fact of the
    /// same entry of the description) and run for different lengths, by the same role or roles
    /// the mapping relates, where one event can start both: the stricter and the looser clock.
    /// Pairs a claim relates are compared in [`Self::compare_deadlines`] and not again here.
    fn same_event_deadlines(&mut self, x: usize, y: usize) {
        // Each obligation in force with a clock of a length: (index, the clock started by its
        // first event, the fact it counts from).
        let mut sides: [Vec<(usize, Lit, Path)>; 2] = [Vec::new(), Vec::new()];
        for (slot, rb) in [x, y].into_iter().enumerate() {
            let ctx = self.ctx(rb);
            for (index, obligation) in self.book(rb).obligations.iter().enumerate() {
                if due_range(&obligation.due).is_none() || !self.in_force(rb, &obligation.info) {
                    continue;
                }
                // Undecided obligations are reported by the other questions asked of them.
                let Ok(Some((lit, event))) = self.encoder.obligation_first_event(ctx, obligation) else { continue };
                if let Some(side) = sides.get_mut(slot) {
                    side.push((index, lit, event));
                }
            }
        }
        let [left, right] = sides;
        for (a, lit_a, event_a) in &left {
            for (b, lit_b, event_b) in &right {
                if event_a != event_b || self.clock_pairs.contains(&(x, *a, y, *b)) {
                    continue;
                }
                let (Some(oa), Some(ob)) = (self.book(x).obligations.get(*a), self.book(y).obligations.get(*b)) else {
                    continue;
                };
                if !self.roles_related(x, oa.by.as_ref(), y, ob.by.as_ref()) {
                    continue;
                }
                let Some(ordering) = clock_ordering(&oa.due, &ob.due) else { continue };
                self.clock_pairs.insert((x, *a, y, *b));
                if ordering == std::cmp::Ordering::Equal || !self.encoder.solve_minimal(&[*lit_a, *lit_b]) {
                    continue;
                }
                let witness = self.witness(vec![
                    Check::ObligationApplies { rulebook: x, index: *a, applies: true },
                    Check::ObligationApplies { rulebook: y, index: *b, applies: true },
                ]);
                let (stricter, looser) =
                    if ordering == std::cmp::Ordering::Less { ((x, oa), (y, ob)) } else { ((y, ob), (x, oa)) };
                self.push_deadline(stricter, looser, "both count from the same event, and ", None, witness);
            }
        }
    }

    fn push_deadline(
        &mut self,
        stricter: (usize, &IrObligation),
        looser: (usize, &IrObligation),
        why: &str,
        claim: Option<ProvisionRef>,
        witness: Witness,
    ) {
        let message = format!(
            "`{}` ({}) is due {}, `{}` ({}) {}: {why}the first clock is stricter{}",
            stricter.1.info.name,
            self.book(stricter.0).id,
            due_text(&stricter.1.due),
            looser.1.info.name,
            self.book(looser.0).id,
            due_text(&looser.1.due),
            endeavour_note(&[stricter.1, looser.1])
        );
        let mut provisions = vec![
            self.provision(stricter.0, "obligation", &stricter.1.info),
            self.provision(looser.0, "obligation", &looser.1.info),
        ];
        provisions.extend(claim);
        self.push(Finding {
            kind: "deadline",
            message,
            provisions,
            relation: None,
            claimed: None,
            bands: Vec::new(),
            witnesses: vec![witness],
            lists_up_to: None,
        });
    }

    /// The obligation a claim side names, with the index of its rulebook.
    fn obligation_of(&self, target: &MappedTarget) -> Option<(usize, usize, &'r IrObligation)> {
        let MappedTarget::Provision(decl) = target else { return None };
        if decl.kind != ItemKind::Obligation {
            return None;
        }
        (0..self.rulebooks.len()).find_map(|index| {
            let book = self.book(index);
            if book.file != decl.file {
                return None;
            }
            book.obligations
                .iter()
                .enumerate()
                .find(|(_, obligation)| obligation.info.name == decl.name)
                .map(|(at, o)| (index, at, o))
        })
    }

    /// One side of a claim as a literal, and how a witness checks its value.
    #[allow(clippy::type_complexity)]
    fn side(&mut self, ctx: Ctx<'r>, target: &MappedTarget) -> Result<(Lit, Box<dyn Fn(bool) -> Check>), Undecided> {
        let rb = ctx.index;
        match target {
            MappedTarget::Term(TermTarget::Index(idx)) => {
                let term = ctx.rulebook.terms.get(*idx as usize).ok_or_else(|| Undecided("no such term".to_owned()))?;
                if term.n_params > 0 {
                    let (lit, list) = self.encoder.term_of_element(ctx, *idx, 0)?;
                    let (index, name) = (*idx, term.info.name.clone());
                    return Ok((
                        lit,
                        Box::new(move |value| Check::Role {
                            rulebook: rb,
                            index,
                            name: name.clone(),
                            list: list.clone(),
                            element: 0,
                            value,
                        }),
                    ));
                }
                let lit = self.encoder.term(ctx, *idx)?;
                let (index, name) = (*idx, term.info.name.clone());
                Ok((lit, Box::new(move |value| Check::Term { rulebook: rb, index, name: name.clone(), value })))
            }
            MappedTarget::Role(TermTarget::Index(idx)) => {
                let (lit, list) = self.encoder.role_of_element(ctx, *idx, 0)?;
                let name = ctx.rulebook.terms.get(*idx as usize).map(|term| term.info.name.clone()).unwrap_or_default();
                let index = *idx;
                Ok((
                    lit,
                    Box::new(move |value| Check::Role {
                        rulebook: rb,
                        index,
                        name: name.clone(),
                        list: list.clone(),
                        element: 0,
                        value,
                    }),
                ))
            }
            MappedTarget::Tier(TierTarget::Index(idx), tier) => {
                let tiers = self.encoder.tiers(ctx, *idx)?;
                let lit = tiers.get(*tier as usize).copied().ok_or_else(|| Undecided("no such tier".to_owned()))?;
                let name =
                    ctx.rulebook.classifications.get(*idx as usize).map(|c| c.info.name.clone()).unwrap_or_default();
                let (index, tier) = (*idx, *tier);
                Ok((
                    lit,
                    Box::new(move |value| {
                        // A tier that holds is checked exactly; one that does not, by its absence.
                        if value {
                            Check::Tier { rulebook: rb, index, name: name.clone(), tier }
                        } else {
                            Check::Tier { rulebook: rb, index, name: name.clone(), tier: u32::MAX - tier }
                        }
                    }),
                ))
            }
            MappedTarget::Provision(decl) => {
                let found = (0..self.rulebooks.len()).find_map(|index| {
                    let book = self.book(index);
                    if book.file != decl.file {
                        return None;
                    }
                    match decl.kind {
                        ItemKind::Redline => book
                            .redlines
                            .iter()
                            .position(|redline| redline.info.name == decl.name)
                            .map(|position| (index, position, true)),
                        _ => book
                            .obligations
                            .iter()
                            .position(|obligation| obligation.info.name == decl.name)
                            .map(|position| (index, position, false)),
                    }
                });
                let Some((book_index, position, is_redline)) = found else {
                    return Err(Undecided(format!(
                        "`{}` is not a provision of the rulebooks being compared",
                        decl.name
                    )));
                };
                let ctx = self.ctx(book_index);
                let book = self.book(book_index);
                if is_redline {
                    let redline = book.redlines.get(position).ok_or_else(|| Undecided("no such redline".to_owned()))?;
                    let lit = self.encoder.redline_prohibits(ctx, redline)?;
                    Ok((
                        lit,
                        Box::new(move |value| Check::Redline {
                            rulebook: book_index,
                            index: position,
                            allowed: if value {
                                vec![RedlineOutcome::Prohibited]
                            } else {
                                vec![RedlineOutcome::NotProhibited, RedlineOutcome::Exempted]
                            },
                        }),
                    ))
                } else {
                    let obligation =
                        book.obligations.get(position).ok_or_else(|| Undecided("no such obligation".to_owned()))?;
                    let lit = self.encoder.obligation_applies(ctx, obligation)?;
                    Ok((
                        lit,
                        Box::new(move |value| Check::ObligationApplies {
                            rulebook: book_index,
                            index: position,
                            applies: value,
                        }),
                    ))
                }
            }
            MappedTarget::Variant(..) => {
                Err(Undecided("claims between enum values are checked by the checker only".to_owned()))
            }
            MappedTarget::Classification(_) => Err(Undecided(
                "claims between whole classifications are not decided yet; relate their tiers".to_owned(),
            )),
            _ => Err(Undecided("an unlinked declaration".to_owned())),
        }
    }

    /// The bands of each numeric fact on which the assumptions can hold, where that is not everywhere.
    fn bands(&mut self, assumptions: &[Lit], left: &str, right: &str, left_holds: bool) -> Vec<String> {
        #[allow(clippy::type_complexity)]
        let leaves: Vec<(Path, Vec<(Decimal, Lit, Lit)>)> = self
            .encoder
            .leaves
            .iter()
            .filter_map(|(path, leaf)| match leaf {
                Leaf::Ordered { thresholds, .. } if !thresholds.is_empty() => {
                    Some((path.clone(), thresholds.iter().map(|(c, (ge, gt))| (*c, *ge, *gt)).collect()))
                }
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for (path, cuts) in leaves {
            // Regions in order: below the first constant, each constant, between, above the last.
            // (literals, low end, high end, low end included, high end included)
            #[allow(clippy::type_complexity)]
            let mut regions: Vec<(String, Vec<Lit>, Option<Decimal>, Option<Decimal>, bool, bool)> = Vec::new();
            let Some(first) = cuts.first() else { continue };
            regions.push(("below".into(), vec![!first.1], None, Some(first.0), false, false));
            for (i, (c, ge, gt)) in cuts.iter().enumerate() {
                regions.push(("at".into(), vec![*ge, !*gt], Some(*c), Some(*c), true, true));
                match cuts.get(i + 1) {
                    Some((next, next_ge, _)) => {
                        regions.push(("between".into(), vec![*gt, !*next_ge], Some(*c), Some(*next), false, false))
                    }
                    None => regions.push(("above".into(), vec![*gt], Some(*c), None, false, false)),
                }
            }
            let possible: Vec<bool> = regions
                .iter()
                .map(|(_, lits, ..)| {
                    let mut all = assumptions.to_vec();
                    all.extend(lits.iter().copied());
                    self.encoder.solve(&all)
                })
                .collect();
            if possible.iter().all(|p| *p) || !possible.iter().any(|p| *p) {
                continue;
            }
            let ty = self.encoder.node_ty(&path).map(|(ty, _)| ty);
            let name = self.path_name(&path);
            // Merge contiguous possible regions into intervals.
            let mut start: Option<usize> = None;
            let mut intervals = Vec::new();
            for (i, p) in possible.iter().enumerate() {
                match (p, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        intervals.push((s, i - 1));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                intervals.push((s, possible.len() - 1));
            }
            for (s, e) in intervals {
                let (Some((_, _, low, _, low_closed, _)), Some((_, _, _, high, _, high_closed))) =
                    (regions.get(s), regions.get(e))
                else {
                    continue;
                };
                let mut text = String::new();
                if let Some(low) = low {
                    text.push_str(&format!(
                        "{} {} ",
                        self.show(ty.as_ref(), *low),
                        if *low_closed { "≤" } else { "<" }
                    ));
                }
                text.push_str(&name);
                if let Some(high) = high {
                    text.push_str(&format!(
                        " {} {}",
                        if *high_closed { "≤" } else { "<" },
                        self.show(ty.as_ref(), *high)
                    ));
                }
                let (yes, no) = if left_holds { (left, right) } else { (right, left) };
                out.push(format!("{text}: `{yes}` holds and `{no}` does not"));
            }
        }
        out
    }

    fn show(&self, ty: Option<&Ty>, value: Decimal) -> String {
        match ty {
            Some(Ty::Date) => {
                let days = i64::try_from(value).unwrap_or(0);
                jiff::Span::new()
                    .try_days(days)
                    .ok()
                    .and_then(|span| Date::constant(1970, 1, 1).checked_add(span).ok())
                    .map_or_else(|| value.to_string(), |date| date.to_string())
            }
            Some(Ty::Quantity(dim)) => {
                let unit = self.encoder.schema.dimension(*dim).map(|d| d.base_unit.clone()).unwrap_or_default();
                format!("{} {unit}", crate::num::format_decimal(&value))
            }
            _ => crate::num::format_decimal(&value),
        }
    }

    fn path_name(&self, path: &[Seg]) -> String {
        let mut out = "system".to_owned();
        let mut ty = self.encoder.schema.root.map(Ty::Record);
        if let [Seg::Sum(index)] = path {
            let Some(sum) = self.encoder.sums.get(*index as usize) else { return "a sum".to_owned() };
            return sum
                .terms
                .iter()
                .map(|(term, coefficient)| {
                    let name = self.path_name(term);
                    if *coefficient == Decimal::ONE {
                        name
                    } else {
                        format!("{} × {name}", crate::num::format_decimal(coefficient))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ");
        }
        for seg in path {
            match (seg, &ty) {
                (Seg::Field(slot), Some(Ty::Record(id))) => {
                    let field = self.encoder.schema.record(*id).and_then(|r| r.fields.get(*slot as usize));
                    out.push('.');
                    out.push_str(field.map_or("?", |f| f.name.as_str()));
                    ty = field.map(|f| f.ty.clone());
                }
                (Seg::Elem(index), Some(Ty::List(inner) | Ty::Set(inner))) => {
                    out.push_str(&format!("[{index}]"));
                    ty = Some((**inner).clone());
                }
                _ => out.push_str(".?"),
            }
        }
        out
    }

    /// Provisions of `x` (its redlines, or its obligations) that `y` has no counterpart for: systems
    /// `x`'s provision covers (prohibits, or applies to) for a built-in act where no provision of
    /// `y` of the same kind on that act, by a role the mapping relates to the provision's role,
    /// covers them. A provision of `y` that is not decided is listed as such, and the gaps it
    /// could close are not reported.
    fn gaps(&mut self, side: Side, x: usize, y: usize) {
        let cx = self.ctx(x);
        let (rx, ry) = (self.book(x), self.book(y));
        // Per act and role: the counterparts of `y`, and whether any of them covers a system
        // (one literal, so each question below has few assumptions). `None` if one is undecided.
        let mut covers: BTreeMap<(&str, Option<u32>), Option<Cover>> = BTreeMap::new();
        let count = match side {
            Side::Redline => rx.redlines.len(),
            Side::Obligation => rx.obligations.len(),
        };
        for index in 0..count {
            let (info, acts, role) = match side {
                Side::Redline => {
                    let Some(redline) = rx.redlines.get(index) else { continue };
                    (&redline.info, redline.acts.iter().map(String::as_str).collect::<Vec<_>>(), redline.by.as_ref())
                }
                Side::Obligation => {
                    let Some(obligation) = rx.obligations.get(index) else { continue };
                    let Some(act) = obligation.act.as_deref().filter(|act| is_shared_act(act)) else { continue };
                    (&obligation.info, vec![act], obligation.by.as_ref())
                }
            };
            if !self.in_force(x, info) {
                continue;
            }
            let provision = self.provision(x, side.kind(), info);
            let covered = match side {
                Side::Redline => rx.redlines.get(index).map(|redline| self.encoder.redline_prohibits(cx, redline)),
                Side::Obligation => {
                    rx.obligations.get(index).map(|obligation| self.encoder.obligation_applies(cx, obligation))
                }
            };
            let covered = match covered {
                Some(Ok(lit)) => lit,
                Some(Err(reason)) => {
                    self.undecided(provision, reason);
                    continue;
                }
                None => continue,
            };
            let role_id = role.and_then(|role| match role.term {
                TermTarget::Index(idx) => Some(idx),
                _ => None,
            });
            let mut assumptions = vec![covered];
            let mut counterparts: Vec<usize> = Vec::new();
            let mut other_roles: Vec<usize> = Vec::new();
            let mut undecided = false;
            for act in acts.iter().copied().filter(|act| is_shared_act(act)) {
                let cover = match covers.entry((act, role_id)) {
                    std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::btree_map::Entry::Vacant(entry) => {
                        entry.insert(self.cover(side, x, role, y, act))
                    }
                };
                match cover {
                    Some(cover) => {
                        assumptions.push(!cover.any);
                        counterparts.extend(cover.counterparts.iter().copied());
                        other_roles.extend(cover.other_roles.iter().copied());
                    }
                    _ => undecided = true,
                }
            }
            if undecided || !self.encoder.solve_minimal(&assumptions) {
                continue;
            }
            counterparts.sort_unstable();
            counterparts.dedup();
            other_roles.sort_unstable();
            other_roles.dedup();
            let mut checks = vec![match side {
                Side::Redline => Check::Redline { rulebook: x, index, allowed: vec![RedlineOutcome::Prohibited] },
                Side::Obligation => Check::ObligationApplies { rulebook: x, index, applies: true },
            }];
            match side {
                Side::Redline if !counterparts.is_empty() => {
                    checks.push(Check::NoneProhibits { rulebook: y, indices: counterparts.clone() })
                }
                Side::Redline => {}
                Side::Obligation => checks.extend(counterparts.iter().map(|other| Check::ObligationApplies {
                    rulebook: y,
                    index: *other,
                    applies: false,
                })),
            }
            let witness = self.witness(checks);
            let names = |indices: &[usize]| -> Vec<String> {
                indices
                    .iter()
                    .filter_map(|i| match side {
                        Side::Redline => ry.redlines.get(*i).map(|other| other.info.name.clone()),
                        Side::Obligation => ry.obligations.get(*i).map(|other| other.info.name.clone()),
                    })
                    .collect()
            };
            let acts = acts.join(", ");
            let mut message = match (side, counterparts.is_empty()) {
                (Side::Redline, true) => {
                    format!("`{}` ({}) prohibits {acts}; `{}` has no redline on these acts", info.name, rx.id, ry.id)
                }
                (Side::Redline, false) => format!(
                    "`{}` ({}) prohibits {acts} for systems that `{}` does not prohibit (its redlines on these acts: {})",
                    info.name,
                    rx.id,
                    ry.id,
                    name_list(&names(&counterparts))
                ),
                (Side::Obligation, true) => {
                    format!("`{}` ({}) requires {acts}; `{}` has no obligation on this act", info.name, rx.id, ry.id)
                }
                (Side::Obligation, false) => format!(
                    "`{}` ({}) requires {acts} of systems to which none of `{}`'s obligations on this act applies ({})",
                    info.name,
                    rx.id,
                    ry.id,
                    name_list(&names(&counterparts))
                ),
            };
            if let (Some(role), false) = (role, other_roles.is_empty()) {
                if counterparts.is_empty() {
                    message.push_str(&format!(" by `{}` or a role the mapping relates to it", role.name));
                }
                message.push_str(&format!(
                    " (by roles the mapping does not relate to `{}`: {})",
                    role.name,
                    name_list(&names(&other_roles))
                ));
            }
            self.push_gap(message, provision, witness);
        }
    }

    /// The provisions of `y` of one kind on `act` that may be counterparts of a provision of `x`
    /// by `role`: those in force whose role is the same declaration, or one a claim of the mapping
    /// relates to it (any relation but `disjoint`), and those where one side names no role.
    fn cover(&mut self, side: Side, x: usize, role: Option<&RoleTarget>, y: usize, act: &str) -> Option<Cover> {
        let cy = self.ctx(y);
        let ry = self.book(y);
        let count = match side {
            Side::Redline => ry.redlines.len(),
            Side::Obligation => ry.obligations.len(),
        };
        let mut counterparts = Vec::new();
        let mut other_roles = Vec::new();
        let mut lits = Vec::new();
        let mut decided = true;
        for other_index in 0..count {
            let (info, governs, other_role) = match side {
                Side::Redline => {
                    let Some(other) = ry.redlines.get(other_index) else { continue };
                    (&other.info, other.acts.iter().any(|a| a == act), other.by.as_ref())
                }
                Side::Obligation => {
                    let Some(other) = ry.obligations.get(other_index) else { continue };
                    (&other.info, other.act.as_deref() == Some(act), other.by.as_ref())
                }
            };
            if !governs || !self.in_force(y, info) {
                continue;
            }
            if !self.roles_related(x, role, y, other_role) {
                other_roles.push(other_index);
                continue;
            }
            let covered = match side {
                Side::Redline => ry.redlines.get(other_index).map(|other| self.encoder.redline_prohibits(cy, other)),
                Side::Obligation => {
                    ry.obligations.get(other_index).map(|other| self.encoder.obligation_applies(cy, other))
                }
            };
            match covered {
                Some(Ok(lit)) => {
                    counterparts.push(other_index);
                    lits.push(lit);
                }
                Some(Err(reason)) => {
                    let other_ref = self.provision(y, side.kind(), info);
                    self.undecided(other_ref, reason);
                    decided = false;
                }
                None => {}
            }
        }
        let any = self.encoder.or(&lits);
        decided.then_some(Cover { counterparts, other_roles, any })
    }

    /// A role's identity: its declaration's name and place (the same declaration imported into
    /// two rulebooks is one role; two declarations that share a name are not).
    fn role_id(&self, rb: usize, role: &RoleTarget) -> Option<RoleId> {
        let TermTarget::Index(idx) = role.term else { return None };
        self.book(rb).terms.get(idx as usize).map(|term| (term.info.name.clone(), term.info.location.clone()))
    }

    /// Whether provisions by these roles govern the same parties: either names no role, the roles
    /// are one declaration, or a claim of the mapping relates them.
    fn roles_related(&self, x: usize, a: Option<&RoleTarget>, y: usize, b: Option<&RoleTarget>) -> bool {
        let (Some(a), Some(b)) = (a, b) else { return true };
        let (Some(a), Some(b)) = (self.role_id(x, a), self.role_id(y, b)) else { return false };
        a == b || self.role_claims.iter().any(|(l, r)| (*l == a && *r == b) || (*l == b && *r == a))
    }

    /// Obligations of `x` and `y` that apply to a common system but can never both be met there:
    /// each can be met on some system both apply to, but no evidence meets both at once (what
    /// one requires of the description, the other rules out).
    fn incompatible(&mut self, x: usize, y: usize) {
        // Each decided obligation in force: (index, applies, applies and met, its deadline's scope
        // if it compares sums of facts).
        #[allow(clippy::type_complexity)]
        let mut sides: [Vec<(usize, Lit, Lit, Option<usize>, bool)>; 2] = [Vec::new(), Vec::new()];
        for (slot, rb) in [x, y].into_iter().enumerate() {
            let ctx = self.ctx(rb);
            for (index, obligation) in self.book(rb).obligations.iter().enumerate() {
                if !self.in_force(rb, &obligation.info) {
                    continue;
                }
                let scope = scope_of(rb, index);
                self.encoder.used_lists = false;
                let encoded = self.encoder.obligation_applies(ctx, obligation).and_then(|applies| {
                    let meeting = self.encoder.obligation_meeting(ctx, obligation, scope)?;
                    Ok((applies, meeting))
                });
                let Ok((applies, meeting)) = encoded else { continue };
                let both = self.encoder.and(&[applies, meeting.on_time]);
                if let Some(side) = sides.get_mut(slot) {
                    side.push((index, applies, both, meeting.sums.then_some(scope), self.encoder.used_lists));
                }
            }
        }
        let [left, right] = sides;
        let wanted: Vec<Lit> = right.iter().map(|(_, _, met, ..)| *met).collect();
        for (a, applies_a, met_a, scope_a, lists_a) in left {
            // The obligations of `y` that can be met together with this one on one system are
            // fine; the rest are asked one by one. The sums of deadlines are not realised in this
            // first question, so an obligation with such sums is asked again on its own.
            self.encoder.active_scopes.clear();
            let compatible = match self.encoder.largest_compatible(&[met_a], &wanted) {
                Some(compatible) => compatible,
                None => continue,
            };
            for (b, applies_b, met_b, scope_b, lists_b) in right.iter().copied() {
                let exact = scope_a.is_none() && scope_b.is_none();
                if compatible.contains(&met_b) && exact {
                    continue;
                }
                self.encoder.active_scopes = scope_a.into_iter().chain(scope_b).collect();
                let incompatible = !self.encoder.solve(&[met_a, met_b])
                    && self.encoder.solve(&[applies_a, applies_b])
                    && self.encoder.solve(&[applies_b, met_a])
                    && self.encoder.solve(&[applies_a, met_b]);
                let lists_up_to = (lists_a || lists_b).then_some(self.options.list_bound);
                if !incompatible || !self.encoder.solve_minimal(&[applies_a, applies_b]) {
                    continue;
                }
                let witness = self.witness(vec![
                    Check::ObligationApplies { rulebook: x, index: a, applies: true },
                    Check::ObligationApplies { rulebook: y, index: b, applies: true },
                ]);
                let (Some(oa), Some(ob)) = (self.book(x).obligations.get(a), self.book(y).obligations.get(b)) else {
                    continue;
                };
                self.push(Finding {
                    kind: "incompatible-requirements",
                    message: format!(
                        "`{}` ({}) and `{}` ({}) apply to a common system, but no system meets both: what the evidence of one requires, the other rules out{}",
                        oa.info.name,
                        self.book(x).id,
                        ob.info.name,
                        self.book(y).id,
                        endeavour_note(&[oa, ob])
                    ),
                    provisions: vec![
                        self.provision(x, "obligation", &oa.info),
                        self.provision(y, "obligation", &ob.info),
                    ],
                    relation: None,
                    claimed: None,
                    bands: Vec::new(),
                    witnesses: vec![witness],
                    lists_up_to,
                });
            }
        }
        self.encoder.active_scopes.clear();
    }

    /// Redlines of `x` that forbid an act an obligation of `y` requires, on a system both apply to,
    /// by roles that are counterparts (see [`Analyser::roles_related`]).
    fn conflicts(&mut self, x: usize, y: usize) {
        let (cx, cy) = (self.ctx(x), self.ctx(y));
        let (rx, ry) = (self.book(x), self.book(y));
        for (other_index, obligation) in ry.obligations.iter().enumerate() {
            let Some(act) = obligation.act.as_ref() else { continue };
            if !is_shared_act(act) || !self.in_force(y, &obligation.info) {
                continue;
            }
            let Ok(applies) = self.encoder.obligation_applies(cy, obligation) else { continue };
            // The redlines of `x` that forbid the act, with the literal of their prohibiting.
            let mut candidates: Vec<(usize, Lit)> = Vec::new();
            for (index, redline) in rx.redlines.iter().enumerate() {
                if !redline.acts.contains(act)
                    || !self.in_force(x, &redline.info)
                    || !self.roles_related(x, redline.by.as_ref(), y, obligation.by.as_ref())
                {
                    continue;
                }
                if let Ok(prohibited) = self.encoder.redline_prohibits(cx, redline) {
                    candidates.push((index, prohibited));
                }
            }
            // Group the conflicting redlines: each group shares one witness on which the
            // obligation applies and every redline of the group prohibits.
            while !candidates.is_empty() {
                let wanted: Vec<Lit> = candidates.iter().map(|(_, lit)| *lit).collect();
                let members: Vec<(usize, Lit)> = match self.encoder.largest_compatible(&[applies], &wanted) {
                    Some(group) if !group.is_empty() => {
                        let members = candidates.iter().copied().filter(|(_, lit)| group.contains(lit)).collect();
                        candidates.retain(|(_, lit)| !group.contains(lit));
                        members
                    }
                    // The obligation can never apply: nothing conflicts with it.
                    None => break,
                    // No group was found at once: try the first candidate alone.
                    Some(_) => {
                        let first = candidates.remove(0);
                        if !self.encoder.solve(&[applies, first.1]) {
                            continue;
                        }
                        vec![first]
                    }
                };
                let mut assumptions = vec![applies];
                assumptions.extend(members.iter().map(|(_, lit)| *lit));
                if !self.encoder.solve_minimal(&assumptions) {
                    continue;
                }
                let mut checks = vec![Check::ObligationApplies { rulebook: y, index: other_index, applies: true }];
                checks.extend(members.iter().map(|(index, _)| Check::Redline {
                    rulebook: x,
                    index: *index,
                    allowed: vec![RedlineOutcome::Prohibited],
                }));
                let witness = self.witness(checks);
                let names: Vec<String> = members
                    .iter()
                    .filter_map(|(index, _)| rx.redlines.get(*index))
                    .map(|redline| format!("`{}`", redline.info.name))
                    .collect();
                let mut provisions = vec![self.provision(y, "obligation", &obligation.info)];
                for (index, _) in &members {
                    if let Some(redline) = rx.redlines.get(*index) {
                        provisions.push(self.provision(x, "redline", &redline.info));
                    }
                }
                self.push(Finding {
                    kind: "conflict",
                    message: format!(
                        "`{}` ({}) requires {act}, which {} ({}) {} on a system both apply to",
                        obligation.info.name,
                        ry.id,
                        names.join(", "),
                        rx.id,
                        if names.len() == 1 { "forbids" } else { "forbid" }
                    ),
                    provisions,
                    relation: None,
                    claimed: None,
                    bands: Vec::new(),
                    witnesses: vec![witness],
                    lists_up_to: None,
                });
            }
        }
    }

    // ----- witnesses -----

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// A gap: one provision that the other rulebook does not match, shown on one witness.
    fn push_gap(&mut self, message: String, provision: ProvisionRef, witness: Witness) {
        self.push(Finding {
            kind: "gap",
            message,
            provisions: vec![provision],
            relation: None,
            claimed: None,
            bands: Vec::new(),
            witnesses: vec![witness],
            lists_up_to: None,
        });
    }

    /// The witness of the last model, replayed through the evaluator against `checks`.
    fn witness(&mut self, checks: Vec<Check>) -> Witness {
        let system = witness::build(&self.encoder);
        let facts = witness::facts(&self.encoder, &system);
        let loaded = crate::describe::from_json_value(self.encoder.schema, &system);
        let mut expectations = Vec::new();
        let mut replayed = true;
        match loaded {
            Err(errors) => {
                replayed = false;
                expectations.push(Expectation {
                    rulebook: String::new(),
                    target: "description".to_owned(),
                    expected: "valid against the schema".to_owned(),
                    actual: errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "),
                });
            }
            Ok(value) => {
                // Each rulebook is evaluated once per witness, however many checks read it.
                let mut verdicts = std::collections::BTreeMap::new();
                for check in checks {
                    let (expectation, ok) = self.replay(&value, &check, &mut verdicts);
                    replayed &= ok;
                    expectations.push(expectation);
                }
            }
        }
        Witness { system, facts, expectations, replayed }
    }

    fn replay(
        &self,
        system: &Value,
        check: &Check,
        cache: &mut std::collections::BTreeMap<usize, crate::eval::verdict::RulebookVerdicts>,
    ) -> (Expectation, bool) {
        let as_of = self.options.as_of;
        if let Check::Redline { rulebook, .. }
        | Check::ObligationApplies { rulebook, .. }
        | Check::ObligationVerdict { rulebook, .. }
        | Check::NoneProhibits { rulebook, .. } = check
            && !cache.contains_key(rulebook)
        {
            cache.insert(*rulebook, evaluate(self.book(*rulebook), system, as_of, EvalOptions { explain: false }));
        }
        let evaluated = |rulebook: usize| cache.get(&rulebook);
        match check {
            Check::Redline { rulebook, index, allowed } => {
                let compiled = self.book(*rulebook);
                let actual = evaluated(*rulebook).and_then(|v| v.redlines.get(*index)).map(|v| v.verdict);
                let name = compiled.redlines.get(*index).map(|r| r.info.name.clone()).unwrap_or_default();
                let ok = actual.is_some_and(|actual| allowed.contains(&actual));
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: name,
                        expected: allowed.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(" or "),
                        actual: actual.map_or("missing", |a| a.as_str()).to_owned(),
                    },
                    ok,
                )
            }
            Check::NoneProhibits { rulebook, indices } => {
                let compiled = self.book(*rulebook);
                let prohibiting: Vec<String> = indices
                    .iter()
                    .filter_map(|index| evaluated(*rulebook).and_then(|v| v.redlines.get(*index)))
                    .filter(|verdict| verdict.verdict == RedlineOutcome::Prohibited)
                    .map(|verdict| verdict.redline.clone())
                    .collect();
                let names: Vec<String> =
                    indices.iter().filter_map(|i| compiled.redlines.get(*i)).map(|r| r.info.name.clone()).collect();
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: format!("its redlines on these acts: {}", name_list(&names)),
                        expected: "none prohibits".to_owned(),
                        actual: if prohibiting.is_empty() {
                            "none prohibits".to_owned()
                        } else {
                            format!("{} prohibits", name_list(&prohibiting))
                        },
                    },
                    prohibiting.is_empty(),
                )
            }
            Check::ObligationApplies { rulebook, index, applies } => {
                let compiled = self.book(*rulebook);
                let verdict = evaluated(*rulebook).and_then(|v| v.obligations.get(*index));
                let actual = verdict.map(|v| v.verdict);
                let name = compiled.obligations.get(*index).map(|o| o.info.name.clone()).unwrap_or_default();
                // A duty due "immediately" whose delay needs judgement, or a duty to endeavour
                // whose efforts do, applies, though it is undetermined: no fact is missing.
                let obligation = compiled.obligations.get(*index);
                let immediately = obligation.is_some_and(|o| matches!(o.due, IrDue::Immediately { .. }));
                let endeavour = obligation.is_some_and(|o| o.endeavour);
                let applied = verdict.is_some_and(|verdict| match verdict.verdict {
                    ObligationOutcome::Satisfied | ObligationOutcome::Violated | ObligationOutcome::Pending => true,
                    ObligationOutcome::Undetermined => {
                        (immediately || endeavour) && verdict.basis.missing_facts.is_empty()
                    }
                    _ => false,
                });
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: name,
                        expected: match (*applies, immediately, endeavour) {
                            (true, _, true) => "applies (satisfied, pending, or undetermined by judgement)",
                            (true, false, false) => "applies (satisfied, violated or pending)",
                            (true, true, false) => {
                                "applies (satisfied, violated, pending, or undetermined by judgement)"
                            }
                            (false, ..) => "not_applicable",
                        }
                        .to_owned(),
                        actual: actual.map_or("missing", |a| a.as_str()).to_owned(),
                    },
                    applied == *applies,
                )
            }
            Check::ObligationVerdict { rulebook, index, allowed } => {
                let compiled = self.book(*rulebook);
                let actual = evaluated(*rulebook).and_then(|v| v.obligations.get(*index)).map(|v| v.verdict);
                let name = compiled.obligations.get(*index).map(|o| o.info.name.clone()).unwrap_or_default();
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: name,
                        expected: allowed.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(" or "),
                        actual: actual.map_or("missing", |a| a.as_str()).to_owned(),
                    },
                    actual.is_some_and(|actual| allowed.contains(&actual)),
                )
            }
            Check::Term { rulebook, index, name, value } => {
                let compiled = self.book(*rulebook);
                let actual = evaluate_term_at(compiled, system, as_of, *index, &[]);
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: name.clone(),
                        expected: value.to_string(),
                        actual: tri(actual),
                    },
                    actual == if *value { Tri::True } else { Tri::False },
                )
            }
            Check::Role { rulebook, index, name, list, element, value } => {
                let compiled = self.book(*rulebook);
                let mut party_path = list.clone();
                party_path.push(Seg::Elem(*element));
                let actual = match value_at(system, &party_path) {
                    Some(party) => evaluate_term_at(compiled, system, as_of, *index, std::slice::from_ref(party)),
                    // No such party: nobody holds the role.
                    None => Tri::False,
                };
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: format!("{name}({})", self.path_name(&party_path)),
                        expected: value.to_string(),
                        actual: tri(actual),
                    },
                    actual == if *value { Tri::True } else { Tri::False },
                )
            }
            Check::Tier { rulebook, index, name, tier } => {
                let compiled = self.book(*rulebook);
                let actual = evaluate_tier(compiled, system, as_of, *index);
                let tiers = compiled
                    .classifications
                    .get(*index as usize)
                    .and_then(|c| self.encoder.schema.enum_def(c.tiers))
                    .map(|def| def.variants.clone())
                    .unwrap_or_default();
                let tier_name = |t: u32| tiers.get(t as usize).cloned().unwrap_or_else(|| "?".to_owned());
                // `u32::MAX - t` encodes "any tier but t".
                let (expected, ok) = if *tier > u32::MAX / 2 {
                    let not = u32::MAX - *tier;
                    (format!("not {}", tier_name(not)), actual.is_some_and(|a| a != not))
                } else {
                    (tier_name(*tier), actual == Some(*tier))
                };
                (
                    Expectation {
                        rulebook: compiled.id.clone(),
                        target: name.clone(),
                        expected,
                        actual: actual.map_or_else(|| "undecided".to_owned(), tier_name),
                    },
                    ok,
                )
            }
        }
    }
}

/// The scope of the sums of obligation `index` of rulebook `rb` (see [`encode::Encoder::active_scopes`]).
fn scope_of(rb: usize, index: usize) -> usize {
    rb.saturating_mul(1 << 20).saturating_add(index)
}

/// The shortest and longest time a deadline can allow, in seconds (months run 28 to 31 days).
fn due_range(due: &IrDue) -> Option<(i64, i64)> {
    const DAY: i64 = 86_400;
    match due {
        IrDue::WithinDays { days, .. } => Some((days * DAY, days * DAY)),
        IrDue::WithinSeconds { seconds, .. } => Some((*seconds, *seconds)),
        IrDue::WithinMonths { months, .. } => Some((months * 28 * DAY, months * 31 * DAY)),
        _ => None,
    }
}

/// Which of two clocks is shorter, when their lengths decide it (months against days can be
/// longer or shorter depending on the month: not decided).
fn clock_ordering(left: &IrDue, right: &IrDue) -> Option<std::cmp::Ordering> {
    let (left, right) = (due_range(left)?, due_range(right)?);
    if left.1 < right.0 {
        Some(std::cmp::Ordering::Less)
    } else if right.1 < left.0 {
        Some(std::cmp::Ordering::Greater)
    } else if left == right {
        Some(std::cmp::Ordering::Equal)
    } else {
        None
    }
}

/// What a finding adds when a duty it names is a duty to endeavour (`endeavour`): such a duty is
/// never `violated`, so missing it leaves the efforts made to judgement.
fn endeavour_note(obligations: &[&IrObligation]) -> String {
    let names: Vec<String> = obligations
        .iter()
        .filter(|obligation| obligation.endeavour)
        .map(|obligation| format!("`{}`", obligation.info.name))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!(
            " ({one} is a duty to endeavour: missing it is never `violated`; whether the efforts were made needs judgement)"
        ),
        _ => format!(
            " ({} are duties to endeavour: missing them is never `violated`; whether the efforts were made needs judgement)",
            names.join(" and ")
        ),
    }
}

fn due_text(due: &IrDue) -> String {
    match due {
        IrDue::WithinDays { text, .. } | IrDue::WithinMonths { text, .. } | IrDue::WithinSeconds { text, .. } => {
            text.clone()
        }
        IrDue::ByDate { text, inclusive, .. } => format!("{} {text}", if *inclusive { "by" } else { "before" }),
        IrDue::Every { text, .. } | IrDue::Immediately { text, .. } => text.clone(),
        IrDue::WithoutUndueDelay => "without undue delay".to_owned(),
        IrDue::Standing => "at all times".to_owned(),
    }
}

fn tri(value: Tri) -> String {
    value.as_str().to_owned()
}

fn value_at<'v>(value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut current = value;
    for seg in path {
        current = match (seg, current) {
            (Seg::Field(slot), Value::Record(fields)) => fields.get(*slot as usize)?,
            (Seg::Elem(index), Value::List(items) | Value::Set(items)) => items.get(*index as usize)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The built-in acts, which mean the same in every rulebook; an act a rulebook declares is its own.
const SHARED_ACTS: [&str; 3] = ["placing_on_market", "putting_into_service", "use"];

fn is_shared_act(act: &str) -> bool {
    SHARED_ACTS.contains(&act)
}

/// Names in backticks, the first five and a count of the rest.
fn name_list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|name| format!("`{name}`")).collect();
    match names.len().saturating_sub(5) {
        0 => shown.join(", "),
        rest => format!("{} and {rest} more", shown.join(", ")),
    }
}

fn relation_phrase(relation: Relation) -> &'static str {
    relation.phrase()
}
