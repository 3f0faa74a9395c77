//! Rules: stage, condition, outcomes, codes, and when each may run.

use super::hir::{MessageDef, OutcomeDef, RuleDef, TExpr};

use super::{Checker, Symbol};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::FindingKind;
use crate::lang::Type;
use crate::source::Span;
use crate::syntax::ast::{CapDecl, Ident, LedgerVerb, Message, OutcomeKind, RuleDecl};

impl Checker<'_> {
    pub(super) fn rule(&mut self, r: &RuleDecl, span: Span) -> Option<RuleDef> {
        if let Some(first) = self.rules.iter().find(|d| d.name == r.name.node) {
            let (name, first) = (&r.name.node, first.span);
            self.report(
                Diagnostic::error(
                    codes::DUPLICATE_RULE,
                    msg!("规则名 \"{name}\" 重复", "rule name \"{name}\" is used twice"),
                )
                .at(r.name.span)
                .also(first, Msg::new("第一次在这里", "first used here"))
                .help(Msg::new(
                    "规则名出现在结果和追踪里，必须唯一",
                    "rule names appear in results and traces, so they must be unique",
                )),
            );
        }
        let stage = r.stage.as_ref().and_then(|s| self.stage(s));
        // Checked before the rule's items are named: contract words speak of the rule,
        // not of one ticket.
        let terms = r.terms.as_ref().map(|m| self.terms(m));
        let depth = self.locals.len();
        let each = self.for_clauses(&r.each);
        let when = r.when.as_ref().map(|w| self.condition(w, "规则条件", "a rule's condition"));
        let outcomes: Vec<OutcomeDef> = r.outcomes.iter().filter_map(|o| self.outcome(&o.node, o.span)).collect();
        self.locals.truncate(depth);
        let settled = when.as_ref().is_some_and(|w| w.settled)
            || outcomes.iter().any(outcome_settled)
            || each.iter().any(|f| f.list.settled || f.filter.as_ref().is_some_and(|x| x.settled));
        if settled {
            for (o, def) in r.outcomes.iter().zip(&outcomes) {
                let decides = match def {
                    OutcomeDef::Finding { kind, .. } => *kind != FindingKind::Flag,
                    OutcomeDef::Ledger { .. } => true,
                    OutcomeDef::Emit { .. } => false,
                };
                if decides {
                    self.report(
                        Diagnostic::error(codes::DECIDED_TOO_LATE, Msg::new(
                            "这条规则读取了 decision 或账本合计，只能在决定之后运行，所以只能 flag 或 emit",
                            "this rule reads the decision or a ledger total, so it runs after the decision and can only flag or emit",
                        ))
                        .at(o.span)
                        .help(Msg::new(
                            "reject、require 和扣减会改变决定本身；把条件改为直接读取事实",
                            "reject, require and ledger lines change the decision itself; test the facts directly instead",
                        )),
                    );
                }
            }
        }
        Some(RuleDef { name: r.name.node.clone(), stage, each, when, outcomes, terms, settled, span })
    }

    fn stage(&mut self, s: &Ident) -> Option<usize> {
        if let Some(i) = self.stages.iter().position(|(n, _)| *n == s.node) {
            return Some(i);
        }
        let name = &s.node;
        let near = suggest::closest(name, self.stages.iter().map(|(n, _)| n.as_str()));
        let help = if self.stages.is_empty() {
            Msg::new(
                "先声明阶段：`stages application, review, …`",
                "declare the stages first: `stages application, review, …`",
            )
        } else {
            match near {
                Some(c) => msg!("你是不是想写 `{c}`？", "did you mean `{c}`?"),
                None => {
                    let list = self.stages.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
                    msg!("已声明的阶段：{list}", "declared stages: {list}")
                }
            }
        };
        self.report(
            Diagnostic::error(codes::UNKNOWN_STAGE, msg!("未知的阶段 `{name}`", "unknown stage `{name}`"))
                .at(s.span)
                .help(help)
                .maybe_fix(s.span, near),
        );
        None
    }

    fn outcome(&mut self, o: &OutcomeKind, span: Span) -> Option<OutcomeDef> {
        Some(match o {
            OutcomeKind::Reject { code, message } | OutcomeKind::Require { code, message } => {
                self.code(code);
                let kind =
                    if matches!(o, OutcomeKind::Reject { .. }) { FindingKind::Reject } else { FindingKind::Require };
                OutcomeDef::Finding { kind, code: code.node.clone(), message: Some(self.message(message)) }
            }
            OutcomeKind::Flag { code, message } => {
                self.code(code);
                OutcomeDef::Finding {
                    kind: FindingKind::Flag,
                    code: code.node.clone(),
                    message: message.as_ref().map(|m| self.message(m)),
                }
            }
            OutcomeKind::Ledger { verb, code, amount, into, message } => {
                self.code(code);
                let ledger = self.ledger_for(into.as_ref(), span)?;
                let amount = self.expr(amount);
                self.expect_amount(&amount);
                let kind = match verb {
                    LedgerVerb::Deduct => FindingKind::Deduct,
                    LedgerVerb::Credit => FindingKind::Credit,
                    LedgerVerb::Charge => FindingKind::Charge,
                };
                OutcomeDef::Ledger {
                    kind,
                    code: code.node.clone(),
                    ledger,
                    amount,
                    message: message.as_ref().map(|m| self.message(m)),
                }
            }
            OutcomeKind::Emit { action, at, message } => {
                let at = at.as_ref().map(|a| {
                    let a = self.expr(a);
                    if !a.ty.fits(&Type::DateTime) {
                        let ty = &a.ty;
                        self.report(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                msg!("`at` 应为日期时间，这里是 {ty}", "`at` must be a datetime, this is {ty}"),
                            )
                            .at(a.span)
                            .help(Msg::new("例如 `at now + 24 hours`", "for example `at now + 24 hours`")),
                        );
                    }
                    a
                });
                OutcomeDef::Emit { action: action.node.clone(), at, message: message.as_ref().map(|m| self.message(m)) }
            }
        })
    }

    /// Registers a finding code; each code belongs to one outcome.
    pub(super) fn code(&mut self, code: &Ident) {
        if let Some(first) = self.codes.get(&code.node) {
            let (c, first) = (&code.node, *first);
            self.report(
                Diagnostic::error(
                    codes::DUPLICATE_CODE,
                    msg!("代码 {c} 已被另一条结果使用", "code {c} is already used by another outcome"),
                )
                .at(code.span)
                .also(first, Msg::new("第一次在这里", "first used here"))
                .help(Msg::new(
                    "每个代码只标识一种结果；换一个代码",
                    "each code names one outcome; choose another code",
                )),
            );
        } else {
            self.codes.insert(code.node.clone(), code.span);
        }
    }

    /// `cap LEDGER at amount [flag CODE "message"]`.
    pub(super) fn cap(&mut self, cap: &CapDecl) {
        let Some(i) = self.ledger_for(Some(&cap.ledger), cap.ledger.span) else { return };
        if self.ledgers.get(i).is_some_and(|l| l.cap.is_some()) {
            let name = &cap.ledger.node;
            self.report(
                Diagnostic::error(
                    codes::DUPLICATE_CAP,
                    msg!("账本 `{name}` 已经有上限", "ledger `{name}` already has a cap"),
                )
                .at(cap.ledger.span),
            );
            return;
        }
        let amount = self.expr(&cap.amount);
        self.expect_amount(&amount);
        if amount.settled {
            self.report(
                Diagnostic::error(
                    codes::DECIDED_TOO_LATE,
                    Msg::new("上限不能读取 decision 或账本合计", "a cap cannot read the decision or a ledger total"),
                )
                .at(amount.span),
            );
        }
        let flag = cap.flag.as_ref().map(|(code, message)| {
            self.code(code);
            (code.node.clone(), message.as_ref().map(|m| self.message(m)))
        });
        if let Some(ledger) = self.ledgers.get_mut(i) {
            ledger.cap = Some(amount);
            ledger.cap_flag = flag;
        }
    }

    fn ledger_for(&mut self, into: Option<&Ident>, span: Span) -> Option<usize> {
        match into {
            Some(name) => match self.names.get(&name.node).copied() {
                Some((Symbol::Ledger(i), _)) => {
                    self.used.insert(Symbol::Ledger(i));
                    Some(i)
                }
                _ => {
                    let n = &name.node;
                    let near = suggest::closest(n, self.ledgers.iter().map(|l| l.name.as_str()));
                    let help = match near {
                        Some(c) => msg!("你是不是想写 `{c}`？", "did you mean `{c}`?"),
                        None => msg!("先声明：`ledger {n}`", "declare it first: `ledger {n}`"),
                    };
                    self.report(
                        Diagnostic::error(codes::UNKNOWN_LEDGER, msg!("未知的账本 `{n}`", "unknown ledger `{n}`"))
                            .at(name.span)
                            .help(help)
                            .maybe_fix(name.span, near),
                    );
                    None
                }
            },
            None if self.ledgers.len() == 1 => {
                self.used.insert(Symbol::Ledger(0));
                Some(0)
            }
            None => {
                let help = if self.ledgers.is_empty() {
                    Msg::new("先声明账本：`ledger deductions`", "declare a ledger first: `ledger deductions`")
                } else {
                    let list = self.ledgers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ");
                    msg!(
                        "有多个账本时写明 `into 账本`：{list}",
                        "with several ledgers, say which with `into LEDGER`: {list}"
                    )
                };
                self.report(
                    Diagnostic::error(
                        codes::UNKNOWN_LEDGER,
                        Msg::new("不知道记入哪个账本", "which ledger this goes into is not said"),
                    )
                    .at(span)
                    .help(help),
                );
                None
            }
        }
    }

    pub(super) fn expect_amount(&mut self, amount: &TExpr) {
        let ok = matches!(amount.ty, Type::Int | Type::Decimal | Type::Money | Type::Error);
        if !ok {
            let ty = &amount.ty;
            let help = if amount.ty == Type::Percent {
                Msg::new(
                    "百分比要说明是谁的百分比：`10% of goods_value`",
                    "say what the percentage is of: `10% of goods_value`",
                )
            } else {
                Msg::new("金额是一个数字或 money 值", "an amount is a number or a money value")
            };
            self.report(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    msg!("金额应为数字，这里是 {ty}", "an amount must be a number, this is {ty}"),
                )
                .at(amount.span)
                .help(help),
            );
        }
    }

    /// A rule's `terms`: a message whose every interpolation is constant.
    fn terms(&mut self, m: &Message) -> MessageDef {
        self.constant_message(
            m,
            "terms-not-constant",
            Msg::new("条文只能引用常量", "contract terms may only use consts"),
            Msg::new(
                "条文描述规则本身，不描述某一次评估；把数字写成常量再引用",
                "terms describe the rule, not one evaluation; make the number a const and use it",
            ),
        )
    }

    /// A message whose every interpolation must be constant (it is filled in once, when
    /// the policy is compiled); any other interpolation is reported with `code`.
    pub(super) fn constant_message(&mut self, m: &Message, code: &'static str, what: Msg, help: Msg) -> MessageDef {
        let def = self.message(m);
        for part in def.zh.iter().chain(def.en.iter().flatten()) {
            if let super::hir::TPart::Expr(e) = part
                && !e.constant
                && e.ty != crate::lang::Type::Error
            {
                self.report(Diagnostic::error(code, what.clone()).at(e.span).help(help.clone()));
            }
        }
        def
    }

    pub(super) fn message(&mut self, m: &Message) -> MessageDef {
        MessageDef { zh: self.parts(&m.text.node), en: m.en.as_ref().map(|en| self.parts(&en.node)) }
    }
}

fn outcome_settled(o: &OutcomeDef) -> bool {
    let message = |m: &Option<MessageDef>| {
        m.as_ref().is_some_and(|m| {
            m.zh.iter().chain(m.en.iter().flatten()).any(|p| matches!(p, super::hir::TPart::Expr(e) if e.settled))
        })
    };
    match o {
        OutcomeDef::Finding { message: m, .. } => message(m),
        OutcomeDef::Ledger { amount, message: m, .. } => amount.settled || message(m),
        OutcomeDef::Emit { at, message: m, .. } => at.as_ref().is_some_and(|a| a.settled) || message(m),
    }
}
