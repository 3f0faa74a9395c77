//! Values in JSON results: money and decimals as strings, datetimes in RFC 3339 with the
//! policy's offset, durations in ISO 8601.

use serde_json::Value as Json;

use super::display::percent;
use super::{Locale, Value, duration};
use crate::lang::Type;

/// The JSON form of a value of type `ty`; `null` for a missing value.
pub fn to_json(value: &Value, ty: &Type, format: &Locale) -> Json {
    match value {
        Value::Missing => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Decimal(d) => Json::String(d.to_string()),
        Value::Money(d) => Json::String(format.money(*d)),
        Value::Percent(p) => Json::String(percent(*p)),
        Value::Text(s) => Json::String(s.to_string()),
        Value::Date(d) => Json::String(d.to_string()),
        Value::DateTime(t) => Json::String(format.datetime(t)),
        Value::Duration(d) => Json::String(duration::iso(*d)),
        Value::Months(m) => Json::String(duration::period_iso(*m)),
        Value::Time(t) => Json::String(super::time_text(t)),
        Value::OffsetTime(t, o) => Json::String(format!("{}{}", super::time_text(t), super::offset_text(o))),
        Value::Calendar(c) => Json::String(c.name.clone()),
        Value::List(items) => {
            let elem = ty.element().unwrap_or(Type::Error);
            Json::Array(items.iter().map(|v| to_json(v, &elem, format)).collect())
        }
        Value::Record(items) => {
            let mut map = serde_json::Map::new();
            if let Type::Record(rt) = ty {
                for (field, v) in rt.fields.iter().zip(items.iter()) {
                    if !v.is_missing() {
                        map.insert(field.name.clone(), to_json(v, &field.ty, format));
                    }
                }
            }
            Json::Object(map)
        }
    }
}
