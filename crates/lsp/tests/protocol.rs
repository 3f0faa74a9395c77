//! The language server driven as an editor drives it: real JSON-RPC messages over an
//! in-memory connection — open, change, hover, definition, references, completion,
//! rename, formatting, code action, symbols, close — with the answers snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

use tenet_test_support::root;

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

struct Client {
    conn: Connection,
    server: Option<JoinHandle<()>>,
    next: i32,
    notes: Vec<Notification>,
}

impl Client {
    fn start() -> Client {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || tenet_lsp::serve(&server).expect("serves"));
        let mut c = Client { conn, server: Some(handle), next: 0, notes: Vec::new() };
        let init = c.request("initialize", json!({"capabilities": {}}));
        assert!(init.response_result.is_ok(), "{init:?}");
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn.sender.send(Message::Notification(Notification::new(method.to_owned(), params))).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn.sender.send(Message::Request(Request::new(id.clone(), method.to_owned(), params))).unwrap();
        loop {
            match self.conn.receiver.recv_timeout(Duration::from_secs(20)).expect("an answer") {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.notes.push(n),
                _ => {}
            }
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        match r.response_result {
            Ok(v) => v,
            Err(e) => panic!("{method}: {e:?}"),
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(i) =
                self.notes.iter().position(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
            {
                let n = self.notes.remove(i);
                return n.params["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            match self.conn.receiver.recv_timeout(Duration::from_secs(20)).expect("diagnostics") {
                Message::Notification(n) => self.notes.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The diagnostics last published for `uri`, once the server has caught up (a
    /// request's answer comes after every notification sent before it).
    fn last_diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let _ = self.request("tenet/sync", json!({}));
        let last = self
            .notes
            .iter()
            .rev()
            .find(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
            .expect("published");
        last.params["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tenet", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.response_result.is_ok());
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap();
    }
}

fn pos(text: &str, needle: &str, nth: usize, plus: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("in the text") + plus;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": col})
}

const POLICY: &str = r#"policy demo "演示" version "1"
timezone "Asia/Shanghai"
currency CNY

input {
  request: { reason: "defect" | "changed_mind", amount: money, opened: bool }
}

ledger deductions
const restocking_fee = 10%
let charge = restocking_fee of request.amount

rule "拆封退货收取手续费"
  when request.reason == "changed_mind" and request.opened
  deduct RESTOCKING charge "手续费 {charge}"
"#;

fn doc(path: &Path) -> Value {
    json!({"uri": uri(path)})
}

#[test]
fn a_session_as_an_editor_drives_it() {
    let path = root().join("rules/demo-lsp-session.tenet");
    let u = uri(&path);
    let mut c = Client::start();
    assert_eq!(c.open(&u, POLICY), Vec::<Value>::new(), "a clean policy");

    let hover = c.result(
        "textDocument/hover",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "restocking_fee of", 0, 2)}),
    );
    let definition = c.result(
        "textDocument/definition",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "charge \"", 0, 1)}),
    );
    let references = c.result(
        "textDocument/references",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "let charge", 0, 5), "context": {"includeDeclaration": true}}),
    );
    let input_hover = c.result(
        "textDocument/hover",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "request.amount", 0, 9)}),
    );
    let symbols = c.result("textDocument/documentSymbol", json!({"textDocument": doc(&path)}));
    let rename = c.result(
        "textDocument/rename",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "let charge", 0, 5), "newName": "fee_amount"}),
    );
    let answers = json!({
        "hover": hover, "definition": definition, "references": references,
        "input_hover": input_hover, "symbols": symbols, "rename": rename,
    });
    // The checkout's folder differs between machines: the snapshot names it ROOT.
    let shown = serde_json::to_string_pretty(&answers).unwrap().replace(&uri(&root()), "file://ROOT");
    insta::assert_snapshot!("session", shown);

    // Completion: fields after `request.`, enumeration values inside `== "`, units after a number.
    let edited = POLICY.replace("when request.reason", "when request.");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let fields = c.result(
        "textDocument/completion",
        json!({"textDocument": doc(&path), "position": pos(&edited, "when request.", 0, 13)}),
    );
    let labels: Vec<&str> = fields.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["amount", "opened", "reason"]);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": POLICY}]}),
    );
    let values = c.result(
        "textDocument/completion",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "\"changed_mind\" and", 0, 1)}),
    );
    let labels: Vec<&str> = values.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["defect", "changed_mind"]);
    let units_text = POLICY.replace("const restocking_fee = 10%", "const restocking_fee = 10%\nconst window = 7 ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 4}, "contentChanges": [{"text": units_text}]}),
    );
    let units = c.result(
        "textDocument/completion",
        json!({"textDocument": doc(&path), "position": pos(&units_text, "= 7 ", 0, 4)}),
    );
    assert!(units.as_array().unwrap().iter().any(|i| i["label"] == "business days"));

    // Formatting lays the text out as `tenet fmt` does.
    let messy = POLICY.replace("ledger deductions", "ledger    deductions");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 5}, "contentChanges": [{"text": messy}]}),
    );
    let edits = c.result(
        "textDocument/formatting",
        json!({"textDocument": doc(&path), "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"].as_str().unwrap(), POLICY);

    // Closing clears the file's diagnostics.
    c.notify("textDocument/didClose", json!({"textDocument": doc(&path)}));
    assert_eq!(c.last_diagnostics(&u), Vec::<Value>::new());
    c.stop();
}

