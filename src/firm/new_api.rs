//! Create another firm: any signed-in person may; they become its administrator and are
//! switched into it. The firm starts with the defaults of its settings page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewFirmForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub currency: String,
}

#[server(endpoint = "firm/create_firm")]
pub async fn create_firm(org: Uuid, form: NewFirmForm) -> Result<(), AppError> {
    use crate::kernel::{single_line, FieldErrors};
    crate::server::endpoint("firm.create_firm", async move {
        let typed = vec![
            ("name".to_string(), form.name.clone()),
            ("timezone".to_string(), form.timezone.clone()),
            ("currency".to_string(), form.currency.clone()),
        ];
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        let mut errors = FieldErrors::default();
        let name = errors.required_text("name", single_line(&form.name), "Enter the firm's name.", 200);
        let timezone = form.timezone.trim().to_string();
        if !super::repo::known_timezone(&mut tx, &timezone).await? {
            errors.add("timezone", "Use a time zone name such as America/New_York.");
        }
        let currency = form.currency.trim().to_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.add("currency", "Use a three-letter currency code such as USD.");
        } else if crate::kernel::has_three_minor_digits(&currency) {
            errors.add("currency", "Docket keeps amounts to two decimals: currencies with three (such as KWD) are not supported.");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.with_values(typed)));
        }
        let firm: Uuid = sqlx::query_scalar("SELECT app_create_firm($1, $2, $3)")
            .bind(&name)
            .bind(&timezone)
            .bind(&currency)
            .fetch_one(&mut *tx)
            .await?;
        crate::server::db::act_as(&mut tx, caller.user_id, firm).await?;
        let entry = crate::audit::Entry::new("firm.create", "organization", firm)
            .summary(format!("Created the firm {name}"));
        crate::audit::record_as(&mut tx, caller.user_id, firm, &caller.meta, entry).await?;
        tx.commit().await?;
        crate::server::session::set_org(&session, firm).await?;
        tracing::info!(user_id = %caller.user_id, %firm, "firm created");
        leptos_axum::redirect("/settings");
        Ok(())
    })
    .await
}
