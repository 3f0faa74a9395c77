//! A table's rows written out as CSV (`tenet table export`), in the form a table's
//! `from "….csv"` reads back: the same rows give the same answers.

use chrono::{SecondsFormat, TimeDelta};
use rust_decimal::Decimal;

use super::Policy;
use crate::check::plain_text_cell;
use crate::diagnostics::{Msg, msg};
use crate::ir::{Cell, Expr, Table};
use crate::lang::{CmpOp, Type};
use crate::value::{Locale, Value};

/// Why a table could not be written as CSV.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The policy has no table of that name.
    #[error("{}", .0.get(crate::diagnostics::Lang::Both))]
    NoSuchTable(Msg),
    /// A cell or result is computed, not a value a CSV can hold.
    #[error("{}", .0.get(crate::diagnostics::Lang::Both))]
    NotAValue(Msg),
}

impl Policy {
    /// The policy's table names, in declaration order (functions excluded).
    pub fn table_names(&self) -> Vec<&str> {
        self.program.tables.iter().filter(|t| t.lets.is_empty() && !t.name.is_empty()).map(|t| &*t.name).collect()
    }

    /// The rows of table `name` as CSV: a header naming the parameters then the result
    /// (the table's name, or one column per field of a record result), a line per row,
    /// and an `otherwise` line last when the table has one. Cells are written as a
    /// CSV-backed table reads them: texts as themselves, `_` for any value.
    pub fn table_csv(&self, name: &str) -> Result<String, ExportError> {
        let Some(table) = self.program.tables.iter().find(|t| t.name == name) else {
            let known = self.table_names().join(", ");
            return Err(ExportError::NoSuchTable(msg!(
                "策略没有表格 `{name}`（有：{known}）",
                "the policy has no table `{name}` (it has: {known})"
            )));
        };
        let locale = &self.program.locale;
        let fields: Option<Vec<(String, Type)>> = match &table.result {
            Type::Record(r) => Some(r.fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect()),
            _ => None,
        };
        let mut header: Vec<String> = table.params.clone();
        match &fields {
            Some(fields) => header.extend(fields.iter().map(|(n, _)| n.clone())),
            None => header.push(table.name.clone()),
        }
        let mut lines = vec![header];
        for (i, row) in table.rows.iter().enumerate() {
            let n = i + 1;
            let mut line = Vec::with_capacity(lines.first().map_or(0, Vec::len));
            for (cell, ty) in row.cells.iter().zip(table.param_types.iter()) {
                line.push(cell_text(cell, ty, locale).ok_or_else(|| not_a_value(table, n, "条件", "a condition"))?);
            }
            line.extend(
                result_texts(&row.result, &table.result, fields.as_deref(), locale)
                    .ok_or_else(|| not_a_value(table, n, "结果", "the result"))?,
            );
            lines.push(line);
        }
        if let Some(otherwise) = &table.otherwise {
            let mut line = vec!["otherwise".to_owned()];
            line.extend(std::iter::repeat_n(String::new(), table.params.len().saturating_sub(1)));
            line.extend(result_texts(otherwise, &table.result, fields.as_deref(), locale).ok_or_else(|| {
                let name = &table.name;
                ExportError::NotAValue(msg!(
                    "表格 `{name}` 的 otherwise 不是 CSV 能写的值",
                    "the otherwise of table `{name}` is not a value a CSV can hold"
                ))
            })?);
            lines.push(line);
        }
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        for line in &lines {
            writer.write_record(line).map_err(|e| ExportError::NotAValue(Msg::new(e.to_string(), e.to_string())))?;
        }
        let bytes = writer.into_inner().map_err(|e| ExportError::NotAValue(Msg::new(e.to_string(), e.to_string())))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn not_a_value(table: &Table, row: usize, zh: &str, en: &str) -> ExportError {
    let name = &table.name;
    ExportError::NotAValue(msg!(
        "表格 `{name}` 第 {row} 行的{zh}不是 CSV 能写的值（是计算、名称、日历或缺失值）",
        "{en} of row {row} of table `{name}` is not a value a CSV can hold (it is a calculation, a name, a calendar or missing)"
    ))
}

/// The result's column(s).
fn result_texts(e: &Expr, ty: &Type, fields: Option<&[(String, Type)]>, locale: &Locale) -> Option<Vec<String>> {
    let field = |ty: &Type, e: &Expr| match e {
        Expr::Const(Value::Missing) => Some(String::new()),
        Expr::Const(v) => value_text(v, ty, locale),
        _ => None,
    };
    match (fields, e) {
        (Some(fields), Expr::Const(Value::Record(items))) => {
            fields.iter().zip(items.iter()).map(|((_, ty), v)| field(ty, &Expr::Const(v.clone()))).collect()
        }
        (Some(fields), Expr::Record(items)) => {
            fields.iter().zip(items.iter()).map(|((_, ty), e)| field(ty, e)).collect()
        }
        (Some(_), _) => None,
        (None, e) => Some(vec![field(ty, e).filter(|t| !t.is_empty())?]),
    }
}

/// A value in a column of type `ty`: a text column's text as itself when it reads back
/// so, else the value as a policy writes it.
fn value_text(v: &Value, ty: &Type, locale: &Locale) -> Option<String> {
    if let (Type::Text | Type::Enum(_), Value::Text(t)) = (ty, v) {
        return Some(plain_text_cell(t).map_or_else(|| quoted(t), str::to_owned));
    }
    literal(v, locale)
}

/// One condition cell.
fn cell_text(cell: &Cell, ty: &Type, locale: &Locale) -> Option<String> {
    let lit = |e: &Expr| match e {
        Expr::Const(v) => literal(v, locale),
        _ => None,
    };
    Some(match cell {
        Cell::Any => "_".to_owned(),
        Cell::Cmp(CmpOp::Eq, Expr::Const(v)) => value_text(v, ty, locale)?,
        Cell::Cmp(op, e) => format!("{} {}", op.symbol(), lit(e)?),
        Cell::In(e, negated) => format!("{}{}", if *negated { "not in " } else { "in " }, lit(e)?),
        Cell::Range(lo, lo_closed, hi, hi_closed) => format!(
            "{}{}..{}{}",
            if *lo_closed { "[" } else { "(" },
            lit(lo)?,
            lit(hi)?,
            if *hi_closed { "]" } else { ")" }
        ),
        Cell::AnyOf(tests) => tests.iter().map(|t| test_text(t, locale)).collect::<Option<Vec<_>>>()?.join(" or "),
        Cell::Not(tests) => {
            format!("not({})", tests.iter().map(|t| test_text(t, locale)).collect::<Option<Vec<_>>>()?.join(" or "))
        }
    })
}

/// A test inside `or` or `not(…)`: always in policy syntax (quoted texts).
fn test_text(cell: &Cell, locale: &Locale) -> Option<String> {
    match cell {
        Cell::Cmp(CmpOp::Eq, Expr::Const(v)) => literal(v, locale),
        other => cell_text(other, &Type::Error, locale),
    }
}

/// A text as a policy literal.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as a policy writes it, when it has a literal form.
fn literal(v: &Value, locale: &Locale) -> Option<String> {
    Some(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Decimal(d) => decimal(*d),
        Value::Money(d) => locale.money(*d),
        Value::Percent(p) => format!("{}%", (*p * Decimal::ONE_HUNDRED).normalize()),
        Value::Text(t) => quoted(t),
        Value::Date(d) => d.to_string(),
        Value::DateTime(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Value::Duration(d) => duration(*d),
        Value::Months(m) => format!("{m} months"),
        Value::Time(t) => crate::value::time_text(t),
        Value::List(items) => {
            format!("[{}]", items.iter().map(|i| literal(i, locale)).collect::<Option<Vec<_>>>()?.join(", "))
        }
        Value::Missing | Value::OffsetTime(..) | Value::Calendar(_) | Value::Record(_) => return None,
    })
}

/// A decimal that reads back as a decimal (`2.0`, not `2`).
fn decimal(d: Decimal) -> String {
    let s = d.to_string();
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// A duration in its largest whole unit (`3 days`, `90 minutes`, `0.5 seconds`).
fn duration(d: TimeDelta) -> String {
    let sign = if d < TimeDelta::zero() { "-" } else { "" };
    let d = d.abs();
    let secs = d.num_seconds();
    if d.subsec_nanos() != 0 {
        let fraction = format!("{:09}", d.subsec_nanos());
        return format!("{sign}{secs}.{} seconds", fraction.trim_end_matches('0'));
    }
    for (size, unit) in [(86_400, "days"), (3_600, "hours"), (60, "minutes")] {
        if secs != 0 && secs % size == 0 {
            return format!("{sign}{} {unit}", secs / size);
        }
    }
    format!("{sign}{secs} seconds")
}
