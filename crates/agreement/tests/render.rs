//! The agreement: full documents in both languages and formats (snapshotted), clause 4
//! following the SLA policy, and every kind of bad input named by its path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenet::source::SourceFile;
use tenet_agreement::{self as render, Blame, DocFormat, DocLang, Options, RenderError};

fn example() -> PathBuf {
    support::root().join("examples/agreements/ts-2026-0042.yaml")
}

fn source(path: &Path) -> Arc<SourceFile> {
    tenet::source::read_source(path).expect("readable")
}

fn render(path: &Path, lang: DocLang, format: DocFormat) -> String {
    let options = Options { lang: Some(lang), format, final_copy: false };
    match render::render(&source(path), options) {
        Ok(d) => d.text,
        Err(e) => panic!("{:#?}", e.diagnostics),
    }
}

fn failure(text: &str, final_copy: bool) -> RenderError {
    // Written next to the example so that `sla: rules/support_sla.tenet` resolves.
    let name = support::root().join("examples/agreements/bad.yaml");
    let file = SourceFile::new(name.display().to_string(), text.to_owned());
    let options = Options { lang: None, format: DocFormat::Markdown, final_copy };
    render::render(&file, options).expect_err("must fail")
}

fn example_text() -> String {
    std::fs::read_to_string(example()).expect("example")
}

#[test]
fn full_documents() {
    for (lang, format, name) in [
        (DocLang::Zh, DocFormat::Markdown, "zh_md"),
        (DocLang::En, DocFormat::Markdown, "en_md"),
        (DocLang::Zh, DocFormat::Html, "zh_html"),
        (DocLang::En, DocFormat::Html, "en_html"),
    ] {
        let text = render(&example(), lang, format);
        insta::with_settings!({ snapshot_suffix => name, description => "examples/agreements/ts-2026-0042.yaml", omit_expression => true }, {
            insta::assert_snapshot!(text);
        });
    }
}

#[test]
fn ten_numbered_clauses_in_each_language() {
    let zh = render(&example(), DocLang::Zh, DocFormat::Markdown);
    let ordinals = ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条", "第九条", "第十条"];
    let headings: Vec<&str> = zh.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(headings.len(), 10);
    for (h, o) in headings.iter().zip(ordinals) {
        assert!(h.starts_with(o), "{h}");
    }
    let en = render(&example(), DocLang::En, DocFormat::Markdown);
    let headings: Vec<&str> = en.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(headings.first().copied(), Some("Article 1 Parties"));
    assert_eq!(headings.last().copied(), Some("Article 10 Dispute Resolution"));
    assert!(zh.contains("人民币伍万元整（¥50,000.00）"));
    assert!(en.contains("CNY 50,000.00"));
    assert!(zh.contains("2026年1月1日") && en.contains("1 January 2026"));
}

/// Chinese text puts no space between two Chinese characters (a space beside a figure or
/// a Latin word is the usual style; `第一条 协议双方基本信息` headings are the exception).
#[test]
fn chinese_text_has_no_space_between_chinese_characters() {
    fn chinese(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c) || "（）。，；：、《》“”".contains(c)
    }
    let zh = render(&example(), DocLang::Zh, DocFormat::Markdown);
    let mut gaps = Vec::new();
    for line in zh.lines().filter(|l| !l.starts_with("## ")) {
        let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
        for pair in words.windows(2) {
            let (Some(a), Some(b)) = (pair[0].chars().last(), pair[1].chars().next()) else { continue };
            if chinese(a) && chinese(b) {
                gaps.push(format!("{} {}", pair[0], pair[1]));
            }
        }
    }
    assert!(gaps.is_empty(), "spaces between Chinese characters: {gaps:?}");
}

#[test]
fn a_draft_is_marked_and_a_final_copy_is_refused_before_signing() {
    let zh = render(&example(), DocLang::Zh, DocFormat::Markdown);
    assert!(zh.contains("草案"), "status review is before signed");
    let e = failure(&example_text(), true);
    assert_eq!(e.blame, Blame::Data);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("status"));
    // Signed, but the signing date missing: still refused, naming the field.
    let signed = example_text().replace("status: review", "status: signed").replace("  date: 2026-01-01\n", "");
    let e = failure(&signed, true);
    let paths: Vec<&str> = e.diagnostics.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["signing.date"]);
    // Signed and complete: no mark, and --final renders.
    let complete = example_text().replace("status: review", "status: performing");
    let name = support::root().join("examples/agreements/final.yaml");
    let file = SourceFile::new(name.display().to_string(), complete);
    let doc = render::render(&file, Options { lang: None, format: DocFormat::Markdown, final_copy: true })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(!doc.draft && !doc.text.contains("草案"));
}

