//! Runs the built `concord` binary (or another program) with a time limit and captures its output.
//!
//! A run that passes its limit is killed and fails the test, so a hang is a failure, not a stuck
//! suite. Scratch directories live under cargo's per-target temporary directory.

#![allow(dead_code, reason = "each test crate uses a different part of this module")]

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one run may take; generous for debug builds on a small machine.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The outcome of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit code: {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// The repository root, where every run starts unless told otherwise.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `concord ARGS` from the repository root.
pub fn concord(args: &[&str]) -> Run {
    concord_in(repo_root(), args)
}

/// Runs `concord ARGS` from `dir`.
pub fn concord_in(dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concord"));
    command.args(args).current_dir(dir);
    run_with_limit(command, None)
}

/// Runs `concord ARGS` from the repository root with `input` on standard input.
pub fn concord_with_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concord"));
    command.args(args).current_dir(repo_root());
    run_with_limit(command, Some(input))
}

/// Runs a command to its end or to [`TIME_LIMIT`], whichever comes first.
pub fn run_with_limit(command: Command, input: Option<&[u8]>) -> Run {
    run_within(command, input, TIME_LIMIT)
}

/// Runs a command to its end or to `limit`, whichever comes first.
pub fn run_within(mut command: Command, input: Option<&[u8]>, limit: Duration) -> Run {
    command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.env_remove("RUST_BACKTRACE").env("NO_COLOR", "1");
    let mut child = command.spawn().expect("the program starts");
    let writer = match (input, child.stdin.take()) {
        (Some(input), Some(mut stdin)) => {
            let input = input.to_vec();
            // A child that stops reading early closes the pipe; that is its business, not ours.
            Some(std::thread::spawn(move || drop(stdin.write_all(&input))))
        }
        _ => None,
    };
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the program can be waited for") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    // A process killed by a signal (a stack overflow aborts) has no code; report it as -1.
    Run { code: status.code().unwrap_or(-1), stdout, stderr }
}

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("concord-tests").join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the old scratch directory can be removed");
    }
    std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
    dir
}
