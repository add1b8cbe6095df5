//! "Forgot password?": a single-use link by e-mail, valid for an hour, for an e-mail + password
//! account. The answer is the same whether or not the address has one (and takes the same
//! path through the database), so the form cannot be used to learn who has an account. Setting
//! the new password spends every open link of the person and ends all their sessions.

use leptos::prelude::*;

use crate::error::AppError;

/// How long a reset link works.
pub const VALID_SECS: i32 = 3600;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

#[server(endpoint = "auth/forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::server::{throttle, token, AppState};
    crate::server::endpoint("auth.forgot_password", async move {
        let state = AppState::current()?;
        let meta = crate::server::request::RequestMeta::current()?;
        let email = email.trim().to_lowercase();
        if !crate::team::invite::valid_email(&email) {
            return Err(AppError::Invalid(
                crate::kernel::FieldErrors::one("email", "Enter the e-mail address you sign in with.")
                    .with_values(vec![("email".into(), email)]),
            ));
        }
        // Every request counts (per address and per account), sent or not.
        throttle::reserve_for(&state.redis, "reset", &email, meta.ip).await?;
        let (secret, digest) = token::new();
        let mut tx = crate::server::db::begin(&state.db, None).await?;
        let found: Option<(uuid::Uuid, String)> = sqlx::query_as(
            "SELECT user_id, full_name FROM auth_start_password_reset($1, $2, $3)",
        )
        .bind(&email)
        .bind(&digest)
        .bind(VALID_SECS)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((user, name)) = &found {
            let link = format!("{}/reset-password?token={secret}", state.config.public_origin);
            let mail = crate::mail::with_link(
                "password_reset",
                &email,
                "Reset your Docket password".into(),
                &[
                    format!("Hello {name},"),
                    "Someone (we hope you) asked to reset the password of your Docket account. The link works once, for an hour.".into(),
                    "If it was not you, ignore this e-mail: your password stays as it is.".into(),
                ],
                "Choose a new password",
                &link,
            );
            crate::mail::enqueue(&mut tx, None, &mail).await?;
            tracing::info!(user_id = %user, "password reset link sent");
        } else {
            tracing::info!(
                email_domain = email.split('@').nth(1).unwrap_or(""),
                "password reset asked for an address without a password account"
            );
        }
        tx.commit().await?;
        if found.is_some() {
            crate::mail::wake();
        }
        leptos_axum::redirect("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, form: ResetForm) -> Result<(), AppError> {
    use crate::server::{password, session_index, throttle, AppState};
    crate::server::endpoint("auth.reset_password", async move {
        let state = AppState::current()?;
        let meta = crate::server::request::RequestMeta::current()?;
        let gone = || {
            AppError::Conflict(
                "This link no longer works: it was used already, or it is more than an hour old. Ask for a new one.".into(),
            )
        };
        if let Some(p) = super::password_problem(&form.password, &form.confirm) {
            return Err(AppError::Invalid(crate::kernel::FieldErrors::one("password", p)));
        }
        if !crate::server::token::well_formed(&token) {
            return Err(gone());
        }
        throttle::reserve_address(&state.redis, meta.ip).await?;
        let hash = password::hash_bounded(form.password).await?;
        let mut tx = crate::server::db::Tx::own(crate::server::db::begin(&state.db, None).await?);
        let user: uuid::Uuid = sqlx::query_scalar("SELECT auth_finish_password_reset($1, $2)")
            .bind(crate::server::token::digest(&token))
            .bind(&hash.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match crate::server::db::violated_constraint(&e) {
                Some("reset_link_invalid") => gone(),
                _ => e.into(),
            })?;
        // Logged in the person's default firm.
        sqlx::query("SELECT set_config('app.user_id', $1, true)")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(org) = super::repo::default_org(&mut tx, user).await? {
            crate::server::db::act_as(&mut tx, user, org).await?;
            let entry = crate::audit::Entry::new("user.password_reset", "user", user)
                .summary("Reset their password by e-mail");
            crate::audit::record_as(&mut tx, user, org, &meta, entry).await?;
        }
        // The new password and the end of every session go together, even if the client goes
        // away in between.
        let (redis, ip) = (state.redis.clone(), meta.ip);
        crate::server::db::run_to_end(async move {
            tx.commit().await?;
            let _ = throttle::succeeded_address(&redis, ip).await;
            let ended = session_index::end_all_but(&redis, user, None).await?;
            tracing::info!(user_id = %user, ended, "password reset; every session ended");
            Ok::<_, AppError>(())
        })
        .await?;
        leptos_axum::redirect("/login?reset=done");
        Ok(())
    })
    .await
}
