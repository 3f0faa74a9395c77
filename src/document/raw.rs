//! Facts as parsed, before the schema gives them types: YAML and JSON both land here.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed document node; maps keep their order and duplicates (reported later).
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// `null` / `~`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number as written.
    Int(i128),
    /// A number with a fraction or exponent; see the facts module on exactness.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Raw>),
    /// A mapping with its keys in document order.
    Map(Vec<(Raw, Raw)>),
}

impl Raw {
    /// How a value looks in an error message: `"two"`, `12`, `a list`.
    pub fn describe(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => b.to_string(),
            Raw::Int(n) => n.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Str(s) if s.chars().count() > 40 => format!("{:?}…", s.chars().take(40).collect::<String>()),
            Raw::Str(s) => format!("{s:?}"),
            Raw::Seq(_) => "a list".into(),
            Raw::Map(_) => "a mapping".into(),
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(i128::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Int(i128::from(v)))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        i128::try_from(v).map(Raw::Int).map_err(|_| E::custom("integer too large"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }

    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some((k, v)) = map.next_entry()? {
            entries.push((k, v));
        }
        Ok(Raw::Map(entries))
    }
}

impl Raw {
    /// The node as JSON: mappings keep their order (a later duplicate key wins), keys that
    /// are not texts are written as they read, and fractions stay JSON numbers.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Raw::Null => Json::Null,
            Raw::Bool(b) => Json::Bool(*b),
            Raw::Int(n) => i64::try_from(*n)
                .map(Json::from)
                .or_else(|_| u64::try_from(*n).map(Json::from))
                .unwrap_or_else(|_| Json::String(n.to_string())),
            Raw::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Raw::Str(s) => Json::String(s.clone()),
            Raw::Seq(items) => Json::Array(items.iter().map(Raw::to_json).collect()),
            Raw::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Raw::Str(s) => s.clone(),
                            other => other.describe(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}
