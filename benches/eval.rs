//! Evaluation speed of the bundled return policy.
//!
//! `eval/parsed_facts`: one evaluation from facts already validated (the compiled
//! program's hot path). `eval/json_end_to_end`: the same from a JSON string — parse,
//! validate against the schema, evaluate.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tenet::Policy;
use tenet::facts::Format;

fn returns_policy() -> Policy {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/returns.tenet");
    let text = std::fs::read_to_string(path).expect("bundled policy");
    Policy::from_text("rules/returns.tenet", &text).expect("bundled policy is valid")
}

fn bench(c: &mut Criterion) {
    let policy = returns_policy();
    let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/returns/opened-keyboard.json"))
        .expect("example facts");
    let facts = policy.facts_from_text(&json, Format::Json).expect("valid facts");
    let now = facts.now.expect("now");

    let mut group = c.benchmark_group("eval");
    group.bench_function("parsed_facts", |b| b.iter(|| policy.evaluate(black_box(&facts), now).expect("evaluates")));
    group.bench_function("json_end_to_end", |b| {
        b.iter(|| {
            let facts = policy.facts_from_text(black_box(&json), Format::Json).expect("valid facts");
            policy.evaluate(&facts, now).expect("evaluates")
        })
    });
    group.bench_function("explained", |b| b.iter(|| policy.explain(black_box(&facts), now).expect("evaluates")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
