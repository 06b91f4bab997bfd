//! The analysis report as one self-contained HTML page, for a reader with a browser: a header
//! (the rulebooks, the analysis date, counts), a matrix of the provisions the findings name (for
//! two rulebooks: rows are the first rulebook's provisions, columns the second's, each cell links
//! to the findings between them), every finding as an expandable section with its message, its
//! provisions and their citations, the disagreement bands, and each witness (pretty JSON) with the
//! evaluator's answers, and the provisions that were not decided.
//!
//! The page has no external assets (inline CSS, a few lines of inline JavaScript that open a
//! finding when a link targets it; without JavaScript the `<details>` elements still work). All
//! text is escaped by [`maud`]. The same report gives the same bytes.
//!
//! Stable hooks for tools and tests: `#matrix`, `#findings`, `#undecided`; each finding is
//! `details.finding#finding-N` (N from 1, in report order) with `data-kind` and `data-severity`;
//! its witnesses are `pre.witness#finding-N-witness-M`; matrix cells are `td.cell` with
//! `a.finding-link` elements.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::kinds::{FINDING_KINDS, Severity, finding_kind, severity};
use super::{Expectation, Finding, ProvisionRef, Report, Witness};

const STYLE: &str = r#"
:root { --error: #b3261e; --warning: #8a5a00; --note: #35618f; --line: #d0d4da; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2125; background: #fff; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.25rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88em; }
.badge { display: inline-block; padding: 0 .45em; border-radius: .3em; font-size: .8em; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); } .badge.note { background: var(--note); }
.counts span { margin-right: .8rem; }
.alert { border: 1px solid var(--error); color: var(--error); padding: .5rem .75rem; border-radius: .3rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .3rem 0 .8rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; text-align: left; }
thead th { background: var(--soft); }
table.matrix th.col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.matrix th.row { white-space: nowrap; font-weight: normal; }
table.matrix td.cell { min-width: 2.2rem; text-align: center; }
table.matrix td.cell a { display: block; margin: .1rem 0; }
.none { color: #6b7178; font-style: italic; }
.cite { color: #4a5057; font-size: .9em; }
details.finding { border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: .3rem; margin: .5rem 0; padding: .35rem .75rem; }
details.finding.error { border-left-color: var(--error); }
details.finding.warning { border-left-color: var(--warning); }
details.finding.note { border-left-color: var(--note); }
details.finding > summary { cursor: pointer; }
details.finding:target { box-shadow: 0 0 0 3px #9ec1ff; }
pre.witness { background: var(--soft); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; max-height: 28rem; }
.ok { color: #1b6e2a; font-weight: 600; } .mismatch { color: var(--error); font-weight: 600; }
.toolbar button { margin-right: .4rem; }
footer { color: #6b7178; font-size: .85em; border-top: 1px solid var(--line); margin-top: 2rem; padding-bottom: 1.5rem; }
@media print { details.finding { break-inside: avoid; } .toolbar { display: none; } }
"#;

/// Opens the finding a link targets (the `<details>` would otherwise stay closed), and the
/// expand/collapse buttons.
const SCRIPT: &str = r#"
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === 'DETAILS') { target.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  function setAll(open) {
    document.querySelectorAll('details.finding').forEach(function (d) { d.open = open; });
  }
  var expand = document.getElementById('expand-all');
  var collapse = document.getElementById('collapse-all');
  if (expand) { expand.addEventListener('click', function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener('click', function () { setAll(false); }); }
})();
"#;

/// The report as an HTML page.
pub fn render_html(report: &Report) -> String {
    report_markup(report).into_string()
}

/// The report as [`maud`] markup, for embedders that put it in a page of their own.
pub fn report_markup(report: &Report) -> Markup {
    let title = format!("Concord analysis: {}", compared(report));
    let provisions = ProvisionIndex::new(report);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ "concord " (env!("CARGO_PKG_VERSION")) };
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (header(report))
                main {
                    (matrix(report, &provisions))
                    (findings(report, &provisions))
                    (undecided(report))
                }
                footer {
                    p {
                        "Generated by concord " (env!("CARGO_PKG_VERSION"))
                        ". Findings that some system exists come with that system as a witness, already run through the evaluator; a finding without a witness is a proof that no system exists."
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// `A and B (through M)` or the one rulebook.
fn compared(report: &Report) -> String {
    match report.rulebooks.as_slice() {
        [one] => one.clone(),
        [left, right] => format!("{left} and {right}"),
        [left, right, mapping, ..] => format!("{left} and {right} through {mapping}"),
        [] => String::from("no rulebook"),
    }
}

fn header(report: &Report) -> Markup {
    let count = |level: Severity| report.findings.iter().filter(|f| severity(f.kind) == level).count();
    let unreplayed = report.unreplayed().count();
    html! {
        header {
            h1 { "Consistency analysis" }
            dl.meta {
                @match report.rulebooks.as_slice() {
                    [one] => { dt { "Rulebook" } dd #rulebook-a { code { (one) } } }
                    rulebooks => {
                        @if let Some(left) = rulebooks.first() { dt { "Rulebook A (rows)" } dd #rulebook-a { code { (left) } } }
                        @if let Some(right) = rulebooks.get(1) { dt { "Rulebook B (columns)" } dd #rulebook-b { code { (right) } } }
                        @if let Some(mapping) = rulebooks.get(2) { dt { "Mapping" } dd #rulebook-mapping { code { (mapping) } } }
                    }
                }
                dt { "In force as of" }
                dd #as-of { time datetime=(report.as_of) { (report.as_of) } }
                dt { "Findings" }
                dd.counts #counts {
                    span { strong #finding-count { (report.findings.len()) } " in all" }
                    @for level in [Severity::Error, Severity::Warning, Severity::Note] {
                        span { span.badge.(level.as_str()) { (level.as_str()) } " " (count(level)) }
                    }
                    span { (report.undecided.len()) " not decided" }
                }
            }
            @if unreplayed > 0 {
                p.alert #unreplayed {
                    (unreplayed) " finding(s) have a witness that did not reproduce under the evaluator: this is an error of concord's analyser, not of the rulebooks."
                }
            }
        }
    }
}

/// The provisions the report names, numbered in order of first appearance, by rulebook.
struct ProvisionIndex<'r> {
    all: Vec<&'r ProvisionRef>,
}

impl<'r> ProvisionIndex<'r> {
    fn new(report: &'r Report) -> ProvisionIndex<'r> {
        let mut all: Vec<&ProvisionRef> = Vec::new();
        let named = report
            .findings
            .iter()
            .flat_map(|finding| finding.provisions.iter())
            .chain(report.undecided.iter().map(|item| &item.provision));
        for provision in named {
            if !all.iter().any(|known| same(known, provision)) {
                all.push(provision);
            }
        }
        ProvisionIndex { all }
    }

    /// The provisions of `rulebook` that some finding names.
    fn of<'a>(&'a self, report: &'a Report, rulebook: &'a str) -> impl Iterator<Item = &'r ProvisionRef> + 'a {
        self.all.iter().copied().filter(move |provision| {
            provision.rulebook == rulebook
                && report.findings.iter().any(|finding| finding.provisions.iter().any(|p| same(p, provision)))
        })
    }

    fn id(&self, provision: &ProvisionRef) -> String {
        let index = self.all.iter().position(|known| same(known, provision)).unwrap_or_default();
        format!("provision-{}", index + 1)
    }
}

fn same(a: &ProvisionRef, b: &ProvisionRef) -> bool {
    a.rulebook == b.rulebook && a.kind == b.kind && a.name == b.name
}

fn finding_id(index: usize) -> String {
    format!("finding-{}", index + 1)
}

fn matrix(report: &Report, provisions: &ProvisionIndex) -> Markup {
    let (Some(left), Some(right)) = (report.rulebooks.first(), report.rulebooks.get(1)) else {
        return provision_list(report, provisions);
    };
    let rows: Vec<&ProvisionRef> = provisions.of(report, left).collect();
    let columns: Vec<&ProvisionRef> = provisions.of(report, right).collect();
    // The findings in the cell of a row (None: no provision of A) and a column (None: of B).
    let cell = |row: Option<&ProvisionRef>, column: Option<&ProvisionRef>| -> Vec<(usize, &Finding)> {
        report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, finding)| {
                let names = |side: &str, wanted: Option<&ProvisionRef>| match wanted {
                    Some(wanted) => finding.provisions.iter().any(|p| same(p, wanted)),
                    None => !finding.provisions.iter().any(|p| p.rulebook == side),
                };
                let touches_pair = finding.provisions.iter().any(|p| &p.rulebook == left || &p.rulebook == right);
                touches_pair && names(left, row) && names(right, column)
            })
            .collect()
    };
    let others: Vec<(usize, &Finding)> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, finding)| !finding.provisions.iter().any(|p| &p.rulebook == left || &p.rulebook == right))
        .collect();
    let b_alone_empty = columns.iter().all(|column| cell(None, Some(column)).is_empty());
    html! {
        section #matrix {
            h2 { "Provisions and findings" }
            p {
                "Rows are the provisions of " code { (left) } " and columns those of " code { (right) }
                " that some finding names; each cell links to the findings between the two. The last column holds findings about a provision of "
                code { (left) } " alone, the last row those about a provision of " code { (right) } " alone."
            }
            @if rows.is_empty() && columns.is_empty() {
                p.none { "No finding names a provision of either rulebook." }
            } @else {
                div.scroll {
                    table.matrix #matrix-table {
                        thead {
                            tr {
                                th { code { (left) } " \u{2193} / " code { (right) } " \u{2192}" }
                                @for column in &columns {
                                    th.col scope="col" data-provision=(provisions.id(column)) title=(describe(column)) {
                                        (column.kind) " " code { (column.name) }
                                    }
                                }
                                th.col.none scope="col" { "no provision of " (right) }
                            }
                        }
                        tbody {
                            @for row in &rows {
                                tr.provision-row data-provision=(provisions.id(row)) {
                                    th.row scope="row" title=(describe(row)) {
                                        (row.kind) " " code { (row.name) }
                                        (citations_inline(row))
                                    }
                                    @for column in &columns { (matrix_cell(&cell(Some(row), Some(column)))) }
                                    (matrix_cell(&cell(Some(row), None)))
                                }
                            }
                            @if !b_alone_empty {
                                tr.provision-row {
                                    th.row.none scope="row" { "no provision of " (left) }
                                    @for column in &columns { (matrix_cell(&cell(None, Some(column)))) }
                                    (matrix_cell(&[]))
                                }
                            }
                        }
                    }
                }
            }
            @if !others.is_empty() {
                h3 { "Mapping claims" }
                table #claims-table {
                    thead { tr { th { "claim" } th { "findings" } } }
                    tbody {
                        @for (index, finding) in &others {
                            tr {
                                td {
                                    @for provision in &finding.provisions {
                                        div { (provision.kind) " " code { (provision.name) } }
                                    }
                                }
                                td.cell { (finding_link(*index, finding)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// For one rulebook: each provision some finding names, with links to those findings.
fn provision_list(report: &Report, provisions: &ProvisionIndex) -> Markup {
    let rulebook = report.rulebooks.first().map(String::as_str).unwrap_or_default();
    let rows: Vec<&ProvisionRef> = provisions.of(report, rulebook).collect();
    html! {
        section #matrix {
            h2 { "Provisions and findings" }
            @if rows.is_empty() {
                p.none { "No finding names a provision of " code { (rulebook) } "." }
            } @else {
                table.matrix #provision-table {
                    thead { tr { th { "provision" } th { "findings" } } }
                    tbody {
                        @for row in &rows {
                            tr.provision-row data-provision=(provisions.id(row)) {
                                th.row scope="row" title=(describe(row)) {
                                    (row.kind) " " code { (row.name) }
                                    (citations_inline(row))
                                }
                                td.cell {
                                    @for (index, finding) in report.findings.iter().enumerate() {
                                        @if finding.provisions.iter().any(|p| same(p, row)) { (finding_link(index, finding)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn matrix_cell(findings: &[(usize, &Finding)]) -> Markup {
    html! {
        td.cell {
            @for (index, finding) in findings { (finding_link(*index, finding)) }
        }
    }
}

fn finding_link(index: usize, finding: &Finding) -> Markup {
    let level = severity(finding.kind).as_str();
    html! {
        a.finding-link href={ "#" (finding_id(index)) } title=(finding.message) {
            span.badge.(level) { (finding.kind) }
        }
    }
}

/// Text with its `backquoted` names set as code.
fn with_code(text: &str) -> Markup {
    html! {
        @for (index, part) in text.split('`').enumerate() {
            @if index % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

fn describe(provision: &ProvisionRef) -> String {
    let mut text = format!("{} {} of {}", provision.kind, provision.name, provision.rulebook);
    if let Some(location) = &provision.location {
        text.push_str(&format!(" at {}:{}:{}", location.file, location.line, location.column));
    }
    text
}

fn citations_inline(provision: &ProvisionRef) -> Markup {
    let cites: Vec<&str> = provision.citations.iter().map(|citation| citation.text.as_str()).collect();
    html! {
        @if !cites.is_empty() { br; span.cite { (cites.join("; ")) } }
    }
}

fn findings(report: &Report, provisions: &ProvisionIndex) -> Markup {
    html! {
        section #findings {
            h2 { "Findings (" (report.findings.len()) ")" }
            @if report.findings.is_empty() {
                p.none { "No findings." }
            } @else {
                p.toolbar {
                    button type="button" #expand-all { "Expand all" }
                    button type="button" #collapse-all { "Collapse all" }
                }
                @for (index, finding) in report.findings.iter().enumerate() {
                    (finding_section(index, finding, provisions))
                }
            }
            h3 { "Kinds of finding" }
            table #kinds-table {
                thead { tr { th { "kind" } th { "severity" } th { "meaning" } } }
                tbody {
                    @for kind in FINDING_KINDS {
                        tr { td { code { (kind.id) } } td { span.badge.(kind.severity.as_str()) { (kind.severity.as_str()) } } td { (kind.description) } }
                    }
                }
            }
        }
    }
}

fn finding_section(index: usize, finding: &Finding, provisions: &ProvisionIndex) -> Markup {
    let id = finding_id(index);
    let level = severity(finding.kind).as_str();
    let title = finding_kind(finding.kind).map_or(finding.kind, |kind| kind.title);
    html! {
        details.finding.(level) id=(id) data-kind=(finding.kind) data-severity=(level) {
            summary {
                span.badge.(level) title=(title) { (finding.kind) } " "
                span.message { (with_code(&finding.message)) }
            }
            h3 { "Provisions" }
            table.provisions {
                thead { tr { th { "rulebook" } th { "provision" } th { "declared at" } th { "citations" } } }
                tbody {
                    @for provision in &finding.provisions {
                        tr data-provision=(provisions.id(provision)) {
                            td { code { (provision.rulebook) } }
                            td { (provision.kind) " " code { (provision.name) } }
                            td {
                                @if let Some(location) = &provision.location {
                                    code { (location.file) ":" (location.line) ":" (location.column) }
                                } @else { span.none { "unknown" } }
                            }
                            td { (citation_list(provision)) }
                        }
                    }
                }
            }
            @if let (Some(relation), Some(claimed)) = (finding.relation, finding.claimed) {
                p.relation { "Claimed: " strong { (claimed) } "; the definitions bear out: " strong { (relation) } "." }
            }
            @if !finding.bands.is_empty() {
                h3 { "Where they disagree" }
                ul.bands { @for band in &finding.bands { li { (with_code(band)) } } }
            }
            @if let Some(bound) = finding.lists_up_to {
                p.bound { "Proved for descriptions with up to " (bound) " entries in each list." }
            }
            @if finding.witnesses.is_empty() {
                p.proof { "No system exists: this finding is a proof, so it has no witness." }
            }
            @for (number, witness) in finding.witnesses.iter().enumerate() {
                (witness_section(&id, number, witness, finding))
            }
        }
    }
}

fn citation_list(provision: &ProvisionRef) -> Markup {
    html! {
        @if provision.citations.is_empty() {
            span.none { "none" }
        } @else {
            @for citation in &provision.citations {
                div.cite {
                    (citation.text)
                    @if let Some(status) = &citation.status { " (" (status) ")" }
                    @if let Some(verified) = citation.verified { ", verified " (verified) }
                }
            }
        }
    }
}

fn witness_section(finding_id: &str, number: usize, witness: &Witness, finding: &Finding) -> Markup {
    let system = serde_json::to_string_pretty(&witness.system).unwrap_or_default();
    html! {
        div.witness-block {
            h3 {
                "Witness " (number + 1) " "
                @if witness.replayed { span.ok { "reproduced by the evaluator" } }
                @else { span.mismatch { "did not reproduce: an error of concord's analyser" } }
            }
            table.expectations {
                thead { tr { th { "rulebook" } th { "of" } th { "expected" } th { "the evaluator says" } th { "" } th { "citations" } } }
                tbody {
                    @for expectation in &witness.expectations {
                        tr {
                            td { code { (expectation.rulebook) } }
                            td { code { (expectation.target) } }
                            td { (expectation.expected) }
                            td { (expectation.actual) }
                            td {
                                @if holds(expectation) { span.ok { "ok" } } @else { span.mismatch { "mismatch" } }
                            }
                            td {
                                @match cited(finding, expectation) {
                                    Some(provision) => (citation_list(provision)),
                                    None => span.none { "—" },
                                }
                            }
                        }
                    }
                }
            }
            pre.witness id={ (finding_id) "-witness-" (number + 1) } { code { (system) } }
        }
    }
}

/// The check the text report makes: the evaluator's answer is the expected one, or one of them.
fn holds(expectation: &Expectation) -> bool {
    expectation.actual == expectation.expected || expectation.expected.contains(&expectation.actual)
}

/// The provision of the finding an expectation is about, for its citations.
fn cited<'f>(finding: &'f Finding, expectation: &Expectation) -> Option<&'f ProvisionRef> {
    finding
        .provisions
        .iter()
        .find(|provision| provision.rulebook == expectation.rulebook && provision.name == expectation.target)
}

fn undecided(report: &Report) -> Markup {
    html! {
        section #undecided {
            h2 { "Not decided (" (report.undecided.len()) ")" }
            @if report.undecided.is_empty() {
                p.none { "The analyser decided every provision and claim." }
            } @else {
                p { "These provisions or claims are outside the fragment the analyser decides; nothing is said of them, either way." }
                ul {
                    @for item in &report.undecided {
                        li.undecided {
                            (item.provision.kind) " " code { (item.provision.name) } " of " code { (item.provision.rulebook) }
                            @if let Some(location) = &item.provision.location {
                                " (" code { (location.file) ":" (location.line) ":" (location.column) } ")"
                            }
                            ": " (item.reason)
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::REPORT_VERSION;
    use crate::ir::SourceLocation;

    fn report() -> Report {
        let provision = |rulebook: &str, name: &str| ProvisionRef {
            rulebook: rulebook.to_owned(),
            kind: "redline",
            name: name.to_owned(),
            location: Some(SourceLocation { file: "a <b>.concord".to_owned(), line: 3, column: 9 }),
            citations: Vec::new(),
        };
        Report {
            schema_version: REPORT_VERSION,
            as_of: jiff::civil::date(2027, 1, 1),
            rulebooks: vec!["left".to_owned(), "right".to_owned()],
            findings: vec![Finding {
                kind: "conflict",
                message: "`x` forbids <script>alert(1)</script> & more".to_owned(),
                provisions: vec![provision("left", "x"), provision("right", "y")],
                relation: None,
                claimed: None,
                bands: Vec::new(),
                witnesses: vec![Witness {
                    system: serde_json::json!({"name": "</pre><b>"}),
                    facts: vec![("name".to_owned(), serde_json::json!("</pre><b>"))],
                    expectations: Vec::new(),
                    replayed: true,
                }],
                lists_up_to: None,
            }],
            undecided: Vec::new(),
        }
    }

    #[test]
    fn text_is_escaped_and_output_is_deterministic() {
        let html = render_html(&report());
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(html.contains("a &lt;b&gt;.concord:3:9"));
        assert!(html.contains("&lt;/pre&gt;&lt;b&gt;"));
        assert_eq!(html, render_html(&report()));
        assert!(html.contains(r#"id="finding-1""#));
        assert!(html.contains(r##"href="#finding-1""##));
    }
}
