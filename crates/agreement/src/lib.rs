//! Agreement documents: the ten-clause technical support agreement rendered from its
//! data file, the templates in `templates/` and the compiled SLA policy, so that the
//! contract's clause 4 and the engine's numbers cannot disagree.
//!
//! Pipeline: data file → validated against the agreement schema (`agreement.tenet`) →
//! SLA policy and signing workflow loaded → context (data, policy view, draft mark) →
//! Markdown from the templates → for HTML, the Markdown as an HTML page.

mod agreement;
mod aliases;
pub mod context;
mod credit_code;
mod docx;
pub mod filters;
mod history;
pub mod numerals;
pub mod pdf;

mod templates;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use agreement::{Agreement, load};
pub use templates::{TEMPLATES, Templates};

use tenet::diagnostics::codes::Explanation;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::source::SourceFile;

/// The document's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocLang {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl DocLang {
    /// `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            DocLang::Zh => "zh",
            DocLang::En => "en",
        }
    }
}

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DocFormat {
    /// Markdown.
    #[default]
    Markdown,
    /// A complete, printable HTML page.
    Html,
    /// A Word document (`.docx`) with real headings, numbered items and tables.
    Docx,
    /// A PDF printed from the HTML page by headless Chromium.
    Pdf,
}

impl DocFormat {
    /// Its output is bytes, not text.
    pub fn is_binary(self) -> bool {
        matches!(self, DocFormat::Docx | DocFormat::Pdf)
    }
}

/// What to render.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The language; the data file's `language` (else Chinese) when absent.
    pub lang: Option<DocLang>,
    /// The format.
    pub format: DocFormat,
    /// Refuse unless the agreement is signed and complete.
    pub final_copy: bool,
    /// A folder whose `*.j2` files replace the bundled templates of the same name.
    pub templates: Option<PathBuf>,
    /// The signing history (a case of `rules/signing.tenet`): the status, signing date and
    /// signatories come from its replay.
    pub case: Option<PathBuf>,
    /// The instant the history is replayed at when the case gives none.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// A rendered document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The text: the document itself in Markdown and HTML; the Markdown a Word document
    /// was made from; the HTML page a PDF was printed from.
    pub text: String,
    /// The file's bytes in the format asked for.
    pub bytes: Vec<u8>,
    /// The language it is in.
    pub lang: DocLang,
    /// It carries the draft mark.
    pub draft: bool,
    /// The data checks' warnings (`flag` rules of `rules/agreement.tenet`).
    pub warnings: Vec<Diagnostic>,
}

/// The codes of this crate's diagnostics, with what they mean (`tenet explain` prints
/// them beside the engine's).
pub const CODES: &[Explanation] = &[
    Explanation {
        code: "invalid-agreement",
        severity: "error",
        zh: "协议数据不完整或有误：缺少字段、阶段不对，或 `--final` 时仍是草稿。",
        en: "The agreement data is incomplete or wrong: a missing field, an unknown stage, or a draft given `--final`.",
        example: None,
    },
    Explanation {
        code: "agreement-check",
        severity: "error or warning",
        zh: "协议数据不合理：rules/agreement.tenet 的 reject 规则是错误（不能生成），flag 规则是提醒（草案显示，--final 拒绝）。",
        en: "The agreement data does not make sense: a reject rule of rules/agreement.tenet is an error (nothing renders), a flag rule a warning (drafts show it, --final refuses it).",
        example: None,
    },
    Explanation {
        code: "sla-interface",
        severity: "error",
        zh: "协议数据所指的服务水平策略缺少第四条需要的表、输出或常量（见 templates/CONTEXT.md 的 sla 一节）。",
        en: "The SLA policy the agreement names lacks a table, output or const clause 4 reads (the sla section of templates/CONTEXT.md).",
        example: None,
    },
    Explanation {
        code: "pdf",
        severity: "error",
        zh: "无法打印 PDF：没有找到 Chromium（请安装它，或用 TENET_CHROMIUM 指明），或打印失败、超时。",
        en: "The PDF could not be printed: Chromium was not found (install it, or name it in TENET_CHROMIUM), or printing failed or timed out.",
        example: None,
    },
    Explanation {
        code: "docx",
        severity: "error",
        zh: "无法生成 Word 文档。",
        en: "The Word document could not be written.",
        example: None,
    },
    Explanation {
        code: "template",
        severity: "error",
        zh: "协议模板无法渲染：语法错误、未定义的值或超出计算上限。",
        en: "An agreement template cannot be rendered: a syntax error, an undefined value, or its fuel ran out.",
        example: None,
    },
];

