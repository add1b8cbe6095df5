//! Documents server functions: who is calling → validate → repo → activity log, each change one
//! transaction with its activity row. A change to a document locks it and checks the version the
//! page showed (409 otherwise). The bytes come and go through `upload` and `download`.

use leptos::prelude::*;
use uuid::Uuid;

use super::{MatterDocuments, RenameForm};
use crate::error::AppError;

/// A matter's folders and documents (and its deleted ones), with the firm's limits.
#[server(endpoint = "documents/matter")]
pub async fn get_matter_documents(matter: Uuid) -> Result<MatterDocuments, AppError> {
    use super::repo;
    crate::server::endpoint("documents.matter", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let (matter_number, title) = repo::matter_head(&mut tx, matter).await?;
        let folders = repo::folders(&mut tx, matter).await?;
        let documents = repo::documents(&mut tx, matter, false).await?;
        let deleted = repo::documents(&mut tx, matter, true).await?;
        let limits = repo::limits(&mut tx).await?;
        tx.commit().await?;
        Ok(MatterDocuments {
            matter_id: matter,
            matter_number,
            title,
            folders,
            documents,
            deleted,
            limits,
            may_edit: caller.role.can_edit_records(),
            may_purge: caller.role == crate::auth::Role::Admin,
        })
    })
    .await
}

