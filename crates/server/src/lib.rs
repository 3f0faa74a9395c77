//! `tenet serve`: the return desk as a service. The same compiled policies and the same
//! replay as `tenet eval` and `tenet case`, behind an HTTP API, with cases, their events
//! and every decision kept in SQLite or PostgreSQL. Contract: the README's service
//! section.

pub mod access;
pub mod api;
pub mod app;
pub mod clock;
pub mod conn;
pub mod desk;
pub mod error;
pub mod ids;
pub mod kept;
pub mod metrics;
pub mod ordered;
pub mod policies;
pub mod retention;
pub mod shadow;
pub mod store;
pub mod timers;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use access::Access;
use app::App;
pub use error::StartError;
use policies::Registry;
use store::Store;

/// How to start a server.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder of policies.
    pub policies: PathBuf,
    /// The database URL.
    pub db: String,
    /// The address to listen on.
    pub listen: String,
    /// The tokens file, if any.
    pub tokens: Option<PathBuf>,
    /// Whether an evaluation's answer waits until its decision log entry is committed
    /// (otherwise the entry is queued and committed within milliseconds).
    pub durable_decisions: bool,
    /// While the database cannot be written and the log's queue is full: refuse
    /// evaluations with `503` (true) or make them wait for room (false, the default).
    pub refuse_when_log_full: bool,
    /// Whether each request is written to standard error as it is answered (time,
    /// method, path without its query, status, milliseconds).
    pub access_log: bool,
    /// The folder of agreement data files (`ts-2026-0042.yaml`): a signing case's desk
    /// page shows the draft of the agreement its `agreement.number` names.
    pub agreements: Option<PathBuf>,
    /// The webhooks file: who receives which deliveries, signed with which secret.
    pub webhooks: Option<PathBuf>,
    /// A folder of candidate policies evaluated beside the live ones of the same name.
    pub shadow: Option<PathBuf>,
}

impl Options {
    /// A server of the policies in `policies` on the database `db`, on a free loopback
    /// port, with nothing else on (no tokens, queued decision log, no webhooks, no
    /// shadow): what tests, examples and benchmarks start from.
    pub fn local(policies: PathBuf, db: String) -> Options {
        Options {
            policies,
            db,
            listen: "127.0.0.1:0".into(),
            tokens: None,
            durable_decisions: false,
            refuse_when_log_full: false,
            access_log: false,
            agreements: None,
            webhooks: None,
            shadow: None,
        }
    }
}

/// A server ready to answer: the state and the bound listener.
#[derive(Debug)]
pub struct Ready {
    /// The shared state.
    pub app: Arc<App>,
    listener: tokio::net::TcpListener,
    /// SIGINT, SIGTERM and SIGHUP, listened for from before the ready line on, so a
    /// signal sent right after it is never missed.
    signals: Option<Signals>,
}

#[derive(Debug)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

fn signals() -> Option<Signals> {
    use tokio::signal::unix::{SignalKind, signal};
    Some(Signals {
        interrupt: signal(SignalKind::interrupt()).ok()?,
        terminate: signal(SignalKind::terminate()).ok()?,
        hangup: signal(SignalKind::hangup()).ok()?,
    })
}

impl Ready {
    /// The address it listens on.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// The state and the listener, for a program that serves more routes beside the
    /// service's (the HTTP benchmark puts a peer engine behind the same server).
    pub fn into_parts(self) -> (Arc<App>, tokio::net::TcpListener) {
        (self.app, self.listener)
    }
}

