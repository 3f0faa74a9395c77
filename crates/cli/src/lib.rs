//! The `tenet` command: a thin layer of clap over the engine, one file per subcommand,
//! and the tools built for it (batch evaluation, case expectations, review of policy
//! changes).

pub mod batch;
mod commands;
mod files;
mod output;
mod project;
pub mod review;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use tenet::diagnostics::{Lang, Style};
use tenet::{LoadError, Policy};

/// Exit codes of the command-line contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done (whatever the decision, unless `--fail-on` names it).
    Ok = 0,
    /// The policy has errors.
    InvalidPolicy = 1,
    /// The facts have errors.
    InvalidFacts = 2,
    /// Bad usage, or a file could not be read or written.
    Usage = 3,
    /// Evaluated, and the decision is one `--fail-on` names.
    Decision = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// tenet — 工作流规则引擎 · a workflow rules engine with its own policy language.
#[derive(Parser, Debug)]
#[command(name = "tenet", version, about, long_about = None)]
struct Cli {
    /// 消息语言（render 时也是文档语言）· language of messages (for render, of the document) [default: both]
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    /// 颜色：auto 只在终端且未设 NO_COLOR 时使用 · colours: auto uses them only on a terminal without NO_COLOR
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 检查策略文件 · check policy files (a directory means every *.tenet in it)
    Check(commands::check::Args),
    /// 用事实评估策略 · evaluate a policy against a facts file
    Eval(commands::eval::Args),
    /// 回放案例的事件历史 · replay a case's event history through the policy's workflow
    Case(commands::case::Args),
    /// 生成技术支持协议文本 · render the technical support agreement
    Render(commands::render::Args),
    /// 运行案例文件 · run case files against their policies
    Test(commands::test::Args),
    /// 比较两个策略版本对案例的影响 · what a policy change does to a corpus of cases
    Diff(commands::diff::Args),
    /// 统一策略文件的排版 · lay policy files out in the canonical way
    Fmt(commands::fmt::Args),
    /// 解释诊断代码 · explain a diagnostic code, with an example
    Explain(commands::explain::Args),
    /// 以服务运行：决定、案例与退款进度 · run the decision and case service
    Serve(commands::serve::Args),
    /// 报告：退货分析 · reports: the return analysis
    Report(commands::report::Args),
    /// 退货工作台的员工账号 · the return desk's staff accounts
    Users(commands::users::Args),
    /// 决定日志：按天导出为 Parquet、删除已导出的 · the decision log: export by day to Parquet, prune what was exported
    Log(commands::log::Args),
    /// 决策表：把表格的行导出为 CSV · decision tables: write a table's rows out as CSV
    Table(commands::table::Args),
    /// 新建项目：tenet.toml、示例策略、节假日日历与测试案例 · start a project: tenet.toml, a starter policy, the holiday calendar and test cases
    Init(commands::init::Args),
    /// 语言服务器（LSP，标准输入输出），供编辑器使用 · the language server (LSP over standard input and output) for editors
    Lsp,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    /// 中文
    Zh,
    /// English
    En,
    /// 中文 · English
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    /// 终端上且未设 NO_COLOR 时 · on a terminal, unless NO_COLOR is set
    Auto,
    /// 总是 · always
    Always,
    /// 从不 · never
    Never,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum OutputFormat {
    /// For people.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// What every subcommand needs to print.
pub(crate) struct Ui {
    pub lang: Lang,
    pub color: bool,
    /// The project the command runs in (its `tenet.toml`), whose settings are the
    /// defaults of flags not given.
    pub project: Option<project::Project>,
}

impl Ui {
    /// A heading or word in the chosen language (`中文 English` for both).
    pub fn label(&self, zh: &str, en: &str) -> String {
        match self.lang {
            Lang::Zh => zh.to_owned(),
            Lang::En => en.to_owned(),
            Lang::Both => format!("{zh} {en}"),
        }
    }

    pub fn style(&self) -> Style {
        Style { lang: self.lang, color: self.color, width: 100 }
    }
}

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    // An interrupted write leaves nothing behind: its temporary file goes, then the
    // process ends as an interrupted one does (128 + SIGINT).
    // `serve` shuts down on its own terms (it finishes the requests in flight).
    if !std::env::args_os().any(|a| a == "serve") {
        let _ = ctrlc::set_handler(|| {
            files::remove_temporary_files();
            std::process::exit(130);
        });
    }
    ExitCode::from(run(std::env::args_os()))
}

/// Runs one command line (`args` starts with the program's name) and gives its exit
/// status: what `main` does, callable in-process (the end-to-end fuzz target drives it).
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { Exit::Usage } else { Exit::Ok };
            let _ = e.print();
            return code as u8;
        }
    };
    let project = match project::Project::discover() {
        Ok(p) => p,
        Err(d) => {
            let ui = Ui { lang: Lang::Both, color: false, project: None };
            return output::fail(OutputFormat::Human, &ui, "usage", &[d], Exit::Usage) as u8;
        }
    };
    // A flag wins over the project's `lang`.
    let lang_arg = cli.lang.or_else(|| {
        project.as_ref().and_then(project::Project::lang).map(|l| match l {
            project::Lang::Zh => LangArg::Zh,
            project::Lang::En => LangArg::En,
            project::Lang::Both => LangArg::Both,
        })
    });
    let lang = match lang_arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Both) | None => Lang::Both,
    };
    // A document has one language: `--lang both` is refused by `render`.
    // A project's `lang = "both"` is no choice for a document (the data's `language` then
    // decides); only the flag can ask for both, and be refused.
    let doc_lang = match lang_arg {
        Some(LangArg::Zh) => Ok(Some(tenet_agreement::DocLang::Zh)),
        Some(LangArg::En) => Ok(Some(tenet_agreement::DocLang::En)),
        Some(LangArg::Both) if cli.lang.is_some() => Err(()),
        Some(LangArg::Both) | None => Ok(None),
    };
    let color = match cli.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let ui = Ui { lang, color, project };
    let exit = match cli.command {
        Command::Check(args) => commands::check::run(&args, &ui),
        Command::Eval(args) => commands::eval::run(&args, &ui),
        Command::Case(args) => commands::case::run(&args, &ui),
        Command::Render(args) => commands::render::run(&args, &ui, doc_lang),
        Command::Test(args) => commands::test::run(&args, &ui),
        Command::Diff(args) => commands::diff::run(&args, &ui),
        Command::Fmt(args) => commands::fmt::run(&args, &ui),
        Command::Explain(args) => commands::explain::run(&args, &ui),
        Command::Serve(args) => commands::serve::run(&args, &ui),
        Command::Report(args) => commands::report::run(&args, &ui),
        Command::Users(args) => commands::users::run(&args, &ui),
        Command::Log(args) => commands::log::run(&args, &ui),
        Command::Table(args) => commands::table::run(&args, &ui),
        Command::Init(args) => commands::init::run(&args, &ui),
        Command::Lsp => commands::lsp::run(),
    };
    exit as u8
}

/// Reads and compiles a policy file (`-` reads standard input); a failure is reported
/// here and gives the exit.
pub(crate) fn load_policy(path: &std::path::Path, format: OutputFormat, ui: &Ui) -> Result<Policy, Exit> {
    let file =
        files::read(path).map_err(|e| output::unreadable(format, ui, &e, "invalid_policy", Exit::InvalidPolicy))?;
    Policy::from_source(&file).map_err(|e| match e {
        LoadError::Read(e) => output::unreadable(format, ui, &e, "invalid_policy", Exit::InvalidPolicy),
        e => output::fail(format, ui, "invalid_policy", &e.errors(), Exit::InvalidPolicy),
    })
}

/// The system clock's instant, to the second: a result that had to read the clock says
/// when, without a fraction no one asked for.
pub(crate) fn system_now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(0)
}
