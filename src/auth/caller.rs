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
use std::sync::Arc;

use sqlx::{Postgres, Transaction};
use tokio::sync::Mutex;

use crate::server::db::{enter, SharedTx, Tx};
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

/// The transaction a page render shares: opened read-only by the page middleware (which reads
/// the session shown in the frame) or by the first server function the page calls, and reused by
/// the rest, so one page view is one transaction and the caller is resolved once.
#[derive(Clone, Default)]
pub struct PageScope(Arc<Mutex<Option<SharedTx>>>);

impl PageScope {
    /// A turn in the page's transaction, opening it (and resolving the caller) when needed.
    pub async fn begin(
        &self,
        state: &AppState,
        session: &Session,
        parts: Option<&Parts>,
    ) -> Result<(Caller, Tx), AppError> {
        let mut guard = self.0.clone().lock_owned().await;
        let caller = match guard.as_ref() {
            Some(shared) => shared.caller.clone(),
            None => {
                let (caller, tx) = Caller::open(state, session, parts, true).await?;
                *guard = Some(SharedTx {
                    tx,
                    caller: caller.clone(),
                });
                caller
            }
        };
        Ok((caller, Tx::shared(guard)))
    }
}

impl Caller {
    /// Resolve the caller of the current server function and open their firm's transaction
    /// (during a page render: take a turn in the page's).
    pub async fn begin() -> Result<(Caller, Tx), AppError> {
        // Everything read from the reactive context is read before the first await.
        let state = AppState::current();
        let parts = leptos::prelude::use_context::<Parts>();
        let scope = leptos::prelude::use_context::<PageScope>();
        let session = current_session().await?;
        match scope {
            Some(scope) => scope.begin(&state, &session, parts.as_ref()).await,
            None => Self::resolve(&state, &session, parts.as_ref()).await,
        }
    }

    /// Resolve the caller of a request in a transaction of its own.
    pub async fn resolve(
        state: &AppState,
        session: &Session,
        parts: Option<&Parts>,
    ) -> Result<(Caller, Tx), AppError> {
        let (caller, tx) = Self::open(state, session, parts, false).await?;
        Ok((caller, Tx::own(tx)))
    }

    /// Who is calling, checked against their membership in the same statement that scopes the
    /// new transaction to their firm.
    async fn open(
        state: &AppState,
        session: &Session,
        parts: Option<&Parts>,
        read_only: bool,
    ) -> Result<(Caller, Transaction<'static, Postgres>), AppError> {
        let meta = parts
            .map(|p| RequestMeta::from_parts(p, state.config.proxy_hops))
            .unwrap_or_default();
        // The sign-in gate already read the session for this request.
        let known = parts.and_then(|p| p.extensions.get::<SessionUser>().copied());
        let user = match known {
            Some(user) => user,
            None => session_user(session).await?.ok_or(AppError::Unauthorized)?,
        };
        let (tx, role) = enter(&state.db, user.user_id, user.org_id, read_only).await?;
        let role = role
            .as_deref()
            .and_then(<Role as crate::kernel::Choice>::parse);
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
        // Never a page's shared, read-only transaction.
        let state = AppState::current();
        let parts = leptos::prelude::use_context::<Parts>();
        let session = current_session().await?;
        let (caller, tx) = Self::resolve(&state, &session, parts.as_ref()).await?;
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
    scope: &PageScope,
    state: &AppState,
    session: &Session,
    parts: &Parts,
) -> Result<super::SessionInfo, AppError> {
    let (caller, mut tx) = scope.begin(state, session, Some(parts)).await?;
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
