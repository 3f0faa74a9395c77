//! `tenet check [PATH ...]`: parse and check policy files, print every diagnostic.

use std::path::PathBuf;

use crate::output::{err, out};
use crate::{Exit, OutputFormat, Ui};
use tenet::Policy;
use tenet::diagnostics::{self, Diagnostic, Msg, to_json_text, to_text};
use tenet::source::ReadError;

/// Arguments of `tenet check`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 策略文件或目录（默认 rules/）· policy files or directories (default: rules/)
    paths: Vec<PathBuf>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// 有警告也算失败（用于 CI）· fail on warnings too (for CI)
    #[arg(long)]
    deny_warnings: bool,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let roots = if args.paths.is_empty() {
        vec![ui.project.as_ref().map_or_else(|| PathBuf::from("rules"), crate::project::Project::policies)]
    } else {
        args.paths.clone()
    };
    let files = match policy_files(&roots, args.format, ui) {
        Ok(files) => files,
        Err(exit) => return exit,
    };
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &files {
        match crate::files::read(path) {
            Ok(file) => match Policy::from_source(&file) {
                Ok(policy) => all.extend_from_slice(policy.warnings()),
                Err(e) => all.extend(e.diagnostics()),
            },
            Err(e @ ReadError::Io { .. }) => return crate::output::unreadable(args.format, ui, &e, "", Exit::Usage),
            // Bytes that are not UTF-8, a file too large: the file's own problem.
            Err(e) => all.push(Diagnostic::from(&e)),
        }
    }
    diagnostics::sort(&mut all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    match args.format {
        OutputFormat::Json => out(&format!("{}\n", to_json_text(&all))),
        OutputFormat::Human => {
            out(&to_text(&all, ui.style()));
            if !all.is_empty() {
                out("\n");
            }
            let n = files.len();
            let zh = format!("检查了 {n} 个文件：{errors} 个错误，{warnings} 个警告");
            let en = format!(
                "checked {n} file{}: {errors} error{}, {warnings} warning{}",
                plural(n),
                plural(errors),
                plural(warnings)
            );
            out(&format!("{}\n", tenet::diagnostics::Msg::new(zh, en).get(ui.lang)));
        }
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) { Exit::InvalidPolicy } else { Exit::Ok }
}

/// The policy files under `roots` (a folder means every `*.tenet` in it, recursively;
/// `-` is standard input); a folder without any, or one that cannot be read, is
/// reported here.
pub(crate) fn policy_files(roots: &[PathBuf], format: OutputFormat, ui: &Ui) -> Result<Vec<PathBuf>, Exit> {
    let mut files = Vec::new();
    for root in roots {
        match crate::files::collect(root, &["tenet"], &mut |note| err(&format!("{note}\n"))) {
            Ok(found) if found.is_empty() && root.is_dir() => {
                let shown = root.display();
                let d = Diagnostic::error(
                    "unreadable",
                    Msg::new(format!("{shown} 下没有 .tenet 文件"), format!("no .tenet files under {shown}")),
                )
                .help(Msg::new("给出策略文件或含有策略文件的目录", "name policy files, or a folder that holds some"));
                return Err(crate::output::fail(format, ui, "unreadable", &[d], Exit::Usage));
            }
            Ok(found) => files.extend(found),
            Err(source) => {
                let e = ReadError::Io { path: root.display().to_string(), source };
                return Err(crate::output::unreadable(format, ui, &e, "", Exit::Usage));
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
