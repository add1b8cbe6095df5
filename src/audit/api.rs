use leptos::prelude::*;
use uuid::Uuid;

use super::{ActivityEntry, ActivityQuery};
use crate::error::AppError;
use crate::kernel::Page;

/// Rows per page of the firm's activity.
pub const ACTIVITY_PAGE: u32 = 50;

/// The history of one client or matter (the most recent 100 entries). Addresses are shown to
/// administrators only.
#[server(endpoint = "audit/history")]
pub async fn history(
    resource_type: String,
    resource_id: Uuid,
) -> Result<Vec<ActivityEntry>, AppError> {
    crate::server::endpoint("audit.history", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let kind = match resource_type.as_str() {
            "client" => "client",
            "matter" => "matter",
            // An invoice's history is its billing staff's (an attorney sees the invoices of
            // their matters, not what was done with them).
            "invoice" if crate::invoices::may_bill(caller.role) => "invoice",
            _ => return Err(AppError::NotFound),
        };
        let admin = caller.role == crate::auth::Role::Admin;
        let rows = super::repo::list(&mut tx, kind, resource_id, 100, admin).await?;
        tx.commit().await?;
        Ok(rows)
    })
    .await
}

/// The firm's activity log, filtered, for administrators.
#[server(endpoint = "audit/activity")]
pub async fn firm_activity(query: ActivityQuery) -> Result<Page<ActivityEntry>, AppError> {
    crate::server::endpoint("audit.activity", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_admin().await?;
        let page = super::repo::firm_page(&mut tx, &query, ACTIVITY_PAGE).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}
