//! Rate server functions: administrators read and set a client's rate and people's rates on a
//! matter. A save names the rate its form showed (`shown`): if someone saved another since, it
//! is refused as stale (409) instead of overwriting theirs. Each change is one transaction with
//! its activity row.

use leptos::prelude::*;
use uuid::Uuid;

use super::{ClientRate, MatterRates};
use crate::error::AppError;
use crate::firm::RateForm;

/// The rate typed, in the firm's currency (empty: none), if the rate is still the one shown.
#[cfg(feature = "ssr")]
pub(crate) fn checked(
    form: &RateForm,
    shown: &str,
    before: Option<rust_decimal::Decimal>,
    currency: &str,
) -> Result<Option<rust_decimal::Decimal>, AppError> {
    use crate::kernel::FieldErrors;
    let typed = vec![("rate".to_string(), form.rate.clone())];
    let rate = crate::kernel::parse_money(&form.rate, currency)
        .map_err(|m| AppError::Invalid(FieldErrors::one("rate", m).with_values(typed.clone())))?;
    let now = super::shown(before);
    if shown.trim() != now {
        let now = if now.is_empty() { "(none)".into() } else { now };
        return Err(AppError::Stale(
            FieldErrors::one("rate", format!("Someone else saved this as “{now}”."))
                .with_values(typed),
        ));
    }
    Ok(rate)
}

#[cfg(feature = "ssr")]
async fn begin_admin_write(
    org: Uuid,
    form: &RateForm,
) -> Result<(crate::auth::caller::Caller, crate::server::db::Tx), AppError> {
    crate::auth::caller::Caller::begin_write_if(org, crate::time::may_set_rates)
        .await
        .map_err(|e| e.keeping(vec![("rate".to_string(), form.rate.clone())]))
}

#[server(endpoint = "rates/matter")]
pub async fn get_matter_rates(matter: Uuid) -> Result<MatterRates, AppError> {
    crate::server::endpoint("rates.matter", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_admin().await?;
        let rates = super::repo::matter_rates(&mut tx, matter).await?;
        let people = crate::auth::repo::people(&mut tx).await?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        tx.commit().await?;
        Ok(MatterRates {
            currency,
            rates,
            people,
        })
    })
    .await
}

/// Set (or, empty, remove) a person's rate on a matter.
#[server(endpoint = "rates/set_matter")]
pub async fn set_matter_rate(
    org: Uuid,
    matter: Uuid,
    user: Uuid,
    shown: String,
    form: RateForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("rates.set_matter", async move {
        let (caller, mut tx) = begin_admin_write(org, &form).await?;
        let (title, name, before) = super::repo::lock_matter_rate(&mut tx, matter, user).await?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        let rate = checked(&form, &shown, before, &currency)?;
        if rate != before {
            super::repo::set_matter_rate(&mut tx, matter, user, rate).await?;
            // Under "rate", not the matter: its history is read by every member, and staff do
            // not see colleagues' rates. The firm's activity log (administrators) has it.
            let entry = Entry::new("matter.person_rate", "rate", matter)
                .summary(format!("Rate of {name} on {title}"))
                .changes(serde_json::json!({
                    "person": name,
                    "hourly_rate": { "from": before, "to": rate },
                }));
            record(&mut tx, &caller, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "rates/client")]
pub async fn get_client_rate(client: Uuid) -> Result<ClientRate, AppError> {
    crate::server::endpoint("rates.client", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_admin().await?;
        let (_, rate) = super::repo::client_rate(&mut tx, client, false).await?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        tx.commit().await?;
        Ok(ClientRate { currency, rate })
    })
    .await
}

/// Set (or, empty, remove) a client's rate.
#[server(endpoint = "rates/set_client")]
pub async fn set_client_rate(
    org: Uuid,
    client: Uuid,
    shown: String,
    form: RateForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("rates.set_client", async move {
        let (caller, mut tx) = begin_admin_write(org, &form).await?;
        let (name, before) = super::repo::client_rate(&mut tx, client, true).await?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        let rate = checked(&form, &shown, before, &currency)?;
        if rate != before {
            super::repo::set_client_rate(&mut tx, client, rate).await?;
            let entry = Entry::new("client.rate", "rate", client)
                .summary(format!("Rate of {name}"))
                .changes(serde_json::json!({ "hourly_rate": { "from": before, "to": rate } }));
            record(&mut tx, &caller, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}
