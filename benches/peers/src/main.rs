//! The bundled return policy in tenet, GoRules Zen and Rego (regorus), each set up the
//! way its own documentation says is fastest, timed side by side; and the table a buyer
//! asks for: decisions per second per core for the return policy, an SLA month and a
//! batch of a million lines, with the peers' figures beside tenet's.
//!
//! 1. Every return case under `tests/cases/returns` (the 14 public ones and the rest)
//!    goes through every engine, from its own input form and from JSON text; decisions,
//!    codes and refund amounts must agree with the case's expectation, or the run stops
//!    before any timing.
//! 2. Then rounds: in each round every engine runs every workload for about 0.3 s, one
//!    engine after another, in the same process and on the same thread:
//!    - *return decision*: every case from input already in the engine's form, the
//!      verdict (decision, codes, refund) read out of its result;
//!    - *from JSON text*: the same from each case's JSON text (tenet also validates it
//!      against the policy's fact schema; the peers only parse it);
//!    - *batch*: JSON lines of the cases in turn, 2 000 at a time, each parsed,
//!      evaluated and written out as a result line (tenet through `tenet eval --batch`'s
//!      own code, `tenet_cli::batch::run`, on a one-thread pool; the peers write
//!      decision, codes and refund, a smaller line than tenet's);
//!    - *SLA month*: the bundled SLA policy over 200 tickets (tenet only: neither peer
//!      has working-hour calendars to write it with).
//!
//!    The figure is the median over the rounds of each engine's throughput, and of the
//!    per-round ratio tenet / peer, with the range of that ratio.
//!
//! Setup per engine: tenet evaluates a loaded policy; Zen evaluates a `Decision` after
//! `Decision::compile()` (what Zen's own loaders do), whose expressions compute the two
//! local dates once; regorus runs its bytecode VM (RVM: `compile_with_entrypoint`, then
//! `Compiler::compile_from_policy`, a `RegoVM` reused across inputs) and, for
//! comparison, its tree-walking interpreter (`Engine::eval_rule`). All use mimalloc, the
//! allocator of the `tenet` binary.
//!
//! `cd benches/peers && cargo run --release [ROUNDS] [CASE-NAME-PART]`; `cargo run --release
//! lines N > FILE` writes the batch input as a file of N lines.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value as Json;

use tenet_test_support::workloads as common;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What an engine said: decision, codes (sorted), refund in fen.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Verdict {
    decision: String,
    codes: Vec<String>,
    refund_cents: Option<i64>,
}

