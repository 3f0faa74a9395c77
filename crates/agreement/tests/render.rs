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
    let options = Options { lang: Some(lang), format, ..Options::default() };
    match render::render(&source(path), options) {
        Ok(d) => d.text,
        Err(e) => panic!("{:#?}", e.diagnostics),
    }
}

fn failure(text: &str, final_copy: bool) -> RenderError {
    // Written next to the example so that `sla: rules/support_sla.tenet` resolves.
    let name = support::root().join("examples/agreements/bad.yaml");
    let file = SourceFile::new(name.display().to_string(), text.to_owned());
    let options = Options { final_copy, ..Options::default() };
    render::render(&file, options).expect_err("must fail")
}

fn example_text() -> String {
    std::fs::read_to_string(example()).expect("example")
}

/// The example with a stage (and a signing date) written into the data, as a user without
/// a signing history would.
fn with_status(status: &str, date: Option<&str>) -> String {
    let mut text = example_text().replace("language: zh\n", &format!("language: zh\nstatus: {status}\n"));
    if let Some(date) = date {
        text = text.replace("  place: 上海\n", &format!("  place: 上海\n  date: {date}\n"));
    }
    text
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
    assert!(zh.contains("草案"), "no stage and no signing history: a draft");
    let e = failure(&example_text(), true);
    assert_eq!(e.blame, Blame::Data);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("status"));
    let e = failure(&with_status("review", None), true);
    assert!(e.diagnostics[0].message.en.contains("`review`"), "{:?}", e.diagnostics[0]);
    // Signed, but the signing date missing: still refused, naming the field.
    let e = failure(&with_status("signed", None), true);
    let paths: Vec<&str> = e.diagnostics.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["signing.date"]);
    // Signed and complete: no mark, and --final renders.
    let complete = with_status("performing", Some("2025-12-08"));
    let name = support::root().join("examples/agreements/final.yaml");
    let file = SourceFile::new(name.display().to_string(), complete);
    let doc = render::render(&file, Options { final_copy: true, ..Options::default() })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(!doc.draft && !doc.text.contains("草案"));
}

#[test]
fn bad_agreement_data_names_each_path() {
    let text = example_text()
        .replace("notice_days: 30", "notice_dayz: 30")
        .replace("due_day: 10", "due_day: ten")
        .replace("  venue: 上海国际经济贸易仲裁委员会\n", "")
        .replace("language: zh\n", "language: zh\nstatus: reveiw\n");
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
    let e = failure(&with_status("reveiw", None), false);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("status"));
    assert!(e.diagnostics[0].help.as_ref().is_some_and(|h| h.en.contains("did you mean `review`?")));
    // A currency the contract cannot write is refused, not ignored.
    let e = failure(&example_text().replace("currency: CNY", "currency: JPY"), false);
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("fees.currency"));
    assert!(e.diagnostics[0].message.en.contains("JPY"), "{:?}", e.diagnostics[0].message);
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
    // The English version shows the English name.
    let text = example_text()
        .replace("name_en: Shanghai Yunfan E-Commerce Co., Ltd.", "name_en: \"<script>alert(1)</script> & Co\"");
    let name = support::root().join("examples/agreements/escape.yaml");
    let file = SourceFile::new(name.display().to_string(), text);
    let doc = render::render(
        &file,
        Options { lang: Some(DocLang::En), format: DocFormat::Html, final_copy: false, ..Options::default() },
    )
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
    let md = render::render(
        &file,
        Options { lang: Some(DocLang::Zh), format: DocFormat::Markdown, final_copy: false, ..Options::default() },
    )
    .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
    .text;
    // Still ten clauses, and no eleventh heading.
    assert_eq!(md.lines().filter(|l| l.starts_with("## ")).count(), 10, "{md}");
    assert!(!md.lines().any(|l| l.starts_with("## 第十一条")));
    // Every table row keeps its column count: the `|` of the name is escaped.
    for line in md.lines().filter(|l| l.starts_with('|') && l.contains("A\\|B")) {
        assert!(line.contains("A\\|B"), "{line}");
    }
    let html = render::render(
        &file,
        Options { lang: Some(DocLang::Zh), format: DocFormat::Html, final_copy: false, ..Options::default() },
    )
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
        ("currency: CNY", "currency: JPY", "fees.currency"),
        ("tax_rate: 6%", "tax_rate: 60%", "fees.invoice.tax_rate"),
        ("handover_days: 15", "handover_days: -1", "termination.handover_days"),
        (
            "breach_notice_hours: 24",
            "breach_notice_hours: 0",
            "confidentiality.personal_information.breach_notice_hours",
        ),
        ("change_notice_days: 5", "change_notice_days: -5", "notices.change_notice_days"),
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
    let doc = render::render(
        &file,
        Options { lang: None, format: DocFormat::Markdown, final_copy: false, ..Options::default() },
    )
    .unwrap();
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].path.as_deref(), Some("breach.late_payment_daily_rate"));
    // …and a final copy is refused until it is settled.
    let signed = text.replace("language: zh\n", "language: zh\nstatus: signed\n");
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
    let text = with_status("signed", Some("2026-01-01"));
    let name = support::root().join("examples/agreements/signed.yaml");
    let file = SourceFile::new(name.display().to_string(), text);
    let signed = render::render(
        &file,
        Options { lang: Some(DocLang::En), format: DocFormat::Markdown, final_copy: true, ..Options::default() },
    )
    .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
    .text;
    assert!(signed.split("authorised representative").nth(1).is_some_and(|t| t.contains("1 January 2026")), "{signed}");
}

