//! pest errors in words: rule names never reach a user.

use std::collections::BTreeSet;

use pest::error::{ErrorVariant, InputLocation};

use super::parser::Rule;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::source::Span;

/// What a rule stands for, in words a policy author knows.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Declaration,
    Operator,
    Expression,
    Code,
    Thing(&'static str, &'static str),
}

impl Expected {
    fn words(&self) -> (String, String) {
        match self {
            Expected::Declaration => (
                "声明（policy、input、const、let、output、ledger、table、rule…）".into(),
                "a declaration (`policy`, `input`, `const`, `let`, `output`, `ledger`, `table`, `rule`…)".into(),
            ),
            Expected::Operator => {
                ("运算符（and、or、==、<、+、in…）".into(), "an operator (`and`, `or`, `==`, `<`, `+`, `in`…)".into())
            }
            Expected::Expression => ("表达式".into(), "an expression".into()),
            Expected::Code => (
                "代码（大写加下划线，如 WINDOW_EXPIRED）".into(),
                "a code in UPPER_SNAKE_CASE, such as WINDOW_EXPIRED".into(),
            ),
            Expected::Thing(zh, en) => ((*zh).into(), (*en).into()),
        }
    }
}

/// What an outcome is, in one place: the words, and the help that looks for them.
const OUTCOME: Expected = Expected::Thing(
    "结果（reject、require、deduct、credit、charge、flag、emit）",
    "an outcome (`reject`, `require`, `deduct`, `credit`, `charge`, `flag`, `emit`)",
);

