//! Drives the language server in process: the real `Server` and `LspService` over an in-memory
//! pipe, with JSON-RPC framing written by hand (`support/client.rs`), so no editor or subprocess
//! is needed.

mod support;

use concord_lang::db::{QueryLog, items};
use salsa::plumbing::AsId;
use serde_json::{Value, json};
use support::client::TestClient;

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

const TWO_RULES: &str = r#"rulebook inc.server { title "Incrementality through the server" }
import std.lexicon

redline alpha {
  cite "Art. 1"
  forbids use
  when system.purposes contains social_scoring
}

redline beta {
  cite "Art. 2"
  forbids use
  when system.purposes contains credit_scoring
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_through_the_server_rechecks_only_the_item_it_touched() {
    let log = QueryLog::default();
    let mut client = TestClient::start_with("incremental", Some(log.clone()));
    client.initialize().await;
    let uri = "file:///work/in-process/incremental.concord";
    client.open(uri, TWO_RULES).await;
    assert_eq!(client.diagnostics(uri, 1).await["params"]["diagnostics"], json!([]));
    let (alpha, beta) = {
        let snapshots = client.snapshots.clone().expect("an in-process server");
        let snapshot = snapshots.get().await.expect("the database thread runs");
        let db = snapshot.engine.database();
        let file = snapshot.file(&uri.parse().unwrap()).expect("the document is open");
        let id = |name: &str| items(db, file).iter().find(|item| item.name(db) == name).map(|item| item.as_id());
        (id("alpha").unwrap(), id("beta").unwrap())
    };
    assert!(log.ran("check_item", alpha) && log.ran("check_item", beta), "the first check runs both");

    log.clear();
    let edited = TWO_RULES.replace("contains social_scoring", "contains emotion_recognition_workplace");
    client.change(uri, 2, &edited).await;
    assert_eq!(client.diagnostics(uri, 2).await["params"]["diagnostics"], json!([]));
    assert!(log.ran("parse", alpha), "the edited item is parsed again");
    assert!(log.ran("check_item", alpha), "the edited item is checked again");
    assert!(!log.ran("parse", beta), "the other item is not parsed again");
    assert!(!log.ran("check_item", beta), "the other item is not checked again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_standard_library_term_shows_its_mapped_counterparts() {
    let mut client = TestClient::start("counterparts");
    client.initialize().await;
    let text = "rulebook demo.mapped { title \"Mapped\" }\nimport us.ca.sb53 as ca\nterm x = ca.frontier_model\n";
    let uri = "file:///work/in-process/mapped.concord";
    client.open(uri, text).await;
    let params = json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 14}});
    let response = client.request(2, "textDocument/hover", params).await;
    let hover = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("term frontier_model: bool"), "{hover}");
    assert!(
        hover.contains(
            "- overlapping with `compute_presumption` of `eu.ai_act` (cites Art. 51(2)), by mapping `models` of `map.eu_ai_act.us_ca_sb53`"
        ),
        "{hover}"
    );
}

/// The tokens of a response as (line, character, length, type) in absolute positions.
fn absolute_tokens(data: &[Value]) -> Vec<[u64; 4]> {
    let (mut line, mut character) = (0, 0);
    data.chunks(5)
        .map(|token| {
            let field = |idx: usize| token[idx].as_u64().unwrap();
            if field(0) > 0 {
                character = 0;
            }
            line += field(0);
            character += field(1);
            [line, character, field(2), field(3)]
        })
        .collect()
}

