//! Second-factor server functions: one's own setup (profile), the code after the password
//! (public: the pending sign-in in this browser's session says whose), and the firm's rule.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Setup, TwoFactorStatus};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn wrong_code() -> AppError {
    AppError::Invalid(crate::kernel::FieldErrors::one(
        "code",
        "That code is not right. Type the code your app shows now (it changes every 30 seconds), or a recovery code.",
    ))
}

#[server(endpoint = "two_factor/status")]
pub async fn two_factor_state() -> Result<TwoFactorStatus, AppError> {
    crate::server::endpoint("two_factor.status", async move {
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let enabled = super::repo::state(&mut tx, caller.user_id).await? == Some(true);
        let recovery_left = super::repo::recovery_left(&mut tx).await?;
        let firm_requires = crate::auth::repo::requires_two_factors(&mut tx).await?;
        tx.commit().await?;
        Ok(TwoFactorStatus {
            enabled,
            recovery_left,
            firm_requires,
            must_enroll: crate::server::session::must_enroll(&session).await?,
        })
    })
    .await
}

/// Start setting up an authenticator: a new key, shown once.
#[server(endpoint = "two_factor/begin")]
pub async fn begin_two_factor(org: Uuid) -> Result<Setup, AppError> {
    use super::totp;
    crate::server::endpoint("two_factor.begin", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        let email = super::repo::own_email(&mut tx).await?;
        // Asked for after a password only: a provider's account uses the provider's own.
        if !super::repo::has_password(&mut tx, &email).await? {
            return Err(AppError::Conflict(
                "You sign in through a provider: turn on its multi-factor sign-in instead.".into(),
            ));
        }
        let secret = totp::new_secret();
        if !super::repo::begin(&mut tx, &secret).await? {
            return Err(AppError::Conflict(
                "Two-factor sign-in is on already: turn it off first to use another app.".into(),
            ));
        }
        tx.commit().await?;
        let key = totp::base32(&secret)
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let uri = totp::uri(&secret, &email);
        Ok(Setup {
            key,
            qr: totp::qr_path(&uri),
            uri,
        })
    })
    .await
}

/// Finish the setup with a code from the app: returns the recovery codes, to show once.
#[server(endpoint = "two_factor/confirm")]
pub async fn confirm_two_factor(org: Uuid, code: String) -> Result<Vec<String>, AppError> {
    use super::totp;
    use crate::audit::{record, Entry};
    crate::server::endpoint("two_factor.confirm", async move {
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        crate::server::throttle::reserve(
            &state.redis,
            &format!("2fa:{}", caller.user_id),
            caller.meta.ip,
        )
        .await?;
        let now = crate::server::session::now_secs();
        let codes = totp::new_recovery_codes();
        let digests: Vec<Vec<u8>> = codes
            .iter()
            .map(|c| totp::recovery_digest(caller.user_id, c))
            .collect();
        match super::repo::confirm(&mut tx, &code, now, &digests)
            .await?
            .as_str()
        {
            "ok" => {}
            "wrong" => return Err(wrong_code()),
            _ => {
                return Err(AppError::Conflict(
                    "Start the setup again: no setup is waiting for a code.".into(),
                ))
            }
        }
        let entry = Entry::new("user.two_factor_on", "user", caller.user_id)
            .summary("Turned on two-factor sign-in");
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        // The code just typed is this session's second factor.
        crate::server::session::set_factors(&session, true, false).await?;
        Ok(codes)
    })
    .await
}

/// Turn two-factor sign-in off (a current code is required; not where the firm requires it).
#[server(endpoint = "two_factor/disable")]
pub async fn disable_two_factor(org: Uuid, code: String) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("two_factor.disable", async move {
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        if crate::auth::repo::requires_two_factors(&mut tx).await? {
            return Err(AppError::Conflict(
                "This firm requires two-factor sign-in: it cannot be turned off.".into(),
            ));
        }
        crate::server::throttle::reserve(
            &state.redis,
            &format!("2fa:{}", caller.user_id),
            caller.meta.ip,
        )
        .await?;
        let now = crate::server::session::now_secs();
        if super::repo::spend(&mut tx, caller.user_id, &code, now)
            .await?
            .is_none()
        {
            return Err(wrong_code());
        }
        super::repo::disable(&mut tx).await?;
        let entry = Entry::new("user.two_factor_off", "user", caller.user_id)
            .summary("Turned off two-factor sign-in");
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        crate::server::session::set_factors(&session, false, false).await?;
        Ok(())
    })
    .await
}

