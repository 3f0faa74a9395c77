//! Decimal numbers read from text exactly, or refused: a digit that would be rounded
//! away is an error the author sees, never a silent change.

use rust_decimal::Decimal;

/// Why a text is not an exact decimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NumberError {
    /// Not a decimal number at all.
    NotANumber,
    /// More digits than a decimal holds exactly (28 after the point, about 28 in all).
    TooManyDigits,
}

/// The decimal `text` spells (`12.5`, `-0.25`, `+3`), only when every digit of it is
/// kept: beyond 28 decimal places or 28–29 significant digits it is refused rather
/// than rounded. Zeros at the end of the fraction do not count (`1.000…0` is 1).
pub fn exact_decimal(text: &str) -> Result<Decimal, NumberError> {
    match Decimal::from_str_exact(text) {
        Ok(d) => Ok(d),
        Err(_) if !text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) => {
            Err(NumberError::NotANumber)
        }
        Err(_) => {
            // Trailing zeros of a fraction change nothing: try without them.
            let trimmed = match text.split_once('.') {
                Some((whole, fraction)) if fraction.ends_with('0') => {
                    let fraction = fraction.trim_end_matches('0');
                    if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") }
                }
                _ => return Err(too_many(text)),
            };
            Decimal::from_str_exact(&trimmed).map_err(|_| too_many(&trimmed))
        }
    }
}

/// The number `text` writes with `grouping` between groups of digits (`""`, `" "`, `","`
/// or `"."`) and `decimal` as its decimal mark (`"."` or `","`, not the grouping one):
/// `number("1234.5")`, `number("1,234.5", ",", ".")`, `number("1.234,5", ".", ",")`. Exact, or `None` — an optional
/// `-`, digits, an optional fraction, nothing else (no spaces around, no exponent).
pub fn from_text(text: &str, grouping: &str, decimal: &str) -> Option<Decimal> {
    if !matches!(grouping, "" | " " | "," | ".") || !matches!(decimal, "." | ",") || grouping == decimal {
        return None;
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match digits.split_once(decimal) {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let whole: String = if grouping.is_empty() { whole.to_owned() } else { whole.replace(grouping, "") };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(&whole) || fraction.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    let plain = match fraction {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    };
    exact_decimal(&plain).ok()
}

/// A percentage's fraction (`12.5` → `0.125`), only when no digit is lost.
pub fn percent_fraction(percent: Decimal) -> Result<Decimal, NumberError> {
    let fraction = percent.checked_div(Decimal::ONE_HUNDRED).ok_or(NumberError::TooManyDigits)?;
    match fraction.checked_mul(Decimal::ONE_HUNDRED) {
        Some(back) if back == percent => Ok(fraction),
        _ => Err(NumberError::TooManyDigits),
    }
}

fn digits(text: &str) -> usize {
    text.bytes().filter(u8::is_ascii_digit).count()
}

fn too_many(text: &str) -> NumberError {
    let sign = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut parts = sign.splitn(2, '.');
    let well_formed = parts.next().is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()))
        && digits(text) > 0;
    if well_formed { NumberError::TooManyDigits } else { NumberError::NotANumber }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_is_exact_or_refused() {
        let ok = |s: &str| exact_decimal(s).map(|d| d.to_string());
        assert_eq!(ok("12.5"), Ok("12.5".into()));
        assert_eq!(ok("+1.50"), Ok("1.50".into()));
        assert_eq!(ok("0.0000000000000000000000000001"), Ok("0.0000000000000000000000000001".into()));
        assert_eq!(ok("1.0000000000000000000000000000000"), Ok("1".into()), "trailing zeros change nothing");
        assert_eq!(ok("0.00000000000000000000000000001"), Err(NumberError::TooManyDigits), "not 0");
        assert_eq!(ok("1.00000000000000000000000000001"), Err(NumberError::TooManyDigits));
        assert_eq!(ok("7922816251426433759354395033.51"), Err(NumberError::TooManyDigits));
        assert_eq!(ok("79228162514264337593543950336"), Err(NumberError::TooManyDigits));
        assert_eq!(ok("twelve"), Err(NumberError::NotANumber));
        assert_eq!(ok("1e5"), Err(NumberError::NotANumber));
        assert_eq!(ok(""), Err(NumberError::NotANumber));
        assert_eq!(ok("1.2.3"), Err(NumberError::NotANumber));
    }

    #[test]
    fn a_percentage_keeps_every_digit_or_is_refused() {
        let d = |s: &str| exact_decimal(s).expect("a decimal");
        assert_eq!(percent_fraction(d("12.5")), Ok(d("0.125")));
        assert_eq!(percent_fraction(d("0.0000000000000000000000000001")), Err(NumberError::TooManyDigits));
    }
}
