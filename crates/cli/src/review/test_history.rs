//! History tests: a case file with `events:` and an `expect:` — what replaying its
//! history through the policy's workflow must give — and `--update`, which writes that
//! expectation from the replay for a person to review as a diff.
//!
//! ```yaml
//! expect:
//!   stage: rejected
//!   decision: rejected
//!   codes: [WINDOW_EXPIRED]
//!   refund: null                       # or {amount: '349.10', status: success}
//!   trail: [refused, illegal]          # each event's outcome
//!   next_events: [resubmit, reopen]
//!   deadlines: {review: met}           # each started deadline's status, by stage
//!   actions: [{kind: explain_rejection, due: '2026-11-10T10:00:00+08:00'}]
//!   outputs: {refund_method: alipay}   # as for an evaluation test
//!   ledgers: {deductions: '0.00'}
//! ```
//!
//! Only what is listed is compared.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::review::test_case::{Mismatch, entries, same_value, show};
use tenet::facts::Raw;
use tenet::workflow::Replay;

/// What a history must give; only what is listed is compared.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryExpect {
    /// The stage the case ends in.
    #[serde(default)]
    pub stage: Option<String>,
    /// The case's decision.
    #[serde(default)]
    pub decision: Option<String>,
    /// The exact set of the decision's codes.
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    /// `null` for no refund, or the fields of the view's `refund` that must hold.
    #[serde(default, deserialize_with = "present")]
    pub refund: Option<Raw>,
    /// Each event's outcome, in order.
    #[serde(default)]
    pub trail: Option<Vec<String>>,
    /// The events allowed next, in the workflow's order.
    #[serde(default)]
    pub next_events: Option<Vec<String>>,
    /// Each started deadline's status, by its stage.
    #[serde(default)]
    pub deadlines: Option<Raw>,
    /// The scheduled actions, `{kind, due}` each, by due time.
    #[serde(default)]
    pub actions: Option<Raw>,
    /// Output values by name.
    #[serde(default)]
    pub outputs: Option<Raw>,
    /// Ledger totals by name.
    #[serde(default)]
    pub ledgers: Option<Raw>,
}

/// `refund: null` is an expectation (no refund), unlike a missing `refund`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Raw>, D::Error> {
    Raw::deserialize(d).map(Some)
}

/// Every expectation of `expect` the replay does not meet.
pub fn mismatches(replay: &Replay<'_>, view: &Json, expect: &HistoryExpect) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut push = |what: &str, expected: String, actual: String| {
        out.push(Mismatch { what: what.to_owned(), expected, actual });
    };
    let text = |v: &Json| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    if let Some(want) = &expect.stage
        && want != replay.stage()
    {
        push("stage", want.clone(), replay.stage().to_owned());
    }
    if let Some(want) = &expect.decision
        && *want != text(&view["decision"])
    {
        push("decision", want.clone(), text(&view["decision"]));
    }
    if let Some(want) = &expect.codes {
        let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
        want.sort_unstable();
        want.dedup();
        let mut got: Vec<String> = strings(&view["codes"]);
        got.sort_unstable();
        if want != got {
            push("codes", list(&want), list(&got));
        }
    }
    match (&expect.refund, view.get("refund")) {
        (None, _) => {}
        (Some(Raw::Null), None) => {}
        (Some(Raw::Null), Some(got)) => push("refund", "null".into(), got.to_string()),
        (Some(want), got) => {
            for (field, want) in entries(Some(want)) {
                let actual = got.and_then(|g| g.get(&field)).map_or_else(|| "(no refund)".into(), text);
                let null = matches!(want, Raw::Null);
                let holds = if null { actual == "null" } else { same_value(want, &actual) };
                if !holds {
                    push(&format!("refund.{field}"), if null { "null".into() } else { show(want) }, actual);
                }
            }
        }
    }
    if let Some(want) = &expect.trail {
        let got: Vec<&str> = replay.trail().iter().map(|s| s.outcome().as_str()).collect();
        if *want != got {
            push("trail", list(want), list(&got));
        }
    }
    if let Some(want) = &expect.next_events {
        let got: Vec<&str> = replay.next().map(|(event, _)| event).collect();
        if *want != got {
            push("next_events", list(want), list(&got));
        }
    }
    if expect.deadlines.is_some() {
        let want: Vec<(String, String)> =
            entries(expect.deadlines.as_ref()).into_iter().map(|(k, v)| (k, show(v))).collect();
        let got: Vec<(String, String)> =
            replay.deadlines().iter().map(|d| (d.stage().to_owned(), d.status().as_str().to_owned())).collect();
        if want != got {
            let pairs = |v: &[(String, String)]| list(&v.iter().map(|(k, s)| format!("{k}: {s}")).collect::<Vec<_>>());
            push("deadlines", pairs(&want), pairs(&got));
        }
    }
    if let Some(Raw::Seq(want)) = &expect.actions {
        let got = view["actions"].as_array().cloned().unwrap_or_default();
        let shown = |kind: &str, due: &str| format!("{kind} {due}");
        let got_list: Vec<String> = got.iter().map(|a| shown(&text(&a["kind"]), &text(&a["due"]))).collect();
        let holds = want.len() == got.len()
            && want.iter().zip(&got).all(|(w, g)| {
                entries(Some(w)).iter().all(|(field, value)| same_value(value, &text(&g[field.as_str()])))
            });
        if !holds {
            let want_list: Vec<String> = want
                .iter()
                .map(|w| {
                    let field = |name: &str| {
                        entries(Some(w)).into_iter().find(|(k, _)| k == name).map(|(_, v)| show(v)).unwrap_or_default()
                    };
                    shown(&field("kind"), &field("due"))
                })
                .collect();
            push("actions", list(&want_list), list(&got_list));
        }
    }
    if let Some(evaluation) = replay.evaluation() {
        let eval_expect = crate::review::test_case::Expect {
            decision: None,
            codes: None,
            outputs: expect.outputs.clone(),
            ledgers: expect.ledgers.clone(),
        };
        out.extend(crate::review::test_case::mismatches(evaluation, &eval_expect));
    } else if expect.outputs.is_some() || expect.ledgers.is_some() {
        push("outputs", "values".into(), "(the case's facts could not be evaluated)".into());
    }
    out
}

