//! Counters for `GET /metrics`, written by `prometheus-client` in the OpenMetrics text
//! format (escaping and naming are the crate's, not ours): requests by method, route and
//! status, a latency histogram, decisions by outcome, events by kind and outcome, cases
//! overdue, the decision log's queue (entries waiting, commits retried, entries refused)
//! and the process's CPU time.
//!
//! Every label takes its value from a set the service fixes, never from what a client
//! sends as it is: the method from the methods HTTP defines (else `OTHER`), the route
//! from the router's templates (else `unmatched`), the event from the events the
//! policies' workflows declare (else `other`). So the series stay bounded whatever
//! clients send, and a client cannot break the exposition.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An HTTP method as a label: the methods HTTP defines, anything else `OTHER`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[expect(clippy::upper_case_acronyms, reason = "label values spelled as HTTP spells methods")]
enum Method {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS,
    OTHER,
}

/// A method as the metrics and the access log show it: the methods HTTP defines, anything
/// else `OTHER` (a client's made-up method is never echoed).
pub fn method_label(method: &str) -> String {
    format!("{:?}", Method::of(method))
}

impl Method {
    fn of(method: &str) -> Method {
        match method {
            "GET" => Method::GET,
            "HEAD" => Method::HEAD,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "OPTIONS" => Method::OPTIONS,
            _ => Method::OTHER,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: Method,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    decision: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TimerLabels {
    timer: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: String,
    outcome: String,
}

/// The counters, shared by every request.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histogram,
    decisions: Family<DecisionLabels, Counter>,
    events: Family<EventLabels, Counter>,
    timers: Family<TimerLabels, Counter>,
    shadow: Family<ShadowLabels, Counter>,
    /// What a scrape reads at its time, written just before it is encoded.
    now: Arc<Mutex<AtScrapeValues>>,
    /// Scrapes encode one at a time, so each shows its own overdue count.
    scraping: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("tenet_http_requests", "Requests answered, by method, route and status", requests.clone());
        let latency = Histogram::new(BUCKETS);
        registry.register("tenet_http_request_duration_seconds", "Time to answer a request", latency.clone());
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register("tenet_decisions", "Decisions made, by outcome", decisions.clone());
        let events = Family::<EventLabels, Counter>::default();
        registry.register("tenet_events", "Case events recorded, by event and outcome", events.clone());
        let timers = Family::<TimerLabels, Counter>::default();
        registry.register(
            "tenet_timers_fired",
            "Timers fired by this server: an action whose time came (action.due), a deadline that passed (case.overdue)",
            timers.clone(),
        );
        let shadow = Family::<ShadowLabels, Counter>::default();
        registry.register(
            "tenet_shadow_evaluations",
            "Evaluations a candidate policy (--shadow) made again: same, differs, error",
            shadow.clone(),
        );
        let now = Arc::new(Mutex::new(AtScrapeValues::default()));
        registry.register_collector(Box::new(AtScrape { now: Arc::clone(&now) }));
        Metrics { registry, requests, latency, decisions, events, timers, shadow, now, scraping: Mutex::new(()) }
    }
}

impl Metrics {
    /// A request answered; `route` is the router's template (`/v1/cases/{id}`), or
    /// `None` for a path no route matched.
    pub fn request(&self, method: &str, route: Option<&str>, status: u16, took: Duration) {
        let labels =
            RequestLabels { method: Method::of(method), route: route.unwrap_or("unmatched").to_owned(), status };
        self.requests.get_or_create(&labels).inc();
        self.latency.observe(took.as_secs_f64());
    }

    /// A decision made (`approved`, `rejected`, `needs_info`).
    pub fn decision(&self, outcome: &str) {
        let decision = match outcome {
            "approved" | "rejected" | "needs_info" => outcome,
            _ => "other",
        };
        self.decisions.get_or_create(&DecisionLabels { decision: decision.to_owned() }).inc();
    }

