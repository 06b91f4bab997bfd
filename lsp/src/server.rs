//! The tower-lsp-server glue: capabilities, queuing edits to the owner thread, and running each
//! read request on a snapshot in `spawn_blocking` inside `salsa::Cancelled::catch`.
//!
//! A cancelled request answers ContentModified; a panic is logged and answered as an internal
//! error, and the server keeps serving. No handler holds a snapshot across an `.await`. Kept thin:
//! what a request answers lives in `handlers.rs` and in `concord_lang::ide`.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use concord_lang::db::{Database, QueryLog};

use crate::state::{Command, Snapshot, spawn_owner};
use crate::stdlib_cache::{stdlib_dir, write_stdlib};
use crate::tokens::TokenCache;
use crate::{features, handlers};

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory the standard library's read-only copy goes under.
    pub cache_base: PathBuf,
    /// Where the database reports the queries it executes (tests of incrementality); none in use.
    pub query_log: Option<QueryLog>,
}

impl Config {
    /// The configuration of `concord lsp`: the standard library goes under `cache_base`.
    pub fn new(cache_base: PathBuf) -> Config {
        Config { cache_base, query_log: None }
    }
}

pub struct Backend {
    client: Client,
    snapshots: Snapshots,
    /// The semantic tokens last answered for each document, for deltas.
    tokens: Arc<Mutex<TokenCache>>,
    /// Whether the editor asks the user to confirm annotated edits (set at `initialize`).
    confirms_edits: AtomicBool,
}

/// Asks the database's owner for snapshots; a handle a test can keep to inspect the database.
#[derive(Clone)]
pub struct Snapshots {
    commands: mpsc::UnboundedSender<Command>,
}

impl Snapshots {
    /// A snapshot taken after every edit queued so far; none if the database thread has stopped.
    /// Drop it soon: the next edit waits for every snapshot to be dropped.
    pub async fn get(&self) -> Option<Snapshot> {
        let (reply, receiver) = oneshot::channel();
        self.commands.send(Command::Snapshot(reply)).ok()?;
        receiver.await.ok()
    }
}

/// At most this many rulebooks of the workspace folders are loaded at start.
const MAX_WORKSPACE_FILES: usize = 5000;

impl Backend {
    pub fn new(client: Client, config: Config) -> Backend {
        let dir = stdlib_dir(&config.cache_base);
        let stdlib_dir = match write_stdlib(&dir) {
            Ok(()) => Some(dir),
            Err(error) => {
                eprintln!("concord lsp: cannot write the standard library to `{}`: {error}", dir.display());
                None
            }
        };
        let (published, receiver) = mpsc::unbounded_channel();
        let database = config.query_log.as_ref().map_or_else(Database::default, QueryLog::database);
        let commands = spawn_owner(stdlib_dir, database, published);
        tokio::spawn(publish_diagnostics(client.clone(), receiver));
        Backend {
            client,
            snapshots: Snapshots { commands },
            tokens: Arc::default(),
            confirms_edits: AtomicBool::new(false),
        }
    }

    /// A handle for snapshots of the database, for tests.
    pub fn snapshots(&self) -> Snapshots {
        self.snapshots.clone()
    }

    fn queue(&self, command: Command) {
        if self.snapshots.commands.send(command).is_err() {
            eprintln!("concord lsp: the database thread has stopped");
        }
    }

    /// Runs `read` on a fresh snapshot, off the async runtime.
    async fn read<T, F>(&self, what: &'static str, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> T + Send + 'static,
    {
        let Some(snapshot) = self.snapshots.get().await else { return Err(Error::internal_error()) };
        let task = tokio::task::spawn_blocking(move || {
            salsa::Cancelled::catch(AssertUnwindSafe(move || {
                let value = read(&snapshot);
                drop(snapshot);
                value
            }))
        });
        match task.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_cancelled)) => Err(Error::content_modified()),
            Err(error) => {
                let message = format!("concord lsp: internal error in {what}: {error}; please report it");
                eprintln!("{message}");
                self.client.log_message(MessageType::ERROR, &message).await;
                let mut answer = Error::internal_error();
                answer.message = message.into();
                Err(answer)
            }
        }
    }

    fn load_folder(&self, root: &Path) {
        let mut stack = vec![root.to_path_buf()];
        let mut n_files = 0;
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
            paths.sort();
            for path in paths {
                let hidden = path.file_name().is_some_and(|name| {
                    let name = name.to_string_lossy();
                    name.starts_with('.') || name == "target" || name == "node_modules"
                });
                if hidden {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|ext| ext == "concord") && n_files < MAX_WORKSPACE_FILES {
                    let Ok(text) = std::fs::read_to_string(&path) else { continue };
                    n_files += 1;
                    self.queue(Command::Load { path, text });
                }
            }
        }
    }
}

