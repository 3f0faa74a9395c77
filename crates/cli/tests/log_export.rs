//! `tenet log export` and `tenet log prune` on a log the service wrote: the export, read
//! back by DuckDB (another Parquet reader than the writer) as one table partitioned by day,
//! equals the log entry for entry; a second export adds only what came since; a prune
//! removes exported days, refuses a day with an entry no export holds (unless forced), and
//! leaves the cases whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tenet_test_support::root;

use tenet_test_support::served::Served as Server;

/// `tenet serve` on `db` until stopped with SIGTERM (which flushes the log).
fn serve(db: &str) -> Server {
    Server::start(Path::new(env!("CARGO_BIN_EXE_tenet")), db, &[], Stdio::null())
}

/// Posts `body` to the server's `path`; the answer, which must be a success.
fn post(s: &Server, path: &str, body: &Value) -> Value {
    let r = reqwest::blocking::Client::new().post(format!("{}{path}", s.base)).json(body).send().unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().unwrap()
}

fn tenet(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_tenet")).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// Runs Python (with `target/pydeps`, where tests/install-export-reader.sh puts DuckDB).
fn python(script: &str) -> Option<String> {
    let o =
        Command::new("python3").env("PYTHONPATH", root().join("target/pydeps")).args(["-c", script]).output().ok()?;
    assert!(o.status.success(), "python: {}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).into())
}

/// Moves log entries (`WHERE` clause) to `day`, keeping their time of day: the log as
/// if written over several days.
fn move_to_day(file: &Path, day: &str, which: &str) {
    let script = format!(
        "import sqlite3; c = sqlite3.connect({file:?}); \
         c.execute(\"UPDATE decision_log SET at = '{day}' || substr(at, 11) WHERE {which}\"); c.commit()",
        file = file.display().to_string()
    );
    python(&script).expect("python3 runs");
}

fn logged(db: &str) -> Vec<tenet_server::store::DecisionRow> {
    let mut rows = Vec::new();
    tenet_server::read_decisions(db, |r| rows.push(r)).unwrap();
    rows
}

fn evaluate(s: &Server, i: usize) -> String {
    let mut f: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/returns/opened-keyboard.json")).unwrap())
            .unwrap();
    f["order"]["id"] = json!(format!("SO-{i}"));
    f["inspection"]["packaging"] = json!(["complete", "opened", "missing"][i % 3]);
    f["request"]["reason"] = json!(["no_reason", ""][i % 2]);
    post(s, "/v1/policies/returns/evaluate", &f)["decision_id"].as_str().unwrap().to_owned()
}

#[test]
fn the_export_reads_back_as_the_log_and_prune_keeps_what_was_not_exported() {
    let duckdb = python("import duckdb").is_some() && root().join("target/pydeps/duckdb").exists();
    if !duckdb {
        assert!(std::env::var_os("CI").is_none(), "DuckDB is missing under CI: tests/install-export-reader.sh");
        eprintln!("DuckDB not installed (sh tests/install-export-reader.sh): the export's reading is not checked");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenet.db");
    let db = format!("sqlite://{}", file.display());
    let out = dir.path().join("export");
    let s = serve(&db);
    for i in 0..120 {
        evaluate(&s, i);
    }
    let case: Value =
        serde_yaml_ng(&std::fs::read_to_string(root().join("examples/cases/return-refunded.yaml")).unwrap());
    post(&s, "/v1/cases", &json!({"policy": "returns", "id": "LOG-1", "facts": case["facts"]}));
    post(&s, "/v1/cases/LOG-1/events", &case["events"][0]);
    s.stop();
    // Written over three days.
    for (day, k) in [("2026-11-01", 0), ("2026-11-02", 1), ("2026-11-03", 2)] {
        move_to_day(&file, day, &format!("seq % 3 = {k}"));
    }
    let out_arg = out.display().to_string();
    let (code, stdout, stderr) = tenet(&["log", "export", "--db", &db, "--out", &out_arg, "--until", "2026-11-04"]);
    assert_eq!(code, 0, "{stderr}");
    for day in ["2026-11-01", "2026-11-02", "2026-11-03"] {
        assert!(out.join(format!("day={day}/part-1.parquet")).exists(), "{stdout}");
        assert!(stdout.contains(day), "{stdout}");
    }
    // Exported again: nothing new.
    let (code, stdout, _) = tenet(&["log", "export", "--db", &db, "--out", &out_arg, "--until", "2026-11-04"]);
    assert_eq!((code, stdout.contains("nothing left to export")), (0, true), "{stdout}");
    // One more entry, late for 2026-11-02: the next export writes it alone, as part 2.
    let s = serve(&db);
    let late = evaluate(&s, 999);
    s.stop();
    move_to_day(&file, "2026-11-02", &format!("decision_id = '{late}'"));
    let (code, stdout, stderr) = tenet(&["log", "export", "--db", &db, "--out", &out_arg, "--until", "2026-11-04"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2026-11-02  1 ") && out.join("day=2026-11-02/part-2.parquet").exists(), "{stdout}");
    let log = logged(&db);
    assert_eq!(log.len(), 123, "120 evaluations, the case's opening and event, the late one");
    if duckdb {
        let script = format!(
            "import duckdb, json\n\
             rows = duckdb.sql(\"SELECT CAST(day AS VARCHAR) AS day, seq, decision_id, epoch_us(logged_at) AS logged_at, policy, \
             policy_hash, case_id, decision, codes, facts, result FROM read_parquet('{}/**/*.parquet', \
             hive_partitioning = true) ORDER BY seq\").fetchall()\n\
             for r in rows: print(json.dumps(list(r)))",
            out.display()
        );
        let read = python(&script).unwrap();
        let lines: Vec<Value> = read.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), log.len(), "every entry once");
        for (row, e) in lines.iter().zip(&log) {
            let at = chrono::DateTime::parse_from_rfc3339(&e.at).unwrap();
            let result: Value = serde_json::from_str(&e.result).unwrap();
            assert_eq!(row[0], e.at[..10], "{row}");
            assert_eq!(
                (row[1].as_i64(), row[2].as_str(), row[3].as_i64()),
                (Some(e.seq), Some(e.decision_id.as_str()), Some(at.timestamp_micros()))
            );
            assert_eq!(
                (row[4].as_str(), row[5].as_str(), row[6].as_str()),
                (Some(e.policy.as_str()), Some(e.policy_hash.as_str()), e.case_id.as_deref())
            );
            assert_eq!(row[7], result["decision"], "{row}");
            assert_eq!(row[8], result["codes"], "{row}");
            let facts: Value = serde_json::from_str(row[9].as_str().unwrap()).unwrap();
            assert_eq!(facts, serde_json::from_str::<Value>(&e.facts).unwrap());
            assert_eq!(serde_json::from_str::<Value>(row[10].as_str().unwrap()).unwrap(), result);
        }
    }
    // An entry on 2026-11-03 no export holds: the prune refuses and removes nothing.
    let s = serve(&db);
    let unexported = evaluate(&s, 1000);
    s.stop();
    move_to_day(&file, "2026-11-03", &format!("decision_id = '{unexported}'"));
    let (code, _, stderr) = tenet(&["log", "prune", "--db", &db, "--before", "2026-11-04"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("2026-11-03 (1)") && stderr.contains("nothing was removed"), "{stderr}");
    assert_eq!(logged(&db).len(), 124);
    // Before 2026-11-03 every entry was exported: removed.
    let (code, stdout, stderr) = tenet(&["log", "prune", "--db", &db, "--before", "2026-11-03"]);
    assert_eq!(code, 0, "{stderr}");
    let left = logged(&db);
    assert!(left.iter().all(|e| e.at.as_str() >= "2026-11-03"), "{stdout}");
    assert!(stdout.contains(&format!("removed {} entries", 124 - left.len())), "{stdout}");
    let (code, _, stderr) = tenet(&["log", "prune", "--db", &db, "--before", "2026-11-04", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(logged(&db).iter().all(|e| e.at.as_str() >= "2026-11-04"));
    // The case keeps its events: it reads as before.
    let s = serve(&db);
    let v: Value = reqwest::blocking::get(format!("{}/v1/cases/LOG-1", s.base)).unwrap().json().unwrap();
    assert_eq!(v["version"], 1, "{v}");
    s.stop();
}

fn serde_yaml_ng(text: &str) -> Value {
    yaml_serde::from_str(text).unwrap()
}
