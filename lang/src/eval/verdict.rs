//! Verdicts: what evaluation says of one system under one rulebook, as plain Rust types that
//! serialize to the documented JSON shape (`docs/output.md`). Field order is the output order.

use jiff::civil::Date;
use serde::Serialize;

use crate::ir::{CitationInfo, SourceLocation};

/// The verdict of a redline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedlineOutcome {
    Prohibited,
    Exempted,
    NotProhibited,
    NotInForce,
    Undetermined,
}

/// The verdict of an obligation, per triggering instance and in aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationOutcome {
    Satisfied,
    Violated,
    Pending,
    NotApplicable,
    NotInForce,
    Undetermined,
}

impl RedlineOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RedlineOutcome::Prohibited => "prohibited",
            RedlineOutcome::Exempted => "exempted",
            RedlineOutcome::NotProhibited => "not_prohibited",
            RedlineOutcome::NotInForce => "not_in_force",
            RedlineOutcome::Undetermined => "undetermined",
        }
    }
}

impl ObligationOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationOutcome::Satisfied => "satisfied",
            ObligationOutcome::Violated => "violated",
            ObligationOutcome::Pending => "pending",
            ObligationOutcome::NotApplicable => "not_applicable",
            ObligationOutcome::NotInForce => "not_in_force",
            ObligationOutcome::Undetermined => "undetermined",
        }
    }
}

/// An `unsure` mark of a declaration a verdict depends on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UnsureMark {
    pub declaration: String,
    pub reason: String,
}

/// A fact of the description that a verdict read, and its value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FactUsed {
    pub path: String,
    pub value: String,
}

/// Who holds the role a provision names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RoleHolders {
    pub role: String,
    /// The parties known to hold the role (by their `name` or `id`, else their path).
    pub parties: Vec<String>,
    /// Parties that may hold it, for lack of facts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possibly: Vec<String>,
}

/// What every verdict carries: the law it applies and why it came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Basis {
    pub citations: Vec<CitationInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// The facts that would decide an undetermined verdict, as JSON paths; sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_facts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsure: Vec<UnsureMark>,
    /// Reasons in prose, in the order they were found (only when explanations were asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts_used: Vec<FactUsed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RedlineVerdict {
    pub redline: String,
    pub verdict: RedlineOutcome,
    /// For an undetermined verdict, the verdicts still possible.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possible: Vec<RedlineOutcome>,
    /// The exception that lifted the prohibition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    pub acts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<RoleHolders>,
    #[serde(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ClassificationVerdict {
    pub classification: String,
    /// The tier, when it is decided.
    pub tier: Option<String>,
    /// The tiers still possible, when it is not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possible: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_in_force: bool,
    #[serde(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InstanceVerdict {
    /// The triggering event, as a path (`$.incidents[0]`), or `$` for the system itself; for a
    /// recurring duty, the path and the period (`$ period 2 (2026-04-16 to 2026-07-15)`).
    pub instance: String,
    pub verdict: ObligationOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The evidence that met (or missed) the deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_facts: Vec<String>,
    /// An instance of a duty to endeavour (`endeavour`) that an ordinary duty would find
    /// `violated`, left `undetermined` for judgement of the efforts made. Not in the JSON output,
    /// whose explanation says it.
    #[serde(skip)]
    pub needs_judgement_of_efforts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ObligationVerdict {
    pub obligation: String,
    pub verdict: ObligationOutcome,
    /// The exception that lifted the obligation (its verdict is then `not_applicable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// The earliest due date among instances still pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owed_by: Option<RoleHolders>,
    pub instances: Vec<InstanceVerdict>,
    #[serde(flatten)]
    pub basis: Basis,
}

/// Everything one rulebook says about one system, as of one date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RulebookVerdicts {
    pub rulebook: String,
    pub as_of: Date,
    /// False when the rulebook as a whole is not in force on `as_of`.
    pub in_force: bool,
    pub redlines: Vec<RedlineVerdict>,
    pub classifications: Vec<ClassificationVerdict>,
    pub obligations: Vec<ObligationVerdict>,
}
