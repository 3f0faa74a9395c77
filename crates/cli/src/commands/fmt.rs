//! `tenet fmt [--check] [PATH ...]`: lay policy files out in the one canonical way.

use std::path::PathBuf;

use crate::files::write_atomically;
use crate::output::{err, out};
use crate::{Exit, OutputFormat, Ui};
use tenet::diagnostics::{Msg, to_text};
use tenet::source::ReadError;
use tenet::{FormatError, format_policy};

/// Arguments of `tenet fmt`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 策略文件或目录（默认 rules/）· policy files or folders (default: rules/)
    paths: Vec<PathBuf>,
    /// 只检查，不写入；有文件需要格式化时退出码为 1 · only check: exit 1 when a file would change, write nothing
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let roots = if args.paths.is_empty() {
        vec![ui.project.as_ref().map_or_else(|| PathBuf::from("rules"), crate::project::Project::policies)]
    } else {
        args.paths.clone()
    };
    let files = match crate::commands::check::policy_files(&roots, OutputFormat::Human, ui) {
        Ok(files) => files,
        Err(exit) => return exit,
    };
    let mut changed = Vec::new();
    let mut broken = false;
    for path in &files {
        let file = match crate::files::read(path) {
            Ok(f) => f,
            Err(e @ (ReadError::NotUtf8 { .. } | ReadError::TooLarge { .. })) => {
                err(&to_text(&[tenet::diagnostics::Diagnostic::from(&e)], ui.style()));
                broken = true;
                continue;
            }
            Err(e) => {
                err(&format!("{e}\n"));
                return Exit::Usage;
            }
        };
        let formatted = match format_policy(&file) {
            Ok(f) => f,
            Err(FormatError::Syntax(diags)) => {
                err(&to_text(&diags, ui.style()));
                broken = true;
                continue;
            }
            Err(FormatError::Changed) => {
                let shown = path.display();
                err(&format!(
                    "{}\n",
                    Msg::new(
                        format!("{shown}：格式化会改变文件的含义，未写入（这是 tenet 的缺陷，请报告）"),
                        format!("{shown}: formatting would change what the file says; nothing written (a tenet bug, please report it)"),
                    )
                    .get(ui.lang)
                ));
                broken = true;
                continue;
            }
            Err(e) => {
                err(&format!("{}: {e}\n", path.display()));
                broken = true;
                continue;
            }
        };
        // Standard input is formatted to standard output (with `--check`, only checked).
        if crate::files::is_stdin(path) {
            if formatted != file.text() {
                changed.push(path.clone());
            }
            if !args.check {
                out(&formatted);
            }
            continue;
        }
        if formatted == file.text() {
            continue;
        }
        changed.push(path.clone());
        if !args.check
            && let Err(e) = write_atomically(path, |w| w.write_all(formatted.as_bytes()))
        {
            err(&format!("{}: {e}\n", path.display()));
            return Exit::Usage;
        }
    }
    for path in &changed {
        if crate::files::is_stdin(path) && !args.check {
            continue;
        }
        let verb = if args.check {
            Msg::new("需要格式化", "would reformat")
        } else {
            Msg::new("已格式化", "formatted")
        };
        out(&format!("{} {}\n", verb.get(ui.lang), path.display()));
    }
    if broken || (args.check && !changed.is_empty()) { Exit::InvalidPolicy } else { Exit::Ok }
}
