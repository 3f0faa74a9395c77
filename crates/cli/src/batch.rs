//! Batch evaluation: one case per line of JSON, evaluated in parallel, results written
//! in input order, one per line. The input is read and written in chunks, so memory
//! stays flat however long the file is; a bad line gets an error record with its line
//! number and the batch goes on.
//!
//! A result line is compact:
//! `{"line":1,"decision":"approved","codes":[…],"ledgers":{"deductions":"49.90"},"outputs":{…}}`;
//! a bad line: `{"line":7,"error":"invalid_facts","diagnostics":[{"path":…,"message":…,"message_en":…}]}`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::json;

use tenet::Policy;
use tenet::diagnostics::Diagnostic;
use tenet::eval::{EvalError, Evaluation};
use tenet::facts::Raw;
use tenet::value::{Value, to_json};

/// Lines read, evaluated and written at a time.
pub const CHUNK_LINES: usize = 8192;

/// Longest line accepted, in bytes (a longer one is reported, not evaluated).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Counts for the closing summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines with a case (blank lines are skipped).
    pub cases: usize,
    /// Cases per decision.
    pub decisions: BTreeMap<String, usize>,
    /// Cases per fired code.
    pub codes: BTreeMap<String, usize>,
    /// Lines that could not be evaluated.
    pub errors: usize,
    /// Cases evaluated at the batch's `now` because their line had none.
    pub without_now: usize,
}

/// What one line gave.
struct Outcome {
    json: String,
    decision: Option<&'static str>,
    codes: Vec<std::sync::Arc<str>>,
    without_now: bool,
}

/// Evaluates every line of `input`, writing one result line per case to `output`, and
/// calls `progress` with the bytes read so far after each chunk. `now` is used for lines
/// without their own `now`.
pub fn run(
    policy: &Policy,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    let mut line_no = 0usize;
    let mut read = 0u64;
    let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK_LINES);
    let mut out = String::new();
    loop {
        chunk.clear();
        while chunk.len() < CHUNK_LINES {
            let mut line = String::new();
            let n = input.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            read += n as u64;
            line_no += 1;
            if !line.trim().is_empty() {
                chunk.push((line_no, line));
            }
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Outcome> = chunk.par_iter().map(|(n, line)| one(policy, *n, line, now)).collect();
        out.clear();
        for r in results {
            summary.cases += 1;
            match r.decision {
                Some(d) => *summary.decisions.entry(d.to_owned()).or_default() += 1,
                None => summary.errors += 1,
            }
            summary.without_now += usize::from(r.without_now);
            for c in r.codes {
                match summary.codes.get_mut(&*c) {
                    Some(n) => *n += 1,
                    None => {
                        summary.codes.insert(c.to_string(), 1);
                    }
                }
            }
            out.push_str(&r.json);
            out.push('\n');
        }
        output.write_all(out.as_bytes())?;
        progress(read);
    }
    output.flush()?;
    Ok(summary)
}

fn one(policy: &Policy, line_no: usize, line: &str, default_now: DateTime<Utc>) -> Outcome {
    let failed = |kind: &str, diags: &[Diagnostic]| {
        let list: Vec<serde_json::Value> = diags
            .iter()
            .map(|d| json!({"path": d.path, "message": d.message.zh, "message_en": d.message.en}))
            .collect();
        Outcome {
            json: json!({"line": line_no, "error": kind, "diagnostics": list}).to_string(),
            decision: None,
            codes: Vec::new(),
            without_now: false,
        }
    };
    if line.len() > MAX_LINE_BYTES {
        let d = Diagnostic::error(
            "line-too-long",
            tenet::msg!("这一行超过 {MAX_LINE_BYTES} 字节", "the line is longer than {MAX_LINE_BYTES} bytes"),
        );
        return failed("invalid_facts", &[d]);
    }
    let program = policy.program();
    let fast = tenet::facts::from_json_fast(line, &program.inputs, program.locale.currency);
    let facts = match fast {
        Some(f) => f,
        // Not on the fast path: the full parser and validator say what is wrong.
        None => {
            let raw: Raw = match serde_json::from_str(line) {
                Ok(r) => r,
                Err(e) => {
                    let d =
                        Diagnostic::error("facts-syntax", tenet::msg!("不是有效的 JSON：{e}", "not valid JSON: {e}"));
                    return failed("invalid_facts", &[d]);
                }
            };
            match policy.facts_from_raw(&raw) {
                Ok(f) => f,
                Err(diags) => return failed("invalid_facts", &diags),
            }
        }
    };
    match policy.evaluate(&facts, facts.now.unwrap_or(default_now)) {
        Ok(eval) => Outcome { without_now: facts.now.is_none(), ..success(policy, line_no, &eval) },
        Err(EvalError::InvalidFacts(diags)) => failed("invalid_facts", &diags),
        Err(EvalError::Fault(d)) => failed("evaluation_failed", &[d]),
    }
}

/// Appends `text` as a JSON string.
fn quote(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A result line, written by hand: this is the hot path of a batch.
fn success(policy: &Policy, line_no: usize, eval: &Evaluation) -> Outcome {
    let program = policy.program();
    let format = &program.locale;
    let mut s = String::with_capacity(256);
    let _ = write!(s, "{{\"line\":{line_no},\"decision\":\"{}\",\"codes\":[", eval.decision.as_str());
    let mut codes: Vec<std::sync::Arc<str>> = Vec::new();
    for f in &eval.findings {
        if !codes.contains(&f.code) {
            codes.push(std::sync::Arc::clone(&f.code));
        }
    }
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        quote(&mut s, c);
    }
    s.push_str("],\"ledgers\":{");
    for (i, (l, r)) in program.ledgers.iter().zip(&eval.ledgers).enumerate() {
        if i > 0 {
            s.push(',');
        }
        quote(&mut s, &l.name);
        s.push(':');
        quote(&mut s, &format.money(r.total));
    }
    s.push_str("},\"outputs\":{");
    let mut first = true;
    for (d, v) in program.derived.iter().zip(&eval.values) {
        if !d.exported || v.is_missing() {
            continue;
        }
        if !first {
            s.push(',');
        }
        first = false;
        quote(&mut s, &d.name);
        s.push(':');
        match v {
            Value::Money(m) => quote(&mut s, &format.money(*m)),
            Value::DateTime(t) => quote(&mut s, &format.datetime(t)),
            Value::Text(t) => quote(&mut s, t),
            Value::Int(n) => {
                let _ = write!(s, "{n}");
            }
            other => {
                let _ = write!(s, "{}", to_json(other, &d.ty, format));
            }
        }
    }
    s.push('}');
    if let Some(warnings) = tenet::eval::report::warnings_json(&eval.uncovered) {
        let _ = write!(s, ",\"warnings\":{warnings}");
    }
    s.push('}');
    Outcome { json: s, decision: Some(eval.decision.as_str()), codes, without_now: false }
}
