//! Matter server functions: who is calling → validate → repo → activity log → result.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Matter, MatterForm, MatterQuery, MatterRow};
use crate::error::AppError;
use crate::kernel::Page;

#[server(endpoint = "matters/list")]
pub async fn list_matters(query: MatterQuery) -> Result<Page<MatterRow>, AppError> {
    crate::server::endpoint("matters.list", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let page = super::repo::list(&mut tx, &query).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

#[server(endpoint = "matters/get")]
pub async fn get_matter(id: Uuid) -> Result<Matter, AppError> {
    crate::server::endpoint("matters.get", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let mut matter = super::repo::get(&mut tx, id).await?;
        let own = crate::trust::repo::own_matter(&mut tx, id).await?;
        let staff = caller.role == crate::auth::Role::Staff
            && crate::trust::repo::staff_see_trust(&mut tx).await?;
        if !crate::trust::may_see_matter(caller.role, own, staff) {
            matter.trust_balance = None;
        }
        tx.commit().await?;
        Ok(matter)
    })
    .await
}

/// A matter's rate is logged apart, under "rate": the matter's history is read by every
/// member, and staff do not see colleagues' rates; the firm's activity log (administrators)
/// has it.
#[cfg(feature = "ssr")]
async fn record_rate_apart(
    tx: &mut crate::server::db::Tx,
    caller: &crate::auth::caller::Caller,
    id: Uuid,
    title: &str,
    changes: &mut serde_json::Value,
) -> Result<(), AppError> {
    let Some(rate) = changes
        .as_object_mut()
        .and_then(|c| c.remove("hourly_rate"))
    else {
        return Ok(());
    };
    if rate.is_null() {
        return Ok(());
    }
    let entry = crate::audit::Entry::new("matter.rate", "rate", id)
        .summary(format!("Rate of {title}"))
        .changes(serde_json::json!({ "hourly_rate": rate }));
    crate::audit::record(tx, caller, entry).await
}

#[server(endpoint = "matters/create")]
pub async fn create_matter(org: Uuid, form: MatterForm) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, name_references, record, Entry};
    crate::server::endpoint("matters.create", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(form.values()))?;
        let firm = super::repo::firm(&mut tx).await?;
        let valid = form.validate(&firm).map_err(AppError::Invalid)?;
        if valid.hourly_rate.is_some() && !crate::time::may_set_rates(caller.role) {
            return Err(AppError::Invalid(rate_refused().with_values(form.values())));
        }
        super::repo::check_references(&mut tx, &valid, None)
            .await?
            .map_err(|e| AppError::Invalid(e.with_values(form.values())))?;
        let (id, number) =
            super::repo::insert(&mut tx, caller.org_id, caller.user_id, &valid, firm.today).await?;
        let mut changes = changes_of_new(&valid);
        name_references(&mut tx, &mut changes, super::repo::REFERENCES).await?;
        record_rate_apart(&mut tx, &caller, id, &valid.title, &mut changes).await?;
        let entry = Entry::new("matter.create", "matter", id)
            .summary(format!("{number} {}", valid.title))
            .changes(changes);
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/matters/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "matters/update")]
pub async fn update_matter(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: MatterForm,
) -> Result<(), AppError> {
    use crate::audit::{changes_between, name_references, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("matters.update", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write(org)
            .await
            .map_err(|e| e.keeping(form.values()))?;
        let (before, current) = super::repo::lock(&mut tx, id).await?;
        let firm = super::repo::firm(&mut tx).await?;
        // What the user typed comes back with any refusal, with the version the form was
        // rendered from (a fixed form saved again must still notice someone else's save).
        let typed = form.values();
        let refused = |e: FieldErrors| {
            AppError::Invalid(
                e.with_values(typed.clone())
                    .with_value("version", version.to_string()),
            )
        };
        // A matter that stays closed keeps its closing date unless the user gave another.
        let mut form = form;
        if let (Some(closed), true) = (before.date_closed, form.date_closed.trim().is_empty()) {
            form.date_closed = closed.to_string();
        }
        let mut after = form.validate(&firm).map_err(refused)?;
        // Only administrators set rates; a form without the rate field keeps the stored one.
        if after.hourly_rate != before.hourly_rate && !crate::time::may_set_rates(caller.role) {
            if form.hourly_rate.trim().is_empty() {
                after.hourly_rate = before.hourly_rate;
            } else {
                return Err(refused(rate_refused()));
            }
        }
        if version != current {
            let ids: Vec<Uuid> = [&before, &after]
                .iter()
                .flat_map(|m| [m.responsible_attorney_id, m.originating_attorney_id])
                .flatten()
                .collect();
            let names = super::repo::people_names(&mut tx, &ids).await?;
            let name_of = |id: Uuid| {
                names
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| "a former member".to_string())
            };
            let fields = FieldErrors::stale(
                &before.shown(name_of),
                &after.shown(name_of),
                typed,
                current,
            );
            return Err(AppError::Stale(fields));
        }
        super::repo::check_references(&mut tx, &after, Some(&before))
            .await?
            .map_err(refused)?;
        let mut changes = changes_between(&before, &after);
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            super::repo::update(&mut tx, id, &after)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(f) => refused(f),
                    e => e,
                })?;
            name_references(&mut tx, &mut changes, super::repo::REFERENCES).await?;
            record_rate_apart(&mut tx, &caller, id, &after.title, &mut changes).await?;
            if changes.as_object().is_some_and(|c| !c.is_empty()) {
                record(
                    &mut tx,
                    &caller,
                    Entry::new("matter.update", "matter", id)
                        .summary(after.title.clone())
                        .changes(changes),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn rate_refused() -> crate::kernel::FieldErrors {
    crate::kernel::FieldErrors::one("hourly_rate", "Only an administrator sets rates.")
}
