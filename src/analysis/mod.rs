//! The policy as an editor sees it: every declared name with where it is defined and
//! what it is, every place a name is used, and what may be written at a point. Built
//! from the same parse and check as `tenet check`, so an editor and the command line
//! never disagree about a policy (`tenet lsp` serves it).

mod builtins;
mod incremental;
mod index;

use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

pub use builtins::{BUILTINS, BuiltinDoc};
pub use incremental::Incremental;

/// The word is reserved by the language and cannot name anything.
pub fn is_keyword(word: &str) -> bool {
    crate::syntax::keywords::is_reserved(word)
}

/// What a name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A field of the `input` schema (named by its path, `request.quantity`).
    Input,
    /// `const`.
    Const,
    /// `let` (also a `for each` block's per-item value).
    Let,
    /// `output`.
    Output,
    /// `table`.
    Table,
    /// `fn`.
    Function,
    /// `ledger`.
    Ledger,
    /// `calendar`.
    Calendar,
    /// A workflow stage.
    Stage,
    /// A workflow event.
    Event,
    /// A rule (named by its quoted name).
    Rule,
    /// A finding code (`LATE_RETURN`).
    Code,
    /// An action kind a rule or a stage emits.
    Action,
    /// A local: a loop variable, a table or function parameter, a function's let.
    Local,
}

impl SymbolKind {
    /// The word shown for it.
    pub fn word(self) -> &'static str {
        match self {
            SymbolKind::Input => "input",
            SymbolKind::Const => "const",
            SymbolKind::Let => "let",
            SymbolKind::Output => "output",
            SymbolKind::Table => "table",
            SymbolKind::Function => "fn",
            SymbolKind::Ledger => "ledger",
            SymbolKind::Calendar => "calendar",
            SymbolKind::Stage => "stage",
            SymbolKind::Event => "event",
            SymbolKind::Rule => "rule",
            SymbolKind::Code => "code",
            SymbolKind::Action => "action",
            SymbolKind::Local => "local",
        }
    }

    /// A user may rename it (the name is the policy's own, not a data path or a code
    /// other systems read).
    pub fn renamable(self) -> bool {
        matches!(
            self,
            SymbolKind::Const | SymbolKind::Let | SymbolKind::Table | SymbolKind::Function | SymbolKind::Local
        )
    }
}

/// A declared name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// What it is.
    pub kind: SymbolKind,
    /// Its name (an input field's full path).
    pub name: String,
    /// The name where it is declared.
    pub def: Span,
    /// The whole declaration (for an outline).
    pub extent: Span,
    /// One line that says what it is: its declaration as written, or its type.
    pub detail: String,
    /// For an input record or list of records: the path of its fields' parent, so
    /// completion after `path.` can list them.
    pub fields_of: Option<String>,
    /// For a text enumeration: its values.
    pub values: Vec<String>,
    /// The type the checker gave it (consts, lets, outputs: `money`; tables and
    /// functions: their signature), when the policy checked that far.
    pub ty: Option<String>,
}

/// A policy file analysed for an editor.
#[derive(Clone, Debug)]
pub struct Analysis {
    file: Arc<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    symbols: Vec<Symbol>,
    /// Each use of a name: where, and which symbol.
    refs: Vec<(Span, usize)>,
    /// Each builtin call's name: where, and which builtin.
    builtin_uses: Vec<(Span, &'static BuiltinDoc)>,
    /// True when the parse was complete (no syntax error).
    complete: bool,
}

impl Analysis {
    /// Parses and checks `file`: its diagnostics are exactly `tenet check`'s.
    pub fn new(file: &Arc<SourceFile>) -> Analysis {
        Analysis::build(file).0
    }

