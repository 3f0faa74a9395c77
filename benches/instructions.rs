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
