//! The server's state and the case logic every endpoint shares: a stored case becomes a
//! [`tenet::workflow::Case`] and is replayed by the engine, exactly as `tenet case` does.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use tenet::facts::Raw;
use tenet::workflow::{Case, Checkpoint, DeadlineStatus, Event, Replay, ReplayError};

use crate::access::Access;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::policies::{self, Loaded, Registry};
use crate::store::{CaseRow, Store, StoredCase};

/// Everything a request may need.
#[derive(Debug)]
pub struct App {
    /// The policies served.
    pub registry: RwLock<Registry>,
    /// The folder they come from (for reload).
    pub policies_dir: PathBuf,
    /// The database.
    pub store: Store,
    /// Who may do what.
    pub access: Access,
    /// Counters.
    pub metrics: Metrics,
    /// The decision log's group-commit writer, for evaluations.
    pub log: crate::store::DecisionLog,
    /// Whether an evaluation's answer waits for its log entry's commit.
    pub durable_decisions: bool,
    /// Whether each request is written to standard error as it is answered.
    pub access_log: bool,
    /// Where agreement data files are, for signing cases' drafts.
    pub agreements: Option<PathBuf>,
    /// The webhook receivers, when `--webhooks` names them.
    pub webhooks: Option<crate::webhooks::Webhooks>,
    /// The candidate policies of `--shadow`, by the live policy each shadows.
    pub shadow: crate::policies::Candidates,
    /// The shadow's judgments of cases, each case's in the order of its events.
    pub shadow_order: crate::ordered::InOrder,
    /// The desk's sign-in failures by name, which slow the next attempts.
    pub desk_failures: crate::desk::failures::Failures,
    /// Parsed cases by id with the version they were read at, so a read fetches only
    /// the events recorded since.
    cache: Mutex<HashMap<String, Arc<Cached>>>,
    /// One writer per case in this process: its clients queue instead of racing, so
    /// only writers in other processes can conflict.
    writers: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A case as the engine reads it, at a version, with its replay's progress so a read
/// judges only the events recorded since.
#[derive(Debug)]
pub struct Cached {
    /// The stored header and the policy version's hash.
    pub stored: StoredCase,
    /// The case for the engine.
    pub case: Case,
    checkpoint: Mutex<Option<Arc<Checkpoint>>>,
}

impl Cached {
    fn checkpoint(&self) -> Option<Arc<Checkpoint>> {
        self.checkpoint.lock().ok().and_then(|c| c.clone())
    }

    /// Keeps `next` when it covers more events than what is kept.
    fn keep(&self, next: Option<Checkpoint>) {
        let Some(next) = next else { return };
        if let Ok(mut slot) = self.checkpoint.lock()
            && slot.as_ref().is_none_or(|c| c.events() < next.events())
        {
            *slot = Some(Arc::new(next));
        }
    }
}

/// Largest number of cases kept parsed in memory.
const CACHE_CASES: usize = 10_000;

/// Reads the JSON text the service stored, as the engine's raw document.
pub fn raw_of(text: &str) -> Result<Raw, ApiError> {
    serde_json::from_str::<Raw>(text).map_err(ApiError::internal)
}

impl App {
    /// A new state.
    pub fn new(
        registry: Registry,
        policies_dir: PathBuf,
        store: Store,
        access: Access,
        durable_decisions: bool,
        refuse_when_log_full: bool,
    ) -> App {
        let log = crate::store::DecisionLog::start(store.clone(), durable_decisions, refuse_when_log_full);
        App {
            registry: RwLock::new(registry),
            policies_dir,
            store,
            access,
            metrics: Metrics::default(),
            log,
            durable_decisions,
            access_log: false,
            agreements: None,
            webhooks: None,
            shadow: crate::policies::Candidates::new(),
            shadow_order: crate::ordered::InOrder::default(),
            desk_failures: crate::desk::failures::Failures::default(),
            cache: Mutex::new(HashMap::new()),
            writers: Mutex::new(HashMap::new()),
        }
    }

    /// The same state, writing (or not) each request to standard error.
    pub fn with_access_log(mut self, on: bool) -> App {
        self.access_log = on;
        self
    }

    /// The same state, showing signing cases the agreement drafts of `dir`.
    pub fn with_agreements(mut self, dir: Option<PathBuf>) -> App {
        self.agreements = dir;
        self
    }

    /// The same state, evaluating beside the live policies these candidates.
    pub fn with_shadow(mut self, shadow: crate::policies::Candidates) -> App {
        self.shadow = shadow;
        self
    }

    /// The same state, delivering to these webhook receivers.
    pub fn with_webhooks(mut self, hooks: Option<crate::webhooks::Webhooks>) -> App {
        self.webhooks = hooks;
        self
    }

    /// The version of `name` served now.
    pub fn current_policy(&self, name: &str) -> Result<Arc<Loaded>, ApiError> {
        let registry = self.registry.read().map_err(ApiError::internal)?;
        registry.current(name).ok_or_else(|| {
            let known: Vec<&str> = registry.names().collect();
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("没有名为 `{name}` 的策略；现有：{}", known.join("、")),
                format!("no policy named `{name}`; served: {}", known.join(", ")),
            )
        })
    }

