//! Webhook deliveries: written in the transaction of what caused them, claimed by one
//! server at a time (`claimed_until`; on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two
//! replicas never take the same delivery at once), retried until delivered or dead.

use sqlx::Row;

use super::{Backend, Store};

/// A delivery to write.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    /// Its id (`msg_…`): the receiver de-duplicates by it.
    pub id: String,
    /// Where it goes.
    pub url: String,
    /// `action.due`, `case.overdue`…
    pub event_type: String,
    /// The JSON body, as it will be sent.
    pub payload: String,
}

/// One attempt to send a delivery.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The delivery.
    pub id: String,
    /// When the attempt ended (UTC text).
    pub at: String,
    /// What came of it.
    pub outcome: Outcome,
}

/// What came of an attempt.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed with `error`; tried again at `next` (UTC text).
    Retry {
        /// Why.
        error: String,
        /// When.
        next: String,
    },
    /// It failed with `error`, the last attempt allowed: kept as dead.
    Dead {
        /// Why.
        error: String,
    },
}

/// A delivery as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Its id.
    pub id: String,
    /// Where it goes.
    pub url: String,
    /// Its type.
    pub event_type: String,
    /// The body.
    pub payload: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt may be made (UTC text).
    pub next_attempt_at: String,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// When it was written.
    pub created_at: String,
}

fn delivery_of(r: &sqlx::any::AnyRow) -> sqlx::Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        event_type: r.try_get("event_type")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        delivered_at: r.try_get("delivered_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLUMNS: &str =
    "id, url, event_type, payload, status, attempts, next_attempt_at, last_error, delivered_at, created_at";

/// Writes deliveries, due at once (`at`), in an open transaction.
pub(super) async fn insert_deliveries(
    conn: &mut sqlx::AnyConnection,
    deliveries: &[NewDelivery],
    at: &str,
) -> sqlx::Result<()> {
    for d in deliveries {
        sqlx::query(
            "INSERT INTO webhook_outbox (id, url, event_type, payload, created_at, next_attempt_at, attempts, status) \
             VALUES ($1, $2, $3, $4, $5, $5, 0, 'pending')",
        )
        .bind(&d.id)
        .bind(&d.url)
        .bind(&d.event_type)
        .bind(&d.payload)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Fires a timer and writes its deliveries in one transaction: `false` (nothing
    /// written) when another server fired it first.
    pub async fn fire_timer_with(
        &self,
        [timer_id, kind, case_id, due, at]: [&str; 5],
        deliveries: &[NewDelivery],
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "INSERT INTO timers_fired (timer_id, kind, case_id, due, fired_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(timer_id)
        .bind(kind)
        .bind(case_id)
        .bind(due)
        .bind(at)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if super::is_unique_violation(&e) => {
                tx.rollback().await?;
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
        insert_deliveries(&mut tx, deliveries, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Claims up to `limit` deliveries due at `now` to the receivers `urls` for this server
    /// until `until`: no other server takes them meanwhile. A delivery to a receiver this
    /// server's webhooks file does not name is left to a server that knows it (two
    /// replicas between two versions of the file), not failed.
    pub async fn claim_deliveries(
        &self,
        now: &str,
        until: &str,
        urls: &[&str],
        limit: i64,
    ) -> sqlx::Result<Vec<Delivery>> {
        if urls.is_empty() {
            return Ok(Vec::new());
        }
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let marks: Vec<String> = (0..urls.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE webhook_outbox SET claimed_until = $2 WHERE id IN (SELECT id FROM webhook_outbox \
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
             AND url IN ({}) ORDER BY next_attempt_at, id LIMIT $3{lock}) RETURNING {COLUMNS}",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(now).bind(until).bind(limit);
        for url in urls {
            q = q.bind(*url);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(delivery_of).collect()
    }

    /// Records the attempts of one round of sends in one transaction (one commit for the
    /// round, not one per delivery). A server that dies before this commit sends them
    /// again: at least once.
    pub async fn deliveries_attempted(&self, attempts: &[Attempt]) -> sqlx::Result<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for a in attempts {
            let q = match &a.outcome {
                Outcome::Delivered => sqlx::query(
                    "UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, \
                     claimed_until = NULL, last_error = NULL WHERE id = $1",
                )
                .bind(&a.id)
                .bind(&a.at),
                Outcome::Retry { error, next } => sqlx::query(
                    "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, \
                     claimed_until = NULL WHERE id = $1",
                )
                .bind(&a.id)
                .bind(error)
                .bind(next),
                Outcome::Dead { error } => sqlx::query(
                    "UPDATE webhook_outbox SET status = 'dead', attempts = attempts + 1, last_error = $2, \
                     claimed_until = NULL WHERE id = $1",
                )
                .bind(&a.id)
                .bind(error),
            };
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Deliveries, newest first, optionally of one status.
    pub async fn deliveries(&self, status: Option<&str>, limit: i64) -> sqlx::Result<Vec<Delivery>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_outbox WHERE ($1 = '' OR status = $1) ORDER BY created_at DESC, id LIMIT $2"
        ))
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_of).collect()
    }

    /// Sends a delivery again from now (a dead one too); `false` when there is none.
    pub async fn retry_delivery(&self, id: &str, now: &str) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE webhook_outbox SET status = 'pending', next_attempt_at = $2, claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
