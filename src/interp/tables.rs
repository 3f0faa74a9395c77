//! Decision tables and functions: which rows match (cells, hit policies) and what the
//! table gives.

use super::*;

/// The rows a table call checks.
enum Rows<I> {
    /// The index's candidates.
    Indexed(I),
    /// Every row (no index, or the arguments do not narrow them).
    All(std::ops::Range<usize>),
}

impl<I: Iterator<Item = u32>> Iterator for Rows<I> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Rows::Indexed(i) => i.next().and_then(|r| usize::try_from(r).ok()),
            Rows::All(r) => r.next(),
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Set by the tests that hold the index to the scan: every row is checked.
    pub(crate) static SCAN_TABLES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether tables are scanned whatever their index says (tests only).
fn scanning() -> bool {
    #[cfg(test)]
    {
        SCAN_TABLES.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        false
    }
}

impl Ctx<'_> {
    pub(super) fn table(&self, index: usize, args: &[Value], span: Span) -> Result<Value, Box<Trap>> {
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
        // The rows that can match, in row order: the index's candidates, or every row.
        let rows = match table.index.as_ref().filter(|_| !scanning()).and_then(|i| i.candidates(args)) {
            Some((a, b)) => Rows::Indexed(crate::ir::table_index::merged(a, b)),
            None => Rows::All(0..table.rows.len()),
        };
        for r in rows {
            let Some(row) = table.rows.get(r) else { continue };
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