/// The `expect:` block that describes `replay` as it is, for `--update`: YAML, two
/// spaces in, every field this module compares (outputs and ledgers are left to the
/// author, who knows which matter).
pub fn expectation(replay: &Replay<'_>, view: &Json) -> String {
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let flow = |items: &[String]| format!("[{}]", items.join(", "));
    let mut y = String::from("expect:\n");
    y += &format!("  stage: {}\n", replay.stage());
    y += &format!("  decision: {}\n", view["decision"].as_str().unwrap_or("null"));
    y += &format!("  codes: {}\n", flow(&strings(&view["codes"])));
    match view.get("refund").and_then(Json::as_object) {
        // A policy without refund outputs says nothing of refunds.
        None if view["decision"] != "rejected" => {}
        None => y += "  refund: null\n",
        Some(r) => {
            let fields: Vec<String> = ["amount", "status"]
                .iter()
                .map(|k| match r.get(*k).and_then(Json::as_str) {
                    Some(v) => format!("{k}: {}", q(v)),
                    None => format!("{k}: null"),
                })
                .collect();
            y += &format!("  refund: {{{}}}\n", fields.join(", "));
        }
    }
    let trail: Vec<String> = replay.trail().iter().map(|s| s.outcome().as_str().to_owned()).collect();
    y += &format!("  trail: {}\n", flow(&trail));
    let next: Vec<String> = replay.next().map(|(e, _)| e.to_owned()).collect();
    y += &format!("  next_events: {}\n", flow(&next));
    let deadlines: Vec<String> =
        replay.deadlines().iter().map(|d| format!("{}: {}", d.stage(), d.status().as_str())).collect();
    y += &format!("  deadlines: {{{}}}\n", deadlines.join(", "));
    let actions = view["actions"].as_array().cloned().unwrap_or_default();
    if actions.is_empty() {
        y += "  actions: []\n";
    } else {
        y += "  actions:\n";
        for a in actions {
            let kind = a.get("kind").and_then(Json::as_str).unwrap_or_default();
            let due = a.get("due").and_then(Json::as_str).unwrap_or_default();
            y += &format!("  - {{kind: {kind}, due: {}}}\n", q(due));
        }
    }
    y
}

/// `text` with its top-level `expect:` block replaced by `block` (or `block` added at
/// the end): the rest of the file — comments included — stays as written.
pub fn with_expectation(text: &str, block: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == "expect:" || l.starts_with("expect:"));
    let mut out = String::new();
    match start {
        None => {
            out.push_str(text.trim_end());
            out.push('\n');
            out.push_str(block);
        }
        Some(start) => {
            // The block runs until the next line that starts a top-level key or comment.
            let end = lines
                .iter()
                .enumerate()
                .skip(start + 1)
                .find(|(_, l)| l.chars().next().is_some_and(|c| !c.is_whitespace() && c != '-'))
                .map_or(lines.len(), |(i, _)| i);
            for l in lines.iter().take(start) {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(block);
            for l in lines.iter().skip(end) {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    format!("[{}]", items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::with_expectation;

    #[test]
    fn an_expectation_replaces_only_its_block() {
        let text = "# a comment\nfacts: {}\nexpect:\n  stage: old\n  codes:\n  - A\nevents:\n- {at: x, event: y}\n";
        let got = with_expectation(text, "expect:\n  stage: new\n");
        assert_eq!(got, "# a comment\nfacts: {}\nexpect:\n  stage: new\nevents:\n- {at: x, event: y}\n");
        let added = with_expectation("facts: {}\n", "expect:\n  stage: new\n");
        assert_eq!(added, "facts: {}\nexpect:\n  stage: new\n");
    }
}
