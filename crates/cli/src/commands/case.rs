//! `tenet case POLICY CASE`: replay a case's events through the policy's workflow.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::output::{fail, out};
use crate::{Exit, OutputFormat, Ui};
use tenet::diagnostics::{Diagnostic, Lang, Msg};
use tenet::facts::Format;
use tenet::workflow::{Case, DeadlineStatus, Outcome, Replay, ReplayError};

/// Arguments of `tenet case`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// [策略文件] 案例文件：省略策略时用案例的 `policy:`；- 从标准输入读案例 · [POLICY] CASE: without the policy, the case's `policy:` names it; - reads the case from stdin
    #[arg(required = true, num_args = 1..=2, value_names = ["POLICY", "CASE"])]
    files: Vec<PathBuf>,
    /// 评估时刻，覆盖案例中的 now · the instant deadlines are judged at, overriding the case's `now` (RFC 3339)
    #[arg(long)]
    now: Option<String>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let now_arg = match crate::commands::eval::parse_now(args.now.as_deref(), args.format, ui) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let (policy_arg, case_arg) = match args.files.as_slice() {
        [policy, case] => (Some(policy), case),
        [case] => (None, case),
        _ => return Exit::Usage,
    };
    let case_file = match crate::files::read(case_arg) {
        Ok(f) => f,
        Err(e) => return crate::output::unreadable(args.format, ui, &e, "invalid_case", Exit::InvalidFacts),
    };
    let format = if crate::files::is_stdin(case_arg) && case_file.text().trim_start().starts_with('{') {
        Format::Json
    } else {
        Format::from_path(case_file.name())
    };
    let case = match Case::parse(&case_file, format) {
        Ok(c) => c,
        Err(diags) => return fail(args.format, ui, "invalid_case", &diags, Exit::InvalidFacts),
    };
    // Without a policy argument, the case names its policy, relative to the case file,
    // or lies under `cases/<policy>/`.
    let policy_path = match (policy_arg, &case.policy) {
        (Some(p), _) => p.clone(),
        // Standard input stands for a file in the current folder.
        (None, Some(named)) => match tenet::source::locate(case_arg, named) {
            Ok(path) => path,
            Err(e) => {
                let help = Msg::new(
                    "路径相对于案例文件所在的目录（或其上级目录，直到项目根目录），且须在项目之内",
                    "the path is relative to the case file's folder (or a folder above it, up to the project root) and must lie inside the project",
                );
                let d = Diagnostic::error("invalid-case", e.message()).at_path("policy").help(help).in_file(&case_file);
                return fail(args.format, ui, "invalid_case", &[d], Exit::InvalidFacts);
            }
        },
        // Under `cases/<policy>/`, the folder convention of `tenet test` names it.
        (None, None) => match crate::review::corpus::policy_for(case_arg, None) {
            Ok(path) => path,
            Err(_) => {
                let d = Diagnostic::error(
                    "invalid-case",
                    Msg::new(
                        "案例没有写 `policy:`，也没有给出策略文件",
                        "the case has no `policy:` and no policy file was given",
                    ),
                )
                .at_path("policy")
                .help(Msg::new(
                    "写成 `tenet case 策略文件 案例文件`，或在案例中加上 `policy: 策略文件`",
                    "run `tenet case POLICY CASE`, or add `policy: POLICY` to the case",
                ))
                .in_file(&case_file);
                return fail(args.format, ui, "invalid_case", &[d], Exit::Usage);
            }
        },
    };
    let policy = match crate::load_policy(&policy_path, args.format, ui) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let (now, note) = match (now_arg, case.now) {
        (Some(t), _) | (None, Some(t)) => (t, None),
        (None, None) => (crate::system_now(), Some("system_clock")),
    };
    let result = match policy.replay(&case, now) {
        Ok(r) => r,
        Err(e @ ReplayError::NoWorkflow(_)) => {
            return fail(args.format, ui, "invalid_policy", &e.diagnostics(), Exit::InvalidPolicy);
        }
        Err(ReplayError::InvalidFacts(diags)) => {
            let diags: Vec<Diagnostic> = diags
                .into_iter()
                .map(|d| {
                    let path = d.path.as_deref().map(|p| format!("facts.{p}")).unwrap_or_else(|| "facts".into());
                    d.at_path(path).in_file(&case_file)
                })
                .collect();
            return fail(args.format, ui, "invalid_facts", &diags, Exit::InvalidFacts);
        }
        // Whatever the engine adds later: the history cannot be replayed, and says why.
        Err(e) => return fail(args.format, ui, "invalid_case", &e.diagnostics(), Exit::InvalidFacts),
    };
    match args.format {
        OutputFormat::Json => {
            let value = result.to_json(case.id.as_deref(), case.name.as_deref(), note);
            out(&format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()));
        }
        OutputFormat::Human => out(&text_of(&result, ui, note.is_some())),
    }
    Exit::Ok
}

