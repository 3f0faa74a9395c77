//! Batch throughput: the return cases as JSON lines, evaluated by `tenet_cli::batch` (in
//! parallel, results written to a sink), against serde_json alone parsing the same lines
//! into `serde_json::Value` on one thread. Both in one run, so their ratio is measured
//! on the same machine at the same moment.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet_test_support::workloads as common;

/// The allocator the `tenet` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const LINES: usize = 50_000;

fn bench(c: &mut Criterion) {
    let policy = common::bundled("returns");
    let input = common::return_lines(LINES);
    let now = "2026-11-24T12:00:00+08:00".parse().expect("now");
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(LINES as u64));
    group.sample_size(10);
    group.bench_function("serde_json_parse_only", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in input.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("json");
                n += usize::from(v.is_object());
            }
            n
        });
    });
    group.bench_function("tenet_end_to_end", |b| {
        b.iter(|| {
            let mut reader = std::io::Cursor::new(input.as_bytes());
            let mut sink = std::io::sink();
            tenet_cli::batch::run(&policy, &mut reader, &mut sink, now, &mut |_| {}).expect("batch")
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
