//! `tenet render AGREEMENT [--format md|html] [--out FILE] [--final]`: the technical
//! support agreement from its data file, the templates and the SLA policy. The global
//! `--lang zh|en` picks the document's language (default: the data's `language`, else
//! Chinese).

use std::path::PathBuf;

use super::{Exit, Ui, err, out};
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
}

/// Arguments of `tenet render`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 协议数据文件（YAML 或 JSON；- 读标准输入）· the agreement data file (YAML or JSON; - reads stdin)
    agreement: PathBuf,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: FormatArg,
    /// 写入文件（原子写入）而不是标准输出 · write to this file (atomically) instead of standard output
    #[arg(long)]
    out: Option<PathBuf>,
    /// 正式文本：须已签署且信息完整 · a final copy: refused unless signed and complete
    #[arg(long = "final")]
    final_copy: bool,
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
    if let Some(path) = &args.out
        && crate::files::same_file(&args.agreement, path)
    {
        let shown = path.display();
        return super::usage(
            super::OutputFormat::Human,
            ui,
            Msg::new(
                format!("--out {shown} 就是协议数据文件：文本会覆盖数据；请写到另一个文件"),
                format!(
                    "--out {shown} is the agreement data file: the document would overwrite the data; write to another file"
                ),
            ),
        );
    }
    let data = match crate::files::read(&args.agreement) {
        Ok(f) => f,
        Err(e) => {
            return super::unreadable(super::OutputFormat::Human, ui, &e, "invalid_agreement", Exit::InvalidFacts);
        }
    };
    let format = match args.format {
        FormatArg::Md => DocFormat::Markdown,
        FormatArg::Html => DocFormat::Html,
    };
    let document = match tenet_agreement::render(&data, Options { lang: doc_lang, format, final_copy: args.final_copy })
    {
        Ok(d) => d,
        Err(e) => {
            err(&to_text(&e.diagnostics, ui.style()));
            return match e.blame {
                Blame::Data => Exit::InvalidFacts,
                Blame::Policy | Blame::Template => Exit::InvalidPolicy,
            };
        }
    };
    // Warnings of the data checks: shown with every draft (a final copy refuses them).
    if !document.warnings.is_empty() {
        err(&to_text(&document.warnings, ui.style()));
    }
    match &args.out {
        None => out(&document.text),
        Some(path) => {
            if let Err(e) = crate::files::write_atomically(path, |w| w.write_all(document.text.as_bytes())) {
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