/// The token cache, even after a reader panicked while holding it (its content stays consistent:
/// each method replaces one entry at once).
fn lock(tokens: &Mutex<TokenCache>) -> MutexGuard<'_, TokenCache> {
    tokens.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Publishes the diagnostics of each new snapshot, skipping those a newer one replaced.
async fn publish_diagnostics(client: Client, mut receiver: mpsc::UnboundedReceiver<Snapshot>) {
    // Documents whose diagnostics the editor shows, so a closed one is cleared once.
    let mut shown: BTreeSet<Uri> = BTreeSet::new();
    while let Some(mut snapshot) = receiver.recv().await {
        while let Ok(newer) = receiver.try_recv() {
            snapshot = newer;
        }
        let task = tokio::task::spawn_blocking(move || {
            salsa::Cancelled::catch(AssertUnwindSafe(move || {
                let batches = handlers::diagnostics(&snapshot);
                drop(snapshot);
                batches
            }))
        });
        match task.await {
            Ok(Ok(batches)) => {
                for (uri, diagnostics, version) in batches {
                    let open = version.is_some();
                    if !open && !shown.remove(&uri) {
                        continue;
                    }
                    if open {
                        shown.insert(uri.clone());
                    }
                    client.publish_diagnostics(uri, diagnostics, version).await;
                }
            }
            // A newer edit is being applied; its snapshot follows.
            Ok(Err(_cancelled)) => {}
            Err(error) => {
                let message = format!("concord lsp: internal error while checking: {error}; please report it");
                eprintln!("{message}");
                client.log_message(MessageType::ERROR, message).await;
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
            .collect();
        #[expect(deprecated, reason = "older clients send only `root_uri`")]
        if roots.is_empty()
            && let Some(path) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path())
        {
            roots.push(path.into_owned());
        }
        for root in &roots {
            self.load_folder(root);
        }
        let workspace_edit = params.capabilities.workspace.as_ref().and_then(|it| it.workspace_edit.as_ref());
        let confirms = workspace_edit
            .is_some_and(|it| it.document_changes == Some(true) && it.change_annotation_support.is_some());
        self.confirms_edits.store(confirms, Ordering::Relaxed);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_owned()]),
                    ..CompletionOptions::default()
                }),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensOptions {
                        legend: features::legend(),
                        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                        range: Some(true),
                        ..SemanticTokensOptions::default()
                    }
                    .into(),
                ),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..CodeActionOptions::default()
                })),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "concord".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client.log_message(MessageType::INFO, "concord language server ready").await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.queue(Command::Edit { uri: document.uri, version: document.version, text: document.text });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Full synchronisation: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else { return };
        let document = params.text_document;
        self.queue(Command::Edit { uri: document.uri, version: document.version, text: change.text });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        lock(&self.tokens).forget(&params.text_document.uri);
        self.queue(Command::Close { uri: params.text_document.uri });
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.read("hover", move |snapshot| handlers::hover(snapshot, &params)).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.read("go to definition", move |snapshot| handlers::goto_definition(snapshot, &params)).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.read("completion", move |snapshot| handlers::completion(snapshot, &params)).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.read("formatting", move |snapshot| features::formatting(snapshot, &params)).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.read("document symbols", move |snapshot| features::document_symbols(snapshot, &params)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let symbols = self.read("workspace symbols", move |snapshot| features::workspace_symbols(snapshot, &params));
        Ok(Some(WorkspaceSymbolResponse::Nested(symbols.await?)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.read("folding ranges", move |snapshot| features::folding_ranges(snapshot, &params)).await
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let tokens = self.tokens.clone();
        self.read("semantic tokens", move |snapshot| {
            let data = features::semantic_tokens(snapshot, &uri, None)?;
            Some(lock(&tokens).full(uri, data).into())
        })
        .await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let tokens = self.tokens.clone();
        self.read("semantic tokens", move |snapshot| {
            let data = features::semantic_tokens(snapshot, &uri, None)?;
            Some(lock(&tokens).delta(uri, &params.previous_result_id, data))
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        self.read("semantic tokens", move |snapshot| {
            let data = features::semantic_tokens(snapshot, &params.text_document.uri, Some(params.range))?;
            Some(SemanticTokens { result_id: None, data }.into())
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.read("references", move |snapshot| features::references(snapshot, &params)).await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.read("rename", move |snapshot| features::prepare_rename(snapshot, &params)).await?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let confirmable = self.confirms_edits.load(Ordering::Relaxed);
        self.read("rename", move |snapshot| features::rename(snapshot, &params, confirmable)).await?
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.read("code actions", move |snapshot| features::code_actions(snapshot, &params)).await
    }
}