/// Three mistakes, three diagnostics, each on its range — columns in UTF-16 units, with
/// Chinese text before them on the line.
#[test]
fn three_mistakes_three_diagnostics_at_their_ranges() {
    let broken = POLICY
        .replace("let charge = restocking_fee of request.amount", "let charge = restocking_fee of request.amont")
        .replace("deduct RESTOCKING charge \"手续费 {charge}\"", "deduct RESTOCKING charge \"手续费 {chargee}\"")
        .replace(
            "when request.reason == \"changed_mind\"",
            "when request.reason == \"changed_mind\" and request.opend",
        );
    let path = root().join("rules/demo-lsp-three.tenet");
    let mut c = Client::start();
    let diags = c.open(&uri(&path), &broken);
    let ranges: Vec<(Value, String)> =
        diags.iter().map(|d| (d["range"].clone(), d["code"].as_str().unwrap_or("").to_owned())).collect();
    assert_eq!(diags.len(), 3, "{diags:#?}");
    let expect = |needle: &str, len: usize| {
        let start = pos(&broken, needle, 0, 0);
        let mut end = start.clone();
        end["character"] = json!(start["character"].as_u64().unwrap() + len as u64);
        json!({"start": start, "end": end})
    };
    assert!(ranges.iter().any(|(r, _)| *r == expect("amont", 5)), "{ranges:#?}");
    assert!(ranges.iter().any(|(r, _)| *r == expect("opend", 5)), "{ranges:#?}");
    assert!(
        ranges.iter().any(|(r, _)| *r == expect("chargee", 7)),
        "after 手续费 the column counts UTF-16 units: {ranges:#?}"
    );
    // The did-you-mean becomes a quick fix.
    let actions = c.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(&path), "range": expect("opend", 5), "context": {"diagnostics": []}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"]["changes"][uri(&path)][0];
    // The edit replaces the misspelt field only: applied, the line reads `request.opened`
    // (not `request.request.opened`).
    assert_eq!(edit["range"], expect("opend", 5), "{edit}");
    assert_eq!(edit["newText"], "opened");
    let line_no = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    let line = broken.lines().nth(line_no).unwrap();
    let utf16: Vec<u16> = line.encode_utf16().collect();
    let (from, to) = (
        edit["range"]["start"]["character"].as_u64().unwrap() as usize,
        edit["range"]["end"]["character"].as_u64().unwrap() as usize,
    );
    let fixed = format!(
        "{}{}{}",
        String::from_utf16(&utf16[..from]).unwrap(),
        edit["newText"].as_str().unwrap(),
        String::from_utf16(&utf16[to..]).unwrap()
    );
    assert!(fixed.ends_with("and request.opened"), "{fixed}");
    c.stop();
}

/// While the text has a syntax error, requests answer from the last good parse; bad
/// requests get JSON-RPC errors and the server keeps going.
#[test]
fn broken_text_and_bad_requests() {
    let path = root().join("rules/demo-lsp-broken.tenet");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, POLICY);
    let broken = POLICY.replace("ledger deductions", "ledger deductions\nconst = ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let hover = c.result(
        "textDocument/hover",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "restocking_fee of", 0, 2)}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("const restocking_fee = 10%"), "{hover}");
    assert!(!c.diagnostics(&u).is_empty(), "the syntax error is published");
    let bad = c.request("textDocument/hover", json!({"textDocument": 42}));
    assert_eq!(bad.response_result.err().map(|e| e.code), Some(lsp_server::ErrorCode::InvalidParams as i32));
    let unknown = c.request("tenet/unknown", json!({}));
    assert_eq!(unknown.response_result.err().map(|e| e.code), Some(lsp_server::ErrorCode::MethodNotFound as i32));
    let refused = c.request(
        "textDocument/rename",
        json!({"textDocument": doc(&path), "position": pos(POLICY, "restocking_fee of", 0, 2), "newName": "when"}),
    );
    assert!(refused.response_result.is_err(), "a keyword is not a name");
    c.stop();
}

