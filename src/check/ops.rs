//! Which operators apply to which types, and what they produce.

use crate::diagnostics::Msg;
use crate::diagnostics::msg;
use crate::lang::CmpOp;
use crate::lang::Type;

use crate::lang::ArithOp;

/// The result type of `l op r`, or a help text saying why they do not combine.
pub(super) fn arith(op: ArithOp, l: &Type, r: &Type) -> Result<Type, Msg> {
    use Type::*;
    let plain = |t: &Type| matches!(t, Int | Decimal);
    let result = match (op, l, r) {
        (_, Error, _) | (_, _, Error) => Some(Error),
        (ArithOp::Add | ArithOp::Sub | ArithOp::Mul, Int, Int) => Some(Int),
        (ArithOp::Add | ArithOp::Sub | ArithOp::Mul | ArithOp::Div, a, b) if plain(a) && plain(b) => Some(Decimal),
        // Money with plain numbers.
        (ArithOp::Add | ArithOp::Sub, Money, b) if plain(b) || *b == Money => Some(Money),
        (ArithOp::Add, a, Money) if plain(a) => Some(Money),
        (ArithOp::Sub, a, Money) if plain(a) => Some(Money),
        (ArithOp::Mul, Money, b) if plain(b) || *b == Percent => Some(Money),
        (ArithOp::Mul, a, Money) if plain(a) || *a == Percent => Some(Money),
        (ArithOp::Div, Money, b) if plain(b) || *b == Percent => Some(Money),
        (ArithOp::Div, Money, Money) => Some(Decimal),
        // Percentages.
        (ArithOp::Add | ArithOp::Sub, Percent, Percent) => Some(Percent),
        (ArithOp::Add | ArithOp::Sub, a, b) if (*a == Percent && plain(b)) || (plain(a) && *b == Percent) => {
            Some(Decimal)
        }
        (ArithOp::Mul, Percent, b) if plain(b) || *b == Percent => Some(Percent),
        (ArithOp::Mul, a, Percent) if plain(a) => Some(Percent),
        (ArithOp::Div, Percent, Percent) => Some(Decimal),
        (ArithOp::Div, Percent, b) if plain(b) => Some(Percent),
        (ArithOp::Of, Percent, Money) => Some(Money),
        (ArithOp::Of, Percent, b) if plain(b) => Some(Decimal),
        // Time.
        (ArithOp::Add | ArithOp::Sub, Date, Duration) => Some(Date),
        (ArithOp::Add, Duration, Date) => Some(Date),
        (ArithOp::Add | ArithOp::Sub, DateTime, Duration) => Some(DateTime),
        (ArithOp::Add, Duration, DateTime) => Some(DateTime),
        (ArithOp::Sub, Date, Date) | (ArithOp::Sub, DateTime, DateTime) => Some(Duration),
        (ArithOp::Add | ArithOp::Sub, Duration, Duration) => Some(Duration),
        (ArithOp::Mul, Duration, Int) | (ArithOp::Mul, Int, Duration) => Some(Duration),
        (ArithOp::Div, Duration, Duration) => Some(Decimal),
        // Calendar periods: dates and instants move by whole months.
        (ArithOp::Add | ArithOp::Sub, Date, Period) | (ArithOp::Add, Period, Date) => Some(Date),
        (ArithOp::Add | ArithOp::Sub, DateTime, Period) | (ArithOp::Add, Period, DateTime) => Some(DateTime),
        (ArithOp::Add | ArithOp::Sub, Period, Period) => Some(Period),
        (ArithOp::Mul, Period, Int) | (ArithOp::Mul, Int, Period) => Some(Period),
        // Powers: whole powers of whole numbers stay whole; the rest is decimal.
        (ArithOp::Pow, Int, Int) => Some(Int),
        (ArithOp::Pow, a, b) if plain(a) && plain(b) => Some(Decimal),
        // Remainders keep the dividend's kind; whole quotients are whole numbers.
        (ArithOp::Mod, Int, Int) => Some(Int),
        (ArithOp::Mod, a, b) if plain(a) && plain(b) => Some(Decimal),
        (ArithOp::Mod, Money, b) if plain(b) || *b == Money => Some(Money),
        (ArithOp::Mod, Duration, Duration) => Some(Duration),
        (ArithOp::IntDiv, a, b) if plain(a) && plain(b) => Some(Int),
        (ArithOp::IntDiv, Money, Money) | (ArithOp::IntDiv, Duration, Duration) => Some(Int),
        // Texts (and enumeration values) join into a text.
        (ArithOp::Add, a, b) if a.is_textual() && b.is_textual() => Some(Text),
        // Lists join into one list: `a + b` is `concatenate(a, b)`.
        (ArithOp::Add, a, b) if a.element().is_some() && b.element().is_some() => a.join(b),
        _ => None,
    };
    result.ok_or_else(|| arith_help(op, l, r))
}

