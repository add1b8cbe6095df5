//! Matter access server functions. Reading who can see a matter is for anyone who can see it;
//! changing it is for administrators, who must stay named.

use leptos::prelude::*;
use uuid::Uuid;

use super::{AccessForm, MatterAccess};
use crate::error::AppError;

#[server(endpoint = "matters/access")]
pub async fn get_access(matter: Uuid) -> Result<MatterAccess, AppError> {
    crate::server::endpoint("matters.access", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let (restricted, version) = super::repo::state(&mut tx, matter).await?;
        let named = if restricted {
            super::repo::named(&mut tx, matter).await?
        } else {
            Vec::new()
        };
        let people = crate::auth::repo::people(&mut tx).await?;
        tx.commit().await?;
        Ok(MatterAccess {
            restricted,
            named,
            people,
            version,
            may_change: super::may_wall(caller.role),
        })
    })
    .await
}

/// Restrict the matter to the members ticked, or open it to the firm again. One transaction
/// with its activity row; refused (409) if the matter changed since the form was shown.
#[server(endpoint = "matters/set_access")]
pub async fn set_access(
    org: Uuid,
    matter: Uuid,
    version: i32,
    form: AccessForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("matters.set_access", async move {
        let typed = form.values();
        let refused = |e: FieldErrors| {
            e.with_values(typed.clone())
                .with_value("version", version.to_string())
        };
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, super::may_wall)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        // People are read while no one can be removed from the firm (a removal waits), so no
        // one removed meanwhile stays named.
        crate::firm::repo::hold(&mut tx).await?;
        let super::repo::Locked {
            restricted: was_restricted,
            version: current,
            title,
            client,
        } = super::repo::lock(&mut tx, matter).await?;
        if version != current {
            return Err(AppError::Stale(refused(FieldErrors::one(
                "restricted",
                "Someone changed this matter since this page was shown: look again, then save.",
            ))));
        }
        let people = crate::auth::repo::people(&mut tx).await?;
        let before = if was_restricted {
            super::repo::named(&mut tx, matter).await?
        } else {
            Vec::new()
        };
        let restrict = match form.restricted.as_str() {
            "named" => true,
            "everyone" => false,
            _ => {
                return Err(AppError::Invalid(refused(FieldErrors::one(
                    "restricted",
                    "Choose who can see this matter.",
                ))))
            }
        };
        let Some(mut named) = form.named() else {
            return Err(AppError::Invalid(refused(FieldErrors::one(
                "members",
                "Name members of this firm only.",
            ))));
        };
        // Members of the firm; someone already named who has left it may stay named.
        if !named.iter().all(|id| {
            people.iter().any(|p| p.id == *id) || before.iter().any(|p| p.id == *id)
        }) {
            return Err(AppError::Invalid(refused(FieldErrors::one(
                "members",
                "Name members of this firm only.",
            ))));
        }
        named.sort();
        named.dedup();
        if restrict {
            if !named.contains(&caller.user_id) {
                return Err(AppError::Invalid(refused(FieldErrors::one(
                    "members",
                    "Name yourself too: otherwise this matter would be hidden from you.",
                ))));
            }
            // Invoice drafts for the client wait (and a draft being made is seen): none takes
            // the matter's work onto a client-wide invoice while it is walled off.
            crate::invoices::repo::lock_client(&mut tx, client).await?;
            let invoices = super::repo::on_client_invoices(&mut tx, matter).await?;
            if !invoices.is_empty() {
                return Err(AppError::Invalid(refused(FieldErrors::one(
                    "restricted",
                    format!(
                        "This matter's work is on the client's invoice {}: void it (or delete the draft) and bill the matter on an invoice of its own first.",
                        invoices.join(", ")
                    ),
                ))));
            }
            let timing = super::repo::timers_outside(&mut tx, matter, &named).await?;
            if !timing.is_empty() {
                return Err(AppError::Invalid(refused(FieldErrors::one(
                    "members",
                    format!(
                        "{} has a timer running on this matter: name them, or ask them to stop it first.",
                        timing.join(", ")
                    ),
                ))));
            }
        }
        let mut before_ids: Vec<Uuid> = before.iter().map(|p| p.id).collect();
        before_ids.sort();
        if restrict == was_restricted && (!restrict || named == before_ids) {
            tx.commit().await?;
            return Ok(());
        }
        if restrict {
            super::repo::restrict(&mut tx, matter, &named, caller.user_id).await?;
        } else {
            super::repo::open(&mut tx, matter).await?;
        }
        let name_of = |id: &Uuid| {
            people
                .iter()
                .chain(before.iter())
                .find(|p| p.id == *id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "A former member".into())
        };
        let names_before: Vec<String> = before.iter().map(|p| p.name.clone()).collect();
        let names_after: Vec<String> = if restrict {
            named.iter().map(name_of).collect()
        } else {
            Vec::new()
        };
        let summary = if restrict {
            format!("{title}: seen only by {}", names_after.join(", "))
        } else {
            format!("{title}: seen by everyone in the firm")
        };
        let entry = Entry::new("matter.access", "matter", matter)
            .summary(summary)
            .changes(serde_json::json!({
                "restricted": { "from": was_restricted, "to": restrict },
                "named": { "from": names_before, "to": names_after },
            }));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
