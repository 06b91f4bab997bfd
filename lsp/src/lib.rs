//! The Concord language server: diagnostics as you type, hover, go to definition, completion,
//! formatting, document and workspace symbols, folding, semantic tokens, references, rename and
//! quick fixes, over the Language Server Protocol on stdio (tower-lsp-server).
//!
//! `server.rs` is the protocol glue, `state.rs` the thread that owns the database, `handlers.rs` and
//! `features.rs` the requests, `convert.rs` byte offsets to UTF-16 positions, `stdlib_cache.rs` the read-only
//! copy of the standard library, `tokens.rs` semantic tokens as deltas. What a name means is the library's
//! business
//! (`concord_lang::ide`); this crate only translates.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod convert;
pub mod features;
pub mod handlers;
pub mod server;
pub mod state;
pub mod stdlib_cache;
pub mod tokens;

use tower_lsp_server::{LspService, Server};

pub use server::{Backend, Config, Snapshots};

/// Serves the protocol on stdin and stdout until the client says `exit`.
pub fn run_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let config = Config::new(stdlib_cache::default_cache_base());
    runtime.block_on(async move {
        let (service, socket) = LspService::new(move |client| Backend::new(client, config));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // The database thread ends when the service is dropped; blocking stdin reads are not awaited.
    runtime.shutdown_background();
    Ok(())
}
