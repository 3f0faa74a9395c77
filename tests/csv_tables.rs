//! Tables whose rows come from a CSV file: a hand-worked rate card (its answers
//! computed by hand, not by another table), every CSV mistake named at its line and
//! column, and a property: a written table exported with `table_csv` and read back
//! through `from "t.csv"` answers every call exactly as the written one does, and
//! exports to the same CSV again.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use tenet::Policy;
use tenet::facts::Format;
use tenet::source::{ReadError, SourceFile};

const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

/// Reads the files a policy names from `files`, by name.
fn resolver(files: BTreeMap<String, String>) -> impl Fn(&str) -> Result<Arc<SourceFile>, ReadError> {
    move |name: &str| match files.get(name) {
        Some(text) => Ok(SourceFile::new(name, text.as_str())),
        None => Err(ReadError::Io { path: name.to_owned(), source: std::io::ErrorKind::NotFound.into() }),
    }
}

/// Loads `body` (after the header) with `files` as the files beside it.
fn load(body: &str, files: &[(&str, &str)]) -> Result<Policy, Vec<String>> {
    let resolve = resolver(files.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect());
    let file = SourceFile::new("t.tenet", format!("{HEADER}{body}"));
    Policy::from_source_with(&file, &resolve).map_err(|e| e.diagnostics().iter().map(|d| format!("{d:?}")).collect())
}

/// The output `x` for JSON facts, as JSON text (or the evaluation's error).
fn x(p: &Policy, facts: &str) -> String {
    let facts = p.facts_from_text(facts, Format::Json).expect("facts");
    match p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")) {
        Ok(e) => e.to_json(None)["outputs"]["x"].to_string(),
        Err(e) => format!("error {:?}", e.diagnostics().first().map(|d| d.code)),
    }
}

const RATES: &str = "\
region,kg,rate
north,[0..1),12.00
north,[1..5),18.50
south,<5,20
\"\"\"east\"\" or \"\"west\"\"\",>= 0,25.5
 central , ,9
otherwise,,99
";

