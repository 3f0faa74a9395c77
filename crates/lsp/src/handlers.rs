//! The requests: each answered from the document's analysis (the last complete one
//! while the text has a syntax error).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionOrCommand, CodeActionParams, CompletionItem, CompletionItemKind, CompletionParams,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind, ReferenceParams,
    RenameParams, SymbolInformation, SymbolKind as LspKind, TextEdit, WorkspaceEdit,
};
use tenet::analysis::{Analysis, SymbolKind};

use super::convert::{offset, position, range};
use super::documents::Documents;

/// Units that may follow a number.
const UNITS: &[&str] =
    &["minutes", "hours", "days", "weeks", "months", "years", "business minutes", "business hours", "business days"];

fn at(analysis: &Analysis, pos: lsp_types::Position) -> usize {
    offset(analysis.file().text(), pos)
}

/// `textDocument/hover`.
pub fn hover(docs: &mut Documents, p: &HoverParams) -> Option<Hover> {
    let uri = &p.text_document_position_params.text_document.uri;
    let a = docs.for_request(uri)?;
    let text = a.file().text();
    let offset = at(a, p.text_document_position_params.position);
    let (markdown, span) = if let Some((b, span)) = a.builtin_at(offset) {
        (format!("```tenet\n{}\n```\n{}\n\n{}", b.signature, b.zh, b.en), span)
    } else if let Some((i, span)) = a.symbol_at(offset) {
        let s = a.symbol(i)?;
        let mut md = format!("```tenet\n{}\n```\n*{}*", s.detail, s.kind.word());
        if let Some(ty) = &s.ty {
            md.push_str(&format!(" · `{ty}`"));
        }
        if !s.values.is_empty() {
            md.push_str(&format!(
                " — {}",
                s.values.iter().map(|v| format!("`\"{v}\"`")).collect::<Vec<_>>().join(" | ")
            ));
        }
        (md, span)
    } else {
        // A diagnostic's code under the cursor: its explanation.
        let d = a
            .diagnostics()
            .iter()
            .find(|d| d.primary.as_ref().is_some_and(|l| l.span.start <= offset && offset <= l.span.end))?;
        let e = tenet::diagnostics::codes::explain(d.code)?;
        (format!("**{}** ({})\n\n{}\n\n{}", e.code, e.severity, e.zh, e.en), d.primary.as_ref()?.span)
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(range(text, span)),
    })
}

/// `textDocument/definition`.
pub fn definition(docs: &mut Documents, p: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let uri = &p.text_document_position_params.text_document.uri;
    let a = docs.for_request(uri)?;
    let (i, _) = a.symbol_at(at(a, p.text_document_position_params.position))?;
    let s = a.symbol(i)?;
    Some(GotoDefinitionResponse::Scalar(Location::new(uri.clone(), range(a.file().text(), s.def))))
}

/// `textDocument/references`.
pub fn references(docs: &mut Documents, p: &ReferenceParams) -> Option<Vec<Location>> {
    let uri = &p.text_document_position.text_document.uri;
    let a = docs.for_request(uri)?;
    let (i, _) = a.symbol_at(at(a, p.text_document_position.position))?;
    let text = a.file().text();
    let mut spans = a.references(i);
    if p.context.include_declaration {
        spans.insert(0, a.symbol(i)?.def);
    }
    Some(spans.into_iter().map(|s| Location::new(uri.clone(), range(text, s))).collect())
}

fn item_kind(word: &str) -> CompletionItemKind {
    match word {
        "input" => CompletionItemKind::FIELD,
        "const" => CompletionItemKind::CONSTANT,
        "let" | "output" => CompletionItemKind::VARIABLE,
        "table" | "fn" | "builtin" => CompletionItemKind::FUNCTION,
        "stage" | "event" => CompletionItemKind::ENUM_MEMBER,
        "code" => CompletionItemKind::CONSTANT,
        _ => CompletionItemKind::VALUE,
    }
}

