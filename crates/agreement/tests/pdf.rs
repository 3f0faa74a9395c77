//! The HTML agreement in a real browser: headless Chromium prints it to PDF, and the PDF
//! has the expected pages and real Chinese text. Needs Debian's chromium, a CJK font
//! and poppler-utils — `sh tests/install-pdf-deps.sh` installs them. It is `#[ignore]`d, with
//! the reason, so a plain `cargo test` passes without them; `.ci/run` installs them and runs
//! `cargo test -- --include-ignored`, where a missing tool fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use tenet_test_support::browser::found;

use std::path::{Path, PathBuf};
use std::process::Command;

use tenet_agreement::{self as render, DocFormat, DocLang, Options};

fn tool(output: std::io::Result<std::process::Output>) -> String {
    let out = output.expect("the tool runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The agreement printed through `DocFormat::Pdf` (the renderer runs Chromium itself).
fn print_to_pdf(lang: DocLang, dir: &Path) -> PathBuf {
    let data =
        tenet::source::read_source(&support::root().join("examples/agreements/ts-2026-0042.yaml")).expect("example");
    let doc = render::render(&data, Options { lang: Some(lang), format: DocFormat::Pdf, ..Options::default() })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(doc.bytes.starts_with(b"%PDF"));
    let pdf = dir.join(format!("agreement-{}.pdf", lang.code()));
    std::fs::write(&pdf, &doc.bytes).expect("write pdf");
    pdf
}

fn pages(pdf: &Path) -> usize {
    let info = tool(Command::new("pdfinfo").arg(pdf).output());
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports pages")
}

#[test]
#[ignore = "needs chromium (sh tests/install-pdf-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
fn the_agreement_prints_to_a_pdf_with_its_chinese_text() {
    let (Some(_), Some(_), Some(_)) = (found("chromium"), found("pdfinfo"), found("pdftotext")) else {
        panic!(
            "chromium, pdfinfo or pdftotext is not installed, and this ignored test was asked for: install them with \
             sh tests/install-pdf-deps.sh — did it fail?"
        );
    };
    let dir = std::env::temp_dir().join(format!("tenet-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");

    let zh = print_to_pdf(DocLang::Zh, &dir);
    let zh_pages = pages(&zh);
    // Four A4 pages with Debian's chromium 156 and fonts-noto-cjk (measured 2026-12-02).
    assert_eq!(zh_pages, 4, "the Chinese agreement should print on 4 A4 pages");
    let text = tool(Command::new("pdftotext").arg(&zh).arg("-").output());
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in
        ["技术支持协议", "第一条协议双方基本信息", "第四条服务质量保证", "人民币伍万元整", "第十条争议解决", "草案"]
    {
        assert!(squeezed.contains(needle), "the PDF text lacks {needle}");
    }

    let en = print_to_pdf(DocLang::En, &dir);
    let en_pages = pages(&en);
    assert_eq!(en_pages, 4, "the English agreement should print on 4 A4 pages");
    let text = tool(Command::new("pdftotext").arg(&en).arg("-").output());
    assert!(text.contains("Article 4") && text.contains("CNY 50,000.00"));
    assert!(text.contains("Shanghai Yunfan E-Commerce Co., Ltd."), "the English name");
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains("上海国际经济贸易仲裁委员会"), "a name with no English form stays Chinese, as real text");
    let _ = std::fs::remove_dir_all(&dir);
}
