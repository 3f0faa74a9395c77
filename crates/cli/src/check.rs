//! `tenet check [PATH ...]`: parse and check policy files, print every diagnostic.

use std::path::{Path, PathBuf};

use super::{Exit, OutputFormat, Ui, err, out};
use tenet::Policy;
use tenet::diagnostics::{self, Diagnostic, to_json_text, to_text};
use tenet::source::{ReadError, read_source};

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
    let roots = if args.paths.is_empty() { vec![PathBuf::from("rules")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for root in &roots {
        match collect(root, &mut files) {
            Ok(0) if root.is_dir() => {
                err(&format!("{} 下没有 .tenet 文件 · no .tenet files under {}\n", root.display(), root.display()));
                return Exit::Usage;
            }
            Ok(_) => {}
            Err(e) => {
                err(&format!("无法读取 {} · cannot read {}: {e}\n", root.display(), root.display()));
                return Exit::Usage;
            }
        }
    }
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &files {
        match read_source(path) {
            Ok(file) => match Policy::from_source(&file) {
                Ok(policy) => all.extend_from_slice(policy.warnings()),
                Err(e) => all.extend(e.diagnostics()),
            },
            Err(e @ ReadError::NotUtf8 { .. }) => all.push(Diagnostic::from(&e)),
            Err(e @ ReadError::Io { .. }) => {
                err(&format!("{e}\n"));
                return Exit::Usage;
            }
        }
    }
    diagnostics::sort(&mut all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    match args.format {
        OutputFormat::Json => out(&format!("{}\n", to_json_text(&all, ui.lang))),
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Adds `path` (a file) or every `*.tenet` below it (a directory), sorted; returns how
/// many were added.
pub(crate) fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<usize> {
    if !path.is_dir() {
        // A missing file is reported by the read that follows, with its name.
        std::fs::metadata(path)?;
        files.push(path.to_path_buf());
        return Ok(1);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    let mut added = 0;
    for entry in entries {
        if entry.is_dir() {
            added += collect(&entry, files)?;
        } else if entry.extension().is_some_and(|e| e == "tenet") {
            files.push(entry);
            added += 1;
        }
    }
    Ok(added)
}
