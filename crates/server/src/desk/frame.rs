//! What every signed-in desk page shares: the header's figures and the filters' choices.

use serde_json::{Map, Value, json};

use super::auth::Staff;
use crate::app::App;
use crate::error::ApiError;

/// What every signed-in page shows: who, the overdue count, the form token.
pub async fn frame(app: &App, staff: &Staff, page: &str) -> Result<Map<String, Value>, ApiError> {
    let now = crate::clock::stamp(crate::clock::now());
    let overdue = app.store.overdue_count(&now).await?;
    let mut m = Map::new();
    m.insert("staff".into(), json!({"name": staff.name, "roles": staff.roles}));
    m.insert("csrf".into(), json!(staff.csrf));
    m.insert("overdue".into(), json!(overdue));
    m.insert("page".into(), json!(page));
    Ok(m)
}

/// The served policies with a workflow, and their stages (each once), for the filters.
pub fn choices(app: &App) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let registry = app.registry.read().map_err(ApiError::internal)?;
    let mut names: Vec<String> = registry.names().map(str::to_owned).collect();
    names.sort();
    let mut policies = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    for n in names {
        let Some(l) = registry.current(&n) else { continue };
        if !l.policy.has_workflow() {
            continue;
        }
        for s in l.policy.workflow_stages() {
            if !stages.iter().any(|x| x == s) {
                stages.push(s.to_owned());
            }
        }
        policies.push(n);
    }
    Ok((policies, stages))
}
