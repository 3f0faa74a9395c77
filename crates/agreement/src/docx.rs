//! The agreement as a Word document, for legal teams to redline: the rendered Markdown
//! read once more, event by event, into real Word structure — the title, a `Heading 1`
//! per clause, Word-numbered sub-items that restart in each clause, bullet lists, the
//! tables with borders — on A4 in a CJK serif font, with a draft header on drafts.

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, Header, IndentLevel, Level, LevelJc, LevelOverride, LevelText,
    NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style,
    StyleType, Table, TableCell, TableRow,
};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::DocLang;

/// The abstract numbering of numbered sub-items (`1.`) and of bullets (`•`).
// docx-rs always writes an abstract numbering 1 and a numbering 1 of its own into
// `word/numbering.xml`; ours start at 2 so no id is declared twice.
const DECIMAL: usize = 2;
const BULLET: usize = 3;
/// The first id of the lists' own numberings (each list has one).
const FIRST_LIST: usize = 2;
/// Red, for the draft mark.
const DRAFT_RED: &str = "B00000";

/// Why a Word document could not be written.
#[derive(Debug, thiserror::Error)]
#[error("无法生成 Word 文档 · cannot write the Word document: {0}")]
pub struct DocxError(String);

/// One block of the body, in order.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

/// What the reader is inside of.
#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    paragraph: Option<Paragraph>,
    bold: bool,
    italic: bool,
    quote: bool,
    /// The numbering instance of each open list (innermost last).
    lists: Vec<usize>,
    numberings: Vec<Numbering>,
    /// Rows of the table being read; the cells of the row being read.
    rows: Vec<TableRow>,
    cells: Vec<TableCell>,
    in_head: bool,
}

impl State {
    fn open(&mut self, p: Paragraph) {
        self.close();
        self.paragraph = Some(p);
    }

    fn close(&mut self) {
        if let Some(p) = self.paragraph.take() {
            self.blocks.push(Block::Paragraph(Box::new(p)));
        }
    }

    fn text(&mut self, text: &str) {
        let mut run = Run::new().add_text(text);
        if self.bold || self.in_head {
            run = run.bold();
        }
        if self.italic {
            run = run.italic();
        }
        if self.quote {
            run = run.color(DRAFT_RED);
        }
        let p = self.paragraph.take().unwrap_or_default();
        self.paragraph = Some(p.add_run(run));
    }

    fn new_list(&mut self, ordered: bool) {
        let id = self.numberings.len() + FIRST_LIST;
        // Each numbered list restarts at 1: its own instance, its first level overridden.
        let numbering = if ordered {
            Numbering::new(id, DECIMAL).add_override(LevelOverride::new(0).start(1))
        } else {
            Numbering::new(id, BULLET)
        };
        self.numberings.push(numbering);
        self.lists.push(id);
    }
}

/// The Word document for `markdown` (the rendered agreement).
pub fn write(
    markdown: &str,
    lang: DocLang,
    draft: bool,
    title: &str,
    signed_on: Option<&str>,
) -> Result<Vec<u8>, DocxError> {
    // docx-rs numbers paragraphs with a per-thread counter it does not let callers reset:
    // a fresh thread starts it at 1, so the same agreement always gives the same bytes.
    std::thread::scope(|scope| {
        scope
            .spawn(|| build(markdown, lang, draft, title, signed_on))
            .join()
            .unwrap_or_else(|_| Err(DocxError("the Word writer stopped unexpectedly".into())))
    })
}

