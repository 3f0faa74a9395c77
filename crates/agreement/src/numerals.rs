//! Numbers as contracts write them: Chinese capital numerals for money (大写金额),
//! thousands separators, Chinese ordinals for clause numbers, dates per language.
//!
//! Capital amounts follow the People's Bank of China rules for filling in bills
//! (《正确填写票据和结算凭证的基本规定》): `壹拾` keeps its `壹`; one `零` stands for a run
//! of zeros between digits; `整` closes an amount that ends at 元 or 角, never one
//! with 分; where the 元 digit is 0 and 角 is not, the optional `零` is left out
//! (`壹仟陆佰捌拾元叁角贰分`); an amount under one yuan starts at its first non-zero unit
//! (`人民币伍分`).

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
const SECTIONS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// Why an amount cannot be written in capitals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumeralError {
    /// Beyond 亿亿 (10^20 yuan).
    #[error("金额过大，无法写成大写 · the amount is too large to write in capitals")]
    TooLarge,
}

/// A currency an agreement can be written in: its amounts take two decimals, so the
/// capital numerals (元、角、分) write them as they write renminbi.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 code: `CNY`.
    pub code: &'static str,
    /// Its Chinese name, which opens the capital amount: `人民币`.
    pub zh: &'static str,
    /// Its symbol before the figures: `¥`.
    pub symbol: &'static str,
}

/// The currencies the renderer writes; any other is refused by the data checks.
pub const CURRENCIES: &[Currency] = &[
    Currency { code: "CNY", zh: "人民币", symbol: "¥" },
    Currency { code: "USD", zh: "美元", symbol: "US$" },
    Currency { code: "EUR", zh: "欧元", symbol: "€" },
    Currency { code: "HKD", zh: "港币", symbol: "HK$" },
];

/// The currency with this code.
pub fn currency(code: &str) -> Option<Currency> {
    CURRENCIES.iter().copied().find(|c| c.code == code)
}

/// `美元伍万元整` for 50000 US dollars: as [`rmb_capital`], under the currency's name.
pub fn capital_in(amount: Decimal, currency: Currency) -> Result<String, NumeralError> {
    let rmb = rmb_capital(amount)?;
    Ok(format!("{}{}", currency.zh, rmb.strip_prefix("人民币").unwrap_or(&rmb)))
}

/// `人民币伍万元整` for 50000; the amount is first rounded half-up to the fen.
#[expect(
    clippy::indexing_slicing,
    reason = "the indices are decimal digits (`% 10`, `/ 10` of a number below 100) or positions below the table's length, as the arithmetic beside each shows"
)]
pub fn rmb_capital(amount: Decimal) -> Result<String, NumeralError> {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let fen_total = rounded.abs().checked_mul(Decimal::ONE_HUNDRED).ok_or(NumeralError::TooLarge)?.trunc();
    let fen_total: u128 = fen_total.try_into().map_err(|_| NumeralError::TooLarge)?;
    let yuan = fen_total / 100;
    let jiao = usize::try_from(fen_total / 10 % 10).unwrap_or(0);
    let fen = usize::try_from(fen_total % 10).unwrap_or(0);
    let mut out = String::from("人民币");
    if negative {
        out.push('负');
    }
    if yuan == 0 && jiao == 0 && fen == 0 {
        out.push_str("零元整");
        return Ok(out);
    }
    if yuan > 0 {
        out.push_str(&integer_capital(yuan)?);
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    Ok(out)
}

/// A positive whole number in capitals: `壹万贰仟叁佰肆拾伍`, `壹仟零壹`, `贰亿零叁拾万`.
#[expect(
    clippy::indexing_slicing,
    reason = "the indices are decimal digits (`% 10`, `/ 10` of a number below 100) or positions below the table's length, as the arithmetic beside each shows"
)]
fn integer_capital(n: u128) -> Result<String, NumeralError> {
    let mut sections = Vec::new();
    let mut rest = n;
    while rest > 0 {
        sections.push(usize::try_from(rest % 10_000).unwrap_or(0));
        rest /= 10_000;
    }
    if sections.len() > SECTIONS.len() {
        return Err(NumeralError::TooLarge);
    }
    let mut out = String::new();
    let mut gap = false;
    for (i, &section) in sections.iter().enumerate().rev() {
        if section == 0 {
            gap = !out.is_empty();
            continue;
        }
        // A zero section, or a section without its thousands, after higher digits.
        if !out.is_empty() && (gap || section < 1000) {
            out.push('零');
        }
        out.push_str(&section_capital(section));
        out.push_str(SECTIONS[i]);
        gap = false;
    }
    Ok(out)
}

