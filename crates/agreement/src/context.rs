//! The render context: every name a template may read, declared once here. The
//! declaration serves three ends — the reference in `templates/CONTEXT.md` is generated
//! from it (`tenet render --context-reference`), templates are checked against it when
//! they load, and the SLA policy is checked against the part clause 4 needs.

use std::fmt::Write as _;

use serde_json::Value as Json;
use tenet::{RecordType, Type};

/// A name the document templates can read, besides `agreement` and `sla`.
#[derive(Clone, Copy, Debug)]
pub struct Name {
    /// The variable.
    pub name: &'static str,
    /// Its type, as the reference shows it.
    pub ty: &'static str,
    /// What it holds, in Chinese.
    pub zh: &'static str,
    /// What it holds, in English.
    pub en: &'static str,
}

const fn name(name: &'static str, ty: &'static str, zh: &'static str, en: &'static str) -> Name {
    Name { name, ty, zh, en }
}

/// The top-level names of `document.md.j2` and every clause partial.
pub const DOCUMENT: &[Name] = &[
    name(
        "agreement",
        "record",
        "协议数据（结构见下文 `agreement`）",
        "the agreement data (its shape: `agreement` below)",
    ),
    name(
        "sla",
        "record",
        "第四条所依据的服务水平策略（见下文 `sla`）",
        "the SLA policy clause 4 is written from (`sla` below)",
    ),
    name("lang", "\"zh\" | \"en\"", "文档语言", "the document's language"),
    name(
        "draft",
        "bool",
        "尚未签署：文档带草案标记，不写签署日期",
        "not signed yet: the document carries the draft mark and no signing date",
    ),
    name(
        "status",
        "text",
        "签订流程的阶段（rules/signing.tenet）",
        "the stage in the signing workflow (rules/signing.tenet)",
    ),
    name(
        "status_label",
        "text",
        "签订阶段的名称，按文档语言（如“法律审核”）",
        "the signing stage's name in the document's language (such as \"legal review\")",
    ),
    name(
        "signed",
        "{ date: date?, party_a: text?, party_b: text? }",
        "签署信息：签署日期和双方签字人（来自 --case 的签订经过，否则来自数据；草案为空）",
        "the signing: its date and each party's signatory (from the --case signing history, else the data; empty in a draft)",
    ),
    name(
        "currency",
        "{ code: text, zh: text, symbol: text }",
        "金额的币种（money 过滤器用它书写金额）",
        "the currency amounts are in (the money filter writes amounts with it)",
    ),
    name(
        "number",
        "int",
        "本条的序号（由 document.md.j2 的循环给出，仅条款模板可读）",
        "this clause's number (given by the loop in document.md.j2; clause templates only)",
    ),
];

/// The names of `page.html.j2`, the HTML page around the rendered Markdown.
pub const PAGE: &[Name] = &[
    name("body", "html", "已生成的协议正文（HTML）", "the rendered agreement (HTML)"),
    name("lang", "\"zh\" | \"en\"", "文档语言", "the document's language"),
    name("draft", "bool", "尚未签署：页面加草案水印", "not signed yet: the page carries the draft watermark"),
    name("title", "text", "页面标题：协议名称和编号", "the page title: the agreement's name and number"),
];

/// A part of the SLA view (`Policy::describe`) that clause 4 reads.
#[derive(Clone, Copy, Debug)]
pub struct SlaPart {
    /// Its path in the view; `[]` steps into every element of a list.
    pub path: &'static str,
    /// The policy must provide it; otherwise clause 4 simply leaves the part out.
    pub required: bool,
    /// What the policy declares to provide it, in Chinese.
    pub zh: &'static str,
    /// What the policy declares to provide it, in English.
    pub en: &'static str,
}

const fn part(path: &'static str, required: bool, zh: &'static str, en: &'static str) -> SlaPart {
    SlaPart { path, required, zh, en }
}

