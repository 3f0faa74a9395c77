//! Batch evaluation: one case per line of JSON, evaluated in parallel, results written
//! in input order, one per line. The input is read and written in chunks, so memory
//! stays flat however long the file is; a bad line gets an error record with its line
//! number and the batch goes on.
//!
//! A result line is compact:
//! `{"line":1,"decision":"approved","codes":[…],"ledgers":{"deductions":"49.90"},"outputs":{…}}`;
//! a bad line: `{"line":7,"error":"invalid_facts","diagnostics":[…]}`, each diagnostic as
//! `tenet check --format json` gives it (`code`, `message`, `message_en`, `path`, …).

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;

use tenet::Policy;
use tenet::diagnostics::{Diagnostic, JsonDiagnostic, to_json};
use tenet::eval::{self, EvalError};
use tenet::workflow::Case;

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
    codes: Vec<Arc<str>>,
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
    let mut chunk: Vec<(usize, Result<String, Diagnostic>)> = Vec::with_capacity(CHUNK_LINES);
    let mut out = String::new();
    let mut bytes = Vec::new();
    loop {
        chunk.clear();
        while chunk.len() < CHUNK_LINES {
            let (n, whole) = read_line_within(input, &mut bytes, MAX_LINE_BYTES)?;
            if n == 0 {
                break;
            }
            read += n as u64;
            line_no += 1;
            // A byte order mark before the first line is not part of it.
            let start = if line_no == 1 && bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            let line = match (whole, std::str::from_utf8(bytes.get(start..).unwrap_or_default())) {
                (false, _) => Err(Diagnostic::error(
                    "line-too-long",
                    tenet::diagnostics::msg!(
                        "这一行超过 {MAX_LINE_BYTES} 字节",
                        "the line is longer than {MAX_LINE_BYTES} bytes"
                    ),
                )),
                (true, Err(e)) => {
                    let at = e.valid_up_to() + start + 1;
                    Err(Diagnostic::error(
                        "not-utf8",
                        tenet::diagnostics::msg!(
                            "这一行的第 {at} 个字节不是 UTF-8",
                            "byte {at} of the line is not UTF-8"
                        ),
                    )
                    .help(tenet::diagnostics::Msg::new("把文件存为 UTF-8 编码", "save the file as UTF-8")))
                }
                (true, Ok(text)) if text.trim().is_empty() => continue,
                (true, Ok(text)) => Ok(text.to_owned()),
            };
            chunk.push((line_no, line));
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Outcome> = chunk
            .par_iter()
            .map(|(n, line)| match line {
                Ok(line) => one(policy, *n, line, now),
                Err(d) => failed(*n, "invalid_facts", std::slice::from_ref(d)),
            })
            .collect();
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

/// Reads one line (up to and including its newline) into `line`, keeping at most `max`
/// bytes of it: returns the bytes consumed (0 at the end) and whether the whole line was
/// kept. A longer line is read to its end but not held, so memory stays bounded.
fn read_line_within(input: &mut dyn BufRead, line: &mut Vec<u8>, max: usize) -> std::io::Result<(usize, bool)> {
    line.clear();
    let (mut consumed, mut whole) = (0usize, true);
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed, whole));
        }
        let (take, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if whole && line.len() + take <= max.saturating_add(1) {
            line.extend_from_slice(available.get(..take).unwrap_or_default());
        } else {
            whole = false;
            line.clear();
        }
        input.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, whole));
        }
    }
}

/// The record of a line that could not be evaluated.
fn failed(line_no: usize, kind: &str, diags: &[Diagnostic]) -> Outcome {
    Outcome {
        json: serde_json::to_string(&Failed { line: line_no, error: kind, diagnostics: to_json(diags) })
            .unwrap_or_default(),
        decision: None,
        codes: Vec::new(),
        without_now: false,
    }
}

fn one(policy: &Policy, line_no: usize, line: &str, default_now: DateTime<Utc>) -> Outcome {
    let failed = |kind: &str, diags: &[Diagnostic]| failed(line_no, kind, diags);
    let facts = match policy.facts_from_json(line) {
        Ok(f) => f,
        Err(diags) => {
            // A line of a file of cases (`{"id", "facts", "events"}`, as `tenet report`
            // and `tenet diff` read): the case's decision, from its history.
            return match serde_json::from_str::<tenet::facts::Raw>(line) {
                Ok(raw) if Case::is_case_like(&raw) => one_case(policy, line_no, &raw, default_now),
                _ => failed("invalid_facts", &diags),
            };
        }
    };
    match policy.evaluate(&facts, facts.now().unwrap_or(default_now)) {
        Ok(eval) => Outcome {
            json: serde_json::to_string(&Line { line: line_no, id: None, summary: eval.summary() }).unwrap_or_default(),
            decision: Some(eval.decision().as_str()),
            codes: eval.codes().into_iter().map(Arc::from).collect(),
            without_now: facts.now().is_none(),
        },
        Err(EvalError::InvalidFacts(diags)) => failed("invalid_facts", &diags),
        // `Failed`, and whatever the engine adds later.
        Err(e) => failed("evaluation_failed", e.diagnostics()),
    }
}

/// A record of a file of cases, judged as `tenet report` and `tenet diff` judge it
/// ([`Policy::judge_case`]) at its own `now` or the batch's.
fn one_case(policy: &Policy, line_no: usize, raw: &tenet::facts::Raw, default_now: DateTime<Utc>) -> Outcome {
    let case = match Case::from_raw(raw) {
        Ok(c) => c,
        Err(diags) => return failed(line_no, "invalid_case", &diags),
    };
    let judged = match policy.judge_case(&case, case.now.unwrap_or(default_now)) {
        Ok(j) => j,
        Err(diags) => return failed(line_no, "invalid_case", &diags),
    };
    let Some(eval) = judged.evaluation() else {
        return failed(line_no, "invalid_case", &[]);
    };
    Outcome {
        json: serde_json::to_string(&Line { line: line_no, id: case.id.as_deref(), summary: eval.summary() })
            .unwrap_or_default(),
        decision: Some(eval.decision().as_str()),
        codes: eval.codes().into_iter().map(Arc::from).collect(),
        without_now: case.now.is_none(),
    }
}

/// A result line: its number (and the case's id, for a line of a file of cases), then
/// the evaluation's summary.
#[derive(Serialize)]
struct Line<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(flatten)]
    summary: eval::Summary<'a, 'a>,
}

/// A line that could not be evaluated: its number, what kind of failure, and why.
#[derive(Serialize)]
struct Failed<'a> {
    line: usize,
    error: &'a str,
    diagnostics: Vec<JsonDiagnostic>,
}
