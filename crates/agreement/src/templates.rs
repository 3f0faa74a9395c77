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
    Ok(env)
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
    let mut body = String::new();
    html::push_html(&mut body, Parser::new_ext(&markdown, Options::ENABLE_TABLES));
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
