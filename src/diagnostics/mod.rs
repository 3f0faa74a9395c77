//! Diagnostics shared by every stage: syntax, checking, facts, evaluation.
//!
//! A diagnostic carries its own source file, so it can render itself anywhere, and its
//! texts in Chinese and English ([`Msg`]); the reader picks a [`Lang`].

pub mod codes;
mod json;
mod miette_bridge;
mod printable;
pub mod suggest;
mod text;

use std::fmt;
use std::sync::Arc;

pub use json::{JsonDiagnostic, to_json, to_json_text};
pub use printable::printable;
pub use text::{Style, to_text};

use crate::source::{ReadError, SourceFile, Span};

/// A user-facing text in Chinese and English.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Msg {
    /// Chinese (the default).
    pub zh: String,
    /// English.
    pub en: String,
}

impl Msg {
    /// A text in both languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg { zh: zh.into(), en: en.into() }
    }

    /// The text in `lang`; [`Lang::Both`] puts Chinese first and English after it.
    pub fn get(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh.clone(),
            Lang::En => self.en.clone(),
            Lang::Both if self.zh == self.en => self.zh.clone(),
            Lang::Both => format!("{} · {}", self.zh, self.en),
        }
    }
}

/// The macro behind [`msg!`]: exported macros land at the crate root, so it is hidden
/// there and named from this module, where it belongs.
#[doc(hidden)]
#[macro_export]
macro_rules! __tenet_msg {
    ($zh:expr, $en:expr $(,)?) => {
        $crate::diagnostics::Msg::new(format!($zh), format!($en))
    };
}

/// `msg!("中文 {x}", "English {x}")`: a [`Msg`] built with `format!` in both languages.
#[doc(inline)]
pub use crate::__tenet_msg as msg;

/// Which language a human reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Lang {
    /// Chinese only.
    Zh,
    /// English only.
    En,
    /// Chinese, then English (the default).
    #[default]
    Both,
}

/// How serious a diagnostic is: errors stop a policy from loading, warnings do not.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Worth a look; the policy still works.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A labelled span.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (optional).
    pub text: Option<Msg>,
}

/// One finding about an input: a message, a help line, and where it is. Boxed, so
/// results that carry one stay small.
#[derive(Clone)]
pub struct Diagnostic(Box<DiagnosticData>);

impl std::ops::Deref for Diagnostic {
    type Target = DiagnosticData;

    fn deref(&self) -> &DiagnosticData {
        &self.0
    }
}

impl std::ops::DerefMut for Diagnostic {
    fn deref_mut(&mut self) -> &mut DiagnosticData {
        &mut self.0
    }
}

/// The contents of a [`Diagnostic`].
#[derive(Clone)]
pub struct DiagnosticData {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case code (`unknown-name`), for tools and docs.
    pub code: &'static str,
    /// What is wrong.
    pub message: Msg,
    /// How to fix it.
    pub help: Option<Msg>,
    /// The file the spans point into, or the file a data path belongs to.
    pub file: Option<Arc<SourceFile>>,
    /// The main location.
    pub primary: Option<Label>,
    /// Other related locations.
    pub secondary: Vec<Label>,
    /// For data files (facts): the path of the bad field, `request.quantity`.
    pub path: Option<String>,
    /// The edit that the help line proposes, when it is one exact replacement (a
    /// did-you-mean): editors offer it as a quick fix without reading the help's words.
    pub fix: Option<Fix>,
}

/// One exact edit: the text at `span` becomes `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What is replaced (the misspelt token only, never more).
    pub span: Span,
    /// The text that goes there.
    pub replacement: String,
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity.as_str(), self.code)?;
        if let (Some(file), Some(p)) = (&self.file, &self.primary) {
            let (line, col) = file.line_col(p.span.start);
            write!(f, " {}:{line}:{col}", file.name())?;
        }
        if let Some(path) = &self.path {
            write!(f, " at {path}")?;
        }
        write!(f, ": {}", self.message.en)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.get(Lang::Both))
    }
}

impl std::error::Error for Diagnostic {}

impl Diagnostic {
    /// A new error.
    pub fn error(code: &'static str, message: Msg) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: Msg) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: Msg) -> Diagnostic {
        Diagnostic(Box::new(DiagnosticData {
            severity,
            code,
            message,
            help: None,
            file: None,
            primary: None,
            secondary: Vec::new(),
            path: None,
            fix: None,
        }))
    }

