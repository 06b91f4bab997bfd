//! Every diagnostic code has a page in `docs/diagnostics/`, and every page is executed: its
//! example produces its code, and its fix checks clean.
//!
//! A page's first ```concord block after `## Example` is the example; ```text blocks that start
//! with `rulebook` in the same section are files loaded beside it (for codes that need several
//! rulebooks); the first ```concord block after `## Fix` is the fix, loaded with the same files.

use std::path::Path;

use concord_lang::Engine;
use concord_lang::diagnostics::codes::CODES;

struct Page {
    example: String,
    fix: String,
    companions: Vec<String>,
}

fn read_page(text: &str) -> Page {
    let mut section = "";
    let mut example = None;
    let mut fix = None;
    let mut companions = Vec::new();
    let mut block: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some((tag, body)) = &mut block {
            if line.trim_start() == "```" {
                match (tag.as_str(), section) {
                    ("concord", "example") if example.is_none() => example = Some(body.clone()),
                    ("concord", "fix") if fix.is_none() => fix = Some(body.clone()),
                    ("text", "example") if body.trim_start().starts_with("rulebook") => companions.push(body.clone()),
                    _ => {}
                }
                block = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        }
        if let Some(tag) = line.trim_start().strip_prefix("```") {
            block = Some((tag.trim().to_owned(), String::new()));
        } else if line.starts_with("## Example") {
            section = "example";
        } else if line.starts_with("## Fix") {
            section = "fix";
        } else if line.starts_with("## ") {
            section = "";
        }
    }
    Page { example: example.unwrap_or_default(), fix: fix.unwrap_or_default(), companions }
}

fn codes_of(page: &Page, text: &str) -> Vec<&'static str> {
    let mut engine = Engine::default();
    for (idx, companion) in page.companions.iter().enumerate() {
        engine.add_source(&format!("docs/companion{idx}.concord"), companion);
    }
    let file = engine.add_source("docs/page.concord", text);
    engine.diagnostics(file).iter().map(|diagnostic| diagnostic.code).collect()
}

#[test]
fn every_code_has_a_page_whose_example_produces_it_and_whose_fix_is_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics");
    let mut failures = Vec::new();
    for (code, _) in CODES {
        let path = dir.join(format!("{code}.md"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{code}: no page at {}", path.display()));
            continue;
        };
        let page = read_page(&text);
        let example_codes = codes_of(&page, &page.example);
        if !example_codes.contains(code) {
            failures.push(format!("{code}: the example gives {example_codes:?}"));
        }
        let fix_codes = codes_of(&page, &page.fix);
        if !fix_codes.is_empty() {
            failures.push(format!("{code}: the fix gives {fix_codes:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_page_documents_a_code_that_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().trim_end_matches(".md").to_owned();
        assert!(CODES.iter().any(|(code, _)| *code == name), "docs/diagnostics/{name}.md documents no code");
    }
}
