//! The versioned JSON output of `concord eval` (documented in `docs/output.md`).
//!
//! `SCHEMA_VERSION` changes whenever a field is renamed, removed or changes meaning; adding an
//! optional field does not change it.

use jiff::civil::Date;
use serde::Serialize;

use crate::describe::DescriptionError;
use crate::engine::Rulebook;
use crate::eval::verdict::RulebookVerdicts;

pub const SCHEMA_VERSION: u32 = 1;

/// Which rulebook produced verdicts: its id, version and the hash of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulebookInfo {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    pub content_hash: String,
}

impl RulebookInfo {
    pub fn of(rulebook: &Rulebook) -> RulebookInfo {
        let compiled = rulebook.compiled();
        RulebookInfo {
            id: compiled.id.clone(),
            title: compiled.title.clone(),
            version: compiled.version.clone(),
            jurisdiction: compiled.jurisdiction.clone(),
            content_hash: compiled.content_hash.clone(),
        }
    }
}

/// The result for one description: verdicts under each rulebook, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DescriptionResult {
    /// The file, or `<stdin>:LINE` for a JSONL record.
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<RulebookVerdicts>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<DescriptionError>,
}

/// The whole output of `concord eval --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationReport {
    pub schema_version: u32,
    pub as_of: Date,
    pub rulebooks: Vec<RulebookInfo>,
    pub descriptions: Vec<DescriptionResult>,
}

/// One line of `concord eval --format jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationLine<'a> {
    pub schema_version: u32,
    pub as_of: Date,
    pub rulebooks: &'a [RulebookInfo],
    #[serde(flatten)]
    pub result: &'a DescriptionResult,
}
