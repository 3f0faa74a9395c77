//! Analysing a file again after an edit, keeping what did not change: a large table
//! whose declaration's text is the same as before — and so are the declarations its
//! rows name and the policy's header — keeps its diagnostics, references and builtin
//! uses from the last analysis. The file is analysed with that table's rows blanked out
//! (spaces, line breaks kept, so every offset stays where it is), which checks its
//! signature and everything else as usual, and the kept results are put back, moved to
//! where the table is now. Equal to a fresh [`Analysis::new`] (a test edits a policy
//! and compares the two after every edit).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Analysis, BuiltinDoc, SymbolKind};
use crate::diagnostics::{self, Diagnostic, codes};
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{DeclKind, PolicyFile};

/// A table declaration shorter than this is analysed afresh each time: keeping it
/// would save less than it costs.
const LARGE: usize = 16 * 1024;

/// The declarations whose change can change any table's analysis.
const HEADER: [&str; 4] = ["policy", "timezone", "currency", "calendar"];

/// What [`Incremental::analyse`] keeps between analyses of one file.
#[derive(Debug, Default)]
pub struct Incremental {
    /// By the table declaration's text.
    kept: HashMap<Arc<str>, Kept>,
    /// How many tables the last analysis kept.
    reused: usize,
}

/// A large table's analysis, its spans relative to the start of its declaration.
#[derive(Debug)]
struct Kept {
    /// The rows, blanked when the table is kept.
    rows: Span,
    diagnostics: Vec<Diagnostic>,
    refs: Vec<(Span, Target)>,
    builtins: Vec<(Span, &'static BuiltinDoc)>,
    /// The texts of the declarations its rows name, and of the header: the table is
    /// kept only while each is still in the file, unchanged.
    context: Vec<Arc<str>>,
    /// The names its rows use (their `unused` warnings are the rows' business).
    uses: HashSet<String>,
}

/// What a reference inside a kept table names.
#[derive(Debug, Clone)]
enum Target {
    /// A symbol declared inside the table (a parameter), at this relative span.
    Inside(Span),
    /// A symbol declared elsewhere, by kind and name.
    Outside(SymbolKind, String),
}

/// Each declaration of `text`: its span and its text.
fn chunks(text: &str) -> Vec<(Span, &str)> {
    let starts = crate::syntax::chunk_starts(text);
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            (Span::new(start, end), text.get(start..end).unwrap_or(""))
        })
        .collect()
}

fn moved(span: Span, by: isize) -> Span {
    let at = |x: usize| x.saturating_add_signed(by);
    Span::new(at(span.start), at(span.end))
}

fn within(span: Span, outer: Span) -> bool {
    outer.start <= span.start && span.end <= outer.end
}

/// A diagnostic moved by `by` bytes and pointed at `file`.
fn moved_diagnostic(d: &Diagnostic, by: isize, file: &Arc<SourceFile>) -> Diagnostic {
    let mut d = d.clone();
    if let Some(l) = &mut d.primary {
        l.span = moved(l.span, by);
    }
    for l in &mut d.secondary {
        l.span = moved(l.span, by);
    }
    if let Some(f) = &mut d.fix {
        f.span = moved(f.span, by);
    }
    d.file = Some(Arc::clone(file));
    d
}

/// Where each table written in `ast` has its rows: (declaration, rows), from the first
/// row to the last, a comma after it included (`otherwise` is left: whether a table has
/// one changes what its callers may get).
pub(super) fn row_regions(text: &str, ast: &PolicyFile) -> Vec<(Span, Span)> {
    let mut out = Vec::new();
    for decl in &ast.decls {
        let DeclKind::Table(t) = &decl.node else { continue };
        if t.function || t.from.is_some() {
            continue;
        }
        let (Some(first), Some(last)) = (t.rows.first(), t.rows.last()) else { continue };
        let mut end = last.span.end;
        let rest = text.get(end..).unwrap_or("");
        if rest.trim_start().starts_with(',') {
            end += rest.len() - rest.trim_start().len() + 1;
        }
        out.push((decl.span, Span::new(first.span.start, end)));
    }
    out
}

