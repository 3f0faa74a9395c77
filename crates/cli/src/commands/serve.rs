//! `tenet serve`: the decision and case service (the `tenet-server` crate) started from
//! the command line.

use std::path::PathBuf;

use crate::output::fail;
use crate::{Exit, OutputFormat, Ui};

/// The database without `--db` or a project's `[serve] db`.
pub(crate) const DEFAULT_DB: &str = "sqlite://tenet-data/tenet.db";
/// The address without `--listen` or a project's `[serve] listen`.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Arguments of `tenet serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 策略目录：其中每个 *.tenet 都会加载并检查（默认 tenet.toml 的设置，或 rules）· the policy folder: every *.tenet in it is loaded and checked (default: tenet.toml's, else rules)
    #[arg(long)]
    policies: Option<PathBuf>,
    /// 数据库：sqlite://文件 或 postgres://…（默认 tenet.toml 的设置，或 sqlite://tenet-data/tenet.db）· the database: sqlite://FILE or postgres://… (default: tenet.toml's, else sqlite://tenet-data/tenet.db)
    #[arg(long)]
    db: Option<String>,
    /// 监听地址（默认 tenet.toml 的设置，或 127.0.0.1:8080）· the address to listen on (default: tenet.toml's, else 127.0.0.1:8080)
    #[arg(long)]
    listen: Option<String>,
    /// 令牌文件（令牌的 SHA-256 与角色）；没有时只接受本机连接 · the tokens file (SHA-256 of each token and its role); without it only loopback
    #[arg(long)]
    tokens: Option<PathBuf>,
    /// 评估的答复等决定日志写入磁盘后再发出（默认排队，数毫秒内写入）· answer an evaluation only once its decision log entry is committed (default: queued, committed within milliseconds)
    #[arg(long)]
    durable_decisions: bool,
    /// 数据库暂时无法写入、决定日志队列已满时：wait 等待空位（默认），refuse 以 503 拒绝 · while the database cannot be written and the decision log's queue is full: wait for room (default) or refuse with 503
    #[arg(long, value_enum, default_value_t = LogFull::Wait)]
    log_full: LogFull,
    /// 不在标准错误上逐条记录请求 · do not write each request to standard error
    #[arg(long)]
    no_access_log: bool,
    /// 协议数据目录：签订流程案例在工作台上显示其协议草稿（默认 tenet.toml 的设置）· the folder of agreement data files: a signing case's desk page shows its draft (default: tenet.toml's)
    #[arg(long)]
    agreements: Option<PathBuf>,
    /// Webhook 文件：接收者、密钥（whsec_…）与订阅的事件（默认 tenet.toml 的设置）· the webhooks file: receivers, their secrets (whsec_…) and the events each receives (default: tenet.toml's)
    #[arg(long)]
    webhooks: Option<PathBuf>,
    /// 候选策略目录：与同名在用策略并行评估，只记录差异（默认 tenet.toml 的设置）· a folder of candidate policies evaluated beside the live ones of the same name, keeping only the differences (default: tenet.toml's)
    #[arg(long)]
    shadow: Option<PathBuf>,
}

/// The database a command names: `--db`, else tenet.toml's `[serve] db`, else the
/// default file.
pub(crate) fn database(db: Option<&String>, ui: &Ui) -> String {
    db.cloned()
        .or_else(|| ui.project.as_ref().and_then(crate::project::Project::db))
        .unwrap_or_else(|| DEFAULT_DB.to_owned())
}

/// What an evaluation does when the decision log's queue is full.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LogFull {
    /// Wait for room (back-pressure).
    Wait,
    /// Refuse with 503.
    Refuse,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    // A flag wins, then the project's `[serve]` settings, then the defaults.
    let project = ui.project.as_ref();
    let options = tenet_server::Options {
        policies: args
            .policies
            .clone()
            .unwrap_or_else(|| project.map_or_else(|| PathBuf::from("rules"), crate::project::Project::policies)),
        db: args
            .db
            .clone()
            .or_else(|| project.and_then(crate::project::Project::db))
            .unwrap_or_else(|| DEFAULT_DB.to_owned()),
        listen: args
            .listen
            .clone()
            .or_else(|| project.and_then(crate::project::Project::listen))
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
        tokens: args.tokens.clone().or_else(|| project.and_then(crate::project::Project::tokens)),
        durable_decisions: args.durable_decisions,
        refuse_when_log_full: args.log_full == LogFull::Refuse,
        access_log: !args.no_access_log,
        agreements: args.agreements.clone().or_else(|| project.and_then(crate::project::Project::agreements)),
        webhooks: args.webhooks.clone().or_else(|| project.and_then(crate::project::Project::webhooks)),
        shadow: args.shadow.clone().or_else(|| project.and_then(crate::project::Project::shadow)),
    };
    match tenet_server::run(&options) {
        Ok(()) => Exit::Ok,
        Err(tenet_server::StartError::Policy(_, diags)) => {
            fail(OutputFormat::Human, ui, "invalid_policy", &diags, Exit::InvalidPolicy)
        }
        Err(e) => {
            crate::output::err(&format!("tenet serve: {e}\n"));
            Exit::Usage
        }
    }
}
