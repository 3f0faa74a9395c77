//! Shadow evaluation (`tenet serve --shadow DIR`): candidate policies loaded beside the
//! live ones. Every evaluation of a live policy is evaluated again by the candidate of the
//! same name, off the request path, and only where the two differ — decision, codes,
//! ledger totals, outputs — is the difference kept (`shadow_diffs`); a candidate that
//! cannot evaluate the facts is counted and kept as an error, and never touches the
//! answer. `GET /v1/shadow` sums the differences up in money.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::app::App;
use crate::error::StartError;
use crate::policies::Loaded;

pub use crate::policies::Candidates;

/// Loads the candidates of `dir`: each must pass its check and shadow a live policy.
pub fn load(dir: &Path, live: &[Loaded]) -> Result<Candidates, StartError> {
    let loaded = crate::policies::load_folder(dir).map_err(|broken| {
        let names: Vec<String> = broken.iter().map(|b| format!("--shadow {}", b.path.display())).collect();
        StartError::Policy(names.join(", "), broken.into_iter().flat_map(|b| b.diagnostics).collect())
    })?;
    let mut out = Candidates::new();
    for l in loaded {
        let name = l.policy.name().to_owned();
        if !live.iter().any(|p| p.policy.name() == name) {
            let served: Vec<&str> = live.iter().map(|p| p.policy.name()).collect();
            return Err(StartError::Usage(format!(
                "--shadow {}: 候选策略 {name} 没有同名的在用策略（在用：{}）· the candidate {name} shadows no live policy (live: {})",
                l.path,
                served.join("、"),
                served.join(", ")
            )));
        }
        out.insert(name, Arc::new(l));
    }
    Ok(out)
}

/// The parts of a kept result a shadow compares.
const COMPARED: [&str; 4] = ["decision", "codes", "ledgers", "outputs"];

/// Evaluates the facts of a live evaluation with the candidate and keeps the difference,
/// if any. `live` is the compact result the log kept for it.
pub async fn judge(
    app: Arc<App>,
    candidate: Arc<Loaded>,
    facts: String,
    now: chrono::DateTime<chrono::Utc>,
    ids: [String; 2],
    live: String,
) {
    let [decision_id, at] = ids;
    let outcome = match candidate.policy.facts_from_json(&facts) {
        Err(d) => Err(format!(
            "{} problems with the facts, first: {}",
            d.len(),
            d.first().map(|d| d.message.get(tenet::diagnostics::Lang::En)).unwrap_or_default()
        )),
        Ok(f) => match candidate.policy.evaluate(&f, now) {
            Ok(e) => crate::kept::kept_result(&e, now, None).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
    };
    let (kept, differs) = match &outcome {
        Ok(c) => {
            let (l, s): (Value, Value) =
                (serde_json::from_str(&live).unwrap_or_default(), serde_json::from_str(c).unwrap_or_default());
            (Some(c.as_str()), COMPARED.iter().any(|k| l.get(k) != s.get(k)))
        }
        Err(_) => (None, true),
    };
    app.metrics.shadow(match (&outcome, differs) {
        (Err(_), _) => "error",
        (Ok(_), true) => "differs",
        (Ok(_), false) => "same",
    });
    if !differs {
        return;
    }
    let row = crate::store::ShadowDiff {
        decision_id: &decision_id,
        at: &at,
        policy: candidate.policy.name(),
        candidate_hash: &candidate.hash,
        live: &live,
        candidate: kept,
        error: outcome.as_ref().err().map(String::as_str),
    };
    // A receiver that asked for `decision.shadow_diff` hears of it, from the same write.
    let deliveries = match &app.webhooks {
        Some(hooks) => {
            let data = json!({
                "decision_id": decision_id, "policy": row.policy, "candidate": row.candidate_hash,
                "live": serde_json::from_str::<Value>(&live).unwrap_or_default(),
                "candidate_result": kept.and_then(|k| serde_json::from_str::<Value>(k).ok()),
                "error": row.error,
            });
            hooks.deliveries(&format!("shadow {decision_id}"), "decision.shadow_diff", row.policy, data, &at)
        }
        None => Vec::new(),
    };
    if let Err(e) = app.store.keep_shadow_diff(&row, &deliveries).await {
        eprintln!("tenet serve: a shadow difference was not kept: {}", crate::error::with_causes(&e));
    }
}

/// A money output or total as a number (absent or not money: zero).
fn money(v: Option<&Value>) -> Decimal {
    v.and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or_default()
}

/// The summary of kept differences: how decisions moved, what the refunds would have been
/// (the `refund_amount` output), the entries.
pub fn summary(policy: &str, candidate_hash: &str, rows: &[crate::store::ShadowRow]) -> Value {
    let mut moves: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut live_refund, mut candidate_refund, mut errors) = (Decimal::ZERO, Decimal::ZERO, 0u64);
    let mut entries = Vec::new();
    for r in rows {
        let live: Value = serde_json::from_str(&r.live).unwrap_or_default();
        let Some(candidate) = r.candidate.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
            errors += 1;
            entries.push(json!({"decision_id": r.decision_id, "at": r.at, "error": r.error}));
            continue;
        };
        let text = |v: &Value| v.get("decision").and_then(Value::as_str).unwrap_or("").to_owned();
        *moves.entry((text(&live), text(&candidate))).or_default() += 1;
        let (l, c) =
            (money(live.pointer("/outputs/refund_amount")), money(candidate.pointer("/outputs/refund_amount")));
        live_refund += l;
        candidate_refund += c;
        entries.push(json!({
            "decision_id": r.decision_id, "at": r.at, "from": text(&live), "to": text(&candidate),
            "codes": {"live": live.get("codes"), "candidate": candidate.get("codes")},
            "refund_change": (c - l).to_string(),
        }));
    }
    // Returns the candidate refuses that the live policy did not, less the other way.
    let refused_more: i64 = moves
        .iter()
        .map(|((from, to), n)| {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            match (from == "rejected", to == "rejected") {
                (false, true) => n,
                (true, false) => -n,
                _ => 0,
            }
        })
        .sum();
    let change = candidate_refund - live_refund;
    let zh = format!(
        "候选策略会多拒绝 {refused_more} 个退货，退款{} ¥{}",
        if change.is_sign_negative() { "少" } else { "多" },
        change.abs()
    );
    let en = format!(
        "the candidate would have refused {refused_more} more returns, ¥{} {} refunded",
        change.abs(),
        if change.is_sign_negative() { "less" } else { "more" }
    );
    json!({
        "policy": policy,
        "candidate": candidate_hash,
        "differences": rows.len(),
        "errors": errors,
        "decisions": moves.iter().map(|((f, t), n)| json!({"from": f, "to": t, "count": n})).collect::<Vec<_>>(),
        "refused_more": refused_more,
        "refund": {"live": live_refund.to_string(), "candidate": candidate_refund.to_string(), "change": change.to_string()},
        "message": zh,
        "message_en": en,
        "entries": entries,
    })
}

/// The summary of the differences a service's database keeps for `policy` (from `since`
/// to before `until`, UTC texts, open when empty), for `tenet report shadow`: the same
/// figures as `GET /v1/shadow`, the candidate being the one that judged last.
pub fn read_summary(url: &str, policy: &str, since: &str, until: &str) -> Result<Value, StartError> {
    crate::with_store(url, |store| async move {
        let rows = store
            .shadow_diffs(policy, since, until)
            .await
            .map_err(|e| StartError::Database(crate::error::with_causes(&e)))?;
        let hash = rows.last().map(|r| r.candidate_hash.clone()).unwrap_or_default();
        Ok(summary(policy, &hash, &rows))
    })
}