/// Where a problem lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blame {
    /// The agreement data (or `--final` refused it).
    Data,
    /// A policy it names.
    Policy,
    /// A template.
    Template,
    /// The output format could not be written (no browser for PDF).
    Output,
}

/// Why a document was not rendered.
#[derive(Debug, thiserror::Error)]
#[error("协议未能生成 · the agreement was not rendered{}", first(.diagnostics))]
pub struct RenderError {
    /// Where the problem lies.
    pub blame: Blame,
    /// What is wrong, each naming its path, file and line.
    pub diagnostics: Vec<Diagnostic>,
}

fn first(diags: &[Diagnostic]) -> String {
    diags.iter().find(|d| d.is_error()).map(|d| format!(": {d}")).unwrap_or_default()
}

/// Renders the agreement in `data` (YAML or JSON).
pub fn render(data: &Arc<SourceFile>, options: Options) -> Result<Document, RenderError> {
    let agreement = agreement::load(data, options.case.as_deref(), options.now)?;
    if options.final_copy {
        agreement.check_final(data).map_err(|diagnostics| RenderError { blame: Blame::Data, diagnostics })?;
    }
    let lang = options.lang.or(agreement.language).unwrap_or(DocLang::Zh);
    let set = match &options.templates {
        Some(dir) => {
            Templates::with_overrides(dir).map_err(|d| RenderError { blame: Blame::Template, diagnostics: vec![d] })?
        }
        None => Templates::bundled(),
    };
    let template_failed =
        |e: &minijinja::Error| RenderError { blame: Blame::Template, diagnostics: vec![template_error(e, &set)] };
    let env = templates::environment(options.format, &set).map_err(|e| template_failed(&e))?;
    let problems = templates::check(&env, &set, &agreement.schema, &agreement.sla_view);
    if !problems.is_empty() {
        return Err(RenderError { blame: Blame::Template, diagnostics: problems });
    }
    // Word is made from the Markdown, PDF printed from the HTML page.
    let base = match options.format {
        DocFormat::Docx => DocFormat::Markdown,
        DocFormat::Pdf => DocFormat::Html,
        text => text,
    };
    let text = templates::render(&env, &agreement, lang, base).map_err(|e| template_failed(&e))?;
    let output = |d: Diagnostic| RenderError { blame: Blame::Output, diagnostics: vec![d] };
    let bytes = match options.format {
        DocFormat::Docx => {
            let title = agreement.title(lang);
            let signed_on = agreement.signed.get("date").and_then(serde_json::Value::as_str);
            docx::write(&text, lang, agreement.draft, &title, signed_on)
                .map_err(|e| output(Diagnostic::error("docx", msg!("{e}", "{e}"))))?
        }
        DocFormat::Pdf => pdf::print(&text).map_err(output)?,
        DocFormat::Markdown | DocFormat::Html => text.clone().into_bytes(),
    };
    Ok(Document { text, bytes, lang, draft: agreement.draft, warnings: agreement.warnings })
}

/// The render context's reference (`templates/CONTEXT.md`), from the bundled schema.
pub fn context_reference() -> Result<String, RenderError> {
    let schema =
        agreement::bundled_schema().map_err(|diagnostics| RenderError { blame: Blame::Policy, diagnostics })?;
    Ok(context::reference(schema.inputs(), filters::FILTERS))
}

