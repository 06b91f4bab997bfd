//! The HTML analysis report in a real browser: headless Chromium loads the page written by
//! `concord conflicts … --format html` (EU AI Act against California SB 53 through the compute
//! mapping, and the two-jurisdiction corpus case) and dumps the DOM after its script ran; the DOM
//! must hold every finding, the matrix, the witness and the undecided provision.
//!
//! Chromium is Debian's `chromium` package, which `scripts/test.sh` installs. A missing browser
//! fails this test; it never skips. `CONCORD_CHROMIUM` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

fn concord(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_concord")).args(args).output().expect("run concord");
    assert_eq!(output.status.code(), Some(0), "concord {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html_chromium").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn chromium() -> String {
    let binary = std::env::var("CONCORD_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let found = Command::new(&binary).arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|output| output.status.success()),
        "`{binary} --version` failed ({found:?}): install Debian's chromium (scripts/test.sh does: apt-get install -y chromium)"
    );
    binary
}

/// The DOM of `page` after Chromium loaded it and ran its script.
fn dump_dom(page: &Path, fragment: &str) -> String {
    let binary = chromium();
    // A fresh profile per page, beside it: tests run in parallel and a profile has one browser.
    let profile = page.with_file_name("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    let url = format!("file://{}{fragment}", page.canonicalize().expect("page path").display());
    let started = Instant::now();
    let output = Command::new(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(output.status.success(), "chromium --dump-dom {url} failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(started.elapsed() < Duration::from_secs(120), "chromium took {:?}", started.elapsed());
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

fn write_report(name: &str, args: &[&str]) -> (PathBuf, Value) {
    let dir = scratch(name);
    let mut html_args = args.to_vec();
    html_args.extend(["--format", "html"]);
    let page = dir.join("report.html");
    std::fs::write(&page, concord(&html_args)).expect("write the page");
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let report = serde_json::from_str(&concord(&json_args)).expect("JSON report");
    (page, report)
}

/// How many elements open with this text (`<details class="finding`, …) in the DOM.
fn count(dom: &str, opening: &str) -> usize {
    dom.matches(opening).count()
}

#[test]
fn the_eu_and_california_report_renders_in_chromium_with_every_finding() {
    let (page, report) = write_report(
        "eu_ca",
        &[
            "conflicts",
            "eu.ai_act",
            "us.ca.sb53",
            "--mapping",
            "tests/analysis/eu_ca_compute/mapping.concord",
            "--as-of",
            "2027-01-01",
        ],
    );
    let findings = report["findings"].as_array().expect("findings");
    // The page opens the finding its address names (the script ran).
    let dom = dump_dom(&page, "#finding-1");

    assert!(
        dom.contains("<title>Concord analysis: eu.ai_act and us.ca.sb53 through corpus.analysis.eu_ca_compute</title>")
    );
    assert!(dom.contains(r#"<time datetime="2027-01-01">2027-01-01</time>"#));
    assert_eq!(count(&dom, r#"<details class="finding "#), findings.len());
    assert!(dom.contains(&format!(r#"<strong id="finding-count">{}</strong>"#, findings.len())));
    for index in 1..=findings.len() {
        assert!(dom.contains(&format!(r#"id="finding-{index}""#)), "finding {index} is in the page");
    }
    assert!(
        dom.contains(
            r#"<details class="finding error" id="finding-1" data-kind="wrong-claim" data-severity="error" open="">"#
        ),
        "the script opened the targeted finding"
    );
    // The matrix: one row per EU redline with a gap, each linking to its finding.
    let gaps = findings.iter().filter(|finding| finding["kind"] == "gap").count();
    assert!(gaps >= 10);
    assert_eq!(count(&dom, r#"<tr class="provision-row""#), gaps);
    assert_eq!(count(&dom, r#"<a class="finding-link""#), findings.len());
    assert!(dom.contains(r#"<code>social_scoring</code>"#));
    assert!(dom.contains("Art. 5(1)(c)"));
    // Both witnesses of the compute claim, pretty-printed, with the evaluator's answers.
    assert!(dom.contains(r#"<pre class="witness" id="finding-1-witness-1">"#));
    assert!(dom.contains(r#"<pre class="witness" id="finding-1-witness-2">"#));
    assert!(dom.contains(r#""later_modifications": 1.8e+26"#), "the witness's training compute is shown");
    assert!(dom.contains("reproduced by the evaluator"));
    assert!(!dom.contains(r#"class="mismatch""#));
    assert!(dom.contains("1e25 FLOP"));
    // The provision that was not decided.
    assert_eq!(count(&dom, r#"<li class="undecided">"#), report["undecided"].as_array().map_or(0, Vec::len));
    assert!(dom.contains("realtime_remote_biometric_identification"));
}

#[test]
fn a_conflict_sits_in_the_matrix_cell_of_its_two_provisions() {
    let dir = "tests/analysis/two_jurisdictions";
    let (page, report) = write_report(
        "two_jurisdictions",
        &[
            "conflicts",
            &format!("{dir}/left.concord"),
            &format!("{dir}/right.concord"),
            "--mapping",
            &format!("{dir}/mapping.concord"),
            "--as-of",
            "2027-01-01",
        ],
    );
    let findings = report["findings"].as_array().expect("findings");
    let dom = dump_dom(&page, "");
    assert_eq!(count(&dom, r#"<details class="finding "#), findings.len());
    let conflicts = findings.iter().filter(|finding| finding["kind"] == "conflict").count();
    assert_eq!(conflicts, 1, "one obligation, its two conflicting redlines in one finding");
    assert_eq!(count(&dom, r#"data-kind="conflict""#), conflicts);
    // No finding is open when the address names none.
    assert!(!dom.contains(r#"open="""#));
    // The column of the obligation holds a conflict link in each redline's row.
    assert!(dom.contains(r#"<th class="col" scope="col" data-provision="#));
    assert!(dom.contains("<code>register_scoring_use</code>"));
    let rows: Vec<&str> = dom
        .split(r#"<tr class="provision-row""#)
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or_default())
        .collect();
    // The two redlines of the left rulebook, and the row of findings on the right's provisions
    // that have no counterpart on the left (the right's obligation, which the left lacks).
    assert_eq!(rows.len(), 3, "two redlines of the left rulebook and the row of the right's gaps");
    let redline_rows: Vec<&&str> = rows
        .iter()
        .filter(|row| row.contains("<code>social_scoring</code>") || row.contains("<code>scraping</code>"))
        .collect();
    assert_eq!(redline_rows.len(), 2, "two redlines of the left rulebook have findings");
    for row in redline_rows {
        assert!(row.contains(r#"<span class="badge error">conflict</span>"#), "{row}");
        assert!(row.contains(r#"<span class="badge warning">gap</span>"#), "{row}");
    }
    assert!(dom.contains(r#"<table id="claims-table">"#));
}
