// Shared by the build scripts of crates whose tests need outside tools (Chromium,
// poppler): included with `include!`. Sets `cfg(NAME)` when a tool is missing and CI is
// not set, so the test is reported as ignored with its reason; under CI (`CI` set) a
// missing tool must fail the run instead.

fn tools_cfg(cfg: &str, tools: &[&str]) {
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).filter(|d| d.is_dir()).collect();
    // Installing a tool changes its folder, which runs the script again.
    for dir in &dirs {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let missing = tools.iter().any(|tool| !dirs.iter().any(|d| d.join(tool).is_file()));
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if missing && !ci {
        println!("cargo::rustc-cfg={cfg}");
    }
}