#[test]
fn bad_agreement_data_names_each_path() {
    let text = example_text()
        .replace("notice_days: 30", "notice_dayz: 30")
        .replace("due_day: 10", "due_day: ten")
        .replace("  venue: 上海国际经济贸易仲裁委员会\n", "")
        .replace("status: review", "status: reveiw");
    let e = failure(&text, false);
    assert_eq!(e.blame, Blame::Data);
    let paths: Vec<&str> = e.diagnostics.iter().filter_map(|d| d.path.as_deref()).collect();
    assert!(paths.contains(&"termination.notice_dayz"), "{paths:?}");
    assert!(paths.contains(&"fees.payment.due_day"), "{paths:?}");
    assert!(paths.contains(&"disputes.venue"), "{paths:?}");
    let unknown =
        e.diagnostics.iter().find(|d| d.path.as_deref() == Some("termination.notice_dayz")).expect("unknown key");
    assert!(unknown.help.as_ref().is_some_and(|h| h.en.contains("notice_days")), "did-you-mean");
    // With the schema satisfied, a status that is not a signing stage is named too.
    let e = failure(&example_text().replace("status: review", "status: reveiw"), false);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("status"));
    assert!(e.diagnostics[0].help.as_ref().is_some_and(|h| h.en.contains("did you mean `review`?")));
    // A currency the contract cannot write is refused, not ignored.
    let e = failure(&example_text().replace("currency: CNY", "currency: USD"), false);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("fees.currency"));
    assert!(e.diagnostics[0].message.en.contains("USD"), "{:?}", e.diagnostics[0].message);
    // An SLA policy that does not exist.
    let e = failure(&example_text().replace("rules/support_sla.tenet", "rules/nope.tenet"), false);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("sla"));
}

/// Copies the bundled policies and the example into a temporary folder, with `edit`
/// applied to the SLA policy.
fn edited_copy(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(rules.join("calendars")).expect("mkdir");
    let root = support::root().join("rules");
    for name in ["signing.tenet", "calendars/cn-2025.yaml", "calendars/cn-2026.yaml"] {
        std::fs::copy(root.join(name), rules.join(name)).expect("copy");
    }
    let sla = std::fs::read_to_string(root.join("support_sla.tenet")).expect("sla");
    std::fs::write(rules.join("support_sla.tenet"), edit(sla)).expect("write");
    let data = dir.join("agreement.yaml");
    std::fs::write(&data, example_text()).expect("write");
    data
}

fn clause_4(text: &str) -> String {
    let start = text.find("## 第四条").expect("clause 4");
    let end = text.find("## 第五条").expect("clause 5");
    text[start..end].to_owned()
}

