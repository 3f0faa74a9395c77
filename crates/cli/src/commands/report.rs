//! `tenet report returns INPUT…`: the return analysis (the `tenet-report`
//! crate), as JSON or Markdown.

use std::path::PathBuf;

use chrono::NaiveDate;
use tenet::diagnostics::Msg;

use crate::output::{err, out};
use crate::{Exit, OutputFormat, Ui};

/// Arguments of `tenet report`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand, Debug)]
enum What {
    /// 退货分析 · the return analysis
    Returns(ReturnsArgs),
    /// 月度服务报告（第四条）· the monthly service statement (clause 4)
    Sla(SlaArgs),
    /// 影子评估：候选策略与在用策略的差异（金额）· the shadow: where the candidate policy decided differently, in money
    Shadow(ShadowArgs),
}

#[derive(clap::Args, Debug)]
struct ShadowArgs {
    /// tenet serve 的数据库 · the service's database (sqlite://…, postgres://…)
    #[arg(long)]
    db: String,
    /// 在用策略名 · the live policy's name
    #[arg(long, default_value = "returns")]
    policy: String,
    /// 从此时刻起（含）· from this instant (RFC 3339, inclusive)
    #[arg(long)]
    since: Option<String>,
    /// 到此时刻前 · before this instant (RFC 3339)
    #[arg(long)]
    until: Option<String>,
    /// 格式：json 或 md · format: json or md
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

#[derive(clap::Args, Debug)]
struct SlaArgs {
    /// 一个月的工单记录（事实文件）· one month's ticket log (a facts file)
    facts: PathBuf,
    /// 服务水平策略 · the SLA policy
    #[arg(long, default_value = "rules/support_sla.tenet")]
    policy: PathBuf,
    #[command(flatten)]
    common: Common,
}

/// What every report takes: the instant, the format and where it goes.
#[derive(clap::Args, Debug)]
struct Common {
    /// 评估与回放的时刻 · the instant facts are evaluated and cases replayed at (RFC 3339; default: the facts' `now`, else the clock)
    #[arg(long)]
    now: Option<String>,
    /// 格式 · format
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
    /// 写入文件（原子写入），默认标准输出 · write here (atomically) instead of stdout
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
enum ReportFormat {
    /// One JSON object (the contract).
    #[default]
    Json,
    /// Markdown, for a wiki.
    Md,
    /// The by_sku table as CSV.
    Csv,
    /// One self-contained HTML page with charts.
    Html,
    /// One row per case as Parquet (needs --out).
    Parquet,
}

#[derive(clap::Args, Debug)]
struct ReturnsArgs {
    /// 案例：tenet serve 的数据库（sqlite://…、postgres://…）、JSON lines 文件或案例文件目录 · cases: a `tenet serve` store (sqlite://…, postgres://…), JSON-lines files or folders of case files
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// 退货策略 · the return policy
    #[arg(long, default_value = "rules/returns.tenet")]
    policy: PathBuf,
    /// 改进建议的策略 · the policy that raises the improvement flags
    #[arg(long, default_value = "rules/return_insights.tenet")]
    insights: PathBuf,
    /// 销量 CSV（sku,units_sold），用于退货率 · sales CSV (sku,units_sold) for return rates
    #[arg(long)]
    sales: Option<PathBuf>,
    /// 从此日起提交的申请（本地日期）· requests submitted on or after this local date
    #[arg(long)]
    since: Option<NaiveDate>,
    /// 至此日止提交的申请（含）· requests submitted up to this local date, inclusive
    #[arg(long)]
    until: Option<NaiveDate>,
    #[command(flatten)]
    common: Common,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    match &args.what {
        What::Returns(a) => returns(a, ui),
        What::Sla(a) => sla(a, ui),
        What::Shadow(a) => shadow(a, ui),
    }
}

fn shadow(args: &ShadowArgs, ui: &Ui) -> Exit {
    let bound = |flag: &str, given: Option<&str>| match given.map(|t| (t, tenet::facts::parse_datetime(t))) {
        None => Ok(None),
        Some((_, Some(t))) => Ok(Some(t.to_utc())),
        Some((t, None)) => Err(crate::output::usage(
            OutputFormat::Human,
            ui,
            tenet::diagnostics::Msg::new(
                format!("{flag} {t}：应为 RFC 3339 时刻，如 2026-11-01T00:00:00+08:00"),
                format!("{flag} {t}: write an RFC 3339 instant, such as 2026-11-01T00:00:00+08:00"),
            ),
        )),
    };
    let (since, until) = match (bound("--since", args.since.as_deref()), bound("--until", args.until.as_deref())) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(exit), _) | (_, Err(exit)) => return exit,
    };
    let summary = match tenet_server::shadow::read_summary(&args.db, &args.policy, since, until) {
        Ok(s) => s,
        Err(e) => {
            crate::output::err(&format!("tenet report shadow: {e}\n"));
            return Exit::Usage;
        }
    };
    match args.format {
        ReportFormat::Md => crate::output::out(&shadow_md(&summary)),
        _ => crate::output::out(&format!("{}\n", serde_json::to_string_pretty(&summary).unwrap_or_default())),
    }
    Exit::Ok
}

