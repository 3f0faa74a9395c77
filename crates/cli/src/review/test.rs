//! `tenet test`: case files run against their policies, with a readable difference for
//! every expectation that does not hold, and which rules the cases fire.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::corpus::{self, Policies};
use crate::review::test_case::{Mismatch, TestCase, is_event_history, mismatches};
use crate::review::test_history::{self, HistoryExpect};
use tenet::diagnostics::msg;
use tenet::diagnostics::{Lang, Msg};
use tenet::facts::Format;
use tenet::workflow::Case;

/// How one case came out.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Every expectation holds.
    Passed,
    /// These expectations do not.
    Failed(Vec<Mismatch>),
    /// The case could not be run (unreadable, no policy, invalid facts…).
    Broken(Msg),
    /// Not a test: an event history without `expect` (`--update` writes one).
    Skipped(Msg),
    /// `--update` wrote the history's expectation; the lines that changed, `-` old and
    /// `+` new (empty when it already held).
    Updated(Vec<String>),
}

/// One case's result.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case file.
    pub path: PathBuf,
    /// Its `name`.
    pub name: Option<String>,
    /// Its policy file, when one was found.
    pub policy: Option<PathBuf>,
    /// How it came out.
    pub outcome: Outcome,
}

/// How often each rule of one policy fired across the cases.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// The policy file.
    pub policy: PathBuf,
    /// Per rule in declaration order: name, stage, number of cases it fired in.
    pub rules: Vec<(Arc<str>, Option<Arc<str>>, usize)>,
}

impl Coverage {
    /// The share of rules fired by at least one case, in percent.
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            return 100.0;
        }
        let fired = self.rules.iter().filter(|r| r.2 > 0).count();
        #[expect(clippy::cast_precision_loss, reason = "rule counts are far below 2^52")]
        let share = fired as f64 * 100.0 / self.rules.len() as f64;
        share
    }
}

/// A whole run.
#[derive(Clone, Debug, Default)]
pub struct TestRun {
    /// One per case file, sorted by path.
    pub results: Vec<CaseResult>,
    /// One per policy the cases use, sorted by path.
    pub coverage: Vec<Coverage>,
}

impl TestRun {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.outcome == Outcome::Passed).count()
    }

    /// Cases that failed or could not run.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Broken(_))).count()
    }

    /// Event histories without an expectation.
    pub fn skipped(&self) -> usize {
        self.results.iter().filter(|r| matches!(r.outcome, Outcome::Skipped(_))).count()
    }

    /// Expectations `--update` changed.
    pub fn updated(&self) -> usize {
        self.results.iter().filter(|r| matches!(&r.outcome, Outcome::Updated(c) if !c.is_empty())).count()
    }
}

/// Runs every case file under `paths`; with `update`, writes each event history's
/// `expect:` from its replay instead of comparing.
pub fn run(paths: &[PathBuf], update: bool) -> std::io::Result<TestRun> {
    let files = corpus::case_files(paths)?;
    let mut policies = Policies::default();
    let mut fired: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    let mut results = Vec::new();
    for path in files {
        let mut result = CaseResult { path: path.clone(), name: None, policy: None, outcome: Outcome::Passed };
        result.outcome = match one(&path, &mut policies, &mut result, &mut fired, update) {
            Ok(outcome) => outcome,
            Err(why) => Outcome::Broken(why),
        };
        results.push(result);
    }
    let coverage = policies
        .all()
        .filter_map(|(path, p)| {
            let policy = p.as_ref().ok()?;
            let counts = fired.get(path).cloned().unwrap_or_else(|| vec![0; policy.rules().len()]);
            let rules = policy
                .rules()
                .zip(counts)
                .map(|((name, stage), n)| (Arc::from(name), stage.map(Arc::from), n))
                .collect();
            Some(Coverage { policy: path.clone(), rules })
        })
        .collect();
    Ok(TestRun { results, coverage })
}

/// The policy a case runs against (its `policy:`, else the folder convention), loaded
/// once; a policy with errors is the case's failure.
fn policy_of<'p>(
    path: &std::path::Path,
    named: Option<&str>,
    policies: &'p mut Policies,
    result: &mut CaseResult,
) -> Result<(PathBuf, &'p tenet::Policy), Msg> {
    let policy_path = corpus::policy_for(path, named)?;
    result.policy = Some(policy_path.clone());
    match policies.get(&policy_path) {
        Ok(p) => Ok((policy_path, p)),
        Err(ds) => {
            let first = ds.first().map(|d| d.message.get(Lang::Both)).unwrap_or_default();
            let shown = policy_path.display();
            Err(msg!("策略 {shown} 有错误：{first}", "the policy {shown} has errors: {first}"))
        }
    }
}

