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
use crate::ir::{Cell, Expr, Part, Table};
use crate::lang::Type;
use crate::lang::{AggFunc, Builtin};
use crate::lang::{Aggregate, HitPolicy};
use crate::msg;
use crate::source::Span;
use crate::value::{Locale, Value};
use ops::OpError;

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
    /// A context with nothing but constants (for folding).
    pub(crate) fn constant(locale: Locale) -> Ctx<'static> {
        Ctx {
            locale,
            tables: &[],
            facts: &[],
            now: None,
            slots: Vec::new(),
            decision: Value::Missing,
            totals: Vec::new(),
            fuel: FuelCell::new(FUEL),
            patterns: &[],
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
                Value::Text(t) => {
                    chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_or(Value::Missing, Value::Date)
                }
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

    fn call(&self, f: Builtin, args: &[Expr], params: &[Value], span: Span) -> Result<Value, Box<Trap>> {
        // The common calls, without collecting their arguments.
        match (f, args) {
            (Builtin::Date, [x]) => {
                return Ok(match &*self.eval(x, params)? {
                    Value::DateTime(t) => Value::Date(self.locale.local_date(t)),
                    Value::Text(t) => {
                        chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_or(Value::Missing, Value::Date)
                    }
                    other => other.clone(),
                });
            }
            (Builtin::Min | Builtin::Max, [a, b, rest @ ..]) => {
                let mut best = self.eval(a, params)?;
                for x in std::iter::once(b).chain(rest) {
                    let v = self.eval(x, params)?;
                    let take = match v.compare(&best) {
                        Some(std::cmp::Ordering::Greater) => f == Builtin::Max,
                        Some(std::cmp::Ordering::Less) => f == Builtin::Min,
                        Some(std::cmp::Ordering::Equal) => false,
                        None => return Ok(Value::Missing),
                    };
                    if take {
                        best = v;
                    }
                }
                return Ok(best.into_owned());
            }
            _ => {}
        }
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.value(a, params)?);
        }
        if f == Builtin::Coalesce {
            return Ok(values.into_iter().find(|v| !v.is_missing()).unwrap_or(Value::Missing));
        }
        // Every other builtin is missing when an argument is.
        if values.iter().any(Value::is_missing) {
            return Ok(Value::Missing);
        }
        // Builtins that walk a list spend a step per item (`count` only reads its length).
        if let (false, Some(Value::List(items))) = (f == Builtin::Count, values.first()) {
            self.spend(items.len())?;
        }
        let first = values.first().cloned().unwrap_or(Value::Missing);
        Ok(match f {
            Builtin::Date => match (&first, values.get(1..).unwrap_or_default()) {
                (Value::DateTime(t), _) => Value::Date(self.locale.local_date(t)),
                (Value::Text(t), _) => {
                    chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_or(Value::Missing, Value::Date)
                }
                (Value::Int(y), [Value::Int(m), Value::Int(d)]) => {
                    let day = i32::try_from(*y).ok().zip(u32::try_from(*m).ok()).zip(u32::try_from(*d).ok());
                    day.and_then(|((y, m), d)| chrono::NaiveDate::from_ymd_opt(y, m, d))
                        .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
                        .map_or(Value::Missing, Value::Date)
                }
                _ => first,
            },
            Builtin::Min | Builtin::Max => {
                let items: Vec<Value> = match (&first, values.len()) {
                    (Value::List(items), 1) => items.to_vec(),
                    _ => values,
                };
                extreme(items, f == Builtin::Max)
            }
            Builtin::Abs => match first {
                Value::Int(n) => Value::Int(n.checked_abs().ok_or_else(|| trap(OpError::Overflow, Some(span)))?),
                Value::Decimal(d) => Value::Decimal(d.abs()),
                Value::Money(d) => Value::Money(d.abs()),
                Value::Percent(d) => Value::Percent(d.abs()),
                Value::Duration(t) => Value::Duration(t.abs()),
                other => other,
            },
            Builtin::Round
            | Builtin::RoundHalfEven
            | Builtin::RoundUp
            | Builtin::RoundDown
            | Builtin::Floor
            | Builtin::Ceil
                if matches!(first, Value::Duration(_)) =>
            {
                return round_duration(f, &values, span);
            }
            Builtin::Round
            | Builtin::RoundHalfEven
            | Builtin::RoundUp
            | Builtin::RoundDown
            | Builtin::Floor
            | Builtin::Ceil => {
                let places = match values.get(1) {
                    Some(Value::Int(p)) => *p,
                    _ => 0,
                };
                let strategy = match f {
                    Builtin::Floor => RoundingStrategy::ToNegativeInfinity,
                    Builtin::Ceil => RoundingStrategy::ToPositiveInfinity,
                    Builtin::RoundHalfEven => RoundingStrategy::MidpointNearestEven,
                    Builtin::RoundUp => RoundingStrategy::AwayFromZero,
                    Builtin::RoundDown => RoundingStrategy::ToZero,
                    _ => RoundingStrategy::MidpointAwayFromZero,
                };
                let overflow = || trap(OpError::Overflow, Some(span));
                let round = |d: Decimal, places: i64| round_to(d, places, strategy).ok_or_else(overflow);
                match first {
                    Value::Int(n) if places < 0 => Value::Int(
                        rust_decimal::prelude::ToPrimitive::to_i64(&round(Decimal::from(n), places)?)
                            .ok_or_else(overflow)?,
                    ),
                    Value::Decimal(d) => Value::Decimal(round(d, places)?),
                    Value::Money(d) => Value::Money(round(d, places)?),
                    // Places count in the percentage as written: round(12.5%) is 13%.
                    Value::Percent(d) => Value::Percent(round(d, places.saturating_add(2))?),
                    other => other,
                }
            }
            Builtin::Count => match first {
                Value::List(items) => Value::Int(i64::try_from(items.len()).unwrap_or(i64::MAX)),
                _ => Value::Missing,
            },
            Builtin::Sum => match first {
                Value::List(items) => sum(&items, span, &self.locale)?,
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
            Builtin::Upper
            | Builtin::Lower
            | Builtin::Substring
            | Builtin::StartsWith
            | Builtin::EndsWith
            | Builtin::Contains
            | Builtin::Replace
            | Builtin::Split
            | Builtin::Matches
            | Builtin::MatchesCompiled(_) => return self.text_builtin(f, &values, span),
            Builtin::DatePart(part) => date_part(part, &first, &self.locale),
            Builtin::TimeOfDay => match &first {
                Value::DateTime(t) if crate::time::within_years(t) => {
                    Value::Time(t.with_timezone(&self.locale.zone()).naive_local().time())
                }
                _ => Value::Missing,
            },
            Builtin::DateTimeFrom => match &first {
                Value::Text(t) => {
                    crate::time::parse_datetime(t.trim()).map_or(Value::Missing, |d| Value::DateTime(d.to_utc()))
                }
                _ => Value::Missing,
            },
            Builtin::DurationFrom => match &first {
                Value::Text(t) => crate::value::duration::parse(t).map_or(Value::Missing, Value::Duration),
                _ => Value::Missing,
            },
            Builtin::Sort | Builtin::Distinct | Builtin::Sublist | Builtin::Index => {
                let Value::List(items) = first else { return Ok(Value::Missing) };
                if f == Builtin::Distinct {
                    return self.distinct(&items);
                }
                list_builtin(f, &items, values.get(1..).unwrap_or_default())
            }
            Builtin::Elapsed | Builtin::ElapsedExcluding(..) | Builtin::Due | Builtin::DueWorkingDays => {
                return self.clock(f, &values, span);
            }
        })
    }

    /// The text builtins. Each walks its texts once and spends a step per character it
    /// reads (a step per item for a list), and no text it makes may pass
    /// [`MAX_TEXT_BYTES`].
    fn text_builtin(&self, f: Builtin, values: &[Value], span: Span) -> Result<Value, Box<Trap>> {
        if let (Builtin::Contains, [Value::List(items), item]) = (f, values) {
            self.spend(items.len())?;
            return Ok(ops::member(item, &Value::List(Arc::clone(items))));
        }
        let text = |i: usize| match values.get(i) {
            Some(Value::Text(s)) => Some(&**s),
            _ => None,
        };
        let Some(s) = text(0) else { return Ok(Value::Missing) };
        self.spend(s.len())?;
        let too_long = || {
            Box::new(Trap::at(
                msg!("生成的文本超过 {MAX_TEXT_BYTES} 字节", "the text made is longer than {MAX_TEXT_BYTES} bytes"),
                span,
            ))
        };
        let made = |out: String| if out.len() > MAX_TEXT_BYTES { Err(too_long()) } else { Ok(Value::text(&out)) };
        Ok(match (f, text(1), text(2)) {
            (Builtin::Upper, ..) => made(s.to_uppercase())?,
            (Builtin::Lower, ..) => made(s.to_lowercase())?,
            (Builtin::Substring, ..) => {
                let (Some(Value::Int(start)), length) = (values.get(1), values.get(2)) else {
                    return Ok(Value::Missing);
                };
                let count = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
                // 1 is the first character, -1 the last; 0 names none.
                let from = match *start {
                    0 => return Ok(Value::Missing),
                    n if n > 0 => n - 1,
                    n => (count + n).max(0),
                };
                let take = match length {
                    None => i64::MAX,
                    Some(Value::Int(n)) if *n >= 0 => *n,
                    _ => return Ok(Value::Missing),
                };
                let skip = usize::try_from(from).unwrap_or(usize::MAX);
                Value::text(&s.chars().skip(skip).take(usize::try_from(take).unwrap_or(usize::MAX)).collect::<String>())
            }
            (Builtin::StartsWith, Some(p), _) => Value::Bool(s.starts_with(p)),
            (Builtin::EndsWith, Some(p), _) => Value::Bool(s.ends_with(p)),
            (Builtin::Contains, Some(p), _) => Value::Bool(s.contains(p)),
            (Builtin::Replace, Some(old), Some(new)) if !old.is_empty() => {
                // Bounded before it is built: occurrences x growth.
                let grows = new.len().saturating_sub(old.len());
                if s.len().saturating_add(s.matches(old).count().saturating_mul(grows)) > MAX_TEXT_BYTES {
                    return Err(too_long());
                }
                made(s.replace(old, new))?
            }
            (Builtin::Replace, Some(_), Some(_)) => Value::text(s),
            (Builtin::Split, Some(sep), _) if !sep.is_empty() => {
                let parts: Vec<Value> = s.split(sep).map(Value::text).collect();
                self.spend(parts.len())?;
                Value::List(parts.into())
            }
            (Builtin::Split, Some(_), _) => {
                let parts: Vec<Value> = s.chars().map(|c| Value::text(c.encode_utf8(&mut [0; 4]))).collect();
                self.spend(parts.len())?;
                Value::List(parts.into())
            }
            (Builtin::MatchesCompiled(i), ..) => match self.patterns.get(i as usize) {
                Some(re) => Value::Bool(re.is_match(s)),
                None => Value::Missing,
            },
            (Builtin::Matches, Some(p), _) => {
                self.spend(p.len())?;
                match crate::lang::pattern(p) {
                    Ok(re) => Value::Bool(re.is_match(s)),
                    Err(why) => {
                        return Err(Box::new(Trap::at(
                            msg!("正则表达式无效：{why}", "not a valid pattern: {why}"),
                            span,
                        )));
                    }
                }
            }
            _ => Value::Missing,
        })
    }

    /// `distinct(items)`: ordered values are sorted to find their equals (n log n);
    /// others (records, lists) are compared pairwise, a step of fuel per comparison.
    fn distinct(&self, items: &[Value]) -> Result<Value, Box<Trap>> {
        let ordered = items.iter().all(|v| !v.is_missing() && !matches!(v, Value::Record(_) | Value::List(_)));
        let mut keep = vec![false; items.len()];
        if ordered {
            let mut order: Vec<usize> = (0..items.len()).collect();
            let at = |i: &usize| items.get(*i).unwrap_or(&Value::Missing);
            order.sort_by(|a, b| at(a).compare(at(b)).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b)));
            let mut last: Option<usize> = None;
            for i in order {
                if last.is_none_or(|l| at(&l).equals(at(&i)) != Some(true)) {
                    if let Some(k) = keep.get_mut(i) {
                        *k = true;
                    }
                    last = Some(i);
                }
            }
        } else {
            for (i, item) in items.iter().enumerate() {
                self.spend(i)?;
                let seen = items.iter().take(i).zip(&keep).any(|(k, kept)| *kept && k.equals(item) == Some(true));
                if let Some(k) = keep.get_mut(i) {
                    *k = !seen;
                }
            }
        }
        Ok(Value::List(items.iter().zip(keep).filter(|(_, k)| *k).map(|(v, _)| v.clone()).collect()))
    }

    /// `elapsed` and `due` on a calendar.
    fn clock(&self, f: Builtin, values: &[Value], span: Span) -> Result<Value, Box<Trap>> {
        let [Value::Calendar(cal), Value::DateTime(from), rest @ ..] = values else { return Ok(Value::Missing) };
        let result = match (f, rest) {
            (Builtin::Elapsed, [Value::DateTime(to)]) => cal.elapsed(*from, *to).map(Value::Duration),
            (Builtin::ElapsedExcluding(fi, ti), [Value::DateTime(to), Value::List(pauses)]) => {
                let mut intervals = Vec::with_capacity(pauses.len());
                for p in pauses.iter() {
                    let Value::Record(fields) = p else { return Ok(Value::Missing) };
                    match (fields.get(usize::from(fi)), fields.get(usize::from(ti))) {
                        (Some(Value::DateTime(a)), Some(Value::DateTime(b))) => intervals.push((*a, *b)),
                        _ => return Ok(Value::Missing),
                    }
                }
                cal.elapsed_excluding(*from, *to, &intervals).map(Value::Duration)
            }
            (Builtin::Due, [Value::Duration(d)]) => cal.add(*from, *d).map(Value::DateTime),
            (Builtin::DueWorkingDays, [Value::Int(n)]) => match u32::try_from(*n) {
                Ok(n) => cal.add_working_days(*from, n).map(Value::DateTime),
                Err(_) => return Ok(Value::Missing),
            },
            _ => return Ok(Value::Missing),
        };
        let end = match (&result, rest.first()) {
            (Ok(Value::DateTime(due)), _) | (_, Some(Value::DateTime(due))) => *due,
            _ => *from,
        };
        // A clock walks the days between its ends (and each pause): a step a day.
        let days = usize::try_from((end - *from).num_days().unsigned_abs()).unwrap_or(usize::MAX);
        let pauses = match rest.get(1) {
            Some(Value::List(p)) => p.len(),
            _ => 0,
        };
        self.spend(days.saturating_add(pauses))?;
        if !cal.covered_years.is_empty() {
            let (a, b) = (from.min(&end), from.max(&end));
            let mut clocked = self.clocked.borrow_mut();
            match clocked.iter_mut().find(|(c, _, _)| Arc::ptr_eq(c, cal)) {
                Some((_, lo, hi)) => {
                    *lo = (*lo).min(*a);
                    *hi = (*hi).max(*b);
                }
                None => clocked.push((Arc::clone(cal), *a, *b)),
            }
        }
        result.map_err(|e| Box::new(Trap::at(e.message(&cal.name), span)))
    }

    fn table(&self, index: usize, args: &[Value], span: Span) -> Result<Value, Box<Trap>> {
        let Some(table) = self.tables.get(index) else { return Ok(Value::Missing) };
        // A function's lets extend the frame its body reads.
        let frame: Cow<'_, [Value]> = if table.lets.is_empty() {
            Cow::Borrowed(args)
        } else {
            let mut frame = args.to_vec();
            for l in table.lets.iter() {
                let v = self.value(l, &frame)?;
                frame.push(v);
            }
            Cow::Owned(frame)
        };
        let args: &[Value] = &frame;
        let mut matched: Vec<usize> = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            self.tick()?;
            let mut all = true;
            for (cell, arg) in row.cells.iter().zip(args) {
                // The common cells in place; ranges and `or`/`not` out of line.
                let ok = match cell {
                    Cell::Any => Some(true),
                    Cell::Cmp(op, e) => ops::compare(*op, arg, &*self.eval(e, args)?).truth(),
                    other => self.cell(other, arg, args)?,
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
        let name = &table.name;
        // Nothing matched: `otherwise`, as one result (in a list for a list-giving table).
        if matched.is_empty()
            && let Some(otherwise) = &table.otherwise
        {
            let value = self.value(otherwise, args)?;
            return Ok(match table.hit {
                HitPolicy::Collect(None) | HitPolicy::OutputOrder => Value::List(vec![value].into()),
                _ => value,
            });
        }
        let results = |rows: &[usize]| -> Result<Vec<Value>, Box<Trap>> {
            rows.iter().filter_map(|r| table.rows.get(*r)).map(|row| self.value(&row.result, args)).collect()
        };
        // The position of a result among the result enumeration's values.
        // A result's place among the result enumeration's values — for a record, among
        // each enumerated field's values in turn.
        let rank = |v: &Value| -> Vec<usize> {
            let place = |ty: &crate::lang::Type, v: &Value| match (ty, v) {
                (crate::lang::Type::Enum(values), Value::Text(t)) => {
                    Some(values.iter().position(|x| **x == **t).unwrap_or(usize::MAX))
                }
                _ => None,
            };
            match (&table.result, v) {
                (crate::lang::Type::Record(r), Value::Record(fields)) => {
                    r.fields.iter().zip(fields.iter()).filter_map(|(f, v)| place(&f.ty, v)).collect()
                }
                (ty, v) => place(ty, v).into_iter().collect(),
            }
        };
        match table.hit {
            HitPolicy::Unique if let [first, second, ..] = matched[..] => {
                let (a, b) = (first + 1, second + 1);
                Err(Box::new(Trap::at(
                    msg!(
                        "表格 `{name}` 的第 {a} 行和第 {b} 行同时匹配，unique 表格只能匹配一行",
                        "rows {a} and {b} of table `{name}` both match, but the table is unique"
                    ),
                    span,
                )))
            }
            HitPolicy::Unique | HitPolicy::First => match matched.first().and_then(|r| table.rows.get(*r)) {
                Some(row) => self.value(&row.result, args),
                None => Ok(Value::Missing),
            },
            HitPolicy::Any => {
                let values = results(&matched)?;
                if let Some(first) = values.first()
                    && let Some(k) = values.iter().position(|v| v != first)
                {
                    let (a, b) = (matched.first().map_or(0, |r| r + 1), matched.get(k).map_or(0, |r| r + 1));
                    return Err(Box::new(Trap::at(
                        msg!(
                            "表格 `{name}` 的第 {a} 行和第 {b} 行同时匹配但结果不同，any 表格的匹配行必须一致",
                            "rows {a} and {b} of table `{name}` both match with different results, but an any table's matches must agree"
                        ),
                        span,
                    )));
                }
                Ok(values.into_iter().next().unwrap_or(Value::Missing))
            }
            HitPolicy::Priority => {
                let values = results(&matched)?;
                Ok(values.into_iter().enumerate().min_by_key(|(i, v)| (rank(v), *i)).map_or(Value::Missing, |(_, v)| v))
            }
            HitPolicy::OutputOrder => {
                let mut values = results(&matched)?;
                values.sort_by_key(|v| rank(v));
                Ok(Value::List(values.into()))
            }
            HitPolicy::Collect(aggregate) => {
                let results = results(&matched)?;
                Ok(match aggregate {
                    None => Value::List(results.into()),
                    Some(Aggregate::Count) => Value::Int(i64::try_from(results.len()).unwrap_or(i64::MAX)),
                    Some(Aggregate::Sum) => sum(&results, span, &self.locale)?,
                    Some(Aggregate::Min) => extreme(results, false),
                    Some(Aggregate::Max) => extreme(results, true),
                })
            }
        }
    }

    /// Whether a cell accepts `arg` (Kleene: `None` when that depends on a missing value).
    fn cell(&self, cell: &Cell, arg: &Value, args: &[Value]) -> Result<Option<bool>, Box<Trap>> {
        Ok(match cell {
            Cell::Any => Some(true),
            Cell::Cmp(op, e) => ops::compare(*op, arg, &*self.eval(e, args)?).truth(),
            Cell::In(e, negated) => {
                let found = ops::member(arg, &*self.eval(e, args)?);
                (if *negated { ops::not(&found) } else { found }).truth()
            }
            Cell::Range(lo, lo_closed, hi, hi_closed) => {
                let above = ops::compare(
                    if *lo_closed { crate::lang::CmpOp::Ge } else { crate::lang::CmpOp::Gt },
                    arg,
                    &*self.eval(lo, args)?,
                );
                let below = ops::compare(
                    if *hi_closed { crate::lang::CmpOp::Le } else { crate::lang::CmpOp::Lt },
                    arg,
                    &*self.eval(hi, args)?,
                );
                match (above.truth(), below.truth()) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }
            }
            Cell::AnyOf(tests) | Cell::Not(tests) => {
                let mut any = Some(false);
                for t in tests.iter() {
                    match self.cell(t, arg, args)? {
                        Some(true) => {
                            any = Some(true);
                            break;
                        }
                        None => any = None,
                        Some(false) => {}
                    }
                }
                if matches!(cell, Cell::Not(_)) { any.map(|b| !b) } else { any }
            }
        })
    }
}