/// A case file's typo shows in the editor, on its key.
#[test]
fn case_files_are_checked_against_their_policy() {
    let path = root().join("examples/cases/lsp-typo.yaml");
    let text = std::fs::read_to_string(root().join("examples/cases/agreement-history.yaml"))
        .unwrap()
        .replace("    number: TS-2026-0042", "    numbr: TS-2026-0042");
    let mut c = Client::start();
    let diags = c.open(&uri(&path), &text);
    assert!(!diags.is_empty(), "the typo is found");
    let d = &diags[0];
    assert!(d["message"].as_str().unwrap().contains("did you mean `number`?"), "{d}");
    assert_eq!(d["range"]["start"], pos(&text, "numbr", 0, 0));
    // An unknown event is shown on its name.
    let text = std::fs::read_to_string(root().join("examples/cases/agreement-history.yaml"))
        .unwrap()
        .replace("event: send_nda", "event: send_nad");
    let diags = c.open(&uri(&path), &text);
    assert!(diags.iter().any(|d| d["range"]["start"] == pos(&text, "send_nad", 0, 0)), "{diags:#?}");
    c.stop();
}

/// A mistake in a holiday file the policy names is published on that file.
#[test]
fn holiday_file_problems_go_to_the_holiday_file() {
    let dir = std::env::temp_dir().join(format!("tenet-lsp-holidays-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("days.yaml"), "year: 2026\ntimezone: Asia/Shanghai\nholidays:\n  - 2026-13-01\n").unwrap();
    let text = "policy p version \"1\"\ntimezone \"Asia/Shanghai\"\ninput { at: datetime }\ncalendar work {\n  monday..friday 09:00-18:00\n  holidays \"days.yaml\"\n}\noutput later = due(work, at, 2 hours)\n";
    let path = dir.join("p.tenet");
    let mut c = Client::start();
    c.open(&uri(&path), text);
    let holidays = c.diagnostics(&uri(&dir.join("days.yaml")));
    assert_eq!(holidays.len(), 1, "{holidays:#?}");
    assert_eq!(holidays[0]["range"]["start"]["line"], 3, "on the bad date's line: {holidays:#?}");
    c.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A mistake in a table's CSV file is published on the CSV file, at its line; once the
/// CSV is fixed, the next analysis withdraws it.
#[test]
fn csv_table_problems_go_to_the_csv_file_and_are_withdrawn_once_fixed() {
    let dir = std::env::temp_dir().join(format!("tenet-lsp-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rates.csv"), "region,kg,rate\nnorth,[0..1),12.00\nnorth,LIMIT,3\n").unwrap();
    let text = "policy p version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\ninput { region: text, kg: decimal }\ntable rate(region: text, kg: decimal) -> money from \"rates.csv\"\noutput price = rate(region, kg)\n";
    let path = dir.join("p.tenet");
    let (u, csv) = (uri(&path), uri(&dir.join("rates.csv")));
    let mut c = Client::start();
    assert!(c.open(&u, text).is_empty(), "the policy itself is fine");
    let problems = c.diagnostics(&csv);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["code"], "csv-table");
    assert_eq!(problems[0]["range"]["start"], json!({"line": 2, "character": 6}), "at `LIMIT`: {problems:#?}");
    // Fixed on disk, and the editor says so: checked again, withdrawn.
    std::fs::write(dir.join("rates.csv"), "region,kg,rate\nnorth,[0..1),12.00\nnorth,[1..5),3\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": csv, "type": 2}]}));
    assert!(c.last_diagnostics(&csv).is_empty(), "withdrawn once fixed");
    // Broken again, then the policy edited: checked again with the CSV as it is now.
    std::fs::write(dir.join("rates.csv"), "region,kg,rate\nnorth,[0..1),LIMIT\n").unwrap();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": format!("{text}\n")}]}),
    );
    assert_eq!(c.last_diagnostics(&csv).len(), 1, "the CSV as it is now");
    c.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Semantic tokens name each word by what it is: decoded back to (line, column, length,
/// type) and checked at a const's use, an input path, a code and a builtin.
#[test]
fn semantic_tokens_tell_names_apart() {
    let path = root().join("rules/demo-lsp-tokens.tenet");
    let mut c = Client::start();
    c.open(&uri(&path), POLICY);
    let tokens = c.result("textDocument/semanticTokens/full", json!({"textDocument": doc(&path)}));
    let data: Vec<u64> = tokens["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let (mut line, mut col) = (0, 0);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        decoded.push((line, col, t[2], t[3]));
    }
    let at = |needle: &str, nth: usize| {
        let p = pos(POLICY, needle, nth, 0);
        (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap())
    };
    let kind = |needle: &str, nth: usize| {
        let (l, c) = at(needle, nth);
        decoded.iter().find(|t| t.0 == l && t.1 == c).map(|t| t.3)
    };
    assert_eq!(kind("restocking_fee of", 0), Some(1), "a const: variable");
    assert_eq!(kind("request.amount", 0), Some(0), "an input field: property");
    assert_eq!(kind("RESTOCKING", 0), Some(6), "a code: macro");
    assert_eq!(kind("deductions", 0), Some(3), "a ledger: type");
    // Hovering a rule's name shows its condition and outcomes.
    let hover =
        c.result("textDocument/hover", json!({"textDocument": doc(&path), "position": pos(POLICY, "拆封", 0, 0)}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("when request.reason") && shown.contains("deduct RESTOCKING charge"), "{shown}");
    c.stop();
}
