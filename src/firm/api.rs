//! Firm settings server functions: administrators only.

use leptos::prelude::*;
use uuid::Uuid;

use super::{SettingsForm, SettingsPage};
use crate::error::AppError;

#[server(endpoint = "firm/settings")]
pub async fn firm_settings() -> Result<SettingsPage, AppError> {
    crate::server::endpoint("firm.settings", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        caller.require_admin()?;
        let (settings, version, year) = super::repo::get(&mut tx, false).await?;
        tx.commit().await?;
        Ok(SettingsPage {
            settings,
            version,
            year,
        })
    })
    .await
}

#[server(endpoint = "firm/update")]
pub async fn update_firm_settings(
    org: Uuid,
    version: i32,
    form: SettingsForm,
) -> Result<(), AppError> {
    use crate::audit::{changes_between, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("firm.update", async move {
        let typed = form.values();
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, |r| r == crate::auth::Role::Admin)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let refused = |e: FieldErrors| {
            AppError::Invalid(
                e.with_values(typed.clone())
                    .with_value("version", version.to_string()),
            )
        };
        let (before, current, _) = super::repo::get(&mut tx, true).await?;
        let after = form.validate().map_err(refused)?;
        if !super::repo::known_timezone(&mut tx, &after.timezone).await? {
            return Err(refused(FieldErrors::one(
                "timezone",
                "This is not a time zone we know: use a name such as America/New_York.",
            )));
        }
        if after.currency != before.currency && super::repo::has_amounts(&mut tx).await? {
            return Err(refused(FieldErrors::one(
                "currency",
                "The firm has time, expenses, rates or invoices in its currency: it can no longer change.",
            )));
        }
        if version != current {
            let fields = FieldErrors::stale(&before.shown(), &after.shown(), typed, current);
            return Err(AppError::Stale(fields));
        }
        super::repo::update(&mut tx, &after).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("firm.settings", "organization", caller.org_id)
                .summary("Changed the firm's settings")
                .changes(changes_between(&before, &after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
