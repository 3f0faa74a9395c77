//! The engine's design, stated once and checked on every test run: each top-level module
//! of `src/` belongs to one layer, and a module imports only from layers before its own.
//! Within a module, no two files import each other, and in no crate of the workspace
//! (the engine and every member under `crates/`) do modules import each other in a
//! circle. The engine's dependency tree carries none of the applications' crates.
//!
//! To add a module, give it a place in [`LAYERS`]; to import across layers, the import
//! must point down. If it cannot, the code is in the wrong layer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. Data flows the same way: text is read (`source`), parsed
/// (`syntax`), checked (`check`), compiled (`compile`) into a program (`ir`) whose
/// expressions `interp` computes, evaluated (`eval`) and replayed (`workflow`); `policy`
/// is the public front door and `limits` lists every bound in one place.
const LAYERS: &[(&str, &str)] = &[
    ("source", "source files, spans, reading files"),
    ("diagnostics", "one diagnostic type for every stage, rendering, the list of codes"),
    ("document", "YAML and JSON documents as parsed, with positions"),
    ("lang", "types, operators and builtins shared by checker and runtime"),
    ("time", "calendars, holiday files, clock arithmetic"),
    ("value", "runtime values and how they are shown"),
    ("facts", "facts validated against a schema"),
    (
        "syntax",
        "text to AST; the only module that sees pest (plain table rows are read without it, to the same AST: `plain.rs`)",
    ),
    ("check", "names, types, tables, lints"),
    ("ir", "the compiled program"),
    ("interp", "how compiled expressions compute (also folds constants for compile)"),
    ("compile", "checked policy to program"),
    ("eval", "rules, ledgers, decision, explanation"),
    ("workflow", "event histories replayed through the stage graph"),
    ("policy", "the public API: load, evaluate, explain, replay"),
    ("analysis", "the policy as an editor sees it: symbols, uses, completion"),
    ("limits", "every limit, re-exported in one place"),
];

/// Crates the engine must never depend on, even indirectly: they belong to the
/// applications in `crates/`.
const APPLICATION_CRATES: &[&str] = &[
    "clap",
    "indicatif",
    "minijinja",
    "pulldown-cmark",
    "rayon",
    "mimalloc",
    "tokio",
    "axum",
    "sqlx",
    "hyper",
    "reqwest",
    "plotters",
    "tempfile",
    "walkdir",
    "lsp-server",
    "lsp-types",
    "docx-rs",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("readable src").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/check/expr.rs` is `["check", "expr"]`.
fn module_of(path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.last_mut() {
        *last = last.trim_end_matches(".rs").to_owned();
    }
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code without comments and without test modules: what the library itself uses.
fn library_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if !in_string => {
                in_string = true;
                out.push(c);
            }
            '"' if in_string => {
                in_string = false;
                out.push(c);
            }
            '\\' if in_string => {
                chars.next();
            }
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ if in_string => {}
            _ => out.push(c),
        }
    }
    out
}

/// Files that exist only for tests: declared `#[cfg(test)] mod name;` by their parent.
fn test_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(path).expect("readable");
        let folder = if path.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs") {
            path.parent().expect("a folder").to_path_buf()
        } else {
            path.with_extension("")
        };
        for chunk in text.split("#[cfg(test)]\nmod ").skip(1) {
            if let Some(name) = chunk.split(';').next().filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_')) {
                out.insert(folder.join(format!("{name}.rs")));
                out.insert(folder.join(name).join("mod.rs"));
            }
        }
    }
    out
}

/// Every `crate::a::b` path a file names, as module paths (`["a", "b"]`), including the
/// items of `use crate::{a::b, c}` lists.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = matching_brace(list);
            for item in split_top_level(&list[..end]) {
                out.push(path_words(item));
            }
        } else {
            out.push(path_words(rest));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(text[start..].trim());
    items
}

fn path_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    loop {
        let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if word.is_empty() {
            break;
        }
        rest = &rest[word.len()..];
        words.push(word);
        match rest.strip_prefix("::") {
            Some(r) if !r.starts_with('{') => rest = r,
            _ => break,
        }
    }
    words
}

struct Engine {
    /// Library files with their module paths and the module paths they name.
    files: Vec<(PathBuf, Vec<String>, Vec<Vec<String>>)>,
}

fn engine() -> Engine {
    let mut all = Vec::new();
    rust_files(&src(), &mut all);
    let tests = test_files(&all);
    let files = all
        .into_iter()
        .filter(|p| !tests.contains(p))
        .map(|p| {
            let code = library_code(&std::fs::read_to_string(&p).expect("readable"));
            let module = module_of(&p);
            (p, module, crate_paths(&code))
        })
        .collect();
    Engine { files }
}

