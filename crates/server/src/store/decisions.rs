//! The decision log as kept (`decision_log`): each entry names its policy version by a
//! small reference (`policy_refs`) and keeps `[facts,result]` compressed (see
//! [`super::codec`]); reading decompresses it, fetching a dictionary another server
//! trained when it is not yet known here.

use sqlx::Row;

use super::codec::Encoded;
use super::{DecisionFilter, DecisionRow, NewDecision, Store};

/// The columns a log read selects, the policy's from its reference.
pub(super) const COLUMNS: &str = "d.seq, d.decision_id, d.at, r.policy, r.policy_version, r.hash, d.case_id, d.event, \
                       d.codec, d.dict, d.body";

impl Store {
    /// Makes sure the entry's policy version has a reference (once per version and
    /// process): the inserts name it by hash.
    pub(super) async fn ensure_ref(&self, d: &NewDecision<'_>) -> sqlx::Result<()> {
        if self.refs.lock().is_ok_and(|r| r.contains(d.policy_hash)) {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO policy_refs (hash, policy, policy_version) VALUES ($1, $2, $3) \
             ON CONFLICT (hash) DO UPDATE SET policy_version = COALESCE(policy_refs.policy_version, excluded.policy_version)",
        )
        .bind(d.policy_hash)
        .bind(d.policy)
        .bind(d.policy_version)
        .execute(&self.pool)
        .await?;
        if let Ok(mut r) = self.refs.lock() {
            r.insert(d.policy_hash.to_owned());
        }
        Ok(())
    }

    /// The entry as the database keeps it.
    pub(super) fn encode(&self, d: &NewDecision<'_>) -> sqlx::Result<Encoded> {
        self.codec.encode(d.facts, d.result).map_err(|e| sqlx::Error::Encode(Box::new(e)))
    }

    /// How log entries are compressed (shared by this store's clones).
    pub fn codec(&self) -> &super::Codec {
        &self.codec
    }

    /// Writes new entries with the latest dictionary kept, when there is one.
    pub(super) async fn use_latest_dict(&self) -> sqlx::Result<()> {
        let row =
            sqlx::query("SELECT id, dict FROM log_dicts ORDER BY id DESC LIMIT 1").fetch_optional(&self.pool).await?;
        if let Some(r) = row {
            let (id, dict): (i64, Vec<u8>) = (r.try_get("id")?, r.try_get("dict")?);
            self.codec.install(id, &dict).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        }
        Ok(())
    }

    /// Keeps a dictionary trained on the log and writes new entries with it.
    pub async fn keep_dict(&self, dict: &[u8], at: &str) -> sqlx::Result<i64> {
        let row = sqlx::query("INSERT INTO log_dicts (dict, trained_at) VALUES ($1, $2) RETURNING id")
            .bind(dict)
            .bind(at)
            .fetch_one(&self.pool)
            .await?;
        let id: i64 = row.try_get("id")?;
        self.codec.install(id, dict).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(id)
    }

    /// Reads a dictionary another server trained, once.
    async fn learn_dict(&self, dict: Option<i64>) -> sqlx::Result<()> {
        let Some(id) = dict.filter(|_| !self.codec.knows(dict)) else { return Ok(()) };
        let row = sqlx::query("SELECT dict FROM log_dicts WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        if let Some(r) = row {
            let bytes: Vec<u8> = r.try_get("dict")?;
            self.codec.learn(id, &bytes).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        }
        Ok(())
    }

    async fn row_of(&self, r: &sqlx::any::AnyRow) -> sqlx::Result<DecisionRow> {
        let (codec, dict): (i64, Option<i64>) = (r.try_get("codec")?, r.try_get("dict")?);
        // A damaged body (or dictionary) makes this entry unreadable, not the page.
        let decoded = match self.learn_dict(dict).await {
            Err(sqlx::Error::Decode(e)) => Err(e.to_string()),
            Err(e) => return Err(e),
            Ok(()) => {
                let body: Vec<u8> = r.try_get("body")?;
                self.codec.decode(codec, dict, &body).map_err(|e| e.to_string())
            }
        };
        let (facts, result, unreadable) = match decoded {
            Ok((facts, result)) => (facts, result, None),
            Err(why) => ("null".to_owned(), "null".to_owned(), Some(why)),
        };
        Ok(DecisionRow {
            seq: r.try_get("seq")?,
            decision_id: r.try_get("decision_id")?,
            at: r.try_get("at")?,
            policy: r.try_get("policy")?,
            policy_version: r.try_get("policy_version")?,
            policy_hash: r.try_get("hash")?,
            case_id: r.try_get("case_id")?,
            event: r.try_get("event")?,
            facts,
            result,
            whole: codec == super::codec::LEGACY,
            unreadable,
        })
    }

