//! Evaluation speed of the bundled return policy.
//!
//! `eval/parsed_facts`: one evaluation from facts already validated (the compiled
//! program's hot path). `eval/json_end_to_end`: the same from a JSON string — parse,
//! validate against the schema, evaluate. `eval/floor_read_facts`: the floor under both —
//! the same JSON string read and validated into the engine's form, nothing evaluated; an
//! evaluation is reported in BENCHMARKS.md as a multiple of it. `eval/result_json`: the
//! whole result object written as JSON text (`Evaluation::report`, what `tenet serve`
//! answers).
//!
//! `sla/month_200_tickets`: the bundled SLA policy over a month of 200 tickets (all
//! priorities, business-hour clocks, pauses, some pending at `now`).
//!
//! `case/read_50_events`: what `tenet serve` does to answer `GET /v1/cases/{id}` for a
//! return with 50 events once the case is cached — the replay resumed from its progress
//! (no event judged again, the deadlines and outputs at `now`) and the case view written
//! as JSON text (`Replay::view`). `case/view_json_50_events`: the last step alone.
//! `case/append_50th_event`: an event's append — the replay resumed from the progress
//! through 49 events, the 50th judged, the view written and the progress through all 50
//! made for the next read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::hint::black_box;

use tenet_test_support::workloads as common;

use common::{bundled, month_of_tickets};
use criterion::{Criterion, criterion_group, criterion_main};
use tenet::facts::Format;

fn bench(c: &mut Criterion) {
    let policy = bundled("returns");
    let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/returns/opened-keyboard.json"))
        .expect("example facts");
    let facts = policy.facts_from_text(&json, Format::Json).expect("valid facts");
    let now = facts.now().expect("now");

    let mut group = c.benchmark_group("eval");
    group.bench_function("parsed_facts", |b| b.iter(|| policy.evaluate(black_box(&facts), now).expect("evaluates")));
    group.bench_function("json_end_to_end", |b| {
        b.iter(|| {
            let facts = policy.facts_from_text(black_box(&json), Format::Json).expect("valid facts");
            policy.evaluate(&facts, now).expect("evaluates")
        })
    });
    group.bench_function("floor_read_facts", |b| {
        b.iter(|| policy.facts_from_text(black_box(&json), Format::Json).expect("valid facts"))
    });
    let evaluation = policy.evaluate(&facts, now).expect("evaluates");
    group.bench_function("result_json", |b| {
        b.iter(|| serde_json::to_string(&black_box(&evaluation).report(None)).expect("serializes"))
    });
    group.bench_function("explained", |b| b.iter(|| policy.explain(black_box(&facts), now).expect("evaluates")));
    group.finish();
}

fn bench_sla(c: &mut Criterion) {
    let policy = bundled("support_sla");
    let json = month_of_tickets(200);
    let facts = policy.facts_from_text(&json, Format::Json).expect("valid facts");
    let now = facts.now().expect("now");
    let mut group = c.benchmark_group("sla");
    group.bench_function("month_200_tickets", |b| {
        b.iter(|| policy.evaluate(black_box(&facts), now).expect("evaluates"))
    });
    group.bench_function("month_200_tickets_json", |b| {
        b.iter(|| {
            let facts = policy.facts_from_text(black_box(&json), Format::Json).expect("valid facts");
            policy.evaluate(&facts, now).expect("evaluates")
        })
    });
    group.finish();
}

/// The example return up to its refund, then refund updates until it has `n` events.
fn return_with_events(n: usize) -> tenet::workflow::Case {
    let path = common::root().join("examples/cases/return-refunded.yaml");
    let text = std::fs::read_to_string(&path).expect("example case");
    let mut yaml: yaml_serde::Value = yaml_serde::from_str(&text).expect("yaml");
    let events = yaml["events"].as_sequence_mut().expect("events");
    events.truncate(5);
    for i in 5..n {
        let at = format!("2026-11-09T{:02}:{:02}:00+08:00", 10 + i / 60, i % 60);
        let update =
            format!("{{at: '{at}', event: refund_update, by: finance, data: {{refund: {{status: processing}}}}}}");
        events.push(yaml_serde::from_str(&update).expect("event"));
    }
    let text = yaml_serde::to_string(&yaml).expect("yaml");
    let file = tenet::source::SourceFile::new(path.display().to_string(), text);
    tenet::workflow::Case::parse(&file, Format::Yaml).expect("a valid case")
}

fn bench_case(c: &mut Criterion) {
    let policy = bundled("returns");
    let case = return_with_events(50);
    let now = "2026-11-20T12:00:00+08:00".parse().expect("now");
    let (replay, checkpoint) = policy.replay_resuming(&case, now, None).expect("replays");
    assert_eq!(replay.trail().len(), 50);
    let mut group = c.benchmark_group("case");
    group.bench_function("read_50_events", |b| {
        b.iter(|| {
            let (replay, _) = policy.replay_resuming(black_box(&case), now, checkpoint.as_ref()).expect("replays");
            serde_json::to_string(&replay.view(Some("R-1"), None, Some("system_clock"))).expect("serializes")
        })
    });
    let mut before = case.clone();
    before.events.pop();
    let (_, progress) = policy.replay_resuming(&before, now, None).expect("replays");
    group.bench_function("append_50th_event", |b| {
        b.iter(|| {
            let (replay, next) = policy.replay_resuming(black_box(&case), now, progress.as_ref()).expect("replays");
            let view = serde_json::to_string(&replay.view(Some("R-1"), None, Some("system_clock")));
            (view.expect("serializes"), next)
        })
    });
    group.bench_function("view_json_50_events", |b| {
        b.iter(|| {
            serde_json::to_string(&black_box(&replay).view(Some("R-1"), None, Some("system_clock")))
                .expect("serializes")
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_sla, bench_case);
criterion_main!(benches);
