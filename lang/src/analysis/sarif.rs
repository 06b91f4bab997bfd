//! The analysis report as a SARIF 2.1.0 log, for code-scanning tools and editors.
//!
//! The log has one run whose tool is `concord`, with one rule per kind of finding
//! ([`super::kinds::FINDING_KINDS`]) and one result per finding:
//!
//! - `ruleId` is the finding's kind, `level` its [`Severity`], `message.text` its message;
//! - `locations` has one entry per provision the finding names: the file and line/column where the
//!   provision is declared (when the report knows it) and a logical location
//!   `rulebook.provision` of the provision's kind, with its citations in `properties`;
//! - `properties` carries what SARIF has no place for: `relation` and `claimed` of a claim, the
//!   disagreement `bands`, `listsUpTo` of a proof over lists, and the `witnesses` (each with its
//!   `system`, the `expectations` on the evaluator and whether it `replayed`).
//!
//! Provisions the analyser could not decide are tool execution notifications (level `note`) of the
//! run's invocation, not results; the invocation is successful unless some witness did not
//! reproduce. The run's `properties` give the analysis date and the rulebooks.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::kinds::{FINDING_KINDS, Severity, severity};
use super::{Finding, ProvisionRef, Report};

/// The SARIF 2.1.0 schema's canonical address, for the log's `$schema`.
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where each rule's `helpUri` points: the findings section of `docs/analysis.md` in the
/// project's repository (the workspace's `repository` in `Cargo.toml`).
pub const HELP_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/analysis.md#what-it-finds");

// `helpUri` and `informationUri` must be absolute URIs: the package must name its repository.
const _: () = assert!(!env!("CARGO_PKG_REPOSITORY").is_empty(), "set `repository` in lang/Cargo.toml");

/// The report as a SARIF log.
pub fn to_sarif(report: &Report) -> Sarif {
    let rules: Vec<ReportingDescriptor> = FINDING_KINDS
        .iter()
        .map(|kind| {
            ReportingDescriptor::builder()
                .id(kind.id)
                .name(kind.title.replace(' ', ""))
                .short_description(MultiformatMessageString::builder().text(kind.title).build())
                .full_description(MultiformatMessageString::builder().text(kind.description).build())
                .help_uri(HELP_URI)
                .default_configuration(ReportingConfiguration {
                    level: Some(json!(kind.severity.as_str())),
                    ..ReportingConfiguration::default()
                })
                .properties(properties([("scope", json!(if kind.across { "conflicts" } else { "analyze" }))]))
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("concord")
        .full_name("Concord consistency analysis")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let results: Vec<SarifResult> = report.findings.iter().map(result).collect();
    let notifications: Vec<Notification> = report
        .undecided
        .iter()
        .map(|item| {
            Notification::builder()
                .level(json!("note"))
                .message(text(format!(
                    "{} `{}` of {} was not decided: {}",
                    item.provision.kind, item.provision.name, item.provision.rulebook, item.reason
                )))
                .locations(vec![location(&item.provision)])
                .descriptor(ReportingDescriptorReference { id: Some("undecided".to_owned()), ..Default::default() })
                .build()
        })
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(report.unreplayed().next().is_none())
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .properties(properties([
            ("asOf", json!(report.as_of.to_string())),
            ("rulebooks", json!(report.rulebooks)),
            ("reportSchemaVersion", json!(report.schema_version)),
        ]))
        .build();
    Sarif::builder().schema(SARIF_SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build()
}

/// The report as SARIF JSON text (pretty, ending with a newline).
pub fn render_sarif(report: &Report) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(&to_sarif(report))?;
    text.push('\n');
    Ok(text)
}

fn result(finding: &Finding) -> SarifResult {
    let level = match severity(finding.kind) {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    };
    let mut extra = Vec::new();
    if let Some(relation) = finding.relation {
        extra.push(("relation", json!(relation)));
    }
    if let Some(claimed) = finding.claimed {
        extra.push(("claimed", json!(claimed)));
    }
    if !finding.bands.is_empty() {
        extra.push(("bands", json!(finding.bands)));
    }
    if let Some(bound) = finding.lists_up_to {
        extra.push(("listsUpTo", json!(bound)));
    }
    if !finding.witnesses.is_empty() {
        extra.push(("witnesses", json!(finding.witnesses)));
    }
    let rule_index = FINDING_KINDS.iter().position(|kind| kind.id == finding.kind).and_then(|i| i64::try_from(i).ok());
    let mut result = SarifResult::builder()
        .message(text(finding.message.clone()))
        .rule_id(finding.kind)
        .level(level)
        .locations(finding.provisions.iter().map(location).collect::<Vec<_>>())
        .properties(properties(extra))
        .build();
    result.rule_index = rule_index;
    result
}

/// Where a provision is declared, physically (file, line, column) when known and logically
/// (`rulebook.name`, of the provision's kind) always.
fn location(provision: &ProvisionRef) -> Location {
    let physical = provision.location.as_ref().map(|loc| {
        PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(uri_reference(&loc.file)).build())
            .region(
                Region::builder()
                    .start_line(i64::from(loc.line.max(1)))
                    .start_column(i64::from(loc.column.max(1)))
                    .build(),
            )
            .build()
    });
    let logical = LogicalLocation::builder()
        .name(provision.name.clone())
        .fully_qualified_name(format!("{}.{}", provision.rulebook, provision.name))
        .kind(provision.kind)
        .build();
    let mut extra = vec![("rulebook", json!(provision.rulebook))];
    if !provision.citations.is_empty() {
        extra.push(("citations", json!(provision.citations)));
    }
    Location {
        physical_location: physical,
        logical_locations: Some(vec![logical]),
        message: Some(text(format!("{} `{}` of {}", provision.kind, provision.name, provision.rulebook))),
        properties: Some(properties(extra)),
        ..Location::default()
    }
}

fn text(text: String) -> Message {
    Message { text: Some(text), ..Message::default() }
}

fn properties<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> PropertyBag {
    let additional_properties: BTreeMap<String, Value> =
        entries.into_iter().map(|(key, value)| (key.to_owned(), value)).collect();
    PropertyBag { tags: None, additional_properties }
}

/// A file path as a URI reference: the path as reported, with the characters a URI cannot
/// hold percent-encoded (spaces, `%`, `#`, `?`, backslashes, non-ASCII, …).
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    // A colon in the first segment would read as a scheme (`C:\rules` as scheme `C`).
    if path.split('/').next().is_some_and(|first| first.contains(':')) {
        out.push_str("./");
    }
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri_reference;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("std/eu_ai_act.concord"), "std/eu_ai_act.concord");
        assert_eq!(uri_reference("my rules/ü#1.concord"), "my%20rules/%C3%BC%231.concord");
        assert_eq!(uri_reference("C:\\rules\\a.concord"), "./C:%5Crules%5Ca.concord");
    }
}
