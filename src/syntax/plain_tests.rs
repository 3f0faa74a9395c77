//! The plain-row reader builds what pest builds: random tables, written from plain
//! pieces and from pieces that only look plain (`7 dayz`, `2026-02-30`, `"{x}"`, `5 or
//! 6`, a missing comma, `otherwise` in the middle…), with blanks, line breaks and
//! comments between the tokens, parse to the same tree and the same diagnostics with the
//! reader as with pest alone.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;

use super::ast::DeclKind;
use super::{Parsed, parse, parse_using, parse_with_plain_rows};
use crate::source::SourceFile;

/// Values: plain ones, and ones the reader must leave to pest.
fn value() -> impl Strategy<Value = String> {
    let plain = prop_oneof![
        (0i64..100_000).prop_map(|n| n.to_string()),
        (0i64..1000, 0u32..4).prop_map(|(n, d)| format!("{n}.{}", "5".repeat(d as usize + 1))),
        Just("1_000".to_owned()),
        Just("007".to_owned()),
        (0i64..150).prop_map(|n| format!("{n}%")),
        Just("12.5%".to_owned()),
        (
            prop_oneof![
                Just("day"),
                Just("days"),
                Just("weeks"),
                Just("hours"),
                Just("minute"),
                Just("months"),
                Just("year")
            ],
            0u8..3
        )
            .prop_map(|(u, gap)| format!("3{}{u}", [" ", "", "\n  "][gap as usize])),
        Just("2026-01-31".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("\"r1\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"东区 north\"".to_owned()),
        Just("\"a \\\"quoted\\\" \\\\ \\n \\t\"".to_owned()),
        Just("\"{{braces}}\"".to_owned()),
        Just("-5".to_owned()),
        Just("- 2.5".to_owned()),
        Just("-7 days".to_owned()),
        Just("standard_fee".to_owned()),
        Just("fee_2".to_owned()),
        Just("_x".to_owned()),
        Just("_".to_owned()),
        Just("reject".to_owned()),
        Just("order".to_owned()),
        Just("mod".to_owned()),
        Just("Fee".to_owned()),
    ];
    let odd = prop_oneof![
        Just("9223372036854775808".to_owned()),
        Just("1.0000000000000000000000000000001".to_owned()),
        Just("80 %".to_owned()),
        Just("3 dayz".to_owned()),
        Just("2 business days".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("2026-01-011".to_owned()),
        Just("2026-01-01T10:00:00Z".to_owned()),
        Just("12:30".to_owned()),
        Just("\"{x}\"".to_owned()),
        Just("\"a}b\"".to_owned()),
        Just("\"\\u{4E2D}\"".to_owned()),
        Just("\"\\q\"".to_owned()),
        Just("'single'".to_owned()),
        Just("truex".to_owned()),
        Just("x".to_owned()),
        Just("x.y".to_owned()),
        Just("1 + 2".to_owned()),
        Just("5.x".to_owned()),
        Just("- -5".to_owned()),
        Just("-x".to_owned()),
        Just("missing".to_owned()),
        Just("{ a: 1 }".to_owned()),
        Just("[1, 2]".to_owned()),
        Just("(5)".to_owned()),
        Just("\"open".to_owned()),
        Just("f(1)".to_owned()),
        Just("f (1)".to_owned()),
        Just("a .b".to_owned()),
        Just("费用".to_owned()),
        Just("x中".to_owned()),
        Just("not".to_owned()),
        Just("if".to_owned()),
        Just("reject X".to_owned()),
        Just("flag\n  X".to_owned()),
        Just("x is missing".to_owned()),
    ];
    prop_oneof![40 => plain, 1 => odd]
}

/// Cells: `_`, `-`, ranges, comparisons, values, and some that are no plain cell.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just("_".to_owned()),
        4 => Just("-".to_owned()),
        1 => Just("_x".to_owned()),
        16 => (any::<bool>(), value(), value(), any::<bool>(), blank(), blank())
            .prop_map(|(a, lo, hi, b, s, t)| format!("{}{s}{lo}{t}..{hi}{}", if a { "[" } else { "(" }, if b { "]" } else { ")" })),
        12 => (prop_oneof![
            8 => prop_oneof![Just("<"), Just("<="), Just(">"), Just(">="), Just("=="), Just("!=")],
            1 => prop_oneof![Just("="), Just("<>"), Just("=<")],
        ], blank(), value())
            .prop_map(|(op, s, v)| format!("{op}{s}{v}")),
        16 => value(),
        1 => Just("5 or 6".to_owned()),
        1 => Just("not(1)".to_owned()),
        1 => Just("in [1, 2]".to_owned()),
        1 => Just("[1...5)".to_owned()),
    ]
}