/// What the SLA policy provides to clause 4: the interface between the policy and the
/// templates.
pub const SLA_VIEW: &[SlaPart] = &[
    part("name", true, "策略名称", "the policy's name"),
    part("title", false, "策略标题", "the policy's title"),
    part("version", false, "策略版本", "the policy's version"),
    part(
        "tables.targets.rows",
        true,
        "表 `targets`：每行按优先级给出首次响应和解决时限",
        "table `targets`: a row per priority with its response and resolution targets",
    ),
    part(
        "tables.targets.rows[].when",
        true,
        "`targets` 每行的条件（第一列为优先级）",
        "each `targets` row's conditions (the first is the priority)",
    ),
    part(
        "tables.targets.rows[].then.response",
        true,
        "`targets` 的输出 `response`：首次响应时限（duration）",
        "`targets` output `response`: the first-response target (a duration)",
    ),
    part(
        "tables.targets.rows[].then.resolution",
        true,
        "`targets` 的输出 `resolution`：解决时限（duration）",
        "`targets` output `resolution`: the resolution target (a duration)",
    ),
    part(
        "tables.targets.rows[].then.clock",
        true,
        "`targets` 的输出 `clock`：计时所用的日历（always 或策略声明的日历）",
        "`targets` output `clock`: the calendar time counts on (always, or one the policy declares)",
    ),
    part(
        "consts.resolution_target",
        true,
        "常量 `resolution_target`：每月解决率目标",
        "const `resolution_target`: the monthly resolution-rate target",
    ),
    part(
        "calendars",
        true,
        "策略声明的日历（工作时间、节假日）",
        "the calendars the policy declares (working hours, holidays)",
    ),
    part(
        "credits",
        true,
        "带合同条款（terms）的服务赔偿规则，可以没有",
        "the service-credit rules with their contract terms (may be none)",
    ),
    part(
        "flags",
        true,
        "带合同条款的提醒规则（如终止情形），可以没有",
        "the flag rules with contract terms (such as termination events; may be none)",
    ),
    part("caps", true, "账目上限，可以没有", "the ledgers' caps (may be none)"),
    part(
        "caps.credits",
        false,
        "`ledger credits` 的上限（按月服务费的比例）",
        "the cap of `ledger credits` (a share of the monthly fee)",
    ),
    part(
        "tables.rate_credit.rows",
        false,
        "表 `rate_credit`：按解决率分档的赔偿比例",
        "table `rate_credit`: the credit share by resolution rate",
    ),
];

/// The parts of `SLA_VIEW` that `view` lacks, each as its path.
pub fn missing_sla_parts(view: &Json) -> Vec<&'static SlaPart> {
    SLA_VIEW.iter().filter(|p| p.required && !has_path(view, p.path)).collect()
}

/// `path` (dots between keys, `[]` into every element) is present in `value`; an empty
/// list has every element path.
fn has_path(value: &Json, path: &str) -> bool {
    let Some((step, rest)) = split_step(path) else { return true };
    if step == "[]" {
        return match value {
            Json::Array(items) => items.iter().all(|v| has_path(v, rest)),
            _ => false,
        };
    }
    value.get(step).is_some_and(|v| has_path(v, rest))
}

