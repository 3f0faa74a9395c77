//! Where a candidate policy decided differently from the live one (see `crate::shadow`).

use sqlx::Row;

use super::Store;

/// A difference to keep.
#[derive(Clone, Debug)]
pub struct ShadowDiff<'a> {
    /// The live evaluation's decision id.
    pub decision_id: &'a str,
    /// When it was made (UTC text).
    pub at: &'a str,
    /// The policy's name.
    pub policy: &'a str,
    /// The candidate's version.
    pub candidate_hash: &'a str,
    /// The live compact result (JSON).
    pub live: &'a str,
    /// The candidate's, when it could evaluate.
    pub candidate: Option<&'a str>,
    /// Why it could not.
    pub error: Option<&'a str>,
    /// The case and its version after the event, when the decision was a case's.
    pub case: Option<(&'a str, i64)>,
}

/// A kept difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowRow {
    /// See [`ShadowDiff`].
    pub decision_id: String,
    /// See [`ShadowDiff`].
    pub at: String,
    /// See [`ShadowDiff`].
    pub candidate_hash: String,
    /// See [`ShadowDiff`].
    pub live: String,
    /// See [`ShadowDiff`].
    pub candidate: Option<String>,
    /// See [`ShadowDiff`].
    pub error: Option<String>,
    /// The case, when the decision was a case's.
    pub case_id: Option<String>,
    /// The case's version after the event.
    pub case_version: Option<i64>,
}

impl Store {
    /// Keeps a difference, with the webhook deliveries it causes, in one transaction.
    pub async fn keep_shadow_diff(&self, d: &ShadowDiff<'_>, deliveries: &[super::NewDelivery]) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO shadow_diffs (decision_id, at, policy, candidate_hash, live, candidate, error, case_id, \
             case_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.decision_id)
        .bind(d.at)
        .bind(d.policy)
        .bind(d.candidate_hash)
        .bind(d.live)
        .bind(d.candidate)
        .bind(d.error)
        .bind(d.case.map(|c| c.0))
        .bind(d.case.map(|c| c.1))
        .execute(&mut *tx)
        .await?;
        super::outbox::insert_deliveries(&mut tx, deliveries, d.at).await?;
        tx.commit().await
    }

    /// The differences kept for `policy` from `since` to before `until` (open when
    /// absent), oldest first.
    pub async fn shadow_diffs(
        &self,
        policy: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
        until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> sqlx::Result<Vec<ShadowRow>> {
        // The kept times are texts written by `clock::stamp`: bounds compare as texts only
        // in that same form.
        let bound = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(crate::clock::stamp).unwrap_or_default();
        let (since, until) = (bound(since), bound(until));
        let rows = sqlx::query(
            "SELECT decision_id, at, candidate_hash, live, candidate, error, case_id, case_version FROM shadow_diffs \
             WHERE policy = $1 AND ($2 = '' OR at >= $2) AND ($3 = '' OR at < $3) ORDER BY seq",
        )
        .bind(policy)
        .bind(&since)
        .bind(&until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(shadow_row).collect()
    }

    /// The latest judgment kept of case `id` (the one of its highest version).
    pub async fn last_shadow_of_case(&self, id: &str) -> sqlx::Result<Option<ShadowRow>> {
        let row = sqlx::query(
            "SELECT decision_id, at, candidate_hash, live, candidate, error, case_id, case_version FROM shadow_diffs \
             WHERE case_id = $1 ORDER BY case_version DESC, seq DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(shadow_row).transpose()
    }
}

/// A `shadow_diffs` row read.
fn shadow_row(r: &sqlx::any::AnyRow) -> sqlx::Result<ShadowRow> {
    Ok(ShadowRow {
        decision_id: r.try_get("decision_id")?,
        at: r.try_get("at")?,
        candidate_hash: r.try_get("candidate_hash")?,
        live: r.try_get("live")?,
        candidate: r.try_get("candidate")?,
        error: r.try_get("error")?,
        case_id: r.try_get("case_id")?,
        case_version: r.try_get("case_version")?,
    })
}
