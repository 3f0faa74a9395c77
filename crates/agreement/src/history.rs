//! The signing history as the source of truth: a case of the signing workflow
//! (`rules/signing.tenet`) replayed to give the agreement's stage, its signing date (the
//! day the `sign` step was accepted, in the workflow's zone) and the signatories.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use tenet::Policy;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::facts::Format;
use tenet::source::SourceFile;
use tenet::workflow::{Case, Outcome};

/// Where a replayed signing history leaves the agreement.
#[derive(Debug)]
pub struct Signing {
    /// The stage reached.
    pub stage: String,
    /// `YYYY-MM-DD`: the day the agreement entered `signed`, if it has.
    pub date: Option<String>,
    /// Each party's signatory, as the history records them (`party_a`, `party_b`).
    pub signatories: serde_json::Map<String, Json>,
}

fn problem(file: &Arc<SourceFile>, path: &str, message: Msg, help: Msg) -> Diagnostic {
    Diagnostic::error("invalid-agreement", message).at_path(path).help(help).in_file(file)
}

/// Replays the history in `path` with `signing` at `now` (else the case's own `now`),
/// checking it is the history of the agreement `data` describes.
pub fn replay(
    path: &Path,
    signing: &Policy,
    signed_stage: &str,
    now: Option<DateTime<Utc>>,
    data: &serde_json::Map<String, Json>,
) -> Result<Signing, Vec<Diagnostic>> {
    let file = tenet::source::read_source(path).map_err(|e| {
        let shown = path.display();
        vec![Diagnostic::error(
            "invalid-agreement",
            msg!("无法读取签订经过 {shown}：{e}", "cannot read the signing history {shown}: {e}"),
        )]
    })?;
    let case = Case::parse(&file, Format::from_path(file.name()))?;
    // A history of another workflow (a return case) is named as such, rather than
    // refused field by field against the signing facts.
    let named = case.policy.as_deref().and_then(|p| Path::new(p).file_stem()).map(|s| s.to_string_lossy().into_owned());
    let foreign = match &named {
        Some(name) => name != signing.name(),
        None => case.facts.to_json().get("agreement").is_none(),
    };
    if foreign {
        let whose = named.unwrap_or_else(|| "?".into());
        let ours = signing.name();
        return Err(vec![problem(
            &file,
            if case.policy.is_some() { "policy" } else { "facts" },
            msg!(
                "这不是签订经过：它属于策略 `{whose}`，而 --case 需要策略 `{ours}` 的案例",
                "this is not a signing history: it belongs to policy `{whose}`, and --case takes a case of policy `{ours}`"
            ),
            Msg::new(
                "给出协议的签订经过（facts 中有 agreement，如 examples/cases/agreement-history.yaml）",
                "give the agreement's signing history (its facts have `agreement`, as examples/cases/agreement-history.yaml)",
            ),
        )]);
    }
    let Some(now) = now.or(case.now) else {
        return Err(vec![problem(
            &file,
            "now",
            Msg::new("签订经过没有 now，也没有给出 --now", "the signing history has no `now` and no --now was given"),
            Msg::new("在案例中写 now，或加 --now 时刻", "write `now` in the case, or pass --now INSTANT"),
        )]);
    };
    let replay = signing.replay(&case, now).map_err(|e| {
        e.diagnostics()
            .into_iter()
            .map(|d| {
                let at = d.path.as_deref().map(|p| format!("facts.{p}")).unwrap_or_else(|| "facts".into());
                d.at_path(at).in_file(&file)
            })
            .collect::<Vec<_>>()
    })?;
    let facts = replay.facts().to_json();
    // The history must be this agreement's: same number and term.
    for key in ["number", "term.start", "term.end"] {
        let pointer = format!("/agreement/{}", key.replace('.', "/"));
        let history = facts.pointer(&pointer).and_then(Json::as_str).unwrap_or_default().to_owned();
        let ours = lookup(data, key).and_then(Json::as_str).unwrap_or_default().to_owned();
        if history != ours {
            return Err(vec![problem(
                &file,
                &format!("facts.agreement.{key}"),
                msg!(
                    "签订经过记录的 {key} 是“{history}”，协议数据却是“{ours}”：这不是同一份协议的签订经过",
                    "the signing history's {key} is \"{history}\" but the data's is \"{ours}\": it is not this agreement's history"
                ),
                Msg::new(
                    "用这份协议的签订经过，或改正其中一方",
                    "use this agreement's signing history, or correct whichever is wrong",
                ),
            )]);
        }
    }
    let date = replay
        .trail()
        .iter()
        .rfind(|s| s.outcome() == Outcome::Accepted && s.to() == Some(signed_stage))
        .map(|s| replay.locale().local_date(&s.at()).format("%Y-%m-%d").to_string());
    let signatories = facts.get("signatories").and_then(Json::as_object).cloned().unwrap_or_default();
    Ok(Signing { stage: replay.stage().to_owned(), date, signatories })
}

/// The value at a dotted `key` of `map`.
fn lookup<'a>(map: &'a serde_json::Map<String, Json>, key: &str) -> Option<&'a Json> {
    let mut steps = key.split('.');
    let first = map.get(steps.next()?)?;
    steps.try_fold(first, |node, step| node.get(step))
}
