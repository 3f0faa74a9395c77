//! Builtin calls: how each [`Builtin`] computes, with the calendar clocks and the text,
//! list and rounding helpers they share. The `match` in `call` is exhaustive, so a new
//! builtin does not compile until it is computed here.

use super::*;

impl Ctx<'_> {
    pub(super) fn call(&self, f: Builtin, args: &[Expr], params: &[Value], span: Span) -> Result<Value, Box<Trap>> {
        // The common calls, without collecting their arguments.
        match (f, args) {
            (Builtin::Date, [x]) => {
                return Ok(match &*self.eval(x, params)? {
                    Value::DateTime(t) => Value::Date(self.locale.local_date(t)),
                    Value::Text(t) => crate::time::parse_date(t).map_or(Value::Missing, Value::Date),
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
                (Value::Text(t), _) => crate::time::parse_date(t).map_or(Value::Missing, Value::Date),
                (Value::Int(y), [Value::Int(m), Value::Int(d)]) => {
                    let day = i32::try_from(*y).ok().zip(u32::try_from(*m).ok()).zip(u32::try_from(*d).ok());
                    day.and_then(|((y, m), d)| chrono::NaiveDate::from_ymd_opt(y, m, d))
                        .filter(crate::time::in_years)
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
            f if f.rounds() && matches!(first, Value::Duration(_)) => {
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
            Builtin::OffsetOf => match &first {
                Value::OffsetTime(_, o) => Value::Duration(TimeDelta::seconds(i64::from(o.local_minus_utc()))),
                Value::DateTime(t) => {
                    use chrono::Offset;
                    let offset = t.with_timezone(&self.locale.zone()).offset().fix().local_minus_utc();
                    Value::Duration(TimeDelta::seconds(i64::from(offset)))
                }
                _ => Value::Missing,
            },
            Builtin::DateTimeFrom => match (&first, values.get(1)) {
                (Value::Text(t), None) => {
                    crate::time::parse_datetime(t).map_or(Value::Missing, |d| Value::DateTime(d.to_utc()))
                }
                // A local date and time in the policy's zone; a time the zone skips (a
                // clock moved forward) has no instant.
                (Value::Date(d), Some(Value::OffsetTime(t, offset))) => {
                    use chrono::TimeZone;
                    match offset.from_local_datetime(&d.and_time(*t)).single() {
                        Some(at) if crate::time::within_years(&at.to_utc()) => Value::DateTime(at.to_utc()),
                        _ => Value::Missing,
                    }
                }
                (Value::Date(d), Some(Value::Time(t))) => {
                    use chrono::TimeZone;
                    match self.locale.zone().from_local_datetime(&d.and_time(*t)).earliest() {
                        Some(at) if crate::time::within_years(&at.to_utc()) => Value::DateTime(at.to_utc()),
                        _ => Value::Missing,
                    }
                }
                _ => Value::Missing,
            },
            Builtin::DurationFrom => match &first {
                Value::Text(t) => crate::value::duration::parse(t).map_or(Value::Missing, Value::Duration),
                _ => Value::Missing,
            },
            Builtin::Append => {
                let Value::List(items) = first else { return Ok(Value::Missing) };
                let rest = values.get(1..).unwrap_or_default();
                Value::List(items.iter().chain(rest).cloned().collect())
            }
            Builtin::Concatenate | Builtin::Union => {
                let mut all = Vec::new();
                for v in &values {
                    let Value::List(items) = v else { return Ok(Value::Missing) };
                    self.spend(items.len())?;
                    all.extend(items.iter().cloned());
                }
                if f == Builtin::Union {
                    return self.distinct(&all);
                }
                Value::List(all.into())
            }
            Builtin::InsertBefore | Builtin::Remove => {
                let (Value::List(items), Some(Value::Int(at))) = (&first, values.get(1)) else {
                    return Ok(Value::Missing);
                };
                // 1 is the first item, -1 the last; 0 and positions past the ends name none.
                let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let index = match *at {
                    p if p > 0 && p <= n => p - 1,
                    p if p < 0 && -p <= n => n + p,
                    _ => return Ok(Value::Missing),
                };
                let index = usize::try_from(index).unwrap_or(usize::MAX);
                let mut out = items.to_vec();
                if f == Builtin::Remove {
                    out.remove(index);
                } else {
                    out.insert(index, values.get(2).cloned().unwrap_or(Value::Missing));
                }
                Value::List(out.into())
            }
            Builtin::Reverse => match first {
                Value::List(items) => Value::List(items.iter().rev().cloned().collect()),
                _ => Value::Missing,
            },
            Builtin::Flatten => {
                let mut out = Vec::new();
                self.flatten_into(&first, &mut out)?;
                Value::List(out.into())
            }
            Builtin::Positions => match (&first, values.get(1)) {
                (Value::List(items), Some(item)) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.equals(item) == Some(true))
                        .map(|(i, _)| Value::Int(i64::try_from(i + 1).unwrap_or(i64::MAX)))
                        .collect(),
                ),
                _ => Value::Missing,
            },
            Builtin::Number => {
                let text = |i: usize| match values.get(i) {
                    Some(Value::Text(t)) => Some(&**t),
                    _ => None,
                };
                match (text(0), values.len()) {
                    (Some(t), 1) => crate::value::number::from_text(t, "", ".").map_or(Value::Missing, Value::Decimal),
                    (Some(t), 3) => match (text(1), text(2)) {
                        (Some(g), Some(d)) => {
                            crate::value::number::from_text(t, g, d).map_or(Value::Missing, Value::Decimal)
                        }
                        _ => Value::Missing,
                    },
                    _ => Value::Missing,
                }
            }
            Builtin::String => match &first {
                Value::Text(t) => Value::Text(Arc::clone(t)),
                other => Value::text(&self.locale.plain(other).to_string()),
            },
            Builtin::PeriodFrom => match &first {
                Value::Text(t) => crate::value::duration::parse_period(t).map_or(Value::Missing, Value::Months),
                _ => Value::Missing,
            },
            Builtin::TimeFrom => match values.as_slice() {
                [Value::Text(t)] => crate::value::time_value(t).unwrap_or(Value::Missing),
                [Value::Int(h), Value::Int(m), second, offset @ ..] => {
                    let (secs, nanos) = match second {
                        Value::Int(s) => (*s, 0),
                        Value::Decimal(d) if !d.is_sign_negative() => {
                            let whole = d.trunc();
                            let nanos = ((*d - whole) * Decimal::from(1_000_000_000)).trunc();
                            (
                                rust_decimal::prelude::ToPrimitive::to_i64(&whole).unwrap_or(-1),
                                rust_decimal::prelude::ToPrimitive::to_i64(&nanos).unwrap_or(0),
                            )
                        }
                        _ => (-1, 0),
                    };
                    let part = |n: i64| u32::try_from(n).ok();
                    match (part(*h), part(*m), part(secs), part(nanos)) {
                        (Some(h), Some(m), Some(s), Some(n)) if s < 60 => {
                            let Some(t) = chrono::NaiveTime::from_hms_nano_opt(h, m, s, n) else {
                                return Ok(Value::Missing);
                            };
                            match offset {
                                [] => Value::Time(t),
                                // An offset in whole minutes, less than a day either way.
                                [Value::Duration(d)] if d.subsec_nanos() == 0 && d.num_seconds() % 60 == 0 => {
                                    i32::try_from(d.num_seconds())
                                        .ok()
                                        .and_then(chrono::FixedOffset::east_opt)
                                        .map_or(Value::Missing, |o| Value::OffsetTime(t, o))
                                }
                                _ => Value::Missing,
                            }
                        }
                        _ => Value::Missing,
                    }
                }
                _ => Value::Missing,
            },
            Builtin::ReplacePattern => return self.text_builtin(f, &values, span),
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
                // Never silently missing: a pattern the program does not hold is a fault
                // of tenet's, said as one.
                None => {
                    return Err(Box::new(Trap::at(
                        msg!("内部错误：模式 {i} 未编译", "internal error: pattern {i} was not compiled"),
                        span,
                    )));
                }
            },
            (Builtin::ReplacePattern, Some(p), Some(with)) => {
                self.spend(p.len())?;
                let re = crate::lang::pattern_with(p, text(3)).map_err(|why| {
                    Box::new(Trap::at(msg!("正则表达式无效：{why}", "not a valid pattern: {why}"), span))
                })?;
                let template = replacement(with, re.captures_len().saturating_sub(1));
                let mut out = String::with_capacity(s.len());
                let mut last = 0;
                for caps in re.captures_iter(s) {
                    let Some(whole) = caps.get(0) else { continue };
                    out.push_str(s.get(last..whole.start()).unwrap_or(""));
                    for part in &template {
                        match part {
                            Piece::Text(t) => out.push_str(t),
                            Piece::Group(g) => out.push_str(caps.get(*g).map_or("", |m| m.as_str())),
                        }
                    }
                    last = whole.end();
                    // Bounded as it is built: a group can repeat the whole text.
                    if out.len() > MAX_TEXT_BYTES {
                        return Err(too_long());
                    }
                }
                out.push_str(s.get(last..).unwrap_or(""));
                made(out)?
            }
            (Builtin::Matches, Some(p), _) => {
                self.spend(p.len())?;
                match crate::lang::pattern_with(p, text(2)) {
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

    /// The items of `v`, nested lists' items in their place (a step per item).
    fn flatten_into(&self, v: &Value, out: &mut Vec<Value>) -> Result<(), Box<Trap>> {
        match v {
            Value::List(items) => {
                self.spend(items.len())?;
                for item in items.iter() {
                    match item {
                        Value::List(_) => self.flatten_into(item, out)?,
                        other => out.push(other.clone()),
                    }
                }
            }
            other => out.push(other.clone()),
        }
        Ok(())
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
}

/// A piece of a `replace_pattern` replacement.
#[derive(Debug, PartialEq)]
enum Piece {
    /// Written as is.
    Text(String),
    /// The text a group matched (0: the whole match; empty when it took no part).
    Group(usize),
}

/// A replacement as FEEL and XPath write it: `$1` is the first group's text, `$0` the
/// whole match — as many digits as name a group there is (`$1c` is group 1, then `c`;
/// `$12` with one group is group 1, then `2`) — `\$` a dollar and `\\` a backslash.
fn replacement(template: &str, groups: usize) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next @ ('$' | '\\'))) => {
                text.push(next);
                chars.next();
            }
            ('$', Some(d)) if d.is_ascii_digit() => {
                let mut group = 0usize;
                let mut first = true;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    let wider = group.saturating_mul(10).saturating_add(d as usize);
                    if !first && wider > groups {
                        break;
                    }
                    group = wider;
                    first = false;
                    chars.next();
                }
                out.push(Piece::Text(std::mem::take(&mut text)));
                out.push(Piece::Group(group));
            }
            _ => text.push(c),
        }
    }
    out.push(Piece::Text(text));
    out.retain(|p| *p != Piece::Text(String::new()));
    out
}

/// A part of a date, or of a datetime in the policy's zone.
fn date_part(part: crate::lang::DatePart, v: &Value, locale: &crate::value::Locale) -> Value {
    use crate::lang::DatePart as P;
    use chrono::{Datelike, Timelike};
    let (date, time) = match v {
        Value::Time(t) | Value::OffsetTime(t, _) => (chrono::NaiveDate::MIN, Some(*t)),
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
