//! `tenet serve`: the decision and case service (the `tenet-server` crate) started from
//! the command line.

use std::path::PathBuf;

use crate::output::fail;
use crate::{Exit, OutputFormat, Ui};

/// Arguments of `tenet serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 策略目录：其中每个 *.tenet 都会加载并检查 · the policy folder: every *.tenet in it is loaded and checked
    #[arg(long, default_value = "rules")]
    policies: PathBuf,
    /// 数据库：sqlite://文件 或 postgres://… · the database: sqlite://FILE or postgres://…
    #[arg(long, default_value = "sqlite://tenet-data/tenet.db")]
    db: String,
    /// 监听地址 · the address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
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
    let options = tenet_server::Options {
        policies: args.policies.clone(),
        db: args.db.clone(),
        listen: args.listen.clone(),
        tokens: args.tokens.clone(),
        durable_decisions: args.durable_decisions,
        refuse_when_log_full: args.log_full == LogFull::Refuse,
        access_log: !args.no_access_log,
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