/// The code after the password: opens the session when it is right.
#[server(endpoint = "auth/second_factor")]
pub async fn second_factor(code: String) -> Result<(), AppError> {
    use crate::server::session;
    crate::server::endpoint("auth.second_factor", async move {
        let state = crate::server::AppState::current()?;
        let meta = crate::server::request::RequestMeta::current()?;
        let s = crate::auth::caller::current_session().await?;
        let Some(mut pending) = session::second_factor(&s).await? else {
            return Err(AppError::Conflict(
                "That sign-in took too long or was started elsewhere: sign in again.".into(),
            ));
        };
        let user = pending.user_id;
        crate::server::throttle::reserve(&state.redis, &format!("2fa:{user}"), meta.ip).await?;
        let mut conn = state.db.acquire().await?;
        let spent = super::repo::spend(&mut conn, user, &code, session::now_secs()).await?;
        drop(conn);
        let Some(kind) = spent else {
            pending.failures += 1;
            tracing::info!(user_id = %user, failures = pending.failures, "second factor refused");
            if pending.failures >= 5 {
                session::drop_second_factor(&s).await?;
                return Err(AppError::Conflict(
                    "Too many wrong codes: sign in again.".into(),
                ));
            }
            session::keep_second_factor(&s, pending).await?;
            return Err(wrong_code());
        };
        let proof = crate::auth::signin::Proof {
            method: format!("password+{kind}"),
            two_factors: true,
            can_enroll: true,
        };
        crate::auth::signin::open_session(&state, &s, &meta, user, &proof, None).await?;
        let _ =
            crate::server::throttle::succeeded(&state.redis, &format!("2fa:{user}"), meta.ip).await;
        leptos_axum::redirect(&pending.next);
        Ok(())
    })
    .await
}

/// The firm's rule: every member signs in with a second factor (administrators).
#[server(endpoint = "two_factor/require")]
pub async fn require_two_factor(org: Uuid, require: Option<String>) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("two_factor.require", async move {
        let on = require.is_some_and(|v| !v.is_empty());
        let state = crate::server::AppState::current()?;
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, |r| r == crate::auth::Role::Admin)
                .await?;
        let before = crate::auth::repo::requires_two_factors(&mut tx).await?;
        if before == on {
            tx.commit().await?;
            return Ok(());
        }
        sqlx::query(
            "UPDATE organizations SET require_two_factor = $1 WHERE id = app_current_org()",
        )
        .bind(on)
        .execute(&mut *tx)
        .await?;
        let entry = Entry::new("firm.two_factor", "organization", caller.org_id)
            .summary(if on {
                "Required two-factor sign-in"
            } else {
                "Stopped requiring two-factor sign-in"
            })
            .changes(serde_json::json!({ "require_two_factor": { "from": before, "to": on } }));
        record(&mut tx, &caller, entry).await?;
        let members: Vec<Uuid> = sqlx::query_scalar(
            "SELECT user_id FROM user_organizations WHERE organization_id = app_current_org() AND status = 'active'",
        )
        .fetch_all(&mut *tx)
        .await?;
        // The rule holds from its commit: every member's sessions end (they sign in again, with
        // a second factor or to set one up); the administrator's own goes on, limited to setting
        // one up if it had none. Together, even if the client goes away in between.
        let (redis, admin, org_id) = (state.redis.clone(), caller.user_id, caller.org_id);
        crate::server::db::run_to_end(async move {
            tx.commit().await?;
            if on {
                let mut ended = 0;
                for user in members {
                    let keep = (user == admin).then_some(&session);
                    ended += crate::server::session_index::end_all_but(&redis, user, keep).await?;
                }
                let two = crate::server::session::has_two_factors(&session).await?;
                crate::server::session::set_factors(&session, two, !two).await?;
                // Saved here: the session layer saves only into a response.
                crate::server::session::persist(&session).await?;
                tracing::info!(%org_id, ended, "two-factor sign-in required: sessions ended");
            }
            Ok::<_, AppError>(())
        })
        .await
    })
    .await
}