    /// The decision log, oldest first.
    pub async fn decisions(&self, f: &DecisionFilter) -> sqlx::Result<Vec<DecisionRow>> {
        let after_seq: i64 = match &f.after {
            Some(id) => {
                let row = sqlx::query("SELECT seq FROM decision_log WHERE decision_id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(r) => r.try_get("seq")?,
                    None => return Ok(Vec::new()),
                }
            }
            None => 0,
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decision_log d JOIN policy_refs r ON r.ref = d.ref \
             WHERE d.seq > $1 AND ($2 = '' OR r.policy = $2) AND ($3 = '' OR d.at >= $3) AND ($4 = '' OR d.at < $4) \
             ORDER BY d.seq LIMIT $5"
        ))
        .bind(after_seq)
        .bind(f.policy.as_deref().unwrap_or(""))
        .bind(f.since.as_deref().unwrap_or(""))
        .bind(f.until.as_deref().unwrap_or(""))
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await?;
        self.rows_of(&rows).await
    }

    /// Entries read as rows, decoded.
    pub(super) async fn rows_of(&self, rows: &[sqlx::any::AnyRow]) -> sqlx::Result<Vec<DecisionRow>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.row_of(r).await?);
        }
        Ok(out)
    }

    /// One entry of the decision log, by id.
    pub async fn decision(&self, id: &str) -> sqlx::Result<Option<DecisionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decision_log d JOIN policy_refs r ON r.ref = d.ref WHERE d.decision_id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => self.row_of(&r).await.map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a test stops at the first surprise")]
    use sqlx::Connection;

    use super::super::{Backend, DecisionFilter, Store, migrate};

    /// A database the first log wrote keeps every entry, whole, after the move to the
    /// compact log: the facts and the answer as they were, the policy named by reference.
    async fn the_first_log_moves_whole_on(url: &str, backend: Backend) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        migrate::apply_up_to(backend, &mut conn, 3).await.unwrap();
        let answer = r#"{"policy":"returns","version":"2026.1","now":"2026-11-10T12:00:00+08:00","decision":"approved","codes":[],"findings":[],"decision_id":"d-1"}"#;
        for (id, facts, result, case) in [
            ("d-1", r#"{ "order": {"id": "SO-1"} }"#, answer, None),
            ("d-2", r#"{"order":{"id":"SO-2"}}"#, r#"{"stage":"review","decision":null}"#, Some("C-1")),
        ] {
            sqlx::query(
                "INSERT INTO decisions (decision_id, at, policy, policy_version, policy_hash, case_id, event, facts, result) \
                 VALUES ($1, '2026-11-10T04:00:00.000000Z', 'returns', '2026.1', 'abc', $2, NULL, $3, $4)",
            )
            .bind(id)
            .bind(case)
            .bind(facts)
            .bind(result)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();
        let store = Store::open(url).await.unwrap();
        let rows = store.decisions(&DecisionFilter { limit: 10, ..DecisionFilter::default() }).await.unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.decision_id.as_str(), r.facts.as_str(), r.result.as_str(), r.whole, r.policy_hash.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("d-1", r#"{ "order": {"id": "SO-1"} }"#, answer, true, "abc"),
                ("d-2", r#"{"order":{"id":"SO-2"}}"#, r#"{"stage":"review","decision":null}"#, true, "abc"),
            ]
        );
        let one = store.decision("d-2").await.unwrap().unwrap();
        assert_eq!(
            (one.case_id.as_deref(), one.policy.as_str(), one.policy_version.as_deref()),
            (Some("C-1"), "returns", Some("2026.1"))
        );
        let filtered = DecisionFilter { policy: Some("other".into()), limit: 10, ..DecisionFilter::default() };
        assert!(store.decisions(&filtered).await.unwrap().is_empty());
        store.close().await;
    }

    #[tokio::test]
    async fn the_first_log_moves_whole() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
        the_first_log_moves_whole_on(&url, Backend::Sqlite).await;
    }

    /// The same on PostgreSQL, in a database of its own (the shared one is migrated).
    #[tokio::test]
    async fn the_first_log_moves_whole_on_postgres() {
        let Some(url) = std::env::var("TENET_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) else {
            assert!(std::env::var_os("CI").is_none_or(|v| v != "true"), "TENET_TEST_POSTGRES is not set under CI");
            return;
        };
        sqlx::any::install_default_drivers();
        let name = format!("tenet_legacy_{}", crate::ids::random_hex(4).unwrap());
        let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
        let own = match (base.rsplit_once('/'), query) {
            (Some((server, _)), Some(q)) => format!("{server}/{name}?{q}"),
            (Some((server, _)), None) => format!("{server}/{name}"),
            (None, _) => panic!("a PostgreSQL URL names its database: {url}"),
        };
        the_first_log_moves_whole_on(&own, Backend::Postgres).await;
        sqlx::query(&format!("DROP DATABASE {name}")).execute(&mut admin).await.unwrap();
    }
}
