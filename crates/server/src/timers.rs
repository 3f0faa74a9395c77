//! Timers that fire by themselves: an action whose time has come (`action.due`: a
//! follow-up call, a rejection to explain) and a deadline that passed while the case is
//! open (`case.overdue`) are fired once, by whichever server is up, without anyone polling
//! `/v1/actions`. A timer is fired by inserting its id into `timers_fired`: the first
//! insert wins, so a restart or a second replica on the same PostgreSQL neither loses nor
//! doubles one. A firing is counted (`tenet_timers_fired_total`), kept (`timers_fired`,
//! with when it fired) and, with `--webhooks`, its deliveries are written to the outbox in
//! the same transaction.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::app::App;
use crate::error::ApiError;

/// How often a server looks for timers whose time has come.
pub const EVERY: Duration = Duration::from_secs(5);

/// Fires every timer due now that no server has fired; the number this call fired.
pub async fn fire_due(app: &App) -> Result<usize, ApiError> {
    let mut fired = 0;
    loop {
        let now = crate::clock::stamp(crate::clock::now());
        let due = app.store.timers_due(&now, 500).await?;
        let mut claimed_any = false;
        for t in &due {
            let data = match t.kind.as_str() {
                "action.due" => json!({"case": t.case_id, "policy": t.policy, "action": t.detail, "due": t.due}),
                _ => json!({"case": t.case_id, "policy": t.policy, "stage": t.detail, "due": t.due}),
            };
            let deliveries = match &app.webhooks {
                Some(hooks) => hooks.deliveries(&t.id, &t.kind, &t.policy, data, &now),
                None => Vec::new(),
            };
            // Lost to another server (or fired meanwhile): that one counts and delivers it.
            if app.store.fire_timer_with([&t.id, &t.kind, &t.case_id, &t.due, &now], &deliveries).await? {
                app.metrics.timer(&t.kind);
                fired += 1;
                claimed_any = true;
            }
        }
        if due.len() < 500 || !claimed_any {
            return Ok(fired);
        }
    }
}

/// Runs [`fire_due`] every `every`.
pub async fn run(app: Arc<App>, every: Duration) {
    loop {
        if let Err(e) = fire_due(&app).await {
            eprintln!("tenet serve: timers: {}", e.kind());
        }
        tokio::time::sleep(every).await;
    }
}
