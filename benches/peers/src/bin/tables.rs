//! Large decision tables side by side (issue 36): the same generated table of N rows
//! (`workloads::big_table`: an int range, a text equality, a decimal comparison, rows
//! disjoint; hit `first`, as GoRules Zen has no `unique`) in tenet and in Zen as a JDM
//! decision table node. For each N: the load (tenet: parse, check with its lints,
//! compile with its index; Zen: the JDM JSON read into its model, the decision created
//! and compiled) and the time per decision over calls spread across the rows — after
//! checking that both choose the same row for every call. One run, one thread.
//!   cd benches/peers && cargo run --release --bin tables

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tenet::facts::Format;
use tenet_test_support::workloads as common;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The JDM of `big_table(rows, "first")`: input → decision table → output.
fn jdm(rows: usize) -> String {
    let mut rules = Vec::with_capacity(rows);
    for i in 0..rows {
        rules.push(serde_json::json!({
            "_id": format!("r{i}"),
            "a": format!("[{}..{})", i * 10, i * 10 + 10),
            "s": format!("\"r{}\"", i % 50),
            "d": format!("< {}.5", 100 + i % 7),
            "x": i.to_string(),
        }));
    }
    serde_json::json!({
        "nodes": [
            {"id": "in", "name": "request", "type": "inputNode", "content": {}},
            {"id": "t", "name": "t", "type": "decisionTableNode", "content": {
                "hitPolicy": "first",
                "inputs": [{"id": "a", "name": "a", "field": "a"}, {"id": "s", "name": "s", "field": "s"}, {"id": "d", "name": "d", "field": "d"}],
                "outputs": [{"id": "x", "name": "x", "field": "x"}],
                "rules": rules,
            }},
            {"id": "out", "name": "response", "type": "outputNode", "content": {}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
            {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"},
        ],
    })
    .to_string()
}

/// The median of `f`'s times over `n` runs.
fn median(n: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn main() {
    const CALLS: usize = 2_000;
    let now = "2026-11-10T12:00:00+08:00".parse().expect("now");
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    println!("| rows | load, tenet | load, zen | per decision, tenet | per decision, zen |");
    println!("|---|---|---|---|---|");
    for rows in [100, 1_000, 10_000, 16_000] {
        let text = common::big_table(rows, "first");
        let json = jdm(rows);
        let repeats = if rows >= 10_000 { 3 } else { 7 };
        let tenet_load = median(repeats, || {
            black_box(tenet::Policy::from_text("big.tenet", &text).expect("valid table"));
        });
        let zen_load = median(repeats, || {
            let content: zen_engine::model::DecisionContent = serde_json::from_str(&json).expect("jdm");
            let mut decision =
                zen_engine::DecisionEngine::default().create_decision(Arc::new(content)).expect("a graph");
            decision.compile();
            black_box(decision);
        });
        let policy = tenet::Policy::from_text("big.tenet", &text).expect("valid table");
        let content: zen_engine::model::DecisionContent = serde_json::from_str(&json).expect("jdm");
        let mut decision = zen_engine::DecisionEngine::default().create_decision(Arc::new(content)).expect("a graph");
        decision.compile();
        let calls: Vec<(tenet::facts::Facts, zen_engine::Variable)> = (0..CALLS)
            .map(|k| {
                let text = common::big_table_call(k, rows);
                let facts = policy.facts_from_text(&text, Format::Json).expect("facts");
                // Zen reads the decimal as a number.
                let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
                v["d"] = serde_json::json!(50.5);
                (facts, zen_engine::Variable::from(v))
            })
            .collect();
        // Agreement first: the same row for every call.
        for (k, (facts, input)) in calls.iter().enumerate() {
            let ours = policy.evaluate(facts, now).expect("evaluates").value("x").cloned();
            let theirs = runtime.block_on(decision.evaluate(input.clone())).expect("zen evaluates").result;
            let theirs = theirs.dot("x").and_then(|x| x.as_number()).map(|n| n.to_string());
            let ours = ours.map(|v| match v {
                tenet::value::Value::Int(n) => n.to_string(),
                other => format!("{other:?}"),
            });
            assert_eq!(ours, theirs, "call {k} of a {rows}-row table");
        }
        let tenet_eval = median(5, || {
            for (facts, _) in &calls {
                black_box(policy.evaluate(black_box(facts), now).expect("evaluates"));
            }
        }) / u32::try_from(CALLS).expect("calls");
        let zen_eval = median(5, || {
            for (_, input) in &calls {
                black_box(runtime.block_on(decision.evaluate(black_box(input.clone()))).expect("zen evaluates"));
            }
        }) / u32::try_from(CALLS).expect("calls");
        println!(
            "| {rows} | {:.1} ms | {:.1} ms | {:.2} µs | {:.2} µs |",
            tenet_load.as_secs_f64() * 1e3,
            zen_load.as_secs_f64() * 1e3,
            tenet_eval.as_secs_f64() * 1e6,
            zen_eval.as_secs_f64() * 1e6
        );
    }
}
