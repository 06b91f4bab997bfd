//! The kinds of finding the analyser reports, with the severity every report format gives them.

use serde::Serialize;

/// How much a finding matters to someone maintaining or negotiating the rulebooks.
///
/// The names and meanings are SARIF's result levels: an `error` is a contradiction that some
/// system runs into (a claim the definitions refute, an act one rulebook forbids and the other
/// requires); a `warning` is a provision that does not do what it seems to, or a difference
/// between the rulebooks that a reader should weigh; a `note` is harmless but worth tidying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One kind of finding: its id (the `kind` of a [`super::Finding`]), a title and a one-line
/// description, its severity, and the section of `docs/analysis.md` that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingKind {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub severity: Severity,
    /// `true` for the kinds `concord conflicts` reports, `false` for those of `concord analyze`.
    pub across: bool,
}

/// Every kind of finding, in the order the documentation lists them.
pub const FINDING_KINDS: &[FindingKind] = &[
    FindingKind {
        id: "dead-redline",
        title: "Dead redline",
        description: "No system is ever prohibited: the condition is contradictory, or an exception covers every system that triggers it.",
        severity: Severity::Warning,
        across: false,
    },
    FindingKind {
        id: "exception-never-applies",
        title: "Exception never applies",
        description: "No system triggers the provision the exception qualifies and meets the exception's condition, or the exception is in force on no date on which that provision is.",
        severity: Severity::Warning,
        across: false,
    },
    FindingKind {
        id: "redundant-redline",
        title: "Redundant redline",
        description: "Every system the redline prohibits, another redline on the same acts and role prohibits too.",
        severity: Severity::Note,
        across: false,
    },
    FindingKind {
        id: "dead-obligation",
        title: "Dead obligation",
        description: "No system meets the obligation's condition, role and trigger.",
        severity: Severity::Warning,
        across: false,
    },
    FindingKind {
        id: "unmeetable-obligation",
        title: "Obligation that can never be met",
        description: "The obligation applies to some system, but on none it applies to can evidence it accepts exist, or be dated by its deadline.",
        severity: Severity::Warning,
        across: false,
    },
    FindingKind {
        id: "unreachable-branch",
        title: "Unreachable branch",
        description: "Earlier branches of the classification already classify every system the branch covers, or the branch is in force on no date on which its classification is.",
        severity: Severity::Note,
        across: false,
    },
    FindingKind {
        id: "divergence",
        title: "Divergence",
        description: "A mapping claim holds but its two sides are not equivalent; the bands of numeric facts on which they disagree are given.",
        severity: Severity::Warning,
        across: true,
    },
    FindingKind {
        id: "wrong-claim",
        title: "Wrong claim",
        description: "The definitions do not bear out a claim of the mapping; the relation they do bear out is given.",
        severity: Severity::Error,
        across: true,
    },
    FindingKind {
        id: "gap",
        title: "Gap",
        description: "A redline (or obligation) of one rulebook covers systems that no redline (or obligation) of the other on the same acts covers.",
        severity: Severity::Warning,
        across: true,
    },
    FindingKind {
        id: "deadline",
        title: "Stricter deadline",
        description: "Two obligations a mapping claim relates are due after different lengths of time from their events.",
        severity: Severity::Warning,
        across: true,
    },
    FindingKind {
        id: "conflict",
        title: "Conflict",
        description: "A redline of one rulebook forbids an act that an obligation of the other requires, on a system both apply to.",
        severity: Severity::Error,
        across: true,
    },
    FindingKind {
        id: "incompatible-requirements",
        title: "Requirements that cannot both be met",
        description: "Two obligations, one of each rulebook, apply to a common system, but no system meets both: what the evidence of one requires, the other rules out.",
        severity: Severity::Error,
        across: true,
    },
];

/// The kind with this id.
pub fn finding_kind(id: &str) -> Option<&'static FindingKind> {
    FINDING_KINDS.iter().find(|kind| kind.id == id)
}

/// The severity of a finding of this kind (`warning` for a kind this version does not know).
pub fn severity(id: &str) -> Severity {
    finding_kind(id).map_or(Severity::Warning, |kind| kind.severity)
}
