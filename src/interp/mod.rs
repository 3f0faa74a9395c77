//! The interpreter of compiled expressions: evaluates an [`Expr`] against facts, the
//! values computed so far and the frame of locals. The compiler runs it to fold
//! constants; the evaluator runs it for every value, condition and amount.

use std::borrow::Cow;
use std::cell::Cell as FuelCell;
use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

pub(crate) mod ops;

use crate::diagnostics::Msg;
use crate::diagnostics::msg;
use crate::ir::{Cell, Expr, Part, Table};
use crate::lang::Type;
use crate::lang::{AggFunc, Builtin};
use crate::lang::{Aggregate, HitPolicy};
use crate::source::Span;
use crate::value::{Locale, Value};
use ops::OpError;

mod builtins;
#[cfg(test)]
mod table_index_tests;
mod tables;

/// Steps one evaluation may take before it is stopped (policies cannot loop, so this
/// only bounds pathological sizes).
pub const FUEL: u64 = 10_000_000;

/// Longest text an evaluation may make (by `+`, `upper`, `replace`, …), in bytes: texts
/// that double at every step cannot exhaust memory.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Why an evaluation stopped — a trap, as virtual machines call it: what went wrong and
/// where. The evaluator turns it into a diagnostic.
#[derive(Clone, Debug)]
pub struct Trap {
    /// What went wrong.
    pub message: Msg,
    /// The expression, when known.
    pub span: Option<Span>,
    /// What to do about it, when the evaluator knows better than the general advice.
    pub help: Option<Msg>,
}

impl Trap {
    fn at(message: Msg, span: Span) -> Trap {
        Trap { message, span: Some(span), help: None }
    }

    /// Names `span` as the place, unless a more precise one is known.
    fn within(mut self: Box<Trap>, span: Span) -> Box<Trap> {
        self.span.get_or_insert(span);
        self
    }
}

/// A calendar a clock ran on, with the earliest and latest instant it counted.
pub(crate) type Clocked = (Arc<crate::time::Calendar>, DateTime<Utc>, DateTime<Utc>);

/// What an expression can see.
pub(crate) struct Ctx<'a> {
    pub locale: Locale,
    pub tables: &'a [Table],
    pub facts: &'a [Value],
    pub now: Option<DateTime<Utc>>,
    pub slots: Vec<Value>,
    /// The decision as a value, once known.
    pub decision: Value,
    pub totals: Vec<Decimal>,
    pub fuel: FuelCell<u64>,
    /// The program's compiled `matches` patterns.
    pub patterns: &'a [regex::Regex],
    /// Each calendar a clock ran on, with the earliest and latest instant it counted:
    /// the years in between that its holiday files do not describe are said in the
    /// result's warnings. (Years are worked out once, after the evaluation: this is
    /// the hot path of an SLA month.)
    pub clocked: std::cell::RefCell<Vec<Clocked>>,
    /// The values of [`Expr::Once`] parts computed in the current runs of their
    /// aggregates.
    pub once: std::cell::RefCell<Vec<Option<Value>>>,
}

/// The result of evaluating an expression: borrowed where the value already exists
/// (facts, constants, computed values), so reading a fact never copies it.
pub(crate) type Eval<'s> = Result<Cow<'s, Value>, Box<Trap>>;

static MISSING: Value = Value::Missing;

fn owned<'s>(v: Value) -> Eval<'s> {
    Ok(Cow::Owned(v))
}

