//! Diagnostics as JSON for tools, in the shape the command-line contract gives.

use serde::Serialize;

use super::Diagnostic;

/// One diagnostic in the JSON form of the command-line contract.
#[derive(Debug, Clone, Serialize)]
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

/// Converts diagnostics to their JSON form: `message` and `help` in Chinese,
/// `message_en` and `help_en` in English, whatever `--lang` a command was given — a
/// program reading the JSON finds each language under one key.
pub fn to_json(diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let pick = |m: &super::Msg| m.zh.clone();
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
pub fn to_json_text(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(&to_json(diags)).unwrap_or_else(|_| "[]".to_owned())
}
