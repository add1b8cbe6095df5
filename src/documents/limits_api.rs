//! The firm's upload limits: read and set by administrators, on the Settings page.

use leptos::prelude::*;
use uuid::Uuid;

use super::limits::{LimitsForm, LimitsPage};
use crate::error::AppError;

#[server(endpoint = "documents/limits")]
pub async fn document_limits() -> Result<LimitsPage, AppError> {
    crate::server::endpoint("documents.limits", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        caller.require_admin()?;
        let (limits, version) = super::repo::limits_for_change(&mut tx, false).await?;
        tx.commit().await?;
        Ok(LimitsPage { limits, version })
    })
    .await
}

#[server(endpoint = "documents/set_limits")]
pub async fn set_document_limits(
    org: Uuid,
    version: i32,
    form: LimitsForm,
) -> Result<(), AppError> {
    use crate::audit::{changes_between, record, Entry};
    crate::server::endpoint("documents.set_limits", async move {
        let typed = form.values();
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, |r| r == crate::auth::Role::Admin)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let (before, current) = super::repo::limits_for_change(&mut tx, true).await?;
        let after = form.validate().map_err(|e| {
            AppError::Invalid(
                e.with_values(typed.clone())
                    .with_value("version", version.to_string()),
            )
        })?;
        if version != current {
            let fields =
                crate::kernel::FieldErrors::stale(&before.shown(), &form.shown(), typed, current);
            return Err(AppError::Stale(fields));
        }
        super::repo::set_limits(&mut tx, &after).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("firm.document_limits", "organization", caller.org_id)
                .summary(format!(
                    "Set the firm's upload limits: {}",
                    after.describe()
                ))
                .changes(changes_between(&before, &after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