impl<'a> Ctx<'a> {
    /// A context with nothing but constants and the patterns compiled so far (for
    /// folding: a constant `matches` reads its compiled pattern like any other).
    pub(crate) fn constant(locale: Locale, patterns: &'a [regex::Regex]) -> Ctx<'a> {
        Ctx {
            locale,
            tables: &[],
            facts: &[],
            now: None,
            slots: Vec::new(),
            decision: Value::Missing,
            totals: Vec::new(),
            fuel: FuelCell::new(FUEL),
            patterns,
            clocked: Default::default(),
            once: Default::default(),
        }
    }

    /// Evaluates `e` to an owned value.
    pub(crate) fn value(&self, e: &Expr, params: &[Value]) -> Result<Value, Box<Trap>> {
        self.eval(e, params).map(Cow::into_owned)
    }

    /// Evaluates a condition: `Some(true)`, `Some(false)`, or `None` when missing
    /// (Kleene logic). Conditions are most of a policy, so they are computed here
    /// directly, without building values; this function handles the connectives and the
    /// commonest leaves and stays small, the rest is [`Self::truth_of`]'s.
    pub(crate) fn truth(&self, e: &Expr, params: &[Value]) -> Result<Option<bool>, Box<Trap>> {
        match e {
            // Kleene: one false part makes `and` false whatever the others are; a
            // missing part leaves it undecided unless a later part is false.
            Expr::And(parts) => {
                let mut all = Some(true);
                for p in parts.iter() {
                    match self.leaf_truth(p, params)? {
                        Some(false) => return Ok(Some(false)),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                Ok(all)
            }
            Expr::Or(parts) => {
                let mut any = Some(false);
                for p in parts.iter() {
                    match self.leaf_truth(p, params)? {
                        Some(true) => return Ok(Some(true)),
                        None => any = None,
                        Some(false) => {}
                    }
                }
                Ok(any)
            }
            _ => self.leaf_truth(e, params),
        }
    }

    /// A part of a condition: facts tested in place and computed booleans are read
    /// here, without a call.
    #[inline(always)]
    fn leaf_truth(&self, e: &Expr, params: &[Value]) -> Result<Option<bool>, Box<Trap>> {
        match e {
            Expr::TestPath(root, path, test) => {
                let v = self.path(*root, path);
                // The one test that walks a list of the facts.
                if let (crate::ir::PathTest::Contains(..), Value::List(items)) = (test, v) {
                    self.spend(items.len())?;
                }
                Ok(test.apply(v))
            }
            Expr::Derived(i) => Ok(self.slots.get(*i as usize).and_then(Value::truth)),
            Expr::And(_) | Expr::Or(_) => self.truth(e, params),
            _ => self.truth_of(e, params),
        }
    }

    /// The conditions that are not connectives or in-place tests.
    #[inline(never)]
    fn truth_of(&self, e: &Expr, params: &[Value]) -> Result<Option<bool>, Box<Trap>> {
        match e {
            Expr::Not(x) => Ok(self.truth(x, params)?.map(|b| !b)),
            Expr::Compare(op, a, b) => {
                let l = self.operand(a, params)?;
                let r = self.operand(b, params)?;
                Ok(ops::compare_truth(*op, &l, &r))
            }
            Expr::In(item, list, negated) => {
                let item = self.operand(item, params)?;
                let list = self.operand(list, params)?;
                if let Value::List(items) = &*list {
                    self.spend(items.len())?;
                }
                Ok(ops::member_truth(&item, &list).map(|b| b != *negated))
            }
            Expr::IsMissing(x, missing) => Ok(Some(self.operand(x, params)?.is_missing() == *missing)),
            Expr::Path(..) | Expr::Const(_) | Expr::Local(_) => Ok(self.operand(e, params)?.truth()),
            Expr::TestPath(..) | Expr::Derived(_) | Expr::And(_) | Expr::Or(_) => self.truth(e, params),
            _ => self.eval(e, params).map(|v| v.truth()),
        }
    }

    /// Leaves (constants, facts, computed values, parameters) are read in place, without
    /// a call; the rest goes to [`Self::compute`].
    #[inline(always)]
    fn operand<'s>(&'s self, e: &'s Expr, params: &'s [Value]) -> Eval<'s> {
        match e {
            Expr::Const(v) => Ok(Cow::Borrowed(v)),
            Expr::Path(root, path) => Ok(Cow::Borrowed(self.path(*root, path))),
            Expr::Derived(i) => Ok(Cow::Borrowed(self.slots.get(*i as usize).unwrap_or(&MISSING))),
            Expr::Local(i) => Ok(Cow::Borrowed(params.get(*i as usize).unwrap_or(&MISSING))),
            Expr::Decision => Ok(Cow::Borrowed(&self.decision)),
            _ => self.compute(e, params),
        }
    }

    #[inline(always)]
    fn path(&self, root: u32, path: &[u32]) -> &Value {
        let mut v = self.facts.get(root as usize).unwrap_or(&MISSING);
        for i in path {
            v = match v {
                Value::Record(fields) => fields.get(*i as usize).unwrap_or(&MISSING),
                _ => &MISSING,
            };
        }
        v
    }

    /// Calls `visit` with the index and value of every item of `lp`'s list that passes
    /// its filter, the item pushed onto the frame meanwhile: the one way `for each`
    /// clauses of rules and ensures walk their lists.
    #[inline]
    pub(crate) fn each_kept(
        &self,
        lp: &crate::ir::Loop,
        frame: &mut Vec<Value>,
        mut visit: impl FnMut(&mut Vec<Value>, usize, &Value) -> Result<(), Box<Trap>>,
    ) -> Result<(), Box<Trap>> {
        let Value::List(items) = self.value(&lp.list, frame)? else { return Ok(()) };
        for (i, item) in items.iter().enumerate() {
            self.tick()?;
            frame.push(item.clone());
            let keep = match &lp.filter {
                Some(f) => self.truth(f, frame)? == Some(true),
                None => true,
            };
            if keep {
                visit(frame, i, item)?;
            }
            frame.pop();
        }
        Ok(())
    }

    /// Spends one step of fuel: once per computed value, rule and table row. (An
    /// expression is bounded by the parser's depth limit, so counting nodes is not
    /// needed.)
    #[inline]
    pub(crate) fn tick(&self) -> Result<(), Box<Trap>> {
        let fuel = self.fuel.get();
        if fuel == 0 {
            return Err(out_of_fuel());
        }
        self.fuel.set(fuel - 1);
        Ok(())
    }

    /// Spends fuel for `n` steps of work at once: the items of a list a builtin walks,
    /// the days a clock counts.
    #[inline]
    pub(crate) fn spend(&self, n: usize) -> Result<(), Box<Trap>> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        match self.fuel.get().checked_sub(n) {
            Some(left) => {
                self.fuel.set(left);
                Ok(())
            }
            None => {
                self.fuel.set(0);
                Err(out_of_fuel())
            }
        }
    }

