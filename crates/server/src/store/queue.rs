//! The desk's queue: one row per case, derived from its replay (stage, the earliest open
//! deadline, decision, codes, the roles it waits for) so listing 100 000 cases is an index
//! range, never a replay. A row names the case version and policy version it was derived
//! at; a row behind its case is found and recomputed (`stale_queue`), so a crash between
//! an append and its row's update costs a moment's staleness, never a wrong row for good.

use sqlx::Row;

use super::Store;

/// The `due` of a case with no open deadline: after every real instant, so it lists last.
pub const NO_DEADLINE: &str = "9999-12-31T23:59:59.999999Z";

/// A case as the queue lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    /// The case.
    pub case_id: String,
    /// The case version it was derived at.
    pub version: i64,
    /// The policy version it was derived with.
    pub policy_hash: String,
    /// The policy's name.
    pub policy: String,
    /// The stage.
    pub stage: String,
    /// Not in a final stage.
    pub open: bool,
    /// The earliest open deadline (UTC text), or [`NO_DEADLINE`].
    pub due: String,
    /// The case's decision (`approved`, `rejected`, `needs_info`; empty when none).
    pub decision: String,
    /// The codes, space-separated.
    pub codes: Vec<String>,
    /// `item.sku` of the facts, when there is one.
    pub sku: String,
    /// `order.id`.
    pub order_id: String,
    /// `request.id`.
    pub request_id: String,
    /// The roles that may post one of its next events.
    pub waiting: Vec<String>,
    /// Its scheduled actions: (id, kind, due as UTC text).
    pub actions: Vec<(String, String, String)>,
}

/// A timer whose time has come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    /// `action:ID` or `overdue:CASE:DUE`.
    pub id: String,
    /// `action.due` or `case.overdue`.
    pub kind: String,
    /// The case.
    pub case_id: String,
    /// When it was due (UTC text).
    pub due: String,
    /// The case's policy.
    pub policy: String,
    /// The action's kind (`follow_up`), or the stage whose deadline passed.
    pub detail: String,
}

/// What to list: every filter is optional; the page starts after `after` (due, case id).
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// Only this stage.
    pub stage: Option<String>,
    /// Only this policy.
    pub policy: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Only cases overdue at this instant (UTC text).
    pub overdue_at: Option<String>,
    /// Only cases waiting for one of these roles ("my work").
    pub roles: Option<Vec<String>>,
    /// A case id, order id or request id.
    pub search: Option<String>,
    /// The last row of the page before.
    pub after: Option<(String, String)>,
    /// Page size.
    pub limit: i64,
}

