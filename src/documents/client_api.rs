//! A client's documents: every document on the client's matters, in one list.

use leptos::prelude::*;
use uuid::Uuid;

use super::ClientDocuments;
use crate::error::AppError;
use crate::kernel::PageRequest;

#[server(endpoint = "documents/client")]
pub async fn get_client_documents(
    client: Uuid,
    #[server(default)] paging: PageRequest,
) -> Result<ClientDocuments, AppError> {
    use super::repo;
    crate::server::endpoint("documents.client", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let client_name = repo::client_name(&mut tx, client).await?;
        let matters = repo::client_matters(&mut tx, client).await?;
        let page = repo::client_documents(&mut tx, client, &paging).await?;
        let limits = repo::limits(&mut tx).await?;
        tx.commit().await?;
        Ok(ClientDocuments {
            client_id: client,
            client_name,
            matters,
            page,
            limits,
            may_edit: caller.role.can_edit_records(),
        })
    })
    .await
}