/// Loads the policies, opens the database and binds the address; nothing is served
/// yet. A broken policy, a database that cannot be opened or a public address without
/// tokens stops here.
pub async fn prepare(options: &Options) -> Result<Ready, StartError> {
    let access = match &options.tokens {
        Some(path) => Access::from_file(path)?,
        None => Access::open(),
    };
    let addr: SocketAddr =
        tokio::net::lookup_host(&options.listen).await.ok().and_then(|mut a| a.next()).ok_or_else(|| {
            StartError::Usage(format!(
                "--listen {:?}: 不是可以监听的地址 · is not an address to listen on",
                options.listen
            ))
        })?;
    if access.is_open() && !addr.ip().is_loopback() {
        return Err(StartError::Usage(format!(
            "--listen {addr}: 没有 --tokens 时只能监听本机地址（如 127.0.0.1:8080）· without --tokens the server only listens on loopback (such as 127.0.0.1:8080)"
        )));
    }
    let loaded = policies::load_folder(&options.policies).map_err(|broken| {
        let names: Vec<String> = broken.iter().map(|b| b.path.display().to_string()).collect();
        StartError::Policy(names.join(", "), broken.into_iter().flat_map(|b| b.diagnostics).collect())
    })?;
    let webhooks = options.webhooks.as_deref().map(webhooks::config::read).transpose()?;
    let candidates = match &options.shadow {
        Some(dir) => shadow::load(dir, &loaded)?,
        None => shadow::Candidates::new(),
    };
    let store = Store::open(&options.db).await?;
    let app = Arc::new(
        App::new(
            Registry::default(),
            options.policies.clone(),
            store,
            access,
            options.durable_decisions,
            options.refuse_when_log_full,
        )
        .with_access_log(options.access_log)
        .with_agreements(options.agreements.clone())
        .with_webhooks(webhooks.map(webhooks::Webhooks::new))
        .with_shadow(candidates),
    );
    let at = clock::stamp(clock::now());
    for l in loaded.iter().chain(app.shadow.values().map(|c| c.as_ref())) {
        app.store.keep_version(l, &at).await.map_err(|source| StartError::Store {
            doing: "keeping the policy versions in",
            target: store::without_password(&options.db),
            source,
        })?;
    }
    if let Ok(mut registry) = app.registry.write() {
        registry.install(loaded);
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| StartError::Listen(format!("{addr}: {e}")))?;
    Ok(Ready { app, listener, signals: signals() })
}

/// How long a stop waits for the decision log's queued entries when the database is away.
pub const LOG_FLUSH_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves until SIGINT or SIGTERM: then stops accepting, finishes the requests in
/// flight (for at most [`conn::SHUTDOWN_GRACE`]) and closes the database. SIGHUP reloads
/// the policies.
pub async fn serve(ready: Ready) -> std::io::Result<()> {
    let Ready { app, listener, signals } = ready;
    let router = api::router(Arc::clone(&app));
    // The desk's queue rows behind their cases (another server, a crash, a version
    // before the desk) are recomputed from the start and then every half minute.
    let keeper = tokio::spawn(desk::queue::keep(Arc::clone(&app)));
    // Actions whose time has come and deadlines that pass fire by themselves, once.
    let timers = tokio::spawn(timers::run(Arc::clone(&app), timers::EVERY));
    let deliveries = tokio::spawn(webhooks::run(Arc::clone(&app)));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let watcher = signals.map(|s| tokio::spawn(watch(Arc::clone(&app), s, stop_tx)));
    let served = conn::serve(listener, router, async move {
        let _ = stop_rx.await;
    })
    .await;
    if let Some(w) = watcher {
        w.abort();
    }
    keeper.abort();
    timers.abort();
    deliveries.abort();
    // The queued entries are written before the database closes; a database that stays
    // away gets a bounded wait, and the entries it keeps are named, never dropped quietly.
    match tokio::time::timeout(LOG_FLUSH_GRACE, app.log.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("tenet serve: {e}"),
        Err(_) => eprintln!(
            "tenet serve: {} decision log entries could not be written in {} s: the database is away; they are lost",
            app.log.queued(),
            LOG_FLUSH_GRACE.as_secs()
        ),
    }
    app.store.close().await;
    served
}

/// Says on standard error that the server stops, and how long it may take.
fn stopping(signal: &str) {
    eprintln!(
        "tenet serve: {signal}：停止接受新连接，进行中的请求最多再等 {} 秒 · {signal}: no new connections; requests in flight get at most {} s",
        conn::SHUTDOWN_GRACE.as_secs(),
        conn::SHUTDOWN_GRACE.as_secs()
    );
}

