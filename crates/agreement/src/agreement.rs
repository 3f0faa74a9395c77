//! The agreement data file: validated against its schema, with the SLA policy and the
//! signing workflow it depends on loaded and its status judged.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use super::{Blame, DocLang, RenderError};
use tenet::diagnostics::suggest;
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::facts::Format;
use tenet::source::SourceFile;
use tenet::{Policy, msg};

/// The schema and the data checks, built in: the copy of `rules/agreement.tenet` the
/// data is read with until the file beside the SLA policy is found (which then wins).
const SCHEMA: &str = include_str!("../../../rules/agreement.tenet");

/// The stage from which an agreement is signed: before it, documents are drafts.
const SIGNED: &str = "signed";

/// A validated agreement with the policies it names.
#[derive(Debug)]
pub struct Agreement {
    /// The data as validated (money as strings, dates `YYYY-MM-DD`, durations ISO 8601).
    pub data: Json,
    /// The data's `language`.
    pub language: Option<DocLang>,
    /// Its stage in the signing workflow.
    pub status: String,
    /// Before `signed`: the document carries a draft mark.
    pub draft: bool,
    /// The SLA policy clause 4 is rendered from.
    pub sla: Policy,
    /// The data checks' warnings.
    pub warnings: Vec<Diagnostic>,
}

fn problem(data: &Arc<SourceFile>, path: &str, message: Msg, help: Msg) -> Diagnostic {
    Diagnostic::error("invalid-agreement", message).at_path(path).help(help).in_file(data)
}

fn load_policy(path: &Path) -> Result<Policy, Vec<Diagnostic>> {
    Policy::load(path).map_err(|e| e.errors())
}

/// Reads and validates an agreement data file and the policies it names.
pub fn load(data: &Arc<SourceFile>) -> Result<Agreement, RenderError> {
    let fail = |blame, diagnostics| RenderError { blame, diagnostics };
    let schema = Policy::from_text("agreement.tenet", SCHEMA).map_err(|e| fail(Blame::Policy, e.diagnostics()))?;
    let facts = schema.facts(data, Format::from_path(data.name())).map_err(|d| fail(Blame::Data, d))?;
    let map = schema.facts_to_json(&facts);
    let text = |key: &str| map.get(key).and_then(Json::as_str).unwrap_or_default().to_owned();
    let sla_name = text("sla");
    let sla_path = tenet::source::locate(Path::new(data.name()), &sla_name).map_err(|e| {
        let help = match &e {
            tenet::source::LocateError::NotFound { .. } => Msg::new(
                "路径相对于协议数据文件所在的目录（或其上级目录，直到项目根目录），例如 rules/support_sla.tenet",
                "the path is relative to the agreement file's folder (or a folder above it, up to the project root), e.g. rules/support_sla.tenet",
            ),
            tenet::source::LocateError::Outside { .. } => Msg::new(
                "数据文件只能引用项目目录内的文件；把策略放进项目里，写相对路径",
                "a data file may name only files inside the project: put the policy there and write a relative path",
            ),
        };
        fail(Blame::Data, vec![problem(data, "sla", e.message(), help)])
    })?;
    let sla = load_policy(&sla_path).map_err(|d| fail(Blame::Policy, d))?;
    // The data checks: rules/agreement.tenet beside the SLA policy, else the built-in copy.
    let checks_path = sla_path.with_file_name("agreement.tenet");
    let checks =
        if checks_path.is_file() { load_policy(&checks_path).map_err(|d| fail(Blame::Policy, d))? } else { schema };
    let facts = checks.facts(data, Format::from_path(data.name())).map_err(|d| fail(Blame::Data, d))?;
    let warnings = check(&checks, &facts, data).map_err(|d| fail(Blame::Data, d))?;
    // The signing workflow lives beside the SLA policy (rules/signing.tenet).
    let signing_path = sla_path.with_file_name("signing.tenet");
    let signing = load_policy(&signing_path).map_err(|d| fail(Blame::Policy, d))?;
    let stages: Vec<String> = signing.workflow_stages().map(str::to_owned).collect();
    let status = text("status");
    let Some(position) = stages.iter().position(|s| *s == status) else {
        let all = stages.join(", ");
        let help = match suggest::closest(&status, stages.iter().map(String::as_str)) {
            Some(near) => {
                msg!("是不是 `{near}`？签订流程的阶段：{all}", "did you mean `{near}`? The signing stages: {all}")
            }
            None => msg!("签订流程的阶段：{all}", "the signing stages: {all}"),
        };
        return Err(fail(
            Blame::Data,
            vec![problem(
                data,
                "status",
                msg!("`{status}` 不是签订流程的阶段", "`{status}` is not a stage of the signing workflow"),
                help,
            )],
        ));
    };
    let draft = stages.iter().position(|s| s == SIGNED).is_some_and(|signed| position < signed);
    let language = match map.get("language").and_then(Json::as_str) {
        Some("en") => Some(DocLang::En),
        Some(_) => Some(DocLang::Zh),
        None => None,
    };
    Ok(Agreement { data: Json::Object(map), language, status, draft, sla, warnings })
}

