//! Limits checked before pest sees the text, so that hostile input gets a diagnostic
//! instead of exhausting the parser's stack.

use crate::diagnostics::Diagnostic;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::source::Span;

/// Deepest nesting of `(`, `[`, `{` and string interpolations a policy may use.
pub const MAX_NESTING: usize = 64;

/// Deepest expression tree (operators and calls included) a policy may build.
pub const MAX_EXPR_DEPTH: usize = 128;

/// Largest policy file, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;

/// Parser steps (pest's call limit) one policy file may take. The bundled return policy
/// takes about 109 000 (6.5 per byte); dense expressions take about 47 per byte, so a
/// megabyte of them reaches the limit long before a real policy would.
pub const MAX_PARSER_CALLS: usize = 50_000_000;

static PARSER_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(MAX_PARSER_CALLS);

/// The parser step limit in force (pest's limit is process-wide, so it is set before
/// every parse).
pub fn parser_calls() -> usize {
    PARSER_CALLS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Changes the parser step limit for the whole process (for embedding applications and
/// the limit's own test).
pub fn set_parser_calls(limit: usize) {
    PARSER_CALLS.store(limit.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// The diagnostic for a parse stopped by pest's call or stack limit.
pub fn parser_limit(kind: &str) -> Diagnostic {
    let limit = parser_calls();
    Diagnostic::error(
        codes::PARSER_LIMIT,
        msg!(
            "策略过于复杂，解析在 {limit} 步后停止（{kind}）",
            "the policy is too complex to parse: stopped after {limit} steps ({kind})"
        ),
    )
    .help(msg!(
        "把很长的表达式拆成几个 let，或把策略拆成几个文件",
        "split very long expressions into several `let`s, or the policy into several files"
    ))
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Code,
    Text,
}

/// Scans brackets, strings and comments; reports the first place nesting exceeds
/// [`MAX_NESTING`] and every string left open at the end of its line.
pub fn scan(text: &str) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // Each open bracket remembers the mode to return to when it closes; `{` inside a
    // string opens an interpolation, which returns to the string.
    let mut stack: Vec<Mode> = Vec::new();
    let mut mode = Mode::Code;
    let mut string_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match mode {
            Mode::Code => match c {
                '#' => {
                    while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                        chars.next();
                    }
                }
                '"' => {
                    mode = Mode::Text;
                    string_start = i;
                }
                '(' | '[' | '{' => {
                    stack.push(Mode::Code);
                    if stack.len() > MAX_NESTING {
                        diags.push(too_deep(i));
                        return diags;
                    }
                }
                ')' | ']' | '}' => {
                    if let Some(back) = stack.pop() {
                        mode = back;
                    }
                }
                _ => {}
            },
            Mode::Text => match c {
                '\\' => {
                    chars.next();
                }
                '"' => mode = Mode::Code,
                '{' if chars.peek().is_some_and(|&(_, c)| c == '{') => {
                    chars.next();
                }
                '}' if chars.peek().is_some_and(|&(_, c)| c == '}') => {
                    chars.next();
                }
                '{' => {
                    stack.push(Mode::Text);
                    mode = Mode::Code;
                    if stack.len() > MAX_NESTING {
                        diags.push(too_deep(i));
                        return diags;
                    }
                }
                '\n' => {
                    diags.push(unterminated(string_start, i));
                    // Resume as code on the next line, unwinding any interpolation.
                    mode = Mode::Code;
                    stack.retain(|m| *m == Mode::Code);
                }
                _ => {}
            },
        }
    }
    if mode == Mode::Text {
        diags.push(unterminated(string_start, text.len()));
    }
    diags
}

fn too_deep(at: usize) -> Diagnostic {
    Diagnostic::error(
        codes::NESTING_TOO_DEEP,
        msg!("括号或插值嵌套超过 {MAX_NESTING} 层", "brackets or interpolations nest deeper than {MAX_NESTING} levels"),
    )
    .at_labelled(Span::new(at, at + 1), msg!("这里超过了上限", "the limit is passed here"))
    .help(msg!("用 let 把内层的部分拆成有名字的值", "split the inner part into named values with `let`"))
}

fn unterminated(start: usize, end: usize) -> Diagnostic {
    Diagnostic::error(codes::UNTERMINATED_TEXT, msg!("文本没有结束引号", "this text has no closing quote"))
        .at_labelled(Span::new(start, end), msg!("从这里开始的文本", "the text that starts here"))
        .help(msg!(
            "在同一行末尾补上 `\"`；文本不能跨行，需要换行时写 `\\n`",
            "add `\"` before the end of the line; texts cannot span lines, write `\\n` for a line break"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_passes() {
        assert!(scan("rule \"a {b}\" when (x) reject A \"{{literal}}\" # (((").is_empty());
    }

    #[test]
    fn deep_brackets_are_reported_once() {
        let text = "(".repeat(MAX_NESTING + 10);
        let diags = scan(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "nesting-too-deep");
        assert_eq!(diags[0].primary.as_ref().map(|l| l.span.start), Some(MAX_NESTING));
    }

    #[test]
    fn open_string_is_reported_at_its_start() {
        let diags = scan("const a = \"abc\nconst b = 1");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "unterminated-text");
        assert_eq!(diags[0].primary.as_ref().map(|l| l.span), Some(Span::new(10, 14)));
    }
}
