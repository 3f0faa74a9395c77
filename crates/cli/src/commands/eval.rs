//! `tenet eval POLICY FACTS`: evaluate one facts file and print the decision.

mod batch;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::output::{fail, human, out};
use crate::{Exit, OutputFormat, Ui};
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::eval::{Decision, EvalError};
use tenet::facts::Format;
use tenet::source::ReadError;

/// Arguments of `tenet eval`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 策略文件 · the policy file
    policy: PathBuf,
    /// 事实文件（YAML 或 JSON，按扩展名；- 读标准输入）· facts file (YAML or JSON by extension; - reads stdin)
    #[arg(required_unless_present = "batch")]
    facts: Option<String>,
    /// 批量评估：每行一个 JSON 案例（- 读标准输入）· evaluate JSON lines, one case per line, in parallel (- reads stdin)
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["facts", "explain", "format"])]
    batch: Option<PathBuf>,
    /// 批量结果写入文件（原子写入），默认标准输出 · with --batch: write results here (atomically) instead of stdout
    #[arg(long, requires = "batch")]
    out: Option<PathBuf>,
    /// 评估时刻，覆盖事实中的 now · the evaluation instant, overriding the facts' `now` (RFC 3339)
    #[arg(long)]
    now: Option<String>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// 附上每条规则的判定过程 · include why each rule fired or not
    #[arg(long)]
    explain: bool,
    /// 决定为此（或更严重）时退出码为 4，供脚本使用 · exit 4 when the decision is this or worse (needs_info: anything not approved), for scripts
    #[arg(long, value_enum, value_name = "DECISION")]
    fail_on: Option<FailOn>,
}

/// The decisions `--fail-on` can name, from the least to the most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// needs_info or rejected
    #[value(name = "needs_info")]
    NeedsInfo,
    /// rejected
    Rejected,
}

impl FailOn {
    /// True when `decision` is this one or a more severe one.
    pub(crate) fn hits(self, decision: Decision) -> bool {
        match self {
            FailOn::NeedsInfo => decision != Decision::Approved,
            FailOn::Rejected => decision == Decision::Rejected,
        }
    }
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let now_arg = match parse_now(args.now.as_deref(), args.format, ui) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let policy = match crate::load_policy(&args.policy, args.format, ui) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Some(batch) = &args.batch {
        return batch::run(&policy, batch, args.out.as_deref(), now_arg, args.fail_on, ui);
    }
    let facts_arg = args.facts.as_deref().unwrap_or("-");
    let (facts_file, format) = match read_facts(facts_arg) {
        Ok(f) => f,
        Err(e) => return crate::output::unreadable(args.format, ui, &e, "invalid_facts", Exit::InvalidFacts),
    };
    let facts = match policy.facts(&facts_file, format) {
        Ok(f) => f,
        Err(diags) => return fail(args.format, ui, "invalid_facts", &diags, Exit::InvalidFacts),
    };
    let (now, note): (DateTime<Utc>, Option<&str>) = match (now_arg, facts.now()) {
        (Some(t), _) | (None, Some(t)) => (t, None),
        (None, None) => (crate::system_now(), Some("system_clock")),
    };
    let explain = args.explain || args.format == OutputFormat::Human;
    let result = if explain { policy.explain(&facts, now) } else { policy.evaluate(&facts, now) };
    let evaluation = match result {
        Ok(e) => e,
        Err(EvalError::InvalidFacts(diags)) => {
            let diags: Vec<Diagnostic> =
                diags.into_iter().map(|d| if d.file.is_none() { d.in_file(&facts_file) } else { d }).collect();
            return fail(args.format, ui, "invalid_facts", &diags, Exit::InvalidFacts);
        }
        // `Failed`, and whatever the engine adds later.
        Err(e) => return fail(args.format, ui, "evaluation_failed", e.diagnostics(), Exit::InvalidFacts),
    };
    match args.format {
        OutputFormat::Json => {
            let mut value = evaluation.to_json(note);
            if !args.explain
                && let Some(trace) = value.get_mut("trace")
            {
                *trace = json!([]);
            }
            out(&format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()));
        }
        OutputFormat::Human => out(&human::text_of(&evaluation, ui, args.explain, note.is_some())),
    }
    match args.fail_on {
        Some(threshold) if threshold.hits(evaluation.decision()) => Exit::Decision,
        _ => Exit::Ok,
    }
}

/// Parses `--now`; a bad value is a usage error, reported here.
pub(crate) fn parse_now(given: Option<&str>, format: OutputFormat, ui: &Ui) -> Result<Option<DateTime<Utc>>, Exit> {
    let Some(given) = given else { return Ok(None) };
    match tenet::facts::parse_datetime(given) {
        Some(t) => Ok(Some(t.to_utc())),
        None => Err(crate::output::usage(
            format,
            ui,
            Msg::new(
                format!("--now 的值 {given:?} 不是 RFC 3339 日期时间，例如 2026-11-10T12:00:00+08:00"),
                format!("--now {given:?} is not an RFC 3339 datetime such as 2026-11-10T12:00:00+08:00"),
            ),
        )),
    }
}

/// The facts file and its format: by extension, or for standard input by its first
/// character (`{` or `[` is JSON).
fn read_facts(path: &str) -> Result<(std::sync::Arc<tenet::source::SourceFile>, Format), ReadError> {
    let file = crate::files::read(std::path::Path::new(path))?;
    let format = if path == "-" {
        let json = file.text().trim_start().starts_with(['{', '[']);
        if json { Format::Json } else { Format::Yaml }
    } else {
        Format::from_path(path)
    };
    Ok((file, format))
}
