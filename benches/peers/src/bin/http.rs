//! `tenet serve` under load on loopback: requests per second and latency, measured side
//! by side in one run. One server process (this one) serves the service's own routes and,
//! beside them, the same return decision in regorus's bytecode VM, so the comparison is
//! engine against engine behind the same HTTP stack, JSON parsing and decision log.
//!
//! 1. *evaluate*: `POST /v1/policies/returns/evaluate` with one return request (the
//!    opened keyboard), next to `GET /healthz` (the trivial endpoint: no body, no engine,
//!    no database) and `POST /bench/regorus/returns` (the same facts parsed into a
//!    regorus value, the RVM run, the result written back and logged through the same
//!    group-commit decision log). Rounds alternate the three; each runs `SECONDS` with
//!    `CONNECTIONS` concurrent keep-alive clients.
//! 2. *events*: durable event appends (`POST /v1/cases/{id}/events`, each committed
//!    before its answer) on SQLite, and on PostgreSQL when `TENET_TEST_POSTGRES` names one
//!    (`sh tests/postgres.sh …` starts one), by the same clients, each on cases of its
//!    own so they measure commits rather than waiting on one case's row.
//! 3. *read*: `GET /v1/cases/{id}` of a case with 50 events.
//!
//! The client runs in the same process on the same cores as the server (this machine
//! has two), so the figures are what one box does for both sides. Each side has a tokio
//! runtime of its own (its threads named `load` or `server`), so that the CPU each spends
//! is read apart: *server CPU* is the process's CPU minus the load generator's threads'.
//! `HTTP_BENCH_SERVE=1` starts the servers and only serves, for any load generator;
//! `OHA=oha` has oha, in another process, drive the evaluation rows.
//!
//! `cd benches/peers && cargo run --release --bin http [SECONDS] [ROUNDS]`

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use tenet_server::app::App;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONNECTIONS: usize = 32;
const REGO_ENTRY: &str = "data.returns.result";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rego_vm() -> regorus::rvm::RegoVM {
    let mut engine = regorus::Engine::new();
    engine.add_policy_from_file(root().join("benches/peers/policies/returns.rego")).expect("rego policy");
    let compiled = engine.compile_with_entrypoint(&REGO_ENTRY.into()).expect("compiles");
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_ENTRY]).expect("rvm");
    let mut vm = regorus::rvm::RegoVM::new();
    vm.load_program(program);
    vm
}

thread_local! {
    /// One VM per server thread: a `RegoVM` is reused across inputs, as regorus advises.
    static VM: RefCell<Option<regorus::rvm::RegoVM>> = const { RefCell::new(None) };
}

/// The trivial POST: reads the body, answers a few bytes; no engine, no database.
async fn echo(body: Bytes) -> Json<Value> {
    Json(json!({"ok": true, "bytes": body.len()}))
}

/// tenet's evaluate without the decision log: the same parse, evaluation and answer, to
/// show what the log costs.
async fn tenet_unlogged(State(app): State<Arc<App>>, body: Bytes) -> (axum::http::HeaderMap, String) {
    let text = std::str::from_utf8(&body).expect("utf-8");
    let loaded = app.current_policy("returns").expect("served");
    let facts = loaded.policy.facts_from_json(text).expect("valid facts");
    let evaluation = loaded.policy.evaluate(&facts, facts.now().expect("now")).expect("evaluates");
    let id = tenet_server::ids::decision_id().expect("random");
    let answer = serde_json::to_string(&evaluation.report(None).with_decision_id(&id)).expect("json");
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(axum::http::header::CONTENT_TYPE, "application/json".parse().expect("header"));
    (headers, answer)
}

/// The return decision in regorus, logged like tenet's.
async fn regorus_evaluate(State(app): State<Arc<App>>, body: Bytes) -> Json<Value> {
    let text = std::str::from_utf8(&body).expect("utf-8");
    let input = regorus::Value::from_json_str(text).expect("rego input");
    let result = VM.with(|cell| {
        let mut slot = cell.borrow_mut();
        let vm = slot.get_or_insert_with(rego_vm);
        vm.set_input(input);
        vm.execute().expect("rvm evaluates")
    });
    let mut result: Value = serde_json::from_str(&result.to_json_str().expect("json")).expect("json");
    let id = tenet_server::ids::decision_id().expect("random");
    result["decision_id"] = json!(id);
    let result_text = result.to_string();
    let at = tenet_server::clock::stamp(tenet_server::clock::now());
    let entry = tenet_server::store::Entry::of(&tenet_server::store::NewDecision {
        decision_id: &id,
        at: &at,
        policy: "returns-rego",
        policy_version: None,
        policy_hash: "regorus",
        case_id: None,
        event: None,
        facts: text,
        result: &result_text,
    });
    app.log.submit(entry).await.expect("logged");
    Json(result)
}

