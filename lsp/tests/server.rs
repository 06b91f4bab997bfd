//! Drives the language server in process: the real `Server` and `LspService` over an in-memory
//! pipe, with JSON-RPC framing written by hand, so no editor or subprocess is needed.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tower_lsp_server::{LspService, Server};

use concord_lsp::{Backend, Config};

struct TestClient {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    cache_base: std::path::PathBuf,
}

impl Drop for TestClient {
    fn drop(&mut self) {
        // The copies are read-only, but their directory is not: removing them works on Unix.
        let _ = std::fs::remove_dir_all(&self.cache_base);
    }
}

impl TestClient {
    /// Starts a server whose standard library copy goes under a directory named after `test`.
    fn start(test: &str) -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let cache_base = std::env::temp_dir().join(format!("concord-lsp-{test}-{}", std::process::id()));
        let config = Config { cache_base: cache_base.clone() };
        let (service, socket) = LspService::new(move |client| Backend::new(client, config));
        let (server_read, server_write) = tokio::io::split(server_end);
        tokio::spawn(Server::new(server_read, server_write, socket).serve(service));
        let (reader, writer) = tokio::io::split(client_end);
        TestClient { reader: BufReader::new(reader), writer, cache_base }
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
    }

    async fn receive(&mut self) -> Value {
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
    async fn receive_matching(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let wait = async {
            loop {
                let message = self.receive().await;
                if wanted(&message) {
                    return message;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), wait).await.expect("the server answers in time")
    }

    async fn initialize(&mut self) {
        self.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})).await;
        let response = self.receive_matching(|message| message["id"] == 1).await;
        assert_eq!(response["result"]["capabilities"]["hoverProvider"], true);
        self.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})).await;
    }

    async fn open(&mut self, uri: &str, text: &str) {
        let document = json!({"uri": uri, "languageId": "concord", "version": 1, "text": text});
        self.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}))
            .await;
    }
}

const BROKEN: &str = r#"rulebook demo.rules { title "Démo" }
import std.lexicon
term x = system.modl
term x = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_publishes_every_diagnostic_with_codes_and_related_locations() {
    let mut client = TestClient::start("diagnostics");
    client.initialize().await;
    client.open("file:///work/in-process/rules.concord", BROKEN).await;
    let published = client.receive_matching(|message| message["method"] == "textDocument/publishDiagnostics").await;
    let params = &published["params"];
    assert_eq!(params["uri"], "file:///work/in-process/rules.concord");
    assert_eq!(params["version"], 1);
    let diagnostics = params["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics.iter().map(|it| it["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unknown-field", "duplicate-definition"]);
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 2, "character": 16}, "end": {"line": 2, "character": 20}})
    );
    let related = &diagnostics[1]["relatedInformation"][0];
    assert_eq!(related["location"]["range"]["start"], json!({"line": 2, "character": 5}));
    assert_eq!(related["message"], "first declared here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_answers_from_a_snapshot() {
    let mut client = TestClient::start("hover");
    client.initialize().await;
    client.open("file:///work/in-process/hover.concord", BROKEN).await;
    let position = json!({"line": 2, "character": 11});
    let params = json!({"textDocument": {"uri": "file:///work/in-process/hover.concord"}, "position": position});
    client.send(json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": params})).await;
    let response = client.receive_matching(|message| message["id"] == 2).await;
    let hover = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("record System"), "{hover}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_document_clears_its_diagnostics() {
    let mut client = TestClient::start("close");
    client.initialize().await;
    let uri = "file:///work/in-process/closed.concord";
    client.open(uri, BROKEN).await;
    let opened = client.receive_matching(|message| message["method"] == "textDocument/publishDiagnostics").await;
    assert!(!opened["params"]["diagnostics"].as_array().unwrap().is_empty());
    client
        .send(json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}}))
        .await;
    let closed = client
        .receive_matching(|message| {
            message["method"] == "textDocument/publishDiagnostics" && message["params"]["version"].is_null()
        })
        .await;
    assert_eq!(closed["params"]["uri"], uri);
    assert_eq!(closed["params"]["diagnostics"], json!([]));
}
