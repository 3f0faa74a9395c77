//! The agreement data file: validated against its schema, with the SLA policy and the
//! signing workflow it depends on loaded and its status judged.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use super::numerals::{self, Currency};
use super::{Blame, DocLang, RenderError, context, history};
use tenet::Policy;
use tenet::diagnostics::msg;
use tenet::diagnostics::suggest;
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::facts::Format;
use tenet::source::SourceFile;

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
    /// The SLA policy's view (`Policy::describe`), which clause 4 reads.
    pub sla_view: Json,
    /// The data's schema: the input of `rules/agreement.tenet`.
    pub schema: tenet::RecordType,
    /// The signing as the documents show it: `{date, party_a, party_b}`, each present
    /// only once signed.
    pub signed: Json,
    /// The currency of the amounts.
    pub currency: Currency,
    /// The data checks' warnings.
    pub warnings: Vec<Diagnostic>,
    /// Whether the status comes from a `--case` signing history (not from the data).
    pub from_history: bool,
}

/// The bundled schema and checks.
pub fn bundled_schema() -> Result<Policy, Vec<Diagnostic>> {
    Policy::from_text("agreement.tenet", SCHEMA).map_err(|e| e.diagnostics())
}

fn problem(data: &Arc<SourceFile>, path: &str, message: Msg, help: Msg) -> Diagnostic {
    Diagnostic::error("invalid-agreement", message).at_path(path).help(help).in_file(data)
}

fn load_policy(path: &Path) -> Result<Policy, Vec<Diagnostic>> {
    Policy::load(path).map_err(|e| e.errors())
}

/// Reads and validates an agreement data file and the policies it names.
pub fn load(
    data: &Arc<SourceFile>,
    case: Option<&Path>,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Agreement, RenderError> {
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
            // `Outside`, and any reason the engine adds later.
            _ => Msg::new(
                "数据文件只能引用项目目录内的文件；把策略放进项目里，写相对路径",
                "a data file may name only files inside the project: put the policy there and write a relative path",
            ),
        };
        fail(Blame::Data, vec![problem(data, "sla", e.message(), help)])
    })?;
    let sla = load_policy(&sla_path).map_err(|d| fail(Blame::Policy, d))?;
    let sla_view = sla.describe();
    let missing = context::missing_sla_parts(&sla_view);
    if !missing.is_empty() {
        return Err(fail(Blame::Policy, vec![sla_interface(&sla, &missing)]));
    }
    // The data checks: rules/agreement.tenet beside the SLA policy, else the built-in copy.
    let checks_path = sla_path.with_file_name("agreement.tenet");
    let checks =
        if checks_path.is_file() { load_policy(&checks_path).map_err(|d| fail(Blame::Policy, d))? } else { schema };
    let facts = checks.facts(data, Format::from_path(data.name())).map_err(|d| fail(Blame::Data, d))?;
    let codes = credit_codes(&map, data);
    let mut warnings = match check(&checks, &facts, data) {
        Ok(w) if codes.is_empty() => w,
        Ok(_) => return Err(fail(Blame::Data, codes)),
        Err(mut errors) => {
            errors.extend(codes);
            return Err(fail(Blame::Data, errors));
        }
    };
    // The signing workflow lives beside the SLA policy (rules/signing.tenet).
    let signing_path = sla_path.with_file_name("signing.tenet");
    let signing = load_policy(&signing_path).map_err(|d| fail(Blame::Policy, d))?;
    let stages: Vec<String> = signing.workflow_stages().map(str::to_owned).collect();
    let history = case
        .map(|path| history::replay(path, &signing, SIGNED, now, &map))
        .transpose()
        .map_err(|d| fail(Blame::Data, d))?;
    // The history's signing date is checked as a date in the data would be (signing
    // after the term starts is flagged).
    if let Some(date) = history.as_ref().and_then(|h| h.date.as_ref())
        && map.get("signing").and_then(|s| s.get("date")).is_none()
    {
        let mut merged = map.clone();
        if let Some(Json::Object(signing)) = merged.get_mut("signing") {
            signing.insert("date".into(), Json::String(date.clone()));
        }
        let facts = checks.facts_from_json(&Json::Object(merged).to_string()).map_err(|d| fail(Blame::Data, d))?;
        warnings = check(&checks, &facts, data).map_err(|d| fail(Blame::Data, d))?;
    }
    let data_status = Some(text("status")).filter(|s| !s.is_empty());
    if let (Some(h), Some(said)) = (&history, &data_status)
        && *said != h.stage
    {
        let stage = &h.stage;
        return Err(fail(
            Blame::Data,
            vec![problem(
                data,
                "status",
                msg!(
                    "数据写的状态是 `{said}`，签订经过却已到 `{stage}`",
                    "the data says the status is `{said}`, but the signing history has reached `{stage}`"
                ),
                Msg::new(
                    "给出签订经过时，状态以它为准：删去数据中的 status",
                    "with a signing history, the status is the history's: remove `status` from the data",
                ),
            )],
        ));
    }
    // Without a stage in the data or a signing history, the document is a draft.
    let status = history.as_ref().map(|h| h.stage.clone()).or(data_status).unwrap_or_else(|| "draft".to_owned());
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
    let currency_code = map.get("fees").and_then(|f| f.get("currency")).and_then(Json::as_str).unwrap_or("CNY");
    let Some(currency) = numerals::currency(currency_code) else {
        let codes: Vec<&str> = numerals::CURRENCIES.iter().map(|c| c.code).collect();
        let codes = codes.join(", ");
        return Err(fail(
            Blame::Data,
            vec![problem(
                data,
                "fees.currency",
                msg!("协议无法用“{currency_code}”书写金额", "amounts cannot be written in \"{currency_code}\""),
                msg!("可用的币种：{codes}", "the currencies the renderer writes: {codes}"),
            )],
        ));
    };
    let signed = match &history {
        Some(h) => signed_from_history(h, &map, draft, data)?,
        None => signed_from_data(&map, draft),
    };
    let schema = checks.inputs().clone();
    let from_history = history.is_some();
    Ok(Agreement {
        data: Json::Object(map),
        language,
        status,
        draft,
        sla_view,
        schema,
        signed,
        currency,
        warnings,
        from_history,
    })
}