    /// The policy version a case was opened with: loaded, or read back from the
    /// database after a restart or a reload.
    pub async fn policy_for(&self, hash: &str) -> Result<Arc<Loaded>, ApiError> {
        if let Some(l) = self.registry.read().map_err(ApiError::internal)?.by_hash(hash) {
            return Ok(l);
        }
        let Some((path, source, files)) = self.store.policy_source(hash).await? else {
            return Err(ApiError::internal(format!("policy version {hash} is not in the database")));
        };
        let loaded = match files {
            // Everything the version reads is in the database: compiled from it alone.
            Some(json) => {
                let files = serde_json::from_str(&json)
                    .map_err(|e| ApiError::internal(format!("policy version {hash}: its kept files: {e}")))?;
                policies::compile_kept(hash, &path, &source, files)
                    .map_err(|_| ApiError::internal(format!("policy version {hash} no longer compiles")))?
            }
            // Kept before versions kept their files: read them from disk this once, then
            // keep them, so from now on it needs nothing outside the database.
            None => {
                let mut l = policies::compile(&path, &source)
                    .map_err(|_| ApiError::internal(format!("policy version {hash} no longer compiles")))?;
                l.hash = hash.to_owned();
                let json = serde_json::to_string(&l.files).map_err(ApiError::internal)?;
                self.store.keep_policy_files(hash, &json).await?;
                l
            }
        };
        Ok(self.registry.write().map_err(ApiError::internal)?.remember(loaded))
    }

    /// The case `id` as this process last saw it, without asking the database: a guess
    /// for an append, whose statement checks the version it expects.
    pub fn case_seen(&self, id: &str) -> Result<Option<Arc<Cached>>, ApiError> {
        Ok(self.cache.lock().map_err(ApiError::internal)?.get(id).cloned())
    }

    /// The case `id` at its latest version, or 404.
    pub async fn case(&self, id: &str) -> Result<Arc<Cached>, ApiError> {
        if !crate::ids::valid_case_id(id) {
            return Err(ApiError::not_found("case"));
        }
        let (version, hash) = self.store.case_head(id).await?.ok_or_else(|| ApiError::not_found("case"))?;
        self.case_at(id, version, &hash).await
    }

    /// Whether one of the case's deadlines is past due at `now`.
    pub fn overdue(loaded: &Loaded, cached: &Cached, now: DateTime<Utc>) -> Result<bool, ApiError> {
        Self::with_replay(loaded, cached, now, |r| r.deadlines().iter().any(|d| d.status() == DeadlineStatus::Overdue))
    }

    /// The case `id`: the cached one when it is at `version`, else the cached one and the
    /// events recorded since, read from the database.
    async fn case_at(&self, id: &str, version: i64, hash: &str) -> Result<Arc<Cached>, ApiError> {
        let mut cached = self.cache.lock().map_err(ApiError::internal)?.get(id).cloned();
        // Moved to another policy version (by this server or another): read it whole.
        if cached.as_ref().is_some_and(|c| c.stored.policy_hash != hash) {
            cached = None;
        }
        if let Some(c) = &cached
            && c.stored.version == version
        {
            return Ok(Arc::clone(c));
        }
        let from = cached.as_ref().map_or(0, |c| c.stored.version);
        let Some(fresh) = self.store.load_case(id, from).await? else { return Err(ApiError::not_found("case")) };
        self.remember_read(cached.as_deref(), fresh)
    }

    /// The cases of a listing's page, in its order: a cached case at the version listed
    /// as it is, a case that moved since it was cached by the events since, and the cases
    /// not cached at all read together (two queries for the page instead of two each).
    pub async fn cases_listed(&self, rows: &[CaseRow]) -> Result<Vec<Arc<Cached>>, ApiError> {
        let mut found: HashMap<String, Arc<Cached>> = HashMap::new();
        let mut unread: Vec<&str> = Vec::new();
        for row in rows {
            let cached = self.cache.lock().map_err(ApiError::internal)?.get(&row.id).cloned();
            match cached {
                Some(c) if c.stored.version == row.version && c.stored.policy_hash == row.policy_hash => {
                    found.insert(row.id.clone(), c);
                }
                Some(_) => {
                    found.insert(row.id.clone(), self.case_at(&row.id, row.version, &row.policy_hash).await?);
                }
                None => unread.push(&row.id),
            }
        }
        for fresh in self.store.load_cases(&unread).await? {
            let entry = self.remember_read(None, fresh)?;
            found.insert(entry.stored.id.clone(), entry);
        }
        // Cases are never removed, so every row listed has its case.
        rows.iter().map(|row| found.remove(row.id.as_str()).ok_or_else(|| ApiError::not_found("case"))).collect()
    }

