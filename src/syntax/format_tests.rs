//! `tenet fmt`: one layout, idempotent, comment-preserving, and never changing what a
//! policy says — for every policy in the repository and for generated variations.

use crate::source::SourceFile;
use crate::syntax::{self, dump, format::format};
use proptest::prelude::*;

/// The tree of a policy, without positions.
fn tree(text: &str) -> String {
    let parsed = syntax::parse(&SourceFile::new("x.tenet", text.to_owned()));
    dump::file(&parsed.file)
}

fn parses(text: &str) -> bool {
    let parsed = syntax::parse(&SourceFile::new("x.tenet", text.to_owned()));
    !parsed.incomplete && !parsed.diagnostics.iter().any(|d| d.is_error())
}

/// Every policy file in the repository that parses.
fn corpus() -> Vec<(String, String)> {
    let root = crate::test_support::root();
    let mut files = Vec::new();
    for dir in ["rules", "tests/check-inputs", "tests/parser-inputs", "tests/format-inputs"] {
        files.extend(crate::test_support::files(&root.join(dir), "tenet"));
    }
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable")))
        .filter(|(_, t)| parses(t))
        .collect()
}

/// Where the comment scanner is: in a text, or in the code of an interpolation with its
/// own open braces.
enum Frame {
    Text,
    Code(usize),
}

/// The comments of a policy, in order, as written: `#` to the end of the line, outside
/// texts — also in texts nested in interpolations (`"{"#"}"` holds no comment). Written
/// here, apart from the formatter, so the two cannot share a mistake.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match stack.last_mut() {
            Some(Frame::Text) => match c {
                '\\' => {
                    chars.next();
                }
                '{' | '}' if chars.peek() == Some(&c) => {
                    chars.next();
                }
                '{' => stack.push(Frame::Code(0)),
                '"' | '\n' => {
                    stack.pop();
                }
                _ => {}
            },
            frame => match c {
                '"' => stack.push(Frame::Text),
                '{' => {
                    if let Some(Frame::Code(depth)) = frame {
                        *depth += 1;
                    }
                }
                '}' => match frame {
                    Some(Frame::Code(0)) => {
                        stack.pop();
                    }
                    Some(Frame::Code(depth)) => *depth -= 1,
                    _ => {}
                },
                '#' => {
                    let mut comment = String::from("#");
                    while let Some(&next) = chars.peek() {
                        if next == '\n' {
                            break;
                        }
                        comment.push(next);
                        chars.next();
                    }
                    out.push(comment.trim_end().to_owned());
                }
                _ => {}
            },
        }
    }
    out
}

#[test]
fn texts_inside_interpolations_are_not_comments() {
    let text = "policy p version \"1\"\ninput { a: int }\noutput o = \"{\"#\"}\"   # c\noutput q = \"{ {b: \"}}#\"}.b }{a}\"\n";
    let file = std::sync::Arc::new(crate::source::SourceFile::new("t.tenet", text));
    let formatted = super::format::format_checked(&file).expect("formats");
    assert_eq!(
        formatted,
        "policy p version \"1\"\ninput { a: int }\noutput o = \"{\"#\"}\"  # c\noutput q = \"{ {b: \"}}#\"}.b }{a}\"\n"
    );
}

#[test]
fn the_comment_scanner_knows_texts() {
    assert_eq!(comments("const a = \"#x\" # one\n# two\n"), ["# one", "# two"]);
    assert_eq!(comments("output o = \"{\"#\"}\" # real\n"), ["# real"]);
    assert_eq!(comments("const t = \"{ {a: 1}.a } \\\" #\" # c\n"), ["# c"]);
}

#[test]
fn every_policy_in_the_repository_keeps_its_meaning_and_formats_once() {
    let files = corpus();
    assert!(files.len() >= 25, "the corpus has {} files", files.len());
    for (name, text) in files {
        let once = format(&text);
        assert_eq!(tree(&once), tree(&text), "{name}: formatting changed the tree");
        assert_eq!(format(&once), once, "{name}: formatting is not idempotent");
        assert_eq!(comments(&once), comments(&text), "{name}: the comments changed");
    }
}

#[test]
fn the_bundled_policies_are_formatted() {
    for path in crate::test_support::files(&crate::test_support::root().join("rules"), "tenet") {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(format(&text), text, "{} is not formatted: run `tenet fmt`", path.display());
    }
}