/// Each party's 统一社会信用代码, checked with its check character.
fn credit_codes(map: &serde_json::Map<String, Json>, data: &Arc<SourceFile>) -> Vec<Diagnostic> {
    use super::credit_code::{Invalid, check};
    let mut problems = Vec::new();
    for party in ["party_a", "party_b"] {
        let Some(code) = map.get(party).and_then(|p| p.get("credit_code")).and_then(Json::as_str) else { continue };
        let Err(why) = check(code) else { continue };
        let (zh, en) = match why {
            Invalid::Length(n) => (format!("应为 18 位，却有 {n} 位"), format!("it has {n} characters, not 18")),
            Invalid::Character(at, c) => (
                format!("第 {at} 位“{c}”不是代码可用的字符（数字和除 I、O、S、V、Z 以外的大写字母）"),
                format!("character {at}, '{c}', is not one a code uses (digits and capitals other than I, O, S, V, Z)"),
            ),
            Invalid::Check { found, expected } => (
                format!("校验码（第 18 位）应为“{expected}”，却是“{found}”：多半抄错了一位"),
                format!(
                    "the check character (the 18th) should be '{expected}', not '{found}': a character is most likely mistyped"
                ),
            ),
        };
        problems.push(problem(
            data,
            &format!("{party}.credit_code"),
            msg!("统一社会信用代码 {code} 无效：{zh}", "the unified social credit code {code} is not valid: {en}"),
            Msg::new(
                "照营业执照逐位核对（GB 32100-2015）",
                "copy it again from the business licence, character by character (GB 32100-2015)",
            ),
        ));
    }
    problems
}

/// The SLA policy lacks parts clause 4 reads: the policy's problem, naming each part.
fn sla_interface(sla: &Policy, missing: &[&context::SlaPart]) -> Diagnostic {
    let file = sla.source().name().to_owned();
    let list_zh: Vec<String> = missing.iter().map(|p| format!("`{}`（{}）", p.path, p.zh)).collect();
    let list_en: Vec<String> = missing.iter().map(|p| format!("`{}` ({})", p.path, p.en)).collect();
    let (zh, en) = (list_zh.join("；"), list_en.join("; "));
    Diagnostic::error(
        "sla-interface",
        msg!(
            "服务水平策略 {file} 缺少协议第四条需要的内容：{zh}",
            "the SLA policy {file} lacks what the agreement's clause 4 reads: {en}"
        ),
    )
    .help(Msg::new(
        "这是策略的问题，不是协议数据的问题：在策略中补上这些表、输出或常量（要求见 templates/CONTEXT.md 的 `sla` 一节），或让协议数据的 sla 指向完整的策略",
        "this is the policy's problem, not the data's: declare these tables, outputs or consts in the policy (the `sla` section of templates/CONTEXT.md lists them), or point the data's `sla` at a complete policy",
    ))
    .in_file(sla.source())
}

