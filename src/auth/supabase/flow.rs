//! The two routes of a Supabase sign-in:
//! - `GET /auth/supabase/start?provider=…&next=…` (the sign-in page's "Continue with …" links):
//!   make the PKCE verifier and challenge, keep the verifier in the (pre-login) session, go to
//!   Supabase. A link, not a form: a form post's CSP `form-action` would also be checked against
//!   every redirect after it (Supabase, then Google), and browsers would stop at the provider.
//! - `GET /auth/callback?code=…` (Supabase sends the browser back): take the verifier out of the
//!   session, exchange the code, verify the access token, link the person by verified e-mail
//!   and open the session under a fresh id. Any failure ends on `/login?problem=…` with a
//!   fixed message, and a session that holds no one is removed.

use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use oauth2::PkceCodeChallenge;
use serde::Deserialize;
use serde_json::Value;
use tower_sessions::Session;

use super::{ExchangeError, Supabase};
use crate::auth::{safe_next, SignInProblem};
use crate::kernel::Choice;
use crate::server::request::RequestMeta;
use crate::server::session::{self, PendingSignIn};
use crate::server::{throttle, AppState};

#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    next: String,
    /// The secret of an invitation whose page this sign-in started from.
    #[serde(default)]
    invite: String,
}

fn to_login(problem: SignInProblem) -> Response {
    Redirect::to(&format!("/login?problem={}", problem.as_str())).into_response()
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(f): Query<Start>,
) -> Response {
    let Some(supabase) = state.supabase.clone() else {
        return to_login(SignInProblem::Unavailable);
    };
    if !supabase.providers().contains(&f.provider) {
        return to_login(SignInProblem::Failed);
    }
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let pending = PendingSignIn {
        verifier: verifier.secret().clone(),
        provider: f.provider.clone(),
        next: safe_next(&f.next).to_string(),
        started_at: session::now_secs(),
        invite: crate::server::token::well_formed(&f.invite).then(|| f.invite.clone()),
    };
    if let Err(e) = session::keep_pending_sign_in(&session, pending).await {
        tracing::error!(error = %e, "could not keep the pending sign-in");
        return to_login(SignInProblem::Unavailable);
    }
    tracing::info!(provider = %f.provider, "sign-in at a provider started");
    Redirect::to(&supabase.authorize_url(&f.provider, challenge.as_str())).into_response()
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    error: Option<String>,
    error_code: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(State(state): State<AppState>, session: Session, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let meta = RequestMeta::from_parts(&parts, state.config.proxy_hops);
    let q: Callback = match Query::try_from_uri(&parts.uri) {
        Ok(Query(q)) => q,
        Err(_) => return to_login(SignInProblem::Failed),
    };
    match finish(&state, &session, &meta, q).await {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(problem) => {
            if let Err(e) = session::discard_if_anonymous(&session).await {
                tracing::warn!(error = %e, "session of a failed sign-in not removed");
            }
            to_login(problem)
        }
    }
}

async fn finish(
    state: &AppState,
    session: &Session,
    meta: &RequestMeta,
    q: Callback,
) -> Result<String, SignInProblem> {
    let supabase = state.supabase.clone().ok_or(SignInProblem::Unavailable)?;
    // The verifier is taken out first: whatever happens next, this code is spent here.
    let pending = session::take_pending_sign_in(session)
        .await
        .map_err(|_| SignInProblem::Unavailable)?;
    if let Some(error) = q.error {
        tracing::info!(
            error = ?error,
            error_code = ?q.error_code,
            description = ?q.error_description.as_deref().map(|d| d.chars().take(200).collect::<String>()),
            "sign-in at the provider did not succeed"
        );
        return Err(SignInProblem::Cancelled);
    }
    let (Some(pending), Some(code)) = (pending, q.code) else {
        tracing::info!("sign-in callback without a pending sign-in or a code");
        return Err(SignInProblem::Expired);
    };
    throttle::reserve_address(&state.redis, meta.ip)
        .await
        .map_err(|e| match e {
            crate::error::AppError::RateLimited => SignInProblem::Throttled,
            _ => SignInProblem::Unavailable,
        })?;
    let Identity {
        email,
        sub,
        name,
        two_factors,
    } = identify(&supabase, &code, &pending).await?;
    let linked = |found: Option<Result<(uuid::Uuid, bool), ()>>| match found {
        Some(Err(())) => {
            tracing::warn!(supabase_user = %sub, "sign-in refused: the Docket account of this e-mail is linked to another Supabase identity");
            Err(SignInProblem::NoAccess)
        }
        Some(Ok((id, active))) => Ok(active.then_some(id)),
        None => Ok(None),
    };
    let found = crate::auth::repo::supabase_user(&state.db, &sub, &email)
        .await
        .map_err(|_| SignInProblem::Unavailable)?;
    let mut user = linked(found)?;
    // Started from an invitation's page: accept it as the verified address (a new account is
    // made for a person new to Docket).
    let mut into = None;
    if let Some(token) = pending.invite.as_deref() {
        let accepted = crate::team::invite::api::accept_verified(
            state,
            token,
            user,
            &email,
            &name,
            two_factors,
            meta,
        )
        .await;
        match accepted {
            Ok((u, org)) => {
                if user.is_none() {
                    // A person new to Docket: their new account is this identity's from now on.
                    let found = crate::auth::repo::supabase_user(&state.db, &sub, &email)
                        .await
                        .map_err(|_| SignInProblem::Unavailable)?;
                    linked(found)?;
                }
                (user, into) = (Some(u), Some(org))
            }
            Err(e) => {
                tracing::info!(error = %e, supabase_user = %sub, "invitation not accepted at sign-in");
                return Err(SignInProblem::Invitation);
            }
        }
    }
    let Some(user_id) = user else {
        tracing::info!(email_domain = email.split('@').nth(1).unwrap_or(""), supabase_user = %sub, "sign-in refused: no Docket account for this e-mail");
        return Err(SignInProblem::NoAccess);
    };
    // Someone who turned on Docket's own second factor gives its code too, unless Supabase's
    // own second factor was used.
    let enrolled = crate::auth::two_factor::repo::enrolled(&state.db, user_id)
        .await
        .map_err(|_| SignInProblem::Unavailable)?;
    if enrolled && !two_factors {
        let pending = session::PendingSecondFactor {
            user_id,
            next: pending.next,
            started_at: session::now_secs(),
            failures: 0,
        };
        session::keep_second_factor(session, pending)
            .await
            .map_err(|_| SignInProblem::Unavailable)?;
        return Ok("/login/two-factor".into());
    }
    let proof = crate::auth::signin::Proof {
        method: format!("supabase:{}", pending.provider),
        two_factors,
        can_enroll: false,
    };
    match crate::auth::signin::open_session(state, session, meta, user_id, &proof, into).await {
        Ok(_) => {}
        Err(crate::error::AppError::Forbidden) => return Err(SignInProblem::NoAccess),
        Err(crate::error::AppError::Conflict(_)) => return Err(SignInProblem::SecondFactor),
        Err(e) => {
            tracing::error!(error = %e, "sign-in could not be completed");
            return Err(SignInProblem::Unavailable);
        }
    }
    if let Err(e) = throttle::succeeded_address(&state.redis, meta.ip).await {
        tracing::warn!(error = %e, "sign-in throttle not released");
    }
    Ok(pending.next)
}

/// Who the provider says signed in.
struct Identity {
    /// Verified by the provider.
    email: String,
    /// The Supabase user id.
    sub: String,
    /// Their name as the provider knows it (the e-mail's local part when it knows none).
    name: String,
    /// Supabase's own second factor was used (`aal2`).
    two_factors: bool,
}

/// Exchange the code and verify what comes back.
async fn identify(
    supabase: &Supabase,
    code: &str,
    pending: &PendingSignIn,
) -> Result<Identity, SignInProblem> {
    let tokens = supabase
        .exchange(code, &pending.verifier)
        .await
        .map_err(|e| match e {
            ExchangeError::Refused(status, code) => {
                tracing::warn!(status, error_code = %code, "Supabase refused the sign-in code");
                match code.as_str() {
                    "flow_state_not_found" | "flow_state_expired" => SignInProblem::Expired,
                    _ => SignInProblem::Failed,
                }
            }
            ExchangeError::Unreachable(e) => {
                tracing::error!(error = %e, "Supabase unreachable for the code exchange");
                SignInProblem::Unavailable
            }
        })?;
    let claims = supabase
        .verify(&tokens.access_token, session::now_secs())
        .await
        .map_err(|r| {
            tracing::warn!(refusal = ?r, "Supabase access token refused");
            SignInProblem::Failed
        })?;
    // The code must come from the flow this browser started, signed in the way it asked: by
    // OAuth at the provider, or by the e-mailed link (not a code from another flow the project
    // allows, brought here with this browser's challenge).
    let link = pending.provider == "email";
    let expected = |m: &String| {
        if link {
            m == "magiclink" || m == "otp"
        } else {
            m == "oauth"
        }
    };
    if claims.methods.is_empty() || !claims.methods.iter().all(expected) {
        tracing::warn!(methods = ?claims.methods, "Supabase sign-in was not an OAuth sign-in");
        return Err(SignInProblem::Failed);
    }
    if tokens.user.get("id").and_then(Value::as_str) != Some(claims.sub.as_str()) {
        tracing::warn!("Supabase token and user disagree on the user");
        return Err(SignInProblem::Failed);
    }
    // The token's e-mail must be the user's, and Supabase must have confirmed it.
    let user_email = tokens
        .user
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let confirmed = tokens
        .user
        .get("email_confirmed_at")
        .is_some_and(|v| !v.is_null());
    if claims.email.is_empty() || claims.email != user_email {
        tracing::warn!("Supabase token and user disagree on the e-mail");
        return Err(SignInProblem::Failed);
    }
    // …and the provider itself must vouch for it: a project that auto-confirms e-mail sets
    // `email_confirmed_at` even for an address the provider did not verify.
    let vouched = tokens
        .user
        .get("identities")
        .and_then(Value::as_array)
        .is_some_and(|ids| {
            ids.iter().any(|i| {
                i.get("provider").and_then(Value::as_str) == Some(pending.provider.as_str())
                    && i.pointer("/identity_data/email_verified")
                        .and_then(Value::as_bool)
                        == Some(true)
                    && i.pointer("/identity_data/email")
                        .and_then(Value::as_str)
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(&user_email))
            })
        });
    // An e-mailed link proves the address itself.
    if !confirmed || !(vouched || link) {
        tracing::info!(supabase_user = %claims.sub, confirmed, vouched, "sign-in refused: e-mail not verified by the provider");
        return Err(SignInProblem::Unverified);
    }
    let name = ["full_name", "name"]
        .iter()
        .find_map(|k| {
            tokens
                .user
                .pointer(&format!("/user_metadata/{k}"))
                .and_then(Value::as_str)
                .map(|n| n.trim().chars().take(200).collect::<String>())
                .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        })
        .unwrap_or_else(|| claims.email.split('@').next().unwrap_or("").to_string());
    Ok(Identity {
        two_factors: claims.aal == "aal2",
        email: claims.email,
        sub: claims.sub,
        name,
    })
}
