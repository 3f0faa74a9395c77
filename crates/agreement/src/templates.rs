//! The templates: the bundled set, built into the binary from `templates/` so that
//! rendering works from any folder, with any file of a `--templates` folder in place of
//! its bundled namesake; the minijinja environment they run in (strict undefined,
//! trimmed blocks, fuel, the filters); and their check against the render context.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use pulldown_cmark::{Options, Parser, html};
use serde_json::Value as Json;
use tenet::RecordType;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg, suggest};

use super::agreement::Agreement;
use super::{DocFormat, DocLang, aliases, context as names, filters};

/// Template instructions one render may spend. The bundled agreement needs between
/// 1 000 and 3 000 (measured by lowering this limit until its render failed), so the
/// limit leaves room for far longer agreements and still stops a runaway loop at once.
pub const FUEL: u64 = 200_000;

/// Every bundled template, by the name templates use to include it.
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

/// The templates a render uses: the bundled ones, some perhaps replaced (or joined) by
/// the files of a `--templates` folder.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    /// Name → (source, the file it came from when not bundled).
    sources: BTreeMap<String, (String, Option<PathBuf>)>,
}

impl Templates {
    /// The bundled set.
    pub fn bundled() -> Templates {
        let sources = TEMPLATES.iter().map(|(n, s)| ((*n).to_owned(), ((*s).to_owned(), None))).collect();
        Templates { sources }
    }

    /// The bundled set with every `*.j2` file under `dir` in place of (or beside) the
    /// bundled template of the same relative name.
    pub fn with_overrides(dir: &Path) -> Result<Templates, Diagnostic> {
        let mut set = Templates::bundled();
        if !dir.is_dir() {
            let shown = dir.display();
            return Err(Diagnostic::error(
                "template",
                msg!(
                    "模板目录 {shown} 不存在或不是目录",
                    "the templates folder {shown} does not exist or is not a folder"
                ),
            )
            .help(Msg::new(
                "用 tenet render --init-templates 目录 复制一套内置模板，再修改",
                "copy the bundled set out with tenet render --init-templates DIR, then edit it",
            )));
        }
        let mut files = Vec::new();
        walk(dir, &mut files).map_err(|(path, e)| unreadable(&path, &e))?;
        for path in files {
            let Ok(relative) = path.strip_prefix(dir) else { continue };
            let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, &e))?;
            set.sources.insert(name, (text, Some(path)));
        }
        Ok(set)
    }

    /// The file a template name is shown as: `templates/NAME` when bundled.
    pub fn shown(&self, name: &str) -> String {
        match self.sources.get(name) {
            Some((_, Some(path))) => path.display().to_string(),
            _ => format!("templates/{name}"),
        }
    }

    /// The names of the templates replaced by a file.
    pub fn overridden(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter(|(_, (_, p))| p.is_some()).map(|(n, _)| n.as_str())
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    let shown = path.display();
    Diagnostic::error("template", msg!("无法读取模板 {shown}：{e}", "cannot read the template {shown}: {e}"))
}

/// Every `*.j2` file below `dir`, in name order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, std::io::Error)> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| (dir.to_owned(), e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| (dir.to_owned(), err)))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "j2") {
            out.push(path);
        }
    }
    Ok(())
}