/// The diagnostics a table's rows cause that are reported at its declaration.
const ROW_CODES: [&str; 4] = [codes::EMPTY_TABLE, codes::TABLE_GAP, codes::TABLE_OVERLAP, codes::TABLE_SHADOWED];

/// The first word of a declaration, after the comments and blank lines before it.
fn first_word(chunk: &str) -> &str {
    let line = chunk.lines().map(str::trim_start).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    let end = line.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(line.len());
    line.get(..end).unwrap_or("")
}

/// True for a table declaration worth keeping.
fn large_table(chunk: &str) -> bool {
    chunk.len() >= LARGE && first_word(chunk) == "table"
}

impl Incremental {
    /// A cache with nothing kept yet.
    pub fn new() -> Incremental {
        Incremental::default()
    }

    /// How many tables the last analysis kept from the one before.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Analyses `file`, reusing what was kept of its large tables, and keeps what this
    /// analysis found about them for the next.
    pub fn analyse(&mut self, file: &Arc<SourceFile>) -> Analysis {
        let text = file.text();
        let chunks = chunks(text);
        let present: HashSet<&str> = chunks.iter().map(|(_, t)| *t).collect();
        let header: Vec<Arc<str>> =
            chunks.iter().filter(|(_, t)| HEADER.contains(&first_word(t))).map(|(_, t)| Arc::from(*t)).collect();
        // The tables kept: each with where its declaration starts now.
        let mut reused: Vec<(usize, &Kept)> = Vec::new();
        for (span, chunk) in &chunks {
            if !large_table(chunk) {
                continue;
            }
            if let Some(kept) = self.kept.get(*chunk)
                && kept.context.iter().all(|c| present.contains(&**c))
            {
                reused.push((span.start, kept));
            }
        }
        let starts: Vec<usize> = reused.iter().map(|(s, _)| *s).collect();
        self.reused = starts.len();
        let (mut analysis, tables) = if reused.is_empty() {
            Analysis::build(file)
        } else {
            let mut blanked = text.as_bytes().to_vec();
            for (start, kept) in &reused {
                for b in blanked.iter_mut().skip(start + kept.rows.start).take(kept.rows.len()) {
                    if !matches!(*b, b'\n' | b'\r') {
                        *b = b' ';
                    }
                }
            }
            // Only ASCII bytes of whole characters were replaced: still UTF-8.
            let stub = SourceFile::new(file.name(), String::from_utf8_lossy(&blanked).into_owned());
            let (stubbed, tables) = Analysis::build(&stub);
            (self.put_back(stubbed, file, &reused), tables)
        };
        analysis.file = Arc::clone(file);
        self.keep(&analysis, &chunks, &header, &tables, &starts);
        analysis
    }

