//! Latency of the language server: the time from a one-character edit (`didChange`) to the
//! diagnostics published for that version, in a generated workspace of about 10,000 lines in ten
//! files, measured
//! - in process: the real server over an in-memory pipe;
//! - over stdio: the `concord lsp` binary as a child process (`$CONCORD_BIN`, else the `concord`
//!   next to this benchmark's `deps/` directory: `cargo build --release --bin concord` first).
//!
//! The baseline, in the same run, is a cold check of the same workspace in process (a new
//! database, every file checked). The server has no debounce; each edit waits for its diagnostics
//! before the next is sent. Run: `cargo build --release --bin concord && cargo bench -p
//! concord-lsp --bench latency`. `CONCORD_LSP_EDITS` sets the number of measured edits (200).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use concord_lang::Engine;
use serde_json::json;

#[path = "../tests/support/client.rs"]
mod client;
#[allow(dead_code, reason = "the latency benchmark reads only the rulebooks, not the description")]
#[path = "../../lang/benches/support/generated.rs"]
mod generated;

use client::TestClient;
use generated::generated_rulebook;

const N_FILES: usize = 10;
const N_WARMUP: usize = 10;
/// The edit flips one digit of the first redline's threshold.
const BEFORE: &str = "total_compute > 1e10 FLOP";
const AFTER: &str = "total_compute > 2e10 FLOP";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; this harness has no options of its own.
    let n_edits = std::env::var("CONCORD_LSP_EDITS").ok().and_then(|it| it.parse().ok()).unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("concord-latency-workspace-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let files: Vec<(PathBuf, String)> = (0..N_FILES)
        .map(|idx| (dir.join(format!("part_{idx}.concord")), generated_rulebook(&format!("bench.part{idx}"), 95, 9)))
        .collect();
    for (path, text) in &files {
        std::fs::write(path, text)?;
    }
    let n_lines: usize = files.iter().map(|(_, text)| text.lines().count()).sum();
    println!("workspace: {N_FILES} files, {n_lines} lines; {n_edits} measured edits after {N_WARMUP} unmeasured");

    let cold = cold_checks(&files, 10);
    println!("\n| what | p50 | p95 | max | p95 / median cold check |");
    println!("|---|---|---|---|---|");
    let cold_p50 = percentile(&cold, 50);
    print_row("cold check of the workspace, in process (baseline)", &cold, cold_p50);

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let in_process = runtime.block_on(async { edits(TestClient::start("latency"), &dir, &files, n_edits).await });
    print_row("edit to diagnostics, in process", &in_process, cold_p50);
    match server_binary() {
        Some(binary) => {
            let client = runtime.block_on(async { TestClient::spawn("latency-stdio", &binary) })?;
            let stdio = runtime.block_on(edits(client, &dir, &files, n_edits));
            print_row(&format!("edit to diagnostics, over stdio (`{}`)", binary.display()), &stdio, cold_p50);
        }
        None => println!("(no `concord` binary: run `cargo build --release --bin concord` to measure over stdio)"),
    }
    runtime.shutdown_background();
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// `$CONCORD_BIN`, else `target/release/concord` beside this benchmark (in `target/release/deps`).
fn server_binary() -> Option<PathBuf> {
    if let Some(binary) = std::env::var_os("CONCORD_BIN") {
        return Some(PathBuf::from(binary));
    }
    let exe = std::env::current_exe().ok()?;
    let binary = exe.parent()?.parent()?.join("concord");
    binary.is_file().then_some(binary)
}

/// Checks every file of the workspace in a new database, `n` times.
fn cold_checks(files: &[(PathBuf, String)], n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            let mut engine = Engine::default();
            let ids: Vec<_> =
                files.iter().map(|(path, text)| engine.add_source(&path.to_string_lossy(), text)).collect();
            let n_errors: usize =
                ids.iter().map(|id| engine.diagnostics(*id).iter().filter(|it| it.is_error()).count()).sum();
            assert_eq!(n_errors, 0, "the generated workspace has errors");
            start.elapsed()
        })
        .collect()
}

/// Opens the first file of the workspace and times `n_edits` one-character edits of it, each from
/// `didChange` to the diagnostics published for its version.
async fn edits(mut client: TestClient, dir: &Path, files: &[(PathBuf, String)], n_edits: usize) -> Vec<Duration> {
    let root = format!("file://{}", dir.display());
    client.initialize_with(json!({"capabilities": {}, "workspaceFolders": [{"uri": root, "name": "bench"}]})).await;
    let (path, text) = &files[0];
    let uri = format!("file://{}", path.display());
    client.open(&uri, text).await;
    let published = client.diagnostics(&uri, 1).await;
    let diagnostics = published["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(diagnostics.iter().all(|it| it["severity"] != 1), "the generated file has errors: {diagnostics:?}");
    let edited = text.replacen(BEFORE, AFTER, 1);
    assert_ne!(&edited, text, "the edit changes the file");
    let mut times = Vec::with_capacity(n_edits);
    for idx in 0..N_WARMUP + n_edits {
        let version = idx as i32 + 2;
        let next = if idx % 2 == 0 { &edited } else { text };
        let start = Instant::now();
        client.change(&uri, version, next).await;
        client.diagnostics(&uri, version).await;
        if idx >= N_WARMUP {
            times.push(start.elapsed());
        }
    }
    times
}

fn percentile(times: &[Duration], percent: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

fn print_row(what: &str, times: &[Duration], baseline: Duration) {
    let max = times.iter().max().copied().unwrap_or_default();
    let p95 = percentile(times, 95);
    let ratio = p95.as_secs_f64() / baseline.as_secs_f64();
    println!("| {what} | {:.2} ms | {:.2} ms | {:.2} ms | {ratio:.3} |", ms(percentile(times, 50)), ms(p95), ms(max));
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
