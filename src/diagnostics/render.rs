//! Rendering diagnostics: rustc-style text through miette, or JSON for tools.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::{Diagnostic, Lang, Severity};

/// How to render for a human.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Language of messages.
    pub lang: Lang,
    /// ANSI colours (only on a terminal, never with `NO_COLOR`).
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { lang: Lang::Both, color: false, width: 100 }
    }
}

/// Renders diagnostics as text, one report after another.
pub fn render_human(diags: &[Diagnostic], style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for (i, diag) in diags.iter().enumerate() {
        // A blank line between reports, as rustc leaves, so each reads as one block.
        if i > 0 {
            out.push('\n');
        }
        let report = Report::new(diag, style.lang);
        if handler.render_report(&mut out, &report).is_err() {
            // The handler only fails when writing into the String fails, which it cannot;
            // still, fall back to the plain message rather than lose the diagnostic.
            out.push_str(&report.message);
            out.push('\n');
        }
    }
    out
}

/// One diagnostic in the JSON form of the command-line contract.
#[derive(Serialize)]
pub struct JsonDiagnostic {
    severity: &'static str,
    code: &'static str,
    message: String,
    message_en: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<String>,
    help_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

/// Converts diagnostics to their JSON form; `message` is Chinese unless `lang` is English.
pub fn to_json(diags: &[Diagnostic], lang: Lang) -> Vec<JsonDiagnostic> {
    let pick = |m: &super::Msg| if lang == Lang::En { m.en.clone() } else { m.zh.clone() };
    diags
        .iter()
        .map(|d| {
            let pos = d.position();
            JsonDiagnostic {
                severity: d.severity.as_str(),
                code: d.code,
                message: pick(&d.message),
                message_en: d.message.en.clone(),
                file: d.file.as_ref().map(|f| f.name().to_owned()),
                line: pos.map(|p| p.0.0),
                column: pos.map(|p| p.0.1),
                end_line: pos.map(|p| p.1.0),
                end_column: pos.map(|p| p.1.1),
                help: d.help.as_ref().map(pick),
                help_en: d.help.as_ref().map(|h| h.en.clone()),
                path: d.path.clone(),
            }
        })
        .collect()
}

/// Renders diagnostics as one pretty-printed JSON array.
pub fn render_json(diags: &[Diagnostic], lang: Lang) -> String {
    serde_json::to_string_pretty(&to_json(diags, lang)).unwrap_or_else(|_| "[]".to_owned())
}

/// A diagnostic seen through miette, in one language.
struct Report {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<std::sync::Arc<str>>>,
    labels: Vec<LabeledSpan>,
}

impl Report {
    fn new(diag: &Diagnostic, lang: Lang) -> Report {
        let mut message = diag.message.get(lang);
        let has_span = diag.primary.is_some() && diag.file.is_some();
        // Without a span, say where in words: the file and the data path.
        if !has_span {
            let mut prefix = String::new();
            if let Some(file) = &diag.file {
                prefix.push_str(file.name());
            }
            if let Some(path) = &diag.path {
                if !prefix.is_empty() {
                    prefix.push_str(": ");
                }
                prefix.push_str(path);
            }
            if !prefix.is_empty() {
                message = format!("{prefix}: {message}");
            }
        }
        let source = diag.file.as_ref().filter(|_| has_span).map(|f| NamedSource::new(f.name(), f.shared_text()));
        let mut labels = Vec::new();
        if has_span {
            if let Some(p) = &diag.primary {
                labels.push(LabeledSpan::new_primary_with_span(
                    p.text.as_ref().map(|t| t.get(lang)),
                    to_source_span(p.span),
                ));
            }
            for l in &diag.secondary {
                labels.push(LabeledSpan::new_with_span(l.text.as_ref().map(|t| t.get(lang)), to_source_span(l.span)));
            }
        }
        Report {
            message,
            code: diag.code,
            severity: diag.severity,
            help: diag.help.as_ref().map(|h| h.get(lang)),
            source,
            labels,
        }
    }
}

fn to_source_span(span: crate::source::Span) -> SourceSpan {
    SourceSpan::from(span.start..span.end)
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() { None } else { Some(Box::new(self.labels.iter().cloned())) }
    }
}
