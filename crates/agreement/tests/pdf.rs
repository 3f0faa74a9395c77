//! The HTML agreement in a real browser: headless Chromium prints it to PDF, and the PDF
//! has the expected pages and real Chinese text. Needs Debian's chromium, a CJK font
//! and poppler-utils — `sh tests/install-pdf-deps.sh` installs them. Without them the
//! test is reported as ignored, with the reason (the crate's build script decides); under
//! CI (`CI` set) it runs regardless and fails when a tool is missing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

#[path = "../../../tests/support/browser.rs"]
mod browser;
mod support;

use browser::found;

use std::path::{Path, PathBuf};
use std::process::Command;

use tenet_agreement::{self as render, DocFormat, DocLang, Options};

fn tool(output: std::io::Result<std::process::Output>) -> String {
    let out = output.expect("the tool runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn print_to_pdf(chromium: &Path, lang: DocLang, dir: &Path) -> PathBuf {
    let data =
        tenet::source::read_source(&support::root().join("examples/agreements/ts-2026-0042.yaml")).expect("example");
    let doc = render::render(&data, Options { lang: Some(lang), format: DocFormat::Html, ..Options::default() })
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let html = dir.join(format!("agreement-{}.html", lang.code()));
    let pdf = dir.join(format!("agreement-{}.pdf", lang.code()));
    std::fs::write(&html, doc.text).expect("write html");
    let status = browser::chromium(
        chromium,
        &dir.join(format!("profile-{}", lang.code())),
        &[format!("--print-to-pdf={}", pdf.display())],
        &format!("file://{}", html.display()),
    );
    assert!(pdf.is_file(), "no PDF: {}", String::from_utf8_lossy(&status.stderr));
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
#[cfg_attr(
    pdf_tools_missing,
    ignore = "chromium, pdfinfo or pdftotext is not installed: sh tests/install-pdf-deps.sh installs them"
)]
fn the_agreement_prints_to_a_pdf_with_its_chinese_text() {
    let (Some(chromium), Some(_), Some(_)) = (found("chromium"), found("pdfinfo"), found("pdftotext")) else {
        panic!(
            "chromium, pdfinfo or pdftotext is not installed, and CI is set: .ci/run installs them with \
             sh tests/install-pdf-deps.sh — did it fail?"
        );
    };
    let dir = std::env::temp_dir().join(format!("tenet-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");

    let zh = print_to_pdf(&chromium, DocLang::Zh, &dir);
    let zh_pages = pages(&zh);
    // Four A4 pages with Debian's chromium and fonts-noto-cjk (measured 2026-11-24).
    assert_eq!(zh_pages, 4, "the Chinese agreement should print on 4 A4 pages");
    let text = tool(Command::new("pdftotext").arg(&zh).arg("-").output());
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in
        ["技术支持协议", "第一条协议双方基本信息", "第四条服务质量保证", "人民币伍万元整", "第十条争议解决", "草案"]
    {
        assert!(squeezed.contains(needle), "the PDF text lacks {needle}");
    }

    let en = print_to_pdf(&chromium, DocLang::En, &dir);
    let en_pages = pages(&en);
    assert_eq!(en_pages, 4, "the English agreement should print on 4 A4 pages");
    let text = tool(Command::new("pdftotext").arg(&en).arg("-").output());
    assert!(text.contains("Article 4") && text.contains("CNY 50,000.00"));
    assert!(text.contains("上海云帆电子商务有限公司"), "names stay in Chinese, as real text");
    let _ = std::fs::remove_dir_all(&dir);
}
