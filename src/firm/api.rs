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
        let members = super::repo::members(&mut tx).await?;
        tx.commit().await?;
        Ok(SettingsPage {
            settings,
            members,
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
        // Only a change to such a currency is refused: a firm already on one keeps saving.
        if after.currency != before.currency && crate::kernel::has_three_minor_digits(&after.currency) {
            return Err(refused(FieldErrors::one(
                "currency",
                "Docket keeps amounts to two decimals: currencies with three (such as KWD) are not supported.",
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

/// Set a member's default hourly rate (empty: none). `shown` is the rate the page showed: if
/// someone changed it since, the save is refused as stale rather than overwriting theirs.
#[server(endpoint = "firm/member_rate")]
pub async fn set_member_rate(
    org: Uuid,
    user: Uuid,
    shown: String,
    form: super::RateForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("firm.member_rate", async move {
        let typed = vec![("rate".to_string(), form.rate.clone())];
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, |r| r == crate::auth::Role::Admin)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let (name, before) = super::repo::lock_member(&mut tx, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        let rate = crate::rates::api::checked(&form, &shown, before, &currency)?;
        super::repo::set_member_rate(&mut tx, user, rate).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("member.rate", "user", user)
                .summary(format!("Default rate of {name}"))
                .changes(serde_json::json!({ "hourly_rate": { "from": before, "to": rate } })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
