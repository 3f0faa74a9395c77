//! Webhooks that deliver: each delivery is written to the outbox in the transaction of
//! what caused it, then POSTed as JSON following the Standard Webhooks specification
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with exponential
//! backoff and jitter until it is delivered or, after [`MAX_ATTEMPTS`], kept as dead with
//! its last error. At least once: a receiver de-duplicates by `webhook-id`.

pub mod config;
pub mod deliver;
pub mod sign;

use std::time::Duration;

use serde_json::json;

pub use config::{Config, Endpoint};

use crate::store::{Delivery, NewDelivery};

pub use deliver::{deliver_due, run};

/// Attempts before a delivery is kept as dead.
pub const MAX_ATTEMPTS: i64 = 12;
/// How often a server looks for deliveries to send.
pub const EVERY: Duration = Duration::from_secs(1);

/// The receivers and the client that reaches them.
#[derive(Clone, Debug)]
pub struct Webhooks {
    /// The receivers of the webhooks file.
    pub endpoints: Vec<Endpoint>,
    /// The first retry's wait; each next one doubles (at most an hour), ±20 % jitter.
    pub backoff: Duration,
    /// How long one POST may take.
    pub timeout: Duration,
    client: reqwest::Client,
}

impl Webhooks {
    /// The receivers of a webhooks file.
    pub fn new(config: Config) -> Webhooks {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Webhooks { endpoints: config.endpoints, backoff: Duration::from_secs(2), timeout: config.timeout, client }
    }

    /// How long a server holds the deliveries it claimed before another may take them:
    /// longer than one POST may take, so a delivery is sent again only when the server
    /// that claimed it stopped (killed in the middle of a send, say).
    pub fn claim(&self) -> Duration {
        self.timeout + Duration::from_secs(5)
    }

    /// The deliveries of one event for a case of `policy`: one per receiver that asked
    /// for `event_type`, each with an id derived from `cause` and the receiver (the same
    /// cause never gives two ids).
    pub fn deliveries(
        &self,
        cause: &str,
        event_type: &str,
        policy: &str,
        data: serde_json::Value,
        at: &str,
    ) -> Vec<NewDelivery> {
        self.endpoints
            .iter()
            .filter(|e| e.wants(event_type, policy))
            .map(|e| {
                let digest = crate::ids::sha256_hex(format!("{cause}\n{}", e.url).as_bytes());
                let id = format!("msg_{}", digest.get(..24).unwrap_or(&digest));
                let payload = json!({"type": event_type, "timestamp": at, "data": data}).to_string();
                NewDelivery { id, url: e.url.clone(), event_type: event_type.to_owned(), payload }
            })
            .collect()
    }

    /// The receivers' addresses, each once.
    pub fn urls(&self) -> Vec<&str> {
        let mut urls: Vec<&str> = self.endpoints.iter().map(|e| e.url.as_str()).collect();
        urls.sort_unstable();
        urls.dedup();
        urls
    }

    /// The wait before attempt `attempts + 1`.
    pub fn wait(&self, attempts: i64) -> Duration {
        let doubled = self.backoff.saturating_mul(1u32 << attempts.clamp(0, 20));
        let capped = doubled.min(Duration::from_secs(3600));
        let jitter = crate::ids::random_hex(2).and_then(|h| u64::from_str_radix(&h, 16).ok()).unwrap_or(0);
        // 80 % to 120 %: replicas that failed together do not retry together.
        capped.mul_f64(0.8 + 0.4 * (jitter as f64 / 65535.0))
    }

    /// Sends one delivery; `Err` says why it failed.
    pub async fn send(&self, d: &Delivery) -> Result<(), String> {
        let Some(endpoint) = self.endpoints.iter().find(|e| e.url == d.url) else {
            return Err("the webhooks file no longer names this receiver".into());
        };
        let timestamp = chrono::Utc::now().timestamp();
        let signature = sign::signature(&endpoint.key, &d.id, timestamp, &d.payload);
        let r = self
            .client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.payload.clone())
            .send()
            .await
            .map_err(|e| crate::error::with_causes(&e))?;
        if r.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", r.status().as_u16())) }
    }
}