    /// The analysis of the blanked text with the kept tables' results put back.
    fn put_back(&self, mut a: Analysis, file: &Arc<SourceFile>, reused: &[(usize, &Kept)]) -> Analysis {
        let stub = Arc::clone(&a.file);
        let uses: HashSet<&str> = reused.iter().flat_map(|(_, k)| k.uses.iter().map(String::as_str)).collect();
        // What the blanked rows caused is dropped (an empty table, gaps; a name only
        // the kept rows use is not unused): the kept rows' own findings replace it.
        a.diagnostics.retain(|d| {
            let Some(at) = d.primary.as_ref().map(|l| l.span) else { return true };
            if !d.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &stub)) {
                return true;
            }
            let rows_made = reused.iter().any(|(start, k)| {
                let table = Span::new(*start, start + k.rows.end);
                within(at, moved(k.rows, isize::try_from(*start).unwrap_or(0)))
                    || (within(at, table) && ROW_CODES.contains(&d.code))
            });
            let unused_here = d.code == codes::UNUSED && uses.contains(stub.slice(at));
            !rows_made && !unused_here
        });
        for d in &mut a.diagnostics {
            if d.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &stub)) {
                d.file = Some(Arc::clone(file));
            }
        }
        for (start, kept) in reused {
            let by = isize::try_from(*start).unwrap_or(0);
            // After a syntax error nothing is checked: only the syntax is reported.
            if a.complete {
                a.diagnostics.extend(kept.diagnostics.iter().map(|d| moved_diagnostic(d, by, file)));
            }
            for (span, target) in &kept.refs {
                let index = match target {
                    Target::Inside(def) => {
                        let def = moved(*def, by);
                        a.symbols.iter().position(|s| s.def == def)
                    }
                    Target::Outside(kind, name) => a.symbols.iter().position(|s| s.kind == *kind && s.name == *name),
                };
                if let Some(i) = index {
                    a.refs.push((moved(*span, by), i));
                }
            }
            a.builtin_uses.extend(kept.builtins.iter().map(|(s, b)| (moved(*s, by), *b)));
        }
        diagnostics::sort(&mut a.diagnostics);
        a
    }

    /// Keeps each large table's results from `a`: those reused stay, those analysed in
    /// full this time are taken from it (unless they hold an error), the rest are dropped.
    fn keep(
        &mut self,
        a: &Analysis,
        chunks: &[(Span, &str)],
        header: &[Arc<str>],
        tables: &[(Span, Span)],
        reused: &[usize],
    ) {
        let reused_starts: HashSet<usize> = reused.iter().copied().collect();
        let mut next: HashMap<Arc<str>, Kept> = HashMap::new();
        for (span, chunk) in chunks {
            if !large_table(chunk) {
                continue;
            }
            let key: Arc<str> = Arc::from(*chunk);
            if reused_starts.contains(&span.start) {
                if let Some(k) = self.kept.remove(&key) {
                    next.insert(key, k);
                }
                continue;
            }
            // An analysis stopped by a syntax error checked nothing to keep.
            if !a.complete {
                continue;
            }
            let Some((_, rows)) = tables.iter().find(|(decl, _)| decl.start == span.start) else { continue };
            if let Some(k) = self.fresh(a, *span, *rows, chunks, header) {
                next.insert(key, k);
            }
        }
        self.kept = next;
    }

    /// What to keep of a table analysed in full this time.
    fn fresh(
        &self,
        a: &Analysis,
        chunk: Span,
        rows: Span,
        chunks: &[(Span, &str)],
        header: &[Arc<str>],
    ) -> Option<Kept> {
        let by = -isize::try_from(chunk.start).ok()?;
        let mine = |s: &Span| within(*s, chunk);
        let diagnostics: Vec<Diagnostic> = a
            .diagnostics
            .iter()
            .filter(|d| d.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &a.file)))
            .filter(|d| {
                d.primary
                    .as_ref()
                    .is_some_and(|l| within(l.span, rows) || (mine(&l.span) && ROW_CODES.contains(&d.code)))
            })
            .map(|d| moved_diagnostic(d, by, &a.file))
            .collect();
        // A table with an error is being worked on: analysed afresh until it is fixed.
        if diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        let mut context: Vec<Arc<str>> = header.to_vec();
        let mut uses = HashSet::new();
        let mut refs = Vec::new();
        for (span, i) in a.refs.iter().filter(|(s, _)| within(*s, rows)) {
            let symbol = a.symbols.get(*i)?;
            let target = if mine(&symbol.def) {
                Target::Inside(moved(symbol.def, by))
            } else {
                uses.insert(symbol.name.clone());
                if let Some((_, text)) = chunks.iter().find(|(c, _)| within(symbol.def, *c)) {
                    context.push(Arc::from(*text));
                }
                Target::Outside(symbol.kind, symbol.name.clone())
            };
            refs.push((moved(*span, by), target));
        }
        let builtins =
            a.builtin_uses.iter().filter(|(s, _)| within(*s, rows)).map(|(s, b)| (moved(*s, by), *b)).collect();
        context.sort();
        context.dedup();
        Some(Kept { rows: moved(rows, by), diagnostics, refs, builtins, context, uses })
    }
}

#[cfg(test)]
#[path = "incremental_tests.rs"]
mod tests;
