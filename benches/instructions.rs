//! A deterministic companion to the `eval` bench: evaluates a bundled policy N times
//! (`returns N` or `sla N`), or only reads the return facts N times (`floor N`), so that `valgrind --tool=callgrind` can count instructions
//! per evaluation — repeatable on a noisy machine, unlike wall time. See BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet_test_support::workloads as common;

use std::hint::black_box;

use tenet::facts::Format;

fn main() {
    // `cargo bench` passes `--bench`; the workload is a word, N a number.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(0);
    // `tables N ROWS`: N calls of a `first` table of ROWS rows (`workloads::big_table`),
    // the calls spread over its rows: instructions per call, whatever the table's size.
    if args.first().map(String::as_str) == Some("tables") {
        let rows: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16_000);
        let policy = tenet::Policy::from_text("big.tenet", &common::big_table(rows, "first")).expect("valid table");
        let calls: Vec<_> = (0..64)
            .map(|k| policy.facts_from_text(&common::big_table_call(k, rows), Format::Json).expect("valid facts"))
            .collect();
        let now = "2026-11-10T12:00:00+08:00".parse().expect("now");
        let mut found = 0;
        for k in 0..n {
            let e = policy.evaluate(black_box(&calls[k % calls.len()]), now).expect("evaluates");
            found += usize::from(e.value("x").is_some());
        }
        println!("{n} calls of a {rows}-row table, {found} found a row");
        return;
    }
    let sla = args.iter().any(|a| a == "sla");
    let dir = env!("CARGO_MANIFEST_DIR");
    let (policy, json) = if sla {
        (common::bundled("support_sla"), common::month_of_tickets(200))
    } else {
        let json = std::fs::read_to_string(format!("{dir}/examples/returns/opened-keyboard.json")).expect("example");
        (common::bundled("returns"), json)
    };
    let facts = policy.facts_from_text(&json, Format::Json).expect("valid facts");
    let now = facts.now().expect("now");
    let mut findings = 0;
    if args.iter().any(|a| a == "floor") {
        for _ in 0..n {
            black_box(policy.facts_from_text(black_box(&json), Format::Json).expect("valid facts"));
        }
        println!("{n} readings, {findings} findings");
        return;
    }
    for _ in 0..n {
        findings += policy.evaluate(black_box(&facts), now).expect("evaluates").findings().len();
    }
    println!("{n} evaluations, {findings} findings");
}
