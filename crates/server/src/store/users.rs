//! The return desk's rows: staff accounts, their sessions and the internal notes on cases.

use sqlx::Row;

use super::Store;

/// A staff account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    /// The sign-in name.
    pub name: String,
    /// The argon2id hash (PHC string).
    pub password_hash: String,
    /// The workflow roles the person has.
    pub roles: Vec<String>,
    /// Signed in no more; sessions ended.
    pub disabled: bool,
    /// When it was added (UTC text).
    pub created_at: String,
}

/// A signed-in session: the person and the form token of the session.
#[derive(Clone, Debug)]
pub struct SessionRow {
    /// The account.
    pub user: UserRow,
    /// The CSRF token every form of the session carries.
    pub csrf: String,
    /// When it expires (UTC text).
    pub expires_at: String,
}

/// An internal note on a case (staff only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRow {
    /// Who wrote it.
    pub by: String,
    /// When (UTC text).
    pub at: String,
    /// What it says.
    pub body: String,
}

/// Roles as stored: each with a space on both sides, so `LIKE '% finance %'` is exact.
fn roles_text(roles: &[String]) -> String {
    format!(" {} ", roles.join(" "))
}

fn user_of(r: &sqlx::any::AnyRow) -> sqlx::Result<UserRow> {
    let roles: String = r.try_get("roles")?;
    let disabled: i64 = r.try_get("disabled")?;
    Ok(UserRow {
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        roles: roles.split_whitespace().map(str::to_owned).collect(),
        disabled: disabled != 0,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Adds an account; `false` when the name is taken.
    pub async fn add_user(&self, name: &str, password_hash: &str, roles: &[String], at: &str) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO users (name, password_hash, roles, disabled, created_at) VALUES ($1, $2, $3, 0, $4)",
        )
        .bind(name)
        .bind(password_hash)
        .bind(roles_text(roles))
        .bind(at)
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if super::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every account, by name.
    pub async fn users(&self) -> sqlx::Result<Vec<UserRow>> {
        let rows = sqlx::query("SELECT name, password_hash, roles, disabled, created_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_of).collect()
    }

    /// One account.
    pub async fn user(&self, name: &str) -> sqlx::Result<Option<UserRow>> {
        let row = sqlx::query("SELECT name, password_hash, roles, disabled, created_at FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    /// Disables an account and ends its sessions, in one transaction; `false` when there
    /// is no such account.
    pub async fn disable_user(&self, name: &str, at: &str) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = 1, disabled_at = $2 WHERE name = $1")
            .bind(name)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_name = $1").bind(name).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Starts a session.
    pub async fn new_session(
        &self,
        id_hash: &str,
        user: &str,
        csrf: &str,
        at: &str,
        expires: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user)
        .bind(csrf)
        .bind(at)
        .bind(expires)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The session, when it has not expired at `now` and its account is enabled.
    pub async fn session(&self, id_hash: &str, now: &str) -> sqlx::Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT u.name, u.password_hash, u.roles, u.disabled, u.created_at, s.csrf, s.expires_at \
             FROM sessions s JOIN users u ON u.name = s.user_name \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow { user: user_of(&r)?, csrf: r.try_get("csrf")?, expires_at: r.try_get("expires_at")? })
        })
        .transpose()
    }

    /// Ends a session, and every session that has expired by `now`.
    pub async fn end_session(&self, id_hash: &str, now: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= $2")
            .bind(id_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The last actions marked done: (id, when, by whom), latest first.
    pub async fn recent_done(&self, limit: i64) -> sqlx::Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT action_id, done_at, COALESCE(done_by, '') AS done_by FROM actions_done ORDER BY done_at DESC, action_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("action_id")?, r.try_get("done_at")?, r.try_get("done_by")?))).collect()
    }

    /// Adds an internal note to a case.
    pub async fn add_note(&self, case_id: &str, by: &str, at: &str, body: &str) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO notes (case_id, by_name, at, body) VALUES ($1, $2, $3, $4)")
            .bind(case_id)
            .bind(by)
            .bind(at)
            .bind(body)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// A case's internal notes, oldest first.
    pub async fn notes(&self, case_id: &str) -> sqlx::Result<Vec<NoteRow>> {
        let rows = sqlx::query("SELECT by_name, at, body FROM notes WHERE case_id = $1 ORDER BY seq")
            .bind(case_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(NoteRow { by: r.try_get("by_name")?, at: r.try_get("at")?, body: r.try_get("body")? }))
            .collect()
    }
}
