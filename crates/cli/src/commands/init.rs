//! `tenet init [DIR]`: a new project — `tenet.toml`, a starter return policy with its
//! holiday calendar, and two test cases — whose `tenet check` and `tenet test` pass as
//! written. Nothing is written over an existing file.

use std::path::{Path, PathBuf};

use tenet::diagnostics::Msg;

use crate::output::{out, usage};
use crate::{Exit, OutputFormat, Ui};

/// Arguments of `tenet init`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 项目目录（默认当前目录；不存在时创建）· the project folder (default: the current one; created when missing)
    dir: Option<PathBuf>,
}

/// The files of a new project: (path in the project, contents).
const FILES: &[(&str, &str)] = &[
    ("tenet.toml", include_str!("../init/tenet.toml")),
    ("rules/returns.tenet", include_str!("../init/returns.tenet")),
    ("rules/calendars/cn-2026.yaml", include_str!("../../../../rules/calendars/cn-2026.yaml")),
    ("tests/cases/returns/no-reason-in-time.yaml", include_str!("../init/no-reason-in-time.yaml")),
    ("tests/cases/returns/no-reason-too-late.yaml", include_str!("../init/no-reason-too-late.yaml")),
];

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let there: Vec<String> =
        FILES.iter().map(|(p, _)| dir.join(p)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !there.is_empty() {
        let list = there.join(", ");
        return usage(
            OutputFormat::Human,
            ui,
            Msg::new(
                format!("这些文件已存在，什么也没有写：{list}。请换一个目录，或先移走它们"),
                format!(
                    "these files exist already, so nothing was written: {list}. Choose another folder or move them first"
                ),
            ),
        );
    }
    let mut written = Vec::new();
    for (path, text) in FILES {
        let target = dir.join(path);
        if let Err(e) = write(&target, text) {
            return usage(
                OutputFormat::Human,
                ui,
                Msg::new(
                    format!("无法写入 {}：{e}", target.display()),
                    format!("cannot write {}: {e}", target.display()),
                ),
            );
        }
        written.push(target.display().to_string());
    }
    let shown = dir.display();
    let mut s = ui.label("已创建项目：", "created a project:");
    s.push('\n');
    for w in &written {
        s.push_str(&format!("  {w}\n"));
    }
    s.push_str(&ui.label("下一步：", "next:"));
    s.push_str(&format!("\n  cd {shown}\n  tenet check\n  tenet test\n"));
    out(&s);
    Exit::Ok
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::files::write_atomically(path, |w| w.write_all(text.as_bytes()))
}
