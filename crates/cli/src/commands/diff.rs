//! `tenet diff OLD NEW --cases DIR [--format json]`: what a policy change does to a
//! corpus of cases — only the cases that change, grouped by kind of change.

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::output::{fail, out};
use crate::{Exit, OutputFormat, Ui};
use std::collections::BTreeMap;

use crate::review::diff::{self, Diff, Input, Subject, Verdict};
use tenet::diagnostics::Msg;

/// Arguments of `tenet diff`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 旧策略：文件，或 git 版本如 HEAD:rules/returns.tenet · the old policy: a file, or a git revision such as HEAD:rules/returns.tenet
    old: String,
    /// 新策略（同上）· the new policy (the same forms)
    new: String,
    /// 案例目录或文件 · case folders or files
    #[arg(long, num_args = 1.., required_unless_present = "decisions", conflicts_with = "decisions")]
    cases: Vec<PathBuf>,
    /// 已记录的决定：tenet serve 的数据库（sqlite://…、postgres://…）或 JSON lines 文件 · logged decisions: a `tenet serve` store (sqlite://…, postgres://…) or a JSON-lines file of logged inputs
    #[arg(long, value_name = "SOURCE")]
    decisions: Option<String>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let load = |spec: &str| {
        diff::load(spec).map_err(|diags| fail(args.format, ui, "invalid_policy", &diags, Exit::InvalidPolicy))
    };
    let old = match load(&args.old) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let new = match load(&args.new) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Some(source) = &args.decisions {
        let logged = match logged(source, old.name()) {
            Ok(l) => l,
            Err(m) => return crate::output::usage(args.format, ui, m),
        };
        let result = diff::diff_logged(&old, &new, logged);
        match args.format {
            OutputFormat::Json => {
                out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&result)).unwrap_or_default()))
            }
            OutputFormat::Human => out(&human(&result, ui)),
        }
        return Exit::Ok;
    }
    if let Some(missing) = args.cases.iter().find(|p| !p.exists()) {
        let shown = missing.display();
        return crate::output::usage(
            args.format,
            ui,
            Msg::new(format!("找不到 {shown}"), format!("{shown} does not exist")),
        );
    }
    let result = match diff::diff(&old, &new, &args.cases) {
        Ok(d) => d,
        Err(e) => {
            return crate::output::usage(
                args.format,
                ui,
                Msg::new(format!("无法读取：{e}"), format!("cannot read: {e}")),
            );
        }
    };
    // Nothing judged is not "no change": say what was read and why none of it counted.
    if result.total == 0 {
        let n = result.skipped.len();
        let first = result.skipped.first().map(|(p, why)| format!("{}: {why}", p.display())).unwrap_or_default();
        return crate::output::usage(
            args.format,
            ui,
            Msg::new(
                format!("--cases 中没有这个策略能评估的案例（读了 {n} 个文件；第一个：{first}）"),
                format!("--cases holds no case this policy can judge ({n} files read; the first: {first})"),
            ),
        );
    }
    match args.format {
        OutputFormat::Json => {
            out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&result)).unwrap_or_default()))
        }
        OutputFormat::Human => out(&human(&result, ui)),
    }
    Exit::Ok
}