fn arith_help(op: ArithOp, l: &Type, r: &Type) -> Msg {
    use Type::*;
    match (op, l, r) {
        (ArithOp::Mul, Money, Money) => Msg::new(
            "金额不能乘以金额；要按比例计算时写 `10% of x`",
            "money cannot be multiplied by money; for a share write `10% of x`",
        ),
        (ArithOp::Of, a, _) if *a != Percent => Msg::new(
            "`of` 的左边是百分比：`10% of goods_value`",
            "the left of `of` is a percentage: `10% of goods_value`",
        ),
        (_, Date, DateTime) | (_, DateTime, Date) => {
            Msg::new("先用 date(x) 把日期时间变成日期", "turn the datetime into a date first with date(x)")
        }
        (ArithOp::Mul, Duration, Decimal) | (ArithOp::Mul, Decimal, Duration) => {
            Msg::new("时长只能乘以整数", "durations can only be multiplied by whole numbers")
        }
        (_, Money, Percent) | (_, Percent, Money) => {
            Msg::new("按比例计算金额写 `10% of x`", "to take a share of money write `10% of x`")
        }
        _ => Msg::new(
            "数字可与数字运算，金额可加减金额或乘除数字，日期可加减时长",
            "numbers combine with numbers, money adds to money and scales by numbers, dates move by durations",
        ),
    }
}

/// Whether `l op r` is a valid comparison; a help text when not.
pub(super) fn comparable(op: CmpOp, l: &Type, r: &Type) -> Result<(), Msg> {
    use Type::*;
    let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
    let ok = match (l, r) {
        (Error, _) | (_, Error) => true,
        (Money, Percent) | (Percent, Money) => false,
        (a, b) if a.is_numeric() && b.is_numeric() => true,
        // Texts order by code point; enumeration values only compare for equality.
        (Text, Text) => true,
        (a, b) if a.is_textual() && b.is_textual() => !ordering,
        (Date, Date) | (DateTime, DateTime) | (Duration, Duration) | (Period, Period) | (Time, Time) => true,
        (Bool, Bool) => !ordering,
        (a, b) if a.element().is_some() && b.element().is_some() => !ordering && a.join(b).is_some(),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(match (l, r) {
        (Date, DateTime) | (DateTime, Date) => Msg::new(
            "日期和日期时间不能直接比较；用 date(x) 取日期时间的本地日期",
            "a date and a datetime do not compare; take the datetime's local date with date(x)",
        ),
        (a, b) if a.is_textual() && b.is_textual() => Msg::new(
            "枚举值只能比较相等（== 或 !=）；要按字母排序，先写成文本",
            "enumeration values only compare for equality (== or !=); texts order by code point",
        ),
        (Bool, Bool) => Msg::new("真假值只能比较相等", "bools only compare for equality"),
        (Money, Percent) | (Percent, Money) => {
            Msg::new("金额不能和百分比比较", "money does not compare with a percentage")
        }
        _ => msg!("{l} 和 {r} 不能比较", "{l} and {r} do not compare"),
    })
}
