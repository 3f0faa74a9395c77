//! Padding text to a column in a terminal table: widths come from `unicode-width`, so
//! CJK characters take two columns, combining marks none, and emoji two.

use unicode_width::UnicodeWidthStr;

/// How many columns `s` takes.
pub(crate) fn columns(s: &str) -> usize {
    s.width()
}

/// `s` followed by spaces up to `width` columns (nothing added when it is wider).
pub(crate) fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(columns(s))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_as_a_terminal_shows_them() {
        assert_eq!(columns("total"), 5);
        assert_eq!(columns("未封顶合计 uncapped"), 19);
        assert_eq!(columns("（不足）"), 8);
        assert_eq!(columns("e\u{301}"), 1, "a combining accent takes no column of its own");
        assert_eq!(columns("📦"), 2, "an emoji takes two");
        assert_eq!(pad("上限 cap", 10), "上限 cap  ");
        assert_eq!(pad("longer than", 4), "longer than");
    }
}
