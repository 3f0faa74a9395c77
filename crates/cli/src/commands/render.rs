//! `tenet render AGREEMENT [--format md|html] [--out FILE] [--final]`: the technical
//! support agreement from its data file, the templates and the SLA policy. The global
//! `--lang zh|en` picks the document's language (default: the data's `language`, else
//! Chinese).

use std::path::PathBuf;

use crate::output::{err, out};
use crate::{Exit, Ui};
use std::io::Write as _;

use tenet::diagnostics::msg;
use tenet::diagnostics::{Lang, Msg, to_text};

use tenet_agreement::{Blame, DocFormat, DocLang, Options};

/// Document formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum FormatArg {
    /// Markdown.
    #[default]
    Md,
    /// A printable HTML page.
    Html,
    /// 可修订的 Word 文档 · a Word document for redlining
    Docx,
    /// 由无界面 Chromium 打印的 PDF · a PDF printed by headless Chromium
    Pdf,
}

/// Arguments of `tenet render`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 协议数据文件（YAML 或 JSON；- 读标准输入）· the agreement data file (YAML or JSON; - reads stdin)
    #[arg(required_unless_present_any = ["init_templates", "context_reference"])]
    agreement: Option<PathBuf>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: FormatArg,
    /// 写入文件（原子写入）而不是标准输出 · write to this file (atomically) instead of standard output
    #[arg(long)]
    out: Option<PathBuf>,
    /// 正式文本：须已签署且信息完整 · a final copy: refused unless signed and complete
    #[arg(long = "final")]
    final_copy: bool,
    /// 签订经过（rules/signing.tenet 的案例）：状态、签署日期和签字人以它为准 · the signing history (a case of rules/signing.tenet): the status, signing date and signatories come from it
    #[arg(long, value_name = "CASE")]
    case: Option<PathBuf>,
    /// 重放签订经过的时刻，覆盖案例中的 now · the instant the signing history is replayed at, overriding the case's `now` (RFC 3339)
    #[arg(long, requires = "case")]
    now: Option<String>,
    /// 用此目录中的模板替换同名的内置模板 · templates in this folder replace the bundled ones of the same name
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// 把内置模板和上下文说明复制到此目录，供修改 · copy the bundled templates and the context reference into this folder, to edit
    #[arg(long, value_name = "DIR", conflicts_with_all = ["agreement", "context_reference"])]
    init_templates: Option<PathBuf>,
    /// 打印模板可读的值（templates/CONTEXT.md）· print what templates can read (templates/CONTEXT.md)
    #[arg(long, conflicts_with = "agreement")]
    context_reference: bool,
}

