//! Text bound for a terminal, made safe: facts, data and policies may hold control
//! characters (an escape sequence that moves the cursor, retitles the window or writes
//! the clipboard; a carriage return that overwrites a line; a bidirectional override
//! that shows code other than it is), and none of them may act on a reader's terminal.

use std::borrow::Cow;

/// `text` with every control character except newline and tab, DEL, the C1 controls
/// and the bidirectional overrides written as `\uXXXX` — visible to a person, and the
/// same character to a JSON reader, so the function is safe on JSON output too. The
/// colour sequences tenet itself writes (`ESC [ 0 m`, `ESC [ 1 ; 31 m`, …) are kept; they
/// can only colour text.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && let Some(len) = colour(rest)
        {
            out.push_str(rest.get(..len).unwrap_or_default());
            rest = rest.get(len..).unwrap_or_default();
            continue;
        }
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    Cow::Owned(out)
}

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The length of one of tenet's own colour sequences at the start of `text`.
fn colour(text: &str) -> Option<usize> {
    const OURS: [&str; 9] = ["0", "1", "2", "1;31", "1;32", "1;33", "1;34", "31", "32"];
    let body = text.strip_prefix("\u{1b}[")?;
    let end = body.find('m')?;
    OURS.contains(&body.get(..end)?).then_some(end + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("退货 ok\n\tnext"), "退货 ok\n\tnext");
        assert_eq!(printable("a\u{1b}]0;pwned\u{7}b"), "a\\u001b]0;pwned\\u0007b");
        assert_eq!(printable("a\rb\u{7f}\u{9b}c"), "a\\u000db\\u007f\\u009bc");
        assert_eq!(printable("x\u{202e}y"), "x\\u202ey");
        assert_eq!(printable("\u{1b}[1;31merror\u{1b}[0m"), "\u{1b}[1;31merror\u{1b}[0m", "our colours stay");
        assert_eq!(printable("\u{1b}[2J"), "\\u001b[2J", "clearing the screen is not a colour");
        // The escaped form reads back as the same text in JSON.
        let json = printable("{\"t\": \"a\u{202e}b\u{7f}\"}");
        let back: serde_json::Value = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(back["t"], "a\u{202e}b\u{7f}");
    }
}
