//! After an edit to a 2,000-line policy, how long until its diagnostics are published:
//! the analysis alone (`tenet::analysis::Analysis::new`), and the whole round trip over
//! an in-memory connection — `didChange` in, `publishDiagnostics` out, the debounce
//! included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::time::Duration;

/// The allocator the `tenet` binary (and so `tenet lsp`) uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let text = tenet_test_support::workloads::long_policy(2_000);
    assert!(text.lines().count() >= 2_000);
    let file = tenet::source::SourceFile::new("big.tenet", text.clone());
    let analysis = tenet::analysis::Analysis::new(&file);
    assert!(analysis.diagnostics().iter().all(|d| !d.is_error()), "{:?}", analysis.diagnostics().first());
    let mut group = c.benchmark_group("lsp");
    group.sample_size(20);
    group.bench_function("analyse 2000 lines", |b| b.iter(|| tenet::analysis::Analysis::new(&file)));
    let const_edit =
        |text: &str, version: i32| text.replacen("const fee_0 = 1%", &format!("const fee_0 = {}%", version % 7 + 1), 1);
    round_trip(&mut group, "edit to published diagnostics, 2000 lines", &text, const_edit);
    // The same policy with a 16 000-row table after it: the same edit, the table's text
    // unchanged, so its analysis is kept.
    let with_table = tenet_test_support::workloads::long_policy_with_table(2_000, 16_000);
    round_trip(&mut group, "edit to published diagnostics, 2000 lines + 16000-row table", &with_table, const_edit);
    // A keystroke in the table itself: one row's result (the table's analysis cannot be
    // kept; its plain rows are read again without pest).
    let row_edit =
        |text: &str, version: i32| text.replacen("=> 8000,\n", &format!("=> {},\n", 8000 + version % 7 + 1), 1);
    round_trip(
        &mut group,
        "edit in the table to published diagnostics, 2000 lines + 16000-row table",
        &with_table,
        row_edit,
    );
    group.finish();
}

/// `didChange` of one const in `text` to `publishDiagnostics`, over an in-memory
/// connection to a server that has the document open.
fn round_trip(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    text: &str,
    edit: impl Fn(&str, i32) -> String,
) {
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || tenet_lsp::serve(&server).unwrap());
    client
        .sender
        .send(Message::Request(Request::new(RequestId::from(1), "initialize".into(), json!({"capabilities": {}}))))
        .unwrap();
    let _ = client.receiver.recv().unwrap();
    client.sender.send(Message::Notification(Notification::new("initialized".into(), json!({})))).unwrap();
    let uri = "file:///tmp/big.tenet";
    client
        .sender
        .send(Message::Notification(Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": uri, "languageId": "tenet", "version": 1, "text": text}}),
        )))
        .unwrap();
    let _ = client.receiver.recv().unwrap();
    let mut version = 1;
    group.bench_function(name, |b| {
        b.iter(|| {
            version += 1;
            let edited = edit(text, version);
            client
                .sender
                .send(Message::Notification(Notification::new(
                    "textDocument/didChange".into(),
                    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": edited}]}),
                )))
                .unwrap();
            match client.receiver.recv_timeout(Duration::from_secs(5)).unwrap() {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => n,
                other => panic!("{other:?}"),
            }
        });
    });
    client.sender.send(Message::Request(Request::new(RequestId::from(2), "shutdown".into(), json!(null)))).unwrap();
    let _ = client.receiver.recv().unwrap();
    client.sender.send(Message::Notification(Notification::new("exit".into(), json!(null)))).unwrap();
    handle.join().unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