#[test]
fn a_rate_card_from_csv_answers_as_worked_by_hand() {
    let p = load(
        "input { region: text, kg: decimal }\ntable rate(region: text, kg: decimal) -> money hit first from \"rates.csv\"\noutput x = rate(region, kg)\n",
        &[("rates.csv", RATES)],
    )
    .unwrap();
    // Each line of the card, read by hand: north under 1 kg costs 12.00, north from 1 to
    // under 5 kg 18.50, south under 5 kg 20, east or west any weight 25.50, central
    // (spaces around it dropped) any weight 9, anything else 99.
    for (region, kg, want) in [
        ("north", "0", "\"12.00\""),
        ("north", "0.99", "\"12.00\""),
        ("north", "1", "\"18.50\""),
        ("north", "4.99", "\"18.50\""),
        ("north", "5", "\"99.00\""),
        ("south", "4", "\"20.00\""),
        ("south", "5", "\"99.00\""),
        ("east", "100", "\"25.50\""),
        ("west", "0", "\"25.50\""),
        ("central", "7", "\"9.00\""),
        (" central ", "7", "\"99.00\""),
        ("\"east\"", "1", "\"99.00\""),
    ] {
        let facts = format!(r#"{{"region": {}, "kg": "{kg}"}}"#, serde_json::Value::from(region));
        assert_eq!(x(&p, &facts), want, "{region} {kg} kg");
    }
}

#[test]
fn a_record_result_takes_one_column_per_field() {
    let csv = "tier,days,fee,note\ngold,30,0,免费\nsilver,14,5.00,\"收费, 5 元\"\n";
    let p = load(
        "input { tier: text }\ntable terms(tier: text) -> { days: int, fee: money, note: text } from \"terms.csv\"\noutput x = terms(tier)\n",
        &[("terms.csv", csv)],
    )
    .unwrap();
    assert_eq!(x(&p, r#"{"tier": "gold"}"#), r#"{"days":30,"fee":"0.00","note":"免费"}"#);
    assert_eq!(x(&p, r#"{"tier": "silver"}"#), r#"{"days":14,"fee":"5.00","note":"收费, 5 元"}"#);
    assert_eq!(p.table_csv("terms").unwrap(), "tier,days,fee,note\ngold,30,0.00,免费\nsilver,14,5.00,\"收费, 5 元\"\n");
}

/// Each mistake, named in the CSV file at its line and column.
#[test]
fn every_csv_mistake_is_named_at_its_line_and_column() {
    let body = "input { region: text, kg: decimal }\ntable rate(region: text, kg: decimal) -> money from \"rates.csv\"\noutput x = rate(region, kg)\n";
    let cases: [(&str, &str); 9] = [
        ("", "error[csv-table] t.tenet:5:53: the CSV file rates.csv is empty"),
        (
            "region,weight,rate\n",
            "error[csv-table] rates.csv:1:8: column 2 of the header is `weight`, where `kg` is expected",
        ),
        ("region,kg\n", "error[csv-table] rates.csv:1:1: the header has 2 column(s), the table needs 3"),
        ("region,kg,rate\nnorth,1\n", "error[csv-table] rates.csv:2:1: line 2 has 2 column(s), the header 3"),
        (
            "region,kg,rate\nnorth,LIMIT,1\n",
            "error[csv-table] rates.csv:2:7: `LIMIT` in column `kg` on line 2 is not a value: a CSV holds values, not calculations or names",
        ),
        (
            "region,kg,rate\nnorth,1,kg * 2\n",
            "error[csv-table] rates.csv:2:9: `kg * 2` in column `rate` on line 2 is not a value: a CSV holds values, not calculations or names",
        ),
        ("region,kg,rate\nnorth,\"[0..5\",1\n", "error[csv-table] rates.csv:2:13: line 2, column `kg`: expected"),
        ("region,kg,rate\nnorth,1,\n", "error[csv-table] rates.csv:2:9: `rate` is empty on line 2"),
        (
            "region,kg,rate\notherwise,,1\nnorth,1,2\n",
            "error[csv-table] rates.csv:2:1: the otherwise on line 2 is not the last line",
        ),
    ];
    for (csv, want) in cases {
        // The same places whether the lines end in LF or, as spreadsheets write them, CRLF.
        for csv in [csv.to_owned(), csv.replace('\n', "\r\n")] {
            let got = load(body, &[("rates.csv", &csv)]).err().unwrap_or_default();
            assert!(got.iter().any(|d| d.starts_with(want)), "for {csv:?} want {want}\ngot {got:#?}");
        }
    }
    let missing = load(body, &[]).err().unwrap_or_default();
    assert!(
        missing
            .iter()
            .any(|d| d.starts_with("error[csv-table] t.tenet:5:53: cannot read the table's CSV file rates.csv")),
        "{missing:#?}"
    );
    // A type mistake is the checker's usual one, pointed into the CSV.
    let typed = load(body, &[("rates.csv", "region,kg,rate\nnorth,\"\"\"x\"\"\",1\n")]).err().unwrap_or_default();
    assert!(typed.iter().any(|d| d.starts_with("error[type-mismatch] rates.csv:2:8")), "{typed:#?}");
    // Overlapping rows are warned about with their places in the CSV.
    let p = load(body, &[("rates.csv", "region,kg,rate\nnorth,[0..2],1\nnorth,[1..5],2\n")]).unwrap();
    let warnings: Vec<String> = p.warnings().iter().map(|d| format!("{d:?}")).collect();
    // Rows are named by their lines in the CSV (a blank line skipped), as the file shows them.
    assert!(
        warnings.iter().any(|d| d.starts_with("warning[table-overlap] rates.csv:3:1: lines 2 and 3 can both match")),
        "{warnings:#?}"
    );
    let p = load(body, &[("rates.csv", "region,kg,rate\nnorth,[0..2],1\n\nnorth,[1..5],2\n")]).unwrap();
    let warnings: Vec<String> = p.warnings().iter().map(|d| format!("{d:?}")).collect();
    assert!(warnings.iter().any(|d| d.contains("rates.csv:4:1: lines 2 and 4 can both match")), "{warnings:#?}");
}

#[test]
fn export_refuses_what_a_csv_cannot_hold_and_names_the_row() {
    let p = load(
        "input { a: int }\ntable t(a: int) -> int hit first {\n  1 => 10,\n  _ => a * 2\n}\noutput x = t(a)\n",
        &[],
    )
    .unwrap();
    let e = p.table_csv("t").unwrap_err().to_string();
    assert!(e.contains("row 2 of table `t`"), "{e}");
    let e = p.table_csv("nope").unwrap_err().to_string();
    assert!(e.contains("no table `nope`") && e.contains("t"), "{e}");
}

/// Texts that a spreadsheet holds and a CSV must carry exactly: commas, quotes, spaces
/// around, the words and signs a cell starts with, braces, Chinese, nothing.
const TEXTS: [&str; 12] =
    ["north", "a,b", "say \"hi\"", " padded", "_", "-", "otherwise", "not(x)", "{x}", "东区", "in a", "< 5"];

fn lit(t: &str) -> String {
    serde_json::to_string(t).unwrap().replace('{', "{{").replace('}', "}}")
}

fn text_cell() -> impl Strategy<Value = String> {
    let t = || (0..TEXTS.len()).prop_map(|i| lit(TEXTS[i]));
    prop_oneof![
        Just("_".to_owned()),
        t(),
        (t(), t()).prop_map(|(a, b)| format!("{a} or {b}")),
        (t(), t()).prop_map(|(a, b)| format!("in [{a}, {b}]")),
        t().prop_map(|v| format!("not({v})")),
        t().prop_map(|v| format!("!= {v}")),
    ]
}

fn int_cell() -> impl Strategy<Value = String> {
    let n = || -5i64..20;
    prop_oneof![
        Just("_".to_owned()),
        Just("-".to_owned()),
        n().prop_map(|v| v.to_string()),
        (prop_oneof![Just("<"), Just("<="), Just(">"), Just(">="), Just("!=")], n())
            .prop_map(|(op, v)| format!("{op} {v}")),
        (n(), 0i64..6, any::<bool>(), any::<bool>()).prop_map(|(lo, w, a, b)| format!(
            "{}{lo}..{}{}",
            if a { "[" } else { "(" },
            lo + w,
            if b { "]" } else { ")" }
        )),
        (n(), n()).prop_map(|(a, b)| format!("not in [{a}, {b}]")),
        (n(), n()).prop_map(|(a, b)| format!("< {a} or >= {b}")),
    ]
}

fn date_cell() -> impl Strategy<Value = String> {
    let d = || (1u32..28).prop_map(|day| format!("2026-02-{day:02}"));
    prop_oneof![
        Just("_".to_owned()),
        d(),
        (d(), d()).prop_map(|(a, b)| format!("[{a}..{b}]")),
        d().prop_map(|v| format!(">= {v}"))
    ]
}

fn result() -> impl Strategy<Value = String> {
    prop_oneof![
        (-500i64..5000).prop_map(|c| format!("{}.{:02}", c / 100, (c % 100).abs()).replace("0.-", "-0.")),
        (0i64..90).prop_map(|n| n.to_string()),
    ]
}

fn table() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((text_cell(), int_cell(), date_cell(), result(), (0..TEXTS.len())), 1..24),
        prop_oneof![Just("first"), Just("collect"), Just("unique")],
        proptest::option::of(result()),
    )
        .prop_map(|(rows, hit, otherwise)| {
            let mut text = format!("table t(s: text, n: int, d: date) -> {{ fee: money, label: text }} hit {hit} {{\n");
            for (s, n, d, r, label) in rows {
                text.push_str(&format!("  {s}, {n}, {d} => {{ fee: {r}, label: {} }},\n", lit(TEXTS[label])));
            }
            if let Some(o) = otherwise {
                text.push_str(&format!("  otherwise => {{ fee: {o}, label: \"none\" }}\n"));
            }
            text.push_str("}\n");
            text
        })
}

fn facts() -> impl Strategy<Value = String> {
    (proptest::option::of(0..TEXTS.len() + 1), proptest::option::of(-6i64..21), proptest::option::of(1u32..29))
        .prop_map(|(s, n, d)| {
            let mut m = serde_json::Map::new();
            if let Some(s) = s {
                m.insert("s".into(), TEXTS.get(s).copied().unwrap_or("south").into());
            }
            if let Some(n) = n {
                m.insert("n".into(), n.into());
            }
            if let Some(d) = d {
                m.insert("d".into(), format!("2026-02-{d:02}").into());
            }
            serde_json::Value::Object(m).to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_table_exported_and_read_back_from_csv_answers_the_same(table in table(), calls in prop::collection::vec(facts(), 1..10)) {
        let io = "input { s: text?, n: int?, d: date? }\n";
        let Ok(written) = load(&format!("{io}{table}output x = t(s, n, d)\n"), &[]) else {
            // A table the checker refuses (overlapping rows of a unique table) has nothing
            // to compare.
            return Ok(());
        };
        let csv = written.table_csv("t").unwrap();
        let declared = table.lines().next().unwrap().trim_end_matches(" {");
        let from = load(&format!("{io}{declared} from \"t.csv\"\noutput x = t(s, n, d)\n"), &[("t.csv", &csv)]);
        let from = match from {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{table}\n{csv}\n{e:#?}"))),
        };
        prop_assert_eq!(from.table_csv("t").unwrap(), csv.clone(), "exported again");
        // Saved by a spreadsheet, with CRLF line ends.
        let crlf = csv.replace('\n', "\r\n");
        let from_crlf = load(&format!("{io}{declared} from \"t.csv\"\noutput x = t(s, n, d)\n"), &[("t.csv", &crlf)]);
        let from_crlf = match from_crlf {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("CRLF:\n{table}\n{csv}\n{e:#?}"))),
        };
        for f in &calls {
            prop_assert_eq!(x(&written, f), x(&from, f), "{}\n{}\nfacts {}", table, csv, f);
            prop_assert_eq!(x(&written, f), x(&from_crlf, f), "CRLF {}\n{}\nfacts {}", table, csv, f);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever bytes a CSV holds, loading never panics, and every diagnostic about it
    /// points inside it (a span within the file, on one of its lines).
    #[test]
    fn any_csv_is_read_or_refused_at_a_place_in_it(csv in "[a-c0-9,\"\\r\\n\\[\\]().<>=_ 东-]{0,120}") {
        let body = "input { s: text, n: int }\ntable t(s: text, n: int) -> int hit first from \"t.csv\"\noutput x = t(s, n)\n";
        let header = format!("s,n,t\n{csv}");
        for text in [csv.clone(), header] {
            let resolve = resolver([("t.csv".to_owned(), text.clone())].into());
            let file = SourceFile::new("t.tenet", format!("{HEADER}{body}"));
            if let Err(e) = Policy::from_source_with(&file, &resolve) {
                for d in e.diagnostics() {
                    let Some(f) = &d.file else { continue };
                    if f.name() != "t.csv" {
                        continue;
                    }
                    let span = d.primary.as_ref().map(|l| l.span).unwrap_or_default();
                    prop_assert!(span.start <= span.end && span.end <= text.len(), "{d:?} {span:?} in {text:?}");
                    prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{d:?} {span:?}");
                }
            }
        }
    }
}
