//! Writes the embedded standard library as read-only files into a cache directory, so that go to
//! definition into `std.lexicon` gives a `file://` URI every editor can open.
//!
//! The directory name carries a hash of the contents, so servers of two versions never overwrite
//! each other's copies. The database keeps reading the embedded text, never these files.

use std::io;
use std::path::{Path, PathBuf};

use concord_lang::stdlib::STDLIB;

/// The cache directory for this build's standard library, under `base`.
pub fn stdlib_dir(base: &Path) -> PathBuf {
    // FNV-1a over every path and text: stable across runs and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, path, text) in STDLIB {
        for byte in path.bytes().chain(text.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    base.join("concord").join(format!("stdlib-{hash:016x}"))
}

/// The user's cache directory (`$XDG_CACHE_HOME`, `~/.cache`), or the temporary directory.
pub fn default_cache_base() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(home) = std::env::var_os("HOME").filter(|home| !home.is_empty()) {
        return PathBuf::from(home).join(".cache");
    }
    std::env::temp_dir()
}

/// Writes every embedded rulebook under `dir` (by its display path, `std/lexicon.concord`) as a
/// read-only file, unless an identical copy is already there.
pub fn write_stdlib(dir: &Path) -> io::Result<()> {
    for (_, path, text) in STDLIB {
        let target = dir.join(path);
        if std::fs::read(&target).is_ok_and(|existing| existing == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if target.exists() {
            make_writable(&target)?;
        }
        std::fs::write(&target, text)?;
        let mut permissions = std::fs::metadata(&target)?.permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&target, permissions)?;
    }
    Ok(())
}

fn make_writable(path: &Path) -> io::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    #[expect(clippy::permissions_set_readonly_false, reason = "the file is ours and about to be replaced")]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_is_written_read_only_and_rewritten_idempotently() {
        let base = std::env::temp_dir().join(format!("concord-lsp-test-{}", std::process::id()));
        let dir = stdlib_dir(&base);
        write_stdlib(&dir).unwrap();
        write_stdlib(&dir).unwrap();
        let lexicon = dir.join("std/lexicon.concord");
        let text = std::fs::read_to_string(&lexicon).unwrap();
        assert!(text.contains("rulebook std.lexicon"));
        assert!(std::fs::metadata(&lexicon).unwrap().permissions().readonly());
        make_writable(&lexicon).unwrap();
        std::fs::remove_dir_all(&base).unwrap();
    }
}
