//! The templates, built into the binary from `templates/` so that rendering works from
//! any folder, and the minijinja environment they run in: strict undefined, trimmed
//! blocks, fuel, the filters.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use pulldown_cmark::{Options, Parser, html};

use super::agreement::Agreement;
use super::{DocFormat, DocLang, filters};

/// Template instructions one render may spend. The bundled agreement needs between
/// 1 000 and 3 000 (measured by lowering this limit until its render failed), so the
/// limit leaves room for far longer agreements and still stops a runaway loop at once.
pub const FUEL: u64 = 200_000;

/// Every template, by the name templates use to include it.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("document.md.j2", include_str!("../../../templates/document.md.j2")),
    ("page.html.j2", include_str!("../../../templates/page.html.j2")),
    ("zh/parties.md.j2", include_str!("../../../templates/zh/parties.md.j2")),
    ("zh/services.md.j2", include_str!("../../../templates/zh/services.md.j2")),
    ("zh/term.md.j2", include_str!("../../../templates/zh/term.md.j2")),
    ("zh/quality.md.j2", include_str!("../../../templates/zh/quality.md.j2")),
    ("zh/fees.md.j2", include_str!("../../../templates/zh/fees.md.j2")),
    ("zh/confidentiality.md.j2", include_str!("../../../templates/zh/confidentiality.md.j2")),
    ("zh/ip.md.j2", include_str!("../../../templates/zh/ip.md.j2")),
    ("zh/termination.md.j2", include_str!("../../../templates/zh/termination.md.j2")),
    ("zh/breach.md.j2", include_str!("../../../templates/zh/breach.md.j2")),
    ("zh/disputes.md.j2", include_str!("../../../templates/zh/disputes.md.j2")),
    ("zh/signatures.md.j2", include_str!("../../../templates/zh/signatures.md.j2")),
    ("en/parties.md.j2", include_str!("../../../templates/en/parties.md.j2")),
    ("en/services.md.j2", include_str!("../../../templates/en/services.md.j2")),
    ("en/term.md.j2", include_str!("../../../templates/en/term.md.j2")),
    ("en/quality.md.j2", include_str!("../../../templates/en/quality.md.j2")),
    ("en/fees.md.j2", include_str!("../../../templates/en/fees.md.j2")),
    ("en/confidentiality.md.j2", include_str!("../../../templates/en/confidentiality.md.j2")),
    ("en/ip.md.j2", include_str!("../../../templates/en/ip.md.j2")),
    ("en/termination.md.j2", include_str!("../../../templates/en/termination.md.j2")),
    ("en/breach.md.j2", include_str!("../../../templates/en/breach.md.j2")),
    ("en/disputes.md.j2", include_str!("../../../templates/en/disputes.md.j2")),
    ("en/signatures.md.j2", include_str!("../../../templates/en/signatures.md.j2")),
];

/// The environment: every template, strict about undefined values, with the filters.
/// In HTML, values are escaped as they are written into the Markdown, so data can
/// never become markup.
pub fn environment(format: DocFormat) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let html = format == DocFormat::Html;
    env.set_auto_escape_callback(move |_| if html { AutoEscape::Html } else { AutoEscape::None });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    filters::register(&mut env);
    // Data goes into Markdown: every value is escaped for Markdown first (then for HTML
    // in HTML), so a `|` cannot cut a table nor a line break and `##` add a clause.
    // pulldown-cmark then escapes the text for HTML; the HTML page template escapes as
    // HTML does.
    env.set_formatter(|out, state, value| {
        let markdown = state.name().ends_with(".md.j2");
        if !markdown || value.is_safe() || value.is_none() || value.is_undefined() {
            return minijinja::escape_formatter(out, state, value);
        }
        out.write_str(&markdown_escape(&value.to_string()))?;
        Ok(())
    });
    Ok(env)
}

/// `text` as Markdown shows it literally, on one line: its punctuation that Markdown
/// reads as markup is backslash-escaped, line breaks become spaces, and a leading list
/// marker (`-`, `+`, `1.`) is escaped too.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let one_line: String = text.split(['\r', '\n']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    for (i, c) in one_line.chars().enumerate() {
        let leading_marker = i == 0 && matches!(c, '-' | '+');
        if leading_marker
            || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '{' | '}' | '&')
        {
            out.push('\\');
        }
        out.push(c);
    }
    // `1. ` at the start would begin a numbered list.
    if let Some(dot) = out.find(". ")
        && dot > 0
        && out.get(..dot).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    {
        out.insert(dot, '\\');
    }
    out
}

/// Markdown to HTML, with links kept only when they go to `https:` or `mailto:`; any other
/// link (a `javascript:` one included) becomes its plain text.
fn to_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut dropped = 0usize;
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).filter(|e| match e {
        Event::Start(Tag::Link { dest_url, .. }) => {
            let ok = dest_url.starts_with("https:") || dest_url.starts_with("mailto:");
            if !ok {
                dropped += 1;
            }
            ok
        }
        Event::End(TagEnd::Link) if dropped > 0 => {
            dropped -= 1;
            false
        }
        _ => true,
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    body
}

/// One blank line between blocks, and before every heading, however the templates'
/// block tags left the lines; no trailing spaces; one newline at the end.
pub fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = true;
    for line in markdown.lines().map(str::trim_end) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() && (blank || line.starts_with('#')) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        blank = line.starts_with('#');
    }
    out
}

/// Renders the agreement.
pub fn render(agreement: &Agreement, lang: DocLang, format: DocFormat) -> Result<String, minijinja::Error> {
    let env = environment(format)?;
    let ctx = context! {
        agreement => Value::from_serialize(&agreement.data),
        sla => Value::from_serialize(agreement.sla.describe()),
        lang => lang.code(),
        draft => agreement.draft,
        status => agreement.status.as_str(),
    };
    let markdown = tidy(&env.get_template("document.md.j2")?.render(&ctx)?);
    if format == DocFormat::Markdown {
        return Ok(markdown);
    }
    let body = to_html(&markdown);
    let title = match lang {
        DocLang::Zh => "技术支持协议",
        DocLang::En => "Technical Support Agreement",
    };
    let number = agreement.data.get("number").and_then(|n| n.as_str()).unwrap_or_default();
    env.get_template("page.html.j2")?.render(context! {
        body => Value::from_safe_string(body),
        lang => lang.code(),
        draft => agreement.draft,
        title => format!("{title} {number}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn only_https_and_mailto_links_survive() {
        let html = super::to_html(
            "[a](javascript:alert(1)) [b](https://example.com) [c](mailto:x@example.com) [d](http://example.com)",
        );
        assert!(!html.contains("javascript") && !html.contains("http://"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com\">b</a>")
                && html.contains("<a href=\"mailto:x@example.com\">c</a>")
        );
        assert!(html.contains("a ") && html.contains(" d"), "the text of a dropped link stays: {html}");
    }

    #[test]
    fn markdown_escaping() {
        assert_eq!(super::markdown_escape("a|b"), "a\\|b");
        assert_eq!(super::markdown_escape("x\n\n## y"), "x \\#\\# y");
        assert_eq!(super::markdown_escape("- item"), "\\- item");
        assert_eq!(super::markdown_escape("12. item"), "12\\. item");
        assert_eq!(super::markdown_escape("3.5% fee, a-b"), "3.5% fee, a-b");
        assert_eq!(super::markdown_escape("&lt;"), "\\&lt;");
    }
}