    /// Caches a case read from the database: `fresh` alone, or the events after the
    /// cached copy's version added to it.
    fn remember_read(&self, cached: Option<&Cached>, fresh: StoredCase) -> Result<Arc<Cached>, ApiError> {
        let id = fresh.id.clone();
        let mut case = match cached {
            Some(c) => c.case.clone(),
            None => Case {
                id: Some(fresh.id.clone()),
                name: None,
                policy: None,
                now: None,
                facts: raw_of(&fresh.facts)?,
                events: Vec::new(),
                expect: None,
            },
        };
        for e in &fresh.events {
            let raw = raw_of(&e.body)?;
            let event = Event::from_raw("", &raw)
                .map_err(|_| ApiError::internal(format!("stored event {id}/{} unreadable", e.version)))?;
            case.events.push(event);
        }
        let mut stored = fresh;
        stored.events.clear();
        // The older version's progress is a prefix of this one's: resume from it.
        let checkpoint = Mutex::new(cached.and_then(Cached::checkpoint));
        self.insert(&id, Arc::new(Cached { stored, case, checkpoint }))
    }

    fn insert(&self, id: &str, entry: Arc<Cached>) -> Result<Arc<Cached>, ApiError> {
        let mut cache = self.cache.lock().map_err(ApiError::internal)?;
        if cache.len() >= CACHE_CASES {
            cache.clear();
        }
        cache.insert(id.to_owned(), Arc::clone(&entry));
        Ok(entry)
    }

    /// Forgets what this process knows of case `id` (its policy version changed).
    pub fn forget(&self, id: &str) -> Result<(), ApiError> {
        self.cache.lock().map_err(ApiError::internal)?.remove(id);
        Ok(())
    }

    /// After an event was appended: the case at its new version, with the replay's
    /// progress through it, so the next read starts there.
    pub fn remember(&self, before: &Cached, case: Case, checkpoint: Option<Checkpoint>) -> Result<(), ApiError> {
        let mut stored = before.stored.clone();
        stored.version += 1;
        let id = stored.id.clone();
        let checkpoint = Mutex::new(checkpoint.map(Arc::new).or_else(|| before.checkpoint()));
        self.insert(&id, Arc::new(Cached { stored, case, checkpoint })).map(|_| ())
    }

    /// The case view of a cached case at `now`, resuming its replay.
    pub fn case_view(
        loaded: &Loaded,
        cached: &Cached,
        now: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<Json, ApiError> {
        Self::with_replay(loaded, cached, now, |r| {
            r.to_json(cached.case.id.as_deref(), cached.case.name.as_deref(), note)
        })
    }

    /// Hands the cached case's replay at `now` to `read`, resuming from the progress kept
    /// with the case and keeping the progress for the next read.
    pub fn with_replay<T>(
        loaded: &Loaded,
        cached: &Cached,
        now: DateTime<Utc>,
        read: impl FnOnce(&Replay<'_>) -> T,
    ) -> Result<T, ApiError> {
        let (read, next) = Self::with_replay_after(loaded, cached, &cached.case, now, read)?;
        cached.keep(next);
        Ok(read)
    }

    /// Hands the replay of `case` — the cached case, or it and more events — to `read`,
    /// resuming the cached case's replay; also returns the progress through its events.
    pub fn with_replay_after<T>(
        loaded: &Loaded,
        cached: &Cached,
        case: &Case,
        now: DateTime<Utc>,
        read: impl FnOnce(&Replay<'_>) -> T,
    ) -> Result<(T, Option<Checkpoint>), ApiError> {
        let from = cached.checkpoint();
        let (replay, next) = loaded.policy.replay_resuming(case, now, from.as_deref()).map_err(replay_error)?;
        Ok((read(&replay), next))
    }

    /// The lock that orders this process's writers of case `id`.
    pub fn writer(&self, id: &str) -> Result<Arc<tokio::sync::Mutex<()>>, ApiError> {
        let mut writers = self.writers.lock().map_err(ApiError::internal)?;
        if writers.len() >= CACHE_CASES {
            // Locks no one holds can go; a held one stays with its holders.
            writers.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Ok(Arc::clone(writers.entry(id.to_owned()).or_default()))
    }

    /// Hands the replay of `case` under `loaded` at `now`, from its start, to `read`.
    pub fn with_fresh_replay<T>(
        loaded: &Loaded,
        case: &Case,
        now: DateTime<Utc>,
        read: impl FnOnce(&Replay<'_>) -> T,
    ) -> Result<T, ApiError> {
        let replay = loaded.policy.replay(case, now).map_err(replay_error)?;
        Ok(read(&replay))
    }
}

/// A replay that could not run: the facts (with an event's data) fail the policy's schema.
pub fn replay_error(e: ReplayError) -> ApiError {
    match e {
        ReplayError::InvalidFacts(diags) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_facts",
            "事实不符合策略的定义",
            "the facts do not fit the policy",
        )
        .with_diagnostics(&diags),
        e @ ReplayError::NoWorkflow(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_workflow",
            "这个策略没有流程，不能开案例",
            "this policy has no workflow, so it has no cases",
        )
        .with_diagnostics(&e.diagnostics()),
        // Whatever the engine adds later: the case cannot be replayed, and says why.
        e => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "replay_failed",
            "这个案例无法回放",
            "this case cannot be replayed",
        )
        .with_diagnostics(&e.diagnostics()),
    }
}
