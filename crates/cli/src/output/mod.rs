//! What the commands print: diagnostics and usage errors (as text for people, as JSON
//! under `--format json`), the human form of an evaluation, and column widths.

pub(crate) mod human;
pub(crate) mod width;

use std::io::Write;

use tenet::diagnostics::{Diagnostic, Msg, to_json, to_text};
use tenet::source::ReadError;

use crate::{Exit, OutputFormat, Ui};

/// Reports diagnostics: as text on stderr, or as one JSON object on stdout.
pub(crate) fn fail(format: OutputFormat, ui: &Ui, kind: &str, diags: &[Diagnostic], exit: Exit) -> Exit {
    match format {
        OutputFormat::Json => {
            let value = serde_json::json!({"error": kind, "diagnostics": to_json(diags)});
            out(&format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()));
        }
        OutputFormat::Human => err(&to_text(diags, ui.style())),
    }
    exit
}

/// Reports a usage error (exit 3): on standard error for people, as JSON under
/// `--format json`.
pub(crate) fn usage(format: OutputFormat, ui: &Ui, message: Msg) -> Exit {
    fail(format, ui, "usage", &[Diagnostic::error("usage", message)], Exit::Usage)
}

/// Reports a file that could not be read: an I/O problem is a usage error (exit 3), bytes
/// that are not UTF-8 are the input's own problem (`kind`, `invalid`); under
/// `--format json` as JSON, like every other failure.
pub(crate) fn unreadable(format: OutputFormat, ui: &Ui, e: &ReadError, kind: &str, invalid: Exit) -> Exit {
    match e {
        ReadError::Io { .. } => fail(format, ui, "unreadable", &[Diagnostic::from(e)], Exit::Usage),
        // Not UTF-8, too large, and whatever the engine adds later: the input's problem.
        _ => fail(format, ui, kind, &[Diagnostic::from(e)], invalid),
    }
}

/// Writes to standard output; a closed pipe is not an error worth a panic.
/// Control characters from facts or data are shown, not obeyed (see
/// [`tenet::diagnostics::printable`]).
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(tenet::diagnostics::printable(text).as_bytes());
    let _ = stdout.flush();
}

/// Writes to standard error.
pub(crate) fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(tenet::diagnostics::printable(text).as_bytes());
    let _ = stderr.flush();
}
