//! The human form of an evaluation: the decision, then why, then ledgers, outputs and
//! actions.

use std::fmt::Write;

use super::width::{columns, pad};
use crate::Ui;
use tenet::diagnostics::{Diagnostic, Lang};
use tenet::eval::{Decision, Evaluation, Kind, RuleTrace, Status};
use tenet::value::Value;

fn paint(ui: &Ui, code: &str, text: &str) -> String {
    if ui.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}

/// Renders an evaluation (which must carry a trace) for a terminal.
pub(crate) fn text_of(eval: &Evaluation<'_>, ui: &Ui, all_rules: bool, system_clock: bool) -> String {
    let locale = eval.locale();
    let mut s = String::new();
    let (zh, en, color) = match eval.decision() {
        Decision::Approved => ("批准", "approved", "1;32"),
        Decision::NeedsInfo => ("需补充信息", "needs_info", "1;33"),
        Decision::Rejected => ("拒绝", "rejected", "1;31"),
        other => (other.as_str(), other.as_str(), "1"),
    };
    let _ = writeln!(s, "{}: {}", ui.label("决定", "Decision"), paint(ui, color, &ui.label(zh, en)));
    let version = eval.version().map(|v| format!(" {v}")).unwrap_or_default();
    let clock = if system_clock { format!(" ({})", ui.label("系统时钟", "system clock")) } else { String::new() };
    let _ = writeln!(
        s,
        "{} {}{version} · {} {}{clock}",
        ui.label("策略", "policy"),
        eval.policy_name(),
        ui.label("时刻", "now"),
        locale.datetime(&eval.now())
    );
    // Said before the reasons: it changes how far the numbers below can be trusted.
    warnings(&mut s, ui, &eval.warnings());
    let traces: &[RuleTrace<'_>] = eval.trace().unwrap_or_default();
    let _ = writeln!(s, "\n{}:", ui.label("原因", "Why"));
    if eval.findings().is_empty() {
        let _ = writeln!(
            s,
            "  {}",
            ui.label("没有规则拒绝、要求补充或扣减 ·", "no rule rejected, required information or deducted")
        );
    }
    for f in eval.findings() {
        let name = match f.rule() {
            Some(rule) => rule.to_owned(),
            None => f.ledger().map(|l| format!("cap {l}")).unwrap_or_default(),
        };
        let kind = match f.kind() {
            Kind::Reject => ui.label("拒绝", "reject"),
            Kind::Require => ui.label("需补充", "require"),
            Kind::Flag => ui.label("标记", "flag"),
            Kind::Deduct => ui.label("扣减", "deduct"),
            Kind::Credit => ui.label("记入", "credit"),
            Kind::Charge => ui.label("收费", "charge"),
        };
        let amount = f.amount().map(|a| format!(" {}", locale.money(a))).unwrap_or_default();
        let stage = f.stage().map(|st| format!(" [{st}]")).unwrap_or_default();
        let item = f.item().map(|i| format!(" ({i})")).unwrap_or_default();
        // A rule's name is the author's (Chinese) identifier; in English the code and the
        // English message say the same, so the name is left out.
        let name = if ui.lang == Lang::En || name.is_empty() { String::new() } else { format!(" · {name}") };
        let _ = writeln!(s, "  ● {}{item} {kind}{amount}{name}{stage}", paint(ui, "1", f.code()));
        message(&mut s, ui, f.message(), f.message_en());
        if let Some(t) = eval.trace_of(f) {
            let because = values(eval, t);
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
            let group: Vec<&RuleTrace<'_>> = traces.iter().filter(|t| t.status() == status).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{}:", ui.label(zh, en));
            for t in group {
                let stage = t.stage().map(|st| format!(" [{st}]")).unwrap_or_default();
                let item = t.item().map(|i| format!(" ({i})")).unwrap_or_default();
                let detail = if status == Status::NotApplicable {
                    format!("{}: {}", ui.label("缺少", "missing"), t.missing().join(", "))
                } else {
                    values(eval, t)
                };
                let _ = writeln!(s, "  · {}{item}{stage}  {detail}", t.rule());
            }
        }
    }
    if !eval.ledgers().is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("账本", "Ledgers"));
        for result in eval.ledgers() {
            let labels: Vec<String> = result
                .lines()
                .iter()
                .map(|l| match l.item() {
                    Some(item) => format!("{} ({item})", l.code()),
                    None => l.code().to_owned(),
                })
                .collect();
            let uncapped = ui.label("未封顶合计", "uncapped");
            let cap_label = ui.label("上限", "cap");
            let total = ui.label("合计", "total");
            let mut rows: Vec<(&str, rust_decimal::Decimal)> =
                labels.iter().map(String::as_str).zip(result.lines().iter().map(|l| l.amount())).collect();
            if let Some(cap) = result.cap() {
                rows.push((&uncapped, result.uncapped()));
                rows.push((&cap_label, cap));
            }
            rows.push((&total, result.total()));
            let width = rows.iter().map(|(text, _)| columns(text)).max().unwrap_or(0).max(8);
            for (i, (text, amount)) in rows.iter().enumerate() {
                let name = if i == 0 { result.name() } else { "" };
                let _ = writeln!(s, "  {} {}  {:>12}", pad(name, 14), pad(text, width), locale.money(*amount));
            }
        }
    }
    let outputs: Vec<_> = eval.outputs().collect();
    if !outputs.is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("输出", "Outputs"));
        let width = outputs.iter().map(|o| columns(o.name())).max().unwrap_or(0);
        for o in outputs {
            let shown = match o.value() {
                // A list of records does not fit on a line.
                Value::List(items) if o.is_table() => {
                    let n = items.len();
                    ui.label(&format!("{n} 项（用 --format json 查看）"), &format!("{n} items (see --format json)"))
                }
                _ => o.text(),
            };
            let _ = writeln!(s, "  {}  {shown}", pad(o.name(), width));
        }
    }
    if !eval.actions().is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("行动", "Actions"));
        for a in eval.actions() {
            let at = a.at().map(|t| format!("  {}", locale.datetime(&t))).unwrap_or_default();
            let item = a.item().map(|i| format!(" ({i})")).unwrap_or_default();
            let _ = writeln!(s, "  {}{item}{at}", a.kind());
            message(&mut s, ui, a.message(), a.message_en());
        }
    }
    s
}

/// A `Warnings:` section for calendars counted through a year without holiday data.
pub(crate) fn warnings(s: &mut String, ui: &Ui, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{}:", ui.label("注意", "Warnings"));
    for w in warnings {
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
fn values(eval: &Evaluation<'_>, t: &RuleTrace<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in t.conditions() {
        for (text, v) in c.operands() {
            let item = format!("{text} = {}", eval.locale().literal(v));
            if !parts.contains(&item) {
                parts.push(item);
            }
        }
    }
    parts.join("; ")
}
