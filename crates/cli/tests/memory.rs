//! Size limits apply before reading everything: with 200 MB on standard input, or a
//! batch line of 64 MB without an end, no command's peak memory grows with the input.
//! (A binary of its own: the peak is measured over every command this test process has
//! run, so only these run here.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::io::Write;

use support::adversary::{Feed, return_facts, run_fed, sandbox};

/// The largest resident memory any command run so far reached stays below `mib`.
fn assert_peak_below_mib(mib: i64, why: &str) {
    if !cfg!(target_os = "linux") {
        return; // ru_maxrss is in other units elsewhere; the limit itself is tested alike.
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("rusage");
    // Linux reports kibibytes.
    let peak = usage.max_rss() / 1024;
    assert!(peak < mib, "a command reached {peak} MiB ({why})");
}

#[test]
fn facts_on_standard_input_stop_at_the_limit() {
    let dir = sandbox();
    // 200 MB of one long string, 1 MiB at a time: refused after at most the limit.
    let feed: Feed = Box::new(|mut pipe| {
        let chunk = vec![b'a'; 1 << 20];
        let _ = pipe.write_all(b"{\"x\": \"");
        for _ in 0..200 {
            if pipe.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let ran = run_fed(dir.path(), &["eval", "rules/returns.tenet", "-"], Some(feed));
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stderr.contains("too-large"), "{}", ran.stderr);
    assert_peak_below_mib(120, "the input was not held whole");
}

#[test]
fn a_batch_line_without_an_end_is_cut_at_the_limit() {
    let dir = sandbox();
    let first = format!("{}\n", return_facts());
    let feed: Feed = Box::new(move |mut pipe| {
        let chunk = vec![b' '; 1 << 20];
        let _ = pipe.write_all(first.as_bytes());
        for _ in 0..64 {
            if pipe.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let ran = run_fed(dir.path(), &["eval", "rules/returns.tenet", "--batch", "-"], Some(feed));
    let lines: Vec<serde_json::Value> =
        ran.stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 2, "{}", ran.stderr);
    assert_eq!(lines[0]["decision"], "approved");
    assert_eq!(lines[1]["diagnostics"][0]["code"], "line-too-long");
    assert_peak_below_mib(120, "the line was not held whole");
}
