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

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::hint::black_box;

mod common;

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

criterion_group!(benches, bench, bench_sla);
criterion_main!(benches);