impl Verdict {
    /// The verdict as a result line, as a peer's batch would write it.
    fn write_line(&self, out: &mut Vec<u8>) {
        let line =
            serde_json::json!({"decision": self.decision, "codes": self.codes, "refund_cents": self.refund_cents});
        serde_json::to_writer(&mut *out, &line).expect("a line");
        out.push(b'\n');
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A case: its name, its facts, and the verdict its `expect` asks for (`None` for a
/// refund the case does not state).
struct Case {
    name: String,
    facts: Json,
    expected: Verdict,
    refund_stated: bool,
}

fn cases() -> Vec<Case> {
    let mut files = Vec::new();
    let mut stack = vec![root().join("tests/cases/returns")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("cases") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|p| {
            let case: yaml_serde::Value =
                yaml_serde::from_str(&std::fs::read_to_string(p).expect("case")).expect("yaml");
            let facts = serde_json::to_value(&case["facts"]).expect("facts");
            let expect = serde_json::to_value(&case["expect"]).expect("expect");
            let mut codes: Vec<String> = expect["codes"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            codes.sort();
            let refund = expect["outputs"]["refund_amount"].as_str().map(cents);
            let name = p.strip_prefix(root().join("tests/cases")).unwrap_or(p).display().to_string();
            Case {
                name,
                facts,
                expected: Verdict {
                    decision: expect["decision"].as_str().unwrap_or("?").to_owned(),
                    codes,
                    refund_cents: refund,
                },
                refund_stated: refund.is_some(),
            }
        })
        .collect()
}

fn cents(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().expect("whole") * 100 + frac[..2].parse::<i64>().expect("fraction")
}

/// An engine under test: its input form, made once per case, and an evaluation that
/// reads the verdict out of the engine's own result.
trait Engine {
    type Input;
    fn name(&self) -> &'static str;
    fn prepare(&self, facts: &Json) -> Self::Input;
    /// The same from JSON text, as a line of a batch arrives.
    fn prepare_text(&self, text: &str) -> Self::Input;
    fn eval(&mut self, input: &Self::Input) -> Verdict;
}

struct Tenet {
    policy: tenet::Policy,
}

impl Engine for Tenet {
    type Input = tenet::facts::Facts;

    fn name(&self) -> &'static str {
        "tenet"
    }

    fn prepare(&self, facts: &Json) -> tenet::facts::Facts {
        self.prepare_text(&facts.to_string())
    }

    fn prepare_text(&self, text: &str) -> tenet::facts::Facts {
        self.policy.facts_from_json(text).expect("valid facts")
    }

    fn eval(&mut self, facts: &tenet::facts::Facts) -> Verdict {
        let e = self.policy.evaluate(facts, facts.now().expect("now")).expect("evaluates");
        let mut codes: Vec<String> = e.codes().into_iter().map(str::to_owned).collect();
        codes.sort();
        let refund = e.value("refund_amount").and_then(|v| match v {
            tenet::value::Value::Money(m) => Some(cents(&e.locale().money(*m))),
            _ => None,
        });
        Verdict { decision: e.decision().as_str().to_owned(), codes, refund_cents: refund }
    }
}

/// A regorus result object: `{"decision", "codes", "refund_cents"}`.
fn from_rego(v: &regorus::Value) -> Verdict {
    let mut codes: Vec<String> = match &v["codes"] {
        regorus::Value::Array(a) => a.iter().filter_map(|c| c.as_string().ok().map(|s| s.to_string())).collect(),
        regorus::Value::Set(s) => s.iter().filter_map(|c| c.as_string().ok().map(|s| s.to_string())).collect(),
        _ => Vec::new(),
    };
    codes.sort();
    Verdict {
        decision: v["decision"].as_string().map(|s| s.to_string()).unwrap_or_else(|_| "?".into()),
        codes,
        refund_cents: v["refund_cents"].as_i64().ok(),
    }
}

const REGO_ENTRY: &str = "data.returns.result";

fn rego_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.add_policy_from_file(root().join("benches/peers/policies/returns.rego")).expect("rego policy");
    engine
}

/// regorus's tree-walking interpreter.
struct RegoInterpreter {
    engine: regorus::Engine,
}

impl Engine for RegoInterpreter {
    type Input = regorus::Value;

    fn name(&self) -> &'static str {
        "regorus (interpreter)"
    }

    fn prepare(&self, facts: &Json) -> regorus::Value {
        self.prepare_text(&facts.to_string())
    }

    fn prepare_text(&self, text: &str) -> regorus::Value {
        regorus::Value::from_json_str(text).expect("rego input")
    }

    fn eval(&mut self, input: &regorus::Value) -> Verdict {
        self.engine.set_input(input.clone());
        from_rego(&self.engine.eval_rule(REGO_ENTRY.to_owned()).expect("rego evaluates"))
    }
}

/// regorus's bytecode VM.
struct RegoVm {
    vm: regorus::rvm::RegoVM,
}

impl RegoVm {
    fn new() -> RegoVm {
        let mut engine = rego_engine();
        let compiled = engine.compile_with_entrypoint(&REGO_ENTRY.into()).expect("compiles");
        let program =
            regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_ENTRY]).expect("rvm");
        let mut vm = regorus::rvm::RegoVM::new();
        vm.load_program(program);
        RegoVm { vm }
    }
}

