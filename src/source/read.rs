//! Reading text files: bytes that are not UTF-8 are an error with their line; a file
//! larger than [`MAX_FILE_BYTES`] is refused after reading no more than the limit; a
//! UTF-8 byte order mark at the start is dropped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::SourceFile;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("无法读取 {path}：{source} · cannot read {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{} 第 {line} 行有不是 UTF-8 的字节（第 {byte} 字节） · {}: line {line} has bytes that are not UTF-8 (byte {byte})", .file.name(), .file.name())]
    NotUtf8 {
        /// The file up to the first byte that is not UTF-8.
        file: Arc<SourceFile>,
        /// The line of that byte, 1-based.
        line: usize,
        /// Its offset.
        byte: usize,
    },
    /// The file is larger than tenet reads.
    #[error("{path} 超过 {limit} 字节的上限 · {path} is over the limit of {limit} bytes")]
    TooLarge {
        /// The path as given.
        path: String,
        /// The limit, in bytes.
        limit: usize,
    },
}

/// The largest text file tenet reads: policies, facts, calendars, agreement data (each
/// may have a lower limit of its own, checked when it is parsed).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Reads a text file, reporting bytes that are not UTF-8 with their line.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { path: name.clone(), source })?;
    read_source_from(name, file)
}

/// Reads a source from any reader (standard input), no further than the limit.
pub fn read_source_from(name: String, reader: impl Read) -> Result<Arc<SourceFile>, ReadError> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(&mut bytes).map_err(|source| ReadError::Io { path: name.clone(), source })?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { path: name, limit: MAX_FILE_BYTES });
    }
    source_from_bytes(name, bytes)
}

/// Wraps bytes read from somewhere as a source file, if they are UTF-8 (a byte order
/// mark at the start is dropped).
pub fn source_from_bytes(name: String, mut bytes: Vec<u8>) -> Result<Arc<SourceFile>, ReadError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let byte = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(e.as_bytes().get(..byte).unwrap_or_default()).into_owned();
            let line = valid.matches('\n').count() + 1;
            Err(ReadError::NotUtf8 { file: SourceFile::new(name, valid), line, byte })
        }
    }
}

/// Why a path named inside a data file was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocateError {
    /// No folder from the data file's up to the project root holds it.
    #[error("找不到 {name} · {name} cannot be found")]
    NotFound {
        /// The path as the data file writes it.
        name: String,
        /// The folders looked in, nearest first.
        searched: Vec<PathBuf>,
    },
    /// It exists but lies outside the project; it was not read.
    #[error("{name} 在项目目录 {root} 之外，未读取 · {name} lies outside the project folder {root} and was not read", root = root.display())]
    Outside {
        /// The path as the data file writes it.
        name: String,
        /// The project root.
        root: PathBuf,
    },
}

/// The file a data file (agreement data, a case file) names by `name`: relative to the
/// data file's folder or to one of the folders above it up to the project root (so
/// `sla: rules/support_sla.tenet` works from `examples/agreements/`), however the data
/// file's own path is spelled. A file outside the project — an absolute path, `..`
/// climbing out, a symlink leading out — is refused without being read. See
/// [`project_root`] for where the project ends.
pub fn locate(data_file: &Path, name: &str) -> Result<PathBuf, LocateError> {
    let folder = match std::path::absolute(data_file) {
        Ok(abs) => abs.parent().map(Path::to_path_buf).unwrap_or(abs),
        Err(_) => PathBuf::from("."),
    };
    let root = project_root(&folder);
    let inside = |p: &Path| match (p.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    };
    let path = Path::new(name);
    let mut searched = Vec::new();
    let candidates: Vec<PathBuf> = if path.is_absolute() {
        vec![path.to_path_buf()]
    } else {
        let below_root = folder.ancestors().take_while(|dir| dir.starts_with(&root));
        below_root
            .map(|dir| {
                searched.push(dir.to_path_buf());
                dir.join(path)
            })
            .collect()
    };
    match candidates.into_iter().find(|p| p.is_file()) {
        // Spelled as the data file was: relative to the current folder when it was.
        Some(found) if inside(&found) => Ok(match std::env::current_dir() {
            Ok(cwd) if data_file.is_relative() => found.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(found),
            _ => found,
        }),
        Some(_) => Err(LocateError::Outside { name: name.to_owned(), root }),
        None => Err(LocateError::NotFound { name: name.to_owned(), searched }),
    }
}

/// Reads a file a policy names (a holiday file), by the name the policy gives it.
pub type Resolver<'r> = &'r dyn Fn(&str) -> Result<Arc<SourceFile>, ReadError>;

/// The project file: the folder holding it is the project's root.
pub const PROJECT_FILE: &str = "tenet.toml";

/// Where a project ends, looking up from `folder`: the nearest folder holding
/// [`PROJECT_FILE`], else the nearest holding `.git`; without either, the current folder
/// when `folder` lies inside it, else `folder` itself.
pub fn project_root(folder: &Path) -> PathBuf {
    if let Some(project) = folder.ancestors().find(|dir| dir.join(PROJECT_FILE).is_file()) {
        return project.to_path_buf();
    }
    if let Some(repo) = folder.ancestors().find(|dir| dir.join(".git").exists()) {
        return repo.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) if folder.starts_with(&cwd) => cwd,
        _ => folder.to_path_buf(),
    }
}