fn describe(rule: Rule) -> Option<Expected> {
    use Expected::{Declaration, Expression, Operator, Thing};
    Some(match rule {
        Rule::EOI => Thing("文件结尾", "the end of the file"),
        // Spelled out (not `is_declaration_keyword`) so the match stays exhaustive: a
        // new grammar rule does not compile until it has words here.
        Rule::kw_policy
        | Rule::kw_timezone
        | Rule::kw_currency
        | Rule::kw_stages
        | Rule::kw_input
        | Rule::kw_const
        | Rule::kw_let
        | Rule::kw_output
        | Rule::kw_ledger
        | Rule::kw_table
        | Rule::kw_fn
        | Rule::kw_rule
        | Rule::kw_cap
        | Rule::kw_calendar
        | Rule::kw_ensure
        | Rule::kw_workflow
        | Rule::workflow_decl
        | Rule::cap_decl
        | Rule::calendar_decl
        | Rule::each_decl
        | Rule::ensure_decl
        | Rule::policy_decl
        | Rule::timezone_decl
        | Rule::currency_decl
        | Rule::stages_decl
        | Rule::input_decl
        | Rule::const_decl
        | Rule::let_decl
        | Rule::output_decl
        | Rule::ledger_decl
        | Rule::table_decl
        | Rule::table_head
        | Rule::table_open
        | Rule::fn_decl
        | Rule::rule_decl => Declaration,
        Rule::fn_let => Thing("`let 名称 = 值`", "`let name = value`"),
        Rule::op_or
        | Rule::op_and
        | Rule::op_oror
        | Rule::op_andand
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_not_in
        | Rule::op_in
        | Rule::op_assign
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_of
        | Rule::op_pow
        | Rule::op_mod
        | Rule::op_idiv
        | Rule::op_is_missing
        | Rule::op_is_present
        | Rule::member
        | Rule::kw_and
        | Rule::kw_or
        | Rule::kw_of
        | Rule::kw_is => Operator,
        Rule::expr
        | Rule::op_not
        | Rule::op_neg
        | Rule::op_bang
        | Rule::paren
        | Rule::if_expr
        | Rule::list_lit
        | Rule::record_lit
        | Rule::call
        | Rule::number
        | Rule::percent_lit
        | Rule::duration_lit
        | Rule::date_lit
        | Rule::datetime_lit
        | Rule::bool_lit
        | Rule::missing_lit
        | Rule::single_quoted
        | Rule::kw_if
        | Rule::kw_true
        | Rule::kw_false
        | Rule::kw_missing => Expression,
        Rule::ident | Rule::field_word | Rule::named_type | Rule::record_entry | Rule::param | Rule::field_decl => {
            Thing("名称", "a name")
        }
        Rule::code => Expected::Code,
        Rule::string | Rule::message | Rule::enum_type => Thing("带引号的文本", "a quoted text"),
        Rule::str_text | Rule::str_escape | Rule::str_interp => {
            Thing("文本内容或结束引号 `\"`", "more text or a closing `\"`")
        }
        Rule::kw_version => Thing("`version`", "`version`"),
        Rule::kw_hit | Rule::hit_policy => Thing("`hit`", "`hit`"),
        Rule::block_open => Thing("`{`", "`{`"),
        Rule::table_from | Rule::from_word => Thing("`from \"文件.csv\"`", "`from \"file.csv\"`"),
        Rule::cell_alone => Thing("单元格（值、区间、比较）", "a cell (a value, a range, a comparison)"),
        Rule::expr_alone => Thing("值", "a value"),
        Rule::kw_at | Rule::stage_tag => Thing("`at`", "`at`"),
        Rule::kw_when | Rule::guard => Thing("`when`", "`when`"),
        Rule::kw_reject
        | Rule::kw_require
        | Rule::kw_deduct
        | Rule::kw_credit
        | Rule::kw_charge
        | Rule::kw_flag
        | Rule::kw_emit
        | Rule::reject
        | Rule::require
        | Rule::deduct
        | Rule::credit
        | Rule::charge
        | Rule::flag
        | Rule::emit => OUTCOME,
        Rule::kw_into | Rule::into => Thing("`into`", "`into`"),
        Rule::for_clause => Thing("`for each`", "`for each`"),
        Rule::kw_for => Thing("`for`", "`for`"),
        Rule::kw_each => Thing("`each`", "`each`"),
        Rule::kw_where => Thing("`where`", "`where`"),
        Rule::kw_holidays | Rule::holidays_line => Thing("`holidays \"文件\"`", "`holidays \"file\"`"),
        Rule::otherwise => Thing("`otherwise`（条件之后的说明）", "`otherwise` (the message after the condition)"),
        Rule::hours_line | Rule::day_range | Rule::weekday => {
            Thing("工作时间（如 monday..friday 09:00-18:00）", "working hours (such as `monday..friday 09:00-18:00`)")
        }
        Rule::time_range | Rule::clock => Thing("时间段（如 09:00-18:00）", "a time range such as `09:00-18:00`"),
        Rule::comprehension | Rule::list_comp => Expression,
        Rule::sort_key | Rule::by_word => Thing("`by` 排序键", "`by` and a sort key"),
        Rule::kw_en => Thing("`en`", "`en`"),
        Rule::wf_stages
        | Rule::wf_initial
        | Rule::wf_final
        | Rule::wf_events
        | Rule::wf_roles
        | Rule::roles_word
        | Rule::wf_transition
        | Rule::wf_deadline
        | Rule::wf_entering
        | Rule::kw_initial
        | Rule::kw_final
        | Rule::kw_events
        | Rule::kw_deadline
        | Rule::kw_entering => Thing(
            "流程内容（stages、initial、final、events、roles、`a -> b on 事件`、deadline、entering）或 `}`",
            "a workflow item (`stages`, `initial`, `final`, `events`, `roles`, `a -> b on event`, `deadline`, `entering`) or `}`",
        ),
        Rule::kw_on => Thing("`on 事件`", "`on EVENT`"),
        Rule::wf_posters | Rule::posters_by => {
            Thing("`by 角色`（可以发出这个事件的角色）", "`by ROLE` (the roles that may post the event)")
        }
        Rule::wf_carries | Rule::carries_with => Thing(
            "`with 字段`（事件数据填写的 input 字段）",
            "`with FIELD` (the input fields the event's data fills in)",
        ),
        Rule::kw_within => Thing("`within`", "`within`"),
        Rule::wf_by => Thing("`by` 截止时间（let 或 output 的名字）", "`by` and a due time (a let's or output's name)"),
        Rule::kw_after => Thing("`after`", "`after`"),
        Rule::kw_rejects | Rule::wf_rejects => Thing("`rejects 代码 \"说明\"`", "`rejects CODE \"text\"`"),
        Rule::field_check
        | Rule::check_bound
        | Rule::check_op
        | Rule::check_range
        | Rule::check_pattern
        | Rule::check_num
        | Rule::kw_matching => Thing(
            "字段检查（如 `>= 0`、`in [1..999]`、`matching \"模式\"`）",
            "a field check (such as `>= 0`, `in [1..999]`, `matching \"pattern\"`)",
        ),
        Rule::kw_terms | Rule::terms => Thing("`terms \"合同条文\"`", "`terms \"contract wording\"`"),
        Rule::wf_amount => {
            Thing("时长（如 2 business days）或常量名", "a duration (such as `2 business days`) or a const's name")
        }
        Rule::kw_then => Thing("`then`", "`then`"),
        Rule::kw_else => Thing("`else`", "`else`"),
        Rule::kw_not => Thing("`not`", "`not`"),
        Rule::kw_in => Thing("`in`", "`in`"),
        Rule::kw_present => Thing("`present`", "`present`"),
        Rule::hit_unique
        | Rule::hit_first
        | Rule::hit_any
        | Rule::hit_priority
        | Rule::hit_rule_order
        | Rule::hit_output_order
        | Rule::hit_collect
        | Rule::collect_word => Thing(
            "命中策略（unique、first、any、priority、collect、rule order、output order）",
            "a hit policy (`unique`, `first`, `any`, `priority`, `collect`, `rule order`, `output order`)",
        ),
        Rule::order_word => Thing("`order`", "`order`"),
        Rule::aggregate => Thing("汇总方式（sum、min、max、count）", "an aggregate (`sum`, `min`, `max`, `count`)"),
        Rule::record_type => Thing("记录类型 `{ … }`", "a record type `{ … }`"),
        Rule::type_expr | Rule::list_type => {
            Thing("类型（int、money、text、list<…>…）", "a type (`int`, `money`, `text`, `list<…>`…)")
        }
        Rule::optional => Thing("`?`", "`?`"),
        Rule::unit_typo | Rule::typo_lit => {
            Thing("时间单位（days、hours、minutes…）", "a time unit (`days`, `hours`, `minutes`…)")
        }
        Rule::time_unit => Thing("时间单位（days、hours、minutes…）", "a time unit (`days`, `hours`, `minutes`…)"),
        Rule::row
        | Rule::cell
        | Rule::cell_any
        | Rule::cell_cmp
        | Rule::cell_in
        | Rule::cell_not_in
        | Rule::cell_not
        | Rule::otherwise_row => Thing("表格行（条件 => 结果）", "a table row (`condition => result`)"),
        Rule::cell_range | Rule::range_open => {
            Thing("区间（如 [15..30)、(0..1]）", "a range (such as `[15..30)` or `(0..1]`)")
        }
        Rule::range_close => Thing("区间的结尾 `]` 或 `)`", "the end of a range, `]` or `)`"),
        Rule::cell_expr => Expression,
        Rule::cmp_op => Thing("比较符", "a comparison"),
        Rule::file
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::ident_cont
        | Rule::keyword
        | Rule::decl
        | Rule::wf_item
        | Rule::outcome
        | Rule::prefix
        | Rule::postfix
        | Rule::infix
        | Rule::cell_infix
        | Rule::cell_test
        | Rule::table_rows
        | Rule::primary
        | Rule::verb_before_code
        | Rule::date_part => return None,
        Rule::time_lit => Expression,
    })
}

