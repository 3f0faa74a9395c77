//! `tenet users`: the return desk's staff accounts in the server's database — `add NAME
//! --role ROLE…` (password from standard input with `--password-stdin`, else generated and
//! printed once), `list`, `disable NAME`.

use std::io::Read;

use crate::output::{err, out};
use crate::{Exit, Ui};

/// Arguments of `tenet users`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
    /// 数据库：与 tenet serve 相同（默认 tenet.toml 的设置，或 sqlite://tenet-data/tenet.db）· the database, as for tenet serve (default: tenet.toml's, else sqlite://tenet-data/tenet.db)
    #[arg(long, global = true)]
    db: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// 添加账号 · add an account
    Add {
        /// 登录名 · the sign-in name
        name: String,
        /// 角色（流程 `roles` 行里的名字，可重复）· a role (a name from the workflow's `roles` line; repeat for more)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// 从标准输入读密码（一行）；不给时生成一个并打印一次 · read the password from standard input (one line); without it one is generated and printed once
        #[arg(long)]
        password_stdin: bool,
    },
    /// 列出账号 · list the accounts
    List,
    /// 停用账号并立即结束它的会话 · disable an account and end its sessions at once
    Disable {
        /// 登录名 · the sign-in name
        name: String,
    },
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let db = super::serve::database(args.db.as_ref(), ui);
    let done = match &args.action {
        Action::Add { name, roles, password_stdin } => add(&db, name, roles, *password_stdin),
        Action::List => list(&db),
        Action::Disable { name } => tenet_server::desk::accounts::disable(&db, name)
            .map(|()| out(&format!("已停用 {name}，它的会话已结束 · disabled {name}; its sessions have ended\n"))),
    };
    match done {
        Ok(()) => Exit::Ok,
        Err(e) => {
            err(&format!("tenet users: {e}\n"));
            Exit::Usage
        }
    }
}

fn add(db: &str, name: &str, roles: &[String], from_stdin: bool) -> Result<(), tenet_server::StartError> {
    let usage = tenet_server::StartError::Usage;
    let (password, generated) = if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| usage(format!("标准输入读不出密码 · cannot read the password from standard input: {e}")))?;
        // One line: the newline `echo` or a password manager adds is not part of it.
        (text.lines().next().unwrap_or("").to_owned(), false)
    } else {
        let p = tenet_server::desk::accounts::generated_password()
            .ok_or_else(|| usage("系统没有随机数来源 · the system has no randomness".into()))?;
        (p, true)
    };
    tenet_server::desk::accounts::add(db, name, roles, &password)?;
    out(&format!("已添加 {name}（{}）· added {name} ({})\n", roles.join("、"), roles.join(", ")));
    if generated {
        out(&format!("密码（只显示这一次）· password (shown this once): {password}\n"));
    }
    Ok(())
}

fn list(db: &str) -> Result<(), tenet_server::StartError> {
    let users = tenet_server::desk::accounts::list(db)?;
    if users.is_empty() {
        out(
            "还没有账号；tenet users add NAME --role ROLE 添加 · no accounts yet; add one with tenet users add NAME --role ROLE\n",
        );
    }
    for u in users {
        let state = if u.disabled { "已停用 · disabled" } else { "可用 · enabled" };
        out(&format!("{}\t{}\t{state}\t{}\n", u.name, u.roles.join(","), u.created_at));
    }
    Ok(())
}
