//! Snapshot files shared by the corpus harnesses: compare, create when missing, update on request.
//!
//! A missing snapshot is written (except under `CI`, where it fails), a different one fails with a
//! line diff, and `UPDATE_SNAPSHOTS=1` rewrites every snapshot that differs. Snapshots are plain
//! text files next to their case, reviewed like code.

use std::fmt::Write as _;
use std::path::Path;

/// Compares `actual` with the snapshot at `path`, writing it when asked or when it is missing.
pub fn check_snapshot(path: &Path, actual: &str) -> Result<(), String> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1");
    let existing = std::fs::read_to_string(path).ok();
    match existing {
        Some(expected) if expected == actual => Ok(()),
        Some(_) | None if update => write_snapshot(path, actual),
        None if std::env::var_os("CI").is_none() => write_snapshot(path, actual),
        None => Err(format!("snapshot `{}` is missing; run with UPDATE_SNAPSHOTS=1 and review it", path.display())),
        Some(expected) => Err(format!(
            "snapshot `{}` differs (`-` snapshot, `+` now; run with UPDATE_SNAPSHOTS=1 to accept):\n{}",
            path.display(),
            line_diff(&expected, actual)
        )),
    }
}

/// A path with `/` separators, as snapshots and diagnostics show it on every platform.
pub fn slash_path(path: &Path) -> String {
    path.components().map(|part| part.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

fn write_snapshot(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|error| format!("cannot write `{}`: {error}", path.display()))
}

/// The lines that differ, by a longest-common-subsequence diff, with the snapshot's line numbers.
fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // Snapshots are small (a few hundred lines), so the quadratic table is cheap.
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for (i, old_line) in old.iter().enumerate().rev() {
        for (j, new_line) in new.iter().enumerate().rev() {
            lcs[i][j] = if old_line == new_line { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out, mut shown) = (0, 0, String::new(), 0);
    while (i < old.len() || j < new.len()) && shown < 60 {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if j < new.len() && (i == old.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "{:>5} + {}", i + 1, new[j]);
            j += 1;
            shown += 1;
        } else {
            let _ = writeln!(out, "{:>5} - {}", i + 1, old[i]);
            i += 1;
            shown += 1;
        }
    }
    if shown == 60 {
        out.push_str("      … (more lines differ)\n");
    }
    out
}
