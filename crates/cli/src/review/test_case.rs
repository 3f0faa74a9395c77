//! Test cases: facts with the result they should give, as the command-line contract
//! describes them. Used by the test suite (and by `tenet test`).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use tenet::eval::Evaluation;
use tenet::facts::Raw;

/// A case: facts and what evaluating them must give.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// A short description.
    #[serde(default)]
    pub name: Option<String>,
    /// The policy it runs against, relative to the case file (optional).
    #[serde(default)]
    pub policy: Option<String>,
    /// The facts, as for `tenet eval`.
    pub facts: Raw,
    /// What must come out.
    pub expect: Expect,
}

/// Expectations; only what is listed is compared.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `approved`, `needs_info` or `rejected`.
    #[serde(default)]
    pub decision: Option<String>,
    /// The exact set of fired codes.
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    /// Output values by name.
    #[serde(default)]
    pub outputs: Option<Raw>,
    /// Ledger totals by name.
    #[serde(default)]
    pub ledgers: Option<Raw>,
}

/// True for a case file with an event history (`events`): replayed through the
/// policy's workflow rather than evaluated once.
pub fn is_event_history(text: &str) -> bool {
    let Ok(yaml_serde::Value::Mapping(map)) = yaml_serde::from_str::<yaml_serde::Value>(text) else { return false };
    map.contains_key("events")
}

impl TestCase {
    /// Reads a case from YAML.
    pub fn from_yaml(text: &str) -> Result<TestCase, yaml_serde::Error> {
        yaml_serde::from_str(text)
    }
}

/// One expectation that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What was compared: `decision`, `codes`, `ledger deductions`, `output refund_amount`.
    pub what: String,
    /// What the case expects.
    pub expected: String,
    /// What the policy gave.
    pub actual: String,
}

/// Every difference between an expectation and a result, as readable lines; empty when
/// the case passes.
pub fn compare(eval: &Evaluation<'_>, expect: &Expect) -> Vec<String> {
    mismatches(eval, expect)
        .into_iter()
        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
        .collect()
}

/// Every expectation that does not hold.
pub fn mismatches(eval: &Evaluation<'_>, expect: &Expect) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut push = |what: String, expected: String, actual: String| out.push(Mismatch { what, expected, actual });
    if let Some(want) = &expect.decision
        && want != eval.decision().as_str()
    {
        push("decision".into(), want.clone(), eval.decision().as_str().into());
    }
    if let Some(want) = &expect.codes {
        let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
        want.sort_unstable();
        want.dedup();
        let mut got = eval.codes();
        got.sort_unstable();
        if want != got {
            push("codes".into(), format!("[{}]", want.join(", ")), format!("[{}]", got.join(", ")));
        }
    }
    for (name, want) in entries(expect.ledgers.as_ref()) {
        let money = |amount| eval.locale().money(amount);
        match eval.ledger(&name) {
            Some(l) if same_value(want, &money(l.total())) => {}
            Some(l) => push(format!("ledger {name}"), show(want), money(l.total())),
            None => push(format!("ledger {name}"), show(want), "(the policy has no such ledger)".into()),
        }
    }
    for (name, want) in entries(expect.outputs.as_ref()) {
        let got = eval.outputs().find(|o| o.name() == name).map(|o| o.text());
        match got {
            Some(g) if same_value(want, &g) => {}
            Some(g) => push(format!("output {name}"), show(want), g),
            None => push(format!("output {name}"), show(want), "(no value)".into()),
        }
    }
    out
}

/// An expected value as written, without quotes.
pub fn show(raw: &Raw) -> String {
    match raw {
        Raw::Str(s) => s.clone(),
        other => other.describe(),
    }
}

/// The entries of a mapping with text keys (none for anything else).
pub fn entries(raw: Option<&Raw>) -> Vec<(String, &Raw)> {
    match raw {
        Some(Raw::Map(pairs)) => pairs
            .iter()
            .filter_map(|(k, v)| match k {
                Raw::Str(k) => Some((k.clone(), v)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Datetimes compare as instants, numbers as numbers, everything else as text.
pub fn same_value(want: &Raw, got: &str) -> bool {
    let text = match want {
        Raw::Str(s) => s.clone(),
        Raw::Int(n) => n.to_string(),
        Raw::Float(f) => f.to_string(),
        Raw::Bool(b) => b.to_string(),
        _ => return false,
    };
    if let (Some(a), Some(b)) = (tenet::facts::parse_datetime(&text), tenet::facts::parse_datetime(got)) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (Decimal::from_str(&text), Decimal::from_str(got)) {
        return a == b;
    }
    text == got
}