/// "New folder" on a matter's documents page.
#[server(endpoint = "documents/create_folder")]
pub async fn create_folder(org: Uuid, matter: Uuid, name: String) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("documents.create_folder", async move {
        let typed = vec![("name".to_string(), name.clone())];
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        let name = super::valid_name(&name, 120).map_err(|m| {
            AppError::Invalid(FieldErrors::one("name", m).with_values(typed.clone()))
        })?;
        let (number, _) = super::repo::matter_head(&mut tx, matter).await?;
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO document_folders (organization_id, matter_id, name, created_by)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(caller.org_id)
        .bind(matter)
        .bind(&name)
        .bind(caller.user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Err(AppError::Invalid(
                FieldErrors::one("name", "The matter already has a folder of that name.")
                    .with_values(typed),
            ));
        };
        record(
            &mut tx,
            &caller,
            Entry::new("document.folder", "document_folder", id)
                .on_matter(Some(matter))
                .summary(format!("Folder “{name}” on matter {number}")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Lock a document for a change the page showed at `version`.
#[cfg(feature = "ssr")]
async fn locked(
    org: Uuid,
    id: Uuid,
    version: Option<i32>,
    typed: &[(String, String)],
) -> Result<
    (
        crate::auth::caller::Caller,
        crate::server::db::Tx,
        super::repo::Head,
    ),
    AppError,
> {
    let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
        .await
        .map_err(|e| e.keeping(typed.to_vec()))?;
    let head = super::repo::lock(&mut tx, id).await?;
    if let Some(v) = version {
        if v != head.version {
            let stored = [("filename", head.filename.clone())];
            let submitted: Vec<(&'static str, String)> = typed
                .iter()
                .filter(|(k, _)| k == "filename")
                .map(|(_, v)| ("filename", v.clone()))
                .collect();
            return Err(AppError::Stale(crate::kernel::FieldErrors::stale(
                &stored,
                &submitted,
                typed.to_vec(),
                head.version,
            )));
        }
    }
    Ok((caller, tx, head))
}

/// Rename a document.
#[server(endpoint = "documents/rename")]
pub async fn rename_document(org: Uuid, id: Uuid, form: RenameForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("documents.rename", async move {
        let typed = form.values();
        let (caller, mut tx, head) = locked(org, id, Some(form.version), &typed).await?;
        let name = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        if name == head.filename {
            return Ok(());
        }
        sqlx::query("UPDATE documents SET filename = $2 WHERE id = $1")
            .bind(id)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            &caller,
            Entry::new("document.rename", "document", id)
                .on_matter(Some(head.matter_id))
                .summary(format!(
                    "Renamed “{}” to “{name}” on matter {}",
                    head.filename, head.matter_number
                ))
                .changes(serde_json::json!({"filename": {"from": head.filename, "to": name}})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Move a document to another folder of its matter (`folder` empty: the matter's top level).
#[server(endpoint = "documents/move")]
pub async fn move_document(
    org: Uuid,
    id: Uuid,
    folder: String,
    version: i32,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("documents.move", async move {
        let typed = vec![("folder".to_string(), folder.clone())];
        let (caller, mut tx, head) = locked(org, id, Some(version), &typed).await?;
        let target =
            match folder.trim() {
                "" => None,
                f => Some(Uuid::parse_str(f).map_err(|_| {
                    AppError::field("folder", "Choose one of the matter's folders.")
                })?),
            };
        if target == head.folder_id {
            return Ok(());
        }
        let name = match target {
            None => "the matter's top level".to_string(),
            Some(f) => super::repo::folder_in_matter(&mut tx, f, head.matter_id)
                .await?
                .map(|n| format!("“{n}”"))
                .ok_or_else(|| AppError::field("folder", "Choose one of the matter's folders."))?,
        };
        sqlx::query("UPDATE documents SET folder_id = $2 WHERE id = $1")
            .bind(id)
            .bind(target)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            &caller,
            Entry::new("document.move", "document", id)
                .on_matter(Some(head.matter_id))
                .summary(format!(
                    "Moved “{}” to {name} on matter {}",
                    head.filename, head.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Delete a document (it stays restorable until an administrator purges it).
#[server(endpoint = "documents/delete")]
pub async fn delete_document(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("documents.delete", async move {
        let (caller, mut tx, head) = locked(org, id, Some(version), &[]).await?;
        if head.deleted {
            return Ok(());
        }
        sqlx::query("UPDATE documents SET deleted_at = now(), deleted_by = $2 WHERE id = $1")
            .bind(id)
            .bind(caller.user_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            &caller,
            Entry::new("document.delete", "document", id)
                .on_matter(Some(head.matter_id))
                .summary(format!(
                    "Deleted “{}” on matter {}",
                    head.filename, head.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Restore a deleted document.
#[server(endpoint = "documents/restore")]
pub async fn restore_document(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("documents.restore", async move {
        let (caller, mut tx, head) = locked(org, id, Some(version), &[]).await?;
        if !head.deleted {
            return Ok(());
        }
        sqlx::query("UPDATE documents SET deleted_at = NULL, deleted_by = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            &caller,
            Entry::new("document.restore", "document", id)
                .on_matter(Some(head.matter_id))
                .summary(format!(
                    "Restored “{}” on matter {}",
                    head.filename, head.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// An administrator removes a deleted document and every version's bytes for good.
#[server(endpoint = "documents/purge")]
pub async fn purge_document(
    org: Uuid,
    id: Uuid,
    version: i32,
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    let storage = crate::server::AppState::current()?.storage.clone();
    crate::server::endpoint("documents.purge", async move {
        let (caller, mut tx, head) = locked(org, id, Some(version), &[]).await?;
        caller.require_admin()?;
        if confirm.as_deref() != Some("on") {
            return Err(AppError::field(
                "confirm",
                "Tick the box to remove the document and all its versions for good.",
            ));
        }
        if !head.deleted {
            return Err(AppError::Conflict(
                "Only a deleted document can be purged: delete it first.".into(),
            ));
        }
        let keys: Vec<String> = sqlx::query_scalar("SELECT document_purge($1)")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        record(
            &mut tx,
            &caller,
            Entry::new("document.purge", "document", id)
                .on_matter(Some(head.matter_id))
                .summary(format!(
                    "Purged “{}” ({} version{}) on matter {}",
                    head.filename,
                    keys.len(),
                    if keys.len() == 1 { "" } else { "s" },
                    head.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        // The rows are gone; the bytes follow (any left behind are swept).
        for key in keys {
            if let Err(e) = storage.delete(&key).await {
                tracing::warn!(error = %e, "a purged version's bytes stay until the sweep");
            }
        }
        Ok(())
    })
    .await
}