impl Engine for RegoVm {
    type Input = regorus::Value;

    fn name(&self) -> &'static str {
        "regorus (RVM)"
    }

    fn prepare(&self, facts: &Json) -> regorus::Value {
        self.prepare_text(&facts.to_string())
    }

    fn prepare_text(&self, text: &str) -> regorus::Value {
        regorus::Value::from_json_str(text).expect("rego input")
    }

    fn eval(&mut self, input: &regorus::Value) -> Verdict {
        self.vm.set_input(input.clone());
        from_rego(&self.vm.execute().expect("rvm evaluates"))
    }
}

/// GoRules Zen, with its decision compiled.
struct Zen {
    decision: zen_engine::Decision,
    runtime: tokio::runtime::Runtime,
}

impl Zen {
    fn new() -> Zen {
        let text = std::fs::read_to_string(root().join("benches/peers/policies/returns.jdm.json")).expect("jdm");
        let content: zen_engine::model::DecisionContent = serde_json::from_str(&text).expect("jdm content");
        let engine = zen_engine::DecisionEngine::default();
        let mut decision = engine.create_decision(Arc::new(content)).expect("a graph");
        decision.compile();
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        Zen { decision, runtime }
    }
}

impl Engine for Zen {
    type Input = zen_engine::Variable;

    fn name(&self) -> &'static str {
        "zen (compiled)"
    }

    fn prepare(&self, facts: &Json) -> zen_engine::Variable {
        zen_engine::Variable::from(facts.clone())
    }

    fn prepare_text(&self, text: &str) -> zen_engine::Variable {
        serde_json::from_str(text).expect("zen input")
    }

    fn eval(&mut self, input: &zen_engine::Variable) -> Verdict {
        let response = self.runtime.block_on(self.decision.evaluate(input.clone())).expect("zen evaluates");
        let result = &response.result;
        let mut codes: Vec<String> = result
            .dot("codes")
            .and_then(|c| c.as_array())
            .map(|a| a.borrow().iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        codes.sort();
        Verdict {
            decision: result.dot("decision").and_then(|d| d.as_str().map(str::to_owned)).unwrap_or_else(|| "?".into()),
            codes,
            refund_cents: result
                .dot("refund_cents")
                .and_then(|r| r.as_number())
                .and_then(|n| n.trunc().to_string().parse().ok()),
        }
    }
}

/// An engine with its inputs, type-erased for the rounds.
/// `eval(i, true)` starts from case `i`'s JSON text, `eval(i, false)` from its input
/// already in the engine's form; `line(text, out)` evaluates one batch line and writes
/// its result line.
/// Evaluates one batch line and writes its result line.
type LineFn<'a> = Box<dyn FnMut(&str, &mut Vec<u8>) + 'a>;

/// An engine's name and a run of its workload that says how many evaluations it made.
type Run<'a> = (&'static str, Box<dyn FnMut() -> u64 + 'a>);

/// An engine's name, its median throughput and, against tenet, the ratio's median and range.
type Median<'a> = (&'a str, f64, Option<(f64, f64, f64)>);

struct Runner<'a> {
    name: &'static str,
    eval: Box<dyn FnMut(usize, bool) -> Verdict + 'a>,
    line: LineFn<'a>,
}

fn runner<'a, E: Engine + 'a>(engine: E, cases: &[Case]) -> Runner<'a> {
    let inputs: Vec<E::Input> = cases.iter().map(|c| engine.prepare(&c.facts)).collect();
    let texts: Vec<String> = cases.iter().map(|c| c.facts.to_string()).collect();
    let name = engine.name();
    let engine = std::rc::Rc::new(std::cell::RefCell::new(engine));
    let for_lines = std::rc::Rc::clone(&engine);
    Runner {
        name,
        eval: Box::new(move |i, from_text| {
            let mut engine = engine.borrow_mut();
            if from_text {
                let input = engine.prepare_text(&texts[i]);
                engine.eval(&input)
            } else {
                engine.eval(&inputs[i])
            }
        }),
        line: Box::new(move |text, out| {
            let mut engine = for_lines.borrow_mut();
            let input = engine.prepare_text(text);
            engine.eval(&input).write_line(out);
        }),
    }
}

