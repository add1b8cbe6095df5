use leptos::prelude::*;
use uuid::Uuid;

use super::ActivityEntry;
use crate::error::AppError;

/// The history of one client or matter (the most recent 100 entries).
#[server(endpoint = "audit/history")]
pub async fn history(
    resource_type: String,
    resource_id: Uuid,
) -> Result<Vec<ActivityEntry>, AppError> {
    crate::server::endpoint("audit.history", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let kind = match resource_type.as_str() {
            "client" => "client",
            "matter" => "matter",
            _ => return Err(AppError::NotFound),
        };
        let rows = super::repo::list(&mut tx, kind, resource_id, 100).await?;
        tx.commit().await?;
        Ok(rows)
    })
    .await
}
