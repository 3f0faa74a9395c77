//! The types of the language, shared by the checker, the facts validator and the output.

use std::fmt;
use std::sync::Arc;

/// A type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `decimal`.
    Decimal,
    /// `money`, in the policy's currency.
    Money,
    /// `percent`.
    Percent,
    /// `text`.
    Text,
    /// `"a" | "b"`: a text from a fixed set.
    Enum(Arc<[Arc<str>]>),
    /// `date`.
    Date,
    /// `datetime`.
    DateTime,
    /// `duration`.
    Duration,
    /// `time`: a time of day.
    Time,
    /// `period`: whole months (`12 months`, `2 years`), for warranties and terms.
    Period,
    /// `calendar`: a working calendar (`always`, or one the policy declares).
    Calendar,
    /// `list<T>`.
    List(Arc<Type>),
    /// `{ a: T, … }`.
    Record(Arc<RecordType>),
    /// The type of `[]`, which fits any list.
    EmptyList,
    /// A type that could not be worked out; it fits anything, so one mistake is
    /// reported once rather than at every use.
    Error,
}

/// The fields of a record type, in declaration order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RecordType {
    /// Fields in order; a field's position is its slot.
    pub fields: Vec<Field>,
}

/// A record field.
#[derive(Clone, Debug)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// May be absent.
    pub optional: bool,
    /// What an input's value must satisfy (`money >= 0`); checked with the schema.
    pub check: Option<Arc<FieldCheck>>,
}

// A check is not part of a field's type: two records with the same fields are the same
// type whatever their inputs must satisfy.
impl PartialEq for Field {
    fn eq(&self, other: &Field) -> bool {
        self.name == other.name && self.ty == other.ty && self.optional == other.optional
    }
}

impl Eq for Field {}

/// What an input field's value must satisfy, as the schema declares it.
#[derive(Clone, Debug)]
pub enum FieldCheck {
    /// `>= n`, `> n`, `<= n`, `< n`: the bound, and whether it is a lower bound and
    /// whether it is included.
    Bound { bound: rust_decimal::Decimal, lower: bool, inclusive: bool, written: String },
    /// `in [a..b]`: both ends included.
    Range { low: rust_decimal::Decimal, high: rust_decimal::Decimal, written: String },
    /// `matching "…"`: the whole text matches the pattern.
    Pattern { regex: regex::Regex, written: String },
}

impl FieldCheck {
    /// The check as the policy writes it (`>= 0`, `in [1..999]`, `matching "…"`).
    pub fn written(&self) -> &str {
        match self {
            FieldCheck::Bound { written, .. }
            | FieldCheck::Range { written, .. }
            | FieldCheck::Pattern { written, .. } => written,
        }
    }

    /// Whether a number holds (`None` for a pattern).
    pub fn number_holds(&self, n: rust_decimal::Decimal) -> Option<bool> {
        match self {
            FieldCheck::Bound { bound, lower: true, inclusive: true, .. } => Some(n >= *bound),
            FieldCheck::Bound { bound, lower: true, inclusive: false, .. } => Some(n > *bound),
            FieldCheck::Bound { bound, lower: false, inclusive: true, .. } => Some(n <= *bound),
            FieldCheck::Bound { bound, lower: false, inclusive: false, .. } => Some(n < *bound),
            FieldCheck::Range { low, high, .. } => Some(*low <= n && n <= *high),
            FieldCheck::Pattern { .. } => None,
        }
    }

    /// Whether a text holds (`None` for a number check).
    pub fn text_holds(&self, t: &str) -> Option<bool> {
        match self {
            FieldCheck::Pattern { regex, .. } => Some(regex.is_match(t)),
            _ => None,
        }
    }
}

impl RecordType {
    /// The slot and declaration of a field.
    pub fn field(&self, name: &str) -> Option<(usize, &Field)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }
}

/// The scalar type names a policy can write.
pub const NAMED_TYPES: [&str; 13] = [
    "bool", "int", "decimal", "money", "percent", "text", "date", "datetime", "time", "duration", "period", "calendar",
    "list",
];

impl Type {
    /// The type a name stands for.
    pub fn named(name: &str) -> Option<Type> {
        Some(match name {
            "bool" => Type::Bool,
            "int" => Type::Int,
            "decimal" => Type::Decimal,
            "money" => Type::Money,
            "percent" => Type::Percent,
            "text" => Type::Text,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            "duration" => Type::Duration,
            "period" => Type::Period,
            "time" => Type::Time,
            "calendar" => Type::Calendar,
            _ => return None,
        })
    }

