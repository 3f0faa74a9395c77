//! `tenet.toml`: the project file. Its folder is the project's root (the engine resolves a
//! data file's paths up to it, `.git` or not); its settings are the defaults of the
//! commands — the policy folder, the cases, the language, the service's database and
//! address — so a project runs the same from any of its folders. A flag always wins.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg};
use tenet::source::PROJECT_FILE;

/// The settings of a `tenet.toml`, every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    project: ProjectSettings,
    #[serde(default)]
    serve: ServeSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectSettings {
    policies: Option<PathBuf>,
    cases: Option<PathBuf>,
    lang: Option<Lang>,
}

/// The default `--lang`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Lang {
    Zh,
    En,
    Both,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeSettings {
    db: Option<String>,
    listen: Option<String>,
    tokens: Option<PathBuf>,
    agreements: Option<PathBuf>,
    webhooks: Option<PathBuf>,
    shadow: Option<PathBuf>,
}

/// A project found by its `tenet.toml`.
#[derive(Debug)]
pub(crate) struct Project {
    root: PathBuf,
    settings: Settings,
}

impl Project {
    /// The project the current folder lies in: the nearest `tenet.toml` at or above it.
    /// None without one; an unreadable or invalid file is an error naming it.
    pub(crate) fn discover() -> Result<Option<Project>, Diagnostic> {
        let Ok(cwd) = std::env::current_dir() else { return Ok(None) };
        let Some(root) = cwd.ancestors().find(|d| d.join(PROJECT_FILE).is_file()) else { return Ok(None) };
        Project::read(root).map(Some)
    }

    /// Reads `root/tenet.toml`.
    pub(crate) fn read(root: &Path) -> Result<Project, Diagnostic> {
        let path = root.join(PROJECT_FILE);
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::error("project-file", msg!("无法读取 {shown}：{e}", "cannot read {shown}: {e}"))
        })?;
        let settings: Settings = toml::from_str(&text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
            let reason = e.message().to_owned();
            Diagnostic::error(
                "project-file",
                msg!("{shown}:{line}:{column}：{reason}", "{shown}:{line}:{column}: {reason}"),
            )
            .help(Msg::new(
                "可用的设置：[project] policies、cases、lang（zh、en、both）；[serve] db、listen、tokens、agreements、webhooks、shadow",
                "the settings are [project] policies, cases, lang (zh, en, both) and [serve] db, listen, tokens, agreements, webhooks, shadow",
            ))
        })?;
        Ok(Project { root: root.to_path_buf(), settings })
    }

    /// A path of the file, made a path from the current folder (relative when the
    /// current folder is the root or above it, so messages stay short).
    fn resolve(&self, path: &Path) -> PathBuf {
        let full = self.root.join(path);
        match std::env::current_dir() {
            Ok(cwd) => match full.strip_prefix(&cwd) {
                Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
                Ok(rel) => rel.to_path_buf(),
                Err(_) => full,
            },
            Err(_) => full,
        }
    }

    /// The policy folder (`[project] policies`, default `rules`).
    pub(crate) fn policies(&self) -> PathBuf {
        self.resolve(self.settings.project.policies.as_deref().unwrap_or(Path::new("rules")))
    }

    /// What `tenet test` runs (`[project] cases`, default `tests/cases`).
    pub(crate) fn cases(&self) -> PathBuf {
        self.resolve(self.settings.project.cases.as_deref().unwrap_or(Path::new("tests/cases")))
    }

    /// The default `--lang`, when the file sets one.
    pub(crate) fn lang(&self) -> Option<Lang> {
        self.settings.project.lang
    }

    /// `[serve] db`; a `sqlite://` path is relative to the root.
    pub(crate) fn db(&self) -> Option<String> {
        let db = self.settings.serve.db.as_deref()?;
        Some(match db.strip_prefix("sqlite://") {
            Some(file) if Path::new(file).is_relative() => {
                format!("sqlite://{}", self.resolve(Path::new(file)).display())
            }
            _ => db.to_owned(),
        })
    }

    /// `[serve] listen`.
    pub(crate) fn listen(&self) -> Option<String> {
        self.settings.serve.listen.clone()
    }

    /// `[serve] webhooks`.
    pub(crate) fn webhooks(&self) -> Option<PathBuf> {
        self.settings.serve.webhooks.as_deref().map(|p| self.resolve(p))
    }

    /// `[serve] shadow`.
    pub(crate) fn shadow(&self) -> Option<PathBuf> {
        self.settings.serve.shadow.as_deref().map(|p| self.resolve(p))
    }

    /// `[serve] agreements`.
    pub(crate) fn agreements(&self) -> Option<PathBuf> {
        self.settings.serve.agreements.as_deref().map(|p| self.resolve(p))
    }

    /// `[serve] tokens`.
    pub(crate) fn tokens(&self) -> Option<PathBuf> {
        self.settings.serve.tokens.as_deref().map(|p| self.resolve(p))
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
