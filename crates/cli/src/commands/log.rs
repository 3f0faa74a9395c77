//! `tenet log`: the service's decision log for retention — `export --format parquet --out
//! DIR` writes what was not yet exported, by UTC day (`day=YYYY-MM-DD/part-N.parquet`);
//! `prune --before DATE` removes the days before a date once they are exported (`--force`
//! removes them anyway). Cases and their events are never removed.

mod parquet;

use std::path::PathBuf;

use crate::output::{err, out};
use crate::{Exit, Ui};

/// Arguments of `tenet log`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
    /// 数据库：与 tenet serve 相同（默认 tenet.toml 的设置，或 sqlite://tenet-data/tenet.db）· the database, as for tenet serve (default: tenet.toml's, else sqlite://tenet-data/tenet.db)
    #[arg(long, global = true)]
    db: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Parquet,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// 按天（UTC）导出尚未导出的决定日志 · export what of the decision log was not exported yet, by UTC day
    Export {
        /// 从这一天起（含）· from this day on (inclusive), YYYY-MM-DD
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// 到这一天之前（不含；默认今天，只导出已结束的日子）· up to this day (exclusive; default today, so only whole days)
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// 格式 · the format
        #[arg(long, value_enum, default_value = "parquet")]
        format: Format,
        /// 输出目录（day=YYYY-MM-DD/part-N.parquet）· the folder (day=YYYY-MM-DD/part-N.parquet)
        #[arg(long)]
        out: PathBuf,
    },
    /// 删除某天之前的决定日志（须已导出）· remove the decision log before a day (once exported)
    Prune {
        /// 删除这一天之前的 · remove what is before this day, YYYY-MM-DD
        #[arg(long)]
        before: chrono::NaiveDate,
        /// 未导出的也删除 · remove entries no export holds too
        #[arg(long)]
        force: bool,
    },
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let db = super::serve::database(args.db.as_ref(), ui);
    match &args.action {
        Action::Export { since, until, format: Format::Parquet, out: dir } => {
            let until = until.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let since = since.map(|d| d.to_string()).unwrap_or_default();
            match tenet_server::retention::export(&db, &since, &until.to_string(), dir, parquet::part) {
                Ok(written) if written.is_empty() => {
                    out(&format!("没有尚未导出的日志（{until} 之前）· nothing left to export before {until}\n"));
                    Exit::Ok
                }
                Ok(written) => {
                    for w in &written {
                        out(&format!("{}  {} 条 · {} entries  {}\n", w.day, w.rows, w.rows, w.file.display()));
                    }
                    Exit::Ok
                }
                Err(e) => {
                    err(&format!("tenet log export: {e}\n"));
                    Exit::Usage
                }
            }
        }
        Action::Prune { before, force } => match tenet_server::retention::prune(&db, &before.to_string(), *force) {
            Ok(tenet_server::retention::Pruned::Removed(n)) => {
                out(&format!("已删除 {before} 之前的 {n} 条 · removed {n} entries before {before}\n"));
                Exit::Ok
            }
            Ok(tenet_server::retention::Pruned::NotExported(days)) => {
                let list: Vec<String> = days.iter().map(|d| format!("{} ({})", d.day, d.rows)).collect();
                err(&format!(
                    "tenet log prune: 这些日子有尚未导出的条目，未删除任何内容：{} · these days hold entries no export holds; nothing was removed: {}\n  \
                     先运行 tenet log export，或加 --force · run tenet log export first, or add --force\n",
                    list.join("、"),
                    list.join(", ")
                ));
                Exit::InvalidFacts
            }
            Err(e) => {
                err(&format!("tenet log prune: {e}\n"));
                Exit::Usage
            }
        },
    }
}