fn layer(name: &str) -> Option<usize> {
    LAYERS.iter().position(|(l, _)| *l == name)
}

#[test]
fn every_module_has_a_layer() {
    let mut unplaced = BTreeSet::new();
    for (path, module, _) in engine().files {
        if let Some(top) = module.first()
            && layer(top).is_none()
            && top != "test_support"
        {
            unplaced.insert(format!("{top} ({})", path.display()));
        }
    }
    assert!(unplaced.is_empty(), "modules without a layer in tests/architecture.rs: {unplaced:?}");
}

#[test]
fn every_import_points_down() {
    let mut upward = Vec::new();
    for (path, module, names) in engine().files {
        let Some(from) = module.first().and_then(|m| layer(m)) else { continue };
        for name in names {
            let Some(top) = name.first() else { continue };
            // Items of the crate root (`crate::Policy`) are the API layer's.
            let to = match top.as_str() {
                "Policy" | "LoadError" => layer("policy"),
                "Resolver" => layer("source"),
                other => layer(other),
            };
            if let Some(to) = to
                && to > from
            {
                upward.push(format!(
                    "{} imports crate::{} ({} → {})",
                    path.display(),
                    name.join("::"),
                    LAYERS[from].0,
                    LAYERS[to].0
                ));
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up a layer:\n{}", upward.join("\n"));
}

#[test]
fn no_two_files_import_each_other() {
    let engine = engine();
    let modules: BTreeSet<Vec<String>> = engine.files.iter().map(|(_, m, _)| m.clone()).collect();
    // The module a path names: its longest prefix that is a module.
    let resolve = |path: &[String]| (1..=path.len()).rev().map(|k| path[..k].to_vec()).find(|p| modules.contains(p));
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (_, module, names) in &engine.files {
        for name in names {
            // A module using its own parent (`super::Checker`) or children is one unit.
            if let Some(to) = resolve(name)
                && !to.starts_with(module)
                && !module.starts_with(&to)
            {
                edges.entry(module.clone()).or_default().insert(to);
            }
        }
    }
    let mut mutual = Vec::new();
    for (a, targets) in &edges {
        for b in targets {
            if a < b && edges.get(b).is_some_and(|t| t.contains(a)) {
                mutual.push(format!("{} <-> {}", a.join("::"), b.join("::")));
            }
        }
    }
    assert!(mutual.is_empty(), "modules that import each other:\n{}", mutual.join("\n"));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    // The scanner itself: comments and strings are not imports, lists are.
    let code = library_code("use crate::{a::b, c};\n// crate::hidden\nlet s = \"crate::text\";\nx(crate::d::e)");
    let paths = crate_paths(&code);
    let expected: Vec<Vec<String>> =
        [vec!["a", "b"], vec!["c"], vec!["d", "e"]].iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect();
    assert_eq!(paths, expected);
    assert_eq!(module_of(&src().join("check/expr.rs")), ["check", "expr"]);
    assert_eq!(module_of(&src().join("eval/mod.rs")), ["eval"]);
}

#[test]
fn the_engine_carries_no_application_crate() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "-p", "tenet", "-e", "normal", "--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: BTreeSet<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains("pest"), "the tree lists the engine's dependencies: {crates:?}");
    let found: Vec<&&str> = APPLICATION_CRATES.iter().filter(|c| crates.contains(**c)).collect();
    assert!(found.is_empty(), "the engine depends on application crates: {found:?}");
}

/// A crate's source folders: the engine's `src/` and each member's `crates/*/src`.
fn crate_sources() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![("tenet".to_owned(), src())];
    let mut members: Vec<PathBuf> =
        std::fs::read_dir(root.join("crates")).expect("crates/").map(|e| e.expect("an entry").path()).collect();
    members.sort();
    for m in members {
        if m.join("src").is_dir() {
            out.push((m.file_name().expect("a name").to_string_lossy().into_owned(), m.join("src")));
        }
    }
    out
}

/// The module path of a file under `base`.
fn module_in(base: &Path, path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(base).expect("under the crate's src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.last_mut() {
        *last = last.trim_end_matches(".rs").to_owned();
    }
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

/// Every module path a file of module `module` names through `crate::`, `super::` or
/// `self::`, made absolute (`super::x` in `a::b` is `a::x`).
fn named_modules(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = crate_paths(code);
    for (keyword, up) in [("super::", 1usize), ("self::", 0usize)] {
        for (i, _) in code.match_indices(keyword) {
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut rest = &code[i + keyword.len()..];
            let mut levels = up;
            while let Some(r) = rest.strip_prefix("super::") {
                levels += 1;
                rest = r;
            }
            let Some(base) = module.len().checked_sub(levels).map(|n| module[..n].to_vec()) else { continue };
            let items: Vec<Vec<String>> = match rest.strip_prefix('{') {
                Some(list) => split_top_level(&list[..matching_brace(list)]).into_iter().map(path_words).collect(),
                None => vec![path_words(rest)],
            };
            for item in items.into_iter().filter(|p| !p.is_empty()) {
                out.push(base.iter().cloned().chain(item).collect());
            }
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// The groups of modules of one crate that import each other in a circle (a module and
/// its own parent or children count as one; the crate root is everyone's parent).
fn circles(base: &Path) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    rust_files(base, &mut all);
    let tests = test_files(&all);
    let files: Vec<(Vec<String>, Vec<Vec<String>>)> = all
        .iter()
        .filter(|p| !tests.contains(*p) && !p.starts_with(base.join("bin")))
        .map(|p| {
            let module = module_in(base, p);
            let code = library_code(&std::fs::read_to_string(p).expect("readable"));
            let names = named_modules(&code, &module);
            (module, names)
        })
        .collect();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    let resolve = |path: &[String]| (1..=path.len()).rev().map(|k| path[..k].to_vec()).find(|p| modules.contains(p));
    let mut edges: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, names) in &files {
        for name in names {
            if let Some(to) = resolve(name)
                && !to.starts_with(module)
                && !module.starts_with(&to)
            {
                edges.entry(module).or_default().insert(to);
            }
        }
    }
    // Reachability from each module; two that reach each other share a circle.
    let reach = |from: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> = modules.iter().map(|m| (m, reach(m))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for (m, seen) in &reached {
        if seen.contains(*m) {
            let group: Vec<String> =
                seen.iter().filter(|o| reached.get(o).is_some_and(|r| r.contains(*m))).map(|o| o.join("::")).collect();
            groups.insert(group);
        }
    }
    groups.into_iter().map(|g| g.into_iter().collect()).collect()
}

#[test]
fn no_crate_has_a_circle_of_imports() {
    let mut found = Vec::new();
    for (name, base) in crate_sources() {
        for circle in circles(&base) {
            found.push(format!("{name}: {}", circle.join(" → ")));
        }
    }
    assert!(found.is_empty(), "modules that import each other in a circle:\n{}", found.join("\n"));
}

#[test]
fn the_circle_finder_sees_super_and_self() {
    let module: Vec<String> = vec!["commands".into(), "eval".into()];
    let code = library_code("use super::{check::policy_files, Exit};\nself::batch::run();\nsuper::super::x::y();");
    let named = named_modules(&code, &module);
    let shown: Vec<String> = named.iter().map(|p| p.join("::")).collect();
    assert_eq!(shown, ["commands::check::policy_files", "commands::Exit", "x::y", "commands::eval::batch::run"]);
    // A circle through three files of a made-up crate is found; the parent and child pair
    // beside it is not a circle.
    let dir = std::env::temp_dir().join(format!("tenet-arch-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("p")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a; mod b; mod c; mod p;").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::b::x;").unwrap();
    std::fs::write(dir.join("b.rs"), "use super::c::y;").unwrap();
    std::fs::write(dir.join("c.rs"), "fn f() { crate::a::z(); }").unwrap();
    std::fs::write(dir.join("p/mod.rs"), "mod q; use self::q::w;").unwrap();
    std::fs::write(dir.join("p/q.rs"), "use super::v;").unwrap();
    let found = circles(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found, [vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
    assert!(crate_sources().len() >= 6, "the engine and its member crates");
}

/// `docs/src/architecture.md` shows this file's table of layers, row for row.
#[test]
fn the_architecture_page_shows_the_layers() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/architecture.md"))
        .expect("docs/src/architecture.md");
    let rows: Vec<&str> =
        page.lines().filter(|l| l.starts_with("| ") && l[2..].starts_with(|c: char| c.is_ascii_digit())).collect();
    let expected: Vec<String> =
        LAYERS.iter().enumerate().map(|(i, (name, what))| format!("| {} | `{name}` | {what} |", i + 1)).collect();
    assert_eq!(rows, expected, "update the table in docs/src/architecture.md");
}

/// In the report crate, `formats` read `reports` and never the other way round: a report
/// is computed once, whatever it is written as.
#[test]
fn reports_do_not_know_their_formats() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/report/src");
    let mut files = Vec::new();
    rust_files(&base.join("reports"), &mut files);
    assert!(!files.is_empty(), "crates/report/src/reports/ holds the reports");
    let mut wrong = Vec::new();
    for path in files {
        let module = module_in(&base, &path);
        let code = library_code(&std::fs::read_to_string(&path).expect("readable"));
        for named in named_modules(&code, &module) {
            if named.first().is_some_and(|m| m == "formats") {
                wrong.push(format!("{} names {}", path.display(), named.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "reports that import a format:\n{}", wrong.join("\n"));
}
