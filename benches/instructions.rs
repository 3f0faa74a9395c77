//! A deterministic companion to the `eval` bench: evaluates the bundled return policy
//! N times (N from the first argument), so that `valgrind --tool=callgrind` can count
//! instructions per evaluation — repeatable on a noisy machine, unlike wall time.
//! See BENCHMARKS.md for the commands.

use std::hint::black_box;

use tenet::Policy;
use tenet::facts::Format;

fn main() {
    // `cargo bench` passes `--bench`; only a number is taken as N.
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(0);
    let dir = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{dir}/rules/returns.tenet")).expect("bundled policy");
    let policy = Policy::from_text("rules/returns.tenet", &text).expect("valid policy");
    let json = std::fs::read_to_string(format!("{dir}/examples/returns/opened-keyboard.json")).expect("example");
    let facts = policy.facts_from_text(&json, Format::Json).expect("valid facts");
    let now = facts.now.expect("now");
    let mut findings = 0;
    for _ in 0..n {
        findings += policy.evaluate(black_box(&facts), now).expect("evaluates").findings.len();
    }
    println!("{n} evaluations, {findings} findings");
}
