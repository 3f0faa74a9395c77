//! Reading text files: bytes that are not UTF-8 are an error with their line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::SourceFile;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
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
}

/// Reads a text file, reporting bytes that are not UTF-8 with their line.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { path: name.clone(), source })?;
    source_from_bytes(name, bytes)
}

/// Wraps bytes read from somewhere as a source file, if they are UTF-8.
pub fn source_from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<SourceFile>, ReadError> {
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

/// `rel` found next to `base`, or next to one of its parent folders (so that
/// `sla: rules/support_sla.tenet` works from `examples/agreements/`).
pub fn locate(base: &Path, rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    if path.is_absolute() {
        return path.is_file().then(|| path.to_path_buf());
    }
    base.ancestors().map(|dir| dir.join(path)).find(|p| p.is_file())
}