/// The bundled templates and the context reference, as files to write under a folder:
/// (relative path, text).
pub fn template_files() -> Result<Vec<(PathBuf, String)>, RenderError> {
    let mut files: Vec<(PathBuf, String)> =
        TEMPLATES.iter().map(|(name, text)| (Path::new(name).to_owned(), (*text).to_owned())).collect();
    files.push((PathBuf::from("CONTEXT.md"), context_reference()?));
    Ok(files)
}

/// A template error as a diagnostic: the template file, the line, what went wrong.
fn template_error(e: &minijinja::Error, set: &Templates) -> Diagnostic {
    let name = set.shown(e.name().unwrap_or("?"));
    let line = e.line().unwrap_or(0);
    let detail = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
    let mut message = msg!("模板 {name} 第 {line} 行：{detail}", "template {name}, line {line}: {detail}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.zh.push_str(&format!("（{cause}）"));
        message.en.push_str(&format!(" ({cause})"));
        source = cause.source();
    }
    Diagnostic::error("template", message).help(Msg::new(
        "模板使用了协议数据中没有的值，或写法有误；检查这一行和协议数据",
        "the template uses a value the agreement data does not have, or is written wrongly; check that line and the data",
    ))
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::*;

    fn run(lang: &str, source: &str) -> Result<String, minijinja::Error> {
        let mut env = templates::environment(DocFormat::Markdown, &Templates::default())?;
        env.add_template_owned("test.md.j2", source.to_owned())?;
        env.get_template("test.md.j2")?.render(context! { lang => lang })
    }

    #[test]
    fn filters_speak_the_document_language() {
        let zh = run(
            "zh",
            r#"{{ "50000.00"|money }}|{{ "2026-01-01"|longdate }}|{{ 4|clause }}|{{ "PT30M"|words }}|{{ "PT2H"|words("business") }}|{{ ["monday", "tuesday", "friday"]|weekdays }}|{{ 12|cn }}"#,
        );
        assert_eq!(
            zh.expect("renders"),
            "人民币伍万元整（¥50,000.00）|2026年1月1日|第四条|30 分钟|2 个工作小时|周一至周五|十二"
        );
        let en = run(
            "en",
            r#"{{ "50000.00"|money }}|{{ "2026-01-01"|longdate }}|{{ 4|clause }}|{{ "PT30M"|words }}|{{ "PT1H"|words("business") }}|{{ ["saturday"]|weekdays }}"#,
        );
        assert_eq!(en.expect("renders"), "CNY 50,000.00|1 January 2026|Article 4|30 minutes|1 business hour|Saturday");
        let exact = run("zh", r#"{{ "1001.01"|capital }}|{{ "0.05"|thousands }}|{{ "50000.00"|times(12) }}"#);
        assert_eq!(exact.expect("renders"), "人民币壹仟零壹元零壹分|0.05|600000.00");
    }

    #[test]
    fn a_template_error_names_the_file_and_line() {
        let e = run("zh", "第一行\n{{ agreement.missing }}\n").expect_err("strict undefined");
        let d = template_error(&e, &Templates::default());
        let text = d.message.en.clone();
        assert!(text.contains("templates/test.md.j2, line 2"), "{text}");
    }

    #[test]
    fn fuel_stops_a_runaway_template() {
        let e = run("zh", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
            .expect_err("out of fuel");
        assert_eq!(e.kind(), minijinja::ErrorKind::OutOfFuel);
    }

    #[test]
    fn bad_filter_input_is_an_error_not_a_panic() {
        assert!(run("zh", r#"{{ "lots"|money }}"#).is_err());
        assert!(run("zh", r#"{{ "1e30"|capital }}"#).is_err());
        assert!(run("zh", r#"{{ "2026-13-01"|longdate }}"#).is_err());
        assert!(run("zh", r#"{{ ["someday"]|weekdays }}"#).is_err());
    }
}