/// `doc_lang` is `Err` for `--lang both`: an agreement is rendered in one language.
pub(crate) fn run(args: &Args, ui: &Ui, doc_lang: Result<Option<DocLang>, ()>) -> Exit {
    let Ok(doc_lang) = doc_lang else {
        err(&format!(
            "{}\n",
            Msg::new(
                "一份协议只用一种语言：用 --lang zh 或 --lang en（不写时按协议数据的 language）",
                "an agreement is written in one language: use --lang zh or --lang en (without it, the data's `language`)",
            )
            .get(ui.lang)
        ));
        return Exit::Usage;
    };
    if let Some(dir) = &args.init_templates {
        return init_templates(dir, ui);
    }
    if args.context_reference {
        return match tenet_agreement::context_reference() {
            Ok(text) => {
                out(&text);
                Exit::Ok
            }
            Err(e) => {
                err(&to_text(&e.diagnostics, ui.style()));
                Exit::InvalidPolicy
            }
        };
    }
    let Some(agreement) = &args.agreement else {
        return Exit::Usage;
    };
    if let Some(path) = &args.out
        && crate::files::same_file(agreement, path)
    {
        let shown = path.display();
        return crate::output::usage(
            crate::OutputFormat::Human,
            ui,
            Msg::new(
                format!("--out {shown} 就是协议数据文件：文本会覆盖数据；请写到另一个文件"),
                format!(
                    "--out {shown} is the agreement data file: the document would overwrite the data; write to another file"
                ),
            ),
        );
    }
    let now = match crate::commands::eval::parse_now(args.now.as_deref(), crate::OutputFormat::Human, ui) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let data = match crate::files::read(agreement) {
        Ok(f) => f,
        Err(e) => {
            return crate::output::unreadable(
                crate::OutputFormat::Human,
                ui,
                &e,
                "invalid_agreement",
                Exit::InvalidFacts,
            );
        }
    };
    let format = match args.format {
        FormatArg::Md => DocFormat::Markdown,
        FormatArg::Html => DocFormat::Html,
        FormatArg::Docx => DocFormat::Docx,
        FormatArg::Pdf => DocFormat::Pdf,
    };
    if format.is_binary() && args.out.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return crate::output::usage(
            crate::OutputFormat::Human,
            ui,
            Msg::new(
                "Word 和 PDF 是二进制文件：用 --out 文件 写入，或重定向标准输出",
                "Word and PDF are binary files: write them with --out FILE, or redirect standard output",
            ),
        );
    }
    let document = match tenet_agreement::render(
        &data,
        Options {
            lang: doc_lang,
            format,
            final_copy: args.final_copy,
            templates: args.templates.clone(),
            case: args.case.clone(),
            now,
        },
    ) {
        Ok(d) => d,
        Err(e) => {
            err(&to_text(&e.diagnostics, ui.style()));
            return match e.blame {
                Blame::Data => Exit::InvalidFacts,
                Blame::Policy | Blame::Template => Exit::InvalidPolicy,
                Blame::Output => Exit::Usage,
            };
        }
    };
    // Warnings of the data checks: shown with every draft (a final copy refuses them).
    if !document.warnings.is_empty() {
        err(&to_text(&document.warnings, ui.style()));
    }
    match &args.out {
        None if format.is_binary() => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&document.bytes).and_then(|()| stdout.flush()) {
                err(&format!("{}\n", msg!("无法写出：{e}", "cannot write: {e}").get(ui.lang)));
                return Exit::Usage;
            }
        }
        None => out(&document.text),
        Some(path) => {
            if let Err(e) = crate::files::write_atomically(path, |w| w.write_all(&document.bytes)) {
                let shown = path.display();
                err(&format!(
                    "{}\n",
                    Msg::new(format!("无法写入 {shown}：{e}"), format!("cannot write {shown}: {e}")).get(ui.lang)
                ));
                return Exit::Usage;
            }
            if ui.lang != Lang::En {
                err(&format!("已写入 {} · ", path.display()));
            }
            err(&format!("wrote {}\n", path.display()));
        }
    }
    Exit::Ok
}

/// `--init-templates DIR`: the bundled templates and `CONTEXT.md`, written under `DIR`;
/// a file already there is never overwritten.
fn init_templates(dir: &std::path::Path, ui: &Ui) -> Exit {
    let files = match tenet_agreement::template_files() {
        Ok(f) => f,
        Err(e) => {
            err(&to_text(&e.diagnostics, ui.style()));
            return Exit::InvalidPolicy;
        }
    };
    let existing: Vec<String> =
        files.iter().map(|(rel, _)| dir.join(rel)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !existing.is_empty() {
        let list = existing.join(", ");
        err(&format!(
            "{}\n",
            Msg::new(
                format!("不覆盖已有的文件：{list}；换一个空目录，或先移走这些文件"),
                format!("not overwriting existing files: {list}; choose an empty folder or move them first"),
            )
            .get(ui.lang)
        ));
        return Exit::Usage;
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::files::write_atomically(&path, |w| w.write_all(text.as_bytes())));
        if let Err(e) = written {
            let shown = path.display();
            err(&format!(
                "{}\n",
                Msg::new(format!("无法写入 {shown}：{e}"), format!("cannot write {shown}: {e}")).get(ui.lang)
            ));
            return Exit::Usage;
        }
    }
    let (n, shown) = (files.len(), dir.display());
    err(&format!(
        "{}\n",
        Msg::new(
            format!("已写入 {n} 个文件到 {shown}：修改后用 tenet render --templates {shown} 数据文件"),
            format!("wrote {n} files to {shown}: edit them, then tenet render --templates {shown} AGREEMENT"),
        )
        .get(ui.lang)
    ));
    Exit::Ok
}