/// Reloads on SIGHUP; on SIGINT or SIGTERM tells the server to stop.
async fn watch(app: Arc<App>, mut s: Signals, stop: tokio::sync::oneshot::Sender<()>) {
    loop {
        tokio::select! {
            _ = s.interrupt.recv() => { stopping("SIGINT"); break }
            _ = s.terminate.recv() => { stopping("SIGTERM"); break }
            _ = s.hangup.recv() => match api::reload_policies(&app).await {
                Ok(list) => eprintln!("tenet serve: reloaded {} policies", list.len()),
                Err(broken) => {
                    for b in broken {
                        eprintln!("tenet serve: {} failed its check; the old version keeps serving", b.path.display());
                    }
                }
            },
        }
    }
    let _ = stop.send(());
}

/// Reads every case of a case store written by `tenet serve` (`sqlite://…`,
/// `postgres://…`), in id order, handing each to `each` with the name of its policy, as
/// the engine reads it; the number of cases read. For reports and `tenet diff`: nothing
/// is written (opening applies the migrations this version knows, as a server would).
pub fn read_cases(url: &str, mut each: impl FnMut(&str, tenet::workflow::Case)) -> Result<usize, StartError> {
    with_store(url, |store| async move {
        let db = |e: sqlx::Error| StartError::Database(e.to_string());
        let mut after = String::new();
        let mut n = 0;
        loop {
            let rows = store.list_cases(None, None, Some(&after), 500).await.map_err(db)?;
            let Some(last) = rows.last() else { break };
            after = last.id.clone();
            for row in rows {
                let Some(stored) = store.load_case(&row.id, 0).await.map_err(db)? else { continue };
                let facts = serde_json::from_str(&stored.facts).map_err(|e| StartError::Database(e.to_string()))?;
                let mut events = Vec::new();
                for e in &stored.events {
                    let raw = serde_json::from_str(&e.body).map_err(|e| StartError::Database(e.to_string()))?;
                    let event = tenet::workflow::Event::from_raw("", &raw).map_err(|_| {
                        StartError::Database(format!("stored event {}/{} unreadable", stored.id, e.version))
                    })?;
                    events.push(event);
                }
                each(
                    &row.policy,
                    tenet::workflow::Case {
                        id: Some(stored.id),
                        name: None,
                        policy: None,
                        now: None,
                        facts,
                        events,
                        expect: None,
                    },
                );
                n += 1;
            }
        }
        Ok(n)
    })
}

/// Runs `work` on a store opened from `url` on a runtime of its own, for the commands
/// that read a store outside a server; the store is closed afterwards.
pub(crate) fn with_store<T, F, W>(url: &str, work: W) -> Result<T, StartError>
where
    W: FnOnce(Store) -> F,
    F: std::future::Future<Output = Result<T, StartError>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StartError::Database(e.to_string()))?;
    runtime.block_on(async {
        let store = Store::open(url).await?;
        let result = work(store.clone()).await;
        store.close().await;
        result
    })
}

/// Reads the decision log of a case store written by `tenet serve`, oldest first, handing
/// each entry to `each`; the number read. For `tenet diff --decisions`.
pub fn read_decisions(url: &str, mut each: impl FnMut(store::DecisionRow)) -> Result<usize, StartError> {
    with_store(url, |store| async move {
        let mut filter = store::DecisionFilter { limit: 1000, ..store::DecisionFilter::default() };
        let mut n = 0;
        loop {
            let rows = store.decisions(&filter).await.map_err(|e| StartError::Database(e.to_string()))?;
            let Some(last) = rows.last() else { break };
            filter.after = Some(last.decision_id.clone());
            for row in rows {
                each(row.readable().map_err(StartError::Database)?);
                n += 1;
            }
        }
        Ok(n)
    })
}

/// Runs `tenet serve` to the end: prints `listening on http://ADDR` when ready.
pub fn run(options: &Options) -> Result<(), StartError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| StartError::Listen(e.to_string()))?;
    runtime.block_on(async {
        let ready = prepare(options).await?;
        if ready.app.access.is_open() {
            eprintln!("tenet serve: 没有 --tokens，只接受本机连接 · no --tokens: only this machine can connect");
        }
        if let Some(addr) = ready.addr() {
            println!("listening on http://{addr}");
            use std::io::Write;
            let _ = std::io::stdout().flush();
        }
        let served = serve(ready).await.map_err(|e| StartError::Listen(e.to_string()));
        eprintln!("tenet serve: 已停止 · stopped");
        served
    })
}
