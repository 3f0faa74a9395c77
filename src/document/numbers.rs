//! Unquoted numbers a binary float cannot keep. JSON and YAML parsers hand over a float,
//! which no longer says how the number was written (`100.000000000000001` arrives as
//! 100); the text does. A number written with more than [`FLOAT_DIGITS`] significant
//! digits and a fraction or exponent is refused where it stands, so it is quoted
//! (and read exactly) or shortened — never silently rounded.

use super::{Format, Raw};

/// Significant digits every binary float keeps exactly.
pub const FLOAT_DIGITS: usize = 15;

/// The first unquoted number in `text` that `raw` holds as a float and that a float cannot
/// keep: its byte offset and length. Scans only when `raw` holds a float at all.
pub(super) fn first_inexact(text: &str, format: Format, raw: &Raw) -> Option<(usize, usize)> {
    let mut floats = Vec::new();
    collect_floats(raw, &mut floats);
    if floats.is_empty() {
        return None;
    }
    long_number_tokens(text, format).into_iter().find(|&(at, len)| {
        let token = text.get(at..at + len).unwrap_or_default();
        token.parse::<f64>().is_ok_and(|f| floats.contains(&f))
    })
}

/// Whether `text` has an unquoted number a float cannot keep.
pub fn has_long_numbers(text: &str, format: Format) -> bool {
    !long_number_tokens(text, format).is_empty()
}

fn collect_floats(raw: &Raw, out: &mut Vec<f64>) {
    match raw {
        Raw::Float(f) => out.push(*f),
        Raw::Seq(items) => items.iter().for_each(|i| collect_floats(i, out)),
        Raw::Map(entries) => entries.iter().for_each(|(k, v)| {
            collect_floats(k, out);
            collect_floats(v, out);
        }),
        _ => {}
    }
}

/// Number-shaped tokens outside quoted strings and comments with a fraction or an
/// exponent and more than [`FLOAT_DIGITS`] significant digits.
fn long_number_tokens(text: &str, format: Format) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let boundary = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
    while let Some(&b) = bytes.get(i) {
        let before = if i == 0 { b' ' } else { bytes.get(i - 1).copied().unwrap_or(b' ') };
        match b {
            b'"' => i = skip_quoted(bytes, i + 1, b'"'),
            b'\'' if format == Format::Yaml && boundary(before) => i = skip_quoted(bytes, i + 1, b'\''),
            b'#' if format == Format::Yaml && before.is_ascii_whitespace() => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' if boundary(before) => {
                let start = i;
                let mut end = i;
                while bytes
                    .get(end)
                    .is_some_and(|&c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    end += 1;
                }
                let token = text.get(start..end).unwrap_or_default();
                let ends = bytes.get(end).is_none_or(|&c| boundary(c));
                if ends
                    && token.bytes().any(|c| c.is_ascii_digit())
                    && token.contains(['.', 'e', 'E'])
                    && significant_digits(token) > FLOAT_DIGITS
                {
                    found.push((start, end - start));
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    found
}

/// The index after the closing `quote` (a backslash escapes in double quotes, `''` in
/// single ones).
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' && quote == b'"' {
            i += 2;
        } else if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// Significant digits of a number as written (`0.0012300` has 3; `1.5e3` has 2): what an
/// unquoted number in JSON or YAML may carry before a binary float loses some (15).
pub fn significant_digits(token: &str) -> usize {
    let mantissa = token.split(['e', 'E']).next().unwrap_or(token);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    let digits = if mantissa.contains('.') { digits.trim_end_matches('0') } else { digits };
    digits.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, format: Format) -> Vec<&str> {
        long_number_tokens(text, format).into_iter().map(|(at, len)| &text[at..at + len]).collect()
    }

    #[test]
    fn long_unquoted_numbers_are_found_and_quoted_ones_are_not() {
        let json =
            r#"{"a": 100.000000000000001, "b": "100.000000000000001", "c": 129.99, "d": [1.23456789012345678e5]}"#;
        assert_eq!(found(json, Format::Json), ["100.000000000000001", "1.23456789012345678e5"]);
        let yaml = "a: 100.000000000000001\nb: '100.000000000000001'\nc: \"3.14159265358979323846\"\n# 2.718281828459045235\nd: pi is 3.14159265358979323846\ne: [1, 0.1000000000000000055511]\n";
        assert_eq!(
            found(yaml, Format::Yaml),
            ["100.000000000000001", "3.14159265358979323846", "0.1000000000000000055511"]
        );
        // Integers are read exactly; they are not floats.
        assert!(found("{\"n\": 12345678901234567890}", Format::Json).is_empty());
    }

    #[test]
    fn significant_digits_as_written() {
        assert_eq!(significant_digits("100.000000000000001"), 18);
        assert_eq!(significant_digits("0.0012300"), 3);
        assert_eq!(significant_digits("-1.5e300"), 2);
        assert_eq!(significant_digits("1200"), 4);
        assert_eq!(significant_digits("129.99"), 5);
    }
}
