//! Where cases come from: JSON-lines files (one case per line, read as a stream) and
//! folders of case files; and the sales CSV.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::returns::{CaseRow, ReturnReport, Sales};

/// A problem with one input: its file, its line (for JSON lines) and why.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// The line, from 1, for JSON lines.
    pub line: Option<usize>,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(n) => write!(f, "{}:{n}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Feeds every case of `path` to `report`: each line of a `.jsonl` file, or each
/// `*.yaml`, `*.yml` or `*.json` file of a folder (in name order) — a case file (facts
/// and events) or a facts file (a request as it stands, as `tenet eval` reads it). A case
/// that cannot be read or evaluated is counted as an error and passed to `on_error`; an
/// input that cannot be opened at all is returned.
pub fn feed(
    report: &mut ReturnReport<'_>,
    path: &Path,
    on_error: &mut dyn FnMut(InputError),
) -> Result<(), InputError> {
    let fail = |message: String| InputError { path: path.to_path_buf(), line: None, message };
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| fail(format!("cannot read the folder: {e}")))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json"))
            .collect();
        files.sort();
        for file in files {
            let result = tenet::source::read_source(&file)
                .map_err(|e| e.to_string())
                .and_then(|src| case_or_facts(&src, &file))
                .and_then(|case| report.add_case(&case).map(|_| ()).map_err(|e| e.0));
            if let Err(message) = result {
                report.error();
                on_error(InputError { path: file, line: None, message });
            }
        }
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot open: {e}")))?;
    let mut errors = jsonl(report, path, BufReader::new(file));
    errors.sort_by_key(|e| e.line);
    for e in errors {
        on_error(e);
    }
    Ok(())
}

/// A file of a folder of cases: a case file (with `facts`), or a facts file, read as a
/// request without events.
fn case_or_facts(
    src: &std::sync::Arc<tenet::source::SourceFile>,
    path: &Path,
) -> Result<tenet::workflow::Case, String> {
    let format = if path.extension().is_some_and(|x| x == "json") {
        tenet::facts::Format::Json
    } else {
        tenet::facts::Format::Yaml
    };
    let first = |d: Vec<tenet::diagnostics::Diagnostic>| {
        d.first()
            .map(|d| match &d.path {
                Some(p) if !p.is_empty() => format!("{p}: {}", d.message.en),
                _ => d.message.en.clone(),
            })
            .unwrap_or_default()
    };
    let raw = tenet::facts::parse_raw(src, format).map_err(|d| first(vec![d]))?;
    if tenet::workflow::Case::is_case_like(&raw) {
        return tenet::workflow::Case::from_raw(&raw).map_err(first);
    }
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    Ok(tenet::workflow::Case { id, name: None, policy: None, now: None, facts: raw, events: Vec::new(), expect: None })
}

/// Lines per chunk handed to a worker.
const CHUNK: usize = 2048;

/// The cases of a JSON-lines stream, on every core: one reader hands chunks of lines
/// through a bounded channel (memory stays flat whatever the file's size) to workers
/// that each keep their own totals, merged at the end. The errors, with line numbers.
fn jsonl(report: &mut ReturnReport<'_>, path: &Path, mut reader: impl BufRead) -> Vec<InputError> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<String>)>(threads * 2);
    let rx = std::sync::Mutex::new(rx);
    let template = report.fresh();
    let mut errors = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (rx, mut part) = (&rx, template.fresh());
                scope.spawn(move || {
                    let mut errors = Vec::new();
                    loop {
                        let next = rx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                        let Ok((first, lines)) = next else { break };
                        for (i, line) in lines.iter().enumerate() {
                            if line.trim().is_empty() {
                                continue;
                            }
                            if let Err(e) = part.add_line(line) {
                                part.error();
                                errors.push(InputError {
                                    path: path.to_path_buf(),
                                    line: Some(first + i),
                                    message: e.0,
                                });
                            }
                        }
                    }
                    (part, errors)
                })
            })
            .collect();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut first = 1;
        let mut number = 0;
        loop {
            let mut line = String::new();
            number += 1;
            match reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => chunk.push(line),
                Err(e) => {
                    report.error();
                    errors.push(InputError {
                        path: path.to_path_buf(),
                        line: Some(number),
                        message: format!("unreadable: {e}"),
                    });
                    // Keep the numbering: the unreadable line holds its place.
                    chunk.push(String::new());
                }
            }
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                if tx.send((first, full)).is_err() {
                    break;
                }
                first = number + 1;
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send((first, chunk));
        }
        drop(tx);
        for w in workers {
            if let Ok((part, errs)) = w.join() {
                report.merge(part);
                errors.extend(errs);
            }
        }
    });
    errors
}

/// Reads a sales CSV (`sku,units_sold`, optionally a `period` column, which is ignored:
/// units of every period are added up).
pub fn sales(path: &Path) -> Result<Sales, InputError> {
    let fail = |line: Option<usize>, message: String| InputError { path: path.to_path_buf(), line, message };
    let text = std::fs::read_to_string(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines.next().map(|(_, h)| h.split(',').map(str::trim).collect()).unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(sku_col), Some(units_col)) = (col("sku"), col("units_sold")) else {
        return Err(fail(Some(1), "the header must name `sku` and `units_sold`".into()));
    };
    let mut out = Sales::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(sku), Some(units)) = (cells.get(sku_col), cells.get(units_col)) else {
            return Err(fail(Some(i + 1), "too few columns".into()));
        };
        let units: u64 =
            units.parse().map_err(|_| fail(Some(i + 1), format!("units_sold {units:?} is not a whole number")))?;
        *out.entry((*sku).to_owned()).or_default() += units;
    }
    Ok(out)
}

/// Feeds the cases of `path` one by one, in input order, handing each counted case's row
/// to `on_row` (for the Parquet export, whose rows keep the input's order).
pub fn feed_rows(
    report: &mut ReturnReport<'_>,
    path: &Path,
    on_row: &mut dyn FnMut(CaseRow) -> Result<(), String>,
    on_error: &mut dyn FnMut(InputError),
) -> Result<(), InputError> {
    let fail = |line: Option<usize>, message: String| InputError { path: path.to_path_buf(), line, message };
    let file = std::fs::File::open(path).map_err(|e| fail(None, format!("cannot open: {e}")))?;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| fail(Some(i + 1), format!("unreadable: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        match report.add_line(&line) {
            Ok(Some(row)) => on_row(row).map_err(|e| fail(Some(i + 1), e))?,
            Ok(None) => {}
            Err(e) => {
                report.error();
                on_error(fail(Some(i + 1), e.0));
            }
        }
    }
    Ok(())
}
