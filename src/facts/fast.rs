//! The fast path for JSON facts: the document is read straight into typed values,
//! guided by the schema, with no intermediate tree. It accepts exactly what the
//! validator accepts and gives the same values; at the first thing it does not like it
//! gives up, and the caller runs the validator, which says precisely what is wrong.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::Facts;
use super::validate::{float, parse_datetime};
use crate::lang::{RecordType, Type};
use crate::value::number::{exact_decimal, percent_fraction};
use crate::value::{Currency, Value, duration};

/// The facts in `text`, when it is valid JSON that fits `schema`; `None` otherwise.
pub fn from_json(text: &str, schema: &RecordType, currency: Currency) -> Option<Facts> {
    let floats = std::cell::Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(text);
    let facts = Top { schema, currency, floats: &floats }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    // A float no longer says how it was written: when one was read, the text is looked
    // at for numbers a float cannot keep (the validator then names them).
    if floats.get() && crate::document::has_long_numbers(text, crate::document::Format::Json) {
        return None;
    }
    Some(facts)
}

/// Gives up (the validator will say why).
fn no<E: de::Error>() -> E {
    E::custom("not on the fast path")
}

/// A key, borrowed from the text when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

struct Top<'s> {
    schema: &'s RecordType,
    currency: Currency,
    /// Set when an unquoted number with a fraction was read.
    floats: &'s std::cell::Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = Facts;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Facts, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Facts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("facts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Facts, A::Error> {
        let mut now = None;
        let mut fields = Fields::new(self.schema);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.as_str();
            if let Some((i, field)) = self.schema.field(key) {
                let seed =
                    Typed { ty: &field.ty, optional: field.optional, currency: self.currency, floats: self.floats };
                fields.set(i, map.next_value_seed(seed)?)?;
            } else if key == "now" && now.is_none() {
                let v = map.next_value_seed(Typed {
                    ty: &Type::DateTime,
                    optional: false,
                    currency: self.currency,
                    floats: self.floats,
                })?;
                let Value::DateTime(t) = v else { return Err(no()) };
                now = Some(t);
            } else {
                return Err(no());
            }
        }
        Ok(Facts { roots: fields.finish()?, now })
    }
}

/// A record's values being read: in schema order, missing until set.
struct Fields<'s> {
    schema: &'s RecordType,
    values: Vec<Value>,
    /// Which fields were given, one bit each (a record of more than 128 fields is left
    /// to the validating path).
    seen: u128,
}

impl<'s> Fields<'s> {
    fn new(schema: &'s RecordType) -> Self {
        Fields { schema, values: Value::missing_n(schema.fields.len()), seen: 0 }
    }

    /// Sets field `i`; a key given twice, or a value its field's check refuses, is the
    /// validator's to report.
    fn set<E: de::Error>(&mut self, i: usize, v: Value) -> Result<(), E> {
        if let Some(check) = self.schema.fields.get(i).and_then(|f| f.check.as_deref()) {
            let holds = match &v {
                Value::Text(t) => check.text_holds(t),
                other => other.as_decimal().and_then(|n| check.number_holds(n)),
            };
            if holds == Some(false) {
                return Err(no());
            }
        }
        let bit = u32::try_from(i).ok().and_then(|i| 1u128.checked_shl(i)).ok_or_else(no)?;
        let Some(slot) = self.values.get_mut(i) else { return Err(no()) };
        if self.seen & bit != 0 {
            return Err(no());
        }
        self.seen |= bit;
        *slot = v;
        Ok(())
    }

    /// The values, when every required field was given.
    fn finish<E: de::Error>(self) -> Result<Vec<Value>, E> {
        let given =
            |i: usize| u32::try_from(i).ok().and_then(|i| 1u128.checked_shl(i)).is_some_and(|b| self.seen & b != 0);
        let complete = self.schema.fields.iter().enumerate().all(|(i, f)| f.optional || given(i));
        if complete { Ok(self.values) } else { Err(no()) }
    }
}

/// One value of a known type.
#[derive(Clone, Copy)]
struct Typed<'t> {
    ty: &'t Type,
    optional: bool,
    currency: Currency,
    floats: &'t std::cell::Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Typed<'_> {
    fn number<E: de::Error>(self, d: Decimal) -> Result<Value, E> {
        match self.ty {
            Type::Money => {
                if d.normalize().scale() > self.currency.minor_digits {
                    return Err(no());
                }
                Ok(Value::Money(d))
            }
            Type::Percent => Ok(Value::Percent(d)),
            Type::Decimal => Ok(Value::Decimal(d)),
            _ => Err(no()),
        }
    }
}

impl<'de> Visitor<'de> for Typed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ty)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        if self.optional { Ok(Value::Missing) } else { Err(no()) }
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        if *self.ty == Type::Bool { Ok(Value::Bool(v)) } else { Err(no()) }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        match self.ty {
            Type::Int => Ok(Value::Int(v)),
            _ => self.number(Decimal::from(v)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        match self.ty {
            Type::Int => i64::try_from(v).map(Value::Int).map_err(|_| no()),
            _ => self.number(Decimal::from(v)),
        }
    }

    /// An unquoted number with a fraction: exact when its shortest form is, and the
    /// text is checked afterwards for digits the float dropped ([`from_json`]).
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.floats.set(true);
        self.number(float(v).map_err(|_| no())?)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match self.ty {
            Type::Text => Ok(Value::text(s)),
            // The enumeration's own text: no allocation per value.
            Type::Enum(values) => values.iter().find(|v| ***v == *s).map(|v| Value::Text(Arc::clone(v))).ok_or_else(no),
            Type::Decimal | Type::Money | Type::Percent => {
                // Spaces around a number: the validating path says why it is refused.
                if s.trim() != s {
                    return Err(no());
                }
                let t = s;
                let d = match (self.ty, t.strip_suffix('%')) {
                    (Type::Percent, Some(p)) => exact_decimal(p.trim()).ok().and_then(|d| percent_fraction(d).ok()),
                    _ => exact_decimal(t).ok(),
                };
                self.number(d.ok_or_else(no)?)
            }
            Type::Date => crate::time::parse_date(s).map(Value::Date).ok_or_else(no),
            Type::DateTime => parse_datetime(s).map(Value::DateTime).map_err(|_| no()),
            Type::Duration => duration::parse(s).map(Value::Duration).ok_or_else(no),
            Type::Period => duration::parse_period(s).map(Value::Months).ok_or_else(no),
            Type::Time => crate::value::time_value(s).ok_or_else(no),
            _ => Err(no()),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Type::List(elem) = self.ty else { return Err(no()) };
        let item = Typed { ty: elem, optional: false, currency: self.currency, floats: self.floats };
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element_seed(item)? {
            if values.len() >= super::MAX_LIST_ITEMS {
                return Err(no());
            }
            values.push(v);
        }
        Ok(Value::List(values.into()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Type::Record(rt) = self.ty else { return Err(no()) };
        let mut fields = Fields::new(rt);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let Some((i, field)) = rt.field(key.as_str()) else { return Err(no()) };
            let seed = Typed { ty: &field.ty, optional: field.optional, currency: self.currency, floats: self.floats };
            fields.set(i, map.next_value_seed(seed)?)?;
        }
        Ok(Value::Record(fields.finish()?.into()))
    }
}