/// The environment: every template, strict about undefined values, with the filters.
/// In HTML, values are escaped as they are written into the Markdown, so data can
/// never become markup.
pub fn environment(format: DocFormat, templates: &Templates) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let html = format == DocFormat::Html;
    env.set_auto_escape_callback(move |_| if html { AutoEscape::Html } else { AutoEscape::None });
    for (name, (source, _)) in &templates.sources {
        env.add_template_owned(name.clone(), source.clone())?;
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

/// Every template checked against the render context (`context.rs`): a name it reads
/// that the context does not have is a problem naming the template and the name. The
/// insides of lists and of loop variables are reached through names the template sets
/// itself, so the check follows `agreement` and `sla` paths as far as they are written.
pub fn check(env: &Environment<'_>, templates: &Templates, schema: &RecordType, sla: &Json) -> Vec<Diagnostic> {
    let globals: Vec<String> = env.globals().map(|(n, _)| n.to_owned()).collect();
    let mut problems = Vec::new();
    for (name, template) in env.templates() {
        let top = if name == "page.html.j2" { names::PAGE } else { names::DOCUMENT };
        let mut vars: Vec<String> = template.undeclared_variables(true).into_iter().collect();
        vars.sort();
        let file = templates.shown(name);
        for var in vars {
            let (head, rest) = var.split_once('.').unwrap_or((var.as_str(), ""));
            if globals.iter().any(|g| g == head) {
                continue;
            }
            if !top.iter().any(|n| n.name == head) {
                let known: Vec<&str> = top.iter().map(|n| n.name).collect();
                problems.push(unknown(&file, head, &known, head));
            } else if head == "agreement" && !rest.is_empty() {
                if let Some((missing, there)) = names::agreement_miss(schema, rest) {
                    let known: Vec<&str> = there.iter().map(String::as_str).collect();
                    let last = missing.rsplit('.').next().unwrap_or(&missing);
                    problems.push(unknown(&file, &format!("agreement.{missing}"), &known, last));
                }
            } else if head == "sla" && !rest.is_empty() && !names::sla_readable(sla, rest) {
                problems.push(unknown(&file, &var, &[], &var));
            }
        }
        // Paths read through `{% set fees = agreement.fees %}`, which minijinja counts as
        // declared: checked as the full path, blamed on their own line.
        for read in aliases::alias_reads(name, template.source()) {
            let at = format!("{file}:{}", read.line);
            let (head, rest) = read.path.split_once('.').unwrap_or((read.path.as_str(), ""));
            if head == "agreement" && !rest.is_empty() {
                if let Some((missing, there)) = names::agreement_miss(schema, rest) {
                    let known: Vec<&str> = there.iter().map(String::as_str).collect();
                    let last = missing.rsplit('.').next().unwrap_or(&missing);
                    let what = format!("{}（agreement.{missing}）", read.written);
                    problems.push(unknown(&at, &what, &known, last));
                }
            } else if head == "sla" && !rest.is_empty() && !names::sla_readable(sla, rest) {
                let what = format!("{}（{}）", read.written, read.path);
                problems.push(unknown(&at, &what, &[], &read.path));
            }
        }
    }
    problems
}

/// `file` reads `what`, which the context lacks; `near` are the names there were, `last`
/// the step to match against them.
fn unknown(file: &str, what: &str, near: &[&str], last: &str) -> Diagnostic {
    let message = msg!(
        "模板 {file} 读取了 `{what}`，渲染上下文里没有这个值",
        "the template {file} reads `{what}`, which the render context does not have"
    );
    let help = match suggest::closest(last, near.iter().copied()) {
        Some(near) => msg!(
            "是不是 `{near}`？可读的值见 templates/CONTEXT.md（tenet render --context-reference）",
            "did you mean `{near}`? What templates can read: templates/CONTEXT.md (tenet render --context-reference)"
        ),
        None => Msg::new(
            "可读的值见 templates/CONTEXT.md（tenet render --context-reference）；协议数据的新字段须先在 rules/agreement.tenet 的 input 中声明",
            "what templates can read: templates/CONTEXT.md (tenet render --context-reference); a new data field is first declared in the input of rules/agreement.tenet",
        ),
    };
    Diagnostic::error("template", message).help(help)
}

/// Renders the agreement with `templates` (already checked).
pub fn render(
    env: &Environment<'_>,
    agreement: &Agreement,
    lang: DocLang,
    format: DocFormat,
) -> Result<String, minijinja::Error> {
    let ctx = context! {
        agreement => Value::from_serialize(&agreement.data),
        sla => Value::from_serialize(&agreement.sla_view),
        lang => lang.code(),
        draft => agreement.draft,
        status => agreement.status.as_str(),
        status_label => agreement.status_label(lang),
        signed => Value::from_serialize(&agreement.signed),
        currency => Value::from_serialize(agreement.currency_json()),
    };
    let markdown = tidy(&env.get_template("document.md.j2")?.render(&ctx)?);
    if format == DocFormat::Markdown {
        return Ok(markdown);
    }
    let body = to_html(&markdown);
    env.get_template("page.html.j2")?.render(context! {
        body => Value::from_safe_string(body),
        lang => lang.code(),
        draft => agreement.draft,
        title => agreement.title(lang),
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