/// A part of a date, or of a datetime in the policy's zone.
fn date_part(part: crate::lang::DatePart, v: &Value, locale: &crate::value::Locale) -> Value {
    use crate::lang::DatePart as P;
    use chrono::{Datelike, Timelike};
    let (date, time) = match v {
        Value::Time(t) => (chrono::NaiveDate::MIN, Some(*t)),
        // A duration's clock reading: whole days, then hours 0-23, minutes, seconds.
        Value::Duration(d) => {
            let s = d.num_seconds();
            return Value::Int(match part {
                P::Day => s.div_euclid(86_400),
                P::Hour => s.div_euclid(3_600).rem_euclid(24),
                P::Minute => s.div_euclid(60).rem_euclid(60),
                P::Second => s.rem_euclid(60),
                _ => return Value::Missing,
            });
        }
        // A period: whole years, or all its months.
        Value::Months(m) => {
            return Value::Int(i64::from(if part == P::Year { m.div_euclid(12) } else { *m }));
        }
        Value::Date(d) => (*d, None),
        Value::DateTime(t) => {
            let local = t.with_timezone(&locale.zone()).naive_local();
            (local.date(), Some(local.time()))
        }
        _ => return Value::Missing,
    };
    let n = match (part, time) {
        (P::Year, _) => i64::from(date.year()),
        (P::Month, _) => i64::from(date.month()),
        (P::Day, _) => i64::from(date.day()),
        (P::Weekday, _) => i64::from(date.weekday().number_from_monday()),
        (P::Hour, Some(t)) => i64::from(t.hour()),
        (P::Minute, Some(t)) => i64::from(t.minute()),
        (P::Second, Some(t)) => i64::from(t.second()),
        _ => return Value::Missing,
    };
    Value::Int(n)
}