/// `textDocument/completion`: enumeration values inside `== "`, units after a number,
/// fields after `path.`, else names and builtins.
pub fn completion(docs: &mut Documents, p: &CompletionParams) -> Option<Vec<CompletionItem>> {
    let uri = &p.text_document_position.text_document.uri;
    let doc = docs.analysed(uri)?;
    // The current text decides what is being written; the analysis (maybe the last good
    // one) says what exists.
    let current = doc.file.clone();
    let a = docs.for_request(uri)?;
    let offset = offset(current.text(), p.text_document_position.position);
    let values = a.expected_values_in(current.text(), offset);
    if !values.is_empty() {
        return Some(values.into_iter().map(|v| simple(v, CompletionItemKind::ENUM_MEMBER, "value")).collect());
    }
    let before = current.text().get(..offset).unwrap_or("");
    let after_number = before.strip_suffix(' ').is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit()));
    if after_number {
        return Some(UNITS.iter().map(|u| simple((*u).to_owned(), CompletionItemKind::UNIT, "unit")).collect());
    }
    Some(
        a.completions_in(current.text(), offset)
            .into_iter()
            .map(|(label, kind, detail)| CompletionItem {
                label,
                kind: Some(item_kind(kind)),
                detail: Some(detail),
                ..CompletionItem::default()
            })
            .collect(),
    )
}

fn simple(label: String, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem { label, kind: Some(kind), detail: Some(detail.to_owned()), ..CompletionItem::default() }
}

/// `textDocument/formatting`: `tenet fmt`; nothing while the text has a syntax error.
pub fn formatting(docs: &mut Documents, p: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = docs.analysed(&p.text_document.uri)?;
    let text = doc.file.text();
    let formatted = tenet::format_policy(&doc.file).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = position(text, text.len());
    Some(vec![TextEdit::new(lsp_types::Range::new(lsp_types::Position::new(0, 0), end), formatted)])
}

fn lsp_kind(kind: SymbolKind) -> LspKind {
    match kind {
        SymbolKind::Input => LspKind::FIELD,
        SymbolKind::Const | SymbolKind::Code => LspKind::CONSTANT,
        SymbolKind::Let | SymbolKind::Output | SymbolKind::Local => LspKind::VARIABLE,
        SymbolKind::Table | SymbolKind::Function => LspKind::FUNCTION,
        SymbolKind::Ledger | SymbolKind::Calendar => LspKind::OBJECT,
        SymbolKind::Stage | SymbolKind::Event | SymbolKind::Action => LspKind::ENUM_MEMBER,
        SymbolKind::Rule => LspKind::EVENT,
    }
}

/// `textDocument/documentSymbol`: the outline (locals and codes left out).
#[expect(deprecated, reason = "SymbolInformation's `deprecated` field must still be written")]
pub fn symbols(docs: &mut Documents, p: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let uri = &p.text_document.uri;
    let a = docs.for_request(uri)?;
    let text = a.file().text();
    let list = a
        .symbols()
        .iter()
        .filter(|s| !matches!(s.kind, SymbolKind::Local | SymbolKind::Code | SymbolKind::Action))
        .map(|s| SymbolInformation {
            name: s.name.clone(),
            kind: lsp_kind(s.kind),
            tags: None,
            deprecated: None,
            location: Location::new(uri.clone(), range(text, s.extent)),
            container_name: Some(s.kind.word().to_owned()),
        })
        .collect();
    Some(DocumentSymbolResponse::Flat(list))
}

/// Why a rename cannot be done.
pub struct RenameRefused(pub String);

/// `textDocument/rename`: lets, consts, tables, functions and locals, at their
/// declaration and every use; a new name must be a name and not taken.
pub fn rename(docs: &mut Documents, p: &RenameParams) -> Result<Option<WorkspaceEdit>, RenameRefused> {
    let uri = &p.text_document_position.text_document.uri;
    let Some(a) = docs.for_request(uri) else { return Ok(None) };
    let Some((i, _)) = a.symbol_at(at(a, p.text_document_position.position)) else { return Ok(None) };
    let Some(s) = a.symbol(i) else { return Ok(None) };
    if !s.kind.renamable() {
        return Err(RenameRefused(format!(
            "只能重命名 let、const、table、fn 和局部名称；{} 是 {} · only lets, consts, tables, functions and locals can be renamed; {} is a {}",
            s.name,
            s.kind.word(),
            s.name,
            s.kind.word()
        )));
    }
    let new = p.new_name.trim();
    let is_name = new.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && new.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !is_name || tenet::analysis::is_keyword(new) {
        return Err(RenameRefused(format!("“{new}” 不是可用的名称 · \"{new}\" is not a name a policy can use")));
    }
    if s.kind != SymbolKind::Local && a.symbols().iter().any(|o| o.name == new && o.kind != SymbolKind::Local) {
        return Err(RenameRefused(format!("名称 {new} 已被使用 · the name {new} is taken")));
    }
    let text = a.file().text();
    let mut edits: Vec<TextEdit> = std::iter::once(s.def)
        .chain(a.references(i))
        .map(|span| TextEdit::new(range(text, span), new.to_owned()))
        .collect();
    edits.sort_by_key(|e| (e.range.start.line, e.range.start.character));
    edits.dedup_by(|a, b| a.range == b.range);
    Ok(Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }))
}