/// Turns a pest error into a diagnostic with words for what was expected. `text` is the
/// whole file and `offset` where the parsed part of it starts.
pub(crate) fn to_diagnostic(error: pest::error::Error<Rule>, text: &str, offset: usize) -> Diagnostic {
    let pos = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let found = found_at(text, pos);
    let span = Span::new(pos, pos + found.len().max(1).min(text.len().saturating_sub(pos).max(1)));
    let mut expected: BTreeSet<Expected> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.iter().filter_map(|r| describe(*r)).collect(),
        ErrorVariant::CustomError { message } => {
            return Diagnostic::error(codes::SYNTAX, msg!("无法解析：{message}", "cannot parse: {message}"))
                .at(Span::new(pos, pos + 1))
                .help(msg!(
                    "策略可能过于庞大或嵌套过深，请拆分",
                    "the policy may be too large or too deeply nested; split it up"
                ));
        }
    };
    // Say the general thing once: "an operator" covers `in` and `not`, "an expression"
    // covers names and texts.
    if expected.contains(&Expected::Operator) {
        expected.retain(|e| {
            !matches!(
                e,
                Expected::Thing("`in`" | "`not`", _) | Expected::Thing(_, "a time unit (`days`, `hours`, `minutes`…)")
            )
        });
    }
    if expected.contains(&Expected::Expression) {
        expected.retain(|e| !matches!(e, Expected::Thing("`not`" | "名称" | "带引号的文本", _)));
    }
    let (found_zh, found_en) = if found.is_empty() {
        ("文件结尾".to_owned(), "the end of the file".to_owned())
    } else {
        (format!("`{found}`"), format!("`{found}`"))
    };
    let (zh, en) = join(&expected);
    let message = if expected.is_empty() {
        msg!("这里不能出现 {found_zh}", "unexpected {found_en}")
    } else {
        msg!("这里应为{zh}，却是 {found_zh}", "expected {en}, found {found_en}")
    };
    let label = Msg::new("解析在这里停止", "parsing stops here");
    let before = text.get(..pos).unwrap_or("");
    Diagnostic::error(codes::SYNTAX, message).at_labelled(span, label).maybe_help(hint(found, before, &expected))
}