    /// [`Analysis::new`], and where each table written in the file has its rows: the
    /// declaration's span and the rows' (from the first row to the last, its comma
    /// included).
    fn build(file: &Arc<SourceFile>) -> (Analysis, Vec<(Span, Span)>) {
        let parsed = crate::syntax::parse(file);
        let tables = incremental::row_regions(file.text(), &parsed.file);
        // What `Policy::from_source` reports, from this one parse.
        let folder = std::path::Path::new(file.name()).parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let resolve = |name: &str| crate::source::read_source(&folder.join(name));
        let (_, diagnostics, types) = crate::policy::compile_parsed(file, &parsed, &resolve);
        let mut built = index::build(file, &parsed.file);
        for s in &mut built.symbols {
            if matches!(
                s.kind,
                SymbolKind::Const | SymbolKind::Let | SymbolKind::Output | SymbolKind::Table | SymbolKind::Function
            ) {
                s.ty = types.get(&s.name).cloned();
            }
        }
        let analysis = Analysis {
            file: Arc::clone(file),
            diagnostics,
            symbols: built.symbols,
            refs: built.refs,
            builtin_uses: built.builtins,
            complete: !parsed.incomplete,
        };
        (analysis, tables)
    }

    /// The file analysed.
    pub fn file(&self) -> &Arc<SourceFile> {
        &self.file
    }

    /// Errors and warnings, as `tenet check` reports them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every declared name, in file order.
    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    /// The whole file parsed (no syntax error): its index is complete.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The symbol whose declaration or use covers `offset`, with the span there.
    pub fn symbol_at(&self, offset: usize) -> Option<(usize, Span)> {
        let covers = |s: &Span| s.start <= offset && offset <= s.end;
        if let Some((span, i)) = self.refs.iter().filter(|(s, _)| covers(s)).min_by_key(|(s, _)| s.len()) {
            return Some((*i, *span));
        }
        self.symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| covers(&s.def))
            .min_by_key(|(_, s)| s.def.len())
            .map(|(i, s)| (i, s.def))
    }

    /// The symbol at `index`.
    pub fn symbol(&self, index: usize) -> Option<&Symbol> {
        self.symbols.get(index)
    }

    /// Every use of a symbol (its declaration not included), in file order.
    pub fn references(&self, index: usize) -> Vec<Span> {
        let mut spans: Vec<Span> = self.refs.iter().filter(|(_, i)| *i == index).map(|(s, _)| *s).collect();
        spans.sort_by_key(|s| s.start);
        spans.dedup();
        spans
    }

    /// Every name written in the file with what it names, in file order: declarations
    /// and uses (rule names left out: they are texts), builtins as `None`.
    pub fn tokens(&self) -> Vec<(Span, Option<SymbolKind>)> {
        let mut out: Vec<(Span, Option<SymbolKind>)> = self
            .symbols
            .iter()
            .filter(|s| s.kind != SymbolKind::Rule)
            .map(|s| (s.def, Some(s.kind)))
            .chain(self.refs.iter().filter_map(|(span, i)| self.symbols.get(*i).map(|s| (*span, Some(s.kind)))))
            .chain(self.builtin_uses.iter().map(|(span, _)| (*span, None)))
            .collect();
        out.sort_by_key(|(s, _)| (s.start, s.end));
        out.dedup_by_key(|(s, _)| s.start);
        out
    }

    /// The builtin called at `offset`, if the name of a builtin call covers it.
    pub fn builtin_at(&self, offset: usize) -> Option<(&'static BuiltinDoc, Span)> {
        self.builtin_uses.iter().find(|(s, _)| s.start <= offset && offset <= s.end).map(|(s, b)| (*b, *s))
    }

    /// What may be written at `offset`: after `path.`, the fields (and per-item values)
    /// under that path; otherwise the names in the file and the builtins. Each is
    /// (label, kind word, detail).
    pub fn completions(&self, offset: usize) -> Vec<(String, &'static str, String)> {
        self.completions_in(self.file.text(), offset)
    }

