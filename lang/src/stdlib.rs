//! The standard library: rulebooks compiled into the binary, so `import std.lexicon` works with no
//! files on disk. Their paths start with `std/` and never name a file of the user's.

/// `(rulebook id, display path, text)` of every embedded rulebook.
pub const STDLIB: &[(&str, &str, &str)] =
    &[("std.lexicon", "std/lexicon.concord", include_str!("../../stdlib/lexicon.concord"))];

/// Whether a path names an embedded rulebook.
pub fn is_stdlib_path(path: &str) -> bool {
    STDLIB.iter().any(|(_, stdlib_path, _)| *stdlib_path == path)
}
