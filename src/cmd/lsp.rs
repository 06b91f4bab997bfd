//! `concord lsp`: the language server on stdio. All of it lives in the `concord-lsp` crate.

use anyhow::Result;
use clap::Args;

use super::EXIT_OK;

#[derive(Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: LspArgs) -> Result<u8> {
    let _ = args.stdio;
    concord_lsp::run_stdio()?;
    Ok(EXIT_OK)
}
