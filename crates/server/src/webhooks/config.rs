//! The webhooks file (`tenet serve --webhooks FILE`):
//!
//! ```yaml
//! webhooks:
//!   - url: http://127.0.0.1:9000/tenet
//!     secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw   # base64 after whsec_, as Standard Webhooks writes it
//!     events: [action.due, case.overdue]
//!     policy: returns                                   # optional: only this policy's cases
//! timeout_seconds: 10                                   # optional: how long one POST may take (1–60)
//! ```

use std::path::Path;

use base64::Engine;
use serde::Deserialize;

use crate::error::StartError;

/// The kinds of delivery a receiver may ask for.
pub const EVENT_TYPES: &[&str] = &["case.event", "case.stage", "action.due", "case.overdue", "decision.shadow_diff"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    webhooks: Vec<Entry>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
}

/// What the webhooks file says.
#[derive(Clone, Debug)]
pub struct Config {
    /// The receivers.
    pub endpoints: Vec<Endpoint>,
    /// How long one POST may take before it counts as failed.
    pub timeout: std::time::Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    url: String,
    secret: String,
    events: Vec<String>,
    #[serde(default)]
    policy: Option<String>,
}

/// A receiver: where deliveries go, the key they are signed with, what it asked for.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Where to POST.
    pub url: String,
    /// The signing key (the bytes after `whsec_`, base64-decoded).
    pub key: Vec<u8>,
    /// The event types it receives.
    pub events: Vec<String>,
    /// Only cases of this policy, when given.
    pub policy: Option<String>,
}

impl Endpoint {
    /// Whether it receives `event_type` for a case of `policy`.
    pub fn wants(&self, event_type: &str, policy: &str) -> bool {
        self.events.iter().any(|e| e == event_type) && self.policy.as_deref().is_none_or(|p| p == policy)
    }
}

/// Reads the webhooks file; every problem names the file and the entry.
pub fn read(path: &Path) -> Result<Config, StartError> {
    let shown = path.display();
    let bad = |what: String| StartError::Usage(format!("--webhooks {shown}: {what}"));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("无法读取 · cannot read: {e}")))?;
    let file: File = yaml_serde::from_str(&text).map_err(|e| {
        bad(format!("{e}\n  写成 webhooks: [{{url, secret, events, policy?}}] · write webhooks: [{{url, secret, events, policy?}}]"))
    })?;
    let mut out = Vec::new();
    for (i, w) in file.webhooks.into_iter().enumerate() {
        if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
            return Err(bad(format!(
                "webhooks[{i}].url {:?}: 应以 http:// 或 https:// 开头 · must start with http:// or https://",
                w.url
            )));
        }
        let key = w
            .secret
            .strip_prefix("whsec_")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|k| k.len() >= 16)
            .ok_or_else(|| {
                bad(format!(
                    "webhooks[{i}].secret: 应为 whsec_ 加 base64（至少 16 字节），如 whsec_$(head -c 24 /dev/urandom | base64) · \
                     must be whsec_ and base64 of at least 16 bytes, such as whsec_$(head -c 24 /dev/urandom | base64)"
                ))
            })?;
        if let Some(unknown) = w.events.iter().find(|e| !EVENT_TYPES.contains(&e.as_str())) {
            return Err(bad(format!(
                "webhooks[{i}].events: 没有 {unknown}；可用：{} · there is no {unknown}; the types are: {}",
                EVENT_TYPES.join("、"),
                EVENT_TYPES.join(", ")
            )));
        }
        out.push(Endpoint { url: w.url, key, events: w.events, policy: w.policy });
    }
    let timeout = match file.timeout_seconds {
        None => 10,
        Some(s @ 1..=60) => s,
        Some(s) => {
            return Err(bad(format!(
                "timeout_seconds: {s} 超出 1–60 · {s} is outside 1–60 (a receiver should answer at once and work afterwards)"
            )));
        }
    };
    Ok(Config { endpoints: out, timeout: std::time::Duration::from_secs(timeout) })
}
