//! Workflows: every stage, event and calendar name resolved, and the shape of the
//! graph checked — unreachable stages, stages with no way out, unused events.

use std::collections::HashMap;
use std::sync::Arc;

use super::Checker;
use super::expr::CalendarAmount;
use super::hir::{AmountDef, DeadlineDef, DueDef, EntryDef, MessageDef, TKind, TransitionDef, WorkflowDef};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Type;
use crate::source::Span;
use crate::syntax::ast::{DeclKind, Expr, ExprKind, Ident, Message, PolicyFile, WorkflowDecl};
use crate::value::Value;

/// A list of declared names with where each was declared.
struct Names<'n> {
    list: &'n [String],
    index: HashMap<&'n str, usize>,
}

impl<'n> Names<'n> {
    fn new(list: &'n [String]) -> Self {
        Names { list, index: list.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect() }
    }
}

impl<'a> Checker<'a> {
    /// Checks the policy's workflow (at most one).
    pub(super) fn workflows(&mut self, ast: &'a PolicyFile) {
        let mut first: Option<Span> = None;
        for decl in &ast.decls {
            let DeclKind::Workflow(w) = &decl.node else { continue };
            if let Some(earlier) = first {
                self.report(
                    Diagnostic::error(
                        codes::SEVERAL_WORKFLOWS,
                        Msg::new("一个策略文件只能声明一个流程", "a policy file declares at most one workflow"),
                    )
                    .at(decl.span)
                    .also(earlier, Msg::new("第一个流程在这里", "the first workflow is here"))
                    .help(Msg::new(
                        "把另一个流程放到自己的策略文件里",
                        "put the other workflow in a policy file of its own",
                    )),
                );
                continue;
            }
            first = Some(decl.span);
            self.workflow = self.workflow_def(w, decl.span);
        }
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "stage and event indices come from looking names up in `stages` and `events` (`Names`), and the per-stage and per-event vectors are made with their lengths"
    )]
    fn workflow_def(&mut self, w: &WorkflowDecl, span: Span) -> Option<WorkflowDef> {
        let stages = self.declared(&w.stages, ("阶段", "stage"));
        let events = self.declared(&w.events, ("事件", "event"));
        let roles = self.declared(&w.roles, ("角色", "role"));
        if let Some(extra) = w.roles.get(crate::lang::MAX_ROLES) {
            let max = crate::lang::MAX_ROLES;
            self.report(
                Diagnostic::error(
                    codes::TOO_MANY_ROLES,
                    msg!("流程最多声明 {max} 个角色", "a workflow declares at most {max} roles"),
                )
                .at(extra.span)
                .help(Msg::new("把相近的职责合并为一个角色", "merge related duties into one role")),
            );
        }
        if stages.is_empty() {
            self.report(
                Diagnostic::error(codes::NO_STAGES, Msg::new("流程没有声明阶段", "the workflow declares no stages"))
                    .at(span)
                    .help(Msg::new(
                        "例如 `stages application, review, closed`",
                        "e.g. `stages application, review, closed`",
                    )),
            );
            return None;
        }
        let stage_names = Names::new(&stages);
        let event_names = Names::new(&events);
        let role_names = Names::new(&roles);
        let initial = match w.initial.as_slice() {
            [] => {
                let first = &stages[0];
                self.report(
                    Diagnostic::error(
                        codes::NO_INITIAL,
                        Msg::new("流程没有起始阶段", "the workflow has no initial stage"),
                    )
                    .at(span)
                    .help(msg!("加一行 `initial {first}`", "add a line `initial {first}`")),
                );
                None
            }
            [one, rest @ ..] => {
                for extra in rest {
                    self.report(
                        Diagnostic::error(
                            codes::SEVERAL_INITIAL,
                            Msg::new("流程只能有一个起始阶段", "a workflow has exactly one initial stage"),
                        )
                        .at(extra.span)
                        .also(one.span, Msg::new("起始阶段已在这里声明", "the initial stage is declared here"))
                        .help(Msg::new("删除多余的 `initial`", "remove the extra `initial`")),
                    );
                }
                self.lookup(&stage_names, one, ("阶段", "stage"))
            }
        };
        let finals: Vec<usize> =
            w.finals.iter().filter_map(|f| self.lookup(&stage_names, f, ("阶段", "stage"))).collect();

        let mut transitions = Vec::new();
        let mut by_source: HashMap<(usize, usize), Span> = HashMap::new();
        let mut event_used = vec![false; events.len()];
        let mut role_used = vec![false; roles.len()];
        for t in &w.transitions {
            if roles.is_empty()
                && let Some(first) = t.node.by.first()
            {
                let name = &first.node;
                self.report(
                    Diagnostic::error(
                        codes::UNKNOWN_NAME,
                        msg!(
                            "流程没有声明角色，`by {name}` 无从查找",
                            "the workflow declares no roles, so `by {name}` names nothing"
                        ),
                    )
                    .at(first.span)
                    .help(msg!(
                        "在流程里声明可以发出事件的人：`roles {name}, …`",
                        "declare who posts events in the workflow: `roles {name}, …`"
                    )),
                );
                continue;
            }
            let by: Option<Vec<usize>> =
                t.node.by.iter().map(|r| self.lookup(&role_names, r, ("角色", "role"))).collect();
            let Some(by) = by else {
                // A misspelt role was meant to be one of the declared: no `unused-role` then.
                role_used.fill(true);
                continue;
            };
            for &r in &by {
                role_used[r] = true;
            }
            let from = self.lookup(&stage_names, &t.node.from, ("阶段", "stage"));
            let to = self.lookup(&stage_names, &t.node.to, ("阶段", "stage"));
            let event = self.lookup(&event_names, &t.node.event, ("事件", "event"));
            let otherwise = match &t.node.otherwise {
                Some(o) => self.lookup(&stage_names, o, ("阶段", "stage")).map(Some),
                None => Some(None),
            };
            let (Some(from), Some(to), Some(event), Some(otherwise)) = (from, to, event, otherwise) else { continue };
            event_used[event] = true;
            if let Some(earlier) = by_source.insert((from, event), t.span) {
                let (s, e) = (&stages[from], &events[event]);
                self.report(
                    Diagnostic::error(
                        codes::DUPLICATE_TRANSITION,
                        msg!(
                            "阶段 `{s}` 上的事件 `{e}` 有两条转移",
                            "event `{e}` has two transitions from stage `{s}`"
                        ),
                    )
                    .at(t.span)
                    .also(earlier, Msg::new("另一条在这里", "the other one is here"))
                    .help(Msg::new(
                        "一个阶段上的每个事件只能通向一个阶段；用不同的事件名区分",
                        "each event leads to one stage from a given stage; use different event names",
                    )),
                );
                continue;
            }
            let rejects =
                t.node.rejects.as_ref().map(|(code, m)| (code.node.clone(), m.as_ref().map(|m| self.workflow_text(m))));
            let carries = self.carried(&t.node.carries);
            transitions.push(TransitionDef { from, to, event, by, carries, otherwise, rejects });
        }
        let initial = initial?;
        self.graph_shape(w, &stages, initial, &finals, &transitions);
        for (i, used) in event_used.iter().enumerate() {
            if !used && let Some(decl) = w.events.iter().find(|e| e.node == events[i]) {
                let name = &events[i];
                self.report(
                    Diagnostic::warning(
                        codes::UNUSED_EVENT,
                        msg!("事件 `{name}` 没有用于任何转移", "event `{name}` is used by no transition"),
                    )
                    .at(decl.span)
                    .help(Msg::new(
                        "删除它，或加一条 `a -> b on 事件`",
                        "remove it, or add a transition `a -> b on EVENT`",
                    )),
                );
            }
        }

        for (i, used) in role_used.iter().enumerate() {
            if !used && let Some(decl) = w.roles.iter().find(|r| r.node == roles[i]) {
                let name = &roles[i];
                self.report(
                    Diagnostic::warning(
                        codes::UNUSED_ROLE,
                        msg!("角色 `{name}` 没有用于任何转移", "role `{name}` is named by no transition"),
                    )
                    .at(decl.span)
                    .help(msg!(
                        "删除它，或在转移上写 `on 事件 by {name}`",
                        "remove it, or write `on EVENT by {name}` on a transition"
                    )),
                );
            }
        }

        let mut deadlines = Vec::new();
        for d in &w.deadlines {
            let stage = self.lookup(&stage_names, &d.node.stage, ("阶段", "stage"));
            let anchor = match &d.node.anchor {
                Some(a) => self.lookup(&stage_names, a, ("阶段", "stage")),
                None => stage,
            };
            let due = match (&d.node.by, &d.node.within) {
                (Some(by), _) => self.due_by(by).map(DueDef::By),
                (None, Some(within)) => self.amount(within).map(DueDef::Within),
                (None, None) => None,
            };
            let message = d.node.message.as_ref().map(|m| self.workflow_text(m));
            let (Some(stage), Some(anchor), Some(due)) = (stage, anchor, due) else { continue };
            if finals.contains(&stage) {
                let name = &stages[stage];
                self.report(
                    Diagnostic::error(
                        codes::DEADLINE_ON_FINAL,
                        msg!("终止阶段 `{name}` 不会被离开，期限永远无法完成", "the final stage `{name}` is never left, so its deadline could never be met"),
                    )
                    .at(d.node.stage.span)
                    .help(Msg::new(
                        "期限写在需要按时完成的阶段上，例如 `deadline refund within 7 days of inspection`",
                        "put the deadline on the stage that must be finished in time, e.g. `deadline refund within 7 days of inspection`",
                    )),
                );
                continue;
            }
            deadlines.push(DeadlineDef { stage, anchor, due, message });
        }

        let mut entries = Vec::new();
        for e in &w.entering {
            let stage = self.lookup(&stage_names, &e.node.stage, ("阶段", "stage"));
            let after = match &e.node.after {
                Some(a) => self.amount(a).map(Some),
                None => Some(None),
            };
            let message = e.node.message.as_ref().map(|m| self.workflow_text(m));
            if let (Some(stage), Some(after)) = (stage, after) {
                entries.push(EntryDef { stage, action: e.node.action.node.clone(), after, message });
            }
        }
        Some(WorkflowDef {
            name: w.name.as_ref().map(|n| n.node.clone()).unwrap_or_default(),
            title: w.title.as_ref().map(|t| t.node.clone()),
            stages,
            initial,
            finals,
            events,
            roles,
            transitions,
            deadlines,
            entries,
        })
    }

    /// Names in declaration order; a repeated one is reported and kept once.
    fn declared(&mut self, idents: &[Ident], (zh, en): (&str, &str)) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut spans: HashMap<&str, Span> = HashMap::new();
        for ident in idents {
            if let Some(&earlier) = spans.get(ident.node.as_str()) {
                let name = &ident.node;
                self.report(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        msg!("{zh} `{name}` 声明了两次", "{en} `{name}` is declared twice"),
                    )
                    .at(ident.span)
                    .also(earlier, Msg::new("第一次在这里", "first declared here"))
                    .help(Msg::new("删除重复的名字", "remove the repeated name")),
                );
                continue;
            }
            spans.insert(&ident.node, ident.span);
            out.push(ident.node.clone());
        }
        out
    }

    fn lookup(&mut self, names: &Names<'_>, ident: &Ident, (zh, en): (&str, &str)) -> Option<usize> {
        if let Some(&i) = names.index.get(ident.node.as_str()) {
            return Some(i);
        }
        let name = &ident.node;
        let near = suggest::closest(name, names.list.iter().map(String::as_str));
        let help = match near {
            Some(near) => msg!("是不是 `{near}`？", "did you mean `{near}`?"),
            None => {
                let all = names.list.join(", ");
                msg!("流程声明的{zh}：{all}", "the workflow's {en}s: {all}")
            }
        };
        self.report(
            Diagnostic::error(
                codes::UNKNOWN_NAME,
                msg!("流程中没有{zh} `{name}`", "the workflow has no {en} `{name}`"),
            )
            .at(ident.span)
            .help(help)
            .maybe_fix(ident.span, near),
        );
        None
    }

    /// The sections a transition's `with` names: top-level input fields, each once.
    fn carried(&mut self, names: &[Ident]) -> Vec<String> {
        let inputs = Arc::clone(&self.inputs);
        let mut out: Vec<String> = Vec::new();
        for n in names {
            let name = &n.node;
            if inputs.field(name).is_none() {
                let near = suggest::closest(name, inputs.fields.iter().map(|f| f.name.as_str()));
                let help = match near {
                    Some(near) => msg!("是不是 `{near}`？", "did you mean `{near}`?"),
                    None => msg!(
                        "`with` 后写 input 中的顶层字段，如 `with shipment`",
                        "after `with` name a top-level field of the input, such as `with shipment`"
                    ),
                };
                self.report(
                    Diagnostic::error(
                        codes::UNKNOWN_NAME,
                        msg!("input 中没有字段 `{name}`", "the input has no field `{name}`"),
                    )
                    .at(n.span)
                    .help(help)
                    .maybe_fix(n.span, near),
                );
            } else if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// Unreachable stages (warnings) and stages with no way out that are not final (errors).
    #[expect(
        clippy::indexing_slicing,
        reason = "stage and event indices come from looking names up in `stages` and `events` (`Names`), and the per-stage and per-event vectors are made with their lengths"
    )]
    fn graph_shape(
        &mut self,
        w: &WorkflowDecl,
        stages: &[String],
        initial: usize,
        finals: &[usize],
        transitions: &[TransitionDef],
    ) {
        let mut reached = vec![false; stages.len()];
        reached[initial] = true;
        let mut queue = vec![initial];
        while let Some(s) = queue.pop() {
            for t in transitions.iter().filter(|t| t.from == s) {
                for next in std::iter::once(t.to).chain(t.otherwise) {
                    if !reached[next] {
                        reached[next] = true;
                        queue.push(next);
                    }
                }
            }
        }
        let span_of = |name: &str| w.stages.iter().find(|s| s.node == name).map(|s| s.span).unwrap_or_default();
        for (i, name) in stages.iter().enumerate() {
            if !reached[i] {
                let start = &stages[initial];
                self.report(
                    Diagnostic::warning(
                        codes::UNREACHABLE_STAGE,
                        msg!(
                            "从起始阶段 `{start}` 无法到达阶段 `{name}`",
                            "stage `{name}` cannot be reached from the initial stage `{start}`"
                        ),
                    )
                    .at(span_of(name))
                    .help(msg!(
                        "加一条 `… -> {name} on 事件`，或删除这个阶段",
                        "add a transition `… -> {name} on EVENT`, or remove the stage"
                    )),
                );
            }
            let leaves = transitions.iter().any(|t| t.from == i && (t.to != i || t.otherwise.is_some_and(|o| o != i)));
            if !leaves && !finals.contains(&i) {
                self.report(
                    Diagnostic::error(
                        codes::DEAD_END_STAGE,
                        msg!(
                            "阶段 `{name}` 没有出路，却不是终止阶段",
                            "stage `{name}` has no way out but is not final"
                        ),
                    )
                    .at(span_of(name))
                    .help(msg!(
                        "加一条 `{name} -> … on 事件`，或把它写进 `final`",
                        "add a transition `{name} -> … on EVENT`, or list it under `final`"
                    )),
                );
            }
        }
    }

    /// A deadline's or delay's length: `7 days`, `2 business days`, `4 business hours`,
    /// or the name of a duration const.
    /// `by NAME`: NAME must be a let or output computing a datetime.
    fn due_by(&mut self, name: &Ident) -> Option<String> {
        let e = Expr::new(crate::syntax::ast::ExprKind::Name(name.node.clone()), name.span);
        let t = self.expr(&e);
        if t.ty == Type::Error {
            return None;
        }
        let is_value = matches!(t.kind, TKind::Derived(_));
        let span = name.span;
        if !is_value || t.ty != Type::DateTime {
            let (ty, name) = (&t.ty, &name.node);
            let what = if is_value { "" } else { "（不是 let 或 output）" };
            let what_en = if is_value { "" } else { " (not a let or output)" };
            self.report(
                Diagnostic::error(
                    codes::DEADLINE_BY,
                    msg!(
                        "`by` 后面应是计算日期时间的 let 或 output，`{name}` 却是 {ty}{what}",
                        "`by` needs a let or output that computes a datetime; `{name}` is {ty}{what_en}"
                    ),
                )
                .at(span)
                .help(Msg::new(
                    "例如 `output refund_due = inspection.inspected_at + 7 days`，然后 `deadline refund by refund_due`",
                    "e.g. `output refund_due = inspection.inspected_at + 7 days`, then `deadline refund by refund_due`",
                )),
            );
            return None;
        }
        Some(name.node.clone())
    }

    fn amount(&mut self, e: &Expr) -> Option<AmountDef> {
        if let ExprKind::Duration(n, unit, Some(cal)) = &e.node {
            let calendar = self.calendar_value(&cal.node, cal.span);
            let amount = self.calendar_amount(*n, *unit, e.span)?;
            let TKind::Lit(Value::Calendar(calendar)) = calendar.kind else { return None };
            return Some(match amount {
                CalendarAmount::Days(days) => AmountDef::WorkingDays(calendar, days),
                CalendarAmount::Time(amount) => AmountDef::Working(calendar, amount),
            });
        }
        let amount = self.expr(e);
        if amount.ty == Type::Error {
            return None;
        }
        if amount.ty != Type::Duration || !amount.constant {
            let ty = &amount.ty;
            self.report(
                Diagnostic::error(
                    codes::NOT_A_DURATION,
                    msg!("这里需要一个固定的时长，却是 {ty}", "a fixed duration is needed here, found {ty}"),
                )
                .at(e.span)
                .help(Msg::new(
                    "写 `7 days`、`2 business days`，或一个时长常量的名字",
                    "write `7 days`, `2 business days`, or the name of a duration const",
                )),
            );
            return None;
        }
        Some(AmountDef::Plain(amount))
    }

    /// A workflow message: text and consts, filled in once when the policy is compiled (a
    /// workflow has no item or fact to interpolate).
    fn workflow_text(&mut self, m: &Message) -> MessageDef {
        self.constant_message(
            m,
            "workflow-text",
            Msg::new("流程中的说明只能插入常量", "texts in a workflow may only interpolate consts"),
            Msg::new(
                "流程说明对每个案件都一样；引用常量（如 `{refund_deadline}`），或把需要计算的说明放到规则里",
                "a workflow text is the same for every case: use a const (such as `{refund_deadline}`), or put a computed message in a rule",
            ),
        )
    }
}
