//! Agreement documents: the ten-clause technical support agreement rendered from its
//! data file, the templates in `templates/` and the compiled SLA policy, so that the
//! contract's clause 4 and the engine's numbers cannot disagree.
//!
//! Pipeline: data file → validated against the agreement schema (`agreement.tenet`) →
//! SLA policy and signing workflow loaded → context (data, policy view, draft mark) →
//! Markdown from the templates → for HTML, the Markdown as an HTML page.

mod agreement;
pub mod filters;
pub mod numerals;
pub mod policy_view;
mod templates;

use std::sync::Arc;

pub use agreement::{Agreement, load};

use crate::diagnostics::{Diagnostic, Msg};
use crate::msg;
use crate::source::SourceFile;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    /// Markdown.
    Markdown,
    /// A complete, printable HTML page.
    Html,
}

/// What to render.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The language; the data file's `language` (else Chinese) when absent.
    pub lang: Option<DocLang>,
    /// The format.
    pub format: DocFormat,
    /// Refuse unless the agreement is signed and complete.
    pub final_copy: bool,
}

/// A rendered document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The text.
    pub text: String,
    /// The language it is in.
    pub lang: DocLang,
    /// It carries the draft mark.
    pub draft: bool,
}

/// Where a problem lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The agreement data (or `--final` refused it).
    Data,
    /// A policy it names.
    Policy,
    /// A template.
    Template,
}

/// Why a document was not rendered.
#[derive(Debug)]
pub struct RenderError {
    /// Where the problem lies.
    pub fault: Fault,
    /// What is wrong, each naming its path, file and line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders the agreement in `data` (YAML or JSON).
pub fn render(data: &Arc<SourceFile>, options: Options) -> Result<Document, RenderError> {
    let agreement = agreement::load(data)?;
    if options.final_copy {
        agreement.check_final(data).map_err(|diagnostics| RenderError { fault: Fault::Data, diagnostics })?;
    }
    let lang = options.lang.or(agreement.language).unwrap_or(DocLang::Zh);
    let text = templates::render(&agreement, lang, options.format)
        .map_err(|e| RenderError { fault: Fault::Template, diagnostics: vec![template_error(&e)] })?;
    Ok(Document { text, lang, draft: agreement.draft })
}

/// A template error as a diagnostic: the template file, the line, what went wrong.
fn template_error(e: &minijinja::Error) -> Diagnostic {
    let name = e.name().unwrap_or("?");
    let line = e.line().unwrap_or(0);
    let detail = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
    let mut message =
        msg!("模板 templates/{name} 第 {line} 行：{detail}", "template templates/{name}, line {line}: {detail}");
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