fn split_step(path: &str) -> Option<(&str, &str)> {
    if path.is_empty() {
        return None;
    }
    if let Some(rest) = path.strip_prefix("[]") {
        return Some(("[]", rest.strip_prefix('.').unwrap_or(rest)));
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (step, rest) = path.split_at(end);
    Some((step, rest.strip_prefix('.').unwrap_or(rest)))
}

/// Whether a template may read `path` (dotted, below `sla`): it is a declared part (or
/// leads to one), or the policy's view has it.
pub fn sla_readable(view: &Json, path: &str) -> bool {
    let declared = SLA_VIEW.iter().any(|p| {
        let plain: String = p.path.split("[].").next().unwrap_or(p.path).to_owned();
        plain == path || plain.starts_with(&format!("{path}."))
    });
    declared || has_path(view, path)
}

/// Where `path` (dotted, below `agreement`) leaves the schema: `None` when every step is
/// a field (the walk stops at a list or a scalar, whose insides the template reaches
/// through loop variables), else the first missing step's full path and the fields
/// there were.
pub fn agreement_miss(schema: &RecordType, path: &str) -> Option<(String, Vec<String>)> {
    let mut record = schema;
    let mut seen = String::new();
    for step in path.split('.') {
        if !seen.is_empty() {
            seen.push('.');
        }
        seen.push_str(step);
        let Some((_, field)) = record.field(step) else {
            return Some((seen, record.fields.iter().map(|f| f.name.clone()).collect()));
        };
        match &field.ty {
            Type::Record(inner) => record = inner,
            _ => return None,
        }
    }
    None
}

/// The reference of the render context, as Markdown (`templates/CONTEXT.md`).
pub fn reference(schema: &RecordType, filters: &[(&str, &str, &str)]) -> String {
    let mut out = String::new();
    out.push_str("# 协议模板可读的值 · The agreement templates' render context\n\n");
    out.push_str(
        "Generated from the code by `tenet render --context-reference`; a test keeps this file equal to it. \
         Templates are checked when they load: one that reads a name not listed here is an error naming \
         the template and the name.\n\n",
    );
    out.push_str("## Document templates: `document.md.j2`, `zh/*.md.j2`, `en/*.md.j2`\n\n");
    names_table(&mut out, DOCUMENT);
    out.push_str("\n## `agreement`: the data, as `rules/agreement.tenet` declares it\n\n");
    out.push_str("| path | type | |\n|---|---|---|\n");
    fields(&mut out, "agreement", schema);
    out.push_str("\n## `sla`: what the SLA policy provides to clause 4\n\n");
    out.push_str(
        "A policy that lacks a required part is refused, naming the part, before any template runs. \
         Templates may also read anything else the policy's view has (`tenet check --describe`).\n\n",
    );
    out.push_str("| path | required | 说明 | meaning |\n|---|---|---|---|\n");
    for p in SLA_VIEW {
        let required = if p.required { "yes" } else { "no" };
        let _ = writeln!(out, "| `sla.{}` | {required} | {} | {} |", p.path, p.zh, p.en);
    }
    out.push_str("\n## The page: `page.html.j2`\n\n");
    names_table(&mut out, PAGE);
    out.push_str("\n## Filters\n\n| filter | 说明 | meaning |\n|---|---|---|\n");
    for (name, zh, en) in filters {
        let _ = writeln!(out, "| `{name}` | {zh} | {en} |");
    }
    out
}

fn names_table(out: &mut String, names: &[Name]) {
    out.push_str("| name | type | 说明 | meaning |\n|---|---|---|---|\n");
    for n in names {
        let _ = writeln!(out, "| `{}` | `{}` | {} | {} |", n.name, n.ty.replace('|', "\\|"), n.zh, n.en);
    }
}

fn fields(out: &mut String, prefix: &str, record: &RecordType) {
    for f in &record.fields {
        let path = format!("{prefix}.{}", f.name);
        let optional = if f.optional { "optional" } else { "" };
        match &f.ty {
            Type::Record(inner) => {
                let _ = writeln!(out, "| `{path}` | record | {optional} |");
                fields(out, &path, inner);
            }
            Type::List(element) => match &**element {
                Type::Record(inner) => {
                    let _ = writeln!(out, "| `{path}` | list | {optional} |");
                    fields(out, &format!("{path}[]"), inner);
                }
                other => {
                    let ty = format!("list<{other}>").replace('|', "\\|");
                    let _ = writeln!(out, "| `{path}` | `{ty}` | {optional} |");
                }
            },
            other => {
                let ty = other.to_string().replace('|', "\\|");
                let _ = writeln!(out, "| `{path}` | `{ty}` | {optional} |");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_through_lists() {
        let view = json!({"tables": {"targets": {"rows": [{"then": {"clock": "always"}}, {"then": {}}]}}});
        assert!(has_path(&view, "tables.targets.rows"));
        assert!(!has_path(&view, "tables.targets.rows[].then.clock"));
        assert!(has_path(&json!({"rows": []}), "rows[].then.clock"));
        assert!(sla_readable(&view, "tables.rate_credit.rows"), "declared, though this policy has none");
        assert!(!sla_readable(&view, "tables.nothing"));
    }
}