fn build(
    markdown: &str,
    lang: DocLang,
    draft: bool,
    title: &str,
    signed_on: Option<&str>,
) -> Result<Vec<u8>, DocxError> {
    let mut s = State::default();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let style = match level {
                    pulldown_cmark::HeadingLevel::H1 => "Title",
                    pulldown_cmark::HeadingLevel::H2 => "Heading1",
                    _ => "Heading2",
                };
                s.open(Paragraph::new().style(style));
            }
            // A loose list item's paragraph is the item's own (already open).
            Event::Start(Tag::Paragraph) if s.cells.is_empty() && (s.lists.is_empty() || s.paragraph.is_none()) => {
                s.open(Paragraph::new().style("Body"));
            }
            Event::Start(Tag::List(start)) => s.new_list(start.is_some()),
            Event::End(TagEnd::List(_)) => {
                s.close();
                s.lists.pop();
            }
            Event::Start(Tag::Item) => {
                let id = s.lists.last().copied().unwrap_or(FIRST_LIST);
                let level = s.lists.len().saturating_sub(1);
                s.open(Paragraph::new().style("Body").numbering(NumberingId::new(id), IndentLevel::new(level)));
            }
            Event::Start(Tag::BlockQuote(_)) => s.quote = true,
            Event::End(TagEnd::BlockQuote(_)) => {
                s.close();
                s.quote = false;
            }
            Event::Start(Tag::Strong) => s.bold = true,
            Event::End(TagEnd::Strong) => s.bold = false,
            Event::Start(Tag::Emphasis) => s.italic = true,
            Event::End(TagEnd::Emphasis) => s.italic = false,
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item)
                if s.cells.is_empty() && s.rows.is_empty() =>
            {
                s.close();
            }
            Event::Start(Tag::Table(_)) => s.close(),
            Event::Start(Tag::TableHead) => s.in_head = true,
            Event::Start(Tag::TableCell) => s.paragraph = Some(Paragraph::new().style("Body")),
            Event::End(TagEnd::TableCell) => {
                let p = s.paragraph.take().unwrap_or_default();
                s.cells.push(TableCell::new().add_paragraph(p));
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                let cells = std::mem::take(&mut s.cells);
                s.rows.push(TableRow::new(cells).cant_split());
                s.in_head = false;
            }
            Event::End(TagEnd::Table) => {
                let rows = std::mem::take(&mut s.rows);
                s.blocks.push(Block::Table(Box::new(Table::new(rows))));
            }
            Event::Rule => {
                s.close();
                s.blocks.push(Block::Paragraph(Box::new(Paragraph::new().style("Body"))));
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => s.text(&t),
            Event::SoftBreak => s.text(" "),
            Event::HardBreak => {
                let p = s.paragraph.take().unwrap_or_default();
                s.paragraph = Some(p.add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping)));
            }
            _ => {}
        }
    }
    s.close();
    let mut doc = document(title);
    if draft {
        let mark = match lang {
            DocLang::Zh => "草案：尚未签署，仅供审阅",
            DocLang::En => "DRAFT: not signed, for review only",
        };
        let header =
            Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(mark).bold().color(DRAFT_RED));
        doc = doc.header(Header::new().add_paragraph(header));
    }
    for n in s.numberings {
        doc = doc.add_numbering(n);
    }
    for block in s.blocks {
        doc = match block {
            Block::Paragraph(p) => doc.add_paragraph(*p),
            Block::Table(t) => doc.add_table(*t),
        };
    }
    let mut xml = doc.build();
    // docx-rs writes "unknown" as the author and 1970-01-01 as the creation date, and lets
    // neither be set: the core properties are written here instead.
    xml.doc_props.core = core_properties(title, lang, signed_on).into_bytes();
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocxError(e.to_string()))?;
    Ok(out.into_inner())
}

/// `docProps/core.xml`: the title, tenet as the writer, the language, and — on a signed
/// copy — the signing date as the creation date (a draft has none: its date would only be
/// the day it was rendered, and the same agreement must give the same bytes).
fn core_properties(title: &str, lang: DocLang, signed_on: Option<&str>) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let language = match lang {
        DocLang::Zh => "zh-CN",
        DocLang::En => "en",
    };
    let created = signed_on
        .map(|d| format!("<dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created>", escape(d)))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>tenet</dc:creator><cp:lastModifiedBy>tenet</cp:lastModifiedBy>\
         <dc:language>{language}</dc:language>{created}</cp:coreProperties>",
        escape(title)
    )
}

/// The empty document: A4, 2 cm margins, the styles and the two list numberings.
fn document(title: &str) -> Docx {
    let fonts = RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").east_asia("SimSun");
    let heading_fonts = RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").east_asia("SimHei");
    let level = |format: &str, text: &str| {
        Level::new(0, Start::new(1), NumberFormat::new(format), LevelText::new(text), LevelJc::new("left")).indent(
            Some(420),
            Some(SpecialIndentType::Hanging(420)),
            None,
            None,
        )
    };
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1134).right(1134))
        .default_fonts(fonts)
        .default_size(22)
        .add_style(Style::new("Body", StyleType::Paragraph).name("Body Text").align(AlignmentType::Both))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(36)
                .bold()
                .align(AlignmentType::Center)
                .fonts(heading_fonts.clone()),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .size(26)
                .bold()
                .outline_lvl(0)
                .fonts(heading_fonts.clone()),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("heading 2")
                .size(24)
                .bold()
                .outline_lvl(1)
                .fonts(heading_fonts),
        )
        .add_abstract_numbering(AbstractNumbering::new(DECIMAL).add_level(level("decimal", "%1.")))
        .add_abstract_numbering(AbstractNumbering::new(BULLET).add_level(level("bullet", "•")))
        // One property only: docx-rs keeps them in a hash map, whose order would vary.
        .custom_property("title", title)
}
