//! The pest parser generated from `grammar/tenet.pest`. Only `syntax` sees its types.

use pest_derive::Parser;

/// Parser for the tenet language.
#[derive(Parser)]
#[grammar = "../grammar/tenet.pest"]
pub(crate) struct TenetParser;
