//! `tenet table export NAME [POLICY] [--format csv] [-o FILE]`: a table's rows as CSV,
//! the form a table's `from "….csv"` reads back (so a big table can move out of the
//! policy into a spreadsheet, and a spreadsheet's edits can be reviewed as rows).

use std::path::PathBuf;

use tenet::diagnostics::Msg;

use crate::output::{out, usage};
use crate::{Exit, OutputFormat, Ui};

/// Arguments of `tenet table`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// 把表格的行写成 CSV · write a table's rows out as CSV
    Export(ExportArgs),
}

/// Arguments of `tenet table export`.
#[derive(clap::Args, Debug)]
struct ExportArgs {
    /// 表格名 · the table's name
    name: String,
    /// 策略文件（默认：项目策略目录中声明了这个表格的那个）· the policy file (default: the one in the project's policies that declares the table)
    policy: Option<PathBuf>,
    /// 格式 · the format
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    format: TableFormat,
    /// 写入文件（原子写入）而不是标准输出 · write to this file (atomically) instead of standard output
    #[arg(short, long)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum TableFormat {
    /// 逗号分隔 · comma-separated values
    Csv,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    match &args.command {
        Command::Export(a) => export(a, ui),
    }
}

fn export(args: &ExportArgs, ui: &Ui) -> Exit {
    let TableFormat::Csv = args.format;
    let format = OutputFormat::Human;
    let policy = match &args.policy {
        Some(path) => match crate::load_policy(path, format, ui) {
            Ok(p) => p,
            Err(exit) => return exit,
        },
        None => match declaring(&args.name, ui) {
            Ok(p) => p,
            Err(exit) => return exit,
        },
    };
    let csv = match policy.table_csv(&args.name) {
        Ok(csv) => csv,
        Err(e) => return usage(format, ui, Msg::new(e.to_string(), e.to_string())),
    };
    match &args.output {
        None => {
            out(&csv);
            Exit::Ok
        }
        Some(path) => match crate::files::write_atomically(path, |w| w.write_all(csv.as_bytes())) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                let shown = path.display();
                usage(format, ui, tenet::diagnostics::msg!("无法写入 {shown}：{e}", "cannot write {shown}: {e}"))
            }
        },
    }
}

/// The one policy of the project that declares table `name`.
fn declaring(name: &str, ui: &Ui) -> Result<tenet::Policy, Exit> {
    let root = ui.project.as_ref().map_or_else(|| PathBuf::from("rules"), crate::project::Project::policies);
    let files = crate::commands::check::policy_files(&[root], OutputFormat::Human, ui)?;
    let mut found = Vec::new();
    for path in files {
        // A broken policy elsewhere in the folder is not this command's business.
        if let Ok(p) = tenet::Policy::load(&path)
            && p.table_names().contains(&name)
        {
            found.push((path, p));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0).1),
        0 => Err(usage(
            OutputFormat::Human,
            ui,
            tenet::diagnostics::msg!(
                "项目的策略中没有表格 `{name}`；请指定策略文件：tenet table export {name} POLICY",
                "no policy of the project declares a table `{name}`; name the policy: tenet table export {name} POLICY"
            ),
        )),
        _ => {
            let paths: Vec<String> = found.iter().map(|(p, _)| p.display().to_string()).collect();
            let paths = paths.join(", ");
            Err(usage(
                OutputFormat::Human,
                ui,
                tenet::diagnostics::msg!(
                    "多个策略声明了表格 `{name}`（{paths}）；请指定一个",
                    "several policies declare a table `{name}` ({paths}); name one"
                ),
            ))
        }
    }
}
