//! Every ```concord block of the language reference (docs/language.md) checks without errors,
//! and its examples pass: the reference cannot drift from the language.

use std::path::Path;

use concord_lang::Engine;

fn concord_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (idx, line) in text.lines().enumerate() {
        match &mut current {
            Some((_, body)) if line.trim_start() == "```" => {
                let (start, body) = current.take().unwrap_or_default();
                blocks.push((start, body));
            }
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None if line.trim() == "```concord" => current = Some((idx + 1, String::new())),
            None => {}
        }
    }
    blocks
}

#[test]
fn every_concord_block_of_the_reference_checks_and_its_examples_pass() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let blocks = concord_blocks(&text);
    assert!(blocks.len() >= 10, "found only {} blocks", blocks.len());
    let mut failures = Vec::new();
    for (line, block) in &blocks {
        let mut engine = Engine::default();
        let file = engine.add_source(&format!("docs/language.md:{line}"), block);
        let errors: Vec<String> = engine
            .diagnostics_with_imports(file)
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| format!("{}: {}", diagnostic.code, diagnostic.message))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("block at line {line}: {errors:?}"));
            continue;
        }
        let Ok(rulebook) = engine.compile(file) else {
            failures.push(format!("block at line {line} does not compile"));
            continue;
        };
        for outcome in rulebook.run_examples().iter().filter(|outcome| !outcome.passed) {
            failures
                .push(format!("block at line {line}: example \"{}\" fails: {:?}", outcome.example, outcome.failures));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