struct Run {
    name: String,
    per_second: f64,
    latencies: Vec<Duration>,
    /// CPU time this process spent (server and client, user and system) per request.
    cpu_per_request: Duration,
    /// The part of it not spent on the load generator's threads: the server's.
    server_cpu_per_request: Duration,
    /// p50 and p99 when the requests' latencies are not known one by one (oha).
    percentiles: Option<(Duration, Duration)>,
    /// Requests answered.
    requests: u64,
}

/// This process's CPU time so far (user + system), as `/metrics` reports it.
fn cpu_time() -> Duration {
    tenet_server::metrics::process_cpu_time().unwrap_or_default()
}

/// The name the load generator's threads carry; every other thread is the server's.
const LOAD_THREADS: &str = "load";

/// CPU time so far (user + system) of this process's threads named `LOAD_THREADS` and of
/// its main thread, which drives the load. A thread of theirs that has ended is no longer
/// counted, so the load generator's runtime keeps its threads for the whole run.
fn load_cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Duration::ZERO };
    let main = std::process::id().to_string();
    let ticks: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("stat")).ok())
        .filter_map(|stat| {
            // `tid (name) state …`: utime and stime are the 14th and 15th fields.
            let (head, rest) = stat.rsplit_once(')')?;
            let (tid, name) = head.split_once(" (")?;
            if !(name.starts_with(LOAD_THREADS) || tid == main) {
                return None;
            }
            Some(pair_after_name(rest, 11))
        })
        .sum();
    ticks_to_time(ticks)
}

/// The sum of the two numbers `skip` fields into `rest`, the part of a `stat` line after
/// the name's closing parenthesis (field 3, the state, is its first).
fn pair_after_name(rest: &str, skip: usize) -> u64 {
    rest.split_whitespace().skip(skip).take(2).filter_map(|f| f.parse::<u64>().ok()).sum()
}

/// USER_HZ ticks: 100 a second on x86-64 and arm64 Linux.
fn ticks_to_time(ticks: u64) -> Duration {
    Duration::from_millis(ticks * 10)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `CONNECTIONS` clients GET `url`, or POST `body` to it as JSON, for `seconds`: by this
/// process's load generator, or by oha in another process when `OHA` names its program.
async fn drive(name: &str, seconds: f64, url: &str, body: Option<String>, dir: &std::path::Path) -> Run {
    if let Some(oha) = std::env::var("OHA").ok().filter(|o| !o.is_empty()) {
        return oha_load(&oha, name, seconds, url, body, dir).await;
    }
    let url = url.to_owned();
    load(name, seconds, move |c, _, _| match &body {
        Some(b) => c.post(&url).header("content-type", "application/json").body(b.clone()),
        None => c.get(&url),
    })
    .await
}

/// The CPU time (user + system) of this process's children that have ended, from
/// `/proc/self/stat` (fields 16 and 17).
fn children_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    ticks_to_time(stat.rsplit_once(')').map_or(0, |(_, rest)| pair_after_name(rest, 13)))
}

