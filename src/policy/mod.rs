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
//! assert_eq!(result.decision().as_str(), "approved");
//! ```

mod describe;
mod export;

pub use export::ExportError;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{self, Diagnostic};
use crate::document::{self, Format, Raw};
use crate::eval::{self, EvalError, Evaluation};
use crate::facts::{self, Facts};
use crate::ir::Program;
use crate::source::{ReadError, Resolver, SourceFile, read_source};
use crate::value::Locale;
use crate::workflow::{self, Case, Checkpoint, Replay, ReplayError};
use crate::{check, compile, syntax};

/// Why a policy could not be loaded.
///
/// ```
/// use tenet::{LoadError, Policy};
///
/// let err = Policy::from_text("typo.tenet", "policy p version \"1\"\ninput { a: int }\noutput o = b\n").unwrap_err();
/// let LoadError::Invalid(diagnostics) = &err else { panic!("the text was readable") };
/// let error = diagnostics.iter().find(|d| d.is_error()).expect("an error");
/// assert_eq!(error.code, "unknown-name");
/// assert_eq!(error.position(), Some(((3, 12), (3, 13))), "line 3, the `b`");
/// assert!(err.to_string().contains("unknown name `b`"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The policy file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The policy has errors. Every diagnostic found is here, warnings too, sorted by
    /// position.
    #[error("{}", summary(.0))]
    Invalid(Vec<Diagnostic>),
}

fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let first = diags.iter().find(|d| d.is_error()).map(|d| format!("：{d}")).unwrap_or_default();
    format!("策略有 {errors} 个错误 · the policy has {errors} error(s){first}")
}

impl LoadError {
    /// What to show: the policy's diagnostics, or the reading failure as one.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Read(e) => vec![Diagnostic::from(e)],
            LoadError::Invalid(diags) => diags.clone(),
        }
    }

    /// Only the errors (a broken policy's warnings are rarely worth reading first).
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics().into_iter().filter(Diagnostic::is_error).collect()
    }
}

/// A checked, compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Program,
    warnings: Vec<Diagnostic>,
}

/// Parses, checks and compiles; returns the program when there is no error, and every
/// diagnostic, sorted.
fn compile_source(file: &Arc<SourceFile>, resolve: Resolver<'_>) -> (Option<Program>, Vec<Diagnostic>) {
    let (program, diags, _) = compile_parsed(file, &syntax::parse(file), resolve);
    (program, diags)
}

/// The type the checker gave each const, let, output, table and function, by name.
pub(crate) type NameTypes = std::collections::HashMap<String, String>;

/// [`compile_source`] from a parse already made (the editor's analysis parses once for
/// its index and its diagnostics).
pub(crate) fn compile_parsed(
    file: &Arc<SourceFile>,
    parsed: &syntax::Parsed,
    resolve: Resolver<'_>,
) -> (Option<Program>, Vec<Diagnostic>, NameTypes) {
    let mut diags = parsed.diagnostics.clone();
    if parsed.incomplete {
        diagnostics::sort(&mut diags);
        return (None, diags, NameTypes::new());
    }
    let (checked, check_diags) = check::check(file, &parsed.file, resolve);
    let mut types = NameTypes::new();
    for c in &checked.consts {
        types.insert(c.name.clone(), c.expr.ty.to_string());
    }
    for d in &checked.derived {
        let optional = if d.guard.is_some() || d.expr.missing { "?" } else { "" };
        types.insert(d.name.clone(), format!("{}{optional}", d.ty));
    }
    for t in &checked.tables {
        let params: Vec<String> = t.params.iter().map(|(n, ty)| format!("{n}: {ty}")).collect();
        types.insert(t.name.clone(), format!("({}) -> {}", params.join(", "), t.result));
    }
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
    (program, diags, types)
}

