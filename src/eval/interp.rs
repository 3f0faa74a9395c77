//! The interpreter: evaluates compiled expressions against facts.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::Decision;
use super::ops::{self, OpError};
use crate::check::hir::Builtin;
use crate::compile::program::{Cell, Expr, Part, Table};
use crate::diagnostics::Msg;
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{Aggregate, HitPolicy};
use crate::types::Type;
use crate::value::{Value, ValueFormat};

/// Steps one evaluation may take before it is stopped (policies cannot loop, so this
/// only bounds pathological sizes).
pub const FUEL: u64 = 10_000_000;

/// Why an evaluation stopped.
#[derive(Clone, Debug)]
pub struct Fault {
    /// What went wrong.
    pub message: Msg,
    /// The expression, when known.
    pub span: Option<Span>,
}

impl Fault {
    fn at(message: Msg, span: Span) -> Fault {
        Fault { message, span: Some(span) }
    }
}

/// What an expression can see.
pub(crate) struct Ctx<'a> {
    pub format: ValueFormat,
    pub tables: &'a [Table],
    pub facts: &'a [Value],
    pub now: Option<DateTime<Utc>>,
    pub slots: Vec<Value>,
    pub decision: Option<Decision>,
    pub totals: Vec<Decimal>,
    pub fuel: u64,
}