fn join(expected: &BTreeSet<Expected>) -> (String, String) {
    let words: Vec<(String, String)> = expected.iter().map(Expected::words).collect();
    let zh = words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join("、");
    let en = match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.1.clone(),
        Some((last, head)) => {
            let head: Vec<&str> = head.iter().map(|w| w.1.as_str()).collect();
            format!("{} or {}", head.join(", "), last.1)
        }
    };
    (zh, en)
}

/// The token at `pos`: a word, or one character, or empty at the end.
fn found_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let word_len: usize = rest
        .char_indices()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    if word_len > 0 {
        return &rest[..word_len];
    }
    rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
}

/// A help line for mistakes we can recognise.
fn hint(found: &str, before: &str, expected: &BTreeSet<Expected>) -> Option<Msg> {
    let full_width = [
        ("，", ","),
        ("：", ":"),
        ("（", "("),
        ("）", ")"),
        ("“", "\""),
        ("”", "\""),
        ("‘", "'"),
        ("’", "'"),
        ("；", ";"),
        ("＝", "="),
        ("【", "["),
        ("】", "]"),
        ("｛", "{"),
        ("｝", "}"),
        ("＜", "<"),
        ("＞", ">"),
        ("％", "%"),
    ];
    if let Some((fw, ascii)) = full_width.iter().find(|(fw, _)| found == *fw) {
        return Some(msg!(
            "这是全角符号 `{fw}`，请改用半角 `{ascii}`（中文只能出现在引号内的文本里）",
            "`{fw}` is a full-width character; write `{ascii}` (Chinese belongs inside quoted texts)"
        ));
    }
    if expected.contains(&Expected::Code) && found.chars().next().is_some_and(char::is_alphabetic) {
        let upper = found.to_uppercase();
        return Some(msg!("代码用大写字母，例如 `{upper}`", "codes are written in capitals, e.g. `{upper}`"));
    }
    if found == "'" {
        return Some(Msg::new(
            "文本用双引号：写成 \"说明\"，不是 '说明'",
            "texts use double quotes: write \"message\", not 'message'",
        ));
    }
    if found == "?" {
        return Some(Msg::new(
            "没有 `a ? b : c`；条件值写成 `if a > 1 then 1 else 2`",
            "there is no `a ? b : c`; write a conditional value as `if a > 1 then 1 else 2`",
        ));
    }
    if found == ";" {
        return Some(Msg::new("不需要分号，换行即可", "no semicolons are needed; start a new line"));
    }
    if expected.contains(&OUTCOME) && (found.is_empty() || super::keywords::starts_declaration(found)) {
        return Some(Msg::new(
            "每条规则在条件之后至少要有一个结果，例如 `reject CODE \"说明\"`",
            "every rule needs at least one outcome after its condition, e.g. `reject CODE \"message\"`",
        ));
    }
    let last_line = before.rsplit('\n').nth(1).unwrap_or("").to_owned() + before.rsplit('\n').next().unwrap_or("");
    if expected.contains(&Expected::Operator) && last_line.contains("=>") {
        return Some(Msg::new(
            "表格的行之间用逗号分隔：`\"a\" => 1,`",
            "separate table rows with commas: `\"a\" => 1,`",
        ));
    }
    None
}
