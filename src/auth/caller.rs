//! Who is calling: every server function starts here. Resolves the signed-in user, the active
//! firm and the role, and opens the firm-scoped transaction the rest of the call runs in.
//!
//! Reads start with `Caller::begin()`. Every mutation starts with `Caller::begin_write(org)`,
//! where `org` is the firm its form was rendered for (the hidden `org` field of every form): a
//! form left open in one tab must not write into the firm the user switched to in another.

use axum::http::request::Parts;
use tower_sessions::Session;
use uuid::Uuid;

use super::Role;
use crate::error::AppError;
use crate::server::db::{tenant_tx, Tx};
use crate::server::request::RequestMeta;
use crate::server::session::{session_user, SessionUser};

use crate::server::AppState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
    pub meta: RequestMeta,
}

impl Caller {
    /// Resolve the caller of the current server function and open their firm's transaction.
    pub async fn begin() -> Result<(Caller, Tx), AppError> {
        // Everything read from the reactive context is read before the first await.
        let state = AppState::current();
        let parts = leptos::prelude::use_context::<Parts>();
        let session = current_session().await?;
        Self::resolve(&state, &session, parts.as_ref()).await
    }

    /// Resolve the caller of a request (for handlers outside server functions).
    pub async fn resolve(
        state: &AppState,
        session: &Session,
        parts: Option<&Parts>,
    ) -> Result<(Caller, Tx), AppError> {
        let meta = parts
            .map(|p| RequestMeta::from_parts(p, state.config.proxy_hops))
            .unwrap_or_default();
        // The sign-in gate already read the session for this request.
        let known = parts.and_then(|p| p.extensions.get::<SessionUser>().copied());
        let user = match known {
            Some(user) => user,
            None => session_user(session).await?.ok_or(AppError::Unauthorized)?,
        };
        let mut tx = tenant_tx(&state.db, user.user_id, user.org_id).await?;
        let role = match user.org_id {
            Some(org_id) => super::repo::membership_role(&mut tx, user.user_id, org_id).await?,
            None => None,
        };
        // Removed from the firm, or deactivated: the session ends instead of failing forever.
        let (Some(org_id), Some(role)) = (user.org_id, role) else {
            drop(tx);
            crate::server::session::sign_out(session).await?;
            tracing::info!(user_id = %user.user_id, "session ended: no longer a member");
            return Err(AppError::Unauthorized);
        };
        let caller = Caller {
            user_id: user.user_id,
            org_id,
            role,
            meta,
        };
        tracing::Span::current().record("user_id", tracing::field::display(caller.user_id));
        Ok((caller, tx))
    }

    /// A mutation: the form was rendered for the active firm, and the caller may create and
    /// edit records.
    pub async fn begin_write(org: Uuid) -> Result<(Caller, Tx), AppError> {
        let (caller, tx) = Self::begin().await?;
        if caller.org_id != org {
            tracing::info!(user_id = %caller.user_id, form_org = %org, active_org = %caller.org_id, "stale form from another firm");
            return Err(AppError::WrongFirm(Default::default()));
        }
        if !caller.role.can_edit_records() {
            return Err(AppError::Forbidden);
        }
        Ok((caller, tx))
    }

    /// An administrator's read.
    pub async fn begin_admin() -> Result<(Caller, Tx), AppError> {
        let (caller, tx) = Self::begin().await?;
        caller.require_admin()?;
        Ok((caller, tx))
    }

    /// Only administrators go on.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }
}

/// The session shown on a page: user, active firm, role, the firms to switch to, currency.
pub async fn page_session(
    state: &AppState,
    session: &Session,
    parts: &Parts,
) -> Result<super::SessionInfo, AppError> {
    let (caller, mut tx) = Caller::resolve(state, session, Some(parts)).await?;
    let info =
        super::repo::session_info(&mut tx, caller.user_id, caller.org_id, caller.role).await?;
    tx.commit().await?;
    Ok(info)
}

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Unavailable
    })
}