    /// [`Analysis::completions`] at `offset` of `text`, a newer text of the same file:
    /// what is being written is read there, the names come from this analysis.
    pub fn completions_in(&self, text: &str, offset: usize) -> Vec<(String, &'static str, String)> {
        let before = text.get(..offset.min(text.len())).unwrap_or("");
        let word_start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map_or(0, |i| i + 1);
        let written = before.get(word_start..).unwrap_or("");
        if let Some((path, _partial)) = written.rsplit_once('.') {
            return self.members(path, offset);
        }
        let mut out: Vec<(String, &'static str, String)> = self
            .symbols
            .iter()
            .filter(|s| match s.kind {
                SymbolKind::Input | SymbolKind::Let => !s.name.contains('.'),
                // A local only where it is in scope.
                SymbolKind::Local => s.extent.start <= offset && offset <= s.extent.end,
                SymbolKind::Rule | SymbolKind::Action => false,
                _ => true,
            })
            .map(|s| (s.name.clone(), s.kind.word(), s.detail.clone()))
            .collect();
        out.extend(BUILTINS.iter().map(|b| (b.name.to_owned(), "builtin", b.signature.to_owned())));
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// The fields under `path` (an input record, a list of records, or a loop variable
    /// over one), with the per-item values of `for each` blocks over that list.
    fn members(&self, path: &str, offset: usize) -> Vec<(String, &'static str, String)> {
        let resolved = self.resolve_path(path, offset);
        let Some(parent) = resolved else { return Vec::new() };
        let prefix = format!("{parent}.");
        let mut out: Vec<(String, &'static str, String)> = self
            .symbols
            .iter()
            .filter(|s| {
                (s.kind == SymbolKind::Input || s.kind == SymbolKind::Let)
                    && s.name.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('.'))
            })
            .map(|s| (s.name.get(prefix.len()..).unwrap_or("").to_owned(), s.kind.word(), s.detail.clone()))
            .collect();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// The input path a written dotted path stands for at `offset` (a loop variable in
    /// scope there is replaced by the list it runs over).
    fn resolve_path(&self, written: &str, offset: usize) -> Option<String> {
        let mut steps = written.split('.');
        let first = steps.next()?;
        let in_scope = |s: &&Symbol| {
            s.kind == SymbolKind::Local && s.name == first && s.extent.start <= offset && offset <= s.extent.end
        };
        let root = match self.symbols.iter().find(in_scope) {
            Some(local) => local.fields_of.clone()?,
            None => self.symbols.iter().find(|s| s.kind == SymbolKind::Input && s.name == first)?.fields_of.clone()?,
        };
        steps.try_fold(root, |path, step| {
            let full = format!("{path}.{step}");
            self.symbols.iter().find(|s| s.kind == SymbolKind::Input && s.name == full)?.fields_of.clone()
        })
    }

    /// The enumeration values expected at `offset`, when the text before it compares a
    /// path with a text (`request.reason == "`).
    pub fn expected_values(&self, offset: usize) -> Vec<String> {
        self.expected_values_in(self.file.text(), offset)
    }

    /// [`Analysis::expected_values`] at `offset` of a newer `text` of the same file.
    pub fn expected_values_in(&self, text: &str, offset: usize) -> Vec<String> {
        let before = text.get(..offset.min(text.len())).unwrap_or("");
        let Some(open) = before.rfind('"') else { return Vec::new() };
        let head = before.get(..open).unwrap_or("").trim_end();
        let Some(head) = head.strip_suffix("==").or_else(|| head.strip_suffix("!=")) else { return Vec::new() };
        let head = head.trim_end();
        let start = head.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map_or(0, |i| i + 1);
        let written = head.get(start..).unwrap_or("");
        let path = match written.split_once('.') {
            Some((first, rest)) => {
                let root = self.resolve_path(first, offset).unwrap_or_else(|| first.to_owned());
                format!("{root}.{rest}")
            }
            None => written.to_owned(),
        };
        self.symbols
            .iter()
            .find(|s| s.kind == SymbolKind::Input && s.name == path)
            .map(|s| s.values.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