fn render_text(text: &str, options: Options) -> Result<render::Document, RenderError> {
    let name = support::root().join("examples/agreements/variant.yaml");
    render::render(&SourceFile::new(name.display().to_string(), text.to_owned()), options)
}

fn zh_md(text: &str) -> String {
    let options = Options { lang: Some(DocLang::Zh), ..Options::default() };
    render_text(text, options).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics)).text
}

fn clause(text: &str, heading: &str) -> String {
    let start = text.find(heading).expect("the clause");
    let rest = &text[start + heading.len()..];
    let end = rest.find("\n## ").or_else(|| rest.find("\n---")).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// `templates/CONTEXT.md` is what the code declares: regenerate it with
/// `tenet render --context-reference > templates/CONTEXT.md` when this fails.
#[test]
fn the_context_reference_is_current() {
    let file = std::fs::read_to_string(support::root().join("templates/CONTEXT.md")).expect("CONTEXT.md");
    assert_eq!(file, render::context_reference().expect("reference"), "templates/CONTEXT.md is stale");
    let files = render::template_files().expect("files");
    assert_eq!(files.len(), render::TEMPLATES.len() + 1);
    assert!(file.contains("`agreement.party_a.credit_code`") && file.contains("`sla.consts.resolution_target`"));
}

/// `--templates DIR`: a file there replaces its bundled namesake, the rest fall back; a
/// template reading a name the context lacks is refused, naming the template and the name.
#[test]
fn templates_can_be_replaced_and_are_checked() {
    let dir = std::env::temp_dir().join(format!("tenet-templates-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("zh")).expect("mkdir");
    let fees = render::TEMPLATES.iter().find(|(n, _)| *n == "zh/fees.md.j2").expect("bundled").1;
    std::fs::write(dir.join("zh/fees.md.j2"), fees.replace("技术支持服务费为每月", "本协议的服务费为每月"))
        .expect("write");
    let options = Options { lang: Some(DocLang::Zh), templates: Some(dir.clone()), ..Options::default() };
    let doc = render_text(&example_text(), options.clone()).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(doc.text.contains("1. 本协议的服务费为每月人民币伍万元整"), "the replaced template is used");
    assert!(doc.text.contains("## 第十条 争议解决"), "the others fall back to the bundled set");
    // A misspelt data path: named with the template's file and a suggestion.
    std::fs::write(
        dir.join("zh/fees.md.j2"),
        fees.replace("{{ fees.monthly|money }}", "{{ agreement.fees.montly|money }}"),
    )
    .expect("write");
    let e = render_text(&example_text(), options.clone()).expect_err("refused");
    assert_eq!(e.blame, Blame::Template);
    let d = &e.diagnostics[0];
    assert!(d.message.en.contains("zh/fees.md.j2") && d.message.en.contains("`agreement.fees.montly`"), "{d:?}");
    assert!(d.help.as_ref().is_some_and(|h| h.en.contains("did you mean `monthly`?")), "{d:?}");
    // The same typo through the template's own alias (`{% set fees = agreement.fees %}`) is
    // found when the templates load, on its own line, with the full path behind the alias.
    let line = fees.lines().position(|l| l.contains("{{ fees.monthly|money }}")).expect("the fee line") + 1;
    std::fs::write(dir.join("zh/fees.md.j2"), fees.replace("{{ fees.monthly|money }}", "{{ fees.montly|money }}"))
        .expect("write");
    let e = render_text(&example_text(), options.clone()).expect_err("refused");
    assert_eq!(e.blame, Blame::Template);
    assert_eq!(e.diagnostics.len(), 1, "{:#?}", e.diagnostics);
    let d = &e.diagnostics[0];
    assert!(d.message.en.contains(&format!("zh/fees.md.j2:{line}")), "{d:?}");
    assert!(d.message.en.contains("fees.montly") && d.message.en.contains("agreement.fees.montly"), "{d:?}");
    assert!(d.help.as_ref().is_some_and(|h| h.en.contains("did you mean `monthly`?")), "{d:?}");
    // A name that is nowhere in the context, and an SLA part no policy declares.
    std::fs::write(dir.join("zh/fees.md.j2"), "{{ customer }} {{ sla.tables.penalties.rows }}").expect("write");
    let e = render_text(&example_text(), options).expect_err("refused");
    let names: Vec<&str> = e.diagnostics.iter().map(|d| d.message.en.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().any(|m| m.contains("`customer`"))
            && names.iter().any(|m| m.contains("`sla.tables.penalties.rows`"))
    );
    // A folder that is not there.
    let missing = Options { templates: Some(dir.join("nope")), ..Options::default() };
    assert_eq!(render_text(&example_text(), missing).expect_err("refused").blame, Blame::Template);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An SLA policy without what clause 4 reads is the policy's problem, named as such —
/// it used to pass `tenet check` and then fail blaming the agreement data.
#[test]
fn an_sla_policy_without_clause_4_parts_is_blamed() {
    let dir = std::env::temp_dir().join(format!("tenet-interface-{}", std::process::id()));
    let data = edited_copy(&dir, |s| s.replace("resolution_target", "target_rate"));
    assert!(tenet::Policy::load(dir.join("rules/support_sla.tenet")).is_ok(), "the policy itself is fine");
    let e = render::render(&source(&data), Options::default()).expect_err("refused");
    assert_eq!(e.blame, Blame::Policy);
    let d = &e.diagnostics[0];
    assert_eq!(d.code, "sla-interface");
    assert!(d.message.en.contains("support_sla.tenet") && d.message.en.contains("`consts.resolution_target`"), "{d:?}");
    assert!(d.path.is_none(), "no data path: the data is not at fault");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The data a Chinese contract carries: the credit code checked, the currency written in
/// its own words, English names in the English version.
#[test]
fn chinese_contract_data() {
    let e = failure(&example_text().replace("91310115MA1K4QWE23", "91310115MA1K4QWE24"), false);
    let d = e.diagnostics.iter().find(|d| d.path.as_deref() == Some("party_a.credit_code")).expect("checked");
    assert!(d.message.en.contains("should be '3'"), "{d:?}");
    let e = failure(&example_text().replace("91330106MA2CFG7H5Y", "91330106MA2CFG7H5"), false);
    assert!(e.diagnostics.iter().any(|d| d.path.as_deref() == Some("party_b.credit_code")));
    let usd = example_text().replace("currency: CNY", "currency: USD");
    assert!(zh_md(&usd).contains("每月美元伍万元整（US$50,000.00）"));
    let en = render_text(&usd, Options { lang: Some(DocLang::En), ..Options::default() }).expect("renders").text;
    assert!(en.contains("USD 50,000.00 per month") && en.contains("Shanghai Yunfan E-Commerce Co., Ltd."));
    assert!(en.contains("100 Century Avenue") && !en.contains("世纪大道"), "the English address");
    // An English document without English names: the Chinese shows, with a warning.
    let text = example_text()
        .replace("language: zh", "language: en")
        .replace("  name_en: Shanghai Yunfan E-Commerce Co., Ltd.\n", "");
    let doc = render_text(&text, Options::default()).expect("renders");
    assert!(doc.text.contains("上海云帆电子商务有限公司"));
    assert!(doc.warnings.iter().any(|w| w.path.as_deref() == Some("party_a.name_en")), "{:?}", doc.warnings);
    let zh = zh_md(&example_text());
    assert!(zh.contains("统一社会信用代码：91310115MA1K4QWE23") && zh.contains("法定代表人：陈立"));
    assert!(zh.contains("开户许可证核准号：J3310000000001"), "extra fields");
    assert!(zh.contains("开具合法有效的增值税专用发票，税率 6%") && zh.contains("支付上月的服务费"));
    let advance = example_text().replace("timing: arrears", "timing: advance");
    assert!(zh_md(&advance).contains("预付当月的服务费"));
}

/// The clauses legal asks for, with the optional ones switched by the data and the
/// sub-items renumbered.
#[test]
fn optional_clauses_follow_the_data() {
    let full = zh_md(&example_text());
    let confidentiality = clause(&full, "## 第六条 保密条款");
    assert!(confidentiality.contains("3. 个人信息保护") && confidentiality.contains("在 24 小时内书面通知甲方"));
    assert!(clause(&full, "## 第八条 协议变更和终止").contains("4. 移交与数据返还：本协议终止之日起 15 日内"));
    assert!(clause(&full, "## 第九条 违约责任").contains("4. 不可抗力") && full.contains("应在 5 日内通知对方"));
    let disputes = clause(&full, "## 第十条 争议解决");
    assert!(
        disputes.contains("协商不成的，任何一方可以申请上海经贸商事调解中心调解；自申请调解之日起 30 日内调解不成的")
    );
    assert!(
        clause(&full, "## 第一条 协议双方基本信息").contains("通知与送达") && full.contains("应提前 5 日书面通知对方")
    );
    let bare = example_text()
        .replace("  personal_information:            # 乙方维护订单和退货系统，接触顾客的个人信息\n    breach_notice_hours: 24\n    subprocessors_allowed: false\n", "")
        .replace("  handover_days: 15\n", "")
        .replace("  force_majeure_notice_days: 5\n", "")
        .replace("  mediation: 上海经贸商事调解中心\n  mediation_days: 30\n", "");
    let bare = zh_md(&bare);
    let confidentiality = clause(&bare, "## 第六条 保密条款");
    assert!(confidentiality.contains("2. 保密义务") && !confidentiality.contains("3. "), "{confidentiality}");
    let termination = clause(&bare, "## 第八条 协议变更和终止");
    assert!(termination.contains("3. 出现第四条") && !termination.contains("4. "), "{termination}");
    assert!(bare.contains("但应及时通知对方"), "force majeure without a period");
    assert!(!clause(&bare, "## 第十条 争议解决").contains("调解"));
}

/// `--case`: the status, signing date and signatories come from the replayed signing
/// history, which must be this agreement's.
#[test]
fn the_signing_history_decides_status_date_and_signatories() {
    let history = support::root().join("examples/cases/agreement-history.yaml");
    let options = Options { case: Some(history.clone()), final_copy: true, ..Options::default() };
    let doc = render::render(&source(&example()), options).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(!doc.draft);
    let table = doc.text.split("法定代表人或授权代表（签字）").nth(1).expect("the signature table");
    assert!(table.starts_with(" | 王敏 | 李强 |"), "{table}");
    assert!(table.contains("| 日期 | 2025年12月8日 | 2025年12月8日 |"), "the day `sign` was accepted: {table}");
    // Replayed before the seals: still in legal review, so a draft with no date or names.
    let before = "2025-12-06T00:00:00+08:00".parse().expect("instant");
    let options = Options { case: Some(history.clone()), now: Some(before), ..Options::default() };
    let doc = render::render(&source(&example()), options).expect("a draft");
    // The draft mark names the stage in the document's words, not its identifier.
    assert!(
        doc.draft && doc.text.contains("（状态：法律审核）") && doc.text.contains("| 日期 | ______年____月____日"),
        "{}",
        doc.text.lines().take(4).collect::<Vec<_>>().join("\n")
    );
    assert!(!doc.text.contains("legal\\_review") && !doc.text.contains("legal_review"));
    // `--final` on that history: one problem, saying the history is short of `signed`
    // (not "give the signing history with --case", which was given).
    let options = Options { case: Some(history.clone()), now: Some(before), final_copy: true, ..Options::default() };
    let e = render::render(&source(&example()), options).expect_err("not signed");
    assert_eq!(e.diagnostics.len(), 1, "{:#?}", e.diagnostics);
    let help = e.diagnostics[0].help.as_ref().map(|h| h.en.clone()).unwrap_or_default();
    assert!(help.contains("has not reached `signed`") && !help.contains("with --case"), "{help}");
    // A return case given as the signing history: named as such, in one problem.
    let returns = support::root().join("examples/cases/return-refunded.yaml");
    let e = render_text(&example_text(), Options { case: Some(returns), ..Options::default() })
        .expect_err("not a signing history");
    assert_eq!(e.diagnostics.len(), 1, "{:#?}", e.diagnostics);
    assert!(e.diagnostics[0].message.en.contains("belongs to policy `returns`"), "{:?}", e.diagnostics[0]);
    // The data may not contradict the history.
    let e = render_text(&with_status("review", None), Options { case: Some(history.clone()), ..Options::default() })
        .expect_err("contradiction");
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("status"));
    let e = render_text(
        &with_status("performing", Some("2026-01-01")),
        Options { case: Some(history.clone()), ..Options::default() },
    )
    .expect_err("contradiction");
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("signing.date"));
    // Another agreement's history.
    let other = example_text().replace("number: TS-2026-0042", "number: TS-2026-0099");
    let e = render_text(&other, Options { case: Some(history), ..Options::default() }).expect_err("not this one");
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("facts.agreement.number"));
}

/// The history's signing date goes through the same checks as a date in the data: signing
/// after the term starts is flagged, and so refused for a final copy.
#[test]
fn the_signing_date_from_the_history_is_checked() {
    let dir = std::env::temp_dir().join(format!("tenet-late-signing-{}", std::process::id()));
    let data = edited_copy(&dir, |s| s);
    std::fs::write(&data, example_text().replace("start: 2026-01-01", "start: 2025-12-01")).unwrap();
    let history = std::fs::read_to_string(support::root().join("examples/cases/agreement-history.yaml")).unwrap();
    let case = dir.join("history.yaml");
    std::fs::write(&case, history.replace("start: '2026-01-01'", "start: '2025-12-01'")).unwrap();
    let options = Options { case: Some(case.clone()), ..Options::default() };
    let doc = render::render(&source(&data), options).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(!doc.draft);
    let late = doc.warnings.iter().find(|w| w.path.as_deref() == Some("signing.date")).expect("flagged");
    assert!(late.message.en.contains("2025-12-08"), "{late:?}");
    let options = Options { case: Some(case), final_copy: true, ..Options::default() };
    assert!(render::render(&source(&data), options).is_err(), "a final copy settles it first");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Contact details are checked as what they are: an e-mail address has one `@` and a
/// dotted domain, a phone number is digits (spaces, `-`, `()` and a leading `+` allowed).
#[test]
fn email_and_phone_are_checked() {
    let text = example_text()
        .replace("email: wangmin@yunfan.example", "email: wangmin.yunfan.example")
        .replace("phone: \"0571-8666 0000\"", "phone: \"call me\"");
    let e = failure(&text, false);
    let paths: Vec<&str> = e.diagnostics.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["party_a.email", "party_b.phone"], "{:#?}", e.diagnostics);
    for good in ["+86 21 5888 0000", "(021) 5888-0000", "13800138000"] {
        let text = example_text().replace("phone: \"021-5888 0000\"", &format!("phone: \"{good}\""));
        render_text(&text, Options::default()).unwrap_or_else(|e| panic!("{good}: {:#?}", e.diagnostics));
    }
}
