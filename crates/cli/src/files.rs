//! Files the commands read and write: folders walked once (walkdir, symlink loops
//! reported instead of followed forever), and outputs written atomically (a temporary
//! file beside the target, renamed over it only when complete, removed on failure or
//! interruption, with the target's permissions kept).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenet::source::{ReadError, SourceFile, read_source, read_source_from};

/// Reads a text file, or standard input when the path is `-` (named `<stdin>`).
pub(crate) fn read(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    if is_stdin(path) {
        return read_source_from("<stdin>".into(), std::io::stdin().lock());
    }
    read_source(path)
}

/// True for `-`, which means standard input (or output).
pub(crate) fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// Every file under `root` whose extension is one of `extensions` (a file given directly
/// is taken whatever its extension), sorted, each once (a file reached through several
/// links counts once). Symlinks are followed; a link that leads back into its own folder
/// is reported through `note` and not followed.
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
    // One file reached by several paths (through symlinks) is taken once, by its first.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(out)
}

/// Writes through `write` into a temporary file beside `path`, then puts it in place of
/// `path` in one rename: a failed or interrupted write (Ctrl-C included, see
/// [`remove_temporary_files`]) leaves no partial file and never replaces a good one. An
/// existing target keeps its permissions; a new one gets the usual ones (the umask
/// decides); a symlink is written through — the file it points to is replaced, the link
/// stays. Errors of the output itself name it.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = if is_link { std::fs::canonicalize(path).map_err(named)? } else { path.to_path_buf() };
    let (temp, file) = create_temporary(&target).map_err(named)?;
    let result = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, Named { inner: &file, path });
        let result = write(&mut w)?;
        w.flush()?;
        result
    };
    file.sync_all().map_err(named)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        file.set_permissions(meta.permissions()).map_err(named)?;
    }
    drop(file);
    std::fs::rename(&temp.path, &target).map_err(named)?;
    temp.keep();
    Ok(result)
}

/// A new file `.NAME.PID-N.tenet.tmp` beside `target`, created with the usual
/// permissions. Its name is registered for removal before the file is created, so an
/// interruption at any moment leaves nothing behind.
fn create_temporary(target: &Path) -> std::io::Result<(Temporary, std::fs::File)> {
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut n = 0u32;
    loop {
        let candidate = folder.join(format!(".{name}.{}-{n}.tenet.tmp", std::process::id()));
        let temp = Temporary::register(candidate);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp.path) {
            Ok(file) => return Ok((temp, file)),
            // Not ours to remove: another write of this process holds that name.
            Err(e) => {
                temp.forget();
                if e.kind() != std::io::ErrorKind::AlreadyExists || n >= 1000 {
                    return Err(e);
                }
                n += 1;
            }
        }
    }
}

/// Temporary files being written, removed by [`remove_temporary_files`] when the process
/// is interrupted.
static TEMPORARY: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary file that is removed when dropped, unless kept.
struct Temporary {
    path: PathBuf,
    kept: bool,
}

impl Temporary {
    fn register(path: PathBuf) -> Temporary {
        if let Ok(mut list) = TEMPORARY.lock() {
            list.push(path.clone());
        }
        Temporary { path, kept: false }
    }

    /// The file has been renamed into place: nothing to remove.
    fn keep(mut self) {
        self.kept = true;
    }

    /// The name was never created by this write: unregister it, remove nothing.
    fn forget(mut self) {
        self.kept = true;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
        // One entry only: another write of this process may have registered the same name.
        if let Ok(mut list) = TEMPORARY.lock()
            && let Some(i) = list.iter().position(|p| *p == self.path)
        {
            list.remove(i);
        }
    }
}

/// Removes the temporary files of writes in progress: called when the process is
/// interrupted (SIGINT, SIGTERM), before it exits.
pub(crate) fn remove_temporary_files() {
    if let Ok(list) = TEMPORARY.lock() {
        for path in list.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A writer whose errors name the file being written.
struct Named<'a> {
    inner: &'a std::fs::File,
    path: &'a Path,
}

impl Write for Named<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))
    }
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
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
    fn a_symlink_is_written_through_and_new_files_get_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a folder");
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "old").expect("writes");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o604)).expect("chmod");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomically(&link, |w| w.write_all(b"new")).expect("written");
        assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink(), "the link stays");
        assert_eq!(std::fs::read_to_string(&real).expect("reads"), "new");
        assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o604);
        // A new file: what `File::create` would give it, not a temporary file's 0600.
        let fresh = dir.path().join("fresh.txt");
        write_atomically(&fresh, |w| w.write_all(b"x")).expect("written");
        let usual = dir.path().join("usual.txt");
        std::fs::File::create(&usual).expect("creates");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), mode(&usual));
        // An error names the output.
        let missing = dir.path().join("no/such/folder/out.txt");
        let e = write_atomically(&missing, |w| w.write_all(b"x")).expect_err("no folder");
        assert!(e.to_string().contains("no/such/folder/out.txt"), "{e}");
        assert!(same_file(&link, &real) && !same_file(&fresh, &real));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_noted_and_each_file_counted_once() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
        std::fs::write(dir.path().join("rules/a.tenet"), "").expect("writes");
        std::os::unix::fs::symlink("..", dir.path().join("rules/up")).expect("symlink");
        let mut notes = Vec::new();
        std::os::unix::fs::symlink("rules", dir.path().join("again")).expect("symlink");
        let files = collect(&dir.path().join("rules"), &["tenet"], &mut |n| notes.push(n)).expect("walks");
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
        // The same file through a second link counts once.
        let files = collect(dir.path(), &["tenet"], &mut |_| {}).expect("walks");
        assert_eq!(files.len(), 1, "{files:?}");
    }
}
