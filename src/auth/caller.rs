//! Who is calling: every server function starts here. Resolves the signed-in user, the active
//! firm and the role, and opens the firm-scoped transaction the rest of the call runs in.

use tower_sessions::Session;
use uuid::Uuid;

use super::Role;
use crate::error::AppError;
use crate::server::db::{tenant_tx, Tx};
use crate::server::request::RequestMeta;
use crate::server::session::session_user;

use crate::server::AppState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
    pub meta: RequestMeta,
}

impl Caller {
    /// Resolve the caller and open their firm's transaction.
    pub async fn begin() -> Result<(Caller, Tx), AppError> {
        // Everything read from the reactive context is read before the first await.
        let state = AppState::current();
        let meta = RequestMeta::current();
        let session = current_session().await?;
        let user = session_user(&session)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let mut tx = tenant_tx(&state.db, user.user_id, user.org_id).await?;
        let role = match user.org_id {
            Some(org_id) => super::repo::membership_role(&mut tx, user.user_id, org_id).await?,
            None => None,
        };
        // Removed from the firm, or deactivated: the session ends instead of failing forever.
        let (Some(org_id), Some(role)) = (user.org_id, role) else {
            drop(tx);
            crate::server::session::sign_out(&session).await?;
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

    /// Like `begin`, and the caller must be allowed to create and edit records.
    pub async fn begin_editor() -> Result<(Caller, Tx), AppError> {
        let (caller, tx) = Self::begin().await?;
        if !caller.role.can_edit_records() {
            return Err(AppError::Forbidden);
        }
        Ok((caller, tx))
    }
}

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Unavailable
    })
}
