//! The `tenet` command. All of it lives in the `tenet_cli` library.

/// mimalloc: evaluation allocates many small, short-lived values, and a batch does so
/// from several threads at once, where the system allocator spends a large share of the
/// time (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tenet_cli::main()
}
