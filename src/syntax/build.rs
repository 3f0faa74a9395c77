//! Declarations: pest pairs to the typed AST, in one place.

use std::cell::RefCell;
use std::sync::Arc;

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::keywords;
use super::parser::Rule;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{Aggregate, CmpOp, HitPolicy};
use crate::source::{SourceFile, Span};

/// A declaration's parts after its keyword: every declaration starts with its keyword
/// (`let`, `rule`, …) except `for each`, whose first part is the whole `for` clause.
fn without_keyword(mut pairs: Pairs<'_, Rule>) -> std::iter::Peekable<Pairs<'_, Rule>> {
    if pairs.peek().is_some_and(|p| keywords::starts_declaration(p.as_str())) {
        pairs.next();
    }
    pairs.peekable()
}

/// Builds the AST and collects the mistakes it finds on the way.
pub(crate) struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    /// Where each byte of the parsed text lies in the file.
    placement: Placement<'a>,
    diags: RefCell<Vec<Diagnostic>>,
}

/// Where the parsed text lies in the file.
enum Placement<'a> {
    /// A slice of the file starting here (non-zero when recovering chunk by chunk).
    Offset(usize),
    /// Text that is not a slice of the file (a quoted CSV field, its `""` read as `"`):
    /// the file offset of each byte of the text, and of its end.
    Map(&'a [usize]),
    /// A chunk, starting at the offset, of the file with runs of plain table rows each
    /// replaced by one blank (`plain.rs`): for each blank, its offset in the cut text and
    /// how many bytes of the file lie before the next byte, minus those of the cut text.
    Cuts(usize, Vec<(usize, usize)>),
}

impl<'a> Builder<'a> {
    pub(crate) fn new(file: &'a Arc<SourceFile>, offset: usize) -> Self {
        Builder { file, placement: Placement::Offset(offset), diags: RefCell::new(Vec::new()) }
    }

    /// A builder for a text whose byte `i` lies at `map[i]` in the file.
    pub(crate) fn mapped(file: &'a Arc<SourceFile>, map: &'a [usize]) -> Self {
        Builder { file, placement: Placement::Map(map), diags: RefCell::new(Vec::new()) }
    }

