//! One's own account. Every caller may use these, for themselves only.

use leptos::prelude::*;
use uuid::Uuid;

use super::{NameForm, PasswordForm, Profile};
use crate::error::AppError;

#[server(endpoint = "profile/get")]
pub async fn my_profile() -> Result<Profile, AppError> {
    use crate::server::session_index;
    crate::server::endpoint("profile.get", async move {
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let (full_name, email, has_password) = super::repo::me(&mut tx).await?;
        tx.commit().await?;
        let when = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        let sessions = session_index::list(&state.redis, &session, caller.user_id)
            .await?
            .into_iter()
            .map(|s| super::OpenSession {
                device: super::device_of(&s.opened.user_agent),
                ip: s.opened.ip,
                signed_in: when(s.opened.at),
                last_seen: when(s.last_seen),
                method: super::method_label(&s.opened.method),
                current: s.current,
            })
            .collect();
        Ok(Profile {
            full_name,
            email,
            has_password,
            sessions,
        })
    })
    .await
}

/// Change one's name; refused (409) when the page showed a name that changed since.
#[server(endpoint = "profile/name")]
pub async fn update_name(org: Uuid, shown: String, form: NameForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::{single_line, FieldErrors};
    crate::server::endpoint("profile.name", async move {
        let typed = vec![
            ("full_name".to_string(), form.full_name.clone()),
            ("shown".to_string(), shown.clone()),
        ];
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        let mut errors = FieldErrors::default();
        let name = errors.required_text("full_name", single_line(&form.full_name), "Enter your name.", 200);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.with_values(typed)));
        }
        let (current, _, _) = super::repo::me(&mut tx).await?;
        if current != shown {
            return Err(AppError::Stale(
                FieldErrors::one(
                    "full_name",
                    format!("Your name was changed to “{current}” meanwhile (in another tab?): check it and save again."),
                )
                .with_values(typed)
                .with_value("shown", current),
            ));
        }
        if current == name {
            tx.commit().await?;
            return Ok(());
        }
        super::repo::set_name(&mut tx, &name).await?;
        let entry = Entry::new("user.update", "user", caller.user_id)
            .summary("Changed their name")
            .changes(serde_json::json!({ "full_name": { "from": current, "to": name } }));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Change one's password (the current one is required, and counted like a sign-in attempt).
/// Every other session of the person ends.
#[server(endpoint = "profile/password")]
pub async fn change_password(org: Uuid, form: PasswordForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    use crate::server::{password, session_index, throttle};
    crate::server::endpoint("profile.password", async move {
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        // Passwords are never echoed back into a form.
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        let (_, email, has_password) = super::repo::me(&mut tx).await?;
        if !has_password {
            return Err(AppError::Conflict(
                "Your account signs in through a provider and has no password here: use “Forgot password?” on the sign-in page to set one.".into(),
            ));
        }
        if let Some(p) = crate::auth::password_problem(&form.password, &form.confirm) {
            return Err(AppError::Invalid(FieldErrors::one("password", p)));
        }
        throttle::reserve(&state.redis, &email, caller.meta.ip).await?;
        let stored = crate::auth::repo::find_credentials(&state.db, &email)
            .await?
            .and_then(|c| c.password_hash);
        if !password::verify_bounded(form.current.clone(), stored).await? {
            tracing::info!(user_id = %caller.user_id, "password change refused: wrong current password");
            return Err(AppError::Invalid(FieldErrors::one(
                "current",
                "That is not your current password.",
            )));
        }
        if form.current == form.password {
            return Err(AppError::Invalid(FieldErrors::one(
                "password",
                "Choose a password different from the current one.",
            )));
        }
        let hash = password::hash_bounded(form.password).await?;
        super::repo::set_password(&mut tx, &hash.0).await?;
        let entry = Entry::new("user.password", "user", caller.user_id).summary("Changed their password");
        record(&mut tx, &caller, entry).await?;
        // The new password and the end of the other sessions go together, even if the client
        // goes away in between.
        let (redis, ip, user) = (state.redis.clone(), caller.meta.ip, caller.user_id);
        crate::server::db::run_to_end(async move {
            tx.commit().await?;
            let _ = throttle::succeeded(&redis, &email, ip).await;
            let ended = session_index::end_all_but(&redis, user, Some(&session)).await?;
            tracing::info!(user_id = %user, ended, "password changed; other sessions ended");
            Ok::<_, AppError>(())
        })
        .await?;
        Ok(())
    })
    .await
}

/// End every other session of the caller at once. Returns how many ended.
#[server(endpoint = "profile/sign_out_others")]
pub async fn sign_out_others(org: Uuid) -> Result<usize, AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("profile.sign_out_others", async move {
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        let ended =
            crate::server::session_index::end_all_but(&state.redis, caller.user_id, Some(&session))
                .await?;
        let entry = Entry::new("user.sign_out_others", "user", caller.user_id).summary(format!(
            "Signed out {ended} other session{}",
            if ended == 1 { "" } else { "s" }
        ));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(ended)
    })
    .await
}
