//! Timers that fire by themselves: an action whose time has come (`action.due`: a
//! follow-up call, a rejection to explain) and a deadline that passed while the case is
//! open (`case.overdue`) are fired once, by whichever server is up, without anyone polling
//! `/v1/actions`. A timer is fired by inserting its id into `timers_fired`: the first
//! insert wins, so a restart or a second replica on the same PostgreSQL neither loses nor
//! doubles one. What a firing does today: it is counted (`tenet_timers_fired_total`) and
//! kept (`timers_fired`, with when it fired); webhook deliveries will be written in the same
//! transaction (issue 34).

use std::sync::Arc;
use std::time::Duration;

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
        for (id, kind, case_id, at) in &due {
            // Lost to another server (or fired meanwhile): that one counts it.
            if app.store.fire_timer(id, kind, case_id, at, &now).await? {
                app.metrics.timer(kind);
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