/// The signing as the history gives it (nothing while a draft); a signing date in the
/// data must agree with it.
fn signed_from_history(
    h: &history::Signing,
    map: &serde_json::Map<String, Json>,
    draft: bool,
    data: &Arc<SourceFile>,
) -> Result<Json, RenderError> {
    let said = map.get("signing").and_then(|s| s.get("date")).and_then(Json::as_str);
    if let Some(said) = said
        && Some(said) != h.date.as_deref()
    {
        let history = h.date.as_deref().unwrap_or("（未签署 not signed）");
        return Err(RenderError {
            blame: Blame::Data,
            diagnostics: vec![problem(
                data,
                "signing.date",
                msg!(
                    "数据写的签署日期是 {said}，签订经过却是 {history}",
                    "the data's signing date is {said}, but the signing history's is {history}"
                ),
                Msg::new(
                    "给出签订经过时，签署日期以它为准：删去数据中的 signing.date",
                    "with a signing history, the signing date is the history's: remove signing.date from the data",
                ),
            )],
        });
    }
    let mut signed = serde_json::Map::new();
    if !draft {
        if let Some(date) = &h.date {
            signed.insert("date".into(), Json::String(date.clone()));
        }
        signed.extend(h.signatories.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(Json::Object(signed))
}

/// The signing as the data states it: nothing while a draft.
fn signed_from_data(map: &serde_json::Map<String, Json>, draft: bool) -> Json {
    let mut signed = serde_json::Map::new();
    if !draft {
        if let Some(date) = map.get("signing").and_then(|s| s.get("date")) {
            signed.insert("date".into(), date.clone());
        }
        for party in ["party_a", "party_b"] {
            if let Some(who) = map.get(party).and_then(|p| p.get("signatory")) {
                signed.insert(party.into(), who.clone());
            }
        }
    }
    Json::Object(signed)
}

impl Agreement {
    /// The document's title: its name and number.
    pub fn title(&self, lang: DocLang) -> String {
        let name = match lang {
            DocLang::Zh => "技术支持协议",
            DocLang::En => "Technical Support Agreement",
        };
        let number = self.data.get("number").and_then(Json::as_str).unwrap_or_default();
        format!("{name} {number}")
    }

    /// The context's `currency`.
    pub fn currency_json(&self) -> Json {
        serde_json::json!({"code": self.currency.code, "zh": self.currency.zh, "symbol": self.currency.symbol})
    }
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
    /// The status as the draft mark says it: the signing stage in the document's language.
    pub fn status_label(&self, lang: DocLang) -> String {
        let (zh, en) = match self.status.as_str() {
            "contact" => ("初步接洽", "first contact"),
            "nda" => ("签订保密协议", "NDA"),
            "draft" => ("起草", "drafting"),
            "review" => ("双方审阅", "review by both parties"),
            "legal_review" => ("法律审核", "legal review"),
            "signed" => ("已签署", "signed"),
            "performing" => ("履行中", "in performance"),
            "terminated" => ("已解除", "terminated"),
            other => (other, other),
        };
        match lang {
            DocLang::Zh => zh.to_owned(),
            DocLang::En => en.to_owned(),
        }
    }

    /// `--final`: signed or later, and every field that may wait until signing present.
    pub fn check_final(&self, data: &Arc<SourceFile>) -> Result<(), Vec<Diagnostic>> {
        let mut problems = Vec::new();
        if self.draft {
            let status = &self.status;
            // The help says what this user can do: a history given with --case is behind,
            // a status in the data is not signed yet.
            let help = if self.from_history {
                Msg::new(
                    "签订经过还没有到 signed：先记录签署事件（sign），或去掉 --final 生成草案",
                    "the signing history has not reached `signed`: record the signing (the `sign` event) first, or leave out --final for a draft",
                )
            } else {
                Msg::new(
                    "用 --case 给出签订经过（或在数据中写 status: signed），或去掉 --final 生成草案",
                    "give the signing history with --case (or write status: signed in the data), or leave out --final for a draft",
                )
            };
            problems.push(problem(
                data,
                "status",
                msg!(
                    "协议状态是 `{status}`，尚未签署，不能生成正式文本",
                    "the status is `{status}`: the agreement is not signed, so no final copy"
                ),
                help,
            ));
        }
        // A final copy is what is signed: every warning must be settled first.
        for w in &self.warnings {
            let mut e = w.clone();
            e.severity = tenet::diagnostics::Severity::Error;
            problems.push(e);
        }
        // A history short of `signed` has no signing date: the status problem says it all.
        if self.signed.get("date").is_none() && !(self.from_history && self.draft) {
            problems.push(problem(
                data,
                "signing.date",
                Msg::new("正式文本需要签署日期", "a final copy needs the signing date"),
                Msg::new(
                    "用 --case 给出签订经过，或填写 signing.date，例如 2026-01-01",
                    "give the signing history with --case, or fill in signing.date, e.g. 2026-01-01",
                ),
            ));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}