    /// Sets the file.
    pub fn in_file(mut self, file: &Arc<SourceFile>) -> Self {
        self.file = Some(Arc::clone(file));
        self
    }

    /// Sets the main location, unlabelled.
    pub fn at(mut self, span: Span) -> Self {
        self.primary = Some(Label { span, text: None });
        self
    }

    /// Sets the main location with a label.
    pub fn at_labelled(mut self, span: Span, text: Msg) -> Self {
        self.primary = Some(Label { span, text: Some(text) });
        self
    }

    /// Adds a related location.
    pub fn also(mut self, span: Span, text: Msg) -> Self {
        self.secondary.push(Label { span, text: Some(text) });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: Msg) -> Self {
        self.help = Some(help);
        self
    }

    /// Sets the exact edit the help line proposes: `span` becomes `replacement`.
    pub fn fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix { span, replacement: replacement.into() });
        self
    }

    /// Sets the exact edit when a did-you-mean found a name.
    pub fn maybe_fix(self, span: Span, replacement: Option<&str>) -> Self {
        match replacement {
            Some(r) => self.fix(span, r),
            None => self,
        }
    }

    /// Sets the help line when there is one.
    pub fn maybe_help(mut self, help: Option<Msg>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Sets the data path.
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column of the start and end of the main span, when there is one.
    pub fn position(&self) -> Option<((usize, usize), (usize, usize))> {
        let file = self.file.as_ref()?;
        let span = self.primary.as_ref()?.span;
        Some((file.line_col(span.start), file.line_col(span.end)))
    }

    fn sort_key(&self) -> (String, usize, String, usize, Severity, &'static str, String) {
        let file = self.file.as_ref().map(|f| f.name().to_owned()).unwrap_or_default();
        let (start, end) = self.primary.as_ref().map_or((0, 0), |l| (l.span.start, l.span.end));
        let path = self.path.clone().unwrap_or_default();
        (file, start, path, end, self.severity, self.code, self.message.en.clone())
    }
}

/// Sorts diagnostics by file, position, data path and code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_cached_key(Diagnostic::sort_key);
}

/// True when any of them is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

impl From<&ReadError> for Diagnostic {
    /// A file that could not be read, as a diagnostic: bytes that are not UTF-8 point at
    /// their line.
    fn from(e: &ReadError) -> Diagnostic {
        match e {
            ReadError::Io { path, source } => {
                Diagnostic::error(codes::UNREADABLE, msg!("无法读取 {path}：{source}", "cannot read {path}: {source}"))
                    .help(Msg::new("检查文件路径", "check the file's path"))
            }
            ReadError::NotUtf8 { file, line, byte } => Diagnostic::error(
                codes::NOT_UTF8,
                msg!(
                    "第 {line} 行有不是 UTF-8 的字节（第 {byte} 字节）",
                    "line {line} has bytes that are not UTF-8 (byte {byte})"
                ),
            )
            .help(Msg::new("用 UTF-8 编码保存文件", "save the file as UTF-8"))
            .at(Span::new(*byte, *byte))
            .in_file(file),
            ReadError::TooLarge { path, limit } => Diagnostic::error(
                codes::TOO_LARGE,
                msg!(
                    "{path} 超过 {limit} 字节的上限，没有读取",
                    "{path} is over the limit of {limit} bytes and was not read"
                ),
            )
            .help(Msg::new(
                "把它分成几个文件；批量评估请用 --batch 按行读取",
                "split it into several files; for many cases use --batch, which reads line by line",
            )),
        }
    }
}

impl crate::source::LocateError {
    /// What went wrong, in both languages, for a diagnostic.
    pub fn message(&self) -> Msg {
        match self {
            crate::source::LocateError::NotFound { name, .. } => {
                crate::diagnostics::msg!("找不到 {name}", "{name} cannot be found")
            }
            crate::source::LocateError::Outside { name, root } => {
                let root = root.display();
                crate::diagnostics::msg!(
                    "{name} 在项目目录 {root} 之外，未读取",
                    "{name} lies outside the project folder {root} and was not read"
                )
            }
        }
    }
}
