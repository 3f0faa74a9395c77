//! The policies a server serves: every `.tenet` file of a folder, checked at start and
//! at reload, each version kept by its content hash so a case keeps the version it was
//! opened with.
//!
//! A version is everything the policy reads: its text and every file it names (the
//! holiday files of its calendars), hashed together and kept together in the database.
//! A case's version is compiled from the database alone, the same on every replica
//! whatever its `--policies` folder; a calendar edited on disk is a new version for new
//! cases, never a change to open ones.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenet::Policy;
use tenet::diagnostics::Diagnostic;
use tenet::source::{ReadError, SourceFile};

use crate::ids::sha256_hex;

/// One compiled policy version.
#[derive(Debug)]
pub struct Loaded {
    /// The compiled policy.
    pub policy: Policy,
    /// SHA-256 of its source text.
    pub hash: String,
    /// The file it was read from (for people: the version does not depend on it).
    pub path: String,
    /// Its source text.
    pub source: String,
    /// The files it names, as it names them (`calendars/cn-2026.yaml`), with their text.
    pub files: BTreeMap<String, String>,
}

/// Candidate policies (`--shadow`), by the name of the live policy each shadows.
pub type Candidates = std::collections::HashMap<String, std::sync::Arc<Loaded>>;

/// The policies being served, by name, and every version seen, by hash.
#[derive(Debug, Default)]
pub struct Registry {
    current: BTreeMap<String, Arc<Loaded>>,
    by_hash: HashMap<String, Arc<Loaded>>,
}

/// A policy file that failed to load.
#[derive(Debug)]
pub struct Broken {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles a policy from its text, as read from `path`: the files it names are read
/// from disk, relative to `path`, and become part of the version.
pub fn compile(path: &str, source: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let folder = Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default();
    let read: RefCell<BTreeMap<String, String>> = RefCell::default();
    let resolve = |name: &str| -> Result<Arc<SourceFile>, ReadError> {
        let file = tenet::source::read_source(&folder.join(name))?;
        read.borrow_mut().insert(name.to_owned(), file.text().to_owned());
        Ok(file)
    };
    let policy = Policy::from_source_with(&SourceFile::new(path, source), &resolve).map_err(|e| e.errors())?;
    let files = read.into_inner();
    Ok(Loaded { policy, hash: version_hash(source, &files), path: path.to_owned(), source: source.to_owned(), files })
}

/// Compiles a kept version from what the database holds alone — its text and the files
/// it named — under the hash it was kept by. Nothing is read from disk.
pub fn compile_kept(
    hash: &str,
    path: &str,
    source: &str,
    files: BTreeMap<String, String>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let folder = Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |name: &str| -> Result<Arc<SourceFile>, ReadError> {
        match files.get(name) {
            Some(text) => Ok(SourceFile::new(folder.join(name).display().to_string(), text.as_str())),
            None => Err(ReadError::Io {
                path: name.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not kept with this policy version"),
            }),
        }
    };
    let policy = Policy::from_source_with(&SourceFile::new(path, source), &resolve).map_err(|e| e.errors())?;
    Ok(Loaded { policy, hash: hash.to_owned(), path: path.to_owned(), source: source.to_owned(), files })
}

/// The version's hash: SHA-256 of its text and of every file it reads, each named, with
/// their lengths, so no two different versions share one.
pub fn version_hash(source: &str, files: &BTreeMap<String, String>) -> String {
    if files.is_empty() {
        // A policy that reads no file: the hash of its text, as before files were kept.
        return sha256_hex(source.as_bytes());
    }
    let mut all = format!("tenet policy version\n{}\n{source}", source.len());
    for (name, text) in files {
        all.push_str(&format!("\n{}\n{name}\n{}\n{text}", name.len(), text.len()));
    }
    sha256_hex(all.as_bytes())
}

/// Loads every `.tenet` file directly in `dir`, in name order; all or nothing.
pub fn load_folder(dir: &Path) -> Result<Vec<Loaded>, Vec<Broken>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let d = Diagnostic::error(
                "unreadable",
                tenet::diagnostics::Msg::new(
                    format!("无法读取策略目录 {}：{e}", dir.display()),
                    format!("cannot read the policy folder {}: {e}", dir.display()),
                ),
            );
            return Err(vec![Broken { path: dir.to_path_buf(), diagnostics: vec![d] }]);
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tenet"))
        .collect();
    paths.sort();
    let mut loaded = Vec::new();
    let mut broken = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let result = std::fs::read_to_string(&path)
            .map_err(|e| {
                vec![Diagnostic::error(
                    "unreadable",
                    tenet::diagnostics::Msg::new(format!("无法读取 {shown}：{e}"), format!("cannot read {shown}: {e}")),
                )]
            })
            .and_then(|text| compile(&shown, &text));
        match result {
            Ok(l) => loaded.push(l),
            Err(diagnostics) => broken.push(Broken { path, diagnostics }),
        }
    }
    let mut names: Vec<&str> = loaded.iter().map(|l| l.policy.name()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| matches!(w, [a, b] if a == b)) {
        let name = w.first().copied().unwrap_or_default();
        let d = Diagnostic::error(
            "duplicate-policy",
            tenet::diagnostics::Msg::new(
                format!("两个策略文件都叫 `{name}`"),
                format!("two policy files are both named `{name}`"),
            ),
        );
        broken.push(Broken { path: dir.to_path_buf(), diagnostics: vec![d] });
    }
    if broken.is_empty() { Ok(loaded) } else { Err(broken) }
}

impl Registry {
    /// Serves `loaded` from now on; versions replaced stay reachable by hash.
    pub fn install(&mut self, loaded: Vec<Loaded>) {
        self.current.clear();
        for l in loaded {
            let l = Arc::new(l);
            self.by_hash.insert(l.hash.clone(), Arc::clone(&l));
            self.current.insert(l.policy.name().to_owned(), l);
        }
    }

    /// Keeps an older version (read back from the database) reachable by its hash.
    pub fn remember(&mut self, loaded: Loaded) -> Arc<Loaded> {
        let l = Arc::new(loaded);
        self.by_hash.insert(l.hash.clone(), Arc::clone(&l));
        l
    }

    /// The version served under `name`.
    pub fn current(&self, name: &str) -> Option<Arc<Loaded>> {
        self.current.get(name).cloned()
    }

    /// A version by content hash.
    pub fn by_hash(&self, hash: &str) -> Option<Arc<Loaded>> {
        self.by_hash.get(hash).cloned()
    }

    /// The names served, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.current.keys().map(String::as_str)
    }

    /// The versions served.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Loaded>> {
        self.current.values()
    }
}
