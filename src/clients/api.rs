//! Client server functions: who is calling → validate → repo → activity log → result.
//! Every mutation names the firm its form was rendered for (`org`); edits also carry the row
//! version they started from.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Client, ClientForm, ClientQuery, ClientRow, ContactForm};
use crate::error::AppError;
use crate::kernel::Page;

#[server(endpoint = "clients/list")]
pub async fn list_clients(query: ClientQuery) -> Result<Page<ClientRow>, AppError> {
    crate::server::endpoint("clients.list", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let page = super::repo::list(&mut tx, &query).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

#[server(endpoint = "clients/get")]
pub async fn get_client(id: Uuid) -> Result<Client, AppError> {
    crate::server::endpoint("clients.get", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let client = super::repo::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(client)
    })
    .await
}

#[server(endpoint = "clients/create")]
pub async fn create_client(org: Uuid, form: ClientForm) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, record, Entry};
    crate::server::endpoint("clients.create", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(form.values()))?;
        let valid = form.validate().map_err(AppError::Invalid)?;
        let id = super::repo::insert(&mut tx, caller.org_id, caller.user_id, &valid).await?;
        let entry = Entry::new("client.create", "client", id)
            .summary(valid.name.clone())
            .changes(changes_of_new(&valid));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/clients/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "clients/update")]
pub async fn update_client(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: ClientForm,
) -> Result<(), AppError> {
    use crate::audit::{changes_between, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("clients.update", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(form.values()))?;
        let (before, current) = super::repo::lock(&mut tx, id).await?;
        // A refused form keeps the version it was rendered from: fixing it and saving again
        // must still notice a save by someone else.
        let after = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_value("version", version.to_string())))?;
        if version != current {
            let fields =
                FieldErrors::stale(&before.shown(), &after.shown(), form.values(), current);
            return Err(AppError::Stale(fields));
        }
        let changes = changes_between(&before, &after);
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            super::repo::update(&mut tx, id, &after).await?;
            record(
                &mut tx,
                &caller,
                Entry::new("client.update", "client", id)
                    .summary(after.name.clone())
                    .changes(changes),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Mark a client inactive (clients are never deleted: their matters and bills remain).
#[server(endpoint = "clients/deactivate")]
pub async fn deactivate_client(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{changes_between, record, Entry};
    crate::server::endpoint("clients.deactivate", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org).await?;
        let (before, current) = super::repo::lock(&mut tx, id).await?;
        if version != current {
            return Err(AppError::Conflict(
                "Someone else changed this client after you opened it. Reload the page and try again."
                    .into(),
            ));
        }
        let after = super::ValidClient {
            status: super::ClientStatus::Inactive,
            ..before.clone()
        };
        if before != after {
            super::repo::update(&mut tx, id, &after).await?;
            let entry = Entry::new("client.deactivate", "client", id)
                .summary(after.name.clone())
                .changes(changes_between(&before, &after));
            record(&mut tx, &caller, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "clients/add_contact")]
pub async fn add_contact(org: Uuid, client_id: Uuid, form: ContactForm) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, record, Entry};
    use serde_json::json;
    crate::server::endpoint("clients.add_contact", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(form.values()))?;
        super::repo::lock(&mut tx, client_id).await?;
        let mut valid = form.validate().map_err(AppError::Invalid)?;
        let added = super::repo::add_contact(&mut tx, caller.org_id, client_id, &valid).await?;
        valid.is_primary = added.primary;
        let mut changes = changes_of_new(&valid);
        let mut summary = format!("{}: {}", valid.contact_type, valid.value);
        // A new primary demotes the old one: the history says so.
        if let Some(old) = &added.replaced_primary {
            changes["primary"] = json!({ "from": old, "to": valid.value });
            summary.push_str(&format!(" (now primary instead of {old})"));
        }
        let entry = Entry::new("client.contact_add", "client", client_id)
            .summary(summary)
            .changes(changes);
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(added.id)
    })
    .await
}

#[server(endpoint = "clients/delete_contact")]
pub async fn delete_contact(org: Uuid, client_id: Uuid, contact_id: Uuid) -> Result<(), AppError> {
    use crate::audit::{changes_of_removed, record, Entry};
    use serde_json::json;
    crate::server::endpoint("clients.delete_contact", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org).await?;
        super::repo::lock(&mut tx, client_id).await?;
        let (gone, promoted) = super::repo::delete_contact(&mut tx, client_id, contact_id).await?;
        let mut changes = changes_of_removed(&gone);
        let mut summary = format!("{}: {}", gone.contact_type, gone.value);
        if let Some(next) = &promoted {
            changes["primary"] = json!({ "from": gone.value, "to": next });
            summary.push_str(&format!(" ({next} is now primary)"));
        }
        let entry = Entry::new("client.contact_remove", "client", client_id)
            .summary(summary)
            .changes(changes);
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
