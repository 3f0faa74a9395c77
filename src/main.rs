//! The `tenet` command. All of it lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    tenet::cli::main()
}
