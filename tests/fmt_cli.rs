//! End-to-end tests of `concord fmt`: files rewritten in place, `--check`, standard input, and a
//! file with syntax errors left as it is, each with its documented exit code (docs/fmt.md).
//!
//! Scratch files live under cargo's per-target temporary directory. This file knows the command
//! line and the exit codes, not the layout (the library's tests pin that).

#[path = "support/run.rs"]
mod run;

use std::path::{Path, PathBuf};

use run::{concord, concord_with_stdin, scratch};

const UNFORMATTED: &str = "rulebook demo.fmt { title \"Fmt\" }\nterm   big=system.model.training_compute.pretraining>1e25 FLOP // big\n      cite \"Art. 51\"\n";
const FORMATTED: &str = "rulebook demo.fmt { title \"Fmt\" }\n\nterm big = system.model.training_compute.pretraining > 1e25 FLOP // big\n  cite \"Art. 51\"\n";
const BROKEN: &str = "rulebook demo.broken { title \"Broken\" }\nterm   x =\n";

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn fmt_rewrites_files_in_place_and_exits_0() {
    let dir = scratch("fmt_rewrites");
    let file = write(&dir, "rules.concord", UNFORMATTED);
    let run = concord(&["fmt", arg(&dir)]);
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FORMATTED, "{run}");
    assert!(run.stderr.contains("formatted 1 file"), "{run}");
    let again = concord(&["fmt", "--check", arg(&file)]);
    again.assert_code(0);
    assert!(again.stdout.is_empty(), "{again}");
}

#[test]
fn fmt_check_lists_unformatted_files_changes_nothing_and_exits_1() {
    let dir = scratch("fmt_check");
    let messy = write(&dir, "messy.concord", UNFORMATTED);
    write(&dir, "tidy.concord", &FORMATTED.replace("demo.fmt", "demo.tidy"));
    let run = concord(&["fmt", "--check", arg(&dir)]);
    run.assert_code(1);
    assert_eq!(run.stdout.trim(), arg(&messy), "{run}");
    assert!(run.stderr.contains("1 file would be reformatted, 1 already formatted"), "{run}");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), UNFORMATTED);
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_unchanged_reports_it_and_exits_1() {
    let dir = scratch("fmt_broken");
    let broken = write(&dir, "broken.concord", BROKEN);
    let messy = write(&dir, "messy.concord", UNFORMATTED);
    let run = concord(&["fmt", arg(&dir)]);
    run.assert_code(1);
    assert!(run.stderr.contains("syntax-error"), "{run}");
    assert!(run.stderr.contains("broken.concord:2"), "{run}");
    assert!(run.stderr.contains("not formatted, because it has syntax errors"), "{run}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), BROKEN);
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), FORMATTED, "the other files are still formatted");
}

#[test]
fn fmt_formats_standard_input_to_standard_output() {
    let run = concord_with_stdin(&["fmt", "-"], UNFORMATTED.as_bytes());
    run.assert_code(0);
    assert_eq!(run.stdout, FORMATTED);
    let check = concord_with_stdin(&["fmt", "--check", "-"], UNFORMATTED.as_bytes());
    check.assert_code(1);
}

#[test]
fn fmt_of_a_missing_path_exits_2() {
    let run = concord(&["fmt", "no/such/rules.concord"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no such file"), "{run}");
}

trait AssertCode {
    fn assert_code(&self, code: i32);
}

impl AssertCode for run::Run {
    fn assert_code(&self, code: i32) {
        assert_eq!(self.code, code, "unexpected exit code\n{self}");
    }
}

#[test]
fn standard_library_and_bundled_rulebooks_are_formatted() {
    // Every rulebook the repository ships is in the canonical layout, so that a diff between two
    // versions shows what changed in the law's encoding and nothing else.
    let run = concord(&["fmt", "--check", "stdlib", "examples"]);
    run.assert_code(0);
    assert!(run.stdout.is_empty(), "files not formatted (run `concord fmt stdlib examples`):\n{run}");
}
