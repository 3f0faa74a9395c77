//! The Word document, read back: the XML inside the `.docx` has the ten clause headings
//! as real `Heading 1` paragraphs in order, Word-numbered sub-items, the tables, the fee
//! in capital numerals, and a draft header only on drafts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::io::Read;

use tenet_agreement::{self as render, DocFormat, DocLang, Options};

fn docx(lang: DocLang, signed: bool) -> Vec<u8> {
    let data = tenet::source::read_source(&support::root().join("examples/agreements/ts-2026-0042.yaml")).unwrap();
    let case = signed.then(|| support::root().join("examples/cases/agreement-history.yaml"));
    let options = Options { lang: Some(lang), format: DocFormat::Docx, final_copy: signed, case, ..Options::default() };
    let doc = render::render(&data, options).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(doc.bytes.starts_with(b"PK"), "a zip package");
    doc.bytes
}

fn part(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8 XML");
    Some(text)
}

/// The page headers (docx-rs numbers them across a process, so they are found by name).
fn headers(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> =
        zip.file_names().filter(|n| n.starts_with("word/header") && n.ends_with(".xml")).map(str::to_owned).collect();
    names.iter().filter_map(|n| part(bytes, n)).collect()
}

/// The text of each paragraph with `style`, in order.
fn styled(xml: &str, style: &str) -> Vec<String> {
    let marker = format!("<w:pStyle w:val=\"{style}\" />");
    xml.split("</w:p>")
        .filter(|p| p.contains(&marker))
        .map(|p| {
            p.split("<w:t xml:space=\"preserve\">").skip(1).filter_map(|t| t.split("</w:t>").next()).collect::<String>()
        })
        .collect()
}

#[test]
fn a_word_document_with_real_structure() {
    let bytes = docx(DocLang::Zh, false);
    let xml = part(&bytes, "word/document.xml").expect("word/document.xml");
    let headings = styled(&xml, "Heading1");
    let ordinals = ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条", "第九条", "第十条"];
    assert_eq!(headings.len(), 10, "{headings:?}");
    for (h, o) in headings.iter().zip(ordinals) {
        assert!(h.starts_with(o), "{h}");
    }
    assert_eq!(styled(&xml, "Title"), ["技术支持协议"]);
    assert!(xml.contains("人民币伍万元整（¥50,000.00）"), "the fee in capital numerals");
    // Sub-items are Word numbering, not typed numbers; each list restarts at 1.
    assert!(xml.contains("<w:numPr>"), "numbered paragraphs");
    let numbering = part(&bytes, "word/numbering.xml").expect("numbering part");
    assert!(numbering.contains("w:val=\"decimal\"") && numbering.contains("<w:startOverride w:val=\"1\" />"));
    assert!(!xml.contains(">1. "), "no typed list numbers");
    // Three tables: the targets, the credit tiers, the signatures.
    assert_eq!(xml.matches("<w:tbl>").count(), 3);
    assert!(xml.contains("法定代表人或授权代表（签字）"));
    let headers = headers(&bytes);
    assert!(headers.len() == 1 && headers[0].contains("草案"), "a draft says so on every page");
}

#[test]
fn the_signed_copy_has_its_signatories_and_no_draft_mark() {
    let bytes = docx(DocLang::Zh, true);
    let xml = part(&bytes, "word/document.xml").unwrap();
    assert!(xml.contains("王敏") && xml.contains("2025年12月8日"));
    assert!(!xml.contains("草案"));
    assert!(headers(&bytes).iter().all(|h| !h.contains("草案")));
    let en = docx(DocLang::En, true);
    let xml = part(&en, "word/document.xml").unwrap();
    assert_eq!(styled(&xml, "Heading1").first().map(String::as_str), Some("Article 1 Parties"));
    assert!(xml.contains("CNY 50,000.00"));
}

/// The same agreement gives the same file (a signed copy: page headers are numbered
/// across a process by docx-rs, so a draft's header part name differs between renders in
/// one process, though not between runs of `tenet render`).
#[test]
fn the_same_data_gives_the_same_bytes() {
    assert_eq!(docx(DocLang::Zh, true), docx(DocLang::Zh, true));
}

/// The values of `attr` on every `<tag …>` element of `xml`, in order.
fn attr_values(xml: &str, tag: &str, attr: &str) -> Vec<String> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|el| {
            let el = el.split('>').next()?;
            let at = el.find(&format!("{attr}=\""))? + attr.len() + 2;
            Some(el[at..].split('"').next()?.to_owned())
        })
        .collect()
}

/// The package is valid where Word is strict: each numbering id is declared once, every
/// list paragraph names a declared numbering, every numbering a declared abstract one;
/// the core properties name the title and tenet, never "unknown" or 1970, and a signed
/// copy was created the day it was signed. When python-docx is installed (it is on CI,
/// by tests/install-pdf-deps.sh) a second reader opens both copies.
#[test]
fn the_package_is_valid_and_says_who_made_it() {
    for signed in [false, true] {
        let bytes = docx(DocLang::Zh, signed);
        let numbering = part(&bytes, "word/numbering.xml").unwrap();
        let abstract_ids = attr_values(&numbering, "w:abstractNum", "w:abstractNumId");
        let num_ids = attr_values(&numbering, "w:num", "w:numId");
        for (what, ids) in [("abstractNumId", &abstract_ids), ("numId", &num_ids)] {
            let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "{what} declared twice: {ids:?}");
        }
        for used in attr_values(&numbering, "w:abstractNumId", "w:val") {
            assert!(abstract_ids.contains(&used), "numbering of undeclared abstract {used}");
        }
        let xml = part(&bytes, "word/document.xml").unwrap();
        let used = attr_values(&xml, "w:numId", "w:val");
        assert!(!used.is_empty());
        for id in used {
            assert!(num_ids.contains(&id), "a paragraph names undeclared numbering {id}");
        }
        let core = part(&bytes, "docProps/core.xml").unwrap();
        assert!(core.contains("<dc:creator>tenet</dc:creator>") && core.contains("<dc:title>"), "{core}");
        assert!(!core.contains("unknown") && !core.contains("1970"), "{core}");
        assert_eq!(
            core.contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2025-12-08</dcterms:created>"),
            signed,
            "{core}"
        );
        second_reader(&bytes, signed);
    }
}

/// python-docx opens the package and finds the ten clause headings and the core
/// properties; skipped (said on standard error) where it is not installed, except on CI.
fn second_reader(bytes: &[u8], signed: bool) {
    // Debian's python3-docx is in the system Python, which a version manager's `python3`
    // on PATH may not be.
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| std::process::Command::new(p).args(["-c", "import docx"]).output().is_ok_and(|o| o.status.success()));
    let Some(python) = python else {
        assert!(
            std::env::var_os("CI").is_none(),
            "python-docx is missing on CI (tests/install-pdf-deps.sh installs it)"
        );
        eprintln!("python-docx not installed: the second reader did not run (sh tests/install-pdf-deps.sh)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agreement.docx");
    std::fs::write(&path, bytes).unwrap();
    let script = "import sys, docx\nd = docx.Document(sys.argv[1])\n\
        h = [p.text for p in d.paragraphs if p.style.name.lower() == 'heading 1']\n\
        print(len(h)); print(d.core_properties.author); print(d.core_properties.created)\n";
    let out = std::process::Command::new(python).args(["-c", script]).arg(&path).output().unwrap();
    assert!(out.status.success(), "python-docx could not open it: {}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines[0], "10", "{said}");
    assert_eq!(lines[1], "tenet", "{said}");
    assert_eq!(lines[2].starts_with("2025-12-08"), signed, "{said}");
}
