//! Currencies and the rounding rule for money.

use rust_decimal::{Decimal, RoundingStrategy};

/// A currency the policy counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Digits after the decimal point of the minor unit (CNY: 2).
    pub minor_digits: u32,
}

/// The currencies tenet knows, with their minor units.
pub const CURRENCIES: [Currency; 10] = [
    Currency { code: "CNY", minor_digits: 2 },
    Currency { code: "HKD", minor_digits: 2 },
    Currency { code: "TWD", minor_digits: 2 },
    Currency { code: "USD", minor_digits: 2 },
    Currency { code: "EUR", minor_digits: 2 },
    Currency { code: "GBP", minor_digits: 2 },
    Currency { code: "SGD", minor_digits: 2 },
    Currency { code: "JPY", minor_digits: 0 },
    Currency { code: "KRW", minor_digits: 0 },
    Currency { code: "CHF", minor_digits: 2 },
];

impl Currency {
    /// Looks a currency up by its code.
    pub fn find(code: &str) -> Option<Currency> {
        CURRENCIES.iter().copied().find(|c| c.code == code)
    }

    /// Rounds half-up (away from zero at .5) to the minor unit: the rule for every money
    /// line the engine produces.
    pub fn round(self, amount: Decimal) -> Decimal {
        if amount.scale() == self.minor_digits {
            return amount;
        }
        let mut rounded = amount.round_dp_with_strategy(self.minor_digits, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_digits);
        rounded
    }
}

impl Default for Currency {
    fn default() -> Self {
        CURRENCIES[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_up_to_cents() {
        let cny = Currency::find("CNY").unwrap();
        assert_eq!(cny.round(d("39.9")).to_string(), "39.90");
        assert_eq!(cny.round(d("0.005")).to_string(), "0.01");
        assert_eq!(cny.round(d("0.004999")).to_string(), "0.00");
        assert_eq!(cny.round(d("-0.005")).to_string(), "-0.01");
        assert_eq!(cny.round(d("2.675")).to_string(), "2.68");
    }

    #[test]
    fn yen_has_no_minor_unit() {
        let jpy = Currency::find("JPY").unwrap();
        assert_eq!(jpy.round(d("100.5")).to_string(), "101");
    }
}
