//! The decision log kept for as long as the law asks, no longer: `tenet log export`
//! writes it out by UTC day (`day=YYYY-MM-DD/part-N.parquet`, one table for DuckDB, Spark
//! or Trino), each export of a day starting after what the last one held; `tenet log
//! prune --before DATE` removes the days exported before a date and refuses the others
//! unless forced. The cases and their events are never removed with the log.

use std::path::{Path, PathBuf};

use crate::error::StartError;
use crate::store::{DecisionRow, Unexported};

/// Entries read and written at a time.
const CHUNK: i64 = 10_000;

/// Writes one file of a day's entries; `finish` makes it appear whole (or not at all).
pub trait PartWriter {
    /// Adds entries, in seq order.
    fn write(&mut self, rows: &[DecisionRow]) -> Result<(), String>;
    /// Ends the file and moves it into place.
    fn finish(self: Box<Self>) -> Result<(), String>;
}

/// A file an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Where.
    pub file: PathBuf,
    /// Entries in it.
    pub rows: i64,
}

/// Exports the entries from `since` to before `until` (`YYYY-MM-DD`; open when empty) not
/// yet exported, one new file per day under `out`, made by `make` for each path; each
/// file is recorded in the database once written, so the next export of that day starts
/// after it.
pub fn export(
    url: &str,
    since: &str,
    until: &str,
    out: &Path,
    mut make: impl FnMut(&Path) -> Result<Box<dyn PartWriter>, String>,
) -> Result<Vec<Written>, StartError> {
    let out = out.to_owned();
    crate::with_store(url, |store| async move {
        let db = |e: sqlx::Error| StartError::Database(crate::error::with_causes(&e));
        let io = StartError::Usage;
        let mut written = Vec::new();
        for day in store.days_to_export(since, until).await.map_err(db)? {
            let part = day.parts + 1;
            let dir = out.join(format!("day={}", day.day));
            std::fs::create_dir_all(&dir)
                .map_err(|e| io(format!("{}: 无法创建 · cannot create: {e}", dir.display())))?;
            let file = dir.join(format!("part-{part}.parquet"));
            let mut w = make(&file).map_err(|e| io(format!("{}: {e}", file.display())))?;
            let (mut after, mut rows) = (day.after_seq, 0);
            loop {
                let chunk = store.day_entries(&day.day, after, CHUNK).await.map_err(db)?;
                let Some(last) = chunk.last() else { break };
                after = last.seq;
                rows += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
                w.write(&chunk).map_err(|e| io(format!("{}: {e}", file.display())))?;
            }
            w.finish().map_err(|e| io(format!("{}: {e}", file.display())))?;
            let at = crate::clock::stamp(crate::clock::now());
            let shown = file.display().to_string();
            store.exported([&day.day, &shown, &at], part, rows, after).await.map_err(db)?;
            written.push(Written { day: day.day, file, rows });
        }
        Ok(written)
    })
}

/// What a prune did, or why it did nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pruned {
    /// Removed this many entries.
    Removed(u64),
    /// Nothing removed: these days hold entries no export holds.
    NotExported(Vec<Unexported>),
}

/// Removes the log's entries before `before` (`YYYY-MM-DD`) when every one of them was
/// exported, or with `force` whatever was.
pub fn prune(url: &str, before: &str, force: bool) -> Result<Pruned, StartError> {
    crate::with_store(url, |store| async move {
        let db = |e: sqlx::Error| StartError::Database(crate::error::with_causes(&e));
        if !force {
            let missing = store.unexported_before(before).await.map_err(db)?;
            if !missing.is_empty() {
                return Ok(Pruned::NotExported(missing));
            }
        }
        store.prune_log(before).await.map(Pruned::Removed).map_err(db)
    })
}
