//! Facts: YAML or JSON documents validated against a policy's `input` schema.
//!
//! Numbers are exact. Quoted decimals (`"129.99"`) and integers are taken as written;
//! an unquoted number with a fraction is accepted when its shortest decimal form has at
//! most 15 significant digits — every such number survives the trip through a binary
//! float unchanged, so `129.99` is exactly 129.99. Longer unquoted numbers are refused
//! with a request to quote them.

mod fast;
#[cfg(test)]
mod fast_tests;
mod validate;

use chrono::{DateTime, Utc};

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{RecordType, Type};

pub use crate::document::{Format, MAX_FACTS_BYTES, Raw, parse_raw};
pub use crate::time::parse_datetime;
use crate::value::{Currency, Value};
use validate::Validator;

/// Facts that passed validation: one value per top-level input, in schema order.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    roots: Vec<Value>,
    now: Option<DateTime<Utc>>,
}

impl Facts {
    /// The top-level inputs by slot.
    pub(crate) fn roots(&self) -> &[Value] {
        &self.roots
    }

    /// The `now` key, when the facts carry one.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.now
    }
}

/// Most items one list in the facts may hold.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// JSON facts read straight into typed values when they are valid; `None` when they
/// are not (run [`parse_raw`] and [`validate`] to learn what is wrong).
pub(crate) fn from_json_fast(text: &str, schema: &RecordType, currency: Currency) -> Option<Facts> {
    fast::from_json(text, schema, currency)
}

/// Validates a raw document against `schema`. The top level may also carry `now`.
pub(crate) fn validate(raw: &Raw, schema: &RecordType, currency: Currency) -> Result<Facts, Vec<Diagnostic>> {
    let mut v = Validator { currency, problems: Vec::new() };
    if !matches!(raw, Raw::Map(_)) {
        let found = raw.describe();
        return Err(vec![
            Diagnostic::error(
                codes::INVALID_FACT,
                msg!("事实应是一个映射（键: 值），却是 {found}", "facts must be a mapping (key: value), found {found}"),
            )
            .help(Msg::new("以 `order:`、`item:` 这样的键开头", "start with keys such as `order:` and `item:`")),
        ]);
    }
    let mut now = None;
    let record = v.record("", schema, raw, &mut |v, key, value| {
        if key != "now" {
            return false;
        }
        if let Value::DateTime(t) = v.value("now", &Type::DateTime, value) {
            now = Some(t);
        }
        true
    });
    if !v.problems.is_empty() {
        return Err(v.problems);
    }
    let roots = match record {
        Value::Record(fields) => fields.to_vec(),
        _ => Vec::new(),
    };
    Ok(Facts { roots, now })
}
