//! The database's owner: one thread that applies edits strictly in the order they were queued,
//! and hands out snapshots (clones of the engine) to readers.
//!
//! Handlers queue a command before their first `.await`, so edits keep the order the client sent
//! them in even though tower-lsp-server may run notification handlers concurrently. After each
//! edit the owner sends a fresh snapshot to the diagnostics publisher. It knows nothing of the
//! protocol beyond URIs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use concord_lang::Engine;
use concord_lang::db::{Database, SourceFile, workspace_files};
use concord_lang::stdlib::is_stdlib_path;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::ls_types::Uri;

/// What the owner thread is asked to do, in order.
pub enum Command {
    /// A document the editor opened or changed, with its whole text.
    Edit {
        uri: Uri,
        version: i32,
        text: String,
    },
    Close {
        uri: Uri,
    },
    /// A file of the workspace that the editor has not opened.
    Load {
        path: PathBuf,
        text: String,
    },
    Snapshot(oneshot::Sender<Snapshot>),
}

/// A consistent view of every file, for one reader. Dropping it releases the database.
#[derive(Clone)]
pub struct Snapshot {
    pub engine: Engine,
    pub documents: Arc<Documents>,
}

/// Which documents the editor has open, and how paths and URIs correspond.
#[derive(Clone, Default)]
pub struct Documents {
    /// Open documents by the path the engine knows them by, with their URI and version.
    pub open: BTreeMap<String, (Uri, i32)>,
    /// Documents that were open once and are closed now: their diagnostics are cleared.
    pub closed: BTreeMap<String, Uri>,
    /// Where the standard library was written, if it could be.
    pub stdlib_dir: Option<PathBuf>,
}

impl Documents {
    /// The path the engine knows a URI by: a file path for `file:` URIs, the URI itself otherwise,
    /// and the embedded path (`std/lexicon.concord`) for the standard library's cached copies.
    pub fn path_of(&self, uri: &Uri) -> String {
        let Some(path) = uri.to_file_path() else { return uri.as_str().to_owned() };
        if let Some(dir) = &self.stdlib_dir
            && let Ok(relative) = path.strip_prefix(dir)
        {
            let relative = relative.to_string_lossy().replace('\\', "/");
            if is_stdlib_path(&relative) {
                return relative;
            }
        }
        path.to_string_lossy().into_owned()
    }

    /// The URI of a path the engine knows.
    pub fn uri_of(&self, path: &str) -> Option<Uri> {
        if let Some((uri, _)) = self.open.get(path) {
            return Some(uri.clone());
        }
        if is_stdlib_path(path) {
            return Uri::from_file_path(self.stdlib_dir.as_ref()?.join(path));
        }
        match Path::new(path).is_absolute() {
            true => Uri::from_file_path(path),
            false => path.parse().ok(),
        }
    }
}

impl Snapshot {
    /// The database's file for a URI.
    pub fn file(&self, uri: &Uri) -> Option<SourceFile> {
        let path = self.documents.path_of(uri);
        let db = self.engine.database();
        workspace_files(db).into_iter().find(|file| file.path(db) == &path)
    }
}

/// Starts the owner thread. It stops when every sender of commands is dropped.
pub fn spawn_owner(
    stdlib_dir: Option<PathBuf>,
    database: Database,
    published: mpsc::UnboundedSender<Snapshot>,
) -> mpsc::UnboundedSender<Command> {
    let (commands, receiver) = mpsc::unbounded_channel();
    let documents = Documents { stdlib_dir, ..Documents::default() };
    std::thread::Builder::new()
        .name("concord-db".to_owned())
        .spawn(move || own(receiver, Engine::with_database(database), documents, published))
        .map_err(|error| eprintln!("concord lsp: cannot start the database thread: {error}"))
        .ok();
    commands
}

fn own(
    mut receiver: mpsc::UnboundedReceiver<Command>,
    mut engine: Engine,
    mut documents: Documents,
    published: mpsc::UnboundedSender<Snapshot>,
) {
    let mut loaded = BTreeSet::new();
    while let Some(command) = receiver.blocking_recv() {
        match command {
            Command::Snapshot(reply) => {
                let _ = reply.send(Snapshot { engine: engine.clone(), documents: Arc::new(documents.clone()) });
                continue;
            }
            Command::Edit { uri, version, text } => {
                let path = documents.path_of(&uri);
                if is_stdlib_path(&path) {
                    // The standard library is read-only: an edit of its cached copy is ignored.
                    continue;
                }
                if let Some((_, current)) = documents.open.get(&path)
                    && *current > version
                {
                    eprintln!("concord lsp: ignored version {version} of `{path}`, older than {current}");
                    continue;
                }
                engine.add_source(&path, &text);
                documents.closed.remove(&path);
                documents.open.insert(path, (uri, version));
            }
            Command::Close { uri } => {
                let path = documents.path_of(&uri);
                if documents.open.remove(&path).is_some() {
                    documents.closed.insert(path, uri);
                }
            }
            Command::Load { path, text } => {
                let path = path.to_string_lossy().into_owned();
                if documents.open.contains_key(&path) || !loaded.insert(path.clone()) {
                    continue;
                }
                engine.add_source(&path, &text);
            }
        }
        let _ = published.send(Snapshot { engine: engine.clone(), documents: Arc::new(documents.clone()) });
    }
}
