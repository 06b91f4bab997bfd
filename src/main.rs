//! The `concord` command: argument parsing, exit codes, and the only code that prints.
//!
//! Exit codes (documented in README.md): 0 success; 1 the rulebooks have errors, an example
//! failed, a `--deny`ed verdict was found, or `fmt` met a file it could not format or (with
//! `--check`) one that is not formatted; 2 usage or I/O error, or a rulebook given to `eval`,
//! `explain` or `schema` has errors; 3 some descriptions could not be read (the others were
//! evaluated).

mod cmd;

/// mimalloc rather than the system allocator: batch evaluation builds and renders every verdict
/// on several threads at once, and glibc's allocator made two threads do the work of about 1.2.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "concord", version, about = "Check, evaluate and test AI-governance rulebooks", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Type-check rulebooks and report every problem (exit 1 on errors)
    Check(cmd::check::CheckArgs),
    /// Evaluate system descriptions under one or more rulebooks
    Eval(cmd::eval::EvalArgs),
    /// Run the `example` blocks of rulebooks (exit 1 if any fails)
    Test(cmd::test::TestArgs),
    /// Explain one verdict for one system, in prose
    Explain(cmd::explain::ExplainArgs),
    /// Rewrite rulebooks in the canonical layout (`--check`: list those that are not; exit 1)
    Fmt(cmd::fmt::FmtArgs),
    /// Run the language server on stdio
    Lsp(cmd::lsp::LspArgs),
    /// Find provisions of one rulebook that can never apply, never fire, or repeat another
    Analyze(cmd::analyze::AnalyzeArgs),
    /// Compare two rulebooks: conflicts, gaps, and mapping claims the definitions do not bear out
    Conflicts(cmd::analyze::ConflictsArgs),
    /// Export the JSON Schema of a rulebook's system descriptions, for editors
    Schema(cmd::schema::SchemaArgs),
    /// List what rulebooks cite: each citation and the declarations that carry it
    Coverage(cmd::coverage::CoverageArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = std::panic::catch_unwind(move || match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Test(args) => cmd::test::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Fmt(args) => cmd::fmt::run(args),
        Command::Lsp(args) => cmd::lsp::run(args),
        Command::Analyze(args) => cmd::analyze::run_analyze(args),
        Command::Conflicts(args) => cmd::analyze::run_conflicts(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Coverage(args) => cmd::coverage::run(args),
    });
    match result {
        Ok(Ok(code)) => ExitCode::from(code),
        // A reader that stopped early (`concord explain … | head`) closed the pipe: the output it
        // wanted was written, so that is no error of the command.
        Ok(Err(error)) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(cmd::EXIT_USAGE)
        }
        Err(_) => {
            eprintln!("error: internal error in concord; please report it with the input that caused it");
            ExitCode::from(101)
        }
    }
}

/// Whether an error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                .is_some_and(|kind| kind == std::io::ErrorKind::BrokenPipe)
    })
}
