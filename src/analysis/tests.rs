#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests stop at the first surprise"
)]

use super::{Analysis, SymbolKind};
use crate::source::SourceFile;

const POLICY: &str = r#"policy demo version "1"
timezone "Asia/Shanghai"
currency CNY

input {
  request: { reason: "defect" | "changed_mind", amount: money }
  tickets: list<{ priority: text, opened_at: datetime }>
}

ledger deductions
const fee = 10%
let charge = fee of request.amount

for each t in tickets {
  let urgent = t.priority == "P1"
}

rule "收取手续费"
  when request.reason == "changed_mind"
  deduct RESTOCKING charge "手续费 {charge}"

rule "紧急工单"
  when count(t in tickets where t.urgent) > 0
  flag URGENT
"#;

fn analysed() -> Analysis {
    Analysis::new(&SourceFile::new("demo.tenet", POLICY))
}

fn at(needle: &str, nth: usize) -> usize {
    POLICY.match_indices(needle).nth(nth).map(|(i, _)| i).expect("in the policy")
}

#[test]
fn names_resolve_to_their_declarations() {
    let a = analysed();
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    // `fee` in `let charge = fee of …` is the const.
    let (i, span) = a.symbol_at(at("fee of", 0) + 1).expect("a name");
    let fee = a.symbol(i).unwrap();
    assert_eq!((fee.kind, fee.name.as_str()), (SymbolKind::Const, "fee"));
    assert_eq!(&POLICY[span.start..span.end], "fee");
    assert_eq!(fee.detail, "const fee = 10%");
    assert_eq!(fee.ty.as_deref(), Some("percent"), "the checker's type");
    // The const's uses.
    assert_eq!(a.references(i).len(), 1);
    // `request.amount` is the input field, with its type.
    let (i, _) = a.symbol_at(at("request.amount", 0) + "request.".len() + 1).unwrap();
    assert_eq!(a.symbol(i).unwrap().detail, "request.amount: money");
    // `t.urgent` reaches the per-item value declared in the `for each` block.
    let (i, _) = a.symbol_at(at("t.urgent", 0) + 3).unwrap();
    assert_eq!((a.symbol(i).unwrap().kind, a.symbol(i).unwrap().name.as_str()), (SymbolKind::Let, "tickets.urgent"));
    // `charge` is used twice: in the deduction and in its message.
    let (i, _) = a.symbol_at(at("let charge", 0) + 5).unwrap();
    assert_eq!(a.references(i).len(), 2);
    assert_eq!(a.symbol(i).unwrap().ty.as_deref(), Some("money"));
    // A builtin.
    assert_eq!(a.builtin_at(at("count(", 0) + 1).map(|(b, _)| b.name), Some("count"));
}

#[test]
fn completion_follows_the_schema() {
    let a = analysed();
    let after = at("request.reason", 0) + "request.".len();
    let labels: Vec<String> = a.completions(after).into_iter().map(|(l, _, _)| l).collect();
    assert_eq!(labels, ["amount", "reason"]);
    // In the rule, `t` is an item of `tickets`: its fields and per-item values.
    let item = at("t.urgent", 0) + 2;
    let labels: Vec<String> = a.completions(item).into_iter().map(|(l, _, _)| l).collect();
    assert_eq!(labels, ["opened_at", "priority", "urgent"]);
    let top: Vec<String> = a.completions(at("when request", 0) + 5).into_iter().map(|(l, _, _)| l).collect();
    assert!(
        ["charge", "fee", "request", "tickets", "count", "coalesce"].iter().all(|n| top.contains(&(*n).to_owned()))
    );
    assert!(!top.contains(&"t".to_owned()), "a loop variable is not in scope outside its loop");
    let inside: Vec<String> = a.completions(at("t.urgent", 0)).into_iter().map(|(l, _, _)| l).collect();
    assert!(inside.contains(&"t".to_owned()), "…and is inside it");
    assert!(!top.contains(&"tickets.urgent".to_owned()), "per-item values come after `item.`");
    let values = a.expected_values(at("\"changed_mind\"\n", 0) + 1);
    assert_eq!(values, ["defect", "changed_mind"]);
}

#[test]
fn a_broken_file_still_indexes_what_parsed() {
    let broken = POLICY.replace("const fee = 10%", "const fee = ");
    let a = Analysis::new(&SourceFile::new("demo.tenet", broken.as_str()));
    assert!(!a.is_complete() && !a.diagnostics().is_empty());
    assert!(a.symbols().iter().any(|s| s.name == "charge"), "the declarations after the broken one");
}

#[test]
fn the_functions_for_business_decisions_have_hovers() {
    // Each new builtin, called where the editor would hover it, answers with its row of
    // the registry (its signature and both languages' documentation).
    let calls = [
        ("append", "append([1], 2)"),
        ("concatenate", "concatenate([1], [2])"),
        ("insert_before", "insert_before([1], 1, 2)"),
        ("remove", "remove([1], 1)"),
        ("union", "union([1], [2])"),
        ("flatten", "flatten([[1]])"),
        ("reverse", "reverse([1])"),
        ("positions", "positions([1], 1)"),
        ("number", "number(\"1\")"),
        ("string", "string(1)"),
        ("replace_pattern", "replace_pattern(\"a\", \"a\", \"b\")"),
        ("period", "period(\"P1Y\")"),
        ("time", "time(\"16:00\")"),
    ];
    let mut text = String::from("policy h version \"1\"\ntimezone \"UTC\"\ncurrency CNY\n");
    for (i, (_, call)) in calls.iter().enumerate() {
        text.push_str(&format!("output o{i} = {call}\n"));
    }
    let a = Analysis::new(&SourceFile::new("h.tenet", text.as_str()));
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    for (name, call) in calls {
        let offset = text.find(call).expect("written") + 1;
        let (doc, _) = a.builtin_at(offset).unwrap_or_else(|| panic!("no hover on {name}"));
        assert_eq!(doc.name, name);
        assert!(doc.signature.starts_with(name) && !doc.zh.is_empty() && !doc.en.is_empty(), "{name}");
    }
}