#[test]
fn a_messy_policy() {
    let text =
        std::fs::read_to_string(crate::test_support::root().join("tests/format-inputs/messy.tenet")).expect("input");
    insta::with_settings!({ description => text.clone(), omit_expression => true }, {
        insta::assert_snapshot!(format(&text));
    });
}

/// Rewrites the blanks of a policy at random: every run of spaces outside strings and
/// comments becomes 1–4 spaces or a tab, lines get random indentation and trailing
/// blanks, and each blank line becomes one to three. Where lines break, and everything
/// else, stays.
fn perturb(text: &str, seeds: &[u8]) -> String {
    let mut out = String::new();
    let mut k = 0usize;
    let mut next = || {
        k += 1;
        seeds[k % seeds.len()]
    };
    for line in text.lines() {
        let body = line.trim_start();
        out.push_str(&" ".repeat(usize::from(next() % 7)));
        let mut in_string = false;
        let mut in_comment = false;
        let mut prev = '\0';
        for c in body.chars() {
            if !in_comment && c == '"' && prev != '\\' {
                in_string = !in_string;
            }
            if !in_string && c == '#' {
                in_comment = true;
            }
            if c == ' ' && !in_string && !in_comment {
                match next() % 4 {
                    0 => out.push('\t'),
                    n => out.push_str(&" ".repeat(usize::from(n))),
                }
            } else {
                out.push(c);
            }
            prev = c;
        }
        out.push_str(&" ".repeat(usize::from(next() % 3)));
        out.push('\n');
        if body.is_empty() {
            for _ in 0..next() % 3 {
                out.push_str(&" ".repeat(usize::from(next() % 3)));
                out.push('\n');
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn blanks_do_not_matter(seeds in proptest::collection::vec(any::<u8>(), 1..64), pick in any::<prop::sample::Index>()) {
        let files = corpus();
        let (name, text) = &files[pick.index(files.len())];
        let varied = perturb(text, &seeds);
        prop_assert_eq!(tree(&varied), tree(text), "{}: the perturbation itself changed the tree", name);
        let formatted = format(&varied);
        prop_assert_eq!(&formatted, &format(text), "{}: the layout depends on the blanks", name);
        prop_assert_eq!(tree(&formatted), tree(text));
        prop_assert_eq!(format(&formatted), formatted.clone());
    }
}

/// Policies generated from the grammar: consts, values and rules with nested
/// expressions, messages, comments and line breaks where an author might put them.
mod generated {
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["order", "total", "quantity", "limit", "rate", "item", "price"])
            .prop_map(str::to_owned)
    }

    fn leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..1000).prop_map(|n| n.to_string()),
            (1u32..99).prop_map(|n| format!("{n}%")),
            (1u32..30).prop_map(|n| format!("{n} days")),
            name(),
            (name(), name()).prop_map(|(a, b)| format!("{a}.{b}")),
            prop::sample::select(vec![
                "\"web\"",
                "\"门店\"",
                "\"a {limit} b\"",
                "true",
                "missing",
                // Texts whose interpolations hold texts, `#`, quotes and braces.
                "\"{\"#\"}\"",
                "\"x{\"{{\"}y#z\"",
                "\"{ {a: \"}}\"}.a } \\\" #\"",
                "\"{{#}} {limit}\"",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn expr() -> impl Strategy<Value = String> {
        leaf().prop_recursive(4, 24, 3, |inner| {
            let op = prop::sample::select(vec!["+", "-", "*", "/", "of", "==", "!=", "<", ">=", "and", "or"]);
            prop_oneof![
                (inner.clone(), op, inner.clone(), any::<bool>()).prop_map(|(a, o, b, br)| if br {
                    format!("{a}\n    {o} {b}")
                } else {
                    format!("{a} {o} {b}")
                }),
                inner.clone().prop_map(|e| format!("({e})")),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("if {c} then {a} else {b}")),
                (name(), prop::collection::vec(inner.clone(), 1..3))
                    .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
                prop::collection::vec(inner, 0..3).prop_map(|items| format!("[{}]", items.join(", "))),
            ]
        })
    }

    fn comment() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "", "  # 说明", " # note: keep", "\t# 上限（含）"]).prop_map(str::to_owned)
    }

    fn decl() -> impl Strategy<Value = String> {
        prop_oneof![
            (name(), expr(), comment()).prop_map(|(n, e, c)| format!("const {n}_c = {e}{c}")),
            (name(), expr(), comment()).prop_map(|(n, e, c)| format!("let {n}_v = {e}{c}")),
            (name(), expr(), any::<bool>(), comment()).prop_map(|(n, e, nl, c)| {
                let sep = if nl { "\n  " } else { " " };
                format!(
                    "rule \"{n} 规则\"{sep}when {e}{c}\n  flag CODE_{}\n    \"消息 {{limit}}\" en \"message\"",
                    n.to_uppercase()
                )
            }),
            (name(), prop::collection::vec((leaf(), leaf(), comment()), 1..4)).prop_map(|(n, rows)| {
                let rows: Vec<String> = rows.iter().map(|(a, b, c)| format!("  {a} => {b},{c}")).collect();
                format!("table {n}_t(x: int) -> int hit first {{\n{}\n}}", rows.join("\n"))
            }),
        ]
    }

    pub fn policy() -> impl Strategy<Value = String> {
        prop::collection::vec((decl(), any::<bool>()), 1..8).prop_map(|decls| {
            let mut text = String::from("# generated\npolicy generated version \"1\"\n");
            for (d, blank) in decls {
                if blank {
                    text.push('\n');
                }
                text.push_str(&d);
                text.push('\n');
            }
            text
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_policies_keep_their_tree(text in generated::policy(), seeds in proptest::collection::vec(any::<u8>(), 1..16)) {
        // Only policies that parse say anything about the formatter.
        prop_assume!(parses(&text));
        let formatted = format(&text);
        prop_assert_eq!(tree(&formatted), tree(&text), "formatting changed the tree of\n{}", text);
        prop_assert_eq!(format(&formatted), formatted.clone(), "not idempotent on\n{}", text);
        prop_assert_eq!(format(&perturb(&text, &seeds)), formatted, "the layout depends on the blanks of\n{}", text);
    }
}

#[test]
fn operators_get_one_space_each_side() {
    let text = "policy p version \"1\"\ninput { a: int, b: int, xs: list<int>, d: date }\n\
const k=2\nlet t=a>b\noutput o=a+b*2\noutput n=-a- -b\noutput e=a>=b and b!=2 or a<b\n\
output w=d-1 day\noutput l=xs\ntable tier(x: text)->int {\n  \"basic\"=>1,\n  \"premium\"  =>  2,\n}\n";
    let file = std::sync::Arc::new(crate::source::SourceFile::new("t.tenet", text));
    let formatted = super::format::format_checked(&file).expect("formats");
    assert_eq!(
        formatted,
        "policy p version \"1\"\ninput { a: int, b: int, xs: list<int>, d: date }\n\
const k = 2\nlet t = a > b\noutput o = a + b * 2\noutput n = -a - -b\noutput e = a >= b and b != 2 or a < b\n\
output w = d - 1 day\noutput l = xs\ntable tier(x: text) -> int {\n  \"basic\"   => 1,\n  \"premium\" => 2,\n}\n"
    );
}

/// Removes the blank on each side of an operator-like token standing between two blanks,
/// outside strings and comments (`a = b + 1` → `a=b+1`), written apart from the
/// formatter's parser-driven spacing.
fn squeeze(text: &str) -> String {
    const TOKENS: [&str; 12] = ["=>", "->", "==", "!=", "<=", ">=", "=", "+", "*", "/", "<", ">"];
    let mut out = String::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut i = 0;
        let mut prev = '\0';
        while let Some(rest) = line.get(i..) {
            let Some(c) = rest.chars().next() else { break };
            if !in_string && c == '#' {
                out.push_str(rest);
                break;
            }
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            }
            let spaced = |t: &&&str| {
                rest.strip_prefix(' ')
                    .and_then(|r| r.strip_prefix(**t))
                    .is_some_and(|r| r.starts_with(' ') && !r.trim().is_empty())
            };
            if !in_string
                && !line[..i].trim().is_empty()
                && let Some(token) = TOKENS.iter().find(spaced)
            {
                out.push_str(token);
                i += token.len() + 2;
                prev = ' ';
                continue;
            }
            out.push(c);
            prev = c;
            i += c.len_utf8();
        }
        out.push('\n');
    }
    out
}

#[test]
fn spacing_around_operators_does_not_depend_on_the_author() {
    let mut squeezed_files = 0;
    for (name, text) in corpus() {
        let squeezed = squeeze(&text);
        if tree(&squeezed) != tree(&text) {
            continue; // the squeeze joined two tokens into one; not a layout question
        }
        squeezed_files += 1;
        assert_eq!(format(&squeezed), format(&text), "{name}: the spacing of operators depends on the author");
    }
    assert!(squeezed_files >= 20, "only {squeezed_files} files could be squeezed");
}
