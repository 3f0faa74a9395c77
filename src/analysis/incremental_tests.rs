//! An analysis that keeps large tables equals a fresh one, edit after edit: the same
//! diagnostics (texts, places, labels, fixes), symbols, references and tokens — and the
//! tables are kept when nothing they depend on changed (else the test would prove
//! nothing).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use super::Incremental;
use crate::analysis::Analysis;
use crate::source::SourceFile;

/// Everything an editor reads of an analysis, as text.
fn seen(a: &Analysis) -> String {
    let mut out = String::new();
    for d in a.diagnostics() {
        let at = |s: crate::source::Span| format!("{}..{}", s.start, s.end);
        out.push_str(&format!(
            "{d:?} {} [{}] fix={:?} file={}\n",
            d.primary.as_ref().map(|l| at(l.span)).unwrap_or_default(),
            d.secondary.iter().map(|l| format!("{} {:?}", at(l.span), l.text)).collect::<Vec<_>>().join("; "),
            d.fix,
            d.file.as_ref().map(|f| f.name().to_owned()).unwrap_or_default(),
        ));
    }
    for (i, s) in a.symbols().iter().enumerate() {
        out.push_str(&format!("{:?} {} {:?} {:?} refs {:?}\n", s.kind, s.name, s.def, s.ty, a.references(i)));
    }
    out.push_str(&format!("tokens {:?}\n", a.tokens()));
    out
}

/// A policy with a table of `rows` rows (over 16 KiB) that reads a const, a parameter
/// and a builtin, whose rows overlap twice (two warnings), between other declarations.
fn policy(limit: &str, rows: usize, rule_days: u32, above: &str) -> String {
    let mut t = format!(
        "policy p version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\ninput {{ a: int, s: text }}\n{above}\nconst LIMIT = {limit}\nconst ONLY_IN_TABLE = 3\n\n"
    );
    t.push_str("table t(a: int, s: text) -> int hit unique {\n");
    for i in 0..rows {
        t.push_str(&format!("  [{}..{}), \"r{}\" => {},\n", i * 10, i * 10 + 10, i % 9, i));
    }
    t.push_str("  [0..5], \"r0\" => LIMIT,\n  < 0, _ => abs(a) + ONLY_IN_TABLE,\n  [0..3), \"r0\" => 7\n}\n\n");
    t.push_str(&format!("output x = t(a, s)\nrule \"r\" when a > {rule_days} flag BIG\n"));
    t
}

#[test]
fn keeping_tables_answers_what_a_fresh_analysis_answers() {
    let mut inc = Incremental::new();
    // (text, tables expected kept from the analysis before)
    let steps: Vec<(String, usize)> = vec![
        (policy("100", 700, 5, ""), 0),
        // A rule edited below the table.
        (policy("100", 700, 6, ""), 1),
        // A line added above it: the table moves.
        (policy("100", 700, 6, "# 一条新的注释\nconst OTHER = 1\n"), 1),
        // A const its rows read changes: analysed again.
        (policy("250", 700, 6, "# 一条新的注释\nconst OTHER = 1\n"), 0),
        (policy("250", 700, 7, ""), 1),
        // The table itself changes.
        (policy("250", 701, 7, ""), 0),
        // A const its rows read becomes a text: an error in the rows, never kept.
        (policy("\"x\"", 701, 7, ""), 0),
        (policy("\"x\"", 701, 8, ""), 0),
        (policy("250", 701, 8, ""), 0),
        (policy("250", 701, 9, ""), 1),
        // A syntax error elsewhere.
        (policy("250", 701, 9, "rule \"broken\" when\n"), 1),
        (policy("250", 701, 9, ""), 1),
    ];
    for (i, (text, kept)) in steps.iter().enumerate() {
        let file: Arc<SourceFile> = SourceFile::new("p.tenet", text.as_str());
        let incremental = inc.analyse(&file);
        let fresh = Analysis::new(&file);
        assert_eq!(seen(&incremental), seen(&fresh), "step {i}");
        assert_eq!(inc.reused(), *kept, "step {i}: tables kept");
        let warned = fresh.diagnostics().iter().any(|d| d.code == "table-overlap");
        assert_eq!(warned, fresh.is_complete(), "step {i}: the rows' warnings are there when the policy parses");
    }
}
