//! Names a template reads through an alias: `{% set fees = agreement.fees %}` … `fees.montly`.
//! minijinja's `undeclared_variables` counts `fees` as declared and never sees the path
//! behind it, so a typo there would only show at render. Here each template is parsed with
//! minijinja's own parser, its syntax tree walked (through its serde form, which needs no
//! knowledge of every node kind), and every attribute path whose root is an alias rewritten
//! to the path it stands for, with the line it is on.

use std::collections::BTreeMap;

use minijinja::machinery::{WhitespaceConfig, parse};
use minijinja::syntax::SyntaxConfig;
use serde_json::Value as Json;

/// A path read through an alias, written out in full (`agreement.fees.montly`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRead {
    /// The full path the template reads.
    pub path: String,
    /// As written (`fees.montly`).
    pub written: String,
    /// 1-based line in the template.
    pub line: usize,
}

/// Every path `source` reads through a `set` alias of another path, in order of position.
/// A template that does not parse has none (minijinja reports it when it is loaded).
pub fn alias_reads(name: &str, source: &str) -> Vec<AliasRead> {
    let Ok(ast) = parse(source, name, SyntaxConfig, WhitespaceConfig::default()) else {
        return Vec::new();
    };
    let Ok(tree) = serde_json::to_value(&ast) else { return Vec::new() };
    let mut aliases = BTreeMap::new();
    collect_aliases(&tree, &mut aliases);
    let mut reads = Vec::new();
    collect_reads(&tree, &aliases, &mut reads);
    reads.sort_by(|a, b| (a.line, &a.written).cmp(&(b.line, &b.written)));
    reads.dedup();
    reads
}

/// The node and span of a statement or expression of kind `kind` in serde form:
/// `{"stmt": "Set", "inner": [node, span]}`, `{"expr": "GetAttr", "inner": [node, span]}`.
fn node<'a>(value: &'a Json, kind: &str) -> Option<(&'a Json, &'a Json)> {
    let tag = value.get("stmt").or_else(|| value.get("expr"))?.as_str()?;
    if tag != kind {
        return None;
    }
    match value.get("inner")?.as_array()?.as_slice() {
        [node, span] => Some((node, span)),
        _ => None,
    }
}

/// `a.b.c` as its names, when `expr` is a variable followed by attributes only.
fn path_of(expr: &Json) -> Option<Vec<String>> {
    if let Some((var, _)) = node(expr, "Var") {
        return Some(vec![var.get("id")?.as_str()?.to_owned()]);
    }
    let (attr, _) = node(expr, "GetAttr")?;
    let mut path = path_of(attr.get("expr")?)?;
    path.push(attr.get("name")?.as_str()?.to_owned());
    Some(path)
}

/// `set name = a.b` statements (anywhere in the tree), each alias resolved through the
/// aliases before it.
fn collect_aliases(value: &Json, aliases: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Json::Object(map) => {
            if let Some((set, _)) = node(value, "Set")
                && let (Some(target), Some(expr)) =
                    (set.get("target").and_then(path_of), set.get("expr").and_then(path_of))
                && let [name] = target.as_slice()
            {
                let full = resolve(&expr, aliases);
                aliases.insert(name.clone(), full);
            }
            map.values().for_each(|v| collect_aliases(v, aliases));
        }
        Json::Array(items) => items.iter().for_each(|v| collect_aliases(v, aliases)),
        _ => {}
    }
}

/// `path` with its first name replaced by what that alias stands for.
fn resolve(path: &[String], aliases: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    match path.split_first() {
        Some((head, rest)) if aliases.contains_key(head) => {
            let mut full = aliases.get(head).cloned().unwrap_or_default();
            full.extend(rest.iter().cloned());
            full
        }
        _ => path.to_vec(),
    }
}

/// Every longest attribute path whose root is an alias.
fn collect_reads(value: &Json, aliases: &BTreeMap<String, Vec<String>>, reads: &mut Vec<AliasRead>) {
    match value {
        Json::Object(map) => {
            if let Some((_, span)) = node(value, "GetAttr")
                && let Some(path) = path_of(value)
            {
                if path.first().is_some_and(|h| aliases.contains_key(h)) {
                    let line = span.get("start_line").and_then(Json::as_u64).unwrap_or(0);
                    reads.push(AliasRead {
                        path: resolve(&path, aliases).join("."),
                        written: path.join("."),
                        line: usize::try_from(line).unwrap_or(0),
                    });
                }
                return;
            }
            map.values().for_each(|v| collect_reads(v, aliases, reads));
        }
        Json::Array(items) => items.iter().for_each(|v| collect_reads(v, aliases, reads)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{AliasRead, alias_reads};

    #[test]
    fn paths_through_aliases_are_written_out() {
        let source = "{% set fees = agreement.fees %}\n{% set pay = fees.payment %}\n\
                      {{ fees.montly|money }} {{ pay.days if pay.days else agreement.x }}\n{{ fees }}";
        let reads = alias_reads("t.md.j2", source);
        let full: Vec<(&str, &str, usize)> =
            reads.iter().map(|AliasRead { path, written, line }| (path.as_str(), written.as_str(), *line)).collect();
        assert_eq!(
            full,
            [
                ("agreement.fees.payment", "fees.payment", 2),
                ("agreement.fees.montly", "fees.montly", 3),
                ("agreement.fees.payment.days", "pay.days", 3),
            ]
        );
    }
}
