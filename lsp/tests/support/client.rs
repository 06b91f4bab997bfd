//! A client that drives the language server with JSON-RPC framing written by hand: in process (the
//! real `Server` and `LspService` over an in-memory pipe) or over the stdio of a `concord lsp`
//! child. Shared by the in-process tests and the latency benchmark (which includes it by path).

#![allow(dead_code, reason = "each includer uses a part")]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use concord_lang::db::QueryLog;
use concord_lsp::{Backend, Config, Snapshots};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::{LspService, Server};

fn cache_base(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("concord-lsp-{test}-{}", std::process::id()))
}

/// A client of one server, in process or over a child's stdio.
pub struct TestClient {
    reader: BufReader<Box<dyn AsyncRead + Unpin + Send>>,
    writer: Box<dyn AsyncWrite + Unpin + Send>,
    /// Where the server writes the standard library; removed at the end.
    cache_base: PathBuf,
    /// Snapshots of the server's database, to look into it (in process only).
    pub snapshots: Option<Snapshots>,
}

impl Drop for TestClient {
    fn drop(&mut self) {
        // The copies are read-only, but their directory is not: removing them works on Unix.
        let _ = std::fs::remove_dir_all(&self.cache_base);
    }
}

impl TestClient {
    /// Starts a server whose standard library copy goes under a directory named after `test`.
    pub fn start(test: &str) -> TestClient {
        TestClient::start_with(test, None)
    }

    /// Starts a server whose database reports the queries it executes to `query_log`.
    pub fn start_with(test: &str, query_log: Option<QueryLog>) -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let cache_base = cache_base(test);
        let config = Config { query_log, ..Config::new(cache_base.clone()) };
        let (service, socket) = LspService::new(move |client| Backend::new(client, config));
        let snapshots = service.inner().snapshots();
        let (server_read, server_write) = tokio::io::split(server_end);
        tokio::spawn(Server::new(server_read, server_write, socket).serve(service));
        let (reader, writer) = tokio::io::split(client_end);
        TestClient {
            reader: BufReader::new(Box::new(reader)),
            writer: Box::new(writer),
            cache_base,
            snapshots: Some(snapshots),
        }
    }

    /// Talks to `concord lsp` run as `binary`, over its stdin and stdout; the child is killed when
    /// the client is dropped.
    pub fn spawn(test: &str, binary: &Path) -> std::io::Result<TestClient> {
        let cache_base = cache_base(test);
        let mut child = tokio::process::Command::new(binary)
            .arg("lsp")
            .env("XDG_CACHE_HOME", &cache_base)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("the server has no stdio"));
        };
        // The runtime reaps the child once it is killed.
        tokio::spawn(async move { child.wait().await });
        Ok(TestClient {
            reader: BufReader::new(Box::new(stdout)),
            writer: Box::new(stdin),
            cache_base,
            snapshots: None,
        })
    }

    pub async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
    }

    pub async fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The next message with this method (a notification) or this id (a response).
    pub async fn receive_matching(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let wait = async {
            loop {
                let message = self.receive().await;
                if wanted(&message) {
                    return message;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), wait).await.expect("the server answers in time")
    }

    pub async fn initialize(&mut self) {
        self.initialize_with(json!({"capabilities": {}})).await;
    }

    pub async fn initialize_with(&mut self, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})).await;
        let response = self.receive_matching(|message| message["id"] == 1).await;
        assert_eq!(response["result"]["capabilities"]["hoverProvider"], true);
        self.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})).await;
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        let document = json!({"uri": uri, "languageId": "concord", "version": 1, "text": text});
        self.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}))
            .await;
    }

    pub async fn change(&mut self, uri: &str, version: i32, text: &str) {
        let params = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]});
        self.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params})).await;
    }

    /// The diagnostics published for this version of the document.
    pub async fn diagnostics(&mut self, uri: &str, version: i32) -> Value {
        self.receive_matching(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
        })
        .await
    }

    /// The response to a request.
    pub async fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        self.receive_matching(|message| message["id"] == id).await
    }
}