/// Runs the data checks: `reject` rules are errors, `flag` rules warnings, each at the
/// data path its rule is named after (up to a `:`).
fn check(
    checks: &Policy,
    facts: &tenet::facts::Facts,
    data: &Arc<SourceFile>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    // No check reads the clock; an instant is still needed to evaluate.
    let now = chrono::DateTime::UNIX_EPOCH;
    let evaluation = checks.evaluate(facts, now).map_err(|e| e.diagnostics().to_vec())?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for f in evaluation.findings() {
        let message = Msg::new(f.message().unwrap_or(f.code()), f.message_en().unwrap_or(f.code()));
        let path = f.rule().map(|r| r.split(':').next().unwrap_or(r).trim().to_owned()).unwrap_or_default();
        let help = Msg::new(
            format!("{}（rules/agreement.tenet 的检查）", f.code()),
            format!("{} (a check of rules/agreement.tenet)", f.code()),
        );
        match f.kind() {
            tenet::eval::Kind::Reject | tenet::eval::Kind::Require => {
                errors.push(Diagnostic::error("agreement-check", message).at_path(path).help(help).in_file(data));
            }
            tenet::eval::Kind::Flag => {
                warnings.push(Diagnostic::warning("agreement-check", message).at_path(path).help(help).in_file(data));
            }
            _ => {}
        }
    }
    if errors.is_empty() { Ok(warnings) } else { Err(errors) }
}

impl Agreement {
    /// `--final`: signed or later, and every field that may wait until signing present.
    pub fn check_final(&self, data: &Arc<SourceFile>) -> Result<(), Vec<Diagnostic>> {
        let mut problems = Vec::new();
        if self.draft {
            let status = &self.status;
            problems.push(problem(
                data,
                "status",
                msg!(
                    "协议状态是 `{status}`，尚未签署，不能生成正式文本",
                    "the status is `{status}`: the agreement is not signed, so no final copy"
                ),
                Msg::new(
                    "签署后把 status 改为 signed（或 performing），或去掉 --final 生成草案",
                    "after signing set status to signed (or performing), or leave out --final for a draft",
                ),
            ));
        }
        // A final copy is what is signed: every warning must be settled first.
        for w in &self.warnings {
            let mut e = w.clone();
            e.severity = tenet::diagnostics::Severity::Error;
            problems.push(e);
        }
        if self.data.pointer("/signing/date").is_none() {
            problems.push(problem(
                data,
                "signing.date",
                Msg::new("正式文本需要签署日期", "a final copy needs the signing date"),
                Msg::new("填写 signing.date，例如 2026-01-01", "fill in signing.date, e.g. 2026-01-01"),
            ));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}
