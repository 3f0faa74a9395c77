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
}

impl Store {
    /// Keeps a difference, with the webhook deliveries it causes, in one transaction.
    pub async fn keep_shadow_diff(&self, d: &ShadowDiff<'_>, deliveries: &[super::NewDelivery]) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO shadow_diffs (decision_id, at, policy, candidate_hash, live, candidate, error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.decision_id)
        .bind(d.at)
        .bind(d.policy)
        .bind(d.candidate_hash)
        .bind(d.live)
        .bind(d.candidate)
        .bind(d.error)
        .execute(&mut *tx)
        .await?;
        super::outbox::insert_deliveries(&mut tx, deliveries, d.at).await?;
        tx.commit().await
    }

    /// The differences kept for `policy` from `since` to before `until` (UTC texts, open
    /// when empty), oldest first.
    pub async fn shadow_diffs(&self, policy: &str, since: &str, until: &str) -> sqlx::Result<Vec<ShadowRow>> {
        let rows = sqlx::query(
            "SELECT decision_id, at, candidate_hash, live, candidate, error FROM shadow_diffs \
             WHERE policy = $1 AND ($2 = '' OR at >= $2) AND ($3 = '' OR at < $3) ORDER BY seq",
        )
        .bind(policy)
        .bind(since)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ShadowRow {
                    decision_id: r.try_get("decision_id")?,
                    at: r.try_get("at")?,
                    candidate_hash: r.try_get("candidate_hash")?,
                    live: r.try_get("live")?,
                    candidate: r.try_get("candidate")?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }
}