impl Policy {
    /// Reads and loads a policy file; the holiday files it names are read relative to
    /// its folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        Policy::from_source(&read_source(path.as_ref())?)
    }

    /// Loads a policy from a source file; the holiday files it names are read relative
    /// to the file's folder.
    pub fn from_source(file: &Arc<SourceFile>) -> Result<Policy, LoadError> {
        let folder = Path::new(file.name()).parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |name: &str| read_source(&folder.join(name));
        Policy::from_source_with(file, &resolve)
    }

    /// Loads a policy from a source file, reading the files it names through `resolve`.
    pub fn from_source_with(file: &Arc<SourceFile>, resolve: Resolver<'_>) -> Result<Policy, LoadError> {
        match compile_source(file, resolve) {
            (Some(program), warnings) => Ok(Policy { program, warnings }),
            (None, diags) => Err(LoadError::Invalid(diags)),
        }
    }

    /// Loads a policy from text named `name` (holiday files relative to the current
    /// folder).
    pub fn from_text(name: &str, text: &str) -> Result<Policy, LoadError> {
        Policy::from_source(&SourceFile::new(name, text))
    }

    /// The compiled program, for the engine's own tests.
    #[cfg(test)]
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// The policy's machine name (`returns`).
    pub fn name(&self) -> &str {
        &self.program.name
    }

    /// Its title (`标准退货政策`).
    pub fn title(&self) -> Option<&str> {
        self.program.title.as_deref()
    }

    /// Its version.
    pub fn version(&self) -> Option<&str> {
        self.program.version.as_deref()
    }

    /// The policy's source file.
    pub fn source(&self) -> &Arc<SourceFile> {
        &self.program.file
    }

    /// Its zone and currency.
    pub fn locale(&self) -> &Locale {
        &self.program.locale
    }

    /// Warnings found while checking.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Its rules in declaration order: name and stage. [`Evaluation::fired_rules`]
    /// gives positions in this order.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = (&str, Option<&str>)> {
        self.program.rules.iter().map(|r| (&*r.name, r.stage.as_deref()))
    }

    /// True when the policy declares a workflow, so cases can be replayed.
    pub fn has_workflow(&self) -> bool {
        self.program.workflow.is_some()
    }

    /// The stages of its workflow, in declaration order (none without a workflow).
    pub fn workflow_stages(&self) -> impl Iterator<Item = &str> {
        self.program.workflow.iter().flat_map(|w| w.stages.iter().map(|s| &**s))
    }

    /// The events of its workflow, in declaration order (none without a workflow).
    pub fn workflow_events(&self) -> impl Iterator<Item = &str> {
        self.program.workflow.iter().flat_map(|w| w.events.iter().map(|e| &**e))
    }

    /// The roles of its workflow (`roles reviewer, warehouse`), in declaration order.
    pub fn workflow_roles(&self) -> impl Iterator<Item = &str> {
        self.program.workflow.iter().flat_map(|w| w.roles.iter().map(|r| &**r))
    }

    /// Who may post `event` while a case is in `stage`: `None` when the workflow has no
    /// such transition, an empty list when anyone may (no `by`), else the roles named by
    /// `on EVENT by ROLE, …`, in declaration order.
    ///
    /// ```
    /// let policy = tenet::Policy::from_text("p.tenet", "policy p version \"1\"\n\
    ///     workflow w {\n  stages a, b, c\n  initial a\n  final c\n  events go, done\n  roles clerk\n\
    ///       a -> b on go by clerk\n  b -> c on done\n}\n")?;
    /// assert_eq!(policy.event_roles("a", "go"), Some(vec!["clerk"]));
    /// assert_eq!(policy.event_roles("b", "done"), Some(vec![]));
    /// assert_eq!(policy.event_roles("a", "done"), None);
    /// # Ok::<(), tenet::LoadError>(())
    /// ```
    pub fn event_roles(&self, stage: &str, event: &str) -> Option<Vec<&str>> {
        let w = self.program.workflow.as_deref()?;
        let from = w.stages.iter().position(|s| &**s == stage)?;
        let ev = w.events.iter().position(|e| &**e == event)?;
        let t = w.transitions.iter().find(|t| t.from == from && t.event == ev)?;
        Some(t.by.indices().filter_map(|i| w.roles.get(i).map(|r| &**r)).collect())
    }

    /// The input sections an event's data fills in at `stage` (`on receive with
    /// inspection`), or `None` when the event cannot be posted there.
    ///
    /// ```
    /// let policy = tenet::Policy::from_text("p.tenet", "policy p version \"1\"\n\
    ///     input {\n  shipment?: {\n    tracking_no: text\n  }\n}\n\
    ///     workflow w {\n  stages a, b\n  initial a\n  final b\n  events ship\n\
    ///       a -> b on ship with shipment\n}\n")?;
    /// assert_eq!(policy.event_carries("a", "ship"), Some(vec!["shipment"]));
    /// assert_eq!(policy.event_carries("b", "ship"), None);
    /// # Ok::<(), tenet::LoadError>(())
    /// ```
    pub fn event_carries(&self, stage: &str, event: &str) -> Option<Vec<&str>> {
        let w = self.program.workflow.as_deref()?;
        let from = w.stages.iter().position(|s| &**s == stage)?;
        let ev = w.events.iter().position(|e| &**e == event)?;
        let t = w.transitions.iter().find(|t| t.from == from && t.event == ev)?;
        Some(t.carries.iter().map(|c| &**c).collect())
    }

    /// The input schema: the fields facts may carry, their types, which are optional.
    pub fn inputs(&self) -> &crate::lang::RecordType {
        &self.program.inputs
    }

    /// Parses and validates facts from a source file (YAML or JSON).
    pub fn facts(&self, file: &Arc<SourceFile>, format: Format) -> Result<Facts, Vec<Diagnostic>> {
        if format == Format::Json
            && let Some(facts) = facts::from_json_fast(file.text(), &self.program.inputs, self.program.locale.currency)
        {
            return Ok(facts);
        }
        self.facts_parsed(file, format)
    }

    /// Facts through the document parser, whose diagnostics point into `file`.
    fn facts_parsed(&self, file: &Arc<SourceFile>, format: Format) -> Result<Facts, Vec<Diagnostic>> {
        let raw = document::parse_raw(file, format).map_err(|d| vec![d])?;
        self.facts_from_raw(&raw).map_err(|ds| ds.into_iter().map(|d| d.in_file(file)).collect())
    }

    /// Parses and validates facts from text. (Valid JSON is read without indexing its
    /// lines: the source file diagnostics need is made only when something is wrong.)
    pub fn facts_from_text(&self, text: &str, format: Format) -> Result<Facts, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if format == Format::Json
            && let Some(facts) = facts::from_json_fast(text, &self.program.inputs, self.program.locale.currency)
        {
            return Ok(facts);
        }
        self.facts_parsed(&SourceFile::new("<facts>", text), format)
    }

    /// Facts from one JSON document that has no file of its own (a batch line, a request
    /// body): read straight into typed values when valid; otherwise parsed again to say
    /// what is wrong, each problem naming its path.
    pub fn facts_from_json(&self, text: &str) -> Result<Facts, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(facts) = facts::from_json_fast(text, &self.program.inputs, self.program.locale.currency) {
            return Ok(facts);
        }
        let raw: Raw = serde_json::from_str(text).map_err(|e| {
            vec![Diagnostic::error(codes::FACTS_SYNTAX, msg!("不是有效的 JSON：{e}", "not valid JSON: {e}"))]
        })?;
        if let Some(d) = crate::document::inexact_number(text, Format::Json, &raw) {
            return Err(vec![d]);
        }
        self.facts_from_raw(&raw)
    }

    /// Facts as JSON objects typed by the schema (money and decimals as strings,
    /// datetimes in the policy's zone), by top-level input, absent ones left out.
    pub fn facts_to_json(&self, facts: &Facts) -> serde_json::Map<String, serde_json::Value> {
        let locale = &self.program.locale;
        self.program
            .inputs
            .fields
            .iter()
            .zip(facts.roots())
            .filter(|(_, value)| !value.is_missing())
            .map(|(field, value)| (field.name.clone(), crate::value::to_json(value, &field.ty, locale)))
            .collect()
    }

    /// Validates an already parsed document.
    pub fn facts_from_raw(&self, raw: &Raw) -> Result<Facts, Vec<Diagnostic>> {
        facts::validate(raw, &self.program.inputs, self.program.locale.currency)
    }

    /// Evaluates at `now`.
    pub fn evaluate(&self, facts: &Facts, now: DateTime<Utc>) -> Result<Evaluation<'_>, EvalError> {
        eval::evaluate(&self.program, facts, now, false)
    }

    /// Evaluates at `now` and records why each rule fired or not
    /// ([`Evaluation::trace`]).
    ///
    /// ```
    /// use tenet::{Policy, eval::Status};
    ///
    /// let policy = Policy::from_text("t.tenet", r#"
    ///     policy t version "1"
    ///     timezone "Asia/Shanghai"
    ///     currency CNY
    ///     input { days: int, reason: text? }
    ///     rule "太迟" when days > 7 and reason == "no_reason" reject LATE "超过 7 天。"
    /// "#)?;
    /// let facts = policy.facts_from_json(r#"{"days": 9}"#).map_err(|d| d[0].clone())?;
    /// let result = policy.explain(&facts, "2026-11-10T12:00:00+08:00".parse()?)?;
    /// let trace = &result.trace().expect("explained")[0];
    /// // The reason is absent, so the rule can neither fire nor be ruled out.
    /// assert_eq!(trace.status(), Status::NotApplicable);
    /// assert_eq!(trace.missing(), ["reason"]);
    /// let first = trace.conditions().next().expect("a condition");
    /// assert_eq!((first.text(), first.result()), ("days > 7", Some(true)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, facts: &Facts, now: DateTime<Utc>) -> Result<Evaluation<'_>, EvalError> {
        eval::evaluate(&self.program, facts, now, true)
    }

    /// Replays a case's events through the policy's workflow and judges its deadlines
    /// at `now`. A pure function: the same policy, case and `now` always give the same
    /// replay.
    ///
    /// ```
    /// use tenet::{Policy, facts::Format, source::SourceFile, workflow::{Case, Outcome}};
    ///
    /// let policy = Policy::from_text("doc.tenet", r#"
    ///     policy doc version "1"
    ///     timezone "Asia/Shanghai"
    ///     currency CNY
    ///     input { amount: money }
    ///     rule "金额过大" at approved when amount > 1000 reject TOO_LARGE "金额超过 1000。"
    ///     workflow approval {
    ///       stages draft, approved, refused
    ///       initial draft
    ///       final approved, refused
    ///       events approve
    ///       draft -> approved on approve else refused
    ///     }
    /// "#).expect("a valid policy");
    /// let case = Case::parse(&SourceFile::new("case.yaml", r#"
    /// facts: { amount: "1200.00" }
    /// events:
    ///   - { at: "2026-11-02T10:00:00+08:00", event: approve, by: manager }
    /// "#), Format::Yaml).expect("a valid case");
    /// let now = "2026-11-03T00:00:00+08:00".parse().expect("a datetime");
    /// let result = policy.replay(&case, now).expect("replays");
    /// assert_eq!(result.stage(), "refused");
    /// assert_eq!(result.trail()[0].outcome(), Outcome::Refused);
    /// assert_eq!(result.trail()[0].findings()[0].code(), "TOO_LARGE");
    /// ```
    pub fn replay(&self, case: &Case, now: DateTime<Utc>) -> Result<Replay<'_>, ReplayError> {
        workflow::replay(&self.program, case, now)
    }

    /// A record of a file of cases, judged by the one rule `tenet report`, `tenet eval
    /// --batch` and `tenet diff` share: a record with events is replayed at `now` and
    /// decided as [`Policy::replay`] decides; one without events is a request as it
    /// stands, its facts evaluated at their own `now` or `now`.
    pub fn judge_case(&self, case: &Case, now: DateTime<Utc>) -> Result<Judged<'_>, Vec<Diagnostic>> {
        if case.events.is_empty() {
            let facts = self.facts_from_raw(&case.facts)?;
            let at = facts.now().unwrap_or(now);
            let evaluation = self.evaluate(&facts, at).map_err(|e| e.diagnostics().to_vec())?;
            return Ok(Judged::Facts(evaluation));
        }
        let replay = self.replay(case, now).map_err(|e| e.diagnostics())?;
        if replay.evaluation().is_none() {
            return Err(replay.problems().to_vec());
        }
        Ok(Judged::Replayed(Box::new(replay)))
    }

    /// [`Policy::replay`], resuming from `from` — the progress an earlier replay of this
    /// case under this policy returned — when `case` continues it (the same starting
    /// facts, those events first, none after `now`); otherwise from the start. The result
    /// is the same either way. Also returns the progress after every event, to resume
    /// from next time (`None` when an event lies after `now`).
    pub fn replay_resuming(
        &self,
        case: &Case,
        now: DateTime<Utc>,
        from: Option<&Checkpoint>,
    ) -> Result<(Replay<'_>, Option<Checkpoint>), ReplayError> {
        workflow::replay_from(&self.program, case, now, from)
    }

    /// The compiled policy as documents see it: a documented, stable JSON shape of its
    /// consts, tables, calendars, credit and flag rules with their contract terms, and
    /// ledger caps (see the README, "Agreement documents").
    pub fn describe(&self) -> serde_json::Value {
        describe::view(&self.program)
    }
}

/// A record of a file of cases, judged ([`Policy::judge_case`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Judged<'p> {
    /// A request without events: its facts, evaluated.
    Facts(Evaluation<'p>),
    /// A case with events: its replay (which has an evaluation).
    Replayed(Box<Replay<'p>>),
}

impl<'p> Judged<'p> {
    /// What was decided.
    pub fn evaluation(&self) -> Option<&Evaluation<'p>> {
        match self {
            Judged::Facts(e) => Some(e),
            Judged::Replayed(r) => r.evaluation(),
        }
    }

    /// The replay, for a case with events.
    pub fn replay(&self) -> Option<&Replay<'p>> {
        match self {
            Judged::Facts(_) => None,
            Judged::Replayed(r) => Some(r),
        }
    }
}
