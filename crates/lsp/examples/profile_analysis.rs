//! Times the analysis of a generated 2,000-line policy (the one `benches/edit.rs` uses)
//! and its parts: the fastest of 30 runs each. `cargo run --release -p tenet-lsp
//! --example profile_analysis`; run it under `perf record` to see where the time goes.

/// The allocator the `tenet` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let file = tenet::source::SourceFile::new("big.tenet", tenet_test_support::workloads::long_policy(2_000));
    let mut best = [u128::MAX; 3];
    for _ in 0..30 {
        let t = std::time::Instant::now();
        let a = tenet::analysis::Analysis::new(&file);
        let whole = t.elapsed().as_micros();
        std::hint::black_box(a);
        let t = std::time::Instant::now();
        let p = tenet::Policy::from_source(&file);
        let policy = t.elapsed().as_micros();
        std::hint::black_box(p.is_ok());
        let t = std::time::Instant::now();
        let f = tenet::format_policy(&file);
        let fmt = t.elapsed().as_micros();
        std::hint::black_box(f.is_ok());
        best = [best[0].min(whole), best[1].min(policy), best[2].min(fmt)];
    }
    println!(
        "analysis {} µs, Policy::from_source {} µs, format_checked (two parses and the layout) {} µs",
        best[0], best[1], best[2]
    );
}
