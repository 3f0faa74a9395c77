//! `tenet explain [CODE]`: what a diagnostic code means, with a policy that causes it
//! and what `tenet check` says about that policy — like `rustc --explain`. Without a
//! code, every code with its one-line meaning.

use tenet::diagnostics::codes::{self, Explanation};
use tenet::diagnostics::{Lang, Msg, suggest, to_text};
use tenet::source::SourceFile;

use crate::output::{err, out};
use crate::{Exit, Ui};

/// Arguments of `tenet explain`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 诊断代码，例如 unknown-name；省略时列出全部 · a diagnostic code such as unknown-name; without one, list them all
    code: Option<String>,
}

/// The command line's own codes.
const CLI_CODES: &[Explanation] = &[
    Explanation {
        code: "git",
        severity: "error",
        zh: "无法从 git 读取策略的旧版本（`tenet diff HEAD:rules/x.tenet …`）。",
        en: "An old version of a policy cannot be read from git (`tenet diff HEAD:rules/x.tenet …`).",
        example: None,
    },
    Explanation {
        code: "usage",
        severity: "error",
        zh: "命令用法不对：文件或目录不存在、选项的值无效等。",
        en: "The command was used wrongly: a file or folder that does not exist, an option with an invalid value.",
        example: None,
    },
    Explanation {
        code: "project-file",
        severity: "error",
        zh: "项目文件 tenet.toml 无法读取或有无效的设置（未知的键、错误的类型）；消息给出行和列。",
        en: "The project file tenet.toml cannot be read or has an invalid setting (an unknown key, a wrong type); the message gives its line and column.",
        example: None,
    },
    Explanation {
        code: "line-too-long",
        severity: "error",
        zh: "批量文件中这一行超过长度上限，没有评估。",
        en: "A line of a batch file is over the length limit and was not evaluated.",
        example: None,
    },
];

/// Every code tenet's diagnostics can carry: the engine's, the agreement renderer's and
/// the command line's, sorted.
pub(crate) fn all() -> Vec<&'static Explanation> {
    let mut all: Vec<&'static Explanation> =
        codes::CODES.iter().chain(tenet_agreement::CODES).chain(CLI_CODES).collect();
    all.sort_by_key(|e| e.code);
    all
}

/// How an example is shown and checked: after a header, unless it is one itself.
fn example_policy(example: &str) -> String {
    format!("policy demo version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n{example}\n")
}

pub(crate) fn run(args: &Args, ui: &Ui) -> Exit {
    let all = all();
    let Some(code) = &args.code else {
        for e in &all {
            let text = Msg::new(e.zh, e.en).get(ui.lang);
            out(&format!("{:<26} {:<8} {text}\n", e.code, e.severity));
        }
        return Exit::Ok;
    };
    let Some(e) = all.iter().find(|e| e.code == code) else {
        let near = suggest::closest(code, all.iter().map(|e| e.code));
        let help = match near {
            Some(near) => Msg::new(format!("是不是 `{near}`？"), format!("did you mean `{near}`?")),
            None => Msg::new("`tenet explain` 列出所有代码", "`tenet explain` lists every code"),
        };
        let message = Msg::new(format!("没有代码 `{code}`"), format!("no code `{code}`"));
        err(&format!("{}\n{}\n", message.get(ui.lang), help.get(ui.lang)));
        return Exit::Usage;
    };
    let mut text = format!("{}[{}]\n", e.severity, e.code);
    match ui.lang {
        Lang::Zh => text.push_str(&format!("{}\n", e.zh)),
        Lang::En => text.push_str(&format!("{}\n", e.en)),
        Lang::Both => text.push_str(&format!("{}\n{}\n", e.zh, e.en)),
    }
    if let Some(example) = e.example {
        let policy = example_policy(example);
        text.push_str(&format!("\n{}:\n\n", ui.label("例如", "For example")));
        for line in policy.lines() {
            text.push_str(&format!("    {line}\n"));
        }
        let file = SourceFile::new("example.tenet", policy.clone());
        let diags = match tenet::Policy::from_source(&file) {
            Ok(p) => p.warnings().to_vec(),
            Err(e) => e.diagnostics(),
        };
        let own: Vec<_> = diags.into_iter().filter(|d| d.code == e.code).collect();
        text.push_str(&format!("\n{}:\n\n", ui.label("tenet check 会说", "tenet check says")));
        text.push_str(&to_text(&own, ui.style()));
    }
    out(&text);
    Exit::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once() {
        let codes: Vec<&str> = all().iter().map(|e| e.code).collect();
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(codes, unique, "a code is listed twice");
    }

    /// Every code this crate and the agreement renderer pass to a diagnostic is listed.
    #[test]
    fn the_applications_codes_are_listed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut used = Vec::new();
        for dir in ["cli/src", "agreement/src"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).expect("readable") {
                    let path = entry.expect("entry").path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    // This file names the calls it looks for.
                    if path.ends_with("explain.rs") {
                        continue;
                    }
                    let source = std::fs::read_to_string(&path).expect("readable");
                    for kind in ["Diagnostic::error(", "Diagnostic::warning("] {
                        for chunk in source.split(kind).skip(1) {
                            if let Some(code) = chunk.trim_start().strip_prefix('"').and_then(|c| c.split('"').next()) {
                                used.push(code.to_owned());
                            }
                        }
                    }
                }
            }
        }
        assert!(used.contains(&"git".to_owned()), "the scan finds the codes: {used:?}");
        let all = all();
        let unlisted: Vec<&String> = used.iter().filter(|c| !all.iter().any(|e| e.code == c.as_str())).collect();
        assert!(unlisted.is_empty(), "codes without an explanation: {unlisted:?}");
    }
}
