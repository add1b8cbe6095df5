//! "E-mail me a sign-in link": Supabase's magic link, PKCE like the providers' sign-in. The
//! server asks Supabase to mail the link (`POST /auth/v1/otp` with the challenge) and keeps the
//! verifier in this browser's session; the link comes back to `/auth/callback` with a code,
//! finished there like any provider's. The answer never says whether the address has an
//! account; requests are counted per address and per account.

use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "auth/magic_link")]
pub async fn magic_link(email: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::session::{self, PendingSignIn};
    use crate::server::{throttle, AppState};
    use oauth2::PkceCodeChallenge;
    crate::server::endpoint("auth.magic_link", async move {
        let state = AppState::current()?;
        let Some(supabase) = state.supabase.clone().filter(|s| s.email_link()) else {
            return Err(AppError::BadRequest(
                "Sign-in links are not offered here.".into(),
            ));
        };
        let meta = crate::server::request::RequestMeta::current()?;
        let session = super::caller::current_session().await?;
        let email = email.trim().to_lowercase();
        if !crate::team::invite::valid_email(&email) {
            return Err(AppError::Conflict(
                "Enter your e-mail address, then ask for a sign-in link.".into(),
            ));
        }
        throttle::reserve_for(&state.redis, "link", &email, meta.ip).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        session::keep_pending_sign_in(
            &session,
            PendingSignIn {
                verifier: verifier.secret().clone(),
                provider: "email".into(),
                next: super::safe_next(next.as_deref().unwrap_or("/")).to_string(),
                started_at: session::now_secs(),
                invite: None,
            },
        )
        .await?;
        // Supabase may make its own user for an address Docket knows (the first link of someone
        // who signed in with a password so far); never for one it does not.
        let known = super::repo::find_credentials(&state.db, &email)
            .await?
            .is_some_and(|c| c.is_active);
        // Asked in the background: how long Supabase takes (mailing a link, or refusing an
        // address it does not know) must not tell anyone which addresses have accounts.
        let challenge = challenge.as_str().to_string();
        tokio::spawn(async move {
            match supabase.request_link(&email, &challenge, known).await {
                Ok(()) => tracing::info!(known, "sign-in link requested"),
                Err(super::supabase::ExchangeError::Refused(status, code)) => {
                    tracing::info!(status, error_code = %code, known, "Supabase sent no sign-in link")
                }
                Err(super::supabase::ExchangeError::Unreachable(e)) => {
                    tracing::error!(error = %e, "Supabase unreachable for a sign-in link")
                }
            }
        });
        leptos_axum::redirect("/login?link=sent");
        Ok(())
    })
    .await
}