    /// Int, decimal, money or percent.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Money | Type::Percent | Type::Error)
    }

    /// Text or an enumeration.
    pub fn is_textual(&self) -> bool {
        matches!(self, Type::Text | Type::Enum(_) | Type::Error)
    }

    /// The element type of a list.
    pub fn element(&self) -> Option<Type> {
        match self {
            Type::List(t) => Some((**t).clone()),
            Type::EmptyList | Type::Error => Some(Type::Error),
            _ => None,
        }
    }

    /// True when a value of `self` may be used where `want` is expected.
    pub fn fits(&self, want: &Type) -> bool {
        match (self, want) {
            (Type::Error, _) | (_, Type::Error) => true,
            (a, b) if a == b => true,
            (Type::Enum(_), Type::Text) => true,
            (Type::Text, Type::Enum(_)) => false,
            (Type::Enum(a), Type::Enum(b)) => a.iter().all(|v| b.contains(v)),
            (Type::Int, Type::Decimal | Type::Money) => true,
            (Type::Decimal, Type::Money) => true,
            (Type::EmptyList, Type::List(_)) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (Type::Record(a), Type::Record(b)) => {
                a.fields.len() == b.fields.len()
                    && a.fields.iter().zip(&b.fields).all(|(x, y)| x.name == y.name && x.ty.fits(&y.ty))
            }
            _ => false,
        }
    }

    /// The common type of two values that meet (in `if`, lists, `min`, comparisons),
    /// or `None` when they do not mix.
    pub fn join(&self, other: &Type) -> Option<Type> {
        use Type::*;
        Some(match (self, other) {
            (Error, t) | (t, Error) => t.clone(),
            (a, b) if a == b => a.clone(),
            (Enum(a), Enum(b)) => {
                let mut all: Vec<Arc<str>> = a.to_vec();
                all.extend(b.iter().filter(|v| !a.contains(v)).cloned());
                Enum(all.into())
            }
            (Enum(_), Text) | (Text, Enum(_)) => Text,
            (Int, Decimal) | (Decimal, Int) => Decimal,
            (Int | Decimal, Money) | (Money, Int | Decimal) => Money,
            (Int | Decimal, Percent) | (Percent, Int | Decimal) => Decimal,
            (EmptyList, List(t)) | (List(t), EmptyList) => List(t.clone()),
            (List(a), List(b)) => List(Arc::new(a.join(b)?)),
            // Records with the same fields, in the same order: each field joined, so
            // `[{a: 25}, {a: 1.5}]` holds `{a: decimal}` as `[25, 1.5]` holds decimals.
            (Record(a), Record(b))
                if a.fields.len() == b.fields.len()
                    && a.fields.iter().zip(&b.fields).all(|(x, y)| x.name == y.name) =>
            {
                let mut fields = Vec::with_capacity(a.fields.len());
                for (x, y) in a.fields.iter().zip(&b.fields) {
                    fields.push(Field {
                        name: x.name.clone(),
                        ty: x.ty.join(&y.ty)?,
                        optional: x.optional || y.optional,
                        check: None,
                    });
                }
                Record(Arc::new(RecordType { fields }))
            }
            _ => return None,
        })
    }

    /// Whether a value of this type holds a number that may need widening where types
    /// meet (a decimal or money inside a record or list).
    pub fn widens_inside(&self) -> bool {
        match self {
            Type::Record(r) => {
                r.fields.iter().any(|f| matches!(f.ty, Type::Money | Type::Decimal) || f.ty.widens_inside())
            }
            Type::List(e) => matches!(**e, Type::Money | Type::Decimal) || e.widens_inside(),
            _ => false,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Money => f.write_str("money"),
            Type::Percent => f.write_str("percent"),
            Type::Text => f.write_str("text"),
            Type::Enum(values) => {
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{v:?}")?;
                }
                Ok(())
            }
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Duration => f.write_str("duration"),
            Type::Period => f.write_str("period"),
            Type::Time => f.write_str("time"),
            Type::Calendar => f.write_str("calendar"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Record(r) => {
                f.write_str("{")?;
                for (i, field) in r.fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}{}: {}", field.name, if field.optional { "?" } else { "" }, field.ty)?;
                }
                f.write_str("}")
            }
            Type::EmptyList => f.write_str("list<?>"),
            Type::Error => f.write_str("?"),
        }
    }
}
