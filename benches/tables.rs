//! Large decision tables (issue 36): `tables/load/HIT/ROWS` — a policy with one table of
//! ROWS rows (an int range, a text equality and a decimal comparison; rows disjoint)
//! parsed, checked (the overlap and shadow lints included) and compiled with its index;
//! `tables/eval/HIT/ROWS` — one call of that table from validated facts, the calls
//! landing on rows spread over the table; `tables/load/in_policy/ROWS` — the same table
//! (`unique`) after a generated 2 000-line policy (`workloads::long_policy_with_table`),
//! loaded whole: a table in a rule set rather than alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenet::Policy;
use tenet::facts::Format;
use tenet_test_support::workloads::{big_table, big_table_call, long_policy_with_table};

const SIZES: [usize; 4] = [100, 1_000, 10_000, 16_000];

fn bench(c: &mut Criterion) {
    let now = "2026-11-10T12:00:00Z".parse().expect("now");
    for hit in ["unique", "first"] {
        let mut load = c.benchmark_group(format!("tables/load/{hit}"));
        load.sample_size(10).measurement_time(Duration::from_secs(5));
        for rows in SIZES {
            let text = big_table(rows, hit);
            load.bench_with_input(BenchmarkId::from_parameter(rows), &text, |b, text| {
                b.iter(|| Policy::from_text("big.tenet", black_box(text)).expect("loads"))
            });
        }
        load.finish();
        let mut eval = c.benchmark_group(format!("tables/eval/{hit}"));
        for rows in SIZES {
            let policy = Policy::from_text("big.tenet", &big_table(rows, hit)).expect("loads");
            let calls: Vec<_> = (0..64)
                .map(|k| policy.facts_from_text(&big_table_call(k, rows), Format::Json).expect("facts"))
                .collect();
            let mut k = 0;
            eval.bench_function(BenchmarkId::from_parameter(rows), |b| {
                b.iter(|| {
                    k = (k + 1) % calls.len();
                    policy.evaluate(black_box(&calls[k]), now).expect("evaluates")
                })
            });
        }
        eval.finish();
    }
    let mut in_policy = c.benchmark_group("tables/load/in_policy");
    in_policy.sample_size(10).measurement_time(Duration::from_secs(5));
    for rows in SIZES {
        let text = long_policy_with_table(2_000, rows);
        in_policy.bench_with_input(BenchmarkId::from_parameter(rows), &text, |b, text| {
            b.iter(|| Policy::from_text("big.tenet", black_box(text)).expect("loads"))
        });
    }
    in_policy.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
