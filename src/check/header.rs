//! The policy header: name, version, time zone, currency, stages.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::Checker;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::source::Span;
use crate::syntax::ast::{DeclKind, PolicyFile, Spanned};
use crate::value::Currency;

impl Checker<'_> {
    /// The zone a `timezone "…"` names; a diagnostic with did-you-mean when none.
    pub(super) fn timezone_named(&mut self, tz: &Spanned<String>) -> Option<Tz> {
        if let Ok(zone) = tz.node.parse::<Tz>() {
            return Some(zone);
        }
        let name = &tz.node;
        let help = match suggest::closest(name, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())) {
            Some(s) => msg!("你是不是想写 \"{s}\"？", "did you mean \"{s}\"?"),
            None => {
                Msg::new("使用 IANA 时区名，例如 \"Asia/Shanghai\"", "use an IANA zone name such as \"Asia/Shanghai\"")
            }
        };
        self.report(
            Diagnostic::error(codes::UNKNOWN_TIMEZONE, msg!("未知的时区 \"{name}\"", "unknown time zone \"{name}\""))
                .at(tz.span)
                .help(help),
        );
        None
    }

    /// policy, timezone, currency, stages: each at most once.
    pub(super) fn header(&mut self, ast: &PolicyFile) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut once = |this: &mut Self, what: &'static str, span: Span| -> bool {
            if let Some(first) = seen.get(what) {
                this.report(
                    Diagnostic::error(
                        codes::DUPLICATE_DECLARATION,
                        msg!("`{what}` 只能声明一次", "`{what}` can be declared only once"),
                    )
                    .at(span)
                    .also(*first, Msg::new("第一次声明在这里", "first declared here")),
                );
                return false;
            }
            seen.insert(what, span);
            true
        };
        for decl in &ast.decls {
            match &decl.node {
                DeclKind::Policy { name, title, version } if once(self, "policy", decl.span) => {
                    self.name = name.node.clone();
                    self.title = title.as_ref().map(|t| t.node.clone());
                    self.version = version.as_ref().map(|v| v.node.clone());
                }
                DeclKind::Timezone(tz) if once(self, "timezone", decl.span) => {
                    if let Some(zone) = self.timezone_named(tz) {
                        self.timezone = zone;
                    }
                }
                DeclKind::Currency(c) if once(self, "currency", decl.span) => match Currency::find(&c.node) {
                    Some(cur) => self.currency = cur,
                    None => {
                        let code = &c.node;
                        let known: Vec<&str> = crate::value::money::CURRENCIES.iter().map(|c| c.code).collect();
                        let help = match suggest::closest(code, known.iter().copied()) {
                            Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                            None => {
                                let (zh, en) = (known.join("、"), known.join(", "));
                                msg!("支持的币种：{zh}", "known currencies: {en}")
                            }
                        };
                        self.report(
                            Diagnostic::error(
                                codes::UNKNOWN_CURRENCY,
                                msg!("未知的币种 `{code}`", "unknown currency `{code}`"),
                            )
                            .at(c.span)
                            .help(help),
                        );
                    }
                },
                DeclKind::Stages(stages) if once(self, "stages", decl.span) => {
                    for s in stages {
                        if let Some((_, first)) = self.stages.iter().find(|(n, _)| *n == s.node) {
                            let name = &s.node;
                            let first = *first;
                            self.report(
                                Diagnostic::error(
                                    codes::DUPLICATE_STAGE,
                                    msg!("阶段 `{name}` 重复", "stage `{name}` is listed twice"),
                                )
                                .at(s.span)
                                .also(first, Msg::new("第一次在这里", "first listed here")),
                            );
                        } else {
                            self.stages.push((s.node.clone(), s.span));
                        }
                    }
                }
                _ => {}
            }
        }
        // A workflow's stages are stages too: rules may be tagged with them (that is how
        // a rule guards a transition) without listing them twice.
        for decl in &ast.decls {
            if let DeclKind::Workflow(w) = &decl.node {
                for s in &w.stages {
                    if !self.stages.iter().any(|(n, _)| *n == s.node) {
                        self.stages.push((s.node.clone(), s.span));
                    }
                }
            }
        }
        let start = Span::new(0, 0);
        if !seen.contains_key("policy") {
            self.report(
                Diagnostic::error(
                    codes::MISSING_POLICY,
                    Msg::new("缺少 `policy` 声明", "the `policy` declaration is missing"),
                )
                .at(start)
                .help(Msg::new(
                    "在文件开头写上 `policy 名称 \"标题\" version \"1\"`",
                    "start the file with `policy name \"Title\" version \"1\"`",
                )),
            );
        }
        if !seen.contains_key("timezone") {
            self.report(
                Diagnostic::warning(
                    codes::MISSING_TIMEZONE,
                    Msg::new("没有声明时区，日期按 UTC 计算", "no time zone is declared; dates are counted in UTC"),
                )
                .at(start)
                .help(Msg::new("加上 `timezone \"Asia/Shanghai\"`", "add `timezone \"Asia/Shanghai\"`")),
            );
        }
        if !seen.contains_key("currency") {
            self.report(
                Diagnostic::warning(
                    codes::MISSING_CURRENCY,
                    Msg::new("没有声明币种，按 CNY 计算", "no currency is declared; amounts are in CNY"),
                )
                .at(start)
                .help(Msg::new("加上 `currency CNY`", "add `currency CNY`")),
            );
        }
    }
}
