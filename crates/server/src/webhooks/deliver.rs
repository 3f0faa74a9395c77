//! The sender: claims the deliveries due, POSTs them, records each attempt.

use std::sync::Arc;

use super::{EVERY, MAX_ATTEMPTS};
use crate::app::App;
use crate::store::{Attempt, Outcome};

/// Most deliveries claimed and sent at once.
const BATCH: i64 = 64;

/// Sends the deliveries due now that this server claims; the number delivered.
pub async fn deliver_due(app: &App) -> Result<usize, crate::error::ApiError> {
    let Some(hooks) = &app.webhooks else { return Ok(0) };
    let now = chrono::Utc::now();
    let claimed = app
        .store
        .claim_deliveries(&crate::clock::stamp(now), &crate::clock::stamp(now + hooks.claim()), &hooks.urls(), BATCH)
        .await?;
    // The claimed deliveries are sent side by side: one slow receiver does not hold up
    // the others, and each attempt is recorded as it ends.
    let mut sends = tokio::task::JoinSet::new();
    for d in claimed {
        let hooks = hooks.clone();
        sends.spawn(async move {
            let outcome = hooks.send(&d).await;
            (d, outcome)
        });
    }
    let mut delivered = 0;
    let mut attempts = Vec::new();
    while let Some(joined) = sends.join_next().await {
        let Ok((d, outcome)) = joined else { continue };
        let at = crate::clock::stamp(chrono::Utc::now());
        let outcome = match outcome {
            Ok(()) => {
                delivered += 1;
                Outcome::Delivered
            }
            Err(error) if d.attempts + 1 >= MAX_ATTEMPTS => Outcome::Dead { error },
            Err(error) => {
                Outcome::Retry { error, next: crate::clock::stamp(chrono::Utc::now() + hooks.wait(d.attempts)) }
            }
        };
        attempts.push(Attempt { id: d.id, at, outcome });
    }
    app.store.deliveries_attempted(&attempts).await?;
    Ok(delivered)
}

/// Runs [`deliver_due`] every [`EVERY`] (more at once while there is more to send).
pub async fn run(app: Arc<App>) {
    loop {
        match deliver_due(&app).await {
            Ok(n) if n >= BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => eprintln!("tenet serve: webhooks: {}", e.kind()),
        }
        tokio::time::sleep(EVERY).await;
    }
}
