//! The pest parser generated from `grammar/tenet.pest`. Only `syntax` sees its types.

use pest_derive::Parser;

/// Parser for the tenet language.
#[derive(Parser)]
#[grammar = "../grammar/tenet.pest"]
pub(crate) struct TenetParser;

/// The keywords that start a declaration.
pub(crate) fn is_declaration_keyword(rule: Rule) -> bool {
    matches!(
        rule,
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
            | Rule::kw_rule
            | Rule::kw_cap
            | Rule::kw_calendar
            | Rule::kw_ensure
    )
}
