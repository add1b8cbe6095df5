//! The search server function: one ranked list across the firm's clients, contacts, matters and
//! documents, as the caller may see them (row-level security and walls apply).

use leptos::prelude::*;

use super::SearchResults;
use crate::error::AppError;

#[server(endpoint = "search")]
pub async fn search(q: String) -> Result<SearchResults, AppError> {
    crate::server::endpoint("search", async move {
        let query = crate::kernel::clean(&q);
        let query = crate::kernel::clip(&query, 200);
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let hits = super::repo::search(&mut tx, &query).await?;
        tx.commit().await?;
        Ok(SearchResults { query, hits })
    })
    .await
}