/// One to 9999 in capitals, with one `零` for each run of inner zeros.
#[expect(
    clippy::indexing_slicing,
    reason = "the indices are decimal digits (`% 10`, `/ 10` of a number below 100) or positions below the table's length, as the arithmetic beside each shows"
)]
fn section_capital(section: usize) -> String {
    let digits = [section / 1000, section / 100 % 10, section / 10 % 10, section % 10];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[d]);
        out.push_str(PLACES[3 - i]);
    }
    out
}

/// `50,000.00`: two decimal places, a comma every three digits.
pub fn thousands(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.2}", rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
    format!("{sign}{grouped}.{fraction}")
}

/// `一` … `九十九`: the Chinese numeral of a clause or item number.
#[expect(
    clippy::indexing_slicing,
    reason = "the indices are decimal digits (`% 10`, `/ 10` of a number below 100) or positions below the table's length, as the arithmetic beside each shows"
)]
pub fn chinese_number(n: u32) -> String {
    const SMALL: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => SMALL[n as usize].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { SMALL[(n % 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            SMALL[(n / 10) as usize],
            if n.is_multiple_of(10) { "" } else { SMALL[(n % 10) as usize] }
        ),
        _ => n.to_string(),
    }
}

/// `第四条`: a clause's ordinal.
pub fn clause_ordinal(n: u32) -> String {
    format!("第{}条", chinese_number(n))
}

/// `2026年1月1日`.
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `1 January 2026`.
pub fn date_en(d: NaiveDate) -> String {
    // chrono names the months: `d.month()` is 1 to 12, so the conversion cannot fail.
    let month = u8::try_from(d.month()).ok().and_then(|m| chrono::Month::try_from(m).ok()).map_or("", |m| m.name());
    format!("{} {month} {}", d.day(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(text: &str) -> String {
        rmb_capital(text.parse().expect("a decimal")).expect("writable")
    }

    #[test]
    fn capital_amounts_from_the_issue() {
        assert_eq!(cap("0"), "人民币零元整");
        assert_eq!(cap("0.05"), "人民币伍分");
        assert_eq!(cap("10.00"), "人民币壹拾元整");
        assert_eq!(cap("100000000.00"), "人民币壹亿元整");
        assert_eq!(cap("1001.01"), "人民币壹仟零壹元零壹分");
        assert_eq!(cap("50000"), "人民币伍万元整");
        assert_eq!(cap("12345.67"), "人民币壹万贰仟叁佰肆拾伍元陆角柒分");
    }

    #[test]
    fn zeros_inside_and_between_sections() {
        assert_eq!(cap("100010"), "人民币壹拾万零壹拾元整");
        assert_eq!(cap("200300000"), "人民币贰亿零叁拾万元整");
        assert_eq!(cap("1000000001"), "人民币壹拾亿零壹元整");
        assert_eq!(cap("100000"), "人民币壹拾万元整");
        assert_eq!(cap("10005"), "人民币壹万零伍元整");
        assert_eq!(cap("1680.32"), "人民币壹仟陆佰捌拾元叁角贰分");
        assert_eq!(cap("1000000.50"), "人民币壹佰万元伍角整");
        assert_eq!(cap("0.50"), "人民币伍角整");
        assert_eq!(cap("0.35"), "人民币叁角伍分");
        assert_eq!(cap("107000.53"), "人民币壹拾万柒仟元伍角叁分");
    }

    #[test]
    fn rounding_and_limits() {
        assert_eq!(cap("0.005"), "人民币壹分", "half-up to the fen");
        assert_eq!(cap("-5"), "人民币负伍元整");
        assert_eq!(rmb_capital(Decimal::MAX), Err(NumeralError::TooLarge));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands("50000".parse().expect("d")), "50,000.00");
        assert_eq!(thousands("0.05".parse().expect("d")), "0.05");
        assert_eq!(thousands("100000000".parse().expect("d")), "100,000,000.00");
        assert_eq!(thousands("999.995".parse().expect("d")), "1,000.00");
        assert_eq!(thousands("-1234.5".parse().expect("d")), "-1,234.50");
    }

    #[test]
    fn ordinals_and_dates() {
        let ordinals: Vec<String> = [1, 4, 10, 11, 20, 21].into_iter().map(clause_ordinal).collect();
        assert_eq!(ordinals, ["第一条", "第四条", "第十条", "第十一条", "第二十条", "第二十一条"]);
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        assert_eq!(date_zh(d), "2026年1月1日");
        assert_eq!(date_en(d), "1 January 2026");
    }
}