/// Applies a delta's edits to the integers of the previous answer, as a client does.
fn apply_edits(previous: &[Value], edits: &[Value]) -> Vec<Value> {
    let mut data = previous.to_vec();
    for edit in edits.iter().rev() {
        let start = edit["start"].as_u64().unwrap() as usize;
        let end = start + edit["deleteCount"].as_u64().unwrap() as usize;
        let inserted = edit["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..end, inserted);
    }
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_for_a_range_and_as_a_delta() {
    let mut client = TestClient::start("tokens");
    client.initialize().await;
    let uri = "file:///work/in-process/tokens.concord";
    client.open(uri, TWO_RULES).await;
    let document = json!({"uri": uri});
    let full = client.request(2, "textDocument/semanticTokens/full", json!({"textDocument": document})).await;
    let full = &full["result"];
    let data = full["data"].as_array().unwrap().clone();
    let all = absolute_tokens(&data);

    // A range answers the tokens that overlap it, encoded from the start of the document.
    let range = json!({"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}});
    let ranged =
        client.request(3, "textDocument/semanticTokens/range", json!({"textDocument": document, "range": range})).await;
    let ranged = absolute_tokens(ranged["result"]["data"].as_array().unwrap());
    let expected: Vec<[u64; 4]> = all.iter().copied().filter(|token| (3..6).contains(&token[0])).collect();
    assert!(!expected.is_empty());
    assert_eq!(ranged, expected);

    // After an edit of one line, the delta against the first answer gives the new tokens, and
    // replaces only the tokens around that line.
    let edited = TWO_RULES.replace("  cite \"Art. 1\"", "  cite \"Art. 1\" status binding");
    client.change(uri, 2, &edited).await;
    let previous = full["resultId"].as_str().unwrap();
    let params = json!({"textDocument": document, "previousResultId": previous});
    let delta = client.request(4, "textDocument/semanticTokens/full/delta", params).await;
    let delta = &delta["result"];
    let edits = delta["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{delta}");
    assert!(edits[0]["deleteCount"].as_u64().unwrap() < data.len() as u64 / 2, "{delta}");
    let patched = apply_edits(&data, edits);
    let fresh = client.request(5, "textDocument/semanticTokens/full", json!({"textDocument": document})).await;
    assert_eq!(&patched, fresh["result"]["data"].as_array().unwrap());
    assert_ne!(delta["resultId"], full["resultId"]);

    // A delta against a result id that is not the last answer gives all the tokens.
    let params = json!({"textDocument": document, "previousResultId": previous});
    let stale = client.request(6, "textDocument/semanticTokens/full/delta", params).await;
    assert_eq!(&stale["result"]["data"], &fresh["result"]["data"]);
}

/// `web` is a value of an enum that a record field takes, so descriptions may write it.
const VALUES: &str = r#"rulebook demo.values { title "Values" }
import std.lexicon
enum Channel { web, phone }
record Contact { channel: Channel }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_value_descriptions_write_asks_for_confirmation_or_is_refused() {
    let uri = "file:///work/in-process/values.concord";
    let rename = json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 16}, "newName": "online"});

    let mut plain = TestClient::start("rename-plain");
    plain.initialize().await;
    plain.open(uri, VALUES).await;
    let refused = plain.request(2, "textDocument/rename", rename.clone()).await;
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("description files (JSON, YAML)"), "{refused}");
    assert!(message.contains("cannot ask to confirm"), "{refused}");

    let mut confirming = TestClient::start("rename-confirm");
    let capabilities =
        json!({"workspace": {"workspaceEdit": {"documentChanges": true, "changeAnnotationSupport": {}}}});
    confirming.initialize_with(json!({"capabilities": capabilities})).await;
    confirming.open(uri, VALUES).await;
    let answer = confirming.request(2, "textDocument/rename", rename).await;
    let edit = &answer["result"];
    let annotation = &edit["changeAnnotations"]["description-files"];
    assert_eq!(annotation["needsConfirmation"], true, "{answer}");
    assert!(annotation["description"].as_str().unwrap().contains("`Contact.channel`"), "{answer}");
    let edits = edit["documentChanges"][0]["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{answer}");
    assert_eq!(edits[0]["newText"], "online");
    assert_eq!(edits[0]["annotationId"], "description-files");
}
