//! Workloads shared by the benchmarks (the engine's, the command line's, the language
//! server's and the peers'): bundled policies, a month of tickets, lines of return
//! requests, a long policy.

use tenet::Policy;

pub use crate::root;

/// A bundled policy from `rules/`.
pub fn bundled(name: &str) -> Policy {
    let path = crate::policy_path(name);
    let file = tenet::source::read_source(&path).expect("bundled policy");
    Policy::from_source(&file).expect("bundled policy is valid")
}

/// A month of `n` tickets, the same every run: a small linear congruential generator
/// spreads openings over November and picks priorities, response and resolution times.
pub fn month_of_tickets(n: usize) -> String {
    let mut seed: u64 = 2026;
    let mut next = |modulo: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % modulo
    };
    let start = 1_761_926_400i64; // 2026-11-01T00:00:00+08:00
    let mut tickets = Vec::with_capacity(n);
    for i in 0..n {
        let opened = start + i64::try_from(next(29 * 86_400)).unwrap_or(0);
        let priority = ["P1", "P2", "P3"][usize::try_from(next(3)).unwrap_or(0)];
        let at = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .expect("in range")
                .with_timezone(&chrono_tz::Asia::Shanghai)
                .to_rfc3339()
        };
        let response = opened + i64::try_from(next(4 * 3600)).unwrap_or(0);
        let resolved = response + i64::try_from(next(3 * 86_400)).unwrap_or(0);
        let mut ticket = serde_json::json!({
            "id": format!("T-{i}"), "priority": priority, "opened_at": at(opened), "first_response_at": at(response),
        });
        if next(10) > 0 {
            ticket["resolved_at"] = serde_json::json!(at(resolved));
        }
        if next(4) == 0 {
            ticket["paused"] = serde_json::json!([{ "from": at(response + 600), "to": at(response + 600 + i64::try_from(next(86_400)).unwrap_or(0)) }]);
        }
        tickets.push(ticket);
    }
    serde_json::json!({
        "now": "2026-12-01T00:00:00+08:00",
        "period": { "start": "2026-11-01T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00" },
        "monthly_fee": "50000.00",
        "tickets": tickets,
    })
    .to_string()
}

/// `n` return cases as JSON lines: the facts of every case under `tests/cases/returns`,
/// in turn.
pub fn return_lines(n: usize) -> String {
    let dir = root().join("tests/cases/returns");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("cases") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let facts: Vec<String> = files
        .iter()
        .map(|p| {
            let case: yaml_serde::Value =
                yaml_serde::from_str(&std::fs::read_to_string(p).expect("case")).expect("yaml");
            serde_json::to_string(&case["facts"]).expect("json")
        })
        .collect();
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&facts[i % facts.len()]);
        out.push('\n');
    }
    out
}

/// A generated policy of at least `lines` lines: a schema, then blocks of a const, a let
/// that reads it and a rule that reads both, with Chinese names and messages.
pub fn long_policy(lines: usize) -> String {
    let mut text = String::from(
        "policy big \"大策略\" version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n\ninput {\n  request: { reason: \"defect\" | \"changed_mind\", amount: money, opened: bool, days: int }\n}\n\nledger deductions\n\n",
    );
    let mut i = 0;
    while text.lines().count() < lines {
        text.push_str(&format!(
            "const fee_{i} = {}%\nlet charge_{i} = fee_{i} of request.amount\n\nrule \"规则 {i}\"\n  when request.days > {i} and request.reason == \"changed_mind\"\n  deduct FEE_{i} charge_{i} \"手续费 {{charge_{i}}}\"\n\n",
            i % 50 + 1
        ));
        i += 1;
    }
    text
}

/// The opened keyboard's facts (`examples/returns/opened-keyboard.json`) with their parts
/// varied by `i`: order, SKU, price, quantities, dates, reason and what the warehouse
/// found — approved and rejected returns, each entry's facts different — with `now` in
/// the facts (`2026-11-10` to `2026-11-29`, noon in Beijing).
pub fn varied_return(i: usize) -> serde_json::Value {
    use serde_json::json;
    let text = std::fs::read_to_string(root().join("examples/returns/opened-keyboard.json")).expect("example facts");
    let mut f: serde_json::Value = serde_json::from_str(&text).expect("example facts are JSON");
    let day = 1 + i % 20;
    f["now"] = json!(format!("2026-11-{:02}T12:00:00+08:00", (day + 9).min(30)));
    f["order"]["id"] = json!(format!("SO-{}", 10_000 + i));
    f["order"]["delivered_at"] = json!(format!("2026-11-{day:02}T15:20:00+08:00"));
    f["item"]["sku"] = json!(format!("KB-{}", 100 + i % 37));
    f["item"]["unit_price"] = json!(format!("{}.{:02}", 50 + (i * 7919) % 950, i % 100));
    f["item"]["quantity"] = json!(1 + i % 3);
    f["request"]["id"] = json!(format!("RR-{i}"));
    f["request"]["quantity"] = json!(1 + i % 2 % (1 + i % 3));
    f["request"]["reason"] = json!(["no_reason", "defective", "wrong_item", "changed_mind", ""][i % 5]);
    f["request"]["submitted_at"] = json!(format!("2026-11-{:02}T09:00:00+08:00", (day + i % 12).min(28)));
    f["inspection"]["packaging"] = json!(["complete", "opened", "missing"][i % 3]);
    f["inspection"]["appearance"] = json!(["intact", "worn", "damaged"][(i / 3) % 3]);
    f["inspection"]["quality"] = json!(["ok", "defective"][(i / 9) % 2]);
    f
}

/// A policy with one decision table of `rows` rows over three columns — an int range, a
/// text equality, a decimal comparison — with disjoint rows (the int ranges are), `hit`
/// as given (`unique`, `first`): the table of issue 36's measurements.
pub fn big_table(rows: usize, hit: &str) -> String {
    let mut text = format!(
        "policy big version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput {{ a: int, s: text, d: decimal }}\n\
         table t(a: int, s: text, d: decimal) -> int hit {hit} {{\n"
    );
    for i in 0..rows {
        let sep = if i + 1 == rows { "" } else { "," };
        text.push_str(&format!("  [{}..{}), \"r{}\", < {}.5 => {i}{sep}\n", i * 10, i * 10 + 10, i % 50, 100 + i % 7));
    }
    text.push_str("}\noutput x = t(a, s, d)\n");
    text
}

/// Facts for [`big_table`]: the `k`-th call lands in row `k * 7919 % rows` (JSON text).
pub fn big_table_call(k: usize, rows: usize) -> String {
    let i = k.wrapping_mul(7919) % rows.max(1);
    format!(r#"{{"a": {}, "s": "r{}", "d": "50.5"}}"#, i * 10 + 3, i % 50)
}

/// [`long_policy`] of `lines` lines followed by a `unique` table of `rows` disjoint rows
/// over the request's days, as `big_table` writes them, and an output that calls it: an
/// edit to the policy's rules leaves the table's text as it was.
pub fn long_policy_with_table(lines: usize, rows: usize) -> String {
    let mut text = long_policy(lines);
    text.push_str("table t(a: int, s: text, d: decimal) -> int hit unique {\n");
    for i in 0..rows {
        let sep = if i + 1 == rows { "" } else { "," };
        text.push_str(&format!("  [{}..{}), \"r{}\", < {}.5 => {i}{sep}\n", i * 10, i * 10 + 10, i % 50, 100 + i % 7));
    }
    text.push_str("}\noutput x = t(request.days, \"r1\", 1.0)\n");
    text
}
