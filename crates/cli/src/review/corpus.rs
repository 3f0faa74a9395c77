//! A corpus of case files: where they are, which policy each belongs to, each policy
//! loaded once.
//!
//! A case names its policy with `policy:` (relative to the case file, or to a folder
//! above it). Without it, the directory convention applies: a case under
//! `…/cases/<name>/…` belongs to `rules/<name>.tenet`, with `rules/` looked for beside
//! the `cases` folder and then beside each folder above it (so `tests/cases/returns/x.yaml`
//! runs against `rules/returns.tenet` at the project's root).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenet::Policy;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg};

/// Test case files under `paths` (a file is taken as it is; a folder means every
/// `.yaml`, `.yml` and `.json` file under it), sorted, each once.
pub fn case_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        out.extend(crate::files::collect(path, &["yaml", "yml", "json"], &mut |_| {})?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The policy file a case belongs to: the one its `policy:` names, else the folder
/// convention.
pub fn policy_for(case_path: &Path, named: Option<&str>) -> Result<PathBuf, Msg> {
    if let Some(name) = named {
        return tenet::source::locate(case_path, name).map_err(|e| match e {
            tenet::source::LocateError::NotFound { .. } => {
                msg!("找不到案例指定的策略 {name}", "the policy {name} the case names cannot be found")
            }
            outside => outside.message(),
        });
    }
    // The convention reads the folders the case lies in, however its path is spelled.
    let absolute = std::path::absolute(case_path).unwrap_or_else(|_| case_path.to_path_buf());
    let parts: Vec<&std::ffi::OsStr> = absolute.iter().collect();
    let Some(at) = parts.iter().rposition(|p| *p == "cases") else {
        return Err(Msg::new(
            "案例没有写 `policy:`，也不在 `cases/<策略名>/` 目录下",
            "the case has no `policy:` and is not under a `cases/<policy>/` folder",
        ));
    };
    let Some(name) = parts.get(at + 1).filter(|_| at + 2 < parts.len()) else {
        return Err(Msg::new("案例应放在 `cases/<策略名>/` 目录下", "put the case under a `cases/<policy>/` folder"));
    };
    let cases_dir: PathBuf = parts.iter().take(at + 1).collect();
    let rel = format!("rules/{}.tenet", name.to_string_lossy());
    // `locate` looks from a file's folder: the cases folder is that of a file in it.
    let found = tenet::source::locate(&cases_dir.join("case"), &rel).map_err(|_| {
        msg!("找不到策略 {rel}（按目录约定）", "the policy {rel} (by the folder convention) cannot be found")
    })?;
    // Shown as the case's path was spelled: relative to the current folder when it was.
    Ok(match std::env::current_dir() {
        Ok(cwd) if case_path.is_relative() => found.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(found),
        _ => found,
    })
}

/// Policies by path, each loaded once; a broken one keeps its diagnostics.
#[derive(Default)]
pub struct Policies {
    loaded: BTreeMap<PathBuf, Result<Policy, Vec<Diagnostic>>>,
}

impl Policies {
    /// The policy at `path`.
    pub fn get(&mut self, path: &Path) -> &Result<Policy, Vec<Diagnostic>> {
        self.loaded.entry(path.to_path_buf()).or_insert_with(|| Policy::load(path).map_err(|e| e.errors()))
    }

    /// Every policy loaded so far, by path.
    pub fn all(&self) -> impl Iterator<Item = (&PathBuf, &Result<Policy, Vec<Diagnostic>>)> {
        self.loaded.iter()
    }
}
