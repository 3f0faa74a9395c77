//! The decision log by UTC day, for export and retention: which days have entries not yet
//! exported, the entries of a day after those exported, the record of each file written,
//! and removing days — only those exported, unless forced.

use sqlx::Row;

use super::{DecisionRow, Store};

/// A UTC day with entries not yet exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayToExport {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The last entry of the day already exported (0 for none): export those after it.
    pub after_seq: i64,
    /// Entries after it.
    pub rows: i64,
    /// Files already written for the day.
    pub parts: i64,
}

/// A day before the pruning date with entries no export holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexported {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// How many.
    pub rows: i64,
}

/// The day's entries after its last export: `(day, done, parts)`.
const PROGRESS: &str = "SELECT day, MAX(through_seq) AS done, COUNT(*) AS parts FROM log_exports GROUP BY day";

impl Store {
    /// The days from `since` to before `until` (`YYYY-MM-DD`, either open) with entries
    /// not yet exported, oldest first.
    pub async fn days_to_export(&self, since: &str, until: &str) -> sqlx::Result<Vec<DayToExport>> {
        let rows = sqlx::query(&format!(
            "SELECT substr(d.at, 1, 10) AS day, COALESCE(MAX(e.done), 0) AS done, COALESCE(MAX(e.parts), 0) AS parts, \
             COUNT(*) AS n FROM decision_log d LEFT JOIN ({PROGRESS}) e ON e.day = substr(d.at, 1, 10) \
             WHERE ($1 = '' OR d.at >= $1) AND ($2 = '' OR d.at < $2) AND d.seq > COALESCE(e.done, 0) \
             GROUP BY substr(d.at, 1, 10) ORDER BY 1"
        ))
        .bind(since)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DayToExport {
                    day: r.try_get("day")?,
                    after_seq: r.try_get("done")?,
                    rows: r.try_get("n")?,
                    parts: r.try_get("parts")?,
                })
            })
            .collect()
    }

    /// The entries of `day` after `after_seq`, in seq order, at most `limit`.
    pub async fn day_entries(&self, day: &str, after_seq: i64, limit: i64) -> sqlx::Result<Vec<DecisionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM decision_log d JOIN policy_refs r ON r.ref = d.ref \
             WHERE d.at >= $1 AND d.at < $2 AND d.seq > $3 ORDER BY d.seq LIMIT $4",
            super::decisions::COLUMNS
        ))
        .bind(day)
        .bind(format!("{day}T99"))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        // An export holds the log entry for entry: a damaged one stops it, named.
        self.rows_of(&rows)
            .await?
            .into_iter()
            .map(|r| r.readable().map_err(|why| sqlx::Error::Decode(why.into())))
            .collect()
    }

    /// Records a file written for `day`, holding its entries through `through_seq`.
    pub async fn exported(
        &self,
        [day, file, at]: [&str; 3],
        part: i64,
        rows: i64,
        through_seq: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO log_exports (day, part, file, rows, through_seq, exported_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(day)
        .bind(part)
        .bind(file)
        .bind(rows)
        .bind(through_seq)
        .bind(at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The days before `before` (`YYYY-MM-DD`) with entries no export holds.
    pub async fn unexported_before(&self, before: &str) -> sqlx::Result<Vec<Unexported>> {
        let rows = sqlx::query(&format!(
            "SELECT substr(d.at, 1, 10) AS day, COUNT(*) AS n FROM decision_log d \
             LEFT JOIN ({PROGRESS}) e ON e.day = substr(d.at, 1, 10) \
             WHERE d.at < $1 AND d.seq > COALESCE(e.done, 0) GROUP BY substr(d.at, 1, 10) ORDER BY 1"
        ))
        .bind(before)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(Unexported { day: r.try_get("day")?, rows: r.try_get("n")? })).collect()
    }

    /// Removes the log's entries before `before` (`YYYY-MM-DD`); the number removed. The
    /// cases and their events stay: a case is its events, not its log entries.
    pub async fn prune_log(&self, before: &str) -> sqlx::Result<u64> {
        let r = sqlx::query("DELETE FROM decision_log WHERE at < $1").bind(before).execute(&self.pool).await?;
        Ok(r.rows_affected())
    }
}
