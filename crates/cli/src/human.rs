//! The human form of an evaluation: the decision, then why, then ledgers, outputs and
//! actions.

use std::fmt::Write;

use super::Ui;
use crate::width::{columns, pad};
use tenet::diagnostics::Lang;
use tenet::eval::{Decision, Evaluation, RuleTrace, Status};
use tenet::ir::Program;
use tenet::lang::Type;
use tenet::value::{Value, to_json};

fn paint(ui: &Ui, code: &str, text: &str) -> String {
    if ui.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}

/// Renders an evaluation (which must carry a trace) for a terminal.
pub(crate) fn render(program: &Program, eval: &Evaluation, ui: &Ui, all_rules: bool, system_clock: bool) -> String {
    let mut s = String::new();
    let (zh, en, color) = match eval.decision {
        Decision::Approved => ("批准", "approved", "1;32"),
        Decision::NeedsInfo => ("需补充信息", "needs_info", "1;33"),
        Decision::Rejected => ("拒绝", "rejected", "1;31"),
    };
    let _ = writeln!(s, "{}: {}", ui.label("决定", "Decision"), paint(ui, color, &ui.label(zh, en)));
    let version = program.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
    let clock = if system_clock { format!(" ({})", ui.label("系统时钟", "system clock")) } else { String::new() };
    let _ = writeln!(
        s,
        "{} {}{version} · {} {}{clock}",
        ui.label("策略", "policy"),
        program.name,
        ui.label("时刻", "now"),
        program.locale.datetime(&eval.now)
    );
    // Said before the reasons: it changes how far the numbers below can be trusted.
    warnings(&mut s, ui, &eval.uncovered);
    let traces: Vec<&RuleTrace> = eval.trace.iter().flatten().collect();
    let _ = writeln!(s, "\n{}:", ui.label("原因", "Why"));
    if eval.findings.is_empty() {
        let _ = writeln!(
            s,
            "  {}",
            ui.label("没有规则拒绝、要求补充或扣减 ·", "no rule rejected, required information or deducted")
        );
    }
    for f in &eval.findings {
        let (name, stage) = match f.rule {
            Some(r) => (program.rules[r as usize].name.to_string(), program.rules[r as usize].stage.as_deref()),
            None => (f.ledger.map(|l| format!("cap {}", program.ledgers[l as usize].name)).unwrap_or_default(), None),
        };
        let kind = match f.kind.as_str() {
            "reject" => ui.label("拒绝", "reject"),
            "require" => ui.label("需补充", "require"),
            "flag" => ui.label("标记", "flag"),
            "deduct" => ui.label("扣减", "deduct"),
            _ => ui.label("记入", "credit"),
        };
        let amount = f.amount.map(|a| format!(" {}", program.locale.money(a))).unwrap_or_default();
        let stage = stage.map(|st| format!(" [{st}]")).unwrap_or_default();
        let item = f.item.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
        let _ = writeln!(s, "  ● {}{item} {kind}{amount} · {name}{stage}", paint(ui, "1", &f.code));
        message(&mut s, ui, f.message.as_deref(), f.message_en.as_deref());
        if let Some(t) = traces.iter().find(|t| Some(t.rule) == f.rule && t.item == f.item) {
            let because = values(program, t);
            if !because.is_empty() {
                let _ = writeln!(s, "    {}: {because}", ui.label("因为", "because"));
            }
        }
    }
    if all_rules {
        for (status, zh, en) in [
            (Status::NotFired, "未触发", "Not fired"),
            (Status::NotApplicable, "不适用（缺少事实）", "Not applicable (facts missing)"),
        ] {
            let group: Vec<&&RuleTrace> = traces.iter().filter(|t| t.status == status).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{}:", ui.label(zh, en));
            for t in group {
                let rule = &program.rules[t.rule as usize];
                let stage = rule.stage.as_deref().map(|st| format!(" [{st}]")).unwrap_or_default();
                let item = t.item.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
                let detail = if status == Status::NotApplicable {
                    format!("{}: {}", ui.label("缺少", "missing"), t.missing.join(", "))
                } else {
                    values(program, t)
                };
                let _ = writeln!(s, "  · {}{item}{stage}  {detail}", rule.name);
            }
        }
    }
    let ledgers: Vec<_> = program.ledgers.iter().zip(&eval.ledgers).collect();
    if !ledgers.is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("账本", "Ledgers"));
        for (def, result) in ledgers {
            let labels: Vec<String> = result
                .lines
                .iter()
                .map(|l| match &l.item {
                    Some(item) => format!("{} ({item})", l.code),
                    None => l.code.to_string(),
                })
                .collect();
            let uncapped = ui.label("未封顶合计", "uncapped");
            let cap_label = ui.label("上限", "cap");
            let total = ui.label("合计", "total");
            let mut rows: Vec<(&str, rust_decimal::Decimal)> =
                labels.iter().map(String::as_str).zip(result.lines.iter().map(|l| l.amount)).collect();
            if let Some(cap) = result.cap {
                rows.push((&uncapped, result.uncapped));
                rows.push((&cap_label, cap));
            }
            rows.push((&total, result.total));
            let width = rows.iter().map(|(text, _)| columns(text)).max().unwrap_or(0).max(8);
            for (i, (text, amount)) in rows.iter().enumerate() {
                let name = if i == 0 { def.name.as_str() } else { "" };
                let _ = writeln!(s, "  {} {}  {:>12}", pad(name, 14), pad(text, width), program.locale.money(*amount));
            }
        }
    }
    let outputs: Vec<_> =
        program.derived.iter().zip(&eval.values).filter(|(d, v)| d.exported && !v.is_missing()).collect();
    if !outputs.is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("输出", "Outputs"));
        let width = outputs.iter().map(|(d, _)| columns(&d.name)).max().unwrap_or(0);
        for (def, value) in outputs {
            let shown = match (value, to_json(value, &def.ty, &program.locale)) {
                // A list of records does not fit on a line.
                (Value::List(items), _) if matches!(def.ty.element(), Some(Type::Record(_))) => {
                    let n = items.len();
                    ui.label(&format!("{n} 项（用 --format json 查看）"), &format!("{n} items (see --format json)"))
                }
                (_, serde_json::Value::String(text)) => text,
                (_, other) => other.to_string(),
            };
            let _ = writeln!(s, "  {}  {shown}", pad(&def.name, width));
        }
    }
    if !eval.actions.is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("行动", "Actions"));
        for a in &eval.actions {
            let at = a.at.map(|t| format!("  {}", program.locale.datetime(&t))).unwrap_or_default();
            let item = a.item.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
            let _ = writeln!(s, "  {}{item}{at}", a.kind);
            message(&mut s, ui, a.message.as_deref(), a.message_en.as_deref());
        }
    }
    s
}

