//! `tenet diff`: every case evaluated (an event history replayed) under two versions of
//! a policy, and only what changed — decision, codes, ledger totals, outputs — grouped by
//! kind of change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::review::test_case::TestCase;
use tenet::Policy;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Lang, Msg};
use tenet::source::{ReadError, SourceFile};

/// What one version of the policy said about a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `approved`, `needs_info`, `rejected`.
    pub decision: String,
    /// Fired codes, sorted.
    pub codes: Vec<String>,
    /// Ledger totals by name.
    pub ledgers: BTreeMap<String, String>,
    /// Outputs with a value, by name (JSON text for non-strings).
    pub outputs: BTreeMap<String, String>,
}

/// One case whose result differs.
#[derive(Clone, Debug)]
pub struct Change {
    /// The case file.
    pub case: PathBuf,
    /// Its `name`.
    pub name: Option<String>,
    /// Under the old policy (or why it could not be evaluated).
    pub old: Result<Verdict, String>,
    /// Under the new policy.
    pub new: Result<Verdict, String>,
    /// A one-off evaluation from a decision log, rather than a case.
    pub one_off: bool,
}

impl Change {
    /// The group this change belongs to: `approved → rejected (+WINDOW_EXPIRED)`,
    /// `codes: +X −Y`, `amounts`, or `error`.
    pub fn kind(&self) -> String {
        let (Ok(old), Ok(new)) = (&self.old, &self.new) else {
            return "evaluation error".into();
        };
        let added: Vec<&str> = new.codes.iter().filter(|c| !old.codes.contains(c)).map(String::as_str).collect();
        let removed: Vec<&str> = old.codes.iter().filter(|c| !new.codes.contains(c)).map(String::as_str).collect();
        let mut codes: Vec<String> = added.iter().map(|c| format!("+{c}")).collect();
        codes.extend(removed.iter().map(|c| format!("-{c}")));
        let codes = codes.join(" ");
        if old.decision != new.decision {
            let suffix = if codes.is_empty() { String::new() } else { format!(" ({codes})") };
            return format!("{} → {}{suffix}", old.decision, new.decision);
        }
        if !codes.is_empty() {
            return format!("codes {codes}");
        }
        "amounts".into()
    }

    /// `ledger deductions: 49.90 → 39.90`, `output refund_amount: 349.10 → 359.10`.
    pub fn amounts(&self) -> Vec<String> {
        let (Ok(old), Ok(new)) = (&self.old, &self.new) else { return Vec::new() };
        let mut out = Vec::new();
        let mut compare = |what: &str, a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let (x, y) = (a.get(k), b.get(k));
                if x != y {
                    let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "—".into());
                    out.push(format!("{what} {k}: {} → {}", show(x), show(y)));
                }
            }
        };
        compare("ledger", &old.ledgers, &new.ledgers);
        compare("output", &old.outputs, &new.outputs);
        out
    }
}

/// The result of a diff.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    /// Cases (and one-off evaluations) compared.
    pub total: usize,
    /// Of them, one-off evaluations from a decision log.
    pub one_off: usize,
    /// Cases that changed, sorted by path.
    pub changes: Vec<Change>,
    /// Files read that neither version could judge (another policy's cases, files that
    /// are not cases), with why, so a folder that holds none is not "no change".
    pub skipped: Vec<(PathBuf, String)>,
}

