//! Counters for `GET /metrics`, in Prometheus' text format: requests by route and
//! status, a latency histogram, decisions by outcome, events by kind and outcome, and the
//! process's CPU time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Debug, Default)]
struct Counts {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum_micros: u128,
    decisions: BTreeMap<String, u64>,
    events: BTreeMap<(String, String), u64>,
}

/// The counters, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Counts)) {
        if let Ok(mut c) = self.counts.lock() {
            f(&mut c);
        }
    }

    /// A request answered.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.with(|c| {
            *c.requests.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
            let secs = took.as_secs_f64();
            for (slot, bound) in c.latency.iter_mut().zip(BUCKETS) {
                if secs <= bound {
                    *slot += 1;
                }
            }
            c.latency_count += 1;
            c.latency_sum_micros += took.as_micros();
        });
    }

    /// A decision made (`approved`, `rejected`, `needs_info`).
    pub fn decision(&self, outcome: &str) {
        self.with(|c| *c.decisions.entry(outcome.to_owned()).or_default() += 1);
    }

    /// An event recorded, with its outcome.
    pub fn event(&self, kind: &str, outcome: &str) {
        self.with(|c| *c.events.entry((kind.to_owned(), outcome.to_owned())).or_default() += 1);
    }

    /// The text exposition; `overdue` is the number of cases with an overdue deadline.
    pub fn render(&self, overdue: Option<u64>) -> String {
        let mut s = String::new();
        let Ok(c) = self.counts.lock() else { return s };
        s.push_str("# HELP tenet_http_requests_total Requests answered, by method, route and status.\n");
        s.push_str("# TYPE tenet_http_requests_total counter\n");
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                s,
                "tenet_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        s.push_str("# HELP tenet_http_request_duration_seconds Time to answer a request.\n");
        s.push_str("# TYPE tenet_http_request_duration_seconds histogram\n");
        for (bound, n) in BUCKETS.iter().zip(c.latency) {
            let _ = writeln!(s, "tenet_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(s, "tenet_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}", c.latency_count);
        let micros = c.latency_sum_micros;
        let _ = writeln!(s, "tenet_http_request_duration_seconds_sum {}.{:06}", micros / 1_000_000, micros % 1_000_000);
        let _ = writeln!(s, "tenet_http_request_duration_seconds_count {}", c.latency_count);
        s.push_str("# HELP tenet_decisions_total Decisions made, by outcome.\n");
        s.push_str("# TYPE tenet_decisions_total counter\n");
        for (outcome, n) in &c.decisions {
            let _ = writeln!(s, "tenet_decisions_total{{decision=\"{outcome}\"}} {n}");
        }
        s.push_str("# HELP tenet_events_total Case events recorded, by event and outcome.\n");
        s.push_str("# TYPE tenet_events_total counter\n");
        for ((kind, outcome), n) in &c.events {
            let _ = writeln!(s, "tenet_events_total{{event=\"{kind}\",outcome=\"{outcome}\"}} {n}");
        }
        if let Some(cpu) = process_cpu_time() {
            s.push_str("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n");
            s.push_str("# TYPE process_cpu_seconds_total counter\n");
            let _ = writeln!(s, "process_cpu_seconds_total {}.{:02}", cpu.as_secs(), cpu.subsec_millis() / 10);
        }
        if let Some(n) = overdue {
            s.push_str("# HELP tenet_cases_overdue Cases with a deadline past due now.\n");
            s.push_str("# TYPE tenet_cases_overdue gauge\n");
            let _ = writeln!(s, "tenet_cases_overdue {n}");
        }
        s
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