fn spaced(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

fn row_of(r: &sqlx::any::AnyRow) -> sqlx::Result<QueueRow> {
    let open: i64 = r.try_get("open")?;
    let codes: String = r.try_get("codes")?;
    let waiting: String = r.try_get("waiting")?;
    Ok(QueueRow {
        case_id: r.try_get("case_id")?,
        version: r.try_get("version")?,
        policy_hash: r.try_get("policy_hash")?,
        policy: r.try_get("policy")?,
        stage: r.try_get("stage")?,
        open: open != 0,
        due: r.try_get("due")?,
        decision: r.try_get("decision")?,
        codes: codes.split_whitespace().map(str::to_owned).collect(),
        sku: r.try_get("sku")?,
        order_id: r.try_get("order_id")?,
        request_id: r.try_get("request_id")?,
        waiting: waiting.split_whitespace().map(str::to_owned).collect(),
        actions: Vec::new(),
    })
}

const COLUMNS: &str = "q.case_id, q.version, q.policy_hash, q.policy, q.stage, q.open, q.due, q.decision, q.codes, q.sku, q.order_id, \
     q.request_id, q.waiting";

impl Store {
    /// Writes a case's queue row and its waiting roles, replacing what was there — unless
    /// the row already kept is of a later case version (a slower writer never puts an
    /// older picture back).
    pub async fn put_queue_row(&self, q: &QueueRow) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        // A write first: on SQLite a transaction that reads and then writes fails at once
        // (SQLITE_BUSY_SNAPSHOT) when another connection committed in between, where a
        // transaction that starts by writing waits its turn.
        let replaced = sqlx::query("DELETE FROM desk_queue WHERE case_id = $1 AND version <= $2")
            .bind(&q.case_id)
            .bind(q.version)
            .execute(&mut *tx)
            .await?;
        if replaced.rows_affected() == 0 {
            let newer = sqlx::query("SELECT version FROM desk_queue WHERE case_id = $1")
                .bind(&q.case_id)
                .fetch_optional(&mut *tx)
                .await?;
            if newer.is_some() {
                return tx.rollback().await;
            }
        }
        for table in ["desk_waiting", "desk_queue", "case_actions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1")).bind(&q.case_id).execute(&mut *tx).await?;
        }
        for (id, kind, due) in &q.actions {
            sqlx::query("INSERT INTO case_actions (action_id, case_id, policy, kind, due) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(&q.case_id)
                .bind(&q.policy)
                .bind(kind)
                .bind(due)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO desk_queue (case_id, version, policy_hash, policy, stage, open, due, decision, codes, sku, \
             order_id, request_id, waiting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&q.case_id)
        .bind(q.version)
        .bind(&q.policy_hash)
        .bind(&q.policy)
        .bind(&q.stage)
        .bind(i64::from(q.open))
        .bind(&q.due)
        .bind(&q.decision)
        .bind(spaced(&q.codes))
        .bind(&q.sku)
        .bind(&q.order_id)
        .bind(&q.request_id)
        .bind(spaced(&q.waiting))
        .execute(&mut *tx)
        .await?;
        if q.open {
            for role in &q.waiting {
                sqlx::query("INSERT INTO desk_waiting (role, due, case_id) VALUES ($1, $2, $3)")
                    .bind(role)
                    .bind(&q.due)
                    .bind(&q.case_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await
    }

    /// Cases after `after` whose queue row is missing or behind (another version,
    /// another policy version), at most `limit`, in id order.
    pub async fn stale_queue(&self, after: &str, limit: i64) -> sqlx::Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT c.id FROM cases c LEFT JOIN desk_queue q ON q.case_id = c.id \
             WHERE c.id > $1 AND (q.case_id IS NULL OR q.version <> c.version OR q.policy_hash <> c.policy_hash) \
             ORDER BY c.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get("id")).collect()
    }

    /// Removes a case's queue row (the keeper puts it back).
    pub async fn delete_queue_row(&self, case_id: &str) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in ["desk_waiting", "desk_queue", "case_actions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1")).bind(case_id).execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// A page of open cases: overdue first, then by deadline (the earliest due first is
    /// both), then by id, so the order is stable. "My work" (`roles`) reads each role's
    /// rows of `desk_waiting` in due order — an index range per role, merged here — since
    /// a planner given `IN (roles)` may sort every waiting case first.
    pub async fn queue(&self, f: &QueueFilter) -> sqlx::Result<Vec<QueueRow>> {
        let limit = f.limit.clamp(1, 500);
        let Some(roles) = &f.roles else { return self.queue_page(f, None, limit).await };
        let mut merged: Vec<QueueRow> = Vec::new();
        for role in roles {
            for row in self.queue_page(f, Some(role), limit).await? {
                if !merged.iter().any(|m| m.case_id == row.case_id) {
                    merged.push(row);
                }
            }
        }
        merged.sort_by(|a, b| (&a.due, &a.case_id).cmp(&(&b.due, &b.case_id)));
        merged.truncate(usize::try_from(limit).unwrap_or(50));
        Ok(merged)
    }

    /// One ordered index range: of the queue, or of one role's waiting cases.
    async fn queue_page(&self, f: &QueueFilter, role: Option<&str>, limit: i64) -> sqlx::Result<Vec<QueueRow>> {
        let (mut sql, order) = match role {
            Some(_) => (
                format!(
                    "SELECT {COLUMNS} FROM desk_waiting w JOIN desk_queue q ON q.case_id = w.case_id WHERE q.open = 1"
                ),
                "w.due, w.case_id",
            ),
            None => (format!("SELECT {COLUMNS} FROM desk_queue q WHERE q.open = 1"), "q.due, q.case_id"),
        };
        let mut args: Vec<String> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, value: &str| {
            args.push(value.to_owned());
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(r) = role {
            arg(&mut sql, " AND w.role = ?", r);
        }
        if let Some(s) = &f.stage {
            arg(&mut sql, " AND q.stage = ?", s);
        }
        if let Some(p) = &f.policy {
            arg(&mut sql, " AND q.policy = ?", p);
        }
        if let Some(s) = &f.sku {
            arg(&mut sql, " AND q.sku = ?", s);
        }
        if let Some(now) = &f.overdue_at {
            // Overdue as the engine says it: the due time is past (`now > due`).
            arg(&mut sql, " AND q.due < ?", now);
        }
        if let Some(s) = &f.search {
            arg(&mut sql, " AND (q.case_id = ?", s);
            arg(&mut sql, " OR q.order_id = ?", s);
            arg(&mut sql, " OR q.request_id = ?)", s);
        }
        if let Some((due, id)) = &f.after {
            let (d, c) = if role.is_some() { ("w.due", "w.case_id") } else { ("q.due", "q.case_id") };
            arg(&mut sql, &format!(" AND ({d} > ?"), due);
            arg(&mut sql, &format!(" OR ({d} = ?"), due);
            arg(&mut sql, &format!(" AND {c} > ?))"), id);
        }
        sql.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(row_of).collect()
    }

    /// How many open cases are overdue at `now` (UTC text): a deadline not met whose due
    /// time is past.
    pub async fn overdue_count(&self, now: &str) -> sqlx::Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM desk_queue WHERE open = 1 AND due < $1")
            .bind(now)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")
    }

    /// Overdue cases at `now` in id order after `after`, at most `limit`, with optional
    /// filters: (id, policy, stage) from the case rows.
    pub async fn overdue_cases(
        &self,
        policy: Option<&str>,
        stage: Option<&str>,
        after: &str,
        limit: i64,
        now: &str,
    ) -> sqlx::Result<Vec<super::CaseRow>> {
        sqlx::query_as::<_, super::CaseRow>(
            "SELECT c.id, c.policy, c.stage, c.version, c.policy_hash FROM desk_queue q JOIN cases c ON c.id = q.case_id \
             WHERE q.open = 1 AND q.due < $1 AND q.case_id > $2 AND ($3 = '' OR c.policy = $3) AND ($4 = '' OR c.stage = $4) \
             ORDER BY q.case_id LIMIT $5",
        )
        .bind(now)
        .bind(after)
        .bind(policy.unwrap_or(""))
        .bind(stage.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Actions due by `until` (UTC text) not marked done, by due time then id, at most
    /// `limit`: (action id, case id).
    pub async fn due_action_ids(&self, until: &str, limit: i64) -> sqlx::Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT a.action_id, a.case_id FROM case_actions a LEFT JOIN actions_done d ON d.action_id = a.action_id \
             WHERE a.due <= $1 AND d.action_id IS NULL ORDER BY a.due, a.action_id LIMIT $2",
        )
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("action_id")?, r.try_get("case_id")?))).collect()
    }

    /// Timers whose time has come at `now` and that no server has fired: actions due and
    /// not done, deadlines passed while the case is open; oldest first, at most `limit`.
    pub async fn timers_due(&self, now: &str, limit: i64) -> sqlx::Result<Vec<Timer>> {
        let rows = sqlx::query(
            "SELECT t.timer_id, t.kind, t.case_id, t.due, t.policy, t.detail FROM ( \
               SELECT 'action:' || a.action_id AS timer_id, 'action.due' AS kind, a.case_id, a.due, a.policy, \
               a.kind AS detail FROM case_actions a \
               WHERE a.due <= $1 AND NOT EXISTS (SELECT 1 FROM actions_done d WHERE d.action_id = a.action_id) \
               UNION ALL \
               SELECT 'overdue:' || q.case_id || ':' || q.due AS timer_id, 'case.overdue' AS kind, q.case_id, q.due, \
               q.policy, q.stage AS detail FROM desk_queue q WHERE q.open = 1 AND q.due < $1 \
             ) t WHERE NOT EXISTS (SELECT 1 FROM timers_fired f WHERE f.timer_id = t.timer_id) \
             ORDER BY t.due, t.timer_id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Timer {
                    id: r.try_get("timer_id")?,
                    kind: r.try_get("kind")?,
                    case_id: r.try_get("case_id")?,
                    due: r.try_get("due")?,
                    policy: r.try_get("policy")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// The timers fired for these cases: (timer id, kind, case id), by kind then case.
    pub async fn timers_of(&self, cases: &[&str]) -> sqlx::Result<Vec<(String, String, String)>> {
        let mut out = Vec::new();
        for case in cases {
            let rows = sqlx::query("SELECT timer_id, kind, case_id FROM timers_fired WHERE case_id = $1")
                .bind(*case)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                out.push((r.try_get("timer_id")?, r.try_get("kind")?, r.try_get("case_id")?));
            }
        }
        out.sort_by(|a, b| (&a.1, &a.2, &a.0).cmp(&(&b.1, &b.2, &b.0)));
        Ok(out)
    }

    /// The policies and stages of open cases, for the queue's filters.
    pub async fn queue_choices(&self) -> sqlx::Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT DISTINCT policy, stage FROM desk_queue WHERE open = 1 ORDER BY policy, stage")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("policy")?, r.try_get("stage")?))).collect()
    }
}
