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
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// May be absent.
    pub optional: bool,
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
            _ => return None,
        })
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
