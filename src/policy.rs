//! The library's front door: load a policy once, evaluate it many times.
//!
//! ```
//! use tenet::{Policy, facts::Format};
//!
//! let policy = Policy::from_text("demo.tenet", r#"
//!     policy demo version "1"
//!     timezone "Asia/Shanghai"
//!     currency CNY
//!     input { order: { total: money } }
//!     rule "大额订单" when order.total > 1000 flag LARGE_ORDER
//! "#).expect("a valid policy");
//! let facts = policy.facts_from_text(r#"{"order": {"total": "1200.00"}}"#, Format::Json).expect("valid facts");
//! let now = "2026-11-10T12:00:00+08:00".parse().expect("a datetime");
//! let result = policy.evaluate(&facts, now).expect("evaluates");
//! assert_eq!(result.codes(), ["LARGE_ORDER"]);
//! ```

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::compile;
use crate::diagnostics::{self, Diagnostic};
use crate::eval::{self, EvalError, Evaluation};
use crate::facts::{self, Facts, Format};
use crate::ir::Program;
use crate::source::SourceFile;
use crate::workflow::{
    self,
    case::Case,
    replay::{Replay, ReplayError},
};
use crate::{check, syntax};

/// A checked, compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Program,
    warnings: Vec<Diagnostic>,
}

/// Parses, checks and compiles; returns the program when there is no error, and every
/// diagnostic, sorted. Files the policy names (holiday files) are read relative to the
/// policy file's folder.
pub fn compile_source(file: &Arc<SourceFile>) -> (Option<Program>, Vec<Diagnostic>) {
    let folder = Path::new(file.name()).parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |name: &str| crate::source::read_source(&folder.join(name));
    compile_source_with(file, &resolve)
}

/// As [`compile_source`], reading the files the policy names through `resolve`.
pub fn compile_source_with(file: &Arc<SourceFile>, resolve: check::Resolver<'_>) -> (Option<Program>, Vec<Diagnostic>) {
    let parsed = syntax::parse(file);
    let mut diags = parsed.diagnostics;
    if parsed.incomplete {
        diagnostics::sort(&mut diags);
        return (None, diags);
    }
    let (checked, check_diags) = check::check(file, &parsed.file, resolve);
    diags.extend(check_diags);
    // Compile even after errors: it reports constants that cannot be computed, and
    // skips whatever the checker already found wrong.
    let program = match compile::compile(&checked) {
        Ok(p) if !diagnostics::has_errors(&diags) => Some(p),
        Ok(_) => None,
        Err(errors) => {
            diags.extend(errors);
            None
        }
    };
    diagnostics::sort(&mut diags);
    (program, diags)
}

impl Policy {
    /// Loads a policy from a source file.
    pub fn from_source(file: &Arc<SourceFile>) -> Result<Policy, Vec<Diagnostic>> {
        match compile_source(file) {
            (Some(program), diags) => Ok(Policy { program, warnings: diags }),
            (None, diags) => Err(diags),
        }
    }

    /// Loads a policy from a source file, reading the files it names through `resolve`.
    pub fn from_source_with(file: &Arc<SourceFile>, resolve: check::Resolver<'_>) -> Result<Policy, Vec<Diagnostic>> {
        match compile_source_with(file, resolve) {
            (Some(program), diags) => Ok(Policy { program, warnings: diags }),
            (None, diags) => Err(diags),
        }
    }

    /// Loads a policy from text named `name`.
    pub fn from_text(name: &str, text: &str) -> Result<Policy, Vec<Diagnostic>> {
        Policy::from_source(&SourceFile::new(name, text))
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Warnings found while checking.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Parses and validates facts from a source file.
    pub fn facts(&self, file: &Arc<SourceFile>, format: Format) -> Result<Facts, Vec<Diagnostic>> {
        if format == Format::Json
            && let Some(facts) = facts::from_json_fast(file.text(), &self.program.inputs, self.program.locale.currency)
        {
            return Ok(facts);
        }
        let raw = facts::parse_raw(file, format).map_err(|d| vec![d])?;
        self.facts_from_raw(&raw).map_err(|ds| ds.into_iter().map(|d| d.in_file(file)).collect())
    }

    /// Parses and validates facts from text.
    pub fn facts_from_text(&self, text: &str, format: Format) -> Result<Facts, Vec<Diagnostic>> {
        self.facts(&SourceFile::new("<facts>", text), format)
    }

    /// Validates an already parsed document.
    pub fn facts_from_raw(&self, raw: &facts::Raw) -> Result<Facts, Vec<Diagnostic>> {
        facts::validate(raw, &self.program.inputs, self.program.locale.currency)
    }

    /// Evaluates at `now`.
    pub fn evaluate(&self, facts: &Facts, now: DateTime<Utc>) -> Result<Evaluation, EvalError> {
        eval::evaluate(&self.program, facts, now, false)
    }

    /// Replays a case's events through the policy's workflow and judges its deadlines
    /// at `now`.
    pub fn replay(&self, case: &Case, now: DateTime<Utc>) -> Result<Replay, ReplayError> {
        workflow::replay::replay(&self.program, case, now)
    }

    /// Evaluates at `now` and records why each rule fired or not.
    pub fn explain(&self, facts: &Facts, now: DateTime<Utc>) -> Result<Evaluation, EvalError> {
        eval::evaluate(&self.program, facts, now, true)
    }
}
