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

/// The first of a candidate's diagnostics, as the kept error says it.
fn first_problem(n: usize, first: Option<&tenet::diagnostics::Diagnostic>) -> String {
    let first = first.map(|d| match &d.path {
        Some(p) if !p.is_empty() => format!("{p}: {}", d.message.get(tenet::diagnostics::Lang::En)),
        _ => d.message.get(tenet::diagnostics::Lang::En).to_owned(),
    });
    format!("{n} problems, first: {}", first.unwrap_or_default())
}

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
        Err(d) => Err(first_problem(d.len(), d.first())),
        Ok(f) => match candidate.policy.evaluate(&f, now) {
            Ok(e) => crate::kept::kept_result(&e, now, None).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
    };
    let differs = differs(&live, &outcome);
    if differs {
        keep(&app, &candidate, [&decision_id, &at], None, &live, &outcome, true).await;
    }
    count(&app, &outcome, differs);
}

/// A case's decision (its opening or an event) to judge again.
#[derive(Debug)]
pub struct CaseJudgment {
    /// The case with its events, the new one last.
    pub case: tenet::workflow::Case,
    /// The instant the live policy judged it at.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The live decision's id and time (UTC text).
    pub decision_id: String,
    /// See `decision_id`.
    pub at: String,
    /// The case's version after the event (0: its opening).
    pub version: i64,
    /// The live compact result (`kept::case_result`).
    pub live: String,
}

/// Replays a case with the candidate as the live policy just did and keeps the
/// difference, if any — or, when the two agree again after a difference, that they do,
/// since a case's latest judgment says whether it differs. Run in the order of the
/// case's events (`App::shadow_order`).
pub async fn judge_case(app: Arc<App>, candidate: Arc<Loaded>, job: CaseJudgment) {
    let id = job.case.id.clone().unwrap_or_default();
    let outcome = match candidate.policy.replay(&job.case, job.now) {
        Err(e) => {
            let d = e.diagnostics();
            Err(first_problem(d.len(), d.first()))
        }
        Ok(r) => {
            let posted = (!job.case.events.is_empty()).then(|| {
                let outcome = r.trail().last().map_or("illegal", |s| s.outcome().as_str());
                json!({"version": job.version, "outcome": outcome})
            });
            crate::kept::case_result(&r, posted.as_ref()).map_err(|e| e.to_string())
        }
    };
    let differs = differs(&job.live, &outcome);
    let keep_it = differs
        || match app.store.last_shadow_of_case(&id).await {
            Ok(before) => before.as_ref().is_some_and(row_differs),
            Err(e) => {
                eprintln!(
                    "tenet serve: the shadow could not read case {id}'s last difference: {}",
                    crate::error::with_causes(&e)
                );
                false
            }
        };
    if keep_it {
        let ids = [job.decision_id.as_str(), job.at.as_str()];
        keep(&app, &candidate, ids, Some((&id, job.version)), &job.live, &outcome, differs).await;
    }
    count(&app, &outcome, differs);
}

/// Whether the candidate's outcome differs from the live result (an error always does).
fn differs(live: &str, outcome: &Result<String, String>) -> bool {
    match outcome {
        Ok(c) => crate::kept::differs(&parse(live), &parse(c)),
        Err(_) => true,
    }
}

/// Counts a judgment in the metrics, once what it keeps is kept (so a count says the
/// summary has it).
fn count(app: &App, outcome: &Result<String, String>, differs: bool) {
    app.metrics.shadow(match (outcome, differs) {
        (Err(_), _) => "error",
        (Ok(_), true) => "differs",
        (Ok(_), false) => "same",
    });
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

/// Whether a kept row is a difference (an error is one).
fn row_differs(r: &crate::store::ShadowRow) -> bool {
    r.candidate.as_deref().is_none_or(|c| crate::kept::differs(&parse(&r.live), &parse(c)))
}

/// Keeps a judgment, with the `decision.shadow_diff` deliveries of a difference.
async fn keep(
    app: &App,
    candidate: &Loaded,
    [decision_id, at]: [&str; 2],
    case: Option<(&str, i64)>,
    live: &str,
    outcome: &Result<String, String>,
    differs: bool,
) {
    let kept = outcome.as_ref().ok().map(String::as_str);
    let row = crate::store::ShadowDiff {
        decision_id,
        at,
        policy: candidate.policy.name(),
        candidate_hash: &candidate.hash,
        live,
        candidate: kept,
        error: outcome.as_ref().err().map(String::as_str),
        case,
    };
    // A receiver that asked for `decision.shadow_diff` hears of it, from the same write.
    let deliveries = match &app.webhooks {
        Some(hooks) if differs => {
            let data = json!({
                "decision_id": decision_id, "policy": row.policy, "candidate": row.candidate_hash,
                "case": case.map(|c| c.0),
                "live": parse(live),
                "candidate_result": kept.map(parse),
                "error": row.error,
            });
            hooks.deliveries(&format!("shadow {decision_id}"), "decision.shadow_diff", row.policy, data, at)
        }
        _ => Vec::new(),
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
    // A case counts once, by its latest judgment (as `tenet diff` judges a case by its
    // latest decision); a case the two policies agree on again does not count.
    let mut latest: BTreeMap<&str, (i64, usize)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(case) = &r.case_id {
            let v = r.case_version.unwrap_or_default();
            let slot = latest.entry(case).or_insert((v, i));
            if (v, i) >= *slot {
                *slot = (v, i);
            }
        }
    }
    let chosen: Vec<&crate::store::ShadowRow> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| r.case_id.as_deref().is_none_or(|c| latest.get(c).is_some_and(|s| s.1 == *i)))
        .map(|(_, r)| r)
        .filter(|r| row_differs(r))
        .collect();
    for r in &chosen {
        let live: Value = serde_json::from_str(&r.live).unwrap_or_default();
        let Some(candidate) = r.candidate.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
            errors += 1;
            entries.push(json!({"decision_id": r.decision_id, "at": r.at, "case": r.case_id, "error": r.error}));
            continue;
        };
        let text = |v: &Value| v.get("decision").and_then(Value::as_str).unwrap_or("").to_owned();
        *moves.entry((text(&live), text(&candidate))).or_default() += 1;
        let (l, c) =
            (money(live.pointer("/outputs/refund_amount")), money(candidate.pointer("/outputs/refund_amount")));
        live_refund += l;
        candidate_refund += c;
        entries.push(json!({
            "decision_id": r.decision_id, "at": r.at, "case": r.case_id, "from": text(&live), "to": text(&candidate),
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
        "differences": chosen.len(),
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
/// to before `until`, open when absent), for `tenet report shadow`: the same figures as
/// `GET /v1/shadow`, the candidate being the one that judged last.
pub fn read_summary(
    url: &str,
    policy: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Value, StartError> {
    crate::with_store(url, |store| async move {
        let rows = store
            .shadow_diffs(policy, since, until)
            .await
            .map_err(|e| StartError::Database(crate::error::with_causes(&e)))?;
        let hash = rows.last().map(|r| r.candidate_hash.clone()).unwrap_or_default();
        Ok(summary(policy, &hash, &rows))
    })
}