/// `sort`, `sublist` and `index` over `items` (fuel is spent by the caller, a step per
/// item).
fn list_builtin(f: Builtin, items: &[Value], rest: &[Value]) -> Value {
    match (f, rest) {
        (Builtin::Sort, _) => {
            // A missing item has no place in an order: the sorted list is missing too.
            if items.iter().any(Value::is_missing) {
                return Value::Missing;
            }
            let mut sorted = items.to_vec();
            sorted.sort_by(|a, b| a.compare(b).unwrap_or(std::cmp::Ordering::Equal));
            Value::List(sorted.into())
        }
        (Builtin::Sublist, [Value::Int(start), length @ ..]) => {
            let count = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let from = match *start {
                0 => return Value::Missing,
                n if n > 0 => n - 1,
                n => (count + n).max(0),
            };
            let take = match length {
                [] => i64::MAX,
                [Value::Int(n)] if *n >= 0 => *n,
                _ => return Value::Missing,
            };
            let skip = usize::try_from(from).unwrap_or(usize::MAX);
            Value::List(items.iter().skip(skip).take(usize::try_from(take).unwrap_or(usize::MAX)).cloned().collect())
        }
        (Builtin::Index, [item]) => match items.iter().position(|x| x.equals(item) == Some(true)) {
            Some(i) => Value::Int(i64::try_from(i + 1).unwrap_or(i64::MAX)),
            None => Value::Missing,
        },
        _ => Value::Missing,
    }
}

