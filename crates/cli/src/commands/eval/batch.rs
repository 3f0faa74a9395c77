//! `tenet eval POLICY --batch FILE.jsonl [--out FILE]`: many cases, in parallel, with a
//! progress bar on a terminal and a summary at the end.

use std::fmt::Write as _;
use std::io::{BufReader, BufWriter, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::FailOn;
use crate::batch::{self, Summary};
use crate::output::err;
use crate::{Exit, OutputFormat, Ui};
use tenet::Policy;
use tenet::diagnostics::Lang;
use tenet::eval::Decision;
use tenet::source::ReadError;

pub(crate) fn run(
    policy: &Policy,
    input: &Path,
    out: Option<&Path>,
    now: Option<DateTime<Utc>>,
    fail_on: Option<FailOn>,
    ui: &Ui,
) -> Exit {
    if let Some(path) = out
        && crate::files::same_file(input, path)
    {
        let shown = path.display();
        return crate::output::usage(
            OutputFormat::Human,
            ui,
            tenet::diagnostics::Msg::new(
                format!("--out {shown} 就是输入文件：结果会覆盖案例；请写到另一个文件"),
                format!(
                    "--out {shown} is the input file: the results would overwrite the cases; write to another file"
                ),
            ),
        );
    }
    // Standard input (`-`) or a file, read in chunks either way.
    let (source, size): (Box<dyn Read>, u64) = if crate::files::is_stdin(input) {
        (Box::new(std::io::stdin()), 0)
    } else {
        match std::fs::File::open(input) {
            Ok(f) => {
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(f), size)
            }
            Err(source) => {
                let e = ReadError::Io { path: input.display().to_string(), source };
                return crate::output::unreadable(OutputFormat::Human, ui, &e, "invalid_facts", Exit::InvalidFacts);
            }
        }
    };
    let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}") {
        bar.set_style(style);
    }
    let (now, clock) = match now {
        Some(t) => (t, false),
        None => (crate::system_now(), true),
    };
    let mut reader = BufReader::with_capacity(1 << 20, source);
    let mut progress = |bytes: u64| bar.set_position(bytes);
    let result = match out {
        None => {
            let stdout = std::io::stdout();
            let mut writer = BufWriter::with_capacity(1 << 20, stdout.lock());
            batch::run(policy, &mut reader, &mut writer, now, &mut progress)
        }
        Some(path) => crate::files::write_atomically(path, |w| batch::run(policy, &mut reader, w, now, &mut progress)),
    };
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            err(&summary_text(&summary, ui, clock));
            let failing = |f: FailOn| {
                summary.decisions.iter().any(|(d, n)| {
                    *n > 0 && [Decision::NeedsInfo, Decision::Rejected].iter().any(|x| x.as_str() == d && f.hits(*x))
                })
            };
            if summary.errors > 0 {
                Exit::InvalidFacts
            } else if fail_on.is_some_and(failing) {
                Exit::Decision
            } else {
                Exit::Ok
            }
        }
        Err(e) => {
            err(&format!("{e}\n"));
            Exit::Usage
        }
    }
}

fn summary_text(s: &Summary, ui: &Ui, clock: bool) -> String {
    let label = |zh: &str, en: &str| match ui.lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
        Lang::Both => format!("{zh} {en}"),
    };
    let mut out = String::new();
    let _ =
        writeln!(out, "{}: {} · {}: {}", label("案例", "cases"), s.cases, label("无法评估", "not evaluated"), s.errors);
    for (d, n) in &s.decisions {
        let _ = writeln!(out, "  {d:<12} {n}");
    }
    if !s.codes.is_empty() {
        let _ = writeln!(out, "{}:", label("代码", "codes"));
        for (c, n) in &s.codes {
            let _ = writeln!(out, "  {c:<28} {n}");
        }
    }
    if clock && s.without_now > 0 {
        let n = s.without_now;
        let zh = format!("{n} 个案例没有 now，按开始时的系统时钟评估");
        let en = format!("{n} cases had no `now` and were evaluated at the system clock");
        let _ = writeln!(out, "{}", label(&zh, &en));
    }
    out
}