fn one(
    path: &std::path::Path,
    policies: &mut Policies,
    result: &mut CaseResult,
    fired: &mut BTreeMap<PathBuf, Vec<usize>>,
    update: bool,
) -> Result<Outcome, Msg> {
    let text = std::fs::read_to_string(path).map_err(|e| msg!("无法读取：{e}", "cannot read it: {e}"))?;
    if is_event_history(&text) {
        return history(path, &text, policies, result, fired, update);
    }
    let case = TestCase::from_yaml(&text).map_err(|e| msg!("不是有效的案例文件：{e}", "not a valid case file: {e}"))?;
    result.name.clone_from(&case.name);
    let (policy_path, policy) = policy_of(path, case.policy.as_deref(), policies, result)?;
    let facts = policy.facts_from_raw(&case.facts).map_err(|ds| {
        let lines: Vec<String> =
            ds.iter().map(|d| format!("{}: {}", d.path.as_deref().unwrap_or(""), d.message.get(Lang::En))).collect();
        let joined = lines.join("; ");
        msg!("事实无效：{joined}", "invalid facts: {joined}")
    })?;
    let now = facts.now().ok_or_else(|| {
        Msg::new("案例的事实没有 `now`：测试须可重现", "the case's facts have no `now`: tests must be reproducible")
    })?;
    let eval = policy.evaluate(&facts, now).map_err(|e| {
        let first = e.diagnostics().first().map(|d| d.message.get(Lang::En)).unwrap_or_default();
        msg!("评估失败：{first}", "evaluation failed: {first}")
    })?;
    let counts = fired.entry(policy_path).or_insert_with(|| vec![0; policy.rules().len()]);
    for r in eval.fired_rules() {
        if let Some(c) = counts.get_mut(r) {
            *c += 1;
        }
    }
    let found = mismatches(&eval, &case.expect);
    Ok(if found.is_empty() { Outcome::Passed } else { Outcome::Failed(found) })
}

/// One event history: replayed at its `now`, compared with its `expect:` (or, with
/// `update`, the expectation written from the replay).
fn history(
    path: &std::path::Path,
    text: &str,
    policies: &mut Policies,
    result: &mut CaseResult,
    fired: &mut BTreeMap<PathBuf, Vec<usize>>,
    update: bool,
) -> Result<Outcome, Msg> {
    let format = if path.extension().is_some_and(|e| e == "json") { Format::Json } else { Format::Yaml };
    let file = tenet::source::SourceFile::new(path.display().to_string(), text);
    let case = Case::parse(&file, format).map_err(|ds| {
        let lines: Vec<String> =
            ds.iter().map(|d| format!("{}: {}", d.path.as_deref().unwrap_or(""), d.message.get(Lang::En))).collect();
        let joined = lines.join("; ");
        msg!("不是有效的案例文件：{joined}", "not a valid case file: {joined}")
    })?;
    result.name.clone_from(&case.name);
    let (policy_path, policy) = policy_of(path, case.policy.as_deref(), policies, result)?;
    let now = case.now.ok_or_else(|| {
        Msg::new("事件历史没有 `now`：测试须可重现", "the history has no `now`: tests must be reproducible")
    })?;
    let replay = policy.replay(&case, now).map_err(|e| {
        let first = e.diagnostics().first().map(|d| d.message.get(Lang::En)).unwrap_or_default();
        msg!("无法回放：{first}", "cannot replay it: {first}")
    })?;
    // Coverage: the rules that refused an event, and those the case's decision fired.
    let counts = fired.entry(policy_path).or_insert_with(|| vec![0; policy.rules().len()]);
    let mut hit = vec![false; counts.len()];
    for step in replay.trail() {
        for f in step.findings() {
            if let Some(h) = policy.rules().position(|(name, _)| name == f.rule()).and_then(|i| hit.get_mut(i)) {
                *h = true;
            }
        }
    }
    if let Some(e) = replay.evaluation() {
        for i in e.fired_rules() {
            if let Some(h) = hit.get_mut(i) {
                *h = true;
            }
        }
    }
    for (c, h) in counts.iter_mut().zip(hit) {
        *c += usize::from(h);
    }
    let view = replay.to_json(case.id.as_deref(), case.name.as_deref(), None);
    if update {
        let block = test_history::expectation(&replay, &view);
        let new = test_history::with_expectation(text, &block);
        if new == text {
            return Ok(Outcome::Updated(Vec::new()));
        }
        crate::files::write_atomically(path, |w| w.write_all(new.as_bytes()))
            .map_err(|e| msg!("无法写入：{e}", "cannot write it: {e}"))?;
        let old: Vec<&str> = text.lines().collect();
        let changed: Vec<String> = old
            .iter()
            .filter(|l| !new.lines().any(|n| n == **l))
            .map(|l| format!("- {l}"))
            .chain(new.lines().filter(|n| !old.contains(n)).map(|l| format!("+ {l}")))
            .collect();
        return Ok(Outcome::Updated(changed));
    }
    let Some(expect) = &case.expect else {
        return Ok(Outcome::Skipped(Msg::new(
            "事件历史没有 `expect:`；用 `tenet test --update` 写出回放的结果，审阅后提交",
            "an event history without `expect:`; `tenet test --update` writes what the replay gives, to review and commit",
        )));
    };
    let expect: HistoryExpect =
        serde_json::from_value(expect.to_json()).map_err(|e| msg!("`expect` 无效：{e}", "`expect` is invalid: {e}"))?;
    let found = test_history::mismatches(&replay, &view, &expect);
    Ok(if found.is_empty() { Outcome::Passed } else { Outcome::Failed(found) })
}
