//! Sign-in, sign-out, the firm switcher and the session shown in the top bar.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Person, SessionInfo};
use crate::error::AppError;

/// Sign in with e-mail and password. One generic message for every failure.
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{password, throttle, AppState};

    crate::server::endpoint("auth.login", async move {
        let state = AppState::current()?;
        let meta = crate::server::request::RequestMeta::current()?;
        let session = super::caller::current_session().await?;
        if email.len() > 254 || password.len() > 1024 || email.contains('\0') {
            return Err(AppError::InvalidCredentials);
        }
        let email = email.trim().to_lowercase();
        // The attempt is counted before the password is checked: parallel guesses cannot
        // outrun the limit.
        throttle::reserve(&state.redis, &email, meta.ip).await?;
        let creds = super::repo::find_credentials(&state.db, &email).await?;
        let stored = creds
            .as_ref()
            .filter(|c| c.is_active)
            .and_then(|c| c.password_hash.clone());
        let ok = password::verify_bounded(password, stored).await?;
        let Some(user_id) = creds.filter(|_| ok).map(|c| c.id) else {
            tracing::info!(
                email_domain = email.split('@').nth(1).unwrap_or(""),
                "sign-in refused"
            );
            return Err(AppError::InvalidCredentials);
        };

        let next = super::safe_next(next.as_deref().unwrap_or("/")).to_string();
        // Two factors: the password was right; the code comes next, on its own page (with its
        // own limit).
        if super::two_factor::repo::enrolled(&state.db, user_id).await? {
            let pending = crate::server::session::PendingSecondFactor {
                user_id,
                next,
                started_at: crate::server::session::now_secs(),
                failures: 0,
            };
            crate::server::session::keep_second_factor(&session, pending).await?;
            let _ = throttle::succeeded(&state.redis, &email, meta.ip).await;
            leptos_axum::redirect("/login/two-factor");
            return Ok(());
        }
        // The slots expire by themselves if giving them back fails.
        let opened = super::signin::open_session(
            &state,
            &session,
            &meta,
            user_id,
            &super::signin::Proof::password(),
            None,
        )
        .await;
        if opened.is_ok() {
            if let Err(e) = throttle::succeeded(&state.redis, &email, meta.ip).await {
                tracing::warn!(error = %e, "sign-in throttle not released");
            }
        }
        opened?;
        leptos_axum::redirect(&next);
        Ok(())
    })
    .await
}

/// End the session (and say so in the firm's activity log).
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::server::endpoint("auth.logout", async move {
        let session = super::caller::current_session().await?;
        if let Ok((caller, mut tx)) = super::caller::Caller::begin_own().await {
            let entry = crate::audit::Entry::new("user.sign_out", "user", caller.user_id);
            let logged = async {
                crate::audit::record(&mut tx, &caller, entry).await?;
                tx.commit().await.map_err(AppError::from)
            };
            // Signing out must not depend on the log: the session ends either way.
            if let Err(e) = logged.await {
                tracing::error!(error = %e, user_id = %caller.user_id, "sign-out not logged");
            }
        }
        if let Some(user) = crate::server::session::session_user(&session).await? {
            let redis = crate::server::AppState::current()?.redis.clone();
            crate::server::session_index::forget(&redis, &session, user.user_id).await?;
        }
        crate::server::session::sign_out(&session).await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Make another of the caller's firms the active one.
#[server(endpoint = "auth/switch_org")]
pub async fn switch_org(org_id: Uuid) -> Result<(), AppError> {
    use crate::audit::{record_as, Entry};
    use crate::server::session;

    crate::server::endpoint("auth.switch_org", async move {
        let session = super::caller::current_session().await?;
        let (caller, mut tx) = super::caller::Caller::begin_own().await?;
        if caller.org_id == org_id {
            leptos_axum::redirect("/");
            return Ok(());
        }
        let user_id = caller.user_id;
        // Both firms see the switch; neither learns the other's name.
        let left =
            Entry::new("user.switch_org", "user", user_id).summary("Switched to another firm");
        record_as(&mut tx, user_id, caller.org_id, &caller.meta, left).await?;
        super::repo::enter_org(&mut tx, org_id).await?;
        super::repo::membership_role(&mut tx, user_id, org_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // A firm that requires a second factor: this session must have had one, or (someone
        // without one yet) may only set it up there.
        let two = session::has_two_factors(&session).await?;
        let must_enroll = !two && super::repo::requires_two_factors(&mut tx).await?;
        if must_enroll
            && super::two_factor::repo::enrolled(&crate::server::AppState::current()?.db, user_id)
                .await?
        {
            return Err(AppError::Conflict(
                "That firm requires two-factor sign-in: sign out, and sign in again with your code.".into(),
            ));
        }
        // Someone who signs in through a provider cannot set one up here: the provider's own
        // second factor is what counts.
        if must_enroll {
            let email = super::two_factor::repo::own_email(&mut tx).await?;
            if !super::two_factor::repo::has_password(&mut tx, &email).await? {
                return Err(AppError::Conflict(super::signin::SECOND_FACTOR_NEEDED.into()));
            }
        }
        let entered =
            Entry::new("user.switch_org", "user", user_id).summary("Switched into this firm");
        record_as(&mut tx, user_id, org_id, &caller.meta, entered).await?;
        tx.commit().await?;
        session::set_org(&session, org_id).await?;
        session::set_factors(&session, two, must_enroll).await?;
        tracing::info!(%user_id, %org_id, "switched firm");
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// The signed-in user, active firm and role.
#[server(endpoint = "auth/session")]
pub async fn current_session() -> Result<SessionInfo, AppError> {
    crate::server::endpoint("auth.session", async move {
        let (_caller, mut tx) = super::caller::Caller::begin().await?;
        let info = super::repo::session_info(&mut tx)
            .await?
            .ok_or(AppError::Unauthorized)?;
        tx.commit().await?;
        Ok(info)
    })
    .await
}

/// The active firm's members (for attorney pickers).
#[server(endpoint = "auth/people")]
pub async fn list_people() -> Result<Vec<Person>, AppError> {
    crate::server::endpoint("auth.people", async move {
        let (_caller, mut tx) = super::caller::Caller::begin().await?;
        let people = super::repo::people(&mut tx).await?;
        tx.commit().await?;
        Ok(people)
    })
    .await
}