/// `textDocument/codeAction`: the checker's did-you-mean suggestions as quick fixes, each
/// the exact edit the diagnostic carries (its span and text, never the help's words).
pub fn code_actions(docs: &mut Documents, p: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &p.text_document.uri;
    let doc = docs.analysed(uri)?;
    let a = doc.analysis.as_ref()?;
    let text = a.file().text();
    let mut actions = Vec::new();
    for d in a.diagnostics() {
        let (Some(label), Some(fix)) = (&d.primary, &d.fix) else { continue };
        let r = range(text, label.span);
        if r.end < p.range.start || r.start > p.range.end {
            continue;
        }
        let suggested = fix.replacement.clone();
        let edit = range(text, fix.span);
        let diagnostic = super::convert::diagnostic(text, d, uri, label.span);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("改为 `{suggested}` · change to `{suggested}`"),
            kind: Some(lsp_types::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![TextEdit::new(edit, suggested.clone())])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Some(actions)
}

/// The token types of semantic highlighting, in legend order.
pub const TOKEN_TYPES: &[lsp_types::SemanticTokenType] = &[
    lsp_types::SemanticTokenType::PROPERTY,
    lsp_types::SemanticTokenType::VARIABLE,
    lsp_types::SemanticTokenType::FUNCTION,
    lsp_types::SemanticTokenType::TYPE,
    lsp_types::SemanticTokenType::ENUM_MEMBER,
    lsp_types::SemanticTokenType::PARAMETER,
    lsp_types::SemanticTokenType::MACRO,
    lsp_types::SemanticTokenType::EVENT,
];

fn token_type(kind: Option<SymbolKind>) -> u32 {
    match kind {
        Some(SymbolKind::Input) => 0,
        Some(SymbolKind::Const | SymbolKind::Let | SymbolKind::Output) => 1,
        None | Some(SymbolKind::Table | SymbolKind::Function) => 2,
        Some(SymbolKind::Ledger | SymbolKind::Calendar) => 3,
        Some(SymbolKind::Stage | SymbolKind::Action) => 4,
        Some(SymbolKind::Local) => 5,
        Some(SymbolKind::Code) => 6,
        Some(SymbolKind::Event | SymbolKind::Rule) => 7,
    }
}

/// `textDocument/semanticTokens/full`: every name by what it names, so a const, an input
/// field, a stage and a code look different even where the grammar cannot tell.
pub fn semantic_tokens(docs: &mut Documents, p: &lsp_types::SemanticTokensParams) -> Option<lsp_types::SemanticTokens> {
    let a = docs.for_request(&p.text_document.uri)?;
    let text = a.file().text();
    let mut data = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for (span, kind) in a.tokens() {
        let r = range(text, span);
        if r.start.line != r.end.line || r.end.character <= r.start.character {
            continue;
        }
        let delta_line = r.start.line - line;
        let delta_start = if delta_line == 0 { r.start.character - col } else { r.start.character };
        data.push(lsp_types::SemanticToken {
            delta_line,
            delta_start,
            length: r.end.character - r.start.character,
            token_type: token_type(kind),
            token_modifiers_bitset: 0,
        });
        (line, col) = (r.start.line, r.start.character);
    }
    Some(lsp_types::SemanticTokens { result_id: None, data })
}

#[cfg(test)]
mod tests {}