fn text(ui: &Ui, zh: &str, en: Option<&str>) -> String {
    match (ui.lang, en) {
        (Lang::En, Some(en)) => en.to_owned(),
        (Lang::Both, Some(en)) if en != zh => format!("{zh}\n      {en}"),
        _ => zh.to_owned(),
    }
}

/// The replay for a terminal: where the case is, how it got there, what is due.
fn text_of(r: &Replay<'_>, ui: &Ui, system_clock: bool) -> String {
    let locale = r.locale();
    let time = |t: &DateTime<Utc>| locale.datetime(t);
    let mut s = String::new();
    let since = r.entered_at().map(|t| format!(" ({} {})", ui.label("进入于", "since"), time(&t))).unwrap_or_default();
    let _ = writeln!(s, "{}: {}{since}", ui.label("当前阶段", "Stage"), r.stage());
    let clock = if system_clock { format!(" ({})", ui.label("系统时钟", "system clock")) } else { String::new() };
    let version = r.version().map(|v| format!(" {v}")).unwrap_or_default();
    let _ = writeln!(
        s,
        "{} {}{version} · {} {} · {} {}{clock}",
        ui.label("策略", "policy"),
        r.policy_name(),
        ui.label("流程", "workflow"),
        r.workflow(),
        ui.label("时刻", "now"),
        time(&r.now())
    );
    crate::output::human::warnings(&mut s, ui, &r.warnings());
    if let Some(e) = r.evaluation() {
        // The case's decision and what decided it: the rejects and requires, with the
        // policy's words (a reviewer's reject names its event).
        let decision = e.decision().as_str();
        let _ = writeln!(s, "{}: {decision}", ui.label("决定", "Decision"));
        for f in e.findings().iter().filter(|f| matches!(f.kind().as_str(), "reject" | "require")) {
            let by = match (f.rule(), f.event()) {
                (Some(rule), _) => format!("{rule} [{}]", f.stage().unwrap_or_default()),
                (None, Some(event)) => format!("{} {event}", ui.label("事件", "event")),
                (None, None) => String::new(),
            };
            let _ = writeln!(s, "  ● {} {} · {by}", f.code(), f.kind().as_str());
            if let Some(m) = f.message() {
                let _ = writeln!(s, "    {}", text(ui, m, f.message_en()));
            }
        }
    }
    let _ = writeln!(s, "\n{}:", ui.label("经过", "Trail"));
    if r.trail().is_empty() {
        let _ = writeln!(s, "  {}", ui.label("还没有事件", "no events yet"));
    }
    for step in r.trail() {
        let by = step.by().map(|b| format!(" ({b})")).unwrap_or_default();
        let moved = match step.to() {
            Some(to) => format!("{} → {to}", step.from()),
            None => format!("{} ↺", step.from()),
        };
        let outcome = match step.outcome() {
            Outcome::Accepted => ui.label("已接受", "accepted"),
            Outcome::Refused => ui.label("被拒绝", "refused"),
            Outcome::Illegal => ui.label("无效", "illegal"),
            other => other.as_str().to_owned(),
        };
        let _ = writeln!(s, "  {}. {} {}{by}  {moved}  {outcome}", step.index() + 1, time(&step.at()), step.event());
        for f in step.findings() {
            let item = f.item().map(|i| format!(" ({i})")).unwrap_or_default();
            let _ = writeln!(s, "     ● {}{item} {} · {} [{}]", f.code(), f.kind().as_str(), f.rule(), f.stage());
            if let Some(m) = f.message() {
                let _ = writeln!(s, "      {}", text(ui, m, f.message_en()));
            }
        }
        if let Some(reason) = step.reason() {
            let _ = writeln!(s, "      {}", reason.get(ui.lang));
        }
        for c in step.changes() {
            let to = raw_text(&c.to);
            match &c.from {
                Some(from) => {
                    let _ = writeln!(s, "      {}: {} → {to}", c.path, raw_text(from));
                }
                None => {
                    let _ = writeln!(s, "      {}: {to}", c.path);
                }
            }
        }
    }
    if !r.deadlines().is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("期限", "Deadlines"));
        for d in r.deadlines() {
            let status = match d.status() {
                DeadlineStatus::Open => ui.label("进行中", "open"),
                DeadlineStatus::Overdue => ui.label("已逾期", "OVERDUE"),
                DeadlineStatus::Met => ui.label("按时完成", "met"),
                DeadlineStatus::Missed => ui.label("逾期完成", "missed"),
                other => other.as_str().to_owned(),
            };
            let _ = writeln!(
                s,
                "  {}  {} {}  {status}  ({}, {} {} {})",
                d.stage(),
                ui.label("截止", "due"),
                time(&d.due()),
                d.within().get(ui.lang),
                ui.label("自进入", "from entering"),
                d.anchor(),
                time(&d.since())
            );
            if d.status() == DeadlineStatus::Overdue
                && let Some(m) = d.message()
            {
                let _ = writeln!(s, "      {}", text(ui, m.zh(), m.en()));
            }
        }
    }
    if !r.actions().is_empty() {
        let _ = writeln!(s, "\n{}:", ui.label("行动", "Actions"));
        for a in r.actions() {
            let _ = writeln!(s, "  {} {} {}", a.action(), ui.label("于", "at"), time(&a.at()));
            if let Some(m) = a.message() {
                let _ = writeln!(s, "      {}", text(ui, m.zh(), m.en()));
            }
        }
    }
    if let Some(refund) = r.refund_json() {
        let rows: Vec<(String, String)> = [
            ("amount", ui.label("金额", "amount")),
            ("status", ui.label("状态", "status")),
            ("method", ui.label("方式", "method")),
            ("reference", ui.label("流水号", "reference")),
            ("due", ui.label("最晚", "due")),
            ("note", ui.label("说明", "note")),
        ]
        .into_iter()
        .filter_map(|(key, label)| {
            refund
                .get(key)
                .filter(|v| !v.is_null())
                .map(|v| (label, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        })
        .collect();
        if !rows.is_empty() {
            let _ = writeln!(s, "\n{}:", ui.label("退款", "Refund"));
            let width = rows.iter().map(|(l, _)| crate::output::width::columns(l)).max().unwrap_or(0);
            for (label, value) in rows {
                let _ = writeln!(s, "  {}  {value}", crate::output::width::pad(&label, width));
            }
        }
    }
    if let Some(e) = r.evaluation()
        && !e.pending().is_empty()
    {
        let _ = writeln!(s, "\n{}:", ui.label("进入后续阶段前还需满足", "Still to satisfy before a later stage"));
        for f in e.pending() {
            let stage = f.stage().unwrap_or_default();
            let _ = writeln!(s, "  ● {} [{stage}]", f.code());
            if let Some(m) = f.message() {
                let _ = writeln!(s, "    {}", text(ui, m, f.message_en()));
            }
        }
    }
    let _ = writeln!(s, "\n{}:", ui.label("接下来可以", "Next"));
    if r.next().next().is_none() {
        let _ = writeln!(s, "  {}", ui.label("流程已结束", "the workflow has ended"));
    }
    for (event, to) in r.next() {
        let _ = writeln!(s, "  {event} → {to}");
    }
    if let Some(e) = r.evaluation() {
        let outputs: Vec<_> = e.outputs().collect();
        if !outputs.is_empty() {
            let _ = writeln!(s, "\n{}:", ui.label("输出", "Outputs"));
            let width = outputs.iter().map(|o| crate::output::width::columns(o.name())).max().unwrap_or(0);
            for o in outputs {
                let _ = writeln!(s, "  {}  {}", crate::output::width::pad(o.name(), width), o.text());
            }
        }
    }
    for d in r.problems() {
        let _ = writeln!(s, "\n{}: {}", ui.label("注意", "Note"), d.message.get(ui.lang));
    }
    s
}

/// A fact's value as a line shows it: texts without quotes.
fn raw_text(raw: &tenet::facts::Raw) -> String {
    match raw.to_json() {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}
