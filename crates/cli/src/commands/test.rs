//! `tenet test [PATH ...] [--coverage] [--min-coverage P] [--update]`: run case files
//! against their policies — facts evaluated once, or event histories replayed through the
//! workflow — print each failure as expected-versus-actual, then `N passed, N failed`.

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::output::out;
use crate::review::test::{self, Outcome, TestRun};
use crate::{Exit, OutputFormat, Ui};
use tenet::diagnostics::Msg;

/// Arguments of `tenet test`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 案例文件或目录（默认 tests/cases）· case files or folders (default: tests/cases)
    paths: Vec<PathBuf>,
    /// 报告每条规则被多少个案例触发 · report how many cases fire each rule
    #[arg(long)]
    coverage: bool,
    /// 规则覆盖率低于 P% 时失败 · fail when a policy's rule coverage is below P percent
    #[arg(long, value_name = "P", value_parser = percent)]
    min_coverage: Option<f64>,
    /// 输出格式 · output format
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// 按回放结果写出事件历史的 expect（审阅差异后提交）· write each event history's `expect:` from its replay (review the diff, then commit)
    #[arg(long)]
    update: bool,
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![ui.project.as_ref().map_or_else(|| PathBuf::from("tests/cases"), crate::project::Project::cases)]
    } else {
        args.paths.clone()
    };
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        let shown = missing.display();
        return crate::output::usage(
            args.format,
            ui,
            Msg::new(format!("找不到 {shown}"), format!("{shown} does not exist")),
        );
    }
    let result = match test::run(&paths, args.update) {
        Ok(r) => r,
        Err(e) => {
            return crate::output::usage(
                args.format,
                ui,
                Msg::new(format!("无法读取：{e}"), format!("cannot read: {e}")),
            );
        }
    };
    let low: Vec<String> = match args.min_coverage {
        Some(min) => result
            .coverage
            .iter()
            .filter(|c| c.percent() < min)
            .map(|c| format!("{} {:.1}% < {min}%", c.policy.display(), c.percent()))
            .collect(),
        None => Vec::new(),
    };
    match args.format {
        OutputFormat::Json => {
            out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&result)).unwrap_or_default()))
        }
        OutputFormat::Human => out(&human(&result, ui, args.coverage || args.min_coverage.is_some(), &low)),
    }
    if result.failed() == 0 && low.is_empty() { Exit::Ok } else { Exit::InvalidPolicy }
}

fn human(run: &TestRun, ui: &Ui, coverage: bool, low: &[String]) -> String {
    let mut s = String::new();
    for r in &run.results {
        let name = r.name.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
        match &r.outcome {
            Outcome::Passed => {}
            Outcome::Failed(found) => {
                let _ = writeln!(s, "✗ {}{name}", r.path.display());
                for m in found {
                    let _ = writeln!(s, "    {}", m.what);
                    let _ = writeln!(s, "      - {}  {}", ui.label("期望", "expected"), m.expected);
                    let _ = writeln!(s, "      + {}  {}", ui.label("实际", "actual  "), m.actual);
                }
            }
            Outcome::Broken(why) => {
                let _ = writeln!(s, "! {}{name}", r.path.display());
                let _ = writeln!(s, "    {}", why.get(ui.lang));
            }
            Outcome::Skipped(why) => {
                let _ = writeln!(s, "- {}{name}", r.path.display());
                let _ = writeln!(s, "    {}", why.get(ui.lang));
            }
            Outcome::Updated(changed) if changed.is_empty() => {}
            Outcome::Updated(changed) => {
                let _ = writeln!(s, "✎ {}{name}", r.path.display());
                for line in changed {
                    let _ = writeln!(s, "    {line}");
                }
            }
        }
    }
    if coverage {
        for c in &run.coverage {
            let fired = c.rules.iter().filter(|r| r.2 > 0).count();
            let _ = writeln!(
                s,
                "\n{} {}: {fired}/{} {} ({:.1}%)",
                ui.label("覆盖率", "coverage"),
                c.policy.display(),
                c.rules.len(),
                ui.label("条规则被触发", "rules fired"),
                c.percent()
            );
            for (name, stage, n) in &c.rules {
                let stage = stage.as_deref().map(|st| format!(" [{st}]")).unwrap_or_default();
                let _ = writeln!(s, "  {n:>4}  {name}{stage}");
            }
            let never: Vec<&str> = c.rules.iter().filter(|r| r.2 == 0).map(|r| &*r.0).collect();
            if !never.is_empty() {
                let _ = writeln!(s, "  {}: {}", ui.label("没有案例触发", "fired by no case"), never.join(", "));
            }
        }
        for l in low {
            let _ = writeln!(s, "{}: {l}", ui.label("覆盖率不足", "coverage too low"));
        }
    }
    if run.updated() > 0 {
        let _ = writeln!(s, "{}: {}", ui.label("已写出期望", "expectations written"), run.updated());
    }
    let _ = match run.skipped() {
        0 => writeln!(s, "{} passed, {} failed", run.passed(), run.failed()),
        n => writeln!(s, "{} passed, {} failed, {n} skipped", run.passed(), run.failed()),
    };
    s
}

fn to_json(run: &TestRun) -> serde_json::Value {
    let cases: Vec<serde_json::Value> = run
        .results
        .iter()
        .map(|r| {
            let (status, detail) = match &r.outcome {
                Outcome::Passed => ("passed", json!(null)),
                Outcome::Failed(found) => (
                    "failed",
                    json!(
                        found
                            .iter()
                            .map(|m| json!({"what": m.what, "expected": m.expected, "actual": m.actual}))
                            .collect::<Vec<_>>()
                    ),
                ),
                Outcome::Broken(why) => ("broken", json!({"message": why.zh, "message_en": why.en})),
                Outcome::Skipped(why) => ("skipped", json!({"message": why.zh, "message_en": why.en})),
                Outcome::Updated(changed) => ("updated", json!(changed)),
            };
            json!({
                "case": r.path.display().to_string(),
                "name": r.name,
                "policy": r.policy.as_ref().map(|p| p.display().to_string()),
                "status": status,
                "mismatches": detail,
            })
        })
        .collect();
    let coverage: Vec<serde_json::Value> = run
        .coverage
        .iter()
        .map(|c| {
            json!({
                "policy": c.policy.display().to_string(),
                "percent": (c.percent() * 10.0).round() / 10.0,
                "rules": c.rules.iter().map(|(n, st, k)| json!({"rule": &**n, "stage": st.as_deref(), "cases": k})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"passed": run.passed(), "failed": run.failed(), "skipped": run.skipped(), "updated": run.updated(), "cases": cases, "coverage": coverage})
}

/// `--min-coverage`: a number from 0 to 100 (`NaN`, `inf` and `-5` would make the check
/// meaningless, so they are usage errors).
fn percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("需要 0 到 100 之间的数字 · a number from 0 to 100 is needed, found `{text}`")),
    }
}