/// A workload: what one unit of it is, and per engine a unit's run, which returns how
/// many evaluations it made.
struct Workload<'a> {
    what: &'static str,
    runs: Vec<Run<'a>>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

fn main() {
    // `lines N`: the batch input, N JSON lines of the cases' facts in turn, to standard
    // output (for timing `tenet eval --batch` on a file).
    if std::env::args().nth(1).as_deref() == Some("lines") {
        let n = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        std::io::Write::write_all(&mut out, common::return_lines(n).as_bytes()).expect("written");
        return;
    }
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    // An optional second argument keeps only the cases whose name contains it.
    let only = std::env::args().nth(2).unwrap_or_default();
    let cases: Vec<Case> = cases().into_iter().filter(|c| c.name.contains(&only)).collect();
    assert!(!cases.is_empty(), "no case name contains {only:?}");
    let tenet = Tenet { policy: tenet::Policy::load(root().join("rules/returns.tenet")).expect("valid policy") };
    let mut runners = vec![
        runner(tenet, &cases),
        runner(Zen::new(), &cases),
        runner(RegoVm::new(), &cases),
        runner(RegoInterpreter { engine: rego_engine() }, &cases),
    ];

    // Agreement first: a benchmark of engines that disagree measures nothing.
    let mut disagreements = 0;
    for (i, case) in cases.iter().enumerate() {
        for r in runners.iter_mut() {
            let got = (r.eval)(i, false);
            let text_got = (r.eval)(i, true);
            if text_got != got {
                println!("{}: {} gives a different verdict from JSON text", case.name, r.name);
                disagreements += 1;
            }
            let mut want = case.expected.clone();
            if !case.refund_stated {
                want.refund_cents = got.refund_cents;
            }
            if got != want {
                println!("{}: {} DISAGREES\n  got  {got:?}\n  want {want:?}", case.name, r.name);
                disagreements += 1;
            }
        }
    }
    println!("{} cases × {} engines: {disagreements} disagreements", cases.len(), runners.len());
    if disagreements > 0 {
        std::process::exit(1);
    }

    let n = cases.len() as u64;
    let runners_cell = std::cell::RefCell::new(runners);
    let runners = &runners_cell;
    let case_count = cases.len();
    let per_engine = |from_text: bool| -> Vec<Run<'_>> {
        (0..runners.borrow().len())
            .map(|k| {
                let name = runners.borrow()[k].name;
                let run: Box<dyn FnMut() -> u64 + '_> = Box::new(move || {
                    let mut runners = runners.borrow_mut();
                    for i in 0..case_count {
                        std::hint::black_box((runners[k].eval)(i, from_text));
                    }
                    n
                });
                (name, run)
            })
            .collect()
    };

    // The batch: the cases' JSON lines in turn, 2 000 a unit.
    const BATCH: usize = 2_000;
    let lines = common::return_lines(BATCH);
    let now = "2026-12-01T12:00:00+08:00".parse().expect("now");
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
    let batch_policy = common::bundled("returns");
    let mut batch: Vec<Run<'_>> = vec![(
        "tenet",
        Box::new(|| {
            let mut out = Vec::with_capacity(lines.len());
            let summary = one_thread.install(|| {
                tenet_cli::batch::run(&batch_policy, &mut lines.as_bytes(), &mut out, now, &mut |_| {}).expect("batch")
            });
            std::hint::black_box(&out);
            summary.cases as u64
        }),
    )];
    for k in 1..runners.borrow().len() {
        let name = runners.borrow()[k].name;
        let lines = &lines;
        batch.push((
            name,
            Box::new(move || {
                let mut runners = runners.borrow_mut();
                let mut out = Vec::with_capacity(lines.len());
                for line in lines.lines() {
                    (runners[k].line)(line, &mut out);
                }
                std::hint::black_box(&out);
                BATCH as u64
            }),
        ));
    }

    // The SLA month, tenet only.
    let sla = common::bundled("support_sla");
    let month = sla.facts_from_json(&common::month_of_tickets(200)).expect("valid month");
    let month_now = month.now().expect("now");
    let sla_runs: Vec<Run<'_>> = vec![(
        "tenet",
        Box::new(|| {
            std::hint::black_box(sla.evaluate(&month, month_now).expect("evaluates"));
            1
        }),
    )];

    let mut workloads = [
        Workload { what: "return decision, input already in each engine's form", runs: per_engine(false) },
        Workload {
            what: "return decision from JSON text (parsing, and for tenet validating, inside the timing)",
            runs: per_engine(true),
        },
        Workload { what: "batch: JSON lines in, result lines out, one thread", runs: batch },
        Workload { what: "SLA month of 200 tickets", runs: sla_runs },
    ];

    let mut per_round: Vec<Vec<Vec<f64>>> = workloads.iter().map(|w| vec![Vec::new(); w.runs.len()]).collect();
    for round in 0..rounds {
        for (w, workload) in workloads.iter_mut().enumerate() {
            for (k, (_, run)) in workload.runs.iter_mut().enumerate() {
                let start = Instant::now();
                let mut done = 0u64;
                while start.elapsed().as_secs_f64() < 0.3 {
                    done += run();
                }
                per_round[w][k].push(done as f64 / start.elapsed().as_secs_f64());
            }
        }
        eprint!("\rround {}/{rounds}", round + 1);
    }
    eprintln!();

    let mut medians: Vec<Vec<Median<'_>>> = Vec::new();
    for (w, workload) in workloads.iter().enumerate() {
        println!(
            "\n{} (cases: {}; {rounds} rounds alternating engines, one thread, mimalloc):",
            workload.what,
            cases.len()
        );
        println!("| engine | per second (median) | µs each | tenet ÷ engine, median (range) |");
        println!("|---|---|---|---|");
        let tenet_rounds = per_round[w][0].clone();
        let mut row = Vec::new();
        for (k, (name, _)) in workload.runs.iter().enumerate() {
            let med = median(&mut per_round[w][k].clone());
            let mut ratios: Vec<f64> = tenet_rounds.iter().zip(&per_round[w][k]).map(|(t, x)| t / x).collect();
            let (lo, hi) = ratios.iter().fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
            let ratio = median(&mut ratios);
            let shown = if k == 0 { "—".to_owned() } else { format!("{ratio:.1}× ({lo:.1}–{hi:.1}×)") };
            println!("| {name} | {med:.0} | {:.2} | {shown} |", 1e6 / med);
            row.push((*name, med, (k > 0).then_some((ratio, lo, hi))));
        }
        medians.push(row);
    }

    // The buyer's table: one row per workload, one column per engine.
    let names: Vec<&str> = medians[0].iter().map(|(n, _, _)| *n).collect();
    println!("\nPer core, medians of {rounds} rounds (a million lines: the time at the measured rate):");
    println!("| workload | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (w, row) in medians.iter().enumerate() {
        let cell = |name: &str| -> String {
            let Some((_, med, ratio)) = row.iter().find(|(n, _, _)| *n == name) else { return "—".into() };
            let figure = if w == 2 { format!("{:.1} s", 1e6 / med) } else { format!("{med:.0}/s") };
            match ratio {
                Some((r, _, _)) => format!("{figure} (tenet {r:.1}×)"),
                None => figure,
            }
        };
        let label =
            ["return decision", "return decision from JSON", "a million batch lines", "SLA month, 200 tickets"][w];
        println!("| {label} | {} |", names.iter().map(|n| cell(n)).collect::<Vec<_>>().join(" | "));
    }
}
