//! Diagnostics as `miette` sees them, so a Rust program that reports errors with miette
//! (or any handler built on its trait) renders tenet's with their code, help and spans.

use std::fmt;

use miette::{LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};

use super::{Diagnostic, Lang, Severity};
use crate::source::SourceFile;

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.text().read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name().to_owned(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl miette::Diagnostic for Diagnostic {
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
        self.help.as_ref().map(|h| Box::new(h.get(Lang::Both)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.file.as_deref().map(|f| f as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.primary.iter().map(|l| {
            LabeledSpan::new_primary_with_span(l.text.as_ref().map(|t| t.get(Lang::Both)), (l.span.start, l.span.len()))
        });
        let secondary = self.secondary.iter().map(|l| {
            LabeledSpan::new_with_span(l.text.as_ref().map(|t| t.get(Lang::Both)), (l.span.start, l.span.len()))
        });
        let labels: Vec<LabeledSpan> = primary.chain(secondary).collect();
        if labels.is_empty() || self.file.is_none() { None } else { Some(Box::new(labels.into_iter())) }
    }
}
