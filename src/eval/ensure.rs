//! `ensure` constraints: checked on the facts before anything is evaluated. Each
//! broken one becomes a diagnostic naming the fact (`tickets[2].resolved_at`).

use crate::diagnostics::codes;
use crate::diagnostics::{Diagnostic, Msg};
use crate::interp::{Ctx, Trap};
use crate::ir::{Ensure, ListPath, Program};
use crate::value::Value;

/// Every broken constraint, in declaration and item order.
pub(super) fn check(program: &Program, ctx: &Ctx<'_>) -> Result<Vec<Diagnostic>, Box<Trap>> {
    let mut broken = Vec::new();
    for e in &program.ensures {
        let mut frame = Vec::new();
        let mut places = Vec::new();
        walk(program, ctx, e, 0, &mut frame, &mut places, &mut broken)?;
    }
    Ok(broken)
}

/// The path of each loop's current item (`tickets[2]`, `tickets[2].paused[0]`), built
/// only when a constraint is broken.
fn item_paths(e: &Ensure, places: &[usize]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::with_capacity(places.len());
    for (lp, i) in e.each.iter().zip(places) {
        let path = match &lp.path {
            ListPath::Fact(p) | ListPath::Text(p) => format!("{p}[{i}]"),
            ListPath::Below(l, p) => format!("{}{p}[{i}]", paths.get(*l as usize).map_or("", String::as_str)),
        };
        paths.push(path);
    }
    paths
}

fn walk(
    program: &Program,
    ctx: &Ctx<'_>,
    e: &Ensure,
    depth: usize,
    frame: &mut Vec<Value>,
    places: &mut Vec<usize>,
    broken: &mut Vec<Diagnostic>,
) -> Result<(), Box<Trap>> {
    let Some(lp) = e.each.get(depth) else {
        if ctx.truth(&e.cond, frame)? == Some(false) {
            let zh = ctx.interpolate(&e.message.zh, frame, true)?;
            let en = match &e.message.en {
                Some(en) => ctx.interpolate(en, frame, false)?,
                None => zh.clone(),
            };
            let mut d = Diagnostic::error(codes::INVALID_FACT, Msg::new(zh.to_string(), en.to_string()));
            match &e.path {
                Some((local, names)) => {
                    let paths = item_paths(e, places);
                    let base = local.and_then(|l| paths.get(l as usize)).cloned();
                    let path = match base {
                        Some(b) if names.is_empty() => b,
                        Some(b) => format!("{b}.{}", names.join(".")),
                        None => names.join("."),
                    };
                    d = d.at_path(path);
                }
                None => d = d.at(e.span).in_file(&program.file),
            }
            broken.push(d);
        }
        return Ok(());
    };
    ctx.each_kept(lp, frame, |frame, i, _| {
        places.push(i);
        walk(program, ctx, e, depth + 1, frame, places, broken)?;
        places.pop();
        Ok(())
    })
}