/// One run of oha (`--output-format json`): every answer must be 2xx. oha reports
/// percentiles, not each request, so the row's p50 and p99 are the median of the runs'
/// p50s and the highest of their p99s. All of this process's CPU is the server's.
async fn oha_load(oha: &str, name: &str, seconds: f64, url: &str, body: Option<String>, dir: &std::path::Path) -> Run {
    let mut args = vec!["--no-tui".to_owned(), "--output-format".into(), "json".into()];
    args.extend(["-z".into(), format!("{seconds}s"), "-c".into(), CONNECTIONS.to_string()]);
    if let Some(body) = body {
        let file = dir.join("body.json");
        std::fs::write(&file, body).expect("body file");
        args.extend(["-m".into(), "POST".into(), "-H".into(), "content-type: application/json".into()]);
        args.extend(["-D".into(), file.display().to_string()]);
    }
    args.push(url.to_owned());
    let (cpu_before, children_before) = (cpu_time(), children_cpu_time());
    let oha = oha.to_owned();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(&oha).args(&args).output())
        .await
        .expect("oha task")
        .expect("oha runs (cargo install oha --locked)");
    let (server, children) = (cpu_time() - cpu_before, children_cpu_time() - children_before);
    assert!(out.status.success(), "oha: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("oha's JSON");
    let codes = report["statusCodeDistribution"].as_object().expect("status codes");
    assert!(codes.keys().all(|c| c.starts_with('2')), "{name}: answers {codes:?}");
    let n: u64 = codes.values().filter_map(Value::as_u64).sum();
    let seconds_of = |p: &str| Duration::from_secs_f64(report["latencyPercentiles"][p].as_f64().unwrap_or(0.0));
    let per = |d: Duration| d / n.max(1) as u32;
    Run {
        name: name.to_owned(),
        per_second: report["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        latencies: Vec::new(),
        percentiles: Some((seconds_of("p50"), seconds_of("p99"))),
        requests: n,
        cpu_per_request: per(server + children),
        server_cpu_per_request: per(server),
    }
}

/// `CONNECTIONS` clients send what `request` makes for `seconds`; every answer must be 2xx.
async fn load<F>(name: &str, seconds: f64, request: F) -> Run
where
    F: Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let (cpu_before, load_before) = (cpu_time(), load_cpu_time());
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let request = Arc::clone(&request);
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut latencies = Vec::new();
            let mut n = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = request(&client, c, n).send().await.expect("answer");
                let status = r.status();
                let body = r.bytes().await.expect("body");
                assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
                latencies.push(t.elapsed());
                n += 1;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu, load_cpu) = (cpu_time() - cpu_before, load_cpu_time() - load_before);
    let n = latencies.len().max(1) as u32;
    let (cpu_per_request, server_cpu_per_request) = (cpu / n, cpu.saturating_sub(load_cpu) / n);
    latencies.sort();
    Run {
        name: name.to_owned(),
        per_second: latencies.len() as f64 / elapsed,
        requests: latencies.len() as u64,
        latencies,
        cpu_per_request,
        server_cpu_per_request,
        percentiles: None,
    }
}

fn report(runs: &[Run]) {
    let mut names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    for name in runs.iter().map(|r| r.name.as_str()) {
        if !seen.insert(name) {
            continue;
        }
        let mine: Vec<&Run> = runs.iter().filter(|r| r.name == name).collect();
        let mut rates: Vec<f64> = mine.iter().map(|r| r.per_second).collect();
        rates.sort_by(f64::total_cmp);
        let median = rates[rates.len() / 2];
        let mut all: Vec<Duration> = mine.iter().flat_map(|r| r.latencies.iter().copied()).collect();
        all.sort();
        let (p50, p99) = match mine.iter().map(|r| r.percentiles).collect::<Option<Vec<_>>>() {
            Some(mut each) if !each.is_empty() => {
                each.sort();
                let p99 = each.iter().map(|p| p.1).max().unwrap_or_default();
                (each[each.len() / 2].0, p99)
            }
            _ => (percentile(&all, 0.50), percentile(&all, 0.99)),
        };
        let median_of = |f: fn(&Run) -> Duration| {
            let mut v: Vec<Duration> = mine.iter().map(|r| f(r)).collect();
            v.sort();
            v[v.len() / 2].as_secs_f64() * 1e6
        };
        println!(
            "| {name} | {median:.0} | {:.0}–{:.0} | {:.2} | {:.2} | {:.1} | {:.1} | {} |",
            rates[0],
            rates[rates.len() - 1],
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            median_of(|r| r.cpu_per_request),
            median_of(|r| r.server_cpu_per_request),
            mine.iter().map(|r| r.requests).sum::<u64>()
        );
    }
}

fn case_file() -> Value {
    let text = std::fs::read_to_string(root().join("examples/cases/return-refunded.yaml")).expect("case");
    serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).expect("yaml")).expect("json")
}

/// Opens `n` cases named `{prefix}-{i}` and moves each to the refund stage.
async fn cases_in_refund(base: &str, prefix: &str, n: usize) -> Vec<String> {
    let case = case_file();
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("{prefix}-{i}");
        let r = client
            .post(format!("{base}/v1/cases"))
            .json(&json!({"policy": "returns", "facts": case["facts"], "id": id}));
        assert!(r.send().await.expect("open").status().is_success());
        for e in case["events"].as_array().expect("events").iter().take(5) {
            let r = client.post(format!("{base}/v1/cases/{id}/events")).json(e).send().await.expect("event");
            assert!(r.status().is_success());
        }
        ids.push(id);
    }
    ids
}

/// A refund update `n` seconds after the refund started.
fn update(n: usize) -> Value {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-09T10:00:00+08:00").expect("time")
        + chrono::Duration::seconds(n as i64 + 1);
    json!({"event": "refund_update", "at": at.to_rfc3339(), "by": "bench", "data": {"refund": {"status": "processing"}}})
}