impl<'a> Ctx<'a> {
    /// A context with nothing but constants (for folding).
    pub(crate) fn constant(format: ValueFormat) -> Ctx<'static> {
        Ctx {
            format,
            tables: &[],
            facts: &[],
            now: None,
            slots: Vec::new(),
            decision: None,
            totals: Vec::new(),
            fuel: FUEL,
        }
    }

    /// Evaluates `e`; `params` are the arguments of the table being evaluated.
    pub(crate) fn eval(&mut self, e: &Expr, params: &[Value]) -> Result<Value, Fault> {
        if self.fuel == 0 {
            return Err(Fault {
                message: msg!("评估超过 {FUEL} 步，已停止", "evaluation took more than {FUEL} steps and was stopped"),
                span: None,
            });
        }
        self.fuel -= 1;
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Path(root, path) => {
                let mut v = self.facts.get(*root as usize).unwrap_or(&Value::Missing);
                for i in path.iter() {
                    v = match v {
                        Value::Record(fields) => fields.get(*i as usize).unwrap_or(&Value::Missing),
                        _ => &Value::Missing,
                    };
                }
                v.clone()
            }
            Expr::Field(base, i) => match self.eval(base, params)? {
                Value::Record(fields) => fields.get(*i as usize).cloned().unwrap_or(Value::Missing),
                _ => Value::Missing,
            },
            Expr::DurationPart(base, unit) => match self.eval(base, params)? {
                Value::Duration(d) => Value::Int(d.num_seconds().div_euclid(*unit)),
                _ => Value::Missing,
            },
            Expr::Derived(i) => self.slots.get(*i as usize).cloned().unwrap_or(Value::Missing),
            Expr::Param(i) => params.get(*i as usize).cloned().unwrap_or(Value::Missing),
            Expr::Now => self.now.map_or(Value::Missing, Value::DateTime),
            Expr::Decision => self.decision.map_or(Value::Missing, |d| Value::text(d.as_str())),
            Expr::LedgerTotal(i) => self.totals.get(*i as usize).map_or(Value::Missing, |t| Value::Money(*t)),
            Expr::Not(x) => ops::not(&self.eval(x, params)?),
            Expr::Neg(x) => ops::negate(&self.eval(x, params)?).map_err(|e| fault(e, None))?,
            Expr::And(a, b) => {
                let l = self.eval(a, params)?;
                if l.truth() == Some(false) {
                    return Ok(Value::Bool(false));
                }
                let r = self.eval(b, params)?;
                match (l.truth(), r.truth()) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Missing,
                }
            }
            Expr::Or(a, b) => {
                let l = self.eval(a, params)?;
                if l.truth() == Some(true) {
                    return Ok(Value::Bool(true));
                }
                let r = self.eval(b, params)?;
                match (l.truth(), r.truth()) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Missing,
                }
            }
            Expr::Compare(op, a, b) => {
                let l = self.eval(a, params)?;
                let r = self.eval(b, params)?;
                ops::compare(*op, &l, &r)
            }
            Expr::In(item, list, negated) => {
                let item = self.eval(item, params)?;
                let list = self.eval(list, params)?;
                let found = ops::member(&item, &list);
                if *negated { ops::not(&found) } else { found }
            }
            Expr::Arith(op, a, b, span) => {
                let l = self.eval(a, params)?;
                let r = self.eval(b, params)?;
                ops::arith(*op, &l, &r).map_err(|e| fault(e, Some(*span)))?
            }
            Expr::IsMissing(x, missing) => Value::Bool(self.eval(x, params)?.is_missing() == *missing),
            Expr::If(c, a, b) => match self.eval(c, params)?.truth() {
                Some(true) => self.eval(a, params)?,
                Some(false) => self.eval(b, params)?,
                None => Value::Missing,
            },
            Expr::Call(f, args, span) => self.call(*f, args, params, *span)?,
            Expr::Table(t, args, span) => {
                let args = args.iter().map(|a| self.eval(a, params)).collect::<Result<Vec<_>, _>>()?;
                self.table(*t as usize, &args, *span)?
            }
            Expr::List(items) => {
                Value::List(items.iter().map(|i| self.eval(i, params)).collect::<Result<Vec<_>, _>>()?.into())
            }
            Expr::Record(items) => {
                Value::Record(items.iter().map(|i| self.eval(i, params)).collect::<Result<Vec<_>, _>>()?.into())
            }
            Expr::Text(parts) => {
                let mut out = String::new();
                for p in parts.iter() {
                    match p {
                        Part::Lit(s) => out.push_str(s),
                        Part::Expr(x) => {
                            let v = self.eval(x, params)?;
                            if v.is_missing() {
                                return Ok(Value::Missing);
                            }
                            out.push_str(&self.format.plain(&v).to_string());
                        }
                    }
                }
                Value::text(&out)
            }
            Expr::Coerce(x, ty) => coerce(self.eval(x, params)?, ty),
        })
    }

    /// Renders message parts; a missing value shows as `—` rather than hiding the message.
    pub(crate) fn render(&mut self, parts: &[Part]) -> Result<String, Fault> {
        let mut out = String::new();
        for p in parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Expr(x) => {
                    let v = self.eval(x, &[])?;
                    if v.is_missing() {
                        out.push('—');
                    } else {
                        out.push_str(&self.format.plain(&v).to_string());
                    }
                }
            }
        }
        Ok(out)
    }

    fn call(&mut self, f: Builtin, args: &[Expr], params: &[Value], span: Span) -> Result<Value, Fault> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a, params)?);
        }
        if f == Builtin::Coalesce {
            return Ok(values.into_iter().find(|v| !v.is_missing()).unwrap_or(Value::Missing));
        }
        // Every other builtin is missing when an argument is.
        if values.iter().any(Value::is_missing) {
            return Ok(Value::Missing);
        }
        let first = values.first().cloned().unwrap_or(Value::Missing);
        Ok(match f {
            Builtin::Date => match first {
                Value::DateTime(t) => Value::Date(t.with_timezone(&self.format.tz).date_naive()),
                other => other,
            },
            Builtin::Min | Builtin::Max => {
                let items: Vec<Value> = match (&first, values.len()) {
                    (Value::List(items), 1) => items.to_vec(),
                    _ => values,
                };
                extreme(items, f == Builtin::Max)
            }
            Builtin::Abs => match first {
                Value::Int(n) => Value::Int(n.checked_abs().ok_or_else(|| fault(OpError::Overflow, Some(span)))?),
                Value::Decimal(d) => Value::Decimal(d.abs()),
                Value::Money(d) => Value::Money(d.abs()),
                Value::Percent(d) => Value::Percent(d.abs()),
                Value::Duration(t) => Value::Duration(t.abs()),
                other => other,
            },
            Builtin::Round | Builtin::Floor | Builtin::Ceil => {
                let places = match values.get(1) {
                    Some(Value::Int(p)) => u32::try_from(*p).unwrap_or(0).min(28),
                    _ => 0,
                };
                let strategy = match f {
                    Builtin::Floor => RoundingStrategy::ToNegativeInfinity,
                    Builtin::Ceil => RoundingStrategy::ToPositiveInfinity,
                    _ => RoundingStrategy::MidpointAwayFromZero,
                };
                let round = |d: Decimal| {
                    let mut r = d.round_dp_with_strategy(places, strategy);
                    r.rescale(places);
                    r
                };
                match first {
                    Value::Decimal(d) => Value::Decimal(round(d)),
                    Value::Money(d) => Value::Money(round(d)),
                    Value::Percent(d) => Value::Percent(round(d)),
                    other => other,
                }
            }
            Builtin::Count => match first {
                Value::List(items) => Value::Int(i64::try_from(items.len()).unwrap_or(i64::MAX)),
                _ => Value::Missing,
            },
            Builtin::Sum => match first {
                Value::List(items) => {
                    let mut total = Value::Int(0);
                    for item in items.iter() {
                        total = ops::arith(crate::check::hir::ArithOp::Add, &total, item)
                            .map_err(|e| fault(e, Some(span)))?;
                    }
                    total
                }
                _ => Value::Missing,
            },
            Builtin::Any | Builtin::All => match first {
                Value::List(items) => {
                    let decisive = f == Builtin::Any;
                    let mut unknown = false;
                    for item in items.iter() {
                        match item.truth() {
                            Some(b) if b == decisive => return Ok(Value::Bool(decisive)),
                            None => unknown = true,
                            _ => {}
                        }
                    }
                    if unknown { Value::Missing } else { Value::Bool(!decisive) }
                }
                _ => Value::Missing,
            },
            Builtin::Length => match first {
                Value::Text(s) => Value::Int(i64::try_from(s.chars().count()).unwrap_or(i64::MAX)),
                _ => Value::Missing,
            },
            Builtin::Trim => match first {
                Value::Text(s) => Value::text(s.trim()),
                _ => Value::Missing,
            },
            Builtin::Coalesce => first,
        })
    }

    fn table(&mut self, index: usize, args: &[Value], span: Span) -> Result<Value, Fault> {
        let Some(table) = self.tables.get(index) else { return Ok(Value::Missing) };
        let mut matched: Vec<usize> = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            let mut all = true;
            for (cell, arg) in row.cells.iter().zip(args) {
                let ok = match cell {
                    Cell::Any => Some(true),
                    Cell::Cmp(op, e) => ops::compare(*op, arg, &self.eval(e, args)?).truth(),
                    Cell::In(e, negated) => {
                        let found = ops::member(arg, &self.eval(e, args)?);
                        (if *negated { ops::not(&found) } else { found }).truth()
                    }
                };
                if ok != Some(true) {
                    all = false;
                    break;
                }
            }
            if all {
                matched.push(r);
                if table.hit == HitPolicy::First {
                    break;
                }
            }
        }
        match table.hit {
            HitPolicy::Unique if matched.len() > 1 => {
                let (a, b, name) = (matched[0] + 1, matched[1] + 1, &table.name);
                Err(Fault::at(
                    msg!(
                        "表格 `{name}` 的第 {a} 行和第 {b} 行同时匹配，unique 表格只能匹配一行",
                        "rows {a} and {b} of table `{name}` both match, but the table is unique"
                    ),
                    span,
                ))
            }
            HitPolicy::Unique | HitPolicy::First => match matched.first() {
                Some(r) => self.eval(&table.rows[*r].result, args),
                None => Ok(Value::Missing),
            },
            HitPolicy::Collect(aggregate) => {
                let mut results = Vec::with_capacity(matched.len());
                for r in matched {
                    results.push(self.eval(&table.rows[r].result, args)?);
                }
                Ok(match aggregate {
                    None => Value::List(results.into()),
                    Some(Aggregate::Count) => Value::Int(i64::try_from(results.len()).unwrap_or(i64::MAX)),
                    Some(Aggregate::Sum) => {
                        let mut total = Value::Int(0);
                        for v in &results {
                            total = ops::arith(crate::check::hir::ArithOp::Add, &total, v)
                                .map_err(|e| fault(e, Some(span)))?;
                        }
                        total
                    }
                    Some(Aggregate::Min) => extreme(results, false),
                    Some(Aggregate::Max) => extreme(results, true),
                })
            }
        }
    }
}

