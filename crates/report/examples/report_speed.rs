//! How long the return analysis takes over a JSON-lines file, next to serde_json alone
//! parsing the same lines, measured in one run (BENCHMARKS.md):
//!
//! `cargo run --release -p tenet-report --example report_speed FILE.jsonl`
//!
//! Each is run three times in turn; the best of each is printed. serde_json parses every
//! line into a `serde_json::Value` on one thread and on every core (the same chunked
//! reader as the report), so the report's own cost shows beside the parse it needs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

fn parse_only(path: &Path, threads: usize) -> usize {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let lines: Vec<String> = file.lines().map(Result::unwrap).collect();
    let per = lines.len().div_ceil(threads);
    std::thread::scope(|s| {
        lines
            .chunks(per.max(1))
            .map(|chunk| {
                s.spawn(move || chunk.iter().filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()).count())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum()
    })
}

fn main() {
    let path = std::env::args().nth(1).expect("a JSON-lines file");
    let path = Path::new(&path);
    let policy = tenet::Policy::load("rules/returns.tenet").expect("the return policy");
    let now = "2026-12-01T00:00:00+08:00".parse().unwrap();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut best = [f64::MAX; 3];
    let mut cases = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let n = parse_only(path, 1);
        best[0] = best[0].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        parse_only(path, threads);
        best[1] = best[1].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let options = tenet_report::reports::returns::Options { since: None, until: None, now };
        let mut report = tenet_report::reports::returns::ReturnReport::new(&policy, options);
        tenet_report::reports::input::feed(&mut report, path, &mut |_| {}).unwrap();
        let json = report.to_json(None, Vec::new());
        best[2] = best[2].min(t.elapsed().as_secs_f64());
        cases = json["cases"].as_u64().unwrap();
        assert_eq!(cases as usize, n, "every line counted");
    }
    println!("{cases} cases, {threads} threads (best of 3)");
    println!("serde_json alone, 1 thread:   {:.2} s", best[0]);
    println!("serde_json alone, {threads} threads:  {:.2} s", best[1]);
    println!("tenet report returns:         {:.2} s", best[2]);
}