/// A `Warnings:` section for calendars counted through a year without holiday data.
pub(crate) fn warnings(s: &mut String, ui: &Ui, uncovered: &[(String, i32)]) {
    let warnings = tenet::eval::coverage_warnings(uncovered);
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{}:", ui.label("注意", "Warnings"));
    for w in &warnings {
        let _ = writeln!(s, "  {} {}", paint(ui, "1;33", "⚠"), w.code);
        message(s, ui, Some(&w.message.zh), Some(&w.message.en));
        if let Some(help) = &w.help {
            message(s, ui, Some(&format!("→ {}", help.zh)), Some(&format!("→ {}", help.en)));
        }
    }
}

fn message(s: &mut String, ui: &Ui, zh: Option<&str>, en: Option<&str>) {
    let lines: Vec<&str> = match ui.lang {
        Lang::Zh => zh.into_iter().collect(),
        Lang::En => en.or(zh).into_iter().collect(),
        Lang::Both => zh.into_iter().chain(en).collect(),
    };
    for line in lines {
        let _ = writeln!(s, "    {line}");
    }
}

/// `expr = value; …` for a rule's conditions.
fn values(program: &Program, t: &RuleTrace) -> String {
    let rule = &program.rules[t.rule as usize];
    let mut parts: Vec<String> = Vec::new();
    for (c, ct) in rule.conditions.iter().zip(&t.conditions) {
        for ((text, _), v) in c.operands.iter().zip(&ct.values) {
            let item = format!("{text} = {}", program.locale.literal(v));
            if !parts.contains(&item) {
                parts.push(item);
            }
        }
    }
    parts.join("; ")
}
