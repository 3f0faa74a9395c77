//! The language's words, in one table: which are reserved (they cannot name inputs,
//! consts or values) and which start a declaration (error recovery resumes there, the
//! formatter puts them at the left margin, error messages name them). A test holds the
//! table to `grammar/tenet.pest`, so the two cannot drift apart.

/// A word of the language.
struct Word {
    text: &'static str,
    /// Cannot be used as a name.
    reserved: bool,
    /// Starts a top-level declaration.
    declaration: bool,
}

const fn word(text: &'static str, reserved: bool, declaration: bool) -> Word {
    Word { text, reserved, declaration }
}

/// Reserved words first, in the grammar's order; then words that are not reserved but
/// start a declaration (`workflow` may still name a fact).
const WORDS: &[Word] = &[
    word("policy", true, true),
    word("version", false, false),
    word("timezone", true, true),
    word("currency", true, true),
    word("stages", true, true),
    word("input", true, true),
    word("const", true, true),
    word("let", true, true),
    word("output", true, true),
    word("ledger", true, true),
    word("table", true, true),
    word("fn", true, true),
    word("hit", false, false),
    word("rule", true, true),
    word("when", true, false),
    word("reject", false, false),
    word("require", false, false),
    word("deduct", false, false),
    word("credit", false, false),
    word("charge", false, false),
    word("flag", false, false),
    word("emit", false, false),
    word("into", false, false),
    word("and", true, false),
    word("or", true, false),
    word("not", true, false),
    word("in", true, false),
    word("of", true, false),
    word("is", true, false),
    word("missing", true, false),
    word("present", true, false),
    word("if", true, false),
    word("then", true, false),
    word("else", true, false),
    word("true", true, false),
    word("false", true, false),
    word("calendar", true, true),
    word("holidays", false, false),
    word("for", true, true),
    word("each", true, false),
    word("where", true, false),
    word("ensure", true, true),
    word("cap", true, true),
    word("workflow", false, true),
];

/// True for a reserved word.
pub fn is_reserved(text: &str) -> bool {
    WORDS.iter().any(|w| w.reserved && w.text == text)
}

/// True for a word that starts a top-level declaration.
pub fn starts_declaration(text: &str) -> bool {
    WORDS.iter().any(|w| w.declaration && w.text == text)
}

/// The reserved words, in the grammar's order.
#[cfg(test)]
pub fn reserved() -> impl Iterator<Item = &'static str> {
    WORDS.iter().filter(|w| w.reserved).map(|w| w.text)
}

/// The words that start a declaration.
#[cfg(test)]
pub fn declarations() -> impl Iterator<Item = &'static str> {
    WORDS.iter().filter(|w| w.declaration).map(|w| w.text)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn grammar() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/tenet.pest")).expect("the grammar")
    }

    /// The body of a grammar rule: `name = … { body }`.
    fn rule_body<'a>(grammar: &'a str, name: &str) -> &'a str {
        let start = grammar.find(&format!("\n{name} ")).expect("the rule is in the grammar");
        let rest = &grammar[start..];
        let open = rest.find('{').expect("a body");
        let close = rest[open..].find("\n}").or_else(|| rest[open..].find('}')).expect("the body ends");
        &rest[open + 1..open + close]
    }

    fn names(body: &str) -> Vec<&str> {
        body.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
    }

    #[test]
    fn the_reserved_words_are_the_grammars_keyword_rule() {
        let grammar = grammar();
        let from_grammar: BTreeSet<&str> =
            names(rule_body(&grammar, "keyword")).into_iter().filter_map(|k| k.strip_prefix("kw_")).collect();
        let table: BTreeSet<&str> = reserved().collect();
        assert_eq!(table, from_grammar);
    }

    #[test]
    fn the_declaration_words_are_how_the_grammars_declarations_start() {
        let grammar = grammar();
        let mut from_grammar = BTreeSet::new();
        for decl in names(rule_body(&grammar, "decl")) {
            let mut first = names(rule_body(&grammar, decl)).into_iter().next().expect("a first part");
            // A table's head is a rule of its own (plain rows are read after it).
            if first == "table_head" {
                first = names(rule_body(&grammar, first)).into_iter().next().expect("a first part");
            }
            let word = match first {
                "for_clause" => "for",
                kw => kw.strip_prefix("kw_").expect("a declaration starts with a keyword"),
            };
            from_grammar.insert(word);
        }
        let table: BTreeSet<&str> = declarations().collect();
        assert_eq!(table, from_grammar);
    }
}