/// Starts a server on `server` (the server's runtime, so its work runs on threads of its
/// own) and returns its address.
async fn start(server: &tokio::runtime::Handle, db: &str, durable_decisions: bool) -> (String, Arc<App>) {
    let db = db.to_owned();
    server.spawn(async move { serve(&db, durable_decisions).await }).await.expect("server started")
}

async fn serve(db: &str, durable_decisions: bool) -> (String, Arc<App>) {
    let options = tenet_server::Options {
        policies: root().join("rules"),
        db: db.to_owned(),
        listen: "127.0.0.1:0".into(),
        tokens: None,
        durable_decisions,
        refuse_when_log_full: false,
        access_log: false,
        agreements: None,
        webhooks: None,
        shadow: None,
    };
    let ready = tenet_server::prepare(&options).await.expect("server");
    let base = format!("http://{}", ready.addr().expect("addr"));
    let (app, listener) = ready.into_parts();
    let router = tenet_server::api::router(Arc::clone(&app)).merge(
        axum::Router::new()
            .route("/bench/regorus/returns", post(regorus_evaluate))
            .route("/bench/echo", post(echo))
            .route("/bench/tenet-unlogged", post(tenet_unlogged))
            .with_state(Arc::clone(&app)),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, app)
}

/// Event appends: each client posts to cases of its own, in turn, at most `per_case`
/// events each so every case stays near the 50-event size the read figure uses.
async fn events(base: &str, label: &str, prefix: &str, seconds: f64) -> Run {
    let per_client = 8;
    let ids = Arc::new(cases_in_refund(base, prefix, CONNECTIONS * per_client).await);
    let base = base.to_owned();
    load(label, seconds, move |c, client, n| {
        let id = &ids[client * per_client + n % per_client];
        c.post(format!("{base}/v1/cases/{id}/events")).json(&update(n / per_client))
    })
    .await
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    // The load generator and the server on runtimes of their own, two threads each, so
    // the CPU each spends can be told apart by thread name.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(LOAD_THREADS)
        .thread_keep_alive(Duration::from_secs(3600))
        .enable_all()
        .build()
        .expect("runtime");
    let server_runtime =
        tokio::runtime::Builder::new_multi_thread().thread_name("server").enable_all().build().expect("server runtime");
    let server = server_runtime.handle().clone();
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("tenet-http-bench-{}", std::process::id()));
        let (base, _app) = start(&server, &format!("sqlite://{}/tenet.db", dir.display()), false).await;
        // The same service answering each evaluation only once its log entry is committed.
        let (durable_base, _durable) = start(&server, &format!("sqlite://{}/durable.db", dir.display()), true).await;
        let facts = std::fs::read_to_string(root().join("examples/returns/opened-keyboard.json")).expect("facts");
        // Both engines must give the same decision before anything is timed.
        let client = reqwest::Client::new();
        let post_json = |path: &str| {
            client.post(format!("{base}{path}")).header("content-type", "application/json").body(facts.clone())
        };
        let tenet: Value =
            post_json("/v1/policies/returns/evaluate").send().await.expect("tenet").json().await.expect("json");
        let rego: Value = post_json("/bench/regorus/returns").send().await.expect("rego").json().await.expect("json");
        assert_eq!(tenet["decision"], rego["decision"], "tenet {tenet}\nregorus {rego}");
        assert_eq!(tenet["outputs"]["refund_amount"], "349.10");
        assert_eq!(rego["refund_cents"], 34910, "{rego}");
        // `HTTP_BENCH_SERVE=1` only serves, for a load generator in another process
        // (oha, wrk…), until the process is stopped.
        if std::env::var("HTTP_BENCH_SERVE").is_ok_and(|v| v == "1") {
            println!("serving {base} and, with --durable-decisions, {durable_base}");
            std::future::pending::<()>().await;
        }
        println!("tenet serve on loopback, {CONNECTIONS} connections, {seconds} s per run, {rounds} rounds\n");
        println!("| endpoint | requests/s (median) | range | p50 ms | p99 ms | CPU µs/request | server CPU µs/request | requests |");
        println!("|---|---|---|---|---|---|---|---|");
        let mut runs = Vec::new();
        let only = std::env::var("HTTP_BENCH_ONLY").unwrap_or_default();
        // The evaluation rounds' routes: (row, URL, whether the facts are POSTed).
        let routes = [
            ("GET /healthz (trivial)", format!("{base}/healthz"), false),
            ("POST /bench/echo (trivial, same body)", format!("{base}/bench/echo"), true),
            ("POST /v1/policies/returns/evaluate (tenet)", format!("{base}/v1/policies/returns/evaluate"), true),
            ("POST /bench/tenet-unlogged (tenet, no decision log)", format!("{base}/bench/tenet-unlogged"), true),
            (
                "POST …/evaluate, --durable-decisions (tenet)",
                format!("{durable_base}/v1/policies/returns/evaluate"),
                true,
            ),
            ("POST /bench/regorus/returns (regorus RVM)", format!("{base}/bench/regorus/returns"), true),
        ];
        let body = |post: bool| post.then(|| facts.clone());
        // `HTTP_BENCH_ONLY=evaluate` (or `echo`) times tenet's evaluate (or the trivial
        // POST) alone, for a profiler.
        let alone = match only.as_str() {
            "evaluate" => Some(2),
            "echo" => Some(1),
            _ => None,
        };
        if let Some((name, url, post)) = alone.and_then(|i| routes.get(i)) {
            report(&[drive(name, seconds, url, body(*post), &dir).await]);
            return;
        }
        // `HTTP_BENCH_ONLY=events` skips the evaluations and goes to the appends and reads;
        // `HTTP_BENCH_ONLY=ratio` times only the POST trivial, evaluate and unlogged rows.
        let rounds = if only == "events" { 0 } else { rounds };
        let ratio_only = only == "ratio";
        for _ in 0..rounds {
            for (i, (name, url, post)) in routes.iter().enumerate() {
                if ratio_only && !(1..=3).contains(&i) {
                    continue;
                }
                runs.push(drive(name, seconds, url, body(*post), &dir).await);
            }
        }
        if !runs.is_empty() {
            report(&runs);
            let median = |name: &str| {
                let mut r: Vec<f64> =
                    runs.iter().filter(|r| r.name.starts_with(name)).map(|r| r.per_second).collect();
                r.sort_by(f64::total_cmp);
                r.get(r.len() / 2).copied().unwrap_or(f64::NAN)
            };
            let (trivial, echo, tenet, unlogged, rego) = (
                median("GET /healthz"),
                median("POST /bench/echo"),
                median("POST /v1/policies"),
                median("POST /bench/tenet-unlogged"),
                median("POST /bench/regorus"),
            );
            // A ratio is printed only when both of its rows ran (`ratio` skips some).
            let ratios: Vec<String> = [
                ("evaluate / GET trivial", tenet / trivial, "%"),
                ("evaluate / POST trivial", tenet / echo, "%"),
                ("without the log / POST trivial", unlogged / echo, "%"),
                ("tenet / regorus", tenet / rego, "×"),
            ]
            .into_iter()
            .filter(|(_, r, _)| r.is_finite())
            .map(|(name, r, unit)| match unit {
                "%" => format!("{name}: {:.0}%", 100.0 * r),
                _ => format!("{name}: {r:.2}{unit}"),
            })
            .collect();
            println!("\n{}", ratios.join(" · "));
        }
        if ratio_only {
            return;
        }

        println!("\n| durable event appends | events/s | range | p50 ms | p99 ms | CPU µs/event | server CPU µs/event | events |");
        println!("|---|---|---|---|---|---|---|---|");
        let mut appends = vec![events(&base, "SQLite (WAL, synchronous=FULL)", "EV-S", seconds).await];
        if let Some(url) = std::env::var("TENET_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) {
            let (pg_base, _pg) = start(&server, &url, false).await;
            let prefix = format!("EV-P{}", std::process::id());
            appends.push(events(&pg_base, "PostgreSQL 15 (fsync on, local)", &prefix, seconds).await);
        } else {
            println!("(PostgreSQL not measured: TENET_TEST_POSTGRES is not set; sh tests/postgres.sh runs it)");
        }
        report(&appends);

        // One case of 50 events, read by every client.
        let id = cases_in_refund(&base, "READ", 1).await.remove(0);
        for n in 0..45 {
            let r = client.post(format!("{base}/v1/cases/{id}/events")).json(&update(n)).send().await.expect("event");
            assert!(r.status().is_success());
        }
        let view: Value =
            client.get(format!("{base}/v1/cases/{id}")).send().await.expect("read").json().await.expect("json");
        assert_eq!(view["version"], 50);
        println!("\n| read | requests/s | range | p50 ms | p99 ms | CPU µs/request | server CPU µs/request | requests |");
        println!("|---|---|---|---|---|---|---|---|");
        let b = base.clone();
        let read =
            load("GET /v1/cases/{id}, 50 events", seconds, move |c, _, _| c.get(format!("{b}/v1/cases/{id}"))).await;
        report(&[read]);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