impl Diff {
    /// Changes grouped by kind, largest group first (then by name), each with its cases.
    pub fn groups(&self) -> Vec<(String, Vec<&Change>)> {
        let mut groups: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
        for c in &self.changes {
            groups.entry(c.kind()).or_default().push(c);
        }
        let mut out: Vec<(String, Vec<&Change>)> = groups.into_iter().collect();
        out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// Loads a policy from a file, or from git when written `REV:path` and no such file
/// exists (`HEAD:rules/returns.tenet`); holiday files come from the same revision.
pub fn load(spec: &str) -> Result<Policy, Vec<Diagnostic>> {
    if !Path::new(spec).exists()
        && let Some((rev, path)) = spec.split_once(':')
        && !rev.is_empty()
    {
        let text = git_show(rev, path).map_err(|m| vec![Diagnostic::error("git", m)])?;
        let file = SourceFile::new(spec.to_owned(), text);
        let folder = Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |name: &str| -> Result<Arc<SourceFile>, ReadError> {
            let rel = folder.join(name).to_string_lossy().replace('\\', "/");
            git_show(rev, &rel)
                .map(|t| SourceFile::new(format!("{rev}:{rel}"), t))
                .map_err(|m| ReadError::Io { path: format!("{rev}:{rel}"), source: std::io::Error::other(m.en) })
        };
        return Policy::from_source_with(&file, &resolve).map_err(|e| e.errors());
    }
    Policy::load(spec).map_err(|e| e.errors())
}

fn git_show(rev: &str, path: &str) -> Result<String, Msg> {
    let out = std::process::Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| msg!("无法运行 git：{e}", "cannot run git: {e}"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(msg!("git 中没有 {rev}:{path}（{why}）", "git has no {rev}:{path} ({why})"));
    }
    String::from_utf8(out.stdout).map_err(|_| msg!("{rev}:{path} 不是 UTF-8 文本", "{rev}:{path} is not UTF-8 text"))
}

fn verdict(policy: &Policy, case: &TestCase) -> Result<Verdict, String> {
    verdict_at(policy, &case.facts, None)
}

/// The verdict on `facts` at their own `now`, else at `at`.
fn verdict_at(
    policy: &Policy,
    raw: &tenet::facts::Raw,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Verdict, String> {
    let facts = policy.facts_from_raw(raw).map_err(|ds| {
        let lines: Vec<String> =
            ds.iter().map(|d| format!("{}: {}", d.path.as_deref().unwrap_or(""), d.message.get(Lang::En))).collect();
        format!("invalid facts: {}", lines.join("; "))
    })?;
    let now = facts.now().or(at).ok_or("the case's facts have no `now`")?;
    let eval = policy.evaluate(&facts, now).map_err(|e| {
        format!("evaluation failed: {}", e.diagnostics().first().map(|d| d.message.get(Lang::En)).unwrap_or_default())
    })?;
    Ok(verdict_of(&eval))
}

/// What an evaluation says, as a diff compares it.
fn verdict_of(eval: &tenet::eval::Evaluation<'_>) -> Verdict {
    let mut codes: Vec<String> = eval.codes().into_iter().map(str::to_owned).collect();
    codes.sort();
    let ledgers = eval.ledgers().iter().map(|l| (l.name().to_owned(), eval.locale().money(l.total()))).collect();
    let outputs = eval.outputs().map(|o| (o.name().to_owned(), o.text())).collect();
    Verdict { decision: eval.decision().as_str().to_owned(), codes, ledgers, outputs }
}

/// Evaluates every case under `cases` with both policies.
pub fn diff(old: &Policy, new: &Policy, cases: &[PathBuf]) -> std::io::Result<Diff> {
    let files = super::corpus::case_files(cases)?;
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let mut total = 0;
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                skipped.push((path, format!("cannot read: {e}")));
                continue;
            }
        };
        let (name, a, b) = if crate::review::test_case::is_event_history(&text) {
            // A history: replayed under each version, compared by the case's decision.
            let file = SourceFile::new(path.display().to_string(), text);
            let format = if path.extension().is_some_and(|e| e == "json") {
                tenet::facts::Format::Json
            } else {
                tenet::facts::Format::Yaml
            };
            let case = match tenet::workflow::Case::parse(&file, format) {
                Ok(c) => c,
                Err(d) => {
                    let why = d.first().map(|d| d.message.get(Lang::En)).unwrap_or_default();
                    skipped.push((path, format!("not a case: {why}")));
                    continue;
                }
            };
            (case.name.clone(), verdict_of_history(old, &case, case.now), verdict_of_history(new, &case, case.now))
        } else {
            // Other YAML in the folder is not a case.
            let case = match TestCase::from_yaml(&text) {
                Ok(c) => c,
                Err(e) => {
                    skipped.push((path, format!("not a case: {e}")));
                    continue;
                }
            };
            (case.name.clone(), verdict(old, &case), verdict(new, &case))
        };
        // Cases neither version can evaluate belong to another policy (or are broken
        // under both): they say nothing about this change.
        if let (Err(why), Err(_)) = (&a, &b) {
            skipped.push((path, why.clone()));
            continue;
        }
        total += 1;
        if a != b {
            changes.push(Change { case: path, name, old: a, new: b, one_off: false });
        }
    }
    Ok(Diff { total, one_off: 0, changes, skipped })
}