/// A duration rounded to a multiple of a unit: `ceil(late_by, 1 hours)`.
fn round_duration(f: Builtin, values: &[Value], span: Span) -> Result<Value, Box<Trap>> {
    let [Value::Duration(d), Value::Duration(unit)] = values else { return Ok(Value::Missing) };
    let nanos = |t: &TimeDelta| i128::from(t.num_seconds()) * 1_000_000_000 + i128::from(t.subsec_nanos());
    let (n, u) = (nanos(d), nanos(unit));
    if u <= 0 {
        return Err(Box::new(Trap::at(
            Msg::new("取整的单位必须大于零", "the unit to round to must be more than zero"),
            span,
        )));
    }
    let (q, r) = (n.div_euclid(u), n.rem_euclid(u));
    // The remainder against half a unit decides, as each rounding says.
    let up = match f {
        Builtin::Floor => false,
        Builtin::Ceil => r > 0,
        Builtin::RoundUp => r > 0 && n >= 0,
        Builtin::RoundDown => r > 0 && n < 0,
        Builtin::RoundHalfEven => 2 * r > u || (2 * r == u && q % 2 != 0),
        _ => 2 * r >= u,
    };
    let units = q + i128::from(up);
    let total = units.checked_mul(u).ok_or_else(|| trap(OpError::Overflow, Some(span)))?;
    let secs = i64::try_from(total.div_euclid(1_000_000_000)).map_err(|_| trap(OpError::Overflow, Some(span)))?;
    let sub = u32::try_from(total.rem_euclid(1_000_000_000)).unwrap_or(0);
    TimeDelta::new(secs, sub).map(Value::Duration).ok_or_else(|| trap(OpError::Overflow, Some(span)))
}

/// The total of `values`, from the first of them, so it keeps their kind (a sum of
/// percentages is a percentage, of durations a duration); `0` when there are none, which
/// the compiler widens to the type the checker gave the sum (see [`coerce`]).
/// `d` rounded to `places` decimal places by `strategy`; negative places round to tens,
/// hundreds, … (`round(1250, -2)` is 1300). The result has exactly `places` places
/// (none when negative); `None` when it would not fit.
fn round_to(d: Decimal, places: i64, strategy: RoundingStrategy) -> Option<Decimal> {
    if places >= 0 {
        // A decimal has at most 28 places, so more change nothing.
        let places = u32::try_from(places.min(28)).ok()?;
        let mut r = d.round_dp_with_strategy(places, strategy);
        r.rescale(places);
        return Some(r);
    }
    let unit =
        Decimal::try_from_i128_with_scale(10i128.checked_pow(u32::try_from(places.unsigned_abs()).ok()?)?, 0).ok()?;
    let units = d.checked_div(unit)?.round_dp_with_strategy(0, strategy);
    let mut r = units.checked_mul(unit)?;
    r.rescale(0);
    Some(r)
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