/// The shadow's summary for a wiki page.
fn shadow_md(s: &serde_json::Value) -> String {
    let at = |path: &str| s.pointer(path).cloned().unwrap_or_default();
    let text = |path: &str| at(path).as_str().unwrap_or("").to_owned();
    let mut md = format!(
        "# 影子评估 · Shadow: {}\n\n{}\n\n{}\n\n| 原决定 · from | 候选 · to | 数量 · count |\n|---|---|---|\n",
        text("/policy"),
        text("/message"),
        text("/message_en")
    );
    for m in at("/decisions").as_array().into_iter().flatten() {
        let field = |k: &str| m.get(k).cloned().unwrap_or_default();
        let shown = |k: &str| field(k).as_str().map_or_else(|| field(k).to_string(), str::to_owned);
        md.push_str(&format!("| {} | {} | {} |\n", shown("from"), shown("to"), shown("count")));
    }
    md.push_str(&format!(
        "\n退款 · refunds: {} → {} ({})；差异 · differences: {}；错误 · errors: {}\n",
        text("/refund/live"),
        text("/refund/candidate"),
        text("/refund/change"),
        at("/differences"),
        at("/errors")
    ));
    md
}

fn sla(args: &SlaArgs, ui: &Ui) -> Exit {
    let now_arg = match crate::commands::eval::parse_now(args.common.now.as_deref(), OutputFormat::Human, ui) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let policy = match crate::load_policy(&args.policy, OutputFormat::Human, ui) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let file = match crate::files::read(&args.facts) {
        Ok(f) => f,
        Err(e) => return crate::output::unreadable(OutputFormat::Human, ui, &e, "invalid_facts", Exit::InvalidFacts),
    };
    let format = tenet::facts::Format::from_path(file.name());
    let facts = match policy.facts(&file, format) {
        Ok(f) => f,
        Err(diags) => return crate::output::fail(OutputFormat::Human, ui, "invalid_facts", &diags, Exit::InvalidFacts),
    };
    let now = now_arg.or(facts.now()).unwrap_or_else(crate::system_now);
    let statement = match tenet_report::reports::sla::statement(&policy, &facts, now) {
        Ok(s) => s,
        Err(diags) => return crate::output::fail(OutputFormat::Human, ui, "invalid_facts", &diags, Exit::InvalidFacts),
    };
    let text = match args.common.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&statement).unwrap_or_default()),
        ReportFormat::Md => tenet_report::formats::sla::markdown(&statement),
        ReportFormat::Html => match tenet_report::formats::sla::html(&statement) {
            Ok(page) => page,
            Err(e) => {
                say(ui, &format!("无法生成 HTML 页面：{e}"), &format!("the HTML page could not be made: {e}"));
                return Exit::InvalidPolicy;
            }
        },
        ReportFormat::Csv | ReportFormat::Parquet => {
            say(
                ui,
                "--format csv 和 parquet 用于退货分析；月度服务报告请用 json、md 或 html",
                "--format csv and parquet are for the return analysis; use json, md or html",
            );
            return Exit::Usage;
        }
    };
    write_out(args.common.out.as_deref(), &text, ui)
}

