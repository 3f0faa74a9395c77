//! Timers fire by themselves, once: an action whose time has come and a deadline that
//! passed, whatever the number of servers on the database and however often they restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[macro_use]
mod support;

use serde_json::Value;
use support::{Server, open_return, postgres, unique};

fn fired_metric(text: &Value, timer: &str) -> u64 {
    let line = format!("tenet_timers_fired_total{{timer=\"{timer}\"}} ");
    text.as_str().unwrap().lines().find_map(|l| l.strip_prefix(&line)).map_or(0, |n| n.parse().unwrap())
}

async fn fire_once_across_servers(db: Option<String>) {
    let u = unique();
    let a = Server::start(db.as_deref(), None).await;
    let db = db.unwrap_or_else(|| a.app.store.url().to_owned());
    let b = Server::start(Some(&db), None).await;
    let (late, rejected) = (format!("T-late-{u}"), format!("T-rej-{u}"));
    // In review for six days: its two-business-day deadline has passed.
    open_return(&a, &late, 6, false).await;
    // Rejected four days ago: the explanation owed within a day is due.
    open_return(&b, &rejected, 5, true).await;
    // Both servers look at once, twice; a third starts on the same database afterwards.
    let (x, y) = tokio::join!(tenet_server::timers::fire_due(&a.app), tenet_server::timers::fire_due(&b.app));
    let (x, y) = (x.unwrap(), y.unwrap());
    let c = Server::start(Some(&db), None).await;
    let z = tenet_server::timers::fire_due(&c.app).await.unwrap();
    let again = tenet_server::timers::fire_due(&a.app).await.unwrap();
    // Exactly one firing of each of this scenario's timers, whoever fired it.
    let mine = a.app.store.timers_of(&[late.as_str(), rejected.as_str()]).await.unwrap();
    let kinds: Vec<(String, String)> = mine.iter().map(|(_, kind, case)| (kind.clone(), case.clone())).collect();
    assert_eq!(
        kinds,
        [("action.due".to_owned(), rejected.clone()), ("case.overdue".to_owned(), late.clone())],
        "{mine:?}"
    );
    assert!(x + y + z + again >= 2, "the calls fired them (the servers' own loops may have fired some first)");
    if a.app.store.backend() == tenet_server::store::Backend::Sqlite {
        // Alone on this database: the servers' counters add up to one of each.
        let mut sum = (0, 0);
        for s in [&a, &b, &c] {
            let (_, m) = s.get("/metrics").await;
            sum.0 += fired_metric(&m, "action.due");
            sum.1 += fired_metric(&m, "case.overdue");
        }
        assert_eq!(sum, (1, 1), "counted once, by the server that fired each");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timers_fire_once_across_servers_and_restarts_sqlite() {
    fire_once_across_servers(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timers_fire_once_across_servers_and_restarts_postgres() {
    if let Some(url) = postgres() {
        fire_once_across_servers(Some(url)).await;
    }
}
