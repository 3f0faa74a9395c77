//! The bundled return policy in three engines: tenet, GoRules Zen and Rego (regorus).
//! First every public return case (`tests/cases/returns/public`) goes through all three
//! and their decisions, codes and refund amounts must agree with each other and with the
//! case's expectation; then each engine evaluates the cases over and over on one thread,
//! from input already in its own form, and the throughputs are printed side by side.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// What an engine said: decision, codes (sorted), refund in fen.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Verdict {
    decision: String,
    codes: Vec<String>,
    refund_cents: Option<i64>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn public_cases() -> Vec<(String, Json, Json)> {
    let dir = root().join("tests/cases/returns/public");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("cases").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let case: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(p).expect("case")).expect("yaml");
            let facts = serde_json::to_value(&case["facts"]).expect("facts");
            let expect = serde_json::to_value(&case["expect"]).expect("expect");
            (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), facts, expect)
        })
        .collect()
}

fn cents(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().expect("whole") * 100 + frac[..2].parse::<i64>().expect("fraction")
}

fn json_cents(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_f64().map(|f| f.round() as i64),
        _ => None,
    }
}

fn from_result(v: &Json) -> Verdict {
    let mut codes: Vec<String> = v["codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    codes.sort();
    Verdict {
        decision: v["decision"].as_str().unwrap_or("?").to_owned(),
        codes,
        refund_cents: json_cents(&v["refund_cents"]),
    }
}

struct Tenet {
    policy: tenet::Policy,
}

impl Tenet {
    fn prepare(&self, facts: &Json) -> tenet::facts::Facts {
        self.policy.facts_from_text(&facts.to_string(), tenet::facts::Format::Json).expect("valid facts")
    }

    fn eval(&self, facts: &tenet::facts::Facts) -> Verdict {
        let e = self.policy.evaluate(facts, facts.now().expect("now")).expect("evaluates");
        let mut codes: Vec<String> = e.codes().into_iter().map(str::to_owned).collect();
        codes.sort();
        let refund = e.outputs().find(|o| o.name() == "refund_amount").and_then(|o| o.to_json().as_str().map(cents));
        Verdict { decision: e.decision().as_str().to_owned(), codes, refund_cents: refund }
    }
}

struct Rego {
    engine: regorus::Engine,
}

impl Rego {
    fn new() -> Rego {
        let mut engine = regorus::Engine::new();
        let path = root().join("benches/peers/policies/returns.rego");
        engine.add_policy_from_file(&path).expect("rego policy");
        Rego { engine }
    }

    fn eval(&mut self, input: &regorus::Value) -> Verdict {
        self.engine.set_input(input.clone());
        let v = self.engine.eval_rule("data.returns.result".to_owned()).expect("rego evaluates");
        from_result(&serde_json::from_str(&v.to_json_str().expect("json")).expect("json"))
    }
}

struct Zen {
    decision: zen_engine::Decision,
    runtime: tokio::runtime::Runtime,
}

impl Zen {
    fn new() -> Zen {
        let text = std::fs::read_to_string(root().join("benches/peers/policies/returns.jdm.json")).expect("jdm");
        let content: zen_engine::model::DecisionContent = serde_json::from_str(&text).expect("jdm content");
        let engine = zen_engine::DecisionEngine::default();
        let decision = engine.create_decision(Arc::new(content)).expect("a graph");
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        Zen { decision, runtime }
    }

    fn eval(&self, input: &zen_engine::Variable) -> Verdict {
        let response = self.runtime.block_on(self.decision.evaluate(input.clone())).expect("zen evaluates");
        from_result(&serde_json::to_value(&response.result).expect("json"))
    }
}

/// Evaluations per second of `f` over `inputs`, for about `budget`.
fn throughput<T>(inputs: &[T], budget: Duration, mut f: impl FnMut(&T) -> Verdict) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for i in inputs {
            std::hint::black_box(f(i));
            n += 1;
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let cases = public_cases();
    let tenet = Tenet { policy: tenet::Policy::load(root().join("rules/returns.tenet")).expect("valid policy") };
    let mut rego = Rego::new();
    let zen = Zen::new();

    let tenet_in: Vec<tenet::facts::Facts> = cases.iter().map(|(_, f, _)| tenet.prepare(f)).collect();
    let rego_in: Vec<regorus::Value> =
        cases.iter().map(|(_, f, _)| regorus::Value::from_json_str(&f.to_string()).expect("rego input")).collect();
    let zen_in: Vec<zen_engine::Variable> =
        cases.iter().map(|(_, f, _)| zen_engine::Variable::from(f.clone())).collect();

    let mut disagreements = 0;
    for (i, (name, _, expect)) in cases.iter().enumerate() {
        let a = tenet.eval(&tenet_in[i]);
        let b = rego.eval(&rego_in[i]);
        let c = zen.eval(&zen_in[i]);
        let mut want_codes: Vec<String> = expect["codes"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        want_codes.sort();
        let want_refund = expect["outputs"]["refund_amount"].as_str().map(cents);
        let expected = Verdict {
            decision: expect["decision"].as_str().unwrap_or("?").to_owned(),
            codes: want_codes,
            refund_cents: want_refund,
        };
        let agree = a == b
            && b == c
            && a.decision == expected.decision
            && a.codes == expected.codes
            && (expect["outputs"]["refund_amount"].is_null() || a.refund_cents == expected.refund_cents);
        println!(
            "{name}: {} {:?} refund {:?} {}",
            a.decision,
            a.codes,
            a.refund_cents,
            if agree { "— all three agree" } else { "— DISAGREE" }
        );
        if !agree {
            println!("  tenet {a:?}\n  rego  {b:?}\n  zen   {c:?}\n  want  {expected:?}");
            disagreements += 1;
        }
    }
    println!("{} cases, {disagreements} disagreements", cases.len());
    if disagreements > 0 {
        std::process::exit(1);
    }

    let budget = Duration::from_secs(5);
    let t = throughput(&tenet_in, budget, |f| tenet.eval(f));
    let r = throughput(&rego_in, budget, |v| rego.eval(v));
    let z = throughput(&zen_in, budget, |v| zen.eval(v));
    println!("\nevaluations per second, one thread, input already parsed, 5 s each:");
    println!("  tenet  {t:>12.0}");
    println!("  zen    {z:>12.0}   tenet / zen  = {:.1}×", t / z);
    println!("  regorus{r:>12.0}   tenet / rego = {:.1}×", t / r);
}