    /// Evaluates `e`; `params` are the arguments of the table being evaluated. Leaves are
    /// borrowed; everything computed goes to [`Self::compute`], so this function stays
    /// small and cheap to call.
    pub(crate) fn eval<'s>(&'s self, e: &'s Expr, params: &'s [Value]) -> Eval<'s> {
        self.operand(e, params)
    }

    /// The expressions that compute a value from others.
    #[inline(never)]
    fn compute<'s>(&'s self, e: &'s Expr, params: &'s [Value]) -> Eval<'s> {
        match e {
            Expr::Const(_) | Expr::Path(..) | Expr::Derived(_) | Expr::Local(_) | Expr::Decision => {
                self.eval(e, params)
            }
            Expr::Field(base, i) => match self.operand(base, params)? {
                Cow::Borrowed(Value::Record(fields)) => Ok(Cow::Borrowed(fields.get(*i as usize).unwrap_or(&MISSING))),
                Cow::Owned(Value::Record(fields)) => owned(fields.get(*i as usize).cloned().unwrap_or(Value::Missing)),
                _ => owned(Value::Missing),
            },
            Expr::DurationPart(base, unit) => owned(match &*self.operand(base, params)? {
                Value::Duration(d) => Value::Int(d.num_seconds().div_euclid(*unit)),
                _ => Value::Missing,
            }),
            Expr::Now => owned(self.now.map_or(Value::Missing, Value::DateTime)),
            Expr::LedgerTotal(i) => owned(self.totals.get(*i as usize).map_or(Value::Missing, |t| Value::Money(*t))),
            Expr::Not(_)
            | Expr::And(_)
            | Expr::Or(_)
            | Expr::Compare(..)
            | Expr::In(..)
            | Expr::IsMissing(..)
            | Expr::TestPath(..) => owned(self.truth(e, params)?.map_or(Value::Missing, Value::Bool)),
            Expr::Neg(x) => owned(ops::negate(&*self.operand(x, params)?).map_err(|e| trap(e, None))?),
            Expr::Arith(op, a, b, span) => {
                let l = self.operand(a, params)?;
                let r = self.operand(b, params)?;
                owned(ops::arith(*op, &l, &r, &self.locale).map_err(|e| trap(e, Some(*span)))?)
            }
            Expr::If(c, a, b) => match self.truth(c, params)? {
                Some(true) => self.eval(a, params),
                Some(false) => self.eval(b, params),
                None => owned(Value::Missing),
            },
            Expr::Call(Builtin::Date, args, _) if let [x] = &**args => owned(match &*self.operand(x, params)? {
                Value::DateTime(t) => Value::Date(self.locale.local_date(t)),
                Value::Text(t) => crate::time::parse_date(t).map_or(Value::Missing, Value::Date),
                other => other.clone(),
            }),
            Expr::Call(f, args, span) => owned(self.call(*f, args, params, *span).map_err(|t| t.within(*span))?),
            Expr::Table(..)
            | Expr::List(_)
            | Expr::Record(_)
            | Expr::Text(_)
            | Expr::Coerce(..)
            | Expr::Aggregate { .. }
            | Expr::Extend(..)
            | Expr::Once(..) => owned(self.build(e, params)?),
        }
    }

    /// The expressions that build new values; kept out of [`Self::eval`] so the hot
    /// path stays small.
    #[inline(never)]
    fn build(&self, e: &Expr, params: &[Value]) -> Result<Value, Box<Trap>> {
        Ok(match e {
            Expr::Table(t, args, span) => {
                let args = args.iter().map(|a| self.value(a, params)).collect::<Result<Vec<_>, _>>()?;
                self.table(*t as usize, &args, *span)?
            }
            Expr::List(items) => {
                Value::List(items.iter().map(|i| self.value(i, params)).collect::<Result<Vec<_>, _>>()?.into())
            }
            Expr::Record(items) => {
                Value::Record(items.iter().map(|i| self.value(i, params)).collect::<Result<Vec<_>, _>>()?.into())
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
                            self.show(&mut out, &v);
                        }
                    }
                }
                Value::text(&out)
            }
            Expr::Coerce(x, ty) => coerce(self.value(x, params)?, ty),
            Expr::Aggregate { func, body, list, filter, resets, span } => {
                for slot in resets.iter() {
                    if let Some(kept) = self.once.borrow_mut().get_mut(*slot as usize) {
                        *kept = None;
                    }
                }
                self.aggregate(*func, body.as_deref(), list, filter.as_deref(), params, *span)
                    .map_err(|t| t.within(*span))?
            }
            Expr::Once(x, slot) => {
                if let Some(Some(kept)) = self.once.borrow().get(*slot as usize) {
                    return Ok(kept.clone());
                }
                let v = self.value(x, params)?;
                if let Some(kept) = self.once.borrow_mut().get_mut(*slot as usize) {
                    *kept = Some(v.clone());
                }
                v
            }
            Expr::Extend(list, lets) => self.extend(list, lets, params)?,
            other => self.value(other, params)?,
        })
    }

    /// `count(x in xs where …)` and friends: the item is pushed onto the frame.
    fn aggregate(
        &self,
        func: AggFunc,
        body: Option<&Expr>,
        list: &Expr,
        filter: Option<&Expr>,
        params: &[Value],
        span: Span,
    ) -> Result<Value, Box<Trap>> {
        let items = match &*self.eval(list, params)? {
            Value::List(items) => Arc::clone(items),
            _ => return Ok(Value::Missing),
        };
        let mut frame = Vec::with_capacity(params.len() + 1);
        frame.extend_from_slice(params);
        let mut count: i64 = 0;
        let mut values: Vec<Value> = Vec::new();
        // `sort(x in xs by key)`: the items beside their keys.
        let mut kept: Vec<Value> = Vec::new();
        for item in items.iter() {
            self.tick()?;
            // The item is the frame's last local.
            frame.truncate(params.len());
            frame.push(item.clone());
            if let Some(f) = filter
                && self.truth(f, &frame)? != Some(true)
            {
                continue;
            }
            if func == AggFunc::SortBy {
                kept.push(item.clone());
            }
            match body {
                None if matches!(func, AggFunc::List | AggFunc::Sort) => values.push(item.clone()),
                None => count += 1,
                Some(b) => values.push(self.value(b, &frame)?),
            }
        }
        Ok(match func {
            AggFunc::Count => Value::Int(count),
            AggFunc::List => Value::List(values.into()),
            AggFunc::Sort | AggFunc::SortBy => {
                // A missing value or key has no place in an order.
                if values.iter().any(Value::is_missing) {
                    return Ok(Value::Missing);
                }
                self.spend(values.len())?;
                let mut order: Vec<usize> = (0..values.len()).collect();
                let at = |i: &usize| values.get(*i).unwrap_or(&Value::Missing);
                order.sort_by(|a, b| at(a).compare(at(b)).unwrap_or(std::cmp::Ordering::Equal));
                let from = if func == AggFunc::SortBy { &kept } else { &values };
                Value::List(order.iter().filter_map(|i| from.get(*i).cloned()).collect())
            }
            AggFunc::Sum => sum(&values, span, &self.locale)?,
            AggFunc::Min => extreme(values, false),
            AggFunc::Max => extreme(values, true),
            AggFunc::Any | AggFunc::All => {
                let decisive = func == AggFunc::Any;
                let mut unknown = false;
                for v in &values {
                    match v.truth() {
                        Some(b) if b == decisive => return Ok(Value::Bool(decisive)),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown { Value::Missing } else { Value::Bool(!decisive) }
            }
        })
    }

    /// Appends per-item values to every record of a list.
    fn extend(&self, list: &Expr, lets: &[(Expr, Option<Expr>)], params: &[Value]) -> Result<Value, Box<Trap>> {
        let items = match &*self.eval(list, params)? {
            Value::List(items) => Arc::clone(items),
            _ => return Ok(Value::Missing),
        };
        let mut out = Vec::with_capacity(items.len());
        let mut frame: Vec<Value> = Vec::with_capacity(lets.len() + 1);
        for item in items.iter() {
            self.tick()?;
            frame.clear();
            frame.push(item.clone());
            for (value, guard) in lets {
                let v = match guard {
                    Some(g) if self.truth(g, &frame)? != Some(true) => Value::Missing,
                    _ => self.value(value, &frame)?,
                };
                frame.push(v);
            }
            let fields: Vec<Value> = match item {
                Value::Record(fields) => fields.iter().cloned().chain(frame.drain(1..)).collect(),
                _ => frame.drain(1..).collect(),
            };
            out.push(Value::Record(fields.into()));
        }
        Ok(Value::List(out.into()))
    }

    /// Appends a value as messages show it.
    fn show(&self, out: &mut String, v: &Value) {
        match v {
            Value::Text(s) => out.push_str(s),
            other => {
                let _ = write!(out, "{}", self.locale.plain(other));
            }
        }
    }

    /// Renders message parts; a missing value shows as `—` rather than hiding the message.
    /// A fixed message is shared, not copied.
    pub(crate) fn interpolate(&self, parts: &[Part], frame: &[Value], chinese: bool) -> Result<Arc<str>, Box<Trap>> {
        if let [Part::Lit(fixed)] = parts {
            return Ok(Arc::clone(fixed));
        }
        let mut out =
            String::with_capacity(parts.iter().map(|p| if let Part::Lit(s) = p { s.len() + 8 } else { 12 }).sum());
        for p in parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Expr(x) => {
                    let v = self.eval(x, frame)?;
                    match &*v {
                        Value::Missing => out.push('—'),
                        Value::Text(s) => out.push_str(s),
                        other if chinese => {
                            let _ = write!(out, "{}", self.locale.chinese(other));
                        }
                        other => {
                            let _ = write!(out, "{}", self.locale.plain(other));
                        }
                    }
                }
            }
        }
        Ok(Arc::from(out))
    }
}

