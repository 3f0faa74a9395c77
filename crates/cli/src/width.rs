//! Display columns of text in a terminal or a fixed-width file: CJK and full-width
//! characters take two, so tables that mix Chinese and English labels stay aligned.

/// How many columns `s` takes.
pub(crate) fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
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
    fn chinese_takes_two_columns() {
        assert_eq!(columns("total"), 5);
        assert_eq!(columns("未封顶合计 uncapped"), 19);
        assert_eq!(columns("（不足）"), 8);
        assert_eq!(pad("上限 cap", 10), "上限 cap  ");
        assert_eq!(pad("longer than", 4), "longer than");
    }
}