/// `--format parquet`: one row per case of the JSON-lines inputs, in input order, written
/// atomically to `--out`; the summary goes to standard error.
fn parquet(
    args: &ReturnsArgs,
    report: &mut tenet_report::reports::returns::ReturnReport<'_>,
    on_error: &mut dyn FnMut(tenet_report::reports::input::InputError),
    ui: &Ui,
) -> Exit {
    let Some(path) = &args.common.out else {
        say(
            ui,
            "--format parquet 写入文件：请给出 --out 文件.parquet",
            "--format parquet writes a file: give --out FILE.parquet",
        );
        return Exit::Usage;
    };
    let written = crate::files::write_atomically(path, |w| {
        let mut rows = tenet_report::formats::parquet::RowWriter::new().map_err(std::io::Error::other)?;
        for input in &args.inputs {
            let text = input.to_string_lossy();
            if is_store(&text) {
                let mut failed = None;
                // Cases of other policies (the signing process) are not returns.
                tenet_server::read_cases(&text, |policy, case| {
                    if policy != report.policy_name() {
                        return;
                    }
                    match report.add_case(&case) {
                        Ok(Some(row)) => {
                            if let Err(e) = rows.push(row, &mut *w) {
                                failed = Some(e);
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            report.error();
                            on_error(stored_case_error(&text, case.id.as_deref(), e.0));
                        }
                    }
                })
                .map_err(|e| std::io::Error::other(e.to_string()))?;
                if let Some(e) = failed {
                    return Err(std::io::Error::other(e));
                }
                continue;
            }
            tenet_report::reports::input::feed_rows(report, input, &mut |row| rows.push(row, &mut *w), on_error)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        rows.finish(w).map_err(std::io::Error::other)
    });
    match written {
        Ok(n) => {
            let (_, errors) = report.counts();
            err(&format!(
                "{}\n",
                Msg::new(
                    format!("写入 {n} 行，{errors} 个案例无法计入"),
                    format!("{n} rows written, {errors} cases not counted")
                )
                .get(ui.lang)
            ));
            Exit::Ok
        }
        Err(e) => {
            err(&format!("tenet report: {e}\n"));
            Exit::Usage
        }
    }
}

/// Prints `text`, or writes it atomically to `out`.
fn write_out(out_path: Option<&std::path::Path>, text: &str, ui: &Ui) -> Exit {
    match out_path {
        None => out(text),
        Some(path) => {
            if let Err(e) = crate::files::write_atomically(path, |w| w.write_all(text.as_bytes())) {
                let shown = path.display();
                err(&format!(
                    "{}\n",
                    Msg::new(format!("无法写入 {shown}：{e}"), format!("cannot write {shown}: {e}")).get(ui.lang)
                ));
                return Exit::Usage;
            }
        }
    }
    Exit::Ok
}

fn returns(args: &ReturnsArgs, ui: &Ui) -> Exit {
    let now = match crate::commands::eval::parse_now(args.common.now.as_deref(), OutputFormat::Human, ui) {
        Ok(t) => t.unwrap_or_else(crate::system_now),
        Err(exit) => return exit,
    };
    let policy = match crate::load_policy(&args.policy, OutputFormat::Human, ui) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let insights = match crate::load_policy(&args.insights, OutputFormat::Human, ui) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let sales = match args.sales.as_deref().map(tenet_report::reports::input::sales).transpose() {
        Ok(s) => s,
        Err(e) => {
            err(&format!("tenet report: {e}\n"));
            return Exit::InvalidFacts;
        }
    };
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since > until
    {
        return crate::output::usage(
            OutputFormat::Human,
            ui,
            Msg::new(
                format!("--since {since} 晚于 --until {until}：这段时间里没有日子；请对调两个日期"),
                format!("--since {since} is after --until {until}: the period has no days; swap the two dates"),
            ),
        );
    }
    let options = tenet_report::reports::returns::Options { since: args.since, until: args.until, now };
    let mut report = tenet_report::reports::returns::ReturnReport::new(&policy, options);
    let mut shown = 0;
    let mut on_error = |e: tenet_report::reports::input::InputError| {
        // The first problems in full; the count says how many there were.
        if shown < 20 {
            err(&format!("{e}\n"));
        }
        shown += 1;
    };
    if args.common.format == ReportFormat::Parquet {
        return parquet(args, &mut report, &mut on_error, ui);
    }
    for input in &args.inputs {
        let text = input.to_string_lossy();
        if is_store(&text) {
            // A case store written by `tenet serve`: each case replayed like a case file.
            let read = tenet_server::read_cases(&text, |policy, case| {
                // Cases of other policies (the signing process) are not returns.
                if policy != report.policy_name() {
                    return;
                }
                if let Err(e) = report.add_case(&case) {
                    report.error();
                    on_error(stored_case_error(&text, case.id.as_deref(), e.0));
                }
            });
            if let Err(e) = read {
                err(&format!("tenet report: {text}: {e}\n"));
                return Exit::Usage;
            }
            continue;
        }
        if let Err(e) = tenet_report::reports::input::feed(&mut report, input, &mut on_error) {
            err(&format!("tenet report: {e}\n"));
            return Exit::Usage;
        }
    }
    let (_, errors) = report.counts();
    if errors > 20 {
        say(ui, &format!("…… 共 {errors} 个案例无法计入"), &format!("… {errors} cases in all could not be counted"));
    }
    let facts = report.insight_facts(sales.as_ref());
    let flags = match tenet_report::reports::returns::flags(&insights, &facts, now) {
        Ok(f) => f,
        Err(diags) => {
            let shown = args.insights.display();
            say(
                ui,
                &format!("{shown}：改进建议的策略读不了这些统计数字"),
                &format!("{shown}: the improvement policy cannot read the figures"),
            );
            return crate::output::fail(OutputFormat::Human, ui, "invalid_policy", &diags, Exit::InvalidPolicy);
        }
    };
    let json = report.to_json(sales.as_ref(), flags);
    let text = match args.common.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&json).unwrap_or_default()),
        ReportFormat::Md => tenet_report::formats::markdown::returns(&json),
        ReportFormat::Csv => tenet_report::formats::csv::by_sku(&json),
        ReportFormat::Parquet => return Exit::Usage,
        ReportFormat::Html => match tenet_report::formats::html::returns(&json) {
            Ok(page) => page,
            Err(e) => {
                say(ui, &format!("无法生成 HTML 页面：{e}"), &format!("the HTML page could not be made: {e}"));
                return Exit::InvalidPolicy;
            }
        },
    };
    write_out(args.common.out.as_deref(), &text, ui)
}

/// Whether an input names a case store rather than a file.
fn is_store(text: &str) -> bool {
    text.starts_with("sqlite:") || text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// A stored case that could not be counted, named `STORE#ID`.
fn stored_case_error(store: &str, id: Option<&str>, message: String) -> tenet_report::reports::input::InputError {
    let id = id.unwrap_or_default();
    tenet_report::reports::input::InputError { path: PathBuf::from(format!("{store}#{id}")), line: None, message }
}

/// A line on standard error in the languages `--lang` asks for.
fn say(ui: &Ui, zh: &str, en: &str) {
    err(&format!("tenet report: {}\n", ui.label(zh, en)));
}