/// What stands between two tokens.
fn blank() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        4 => Just(" ".to_owned()),
        1 => Just("\n    ".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just("\r\n  ".to_owned()),
        1 => Just("  # 注释 note\n  ".to_owned()),
        1 => Just("\u{FEFF}".to_owned()),
    ]
}

/// A row, and what follows it: `,`, nothing (the last row, or a missing comma) or `,,`.
fn row() -> impl Strategy<Value = String> {
    (prop::collection::vec((cell(), blank(), blank()), 1..4), value(), blank(), blank(), 0u8..60).prop_map(
        |(cells, result, s, t, sep)| {
            let cells: Vec<String> = cells.into_iter().map(|(c, a, b)| format!("{a}{c}{b}")).collect();
            let sep = match sep {
                0 => "",
                1 => ",,",
                2 => " , otherwise => 1,",
                _ => ",",
            };
            format!("  {}{s}=>{t}{result}{sep}\n", cells.join(","))
        },
    )
}

/// A policy with one table of random rows (and sometimes a second table after it).
fn table() -> impl Strategy<Value = String> {
    (prop::collection::vec(row(), 1..12), 0u8..4, any::<bool>()).prop_map(|(rows, end, second)| {
        let mut text = String::from("policy p version \"1\"\ninput { a: int }\n");
        text.push_str("table t(a: int, b: text, c: decimal) -> int hit first {\n");
        for r in rows {
            text.push_str(&r);
        }
        text.push_str(match end {
            0 => "  otherwise => 0\n}\n",
            1 => "}\n",
            2 => "  otherwise => 0,\n}\n",
            _ => "  # 结束\n}\n",
        });
        if second {
            text.push_str("table u(a: int) -> text {\n  [0..1) => \"x\",\n  _ => \"y\"\n}\n");
        }
        text.push_str("output x = t(a, \"b\", 1.0)\n");
        text
    })
}

/// Everything a diagnostic says: code, severity, both languages, help, every label and
/// the fix, with their spans.
fn said(diags: &[crate::diagnostics::Diagnostic]) -> Vec<String> {
    let msg = |m: &crate::diagnostics::Msg| format!("{} / {}", m.zh, m.en);
    diags
        .iter()
        .map(|d| {
            let labels: Vec<String> = d
                .primary
                .iter()
                .chain(&d.secondary)
                .map(|l| format!("{:?} {:?}", l.span, l.text.as_ref().map(msg)))
                .collect();
            format!(
                "{:?}: {} help {:?} labels {labels:?} fix {:?}",
                d,
                msg(&d.message),
                d.help.as_ref().map(msg),
                d.fix.as_ref().map(|f| (f.span, f.replacement.clone()))
            )
        })
        .collect()
}