#[test]
fn clause_4_follows_the_policy() {
    let dir = std::env::temp_dir().join(format!("tenet-render-{}", std::process::id()));
    let before = clause_4(&render(&edited_copy(&dir.join("a"), |s| s), DocLang::Zh, DocFormat::Markdown));
    let edited = edited_copy(&dir.join("b"), |s| {
        s.replace(r#""P1" => { response: 30 minutes"#, r#""P1" => { response: 20 minutes"#)
            .replace("const credit_cap = 25%", "const credit_cap = 30%")
    });
    let after = clause_4(&render(&edited, DocLang::Zh, DocFormat::Markdown));
    assert!(before.contains("| P1 | 30 分钟 |") && before.contains("月服务费的 25% 为上限"), "{before}");
    assert!(after.contains("| P1 | 20 分钟 |"), "{after}");
    assert!(after.contains("月服务费的 30% 为上限"), "{after}");
    assert!(!after.contains("30 分钟") && !after.contains("25%"), "{after}");
    let en = render(&edited, DocLang::En, DocFormat::Markdown);
    assert!(en.contains("| P1 | 20 minutes |") && en.contains("capped at 30% of the monthly fee"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_escapes_data() {
    let text = example_text().replace("name: 上海云帆电子商务有限公司", "name: \"<script>alert(1)</script> & Co\"");
    let name = support::root().join("examples/agreements/escape.yaml");
    let file = SourceFile::new(name.display().to_string(), text);
    let doc = render::render(&file, Options { lang: Some(DocLang::En), format: DocFormat::Html, final_copy: false })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(!doc.text.contains("<script>"));
    assert!(doc.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(doc.text.starts_with("<!DOCTYPE html>") && doc.text.contains("@page { size: A4"));
}

/// Data is text, never Markdown: a `|` does not cut the signature table, a line break and
/// `##` do not add a clause, `*`, `` ` `` and `[…](javascript:…)` stay literal, and
/// `<script>` never reaches the page — in Markdown and in HTML.
#[test]
fn data_cannot_become_markdown() {
    let evil = "A|B 公司 **粗体** `code` [点我](javascript:alert(1))\\n\\n## 第十一条 额外条款\\n<script>x</script>";
    let text = example_text().replace("name: 上海云帆电子商务有限公司", &format!("name: \"{evil}\""));
    let name = support::root().join("examples/agreements/evil.yaml");
    let file = SourceFile::new(name.display().to_string(), text);
    let md = render::render(&file, Options { lang: Some(DocLang::Zh), format: DocFormat::Markdown, final_copy: false })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
        .text;
    // Still ten clauses, and no eleventh heading.
    assert_eq!(md.lines().filter(|l| l.starts_with("## ")).count(), 10, "{md}");
    assert!(!md.lines().any(|l| l.starts_with("## 第十一条")));
    // Every table row keeps its column count: the `|` of the name is escaped.
    for line in md.lines().filter(|l| l.starts_with('|') && l.contains("A\\|B")) {
        assert!(line.contains("A\\|B"), "{line}");
    }
    let html = render::render(&file, Options { lang: Some(DocLang::Zh), format: DocFormat::Html, final_copy: false })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
        .text;
    assert!(!html.contains("<script>") && !html.contains("javascript:alert(1)\""), "no script, no link");
    assert!(!html.contains("href=\"javascript"), "no javascript link");
    assert!(!html.contains("<strong>粗体</strong>") && !html.contains("<code>code</code>"));
    assert!(
        html.contains(
            "A|B 公司 **粗体** `code` [点我](javascript:alert(1)) ## 第十一条 额外条款 &lt;script&gt;x&lt;/script&gt;"
        ),
        "shown as written, on one line"
    );
    assert_eq!(html.matches("<h2").count(), 10);
}

/// Nonsense that used to render is refused by `rules/agreement.tenet`, each error at its
/// data path; a doubtful value is a warning that a draft shows and `--final` refuses.
#[test]
fn data_that_makes_no_sense_is_refused() {
    let cases = [
        ("end: 2026-12-31", "end: 2025-06-30", "term.end"),
        ("monthly: \"50000.00\"", "monthly: \"-50000.00\"", "fees.monthly"),
        ("due_day: 10", "due_day: 31", "fees.payment.due_day"),
        ("due_day: 10", "due_day: -5", "fees.payment.due_day"),
        ("years_after_termination: 3", "years_after_termination: -3", "confidentiality.years_after_termination"),
        ("late_payment_daily_rate: 0.05%", "late_payment_daily_rate: 5%", "breach.late_payment_daily_rate"),
        ("currency: CNY", "currency: USD", "fees.currency"),
    ];
    for (from, to, path) in cases {
        let text = example_text();
        assert!(text.contains(from), "{from}");
        let e = failure(&text.replace(from, to), false);
        assert_eq!(e.blame, render::Blame::Data);
        assert!(
            e.diagnostics.iter().any(|d| d.path.as_deref() == Some(path) && d.code == "agreement-check"),
            "{to}: {:?}",
            e.diagnostics
        );
    }
    // 0.08% a day: above the usual, within bounds — the draft renders with a warning…
    let text = example_text().replace("late_payment_daily_rate: 0.05%", "late_payment_daily_rate: 0.08%");
    let name = support::root().join("examples/agreements/doubtful.yaml");
    let file = SourceFile::new(name.display().to_string(), text.clone());
    let doc = render::render(&file, Options { lang: None, format: DocFormat::Markdown, final_copy: false }).unwrap();
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].path.as_deref(), Some("breach.late_payment_daily_rate"));
    // …and a final copy is refused until it is settled.
    let signed = text.replace("status: review", "status: signed");
    let e = failure(&signed, true);
    assert!(
        e.diagnostics.iter().any(|d| d.path.as_deref() == Some("breach.late_payment_daily_rate") && d.is_error()),
        "{:?}",
        e.diagnostics
    );
}

/// A draft carries no signing date, whatever the data says; the signed copy does.
#[test]
fn a_draft_has_no_signing_date() {
    let draft = render(&example(), DocLang::Zh, DocFormat::Markdown);
    let signing = draft.split("授权代表").nth(1).expect("the signature table");
    assert!(signing.contains("______年____月____日") && !signing.contains("2026年1月1日"), "{signing}");
    let text = example_text().replace("status: review", "status: signed");
    let name = support::root().join("examples/agreements/signed.yaml");
    let file = SourceFile::new(name.display().to_string(), text);
    let signed =
        render::render(&file, Options { lang: Some(DocLang::En), format: DocFormat::Markdown, final_copy: true })
            .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
            .text;
    assert!(signed.split("Authorised representative").nth(1).is_some_and(|t| t.contains("1 January 2026")), "{signed}");
}