/// The smallest (or largest) value; missing when any is missing or there are none.
fn extreme(items: Vec<Value>, max: bool) -> Value {
    let mut best: Option<Value> = None;
    for v in items {
        if v.is_missing() {
            return Value::Missing;
        }
        best = match best {
            None => Some(v),
            Some(b) => {
                let take = match v.compare(&b) {
                    Some(std::cmp::Ordering::Greater) => max,
                    Some(std::cmp::Ordering::Less) => !max,
                    _ => false,
                };
                Some(if take { v } else { b })
            }
        };
    }
    best.unwrap_or(Value::Missing)
}

/// Widens a number to the type the checker assigned.
pub(crate) fn coerce(v: Value, ty: &Type) -> Value {
    match (ty, &v) {
        (Type::Money, Value::Int(_) | Value::Decimal(_)) => v.as_decimal().map_or(v, Value::Money),
        (Type::Decimal, Value::Int(n)) => Value::Decimal(Decimal::from(*n)),
        _ => v,
    }
}

fn fault(e: OpError, span: Option<Span>) -> Fault {
    let message = match e {
        OpError::Overflow => Msg::new("计算结果超出范围", "the result is out of range"),
        OpError::DivisionByZero => Msg::new("除数为零", "division by zero"),
        OpError::PartialDays => Msg::new("日期只能加减整天数的时长", "a date can only move by whole days"),
        OpError::Types => Msg::new(
            "运算的值类型不符（这是 tenet 的缺陷，请报告）",
            "operand types do not match (a tenet bug; please report it)",
        ),
    };
    Fault { message, span }
}