/// What `source` logged for `policy`, as subjects to compare: from a `tenet serve` store,
/// every case of the policy (its history, judged at its last logged decision) and every
/// one-off evaluation; from a JSON-lines file, lines with `events` (the corpus format
/// `{"id", "facts", "events"}`) as cases, logged entries (`{"facts", "result"?, "at"?,
/// "decision_id"?, "case_id"?, "policy"?}`, as `GET /v1/decisions` streams them) — the
/// last entry of each case once, the others one-off — and bare facts as one-off.
fn logged(source: &str, policy: &str) -> Result<Vec<Subject>, Msg> {
    let instant = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str).and_then(tenet::facts::parse_datetime).map(|t| t.to_utc())
    };
    let mut out = Vec::new();
    if source.starts_with("sqlite:") || source.starts_with("postgres://") || source.starts_with("postgresql://") {
        let mut bad = None;
        // When each case was last decided, by case id.
        let mut last: BTreeMap<String, chrono::DateTime<chrono::Utc>> = BTreeMap::new();
        let read = tenet_server::read_decisions(source, |row| {
            if row.policy != policy {
                return;
            }
            let result: serde_json::Value = serde_json::from_str(&row.result).unwrap_or_default();
            let at = instant(result.get("now")).or_else(|| instant(Some(&serde_json::Value::String(row.at.clone()))));
            if let Some(case) = &row.case_id {
                if let Some(at) = at {
                    let slot = last.entry(case.clone()).or_insert(at);
                    *slot = (*slot).max(at);
                }
                return;
            }
            match serde_json::from_str::<tenet::facts::Raw>(&row.facts) {
                Ok(facts) => out.push(Subject {
                    label: format!("decision {}", row.decision_id),
                    input: Input::Evaluation(facts),
                    at,
                }),
                Err(e) => bad = Some(format!("decision {}: {e}", row.decision_id)),
            }
        });
        read.map_err(|e| Msg::new(format!("{source}：{e}"), format!("{source}: {e}")))?;
        if let Some(b) = bad {
            return Err(Msg::new(format!("无法读取记录的事实：{b}"), format!("cannot read logged facts: {b}")));
        }
        let read = tenet_server::read_cases(source, |name, case| {
            if name != policy {
                return;
            }
            let id = case.id.clone().unwrap_or_default();
            let at = last.get(&id).copied();
            out.push(Subject { label: format!("case {id}"), input: Input::History(case), at });
        });
        read.map_err(|e| Msg::new(format!("{source}：{e}"), format!("{source}: {e}")))?;
        return Ok(out);
    }
    let text = std::fs::read_to_string(source)
        .map_err(|e| Msg::new(format!("无法读取 {source}：{e}"), format!("cannot read {source}: {e}")))?;
    // The latest logged entry of each case, in the order cases first appear.
    let mut cases: Vec<(String, Subject)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at_line =
            |zh: &str, en: &str| Msg::new(format!("{source}:{}：{zh}", i + 1), format!("{source}:{}: {en}", i + 1));
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| at_line(&format!("不是 JSON：{e}"), &format!("not JSON: {e}")))?;
        if value.get("policy").and_then(serde_json::Value::as_str).is_some_and(|p| p != policy) {
            continue;
        }
        let raw = |v: serde_json::Value| {
            serde_json::from_value::<tenet::facts::Raw>(v).map_err(|e| at_line(&e.to_string(), &e.to_string()))
        };
        let text_of = |key: &str| value.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
        if value.get("events").is_some() {
            let file = tenet::source::SourceFile::new(format!("{source}:{}", i + 1), line.to_owned());
            let case = tenet::workflow::Case::parse(&file, tenet::facts::Format::Json).map_err(|ds| {
                let first = ds.first().map(|d| d.message.get(tenet::diagnostics::Lang::En)).unwrap_or_default();
                at_line(&first, &first)
            })?;
            let label = case.id.clone().map_or_else(|| format!("line {}", i + 1), |id| format!("case {id}"));
            out.push(Subject { label, at: case.now, input: Input::History(case) });
            continue;
        }
        let at = instant(value.pointer("/result/now")).or_else(|| instant(value.get("at")));
        let Some(facts) = value.get("facts").cloned() else {
            out.push(Subject { label: format!("line {}", i + 1), input: Input::Evaluation(raw(value)?), at: None });
            continue;
        };
        let facts = raw(facts)?;
        match text_of("case_id") {
            Some(case) => {
                let subject = Subject { label: format!("case {case}"), input: Input::CaseFacts(facts), at };
                match cases.iter_mut().find(|(id, _)| *id == case) {
                    Some(slot) => slot.1 = subject,
                    None => cases.push((case, subject)),
                }
            }
            None => {
                let label =
                    text_of("decision_id").map_or_else(|| format!("line {}", i + 1), |d| format!("decision {d}"));
                out.push(Subject { label, input: Input::Evaluation(facts), at });
            }
        }
    }
    out.extend(cases.into_iter().map(|(_, s)| s));
    Ok(out)
}