    /// A builder for a chunk starting at `start` of the file's text with runs of plain
    /// rows cut out: `cuts` holds, in order, each stand-in blank's offset in the cut text
    /// and the bytes it stands for minus one.
    pub(crate) fn cut(file: &'a Arc<SourceFile>, cuts: &[(usize, usize)], start: usize) -> Self {
        let mut shift = 0;
        let shifts = cuts
            .iter()
            .map(|&(at, gap)| {
                shift += gap;
                (at, shift)
            })
            .collect();
        Builder { file, placement: Placement::Cuts(start, shifts), diags: RefCell::new(Vec::new()) }
    }

    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.diags.into_inner()
    }

    pub(crate) fn report(&self, diag: Diagnostic) {
        self.diags.borrow_mut().push(diag.in_file(self.file));
    }

    /// A shape the grammar produced that this builder does not know. It can only be a
    /// bug in tenet (the grammar and the builder out of step), so it is said as one
    /// rather than read as some default.
    pub(crate) fn unexpected(&self, pair: &Pair<'_, Rule>, wanted: &str) {
        let rule = format!("{:?}", pair.as_rule());
        let text: String = pair.as_str().chars().take(40).collect();
        self.report(
            Diagnostic::error(
                codes::INTERNAL,
                msg!(
                    "解析器在需要{wanted}的地方给出了 {rule}（`{text}`）",
                    "the parser gave {rule} (`{text}`) where the builder needs {wanted}"
                ),
            )
            .at(self.span(pair))
            .help(Msg::new(
                "这是 tenet 的缺陷，不是策略的错误；请连同这个文件一起报告",
                "this is a bug in tenet, not a mistake in the policy; please report it with this file",
            )),
        );
    }

    pub(crate) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        self.place(s.start(), s.end())
    }

    /// Where `start..end` of the parsed text lies in the file.
    pub(crate) fn place(&self, start: usize, end: usize) -> Span {
        match &self.placement {
            Placement::Map(map) => {
                let at = |i: usize| map.get(i).or(map.last()).copied().unwrap_or(0);
                Span::new(at(start), at(end))
            }
            Placement::Offset(offset) => Span::new(offset + start, offset + end),
            Placement::Cuts(chunk, shifts) => {
                // A byte after a cut's blank lies further on by every gap before it; the
                // blank itself, and an end just before it, stay where they are.
                let at = |i: usize| {
                    let i = chunk + i;
                    let before = shifts.partition_point(|&(cut, _)| cut < i);
                    i + before.checked_sub(1).and_then(|k| shifts.get(k)).map_or(0, |&(_, shift)| shift)
                };
                Span::new(at(start), at(end))
            }
        }
    }

    pub(crate) fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident::new(pair.as_str().to_owned(), self.span(&pair))
    }

    /// The `file` pair.
    pub(crate) fn file(&self, pair: Pair<'_, Rule>) -> PolicyFile {
        let decls = pair.into_inner().filter(|p| p.as_rule() != Rule::EOI).filter_map(|p| self.decl(p)).collect();
        PolicyFile { decls }
    }

    fn decl(&self, pair: Pair<'_, Rule>) -> Option<Decl> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let pair_for_report = pair.clone();
        // Keywords are their own pairs; skip them so each arm sees only the parts.
        let inner = pair.into_inner();
        let mut parts = without_keyword(inner.clone());
        let kind = match rule {
            Rule::policy_decl => {
                let mut name = None;
                let mut title = None;
                let mut version = None;
                let mut after_version = false;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => name = Some(self.ident(p)),
                        Rule::kw_version => after_version = true,
                        Rule::string if after_version => version = Some(self.plain_text(p, "版本", "a version")),
                        Rule::string => title = Some(self.plain_text(p, "策略标题", "a policy title")),
                        _ => {}
                    }
                }
                DeclKind::Policy { name: name?, title, version }
            }
            Rule::timezone_decl => DeclKind::Timezone(self.plain_text(parts.next()?, "时区", "a time zone")),
            Rule::currency_decl => DeclKind::Currency(self.ident(parts.next()?)),
            Rule::stages_decl => DeclKind::Stages(parts.map(|p| self.ident(p)).collect()),
            Rule::input_decl => DeclKind::Input(self.fields(parts.next()?)),
            Rule::const_decl => {
                let name = self.ident(parts.next()?);
                let value = self.expr(parts.next()?);
                DeclKind::Const(ValueDecl { name, value, guard: None })
            }
            Rule::let_decl | Rule::output_decl => {
                let name = self.ident(parts.next()?);
                let value = self.expr(parts.next()?);
                let guard = parts.next().and_then(|g| self.guard(g));
                let decl = ValueDecl { name, value, guard };
                if rule == Rule::let_decl { DeclKind::Let(decl) } else { DeclKind::Output(decl) }
            }
            Rule::ledger_decl => DeclKind::Ledger(self.ident(parts.next()?)),
            Rule::cap_decl => {
                let ledger = self.ident(parts.next()?);
                let mut amount = None;
                let mut code = None;
                let mut message = None;
                for p in parts {
                    match p.as_rule() {
                        Rule::expr => amount = Some(self.expr(p)),
                        Rule::code => code = Some(self.ident(p)),
                        Rule::message => message = Some(self.message(p)),
                        _ => {}
                    }
                }
                DeclKind::Cap(CapDecl { ledger, amount: amount?, flag: code.map(|c| (c, message)) })
            }
            Rule::calendar_decl => DeclKind::Calendar(self.calendar(parts)?),
            Rule::each_decl => {
                let clause = self.for_clause(parts.next()?)?;
                let lets = parts
                    .filter(|p| p.as_rule() != Rule::block_open)
                    .filter_map(|p| {
                        let mut it = without_keyword(p.into_inner());
                        let name = self.ident(it.next()?);
                        let value = self.expr(it.next()?);
                        let guard = it.next().and_then(|g| self.guard(g));
                        Some(ValueDecl { name, value, guard })
                    })
                    .collect();
                DeclKind::Each(EachDecl { clause, lets })
            }
            Rule::ensure_decl => {
                let mut each = Vec::new();
                let mut cond = None;
                let mut message = None;
                for p in parts {
                    match p.as_rule() {
                        Rule::for_clause => each.extend(self.for_clause(p)),
                        Rule::expr => cond = Some(self.expr(p)),
                        Rule::message => message = Some(self.message(p)),
                        _ => {}
                    }
                }
                DeclKind::Ensure(EnsureDecl { each, cond: cond?, message: message? })
            }
            Rule::workflow_decl => DeclKind::Workflow(self.workflow(parts)),
            Rule::table_decl => DeclKind::Table(self.table(parts)?),
            Rule::fn_decl => DeclKind::Table(self.function(parts)?),
            Rule::rule_decl => DeclKind::Rule(self.rule(parts)?),
            _ => {
                self.unexpected(&pair_for_report, "a declaration");
                return None;
            }
        };
        Some(Decl::new(kind, span))
    }

    fn guard(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        pair.into_inner().find(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p))
    }

    /// A `record_type` pair's fields.
    fn fields(&self, pair: Pair<'_, Rule>) -> Vec<FieldDecl> {
        pair.into_inner()
            .filter_map(|f| {
                let mut it = f.into_inner();
                let name = self.ident(it.next()?);
                let mut next = it.next()?;
                let optional = next.as_rule() == Rule::optional;
                if optional {
                    next = it.next()?;
                }
                let ty = self.type_expr(next);
                let check = it.next().filter(|p| p.as_rule() == Rule::field_check).and_then(|c| self.field_check(c));
                Some(FieldDecl { name, optional, ty, check })
            })
            .collect()
    }

    /// `>= 0`, `in [1..999]`, `matching "…"`.
    fn field_check(&self, pair: Pair<'a, Rule>) -> Option<Spanned<CheckDecl>> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let parts: Vec<Pair<'a, Rule>> = inner.clone().into_inner().collect();
        let text = |rule: Rule| -> Vec<String> {
            parts.iter().filter(|p| p.as_rule() == rule).map(|p| p.as_str().to_owned()).collect()
        };
        let check = match inner.as_rule() {
            Rule::check_bound => {
                let (ops, nums) = (text(Rule::check_op), text(Rule::check_num));
                CheckDecl::Bound(ops.first()?.clone(), nums.first()?.clone())
            }
            Rule::check_range => {
                let nums = text(Rule::check_num);
                CheckDecl::Range(nums.first()?.clone(), nums.get(1)?.clone())
            }
            Rule::check_pattern => {
                let s = parts.iter().find(|p| p.as_rule() == Rule::string)?.clone();
                CheckDecl::Pattern(self.plain_text(s, "模式", "a pattern").node)
            }
            _ => return None,
        };
        Some(Spanned::new(check, span))
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let Some(base) = it.next() else {
            return TypeExpr::new(TypeKind::Named(String::new()), span);
        };
        let base_span = self.span(&base);
        let kind = match base.as_rule() {
            Rule::list_type => match base.into_inner().next() {
                Some(inner) => TypeKind::List(Box::new(self.type_expr(inner))),
                None => TypeKind::Named(String::new()),
            },
            Rule::record_type => TypeKind::Record(self.fields(base)),
            Rule::enum_type => TypeKind::Enum(
                base.into_inner().map(|s| self.plain_text(s, "枚举值", "an enumeration value")).collect(),
            ),
            _ => TypeKind::Named(base.as_str().to_owned()),
        };
        let base = TypeExpr::new(kind, base_span);
        if it.next().is_some() { TypeExpr::new(TypeKind::Optional(Box::new(base)), span) } else { base }
    }

    fn rule(&self, mut parts: impl Iterator<Item = Pair<'a, Rule>>) -> Option<RuleDecl> {
        let name = self.plain_text(parts.next()?, "规则名称", "a rule name");
        let mut stage = None;
        let mut each = Vec::new();
        let mut when = None;
        let mut outcomes = Vec::new();
        let mut terms = None;
        for p in parts {
            match p.as_rule() {
                Rule::terms => terms = p.into_inner().find(|q| q.as_rule() == Rule::message).map(|q| self.message(q)),
                Rule::stage_tag => stage = p.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p)),
                Rule::for_clause => each.extend(self.for_clause(p)),
                Rule::guard => when = self.guard(p),
                _ => outcomes.extend(self.outcome(p)),
            }
        }
        Some(RuleDecl { name, stage, each, when, outcomes, terms })
    }

    /// `for each x in list [where cond]`.
    pub(crate) fn for_clause(&self, pair: Pair<'_, Rule>) -> Option<ForClause> {
        let span = self.span(&pair);
        let mut it = pair.into_inner().filter(|p| matches!(p.as_rule(), Rule::ident | Rule::expr));
        let var = self.ident(it.next()?);
        let list = self.expr(it.next()?);
        let filter = it.next().map(|p| self.expr(p));
        Some(ForClause { var, list, filter, span })
    }

    fn calendar(&self, mut parts: impl Iterator<Item = Pair<'a, Rule>>) -> Option<CalendarDecl> {
        let name = self.ident(parts.next()?);
        let mut decl = CalendarDecl { name, title: None, timezone: None, hours: Vec::new(), holidays: Vec::new() };
        for p in parts {
            match p.as_rule() {
                Rule::string => decl.title = Some(self.plain_text(p, "日历标题", "a calendar title")),
                Rule::timezone_decl => {
                    let zone = p.into_inner().find(|p| p.as_rule() == Rule::string)?;
                    decl.timezone = Some(self.plain_text(zone, "时区", "a time zone"));
                }
                Rule::holidays_line => {
                    let file = p.into_inner().find(|p| p.as_rule() == Rule::string)?;
                    decl.holidays.push(self.plain_text(file, "节假日文件", "a holiday file"));
                }
                Rule::hours_line => decl.hours.extend(self.hours_line(p)),
                _ => {}
            }
        }
        Some(decl)
    }

    fn workflow(&self, parts: impl Iterator<Item = Pair<'a, Rule>>) -> WorkflowDecl {
        let mut wf = WorkflowDecl::default();
        for p in parts {
            let span = self.span(&p);
            let rule = p.as_rule();
            let words = || {
                p.clone()
                    .into_inner()
                    .filter(|q| matches!(q.as_rule(), Rule::ident | Rule::field_word))
                    .map(|q| self.ident(q))
            };
            match rule {
                Rule::ident => wf.name = Some(self.ident(p)),
                Rule::string => wf.title = Some(self.plain_text(p, "流程标题", "a workflow title")),
                Rule::wf_stages => wf.stages.extend(words()),
                Rule::wf_initial => wf.initial.extend(words()),
                Rule::wf_final => wf.finals.extend(words()),
                Rule::wf_events => wf.events.extend(words()),
                Rule::wf_roles => wf.roles.extend(words()),
                Rule::wf_transition => {
                    let mut it = words();
                    if let (Some(from), Some(to), Some(event)) = (it.next(), it.next(), it.next()) {
                        let otherwise = it.next();
                        let rejects = p.clone().into_inner().find(|q| q.as_rule() == Rule::wf_rejects).and_then(|r| {
                            let mut code = None;
                            let mut message = None;
                            for q in r.into_inner() {
                                match q.as_rule() {
                                    Rule::code => code = Some(self.ident(q)),
                                    Rule::message => message = Some(self.message(q)),
                                    _ => {}
                                }
                            }
                            Some((code?, message))
                        });
                        let by = p
                            .clone()
                            .into_inner()
                            .filter(|q| q.as_rule() == Rule::wf_posters)
                            .flat_map(|q| q.into_inner().filter(|r| r.as_rule() == Rule::ident).map(|r| self.ident(r)))
                            .collect();
                        let carries = p
                            .clone()
                            .into_inner()
                            .filter(|q| q.as_rule() == Rule::wf_carries)
                            .flat_map(|q| q.into_inner().filter(|r| r.as_rule() == Rule::ident).map(|r| self.ident(r)))
                            .collect();
                        wf.transitions.push(Spanned::new(
                            TransitionDecl { from, to, event, by, carries, otherwise, rejects },
                            span,
                        ));
                    }
                }
                Rule::wf_deadline => {
                    let mut stage = None;
                    let mut within = None;
                    let mut anchor = None;
                    let mut message = None;
                    let mut by = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident if stage.is_none() => stage = Some(self.ident(q)),
                            Rule::ident => anchor = Some(self.ident(q)),
                            Rule::wf_amount => within = self.amount(q),
                            Rule::wf_by => {
                                by = q.into_inner().find(|r| r.as_rule() == Rule::ident).map(|r| self.ident(r))
                            }
                            Rule::message => message = Some(self.message(q)),
                            _ => {}
                        }
                    }
                    if let Some(stage) = stage
                        && (within.is_some() || by.is_some())
                    {
                        wf.deadlines.push(Spanned::new(DeadlineDecl { stage, within, anchor, by, message }, span));
                    }
                }
                Rule::wf_entering => {
                    let mut names = Vec::new();
                    let mut after = None;
                    let mut message = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident => names.push(self.ident(q)),
                            Rule::wf_amount => after = self.amount(q),
                            Rule::message => message = Some(self.message(q)),
                            _ => {}
                        }
                    }
                    let mut names = names.into_iter();
                    if let (Some(stage), Some(action)) = (names.next(), names.next()) {
                        wf.entering.push(Spanned::new(EntryDecl { stage, action, after, message }, span));
                    }
                }
                _ => {}
            }
        }
        wf
    }

    /// A `wf_amount`: a duration literal or a name, as an expression.
    fn amount(&self, pair: Pair<'_, Rule>) -> Option<Expr> {
        pair.into_inner().next().map(|p| self.primary_expr(p))
    }

    fn hours_line(&self, pair: Pair<'_, Rule>) -> Option<HoursLine> {
        let mut it = pair.into_inner();
        let days = it.next()?;
        let mut weekdays = days.into_inner().filter_map(|d| match weekday(d.as_str()) {
            Some(day) => Some(Spanned::new(day, self.span(&d))),
            None => {
                self.unexpected(&d, "a weekday");
                None
            }
        });
        let from = weekdays.next()?;
        let to = weekdays.next().unwrap_or_else(|| from.clone());
        let ranges = it
            .filter_map(|range| {
                let span = self.span(&range);
                let mut clocks = range.into_inner().map(|c| clock_seconds(c.as_str()));
                match (clocks.next()?, clocks.next()?) {
                    (Some(a), Some(b)) => Some(Spanned::new((a, b), span)),
                    _ => {
                        self.report(
                            Diagnostic::error(codes::BAD_HOURS, Msg::new("时间不存在", "not a time of day"))
                                .at(span)
                                .help(Msg::new(
                                    "时间写作 HH:MM，从 00:00 到 24:00",
                                    "write times as HH:MM, from 00:00 to 24:00",
                                )),
                        );
                        None
                    }
                }
            })
            .collect();
        Some(HoursLine { from, to, ranges })
    }

    fn outcome(&self, pair: Pair<'_, Rule>) -> Option<Outcome> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let pair_for_report = pair.clone();
        let mut code = None;
        let mut action = None;
        let mut amount = None;
        let mut into = None;
        let mut message = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::code => code = Some(self.ident(p)),
                Rule::ident => action = Some(self.ident(p)),
                Rule::expr => amount = Some(self.expr(p)),
                Rule::into => into = p.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p)),
                Rule::message => message = Some(self.message(p)),
                _ => {}
            }
        }
        let kind = match rule {
            Rule::reject => OutcomeKind::Reject { code: code?, message: message? },
            Rule::require => OutcomeKind::Require { code: code?, message: message? },
            Rule::deduct | Rule::credit | Rule::charge => OutcomeKind::Ledger {
                verb: match rule {
                    Rule::deduct => LedgerVerb::Deduct,
                    Rule::credit => LedgerVerb::Credit,
                    _ => LedgerVerb::Charge,
                },
                code: code?,
                amount: amount?,
                into,
                message,
            },
            Rule::flag => OutcomeKind::Flag { code: code?, message },
            Rule::emit => OutcomeKind::Emit { action: action?, at: amount, message },
            _ => {
                self.unexpected(&pair_for_report, "an outcome");
                return None;
            }
        };
        Some(Outcome::new(kind, span))
    }

    fn message(&self, pair: Pair<'_, Rule>) -> Message {
        let mut strings = pair.into_inner().filter(|p| p.as_rule() == Rule::string);
        let text = strings.next().map_or_else(|| Spanned::new(Vec::new(), Span::default()), |p| self.text(p));
        let en = strings.next().map(|p| self.text(p));
        Message { text, en }
    }

    fn table(&self, parts: impl Iterator<Item = Pair<'a, Rule>>) -> Option<TableDecl> {
        let mut name = None;
        let mut params = Vec::new();
        let mut result = None;
        let mut hit = None;
        let mut rows = Vec::new();
        let mut otherwise = None;
        let mut from = None;
        for p in parts {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param => params.extend(self.param(p)),
                Rule::type_expr => result = Some(self.type_expr(p)),
                Rule::hit_policy => hit = Some(self.hit_policy(p)),
                Rule::table_from => {
                    from = p
                        .into_inner()
                        .find(|s| s.as_rule() == Rule::string)
                        .map(|s| self.plain_text(s, "CSV 文件路径", "a CSV file path"))
                }
                Rule::row => rows.extend(self.row(p)),
                Rule::otherwise_row => {
                    otherwise = p.into_inner().find(|e| e.as_rule() == Rule::expr).map(|e| self.expr(e))
                }
                _ => {}
            }
        }
        let name = name?;
        let hit = hit.unwrap_or_else(|| Spanned::new(HitPolicy::Unique, name.span));
        Some(TableDecl { name, params, result: result?, hit, rows, otherwise, lets: Vec::new(), function: false, from })
    }

    /// A table's or function's parameter: `name: type`.
    fn param(&self, p: Pair<'_, Rule>) -> Option<Param> {
        let mut it = p.into_inner();
        let (n, t) = (it.next()?, it.next()?);
        Some(Param { name: self.ident(n), ty: self.type_expr(t) })
    }

    /// `fn name(params) -> type = body`: a table of one row whose cells accept anything.
    fn function(&self, parts: impl Iterator<Item = Pair<'a, Rule>>) -> Option<TableDecl> {
        let mut name = None;
        let mut params = Vec::new();
        let mut result = None;
        let mut lets = Vec::new();
        let mut body = None;
        for p in parts {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param => params.extend(self.param(p)),
                Rule::type_expr => result = Some(self.type_expr(p)),
                Rule::fn_let => {
                    let mut it = p.into_inner().filter(|q| matches!(q.as_rule(), Rule::ident | Rule::expr));
                    if let (Some(n), Some(e)) = (it.next(), it.next()) {
                        lets.push((self.ident(n), self.expr(e)));
                    }
                }
                Rule::expr => body = Some(self.expr(p)),
                _ => {}
            }
        }
        let name = name?;
        let cells = params.iter().map(|p| Cell::new(CellKind::Any, p.name.span)).collect();
        let body = body?;
        let row = Row { cells, span: body.span, result: body };
        let hit = Spanned::new(HitPolicy::First, name.span);
        Some(TableDecl {
            name,
            params,
            result: result?,
            hit,
            rows: vec![row],
            otherwise: None,
            lets,
            function: true,
            from: None,
        })
    }

    fn hit_policy(&self, pair: Pair<'_, Rule>) -> Spanned<HitPolicy> {
        let span = self.span(&pair);
        let policy = pair
            .into_inner()
            // The pair after `hit` is the policy.
            .find(|p| p.as_rule() != Rule::kw_hit)
            .map_or(HitPolicy::Unique, |p| match p.as_rule() {
                Rule::hit_first => HitPolicy::First,
                Rule::hit_any => HitPolicy::Any,
                Rule::hit_priority => HitPolicy::Priority,
                Rule::hit_rule_order => HitPolicy::Collect(None),
                Rule::hit_output_order => HitPolicy::OutputOrder,
                Rule::hit_collect => {
                    let aggregate =
                        p.into_inner().find(|a| a.as_rule() == Rule::aggregate).and_then(|a| match a.as_str() {
                            "sum" => Some(Aggregate::Sum),
                            "min" => Some(Aggregate::Min),
                            "max" => Some(Aggregate::Max),
                            "count" => Some(Aggregate::Count),
                            _ => {
                                self.unexpected(&a, "sum, min, max or count");
                                None
                            }
                        });
                    HitPolicy::Collect(aggregate)
                }
                _ => HitPolicy::Unique,
            });
        Spanned::new(policy, span)
    }

    fn row(&self, pair: Pair<'_, Rule>) -> Option<Row> {
        let span = self.span(&pair);
        let mut cells = Vec::new();
        let mut result = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::cell => cells.push(self.cell(p)?),
                Rule::expr => result = Some(self.expr(p)),
                _ => {}
            }
        }
        Some(Row { cells, result: result?, span })
    }

    /// A cell: one test, tests joined by `or`, or `not(…)` of them.
    pub(crate) fn cell(&self, pair: Pair<'_, Rule>) -> Option<Cell> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        if inner.peek().is_some_and(|p| p.as_rule() == Rule::cell_not) {
            let tests = inner.next()?.into_inner().filter(|p| !matches!(p.as_rule(), Rule::kw_not | Rule::kw_or));
            return Some(Cell::new(CellKind::Not(tests.map(|t| self.cell_test(t)).collect::<Option<_>>()?), span));
        }
        let mut tests: Vec<Cell> =
            inner.filter(|p| p.as_rule() != Rule::kw_or).map(|t| self.cell_test(t)).collect::<Option<_>>()?;
        if tests.len() == 1 {
            return tests.pop();
        }
        Some(Cell::new(CellKind::AnyOf(tests), span))
    }

    fn cell_test(&self, inner: Pair<'_, Rule>) -> Option<Cell> {
        let span = self.span(&inner);
        fn expr_in(p: Pair<'_, Rule>) -> Option<Pair<'_, Rule>> {
            p.into_inner().find(|p| p.as_rule() == Rule::cell_expr)
        }
        let kind = match inner.as_rule() {
            Rule::cell_any => CellKind::Any,
            Rule::cell_cmp => {
                let mut it = inner.into_inner();
                let op_pair = it.next()?;
                let op = match op_pair.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<=" => CmpOp::Le,
                    ">=" => CmpOp::Ge,
                    "<" => CmpOp::Lt,
                    ">" => CmpOp::Gt,
                    _ => {
                        self.unexpected(&op_pair, "a comparison");
                        return None;
                    }
                };
                CellKind::Cmp(op, self.expr(it.next()?))
            }
            Rule::cell_range => {
                let mut it = inner.into_inner();
                let (open, lo, hi, close) = (it.next()?, it.next()?, it.next()?, it.next()?);
                CellKind::Range(Box::new(RangeCell {
                    lo: self.expr(lo),
                    lo_closed: open.as_str() == "[",
                    hi: self.expr(hi),
                    hi_closed: close.as_str() == "]",
                }))
            }
            Rule::cell_in => CellKind::In(self.expr(expr_in(inner)?)),
            Rule::cell_not_in => CellKind::NotIn(self.expr(expr_in(inner)?)),
            Rule::cell_expr => CellKind::Eq(self.expr(inner)),
            _ => {
                self.unexpected(&inner, "a table cell");
                return None;
            }
        };
        Some(Cell::new(kind, span))
    }

    /// A `string` pair as text parts, unescaped, with interpolations parsed.
    pub(crate) fn text(&self, pair: Pair<'_, Rule>) -> Spanned<Vec<TextPart>> {
        let span = self.span(&pair);
        let mut parts: Vec<TextPart> = Vec::new();
        let push_lit = |parts: &mut Vec<TextPart>, s: &str| match parts.last_mut() {
            Some(TextPart::Lit(last)) => last.push_str(s),
            _ => parts.push(TextPart::Lit(s.to_owned())),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::str_text => push_lit(&mut parts, p.as_str()),
                Rule::str_escape => {
                    let unescaped = unescape(p.as_str());
                    match unescaped {
                        Some(c) => push_lit(&mut parts, &c),
                        None => {
                            let escape = p.as_str();
                            self.report(
                                Diagnostic::error(
                                    codes::BAD_ESCAPE,
                                    msg!("无效的转义 `{escape}`", "invalid escape `{escape}`"),
                                )
                                .at(self.span(&p))
                                .help(Msg::new(
                                    "可用的转义：\\\" \\\\ \\n \\t \\u{4E2D}",
                                    "valid escapes: \\\" \\\\ \\n \\t \\u{4E2D}",
                                )),
                            );
                        }
                    }
                }
                Rule::str_interp => {
                    // A text stays on its line, interpolations included: everything that
                    // reads policies line by line (the formatter, editors) relies on it.
                    if p.as_str().contains('\n') {
                        self.report(
                            Diagnostic::error(
                                codes::TEXT_SPANS_LINES,
                                Msg::new(
                                    "文本中的插值跨越了多行",
                                    "an interpolation in a text runs over several lines",
                                ),
                            )
                            .at(self.span(&p))
                            .help(Msg::new(
                                "把插值写在一行内；较长的表达式先用 let 命名",
                                "keep the interpolation on one line; name a long expression with `let` first",
                            )),
                        );
                    }
                    if let Some(e) = p.into_inner().find(|p| p.as_rule() == Rule::expr) {
                        parts.push(TextPart::Expr(self.expr(e)));
                    }
                }
                _ => {}
            }
        }
        Spanned::new(parts, span)
    }

    /// A string that must be plain text (no `{…}`).
    fn plain_text(&self, pair: Pair<'_, Rule>, what_zh: &str, what_en: &str) -> Spanned<String> {
        let text = self.text(pair);
        let mut out = String::new();
        for part in &text.node {
            match part {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Expr(e) => self.report(
                    Diagnostic::error(
                        codes::INTERPOLATION_NOT_ALLOWED,
                        msg!("{what_zh}不能包含 `{{…}}` 插值", "{what_en} cannot interpolate `{{…}}`"),
                    )
                    .at(e.span)
                    .help(Msg::new("需要字面的花括号时写 `{{` 和 `}}`", "write `{{` and `}}` for literal braces")),
                ),
            }
        }
        Spanned::new(out, text.span)
    }
}

fn weekday(word: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    Some(match word.get(..3)? {
        "mon" => Mon,
        "tue" => Tue,
        "wed" => Wed,
        "thu" => Thu,
        "fri" => Fri,
        "sat" => Sat,
        "sun" => Sun,
        _ => return None,
    })
}

/// `HH:MM` as seconds since midnight; `24:00` is the end of the day.
fn clock_seconds(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 3600 + m * 60)
}

pub(crate) fn unescape(escape: &str) -> Option<String> {
    Some(match escape {
        "\\\"" => "\"".into(),
        "\\\\" => "\\".into(),
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "{{" => "{".into(),
        "}}" => "}".into(),
        _ => {
            let hex = escape.strip_prefix("\\u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?.to_string()
        }
    })
}
