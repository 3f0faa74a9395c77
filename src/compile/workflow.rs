//! Lowering a checked workflow: amounts folded to durations, names to shared strings.

use std::sync::Arc;

use super::Lower;
use crate::check::hir::{AmountDef, DueDef, MessageDef, WorkflowDef};
use crate::ir::Part;
use crate::ir::{Amount, Deadline, Due, Entry, FixedText, Rejection, Transition, Workflow};
use crate::value::Value;

impl Lower<'_> {
    pub(super) fn workflow(&mut self, w: &WorkflowDef) -> Workflow {
        let mut finals = vec![false; w.stages.len()];
        for &f in &w.finals {
            if let Some(slot) = finals.get_mut(f) {
                *slot = true;
            }
        }
        let mut rejections = Vec::new();
        let transitions = w
            .transitions
            .iter()
            .map(|t| {
                let rejects = t.rejects.as_ref().map(|(code, m)| {
                    rejections.push(Rejection { code: Arc::from(code.as_str()), message: self.fixed_text(m) });
                    rejections.len() - 1
                });
                Transition {
                    from: t.from,
                    to: t.to,
                    event: t.event,
                    by: crate::ir::RoleSet::of(&t.by),
                    carries: t.carries.iter().map(|c| Arc::from(c.as_str())).collect(),
                    otherwise: t.otherwise,
                    rejects,
                }
            })
            .collect();
        Workflow {
            name: w.name.clone(),
            title: w.title.clone(),
            stages: w.stages.iter().map(|s| Arc::from(s.as_str())).collect(),
            initial: w.initial,
            finals,
            events: w.events.iter().map(|e| Arc::from(e.as_str())).collect(),
            roles: w.roles.iter().map(|r| Arc::from(r.as_str())).collect(),
            transitions,
            rejections,
            deadlines: w
                .deadlines
                .iter()
                .filter_map(|d| {
                    let due = match &d.due {
                        DueDef::Within(a) => Due::Within(self.amount(a)?),
                        DueDef::By(name) => Due::By(Arc::from(name.as_str())),
                    };
                    Some(Deadline { stage: d.stage, anchor: d.anchor, due, message: self.fixed_text(&d.message) })
                })
                .collect(),
            entries: w
                .entries
                .iter()
                .filter_map(|e| {
                    let after = match &e.after {
                        Some(a) => Some(self.amount(a)?),
                        None => None,
                    };
                    Some(Entry {
                        stage: e.stage,
                        action: Arc::from(e.action.as_str()),
                        after,
                        message: self.fixed_text(&e.message),
                    })
                })
                .collect(),
        }
    }

    fn amount(&mut self, a: &AmountDef) -> Option<Amount> {
        match a {
            AmountDef::Plain(e) => match self.fold(e) {
                Value::Duration(d) => Some(Amount::Plain(d)),
                _ => None,
            },
            AmountDef::Working(cal, e) => match self.fold(e) {
                Value::Duration(d) => Some(Amount::Working(Arc::clone(cal), d)),
                _ => None,
            },
            AmountDef::WorkingDays(cal, n) => Some(Amount::WorkingDays(Arc::clone(cal), *n)),
        }
    }

    /// A workflow text with its consts filled in (the checker allows nothing else in it).
    fn fixed_text(&mut self, m: &Option<MessageDef>) -> Option<FixedText> {
        let m = self.message(m)?;
        let plain = |parts: &[Part]| -> String {
            parts
                .iter()
                .filter_map(|p| match p {
                    Part::Lit(s) => Some(&**s),
                    Part::Expr(_) => None,
                })
                .collect()
        };
        Some(FixedText { zh: plain(&m.zh), en: m.en.as_deref().map(plain) })
    }
}