fn human(d: &Diff, ui: &Ui) -> String {
    let mut s = String::new();
    if !d.skipped.is_empty() {
        let _ = writeln!(
            s,
            "{} {} {}:",
            ui.label("跳过", "skipped"),
            d.skipped.len(),
            ui.label("个文件（不是这个策略的案例）", "files (not cases of this policy)")
        );
        for (path, why) in &d.skipped {
            let _ = writeln!(s, "  {}: {why}", path.display());
        }
    }
    if d.changes.is_empty() {
        let _ = writeln!(
            s,
            "{} ({} {})",
            ui.label("没有案例发生变化", "no case changed"),
            d.total,
            ui.label("个案例", "cases")
        );
        return s;
    }
    let groups = d.groups();
    let summary: Vec<String> = groups.iter().map(|(k, cs)| format!("{} {k}", cs.len())).collect();
    let _ = writeln!(
        s,
        "{} / {} {}: {}",
        d.changes.len(),
        d.total,
        ui.label("个案例发生变化", "cases changed"),
        summary.join(", ")
    );
    if d.one_off > 0 {
        let changed = d.changes.iter().filter(|c| c.one_off).count();
        let _ = writeln!(
            s,
            "  {}: {changed} / {}",
            ui.label("其中单独评估（不属于案例）", "of them one-off evaluations (not cases)"),
            d.one_off
        );
    }
    for (what, delta, cases) in d.money() {
        let sign = if delta.is_sign_negative() { "−" } else { "+" };
        let _ = writeln!(
            s,
            "  {what}: {sign}{} {} {cases} {}",
            delta.abs(),
            ui.label("涉及", "across"),
            ui.label("个案例", "cases")
        );
    }
    for (kind, changes) in groups {
        let _ = writeln!(s, "\n{} × {kind}", changes.len());
        for c in changes {
            let name = c.name.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
            let _ = writeln!(s, "  {}{name}", c.case.display());
            for a in c.amounts() {
                let _ = writeln!(s, "      {a}");
            }
            for (side, r) in [("old", &c.old), ("new", &c.new)] {
                if let Err(e) = r {
                    let _ = writeln!(s, "      {side}: {e}");
                }
            }
        }
    }
    s
}

fn verdict_json(v: &Result<Verdict, String>) -> serde_json::Value {
    match v {
        Ok(v) => json!({"decision": v.decision, "codes": v.codes, "ledgers": v.ledgers, "outputs": v.outputs}),
        Err(e) => json!({"error": e}),
    }
}

fn to_json(d: &Diff) -> serde_json::Value {
    let groups: Vec<serde_json::Value> = d
        .groups()
        .into_iter()
        .map(|(kind, cs)| {
            let cases: Vec<serde_json::Value> = cs
                .iter()
                .map(|c| {
                    json!({
                        "case": c.case.display().to_string(),
                        "name": c.name,
                        "one_off": c.one_off,
                        "old": verdict_json(&c.old),
                        "new": verdict_json(&c.new),
                        "amounts": c.amounts(),
                    })
                })
                .collect();
            json!({"kind": kind, "count": cs.len(), "cases": cases})
        })
        .collect();
    let money: Vec<serde_json::Value> = d
        .money()
        .into_iter()
        .map(|(what, delta, cases)| json!({"what": what, "delta": delta.to_string(), "cases": cases}))
        .collect();
    let skipped: Vec<serde_json::Value> =
        d.skipped.iter().map(|(p, why)| json!({"file": p.display().to_string(), "why": why})).collect();
    json!({"cases": d.total, "one_off": d.one_off, "changed": d.changes.len(), "money": money, "groups": groups, "skipped": skipped})
}
