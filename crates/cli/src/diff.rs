//! `tenet diff OLD NEW --cases DIR [--format json]`: what a policy change does to a
//! corpus of cases — only the cases that change, grouped by kind of change.

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{Exit, OutputFormat, Ui, fail, out};
use crate::review::diff::{self, Diff, Verdict};
use tenet::diagnostics::Msg;

/// Arguments of `tenet diff`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 旧策略：文件，或 git 版本如 HEAD:rules/returns.tenet · the old policy: a file, or a git revision such as HEAD:rules/returns.tenet
    old: String,
    /// 新策略（同上）· the new policy (the same forms)
    new: String,
    /// 案例目录或文件 · case folders or files
    #[arg(long, required = true, num_args = 1..)]
    cases: Vec<PathBuf>,
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
    if let Some(missing) = args.cases.iter().find(|p| !p.exists()) {
        let shown = missing.display();
        return super::usage(args.format, ui, Msg::new(format!("找不到 {shown}"), format!("{shown} does not exist")));
    }
    let result = match diff::diff(&old, &new, &args.cases) {
        Ok(d) => d,
        Err(e) => {
            return super::usage(args.format, ui, Msg::new(format!("无法读取：{e}"), format!("cannot read: {e}")));
        }
    };
    match args.format {
        OutputFormat::Json => {
            out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&result)).unwrap_or_default()))
        }
        OutputFormat::Human => out(&human(&result, ui)),
    }
    Exit::Ok
}

fn human(d: &Diff, ui: &Ui) -> String {
    let mut s = String::new();
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
                        "old": verdict_json(&c.old),
                        "new": verdict_json(&c.new),
                        "amounts": c.amounts(),
                    })
                })
                .collect();
            json!({"kind": kind, "count": cs.len(), "cases": cases})
        })
        .collect();
    json!({"cases": d.total, "changed": d.changes.len(), "groups": groups})
}
