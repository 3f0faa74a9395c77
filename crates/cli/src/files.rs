//! Files the commands read and write: folders walked once (walkdir, symlink loops
//! reported instead of followed forever), and outputs written atomically (tempfile: a
//! temporary file beside the target, persisted over it only when complete, with the
//! target's permissions kept).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenet::source::{ReadError, SourceFile, read_source, source_from_bytes};

/// Reads a text file, or standard input when the path is `-` (named `<stdin>`).
pub(crate) fn read(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|source| ReadError::Io { path: "<stdin>".into(), source })?;
        return source_from_bytes("<stdin>".into(), bytes);
    }
    read_source(path)
}

/// True for `-`, which means standard input (or output).
pub(crate) fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// Every file under `root` whose extension is one of `extensions` (a file given directly
/// is taken whatever its extension), sorted, each once. Symlinks are followed; a link
/// that leads back into its own folder is reported through `note` and not followed.
pub(crate) fn collect(root: &Path, extensions: &[&str], note: &mut dyn FnMut(String)) -> std::io::Result<Vec<PathBuf>> {
    if is_stdin(root) {
        return Ok(vec![root.to_path_buf()]);
    }
    if !root.is_dir() {
        // A missing file is reported by the read that follows, with its name.
        std::fs::metadata(root)?;
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.loop_ancestor().is_some() => {
                let at = e.path().map(|p| p.display().to_string()).unwrap_or_default();
                note(format!("跳过循环的符号链接 {at} · skipping a symlink loop at {at}"));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let wanted = entry.path().extension().is_some_and(|e| extensions.iter().any(|x| e == *x));
        if entry.file_type().is_file() && wanted {
            out.push(entry.into_path());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Writes through `write` into a temporary file beside `path`, then puts it in place of
/// `path` in one rename: a failed or interrupted write leaves no partial file and never
/// replaces a good one. An existing target keeps its permissions.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".tenet-").suffix(".tmp").tempfile_in(folder)?;
    let result = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        let result = write(&mut w)?;
        w.flush()?;
        result
    };
    temp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_replaces_the_target_and_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("a folder");
        let target = dir.path().join("out.txt");
        std::fs::write(&target, "old").expect("writes");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        }
        write_atomically(&target, |w| w.write_all(b"new")).expect("written");
        assert_eq!(std::fs::read_to_string(&target).expect("reads"), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let failed = write_atomically(&target, |w| {
            w.write_all(b"partial")?;
            Err::<(), _>(std::io::Error::other("stopped"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&target).expect("reads"), "new", "a failed write changes nothing");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("lists").collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_noted_and_each_file_counted_once() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
        std::fs::write(dir.path().join("rules/a.tenet"), "").expect("writes");
        std::os::unix::fs::symlink("..", dir.path().join("rules/up")).expect("symlink");
        let mut notes = Vec::new();
        let files = collect(&dir.path().join("rules"), &["tenet"], &mut |n| notes.push(n)).expect("walks");
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