fn same(with: &Parsed, without: &Parsed) -> Result<(), TestCaseError> {
    prop_assert_eq!(&with.file, &without.file);
    prop_assert_eq!(said(&with.diagnostics), said(&without.diagnostics));
    prop_assert_eq!(with.incomplete, without.incomplete);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_reader_builds_what_pest_builds(text in table()) {
        let file = SourceFile::new("t.tenet", text.as_str());
        let with = parse(&file);
        let without = parse_using(&file, false);
        same(&with, &without)?;
    }

    #[test]
    fn plain_tables_are_read_whole(rows in prop::collection::vec(
        (prop::collection::vec(0usize..5, 1..4), 0usize..4), 1..30)
    ) {
        // Only plain pieces: the reader takes every row, and still builds what pest does.
        let cells = ["_", "[1..5)", "< 100.5", "\"r1\"", "(2026-01-01..2026-12-31]"];
        let results = ["1", "7 days", "\"a\"", "12.5%"];
        let mut text = String::from("table t(a: int) -> int {\n");
        for (cs, r) in &rows {
            let cs: Vec<&str> = cs.iter().map(|&c| cells[c]).collect();
            text.push_str(&format!("  {} => {},\n", cs.join(", "), results[*r]));
        }
        text.push_str("}\n");
        let file = SourceFile::new("t.tenet", text.as_str());
        let read = parse_with_plain_rows(&file, &text);
        prop_assert!(read.is_some(), "the reader left a plain table to pest:\n{}", text);
        let read = read.unwrap();
        let DeclKind::Table(t) = &read.file.decls[0].node else { panic!("a table") };
        prop_assert_eq!(t.rows.len(), rows.len());
        same(&read, &parse_using(&file, false))?;
    }
}

#[test]
fn a_row_pest_reads_splits_the_plain_rows_around_it() {
    // A cell that computes, a result that computes.
    let text = "table t(a: int) -> int {\n  [0..1) => 1,\n  x + 1 => 2,\n  [2..3) => 3,\n  [3..4) => 2 + 2,\n  [4..5) => 5,\n  [5..6) => 6\n}\n";
    let file = SourceFile::new("t.tenet", text);
    let pest_row = |at: usize| text[at..].find(",\n").map(|i| at + i);
    let runs = super::plain::rows(text, 0, text.find('{').unwrap() + 1, pest_row);
    let rows: Vec<usize> = runs.iter().map(|r| r.rows.len()).collect();
    assert_eq!(rows, [1, 1, 2], "a run before each computed row, one after the last");
    assert_eq!(&text[runs[2].end..runs[2].end + 1], "}", "the last run ends at the brace");
    let parsed = parse(&file);
    let DeclKind::Table(t) = &parsed.file.decls[0].node else { panic!("a table") };
    assert_eq!(t.rows.len(), 6);
    assert_eq!(parsed.file, parse_using(&file, false).file);
}

#[test]
fn what_ends_the_reading_meets_pest_after_a_plain_row() {
    // `x +` is no row: the reading ends there, and the plain row before it is pest's too.
    let text = "table t(a: int) -> int {\n  [0..1) => 1,\n  [1..2) => 2,\n  x + => 3\n}\n";
    let runs = super::plain::rows(text, 0, text.find('{').unwrap() + 1, |_| None);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].rows.len(), 1);
    assert_eq!(&text[runs[0].end..runs[0].end + 6], "[1..2)");
    let file = SourceFile::new("t.tenet", text);
    same(&parse(&file), &parse_using(&file, false)).unwrap();
}

/// A piece of a CSV file at offset 100: its text and where each byte lies.
fn piece(text: &str) -> super::cells::Piece {
    super::cells::Piece { text: text.to_owned(), map: (100..=100 + text.len()).collect() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_cell_alone_reads_as_pest_reads_it(c in cell(), a in blank(), b in blank()) {
        let text = format!("{a}{c}{b}");
        let file = SourceFile::new("rates.csv", text.as_str());
        let p = piece(&text);
        let with = super::cells::cell_using(&file, &p, true);
        let without = super::cells::cell_using(&file, &p, false);
        prop_assert_eq!(format!("{with:?}"), format!("{without:?}"));
    }

    #[test]
    fn a_value_alone_reads_as_pest_reads_it(v in value(), a in blank(), b in blank()) {
        let text = format!("{a}{v}{b}");
        let file = SourceFile::new("rates.csv", text.as_str());
        let p = piece(&text);
        let with = super::cells::value_using(&file, &p, true);
        let without = super::cells::value_using(&file, &p, false);
        prop_assert_eq!(format!("{with:?}"), format!("{without:?}"));
    }
}