/// What a decision log holds, as `tenet diff --decisions` compares it: a case (its
/// latest state, counted once however many of its events were logged) or a one-off
/// evaluation.
pub struct Subject {
    /// `case R-1`, `decision 0190…` or `line 7`.
    pub label: String,
    /// What is compared.
    pub input: Input,
    /// When it was last decided, for facts without their own `now` and for replays.
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The input of a [`Subject`].
pub enum Input {
    /// A case's history: replayed under each version, compared by the case's decision.
    History(tenet::workflow::Case),
    /// A case known only by its latest facts (a JSON-lines export of the log has no
    /// events): evaluated as they stand.
    CaseFacts(tenet::facts::Raw),
    /// A one-off evaluation's facts.
    Evaluation(tenet::facts::Raw),
}

/// The verdict on a case's history: its decision as the replay gives it (the README's
/// rule for a case), at `at` (else its last event).
fn verdict_of_history(
    policy: &Policy,
    case: &tenet::workflow::Case,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Verdict, String> {
    let now =
        at.or_else(|| case.events.last().map(|e| e.at)).or(case.now).ok_or("the case has no time to judge it at")?;
    let replay = policy.replay(case, now).map_err(|e| {
        let first = e.diagnostics().first().map(|d| match &d.path {
            Some(p) if !p.is_empty() => format!("{p}: {}", d.message.get(Lang::En)),
            _ => d.message.get(Lang::En).to_owned(),
        });
        format!("cannot replay under {}: {}", policy.name(), first.unwrap_or_default())
    })?;
    let eval = replay.evaluation().ok_or_else(|| {
        format!("cannot evaluate: {}", replay.problems().first().map(|d| d.message.get(Lang::En)).unwrap_or_default())
    })?;
    Ok(verdict_of(eval))
}

/// Compares what a decision log holds under both versions: each case once, by its
/// latest decision, and each one-off evaluation apart.
pub fn diff_logged(old: &Policy, new: &Policy, subjects: impl IntoIterator<Item = Subject>) -> Diff {
    let mut diff = Diff::default();
    for s in subjects {
        let judge = |p: &Policy| match &s.input {
            Input::History(case) => verdict_of_history(p, case, s.at),
            Input::CaseFacts(facts) | Input::Evaluation(facts) => verdict_at(p, facts, s.at),
        };
        let (a, b) = (judge(old), judge(new));
        if a.is_err() && b.is_err() {
            continue;
        }
        let one_off = matches!(s.input, Input::Evaluation(_));
        diff.total += 1;
        diff.one_off += usize::from(one_off);
        if a != b {
            diff.changes.push(Change { case: PathBuf::from(s.label), name: None, old: a, new: b, one_off });
        }
    }
    diff
}

impl Diff {
    /// The money a change moves: for each ledger total and money-like output that
    /// changed, the sum of new − old over the changed cases (an absent value counts as
    /// zero) and how many cases it moved in. Sorted by name.
    pub fn money(&self) -> Vec<(String, rust_decimal::Decimal, usize)> {
        let mut sums: BTreeMap<String, (rust_decimal::Decimal, usize)> = BTreeMap::new();
        for c in &self.changes {
            let (Ok(old), Ok(new)) = (&c.old, &c.new) else { continue };
            for (what, a, b) in [("ledger", &old.ledgers, &new.ledgers), ("output", &old.outputs, &new.outputs)] {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys {
                    let num = |m: &BTreeMap<String, String>| m.get(k).map(|v| v.parse::<rust_decimal::Decimal>());
                    let (x, y) = (num(a), num(b));
                    // Only values that are numbers on the side(s) that have them.
                    if matches!(x, Some(Err(_))) || matches!(y, Some(Err(_))) || (x.is_none() && y.is_none()) {
                        continue;
                    }
                    let x = x.and_then(Result::ok).unwrap_or_default();
                    let y = y.and_then(Result::ok).unwrap_or_default();
                    if x != y {
                        let e = sums.entry(format!("{what} {k}")).or_default();
                        e.0 += y - x;
                        e.1 += 1;
                    }
                }
            }
        }
        sums.into_iter().map(|(k, (d, n))| (k, d, n)).collect()
    }
}