    /// An event recorded, with its outcome. Only the events a workflow declares are
    /// recorded (the service refuses any other name), so the label stays bounded.
    pub fn event(&self, event: &str, outcome: &str) {
        let outcome = match outcome {
            "accepted" | "refused" | "illegal" => outcome,
            _ => "other",
        };
        self.events.get_or_create(&EventLabels { event: event.to_owned(), outcome: outcome.to_owned() }).inc();
    }

    /// A timer fired by this server (`action.due`, `case.overdue`).
    pub fn timer(&self, timer: &str) {
        let timer = match timer {
            "action.due" | "case.overdue" => timer,
            _ => "other",
        };
        self.timers.get_or_create(&TimerLabels { timer: timer.to_owned() }).inc();
    }

    /// A shadow evaluation: `same`, `differs` or `error`.
    pub fn shadow(&self, outcome: &str) {
        let outcome = match outcome {
            "same" | "differs" | "error" => outcome,
            _ => "other",
        };
        self.shadow.get_or_create(&ShadowLabels { outcome: outcome.to_owned() }).inc();
    }

    /// The exposition, with the figures read at the scrape.
    pub fn render(&self, now: AtScrapeValues) -> String {
        let _one = self.scraping.lock();
        if let Ok(mut slot) = self.now.lock() {
            *slot = now;
        }
        let mut s = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut s, &self.registry) {
            eprintln!("tenet serve: the metrics could not be written: {e}");
        }
        s
    }
}

/// Figures read when a scrape comes.
#[derive(Clone, Copy, Debug, Default)]
pub struct AtScrapeValues {
    /// Cases with an overdue deadline, when they could be counted.
    pub overdue: Option<u64>,
    /// Decision log entries waiting for a commit.
    pub log_queued: u64,
    /// Decision log commits tried again after a failure.
    pub log_retried: u64,
    /// Decision log entries refused because its queue was full.
    pub log_refused: u64,
}

/// What is read when a scrape comes: cases overdue, the decision log's queue and the
/// process's CPU time.
#[derive(Debug)]
struct AtScrape {
    now: Arc<Mutex<AtScrapeValues>>,
}

impl Collector for AtScrape {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let now = self.now.lock().map(|v| *v).unwrap_or_default();
        let gauge = ConstGauge::new(i64::try_from(now.log_queued).unwrap_or(i64::MAX));
        let metric = encoder.encode_descriptor(
            "tenet_decision_log_queued",
            "Decision log entries waiting for a commit",
            None,
            gauge.metric_type(),
        )?;
        gauge.encode(metric)?;
        for (name, help, n) in [
            ("tenet_decision_log_retries", "Decision log commits tried again after a failure", now.log_retried),
            ("tenet_decision_log_refused", "Decision log entries refused because its queue was full", now.log_refused),
        ] {
            let counter = ConstCounter::new(n);
            let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            counter.encode(metric)?;
        }
        if let Some(n) = now.overdue {
            let gauge = ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX));
            let metric = encoder.encode_descriptor(
                "tenet_cases_overdue",
                "Cases with a deadline past due now",
                None,
                gauge.metric_type(),
            )?;
            gauge.encode(metric)?;
        }
        if let Some(cpu) = process_cpu_time() {
            let counter = ConstCounter::new(cpu.as_secs_f64());
            let metric = encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds",
                None,
                counter.metric_type(),
            )?;
            counter.encode(metric)?;
        }
        Ok(())
    }
}

/// The CPU time this process has used, user and system, from `/proc/self/stat`; `None`
/// where there is no such file (outside Linux).
pub fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command's name (field 2) may hold spaces and parentheses: count after its end.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let user: u64 = fields.nth(11)?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    // Counted in USER_HZ ticks: 100 a second on x86-64 and arm64 Linux.
    Some(Duration::from_millis(user.saturating_add(system).saturating_mul(10)))
}