fn sum(values: &[Value], span: Span, locale: &crate::value::Locale) -> Result<Value, Box<Trap>> {
    let Some((first, rest)) = values.split_first() else { return Ok(Value::Int(0)) };
    let mut total = first.clone();
    for v in rest {
        total = ops::arith(crate::lang::ArithOp::Add, &total, v, locale).map_err(|e| trap(e, Some(span)))?;
    }
    Ok(total)
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

/// Widens a number to the type the checker assigned; the `0` of an empty sum becomes the
/// zero of the sum's type.
pub(crate) fn coerce(v: Value, ty: &Type) -> Value {
    match (ty, &v) {
        (Type::Money, Value::Int(_) | Value::Decimal(_)) => v.as_decimal().map_or(v, Value::Money),
        (Type::Decimal, Value::Int(n)) => Value::Decimal(Decimal::from(*n)),
        (Type::Percent, Value::Int(0)) => Value::Percent(Decimal::ZERO),
        (Type::Duration, Value::Int(0)) => Value::Duration(TimeDelta::zero()),
        // Inside records and lists, field by field and item by item.
        (Type::Record(r), Value::Record(fields)) if ty.widens_inside() => {
            Value::Record(fields.iter().zip(&r.fields).map(|(v, f)| coerce(v.clone(), &f.ty)).collect())
        }
        (Type::List(e), Value::List(items)) if ty.widens_inside() => {
            Value::List(items.iter().map(|v| coerce(v.clone(), e)).collect())
        }
        _ => v,
    }
}

#[cold]
fn out_of_fuel() -> Box<Trap> {
    Box::new(Trap {
        message: msg!("评估超过 {FUEL} 步，已停止", "evaluation took more than {FUEL} steps and was stopped"),
        span: None,
        help: Some(Msg::new(
            "这些事实让策略做了太多的工作，通常是列表里的每一项又遍历整个列表；把不依赖当前项的部分写成 let，或缩短列表",
            "these facts make the policy do too much work, usually a walk over a whole list for each of its items; move what does not depend on the item into a `let`, or shorten the list",
        )),
    })
}

#[cold]
fn trap(e: OpError, span: Option<Span>) -> Box<Trap> {
    Box::new(Trap { message: e.message(), span, help: None })
}
