//! Arbitrary YAML or JSON as facts for the bundled policies: validation, then evaluation
//! with and without the explanation. Nothing may panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tenet::Policy;
use tenet::facts::Format;

fn load(name: &str) -> Policy {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/").to_owned() + name;
    let file = tenet::source::read_source(std::path::Path::new(&path)).expect("bundled policy");
    Policy::from_source(&file).expect("valid bundled policy")
}

static POLICIES: LazyLock<[Policy; 3]> =
    LazyLock::new(|| [load("returns.tenet"), load("support_sla.tenet"), load("signing.tenet")]);

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let policy = &POLICIES[usize::from(selector % 3)];
    let format = if selector & 0x80 == 0 { Format::Yaml } else { Format::Json };
    let text = String::from_utf8_lossy(rest);
    let Ok(facts) = policy.facts_from_text(&text, format) else { return };
    let now = facts.now().unwrap_or_else(|| "2026-11-24T12:00:00+08:00".parse().expect("now"));
    let _ = policy.evaluate(&facts, now);
    if let Ok(e) = policy.explain(&facts, now) {
        let _ = e.to_json(None);
    }
});
