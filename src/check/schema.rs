//! Type expressions to types: the `input` schema, table parameters and results.

use std::collections::HashSet;
use std::sync::Arc;

use super::Checker;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{Field, NAMED_TYPES, RecordType, Type};
use crate::msg;
use crate::syntax::ast::{FieldDecl, TypeExpr, TypeKind};

impl Checker<'_> {
    /// A type where optional is not allowed (table parameters, results, list items).
    pub(super) fn type_of(&mut self, t: &TypeExpr) -> Type {
        match &t.node {
            TypeKind::Optional(inner) => {
                self.report(
                    Diagnostic::error(
                        "optional-not-allowed",
                        Msg::new("这里不能用可选类型 `?`", "an optional type `?` is not allowed here"),
                    )
                    .at(t.span)
                    .help(Msg::new(
                        "只有记录的字段可以可选：`name?: text`",
                        "only record fields can be optional: `name?: text`",
                    )),
                );
                self.type_of(inner)
            }
            TypeKind::Named(name) => match Type::named(name) {
                Some(ty) => ty,
                None => {
                    let help = match suggest::closest(name, NAMED_TYPES) {
                        Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                        None => Msg::new(
                            "可用的类型：bool、int、decimal、money、percent、text、date、datetime、duration、list<T>、{ … } 记录、\"a\" | \"b\" 枚举",
                            "types are bool, int, decimal, money, percent, text, date, datetime, duration, list<T>, { … } records and \"a\" | \"b\" enumerations",
                        ),
                    };
                    let shown = if name.is_empty() { "list" } else { name.as_str() };
                    self.report(
                        Diagnostic::error("unknown-type", msg!("未知的类型 `{shown}`", "unknown type `{shown}`"))
                            .at(t.span)
                            .help(help),
                    );
                    Type::Error
                }
            },
            TypeKind::List(inner) => Type::List(Arc::new(self.type_of(inner))),
            TypeKind::Record(fields) => Type::Record(Arc::new(self.record(fields))),
            TypeKind::Enum(values) => {
                let mut seen = HashSet::new();
                let mut out: Vec<Arc<str>> = Vec::new();
                for v in values {
                    if !seen.insert(v.node.as_str()) {
                        let value = &v.node;
                        self.report(
                            Diagnostic::warning(
                                "duplicate-enum-value",
                                msg!("枚举值 \"{value}\" 重复", "enumeration value \"{value}\" is repeated"),
                            )
                            .at(v.span),
                        );
                        continue;
                    }
                    out.push(Arc::from(v.node.as_str()));
                }
                Type::Enum(out.into())
            }
        }
    }

    /// A record type from field declarations; `name?: T` and `name: T?` are optional.
    pub(super) fn record(&mut self, fields: &[FieldDecl]) -> RecordType {
        let mut record = RecordType::default();
        let mut spans: Vec<crate::source::Span> = Vec::new();
        for f in fields {
            if let Some((i, _)) = record.field(&f.name.node) {
                let name = &f.name.node;
                self.report(
                    Diagnostic::error(
                        "duplicate-field",
                        msg!("字段 `{name}` 重复声明", "field `{name}` is declared twice"),
                    )
                    .at(f.name.span)
                    .also(
                        spans.get(i).copied().unwrap_or_default(),
                        Msg::new("第一次声明在这里", "first declared here"),
                    ),
                );
                continue;
            }
            let field = self.field(f);
            record.fields.push(field);
            spans.push(f.name.span);
        }
        record
    }

    /// One field; `name?: T` and `name: T?` are both optional.
    pub(super) fn field(&mut self, f: &FieldDecl) -> Field {
        let (ty, optional) = match &f.ty.node {
            TypeKind::Optional(inner) => (self.type_of(inner), true),
            _ => (self.type_of(&f.ty), f.optional),
        };
        Field { name: f.name.node.clone(), ty, optional }
    }
}
