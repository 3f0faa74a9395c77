//! The compiled SLA policy as templates see it: a documented, stable JSON shape (see
//! README, "Agreement documents"), so clause 4 iterates over the policy instead of
//! repeating its numbers.
//!
//! ```text
//! name, title, version
//! consts:    { NAME: value }                         money/percent/duration as in results
//! tables:    { NAME: { params: [..], rows: [{ when: [{op, value}], then: value }] } }
//! calendars: { NAME: { title, always, timezone, hours: [{ days: [..], ranges: ["09:00-18:00"] }],
//!                      holiday_files: [..] } }
//! credits:   [{ rule, code, ledger, stage, terms: { zh, en } }]   ledger rules, declaration order
//! flags:     [{ rule, code, stage, terms: { zh, en } }]           flag rules with terms
//! caps:      { LEDGER: { percent, of } }                           `cap L at P of X`
//! ```

use serde_json::{Map, Value as Json, json};

use crate::ir::{Cell, Expr, Outcome, Program};
use crate::lang::Type;
use crate::lang::{ArithOp, FindingKind};
use crate::time::Calendar;
use crate::value::{Value, to_json};

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// The policy's view for templates.
pub(super) fn view(program: &Program) -> Json {
    let format = &program.locale;
    let mut out = Map::new();
    out.insert("name".into(), json!(program.name));
    out.insert("title".into(), json!(program.title));
    out.insert("version".into(), json!(program.version));

    let mut consts = Map::new();
    for (name, value) in &program.consts {
        consts.insert(name.clone(), to_json(value, &value_type(value), format));
    }
    out.insert("consts".into(), Json::Object(consts));

    let mut tables = Map::new();
    for t in &program.tables {
        let rows: Vec<Json> = t
            .rows
            .iter()
            .map(|r| {
                let when: Vec<Json> = r.cells.iter().map(|c| cell(c, format)).collect();
                let then = match &r.result {
                    Expr::Const(v) => to_json(v, &t.result, format),
                    _ => Json::Null,
                };
                json!({"when": when, "then": then})
            })
            .collect();
        tables.insert(t.name.clone(), json!({"params": t.params, "rows": rows}));
    }
    out.insert("tables".into(), Json::Object(tables));

    let mut calendars = Map::new();
    for c in &program.calendars {
        calendars.insert(c.name.clone(), calendar(c));
    }
    out.insert("calendars".into(), Json::Object(calendars));

    let mut credits = Vec::new();
    let mut flags = Vec::new();
    for rule in &program.rules {
        let terms = rule.terms.as_ref().and_then(|m| m.fixed()).map(|(zh, en)| json!({"zh": zh, "en": en}));
        for o in &rule.outcomes {
            match o {
                Outcome::Ledger { code, ledger, .. } => credits.push(json!({
                    "rule": &*rule.name,
                    "code": &**code,
                    "ledger": program.ledgers.get(*ledger as usize).map(|l| l.name.as_str()),
                    "stage": rule.stage.as_deref(),
                    "terms": terms,
                })),
                Outcome::Finding { kind: FindingKind::Flag, code, .. } if terms.is_some() => flags.push(json!({
                    "rule": &*rule.name,
                    "code": &**code,
                    "stage": rule.stage.as_deref(),
                    "terms": terms,
                })),
                _ => {}
            }
        }
    }
    out.insert("credits".into(), Json::Array(credits));
    out.insert("flags".into(), Json::Array(flags));

    let mut caps = Map::new();
    for l in &program.ledgers {
        if let Some(Expr::Arith(ArithOp::Of, p, base, _)) = &l.cap
            && let Expr::Const(Value::Percent(percent)) = &**p
        {
            let of = match &**base {
                Expr::Path(slot, fields) if fields.is_empty() => {
                    program.inputs.fields.get(*slot as usize).map(|f| f.name.clone())
                }
                _ => None,
            };
            caps.insert(
                l.name.clone(),
                json!({"percent": to_json(&Value::Percent(*percent), &Type::Percent, format), "of": of}),
            );
        }
    }
    out.insert("caps".into(), Json::Object(caps));
    Json::Object(out)
}

fn value_type(v: &Value) -> Type {
    match v {
        Value::Money(_) => Type::Money,
        Value::Percent(_) => Type::Percent,
        Value::Duration(_) => Type::Duration,
        Value::Months(_) => Type::Period,
        Value::Time(_) | Value::OffsetTime(..) => Type::Time,
        Value::Int(_) => Type::Int,
        Value::Decimal(_) => Type::Decimal,
        Value::Bool(_) => Type::Bool,
        Value::Date(_) => Type::Date,
        Value::DateTime(_) => Type::DateTime,
        Value::Calendar(_) => Type::Calendar,
        Value::List(items) => Type::List(std::sync::Arc::new(items.first().map_or(Type::Text, value_type))),
        _ => Type::Text,
    }
}

fn cell(c: &Cell, format: &crate::value::Locale) -> Json {
    let constant = |e: &Expr| match e {
        Expr::Const(v) => to_json(v, &value_type(v), format),
        _ => Json::Null,
    };
    match c {
        Cell::Any => json!({"op": "any"}),
        Cell::Cmp(op, e) => json!({"op": op.symbol(), "value": constant(e)}),
        Cell::In(e, negated) => json!({"op": if *negated { "not in" } else { "in" }, "value": constant(e)}),
        Cell::Range(lo, lo_closed, hi, hi_closed) => json!({
            "op": "range", "from": constant(lo), "from_included": lo_closed, "to": constant(hi), "to_included": hi_closed,
        }),
        Cell::AnyOf(tests) => {
            json!({"op": "any of", "tests": tests.iter().map(|t| cell(t, format)).collect::<Vec<_>>()})
        }
        Cell::Not(tests) => {
            json!({"op": "none of", "tests": tests.iter().map(|t| cell(t, format)).collect::<Vec<_>>()})
        }
    }
}

fn clock(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

fn calendar(c: &Calendar) -> Json {
    // Consecutive weekdays with the same hours become one line: monday..friday.
    let mut hours: Vec<Json> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for (i, (ranges, name)) in c.week.iter().zip(DAYS).enumerate() {
        run.push(name);
        // A run of days ends where the next day's hours differ (or the week does).
        if c.week.get(i + 1) == Some(ranges) {
            continue;
        }
        if !ranges.is_empty() {
            let texts: Vec<String> = ranges.iter().map(|(a, b)| format!("{}-{}", clock(*a), clock(*b))).collect();
            hours.push(json!({"days": run, "ranges": texts}));
        }
        run = Vec::new();
    }
    json!({
        "title": c.title,
        "always": c.always,
        "timezone": c.tz.name(),
        "hours": hours,
        "holiday_files": c.holiday_files,
    })
}
