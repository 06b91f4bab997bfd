//! The report for a reader in a terminal: each finding, the provisions it names with their source
//! shown by ariadne (both rulebooks' spans in one snippet when a finding spans two), the bands,
//! and each witness with what the evaluator said of it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ariadne::{Config, IndexType, Label, Report as Snippet, ReportKind};

use super::{Finding, ProvisionRef, Report};

/// The text report. `sources` maps a file as the report names it to its text (a provision whose
/// file is not among them is listed without a snippet); the output uses no colour, so the same
/// inputs give the same bytes.
pub fn render_text(report: &Report, sources: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "analysis of {} as of {}", report.rulebooks.join(", "), report.as_of);
    for finding in &report.findings {
        render_finding(&mut out, finding, sources);
    }
    if !report.undecided.is_empty() {
        let _ = writeln!(out, "\nnot decided ({}):", report.undecided.len());
        for item in &report.undecided {
            let _ = writeln!(
                out,
                "  {} `{}` ({}): {}",
                item.provision.kind, item.provision.name, item.provision.rulebook, item.reason
            );
        }
    }
    let _ =
        writeln!(out, "\n{} finding(s), {} provision(s) not decided", report.findings.len(), report.undecided.len());
    out
}

fn render_finding(out: &mut String, finding: &Finding, sources: &BTreeMap<String, String>) {
    let _ = writeln!(out, "\n{}: {}", finding.kind, finding.message);
    for provision in &finding.provisions {
        let location = provision
            .location
            .as_ref()
            .map(|loc| format!(" at {}:{}:{}", loc.file, loc.line, loc.column))
            .unwrap_or_default();
        let cites = provision.citations.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("; ");
        let cites = if cites.is_empty() { String::new() } else { format!(" [{cites}]") };
        let _ = writeln!(out, "  - {} `{}` of {}{location}{cites}", provision.kind, provision.name, provision.rulebook);
    }
    out.push_str(&snippet(finding, sources));
    for band in &finding.bands {
        let _ = writeln!(out, "  band: {band}");
    }
    if let Some(bound) = finding.lists_up_to {
        let _ = writeln!(out, "  proved for descriptions with up to {bound} entries in each list");
    }
    for witness in &finding.witnesses {
        let _ =
            writeln!(out, "  witness (the facts the conditions read; `--format json` gives the whole description):");
        for (path, value) in &witness.facts {
            let _ = writeln!(out, "    {path}: {}", serde_json::to_string(value).unwrap_or_default());
        }
        for expectation in &witness.expectations {
            let mark =
                if expectation.expected.contains(&expectation.actual) || expectation.actual == expectation.expected {
                    "ok"
                } else {
                    "MISMATCH"
                };
            let _ = writeln!(
                out,
                "    => {} `{}`: expected {}, evaluator says {} ({mark})",
                expectation.rulebook, expectation.target, expectation.expected, expectation.actual
            );
        }
        if !witness.replayed {
            let _ =
                writeln!(out, "    the witness does not reproduce the finding: this is a bug in concord's analyser");
        }
    }
}

/// The source of every provision the finding names whose file is known, as one ariadne snippet
/// with a label per provision (its kind and rulebook), indented under the finding.
fn snippet(finding: &Finding, sources: &BTreeMap<String, String>) -> String {
    let labels: Vec<(String, std::ops::Range<usize>, String)> = finding
        .provisions
        .iter()
        .filter_map(|provision| {
            let location = provision.location.as_ref()?;
            let text = sources.get(&location.file)?;
            let range = name_range(text, location.line, location.column)?;
            Some((location.file.clone(), range, label_text(provision)))
        })
        .collect();
    // One snippet per file, in the order the finding names them, each with its own header.
    let mut files: Vec<&str> = Vec::new();
    for (file, ..) in &labels {
        if !files.contains(&file.as_str()) {
            files.push(file);
        }
    }
    let mut out = String::new();
    for file in files {
        let Some(text) = sources.get(file) else { continue };
        let mine: Vec<&(String, std::ops::Range<usize>, String)> =
            labels.iter().filter(|(other, ..)| other == file).collect();
        let Some((_, range, _)) = mine.first() else { continue };
        let id = file.to_owned();
        let mut report =
            Snippet::build(ReportKind::Custom(finding.kind, ariadne::Color::Primary), (id.clone(), range.clone()))
                .with_config(Config::default().with_color(false).with_index_type(IndexType::Byte));
        for (order, (_, range, message)) in mine.iter().enumerate() {
            report = report.with_label(
                Label::new((id.clone(), range.clone()))
                    .with_message(message)
                    .with_order(i32::try_from(order).unwrap_or(0)),
            );
        }
        let mut bytes = Vec::new();
        if report.finish().write(ariadne::sources([(id.clone(), text.as_str())]), &mut bytes).is_err() {
            continue;
        }
        // The snippet's first line repeats the kind, which the finding's heading already gives.
        for line in String::from_utf8_lossy(&bytes).lines().skip(1) {
            let _ = writeln!(out, "    {}", line.trim_end());
        }
    }
    out
}

fn label_text(provision: &ProvisionRef) -> String {
    format!("{} `{}` of {}", provision.kind, provision.name, provision.rulebook)
}

/// The bytes of the name written at `line:column` (1-based, the column counted in characters):
/// the identifier that starts there, or one character.
fn name_range(text: &str, line: u32, column: u32) -> Option<std::ops::Range<usize>> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(usize::try_from(line).ok()?.checked_sub(2)?).map(|(index, _)| index + 1)?
    };
    let rest = text.get(line_start..)?;
    let (offset, _) = rest.char_indices().nth(usize::try_from(column).ok()?.checked_sub(1)?)?;
    let start = line_start + offset;
    let name = text.get(start..)?;
    let mut length: usize = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
    if length == 0 {
        // Not a name (a claim, located at its first line): the rest of the line.
        length = name.find('\n').unwrap_or(name.len()).max(1);
    }
    let end = (start + length).min(text.len());
    Some(start..end)
}
