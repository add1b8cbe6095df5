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

use crate::server::db::{enter, member_role, SharedTx, Tx};
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

/// The transaction a page render shares: opened read-only by the page middleware with the
/// session the frame shows (which also checks the membership), and reused by every server
/// function the page calls, so one page view is one transaction and the caller is resolved once.
#[derive(Clone, Default)]
pub struct PageScope(Arc<Mutex<Option<SharedTx>>>);

impl PageScope {
    /// Open the page's transaction: resolve the caller and read the session shown in the frame,
    /// in one statement after `BEGIN`.
    pub async fn open(
        &self,
        state: &AppState,
        session: &Session,
        parts: &Parts,
    ) -> Result<super::SessionInfo, AppError> {
        let mut guard = self.0.clone().lock_owned().await;
        let (user, meta) = who(state, session, Some(parts)).await?;
        let mut tx = enter(&state.db, user.user_id, user.org_id, true).await?;
        let info = super::repo::session_info(&mut tx).await?;
        let Some(caller) = Caller::of(user, info.as_ref().map(|i| i.role), meta) else {
            drop(tx);
            return Err(ended(session, user).await);
        };
        *guard = Some(SharedTx { tx, caller });
        info.ok_or(AppError::Unauthorized)
    }

    /// End the page's transaction (the page has rendered).
    pub async fn close(&self) {
        self.0.lock().await.take();
    }

    /// A turn in the page's transaction (opening one, if the page did not, or an error on the way
    /// closed it).
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

/// The signed-in user of a request (the sign-in gate already read the session) and facts about
/// the request.
async fn who(
    state: &AppState,
    session: &Session,
    parts: Option<&Parts>,
) -> Result<(SessionUser, RequestMeta), AppError> {
    let meta = parts
        .map(|p| RequestMeta::from_parts(p, state.config.proxy_hops))
        .unwrap_or_default();
    let known = parts.and_then(|p| p.extensions.get::<SessionUser>().copied());
    let user = match known {
        Some(user) => user,
        None => session_user(session).await?.ok_or(AppError::Unauthorized)?,
    };
    Ok((user, meta))
}

/// Removed from the firm, or deactivated: the session ends instead of failing forever.
async fn ended(session: &Session, user: SessionUser) -> AppError {
    if let Err(e) = crate::server::session::sign_out(session).await {
        return e;
    }
    tracing::info!(user_id = %user.user_id, "session ended: no longer a member");
    AppError::Unauthorized
}

impl Caller {
    /// The caller, if `role` says the user is an active member of the session's firm.
    fn of(user: SessionUser, role: Option<Role>, meta: RequestMeta) -> Option<Caller> {
        let caller = Caller {
            user_id: user.user_id,
            org_id: user.org_id?,
            role: role?,
            meta,
        };
        tracing::Span::current().record("user_id", tracing::field::display(caller.user_id));
        Some(caller)
    }

    /// Resolve the caller of the current server function and open their firm's transaction
    /// (during a page render: take a turn in the page's).
    pub async fn begin() -> Result<(Caller, Tx), AppError> {
        // Everything read from the reactive context is read before the first await.
        let state = AppState::current()?;
        let parts = leptos::prelude::use_context::<Parts>();
        let scope = leptos::prelude::use_context::<PageScope>();
        let session = current_session().await?;
        match scope {
            Some(scope) => scope.begin(&state, &session, parts.as_ref()).await,
            None => Self::resolve(&state, &session, parts.as_ref()).await,
        }
    }

    /// Like `begin`, but always in a transaction of its own: for the few writes that carry no
    /// form (signing out, switching firm), which must never take a page's read-only one.
    pub async fn begin_own() -> Result<(Caller, Tx), AppError> {
        let state = AppState::current()?;
        let parts = leptos::prelude::use_context::<Parts>();
        let session = current_session().await?;
        Self::resolve(&state, &session, parts.as_ref()).await
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

    /// Who is calling, checked against their membership in the new transaction scoped to their
    /// firm.
    async fn open(
        state: &AppState,
        session: &Session,
        parts: Option<&Parts>,
        read_only: bool,
    ) -> Result<(Caller, Transaction<'static, Postgres>), AppError> {
        let (user, meta) = who(state, session, parts).await?;
        let mut tx = enter(&state.db, user.user_id, user.org_id, read_only).await?;
        let role = member_role(&mut tx)
            .await?
            .as_deref()
            .and_then(<Role as crate::kernel::Choice>::parse);
        match Self::of(user, role, meta) {
            Some(caller) => Ok((caller, tx)),
            None => {
                drop(tx);
                Err(ended(session, user).await)
            }
        }
    }

    /// A new transaction of its own for a caller resolved earlier in the same request (after a
    /// long upload): the membership and role are read again.
    pub async fn again(&self, state: &AppState) -> Result<(Caller, Tx), AppError> {
        Self::member(state, self.user_id, self.org_id, self.meta.clone())
            .await?
            .ok_or(AppError::Unauthorized)
    }

    /// A write transaction as `user` of `org`, with their role read in it; `None` when they are
    /// not an active member (background jobs act for people this way too).
    pub async fn member(
        state: &AppState,
        user: Uuid,
        org: Uuid,
        meta: RequestMeta,
    ) -> Result<Option<(Caller, Tx)>, AppError> {
        let mut tx = enter(&state.db, user, Some(org), false).await?;
        let role = member_role(&mut tx)
            .await?
            .as_deref()
            .and_then(<Role as crate::kernel::Choice>::parse);
        Ok(role.map(|role| {
            let caller = Caller {
                user_id: user,
                org_id: org,
                role,
                meta,
            };
            (caller, Tx::own(tx))
        }))
    }

    /// A mutation: the form was rendered for the active firm, and the caller may create and
    /// edit records.
    pub async fn begin_write(org: Uuid) -> Result<(Caller, Tx), AppError> {
        Self::begin_write_if(org, Role::can_edit_records).await
    }

    /// `begin_write` for a write that roles other than the record editors' may make.
    pub async fn begin_write_if(
        org: Uuid,
        permitted: impl Fn(Role) -> bool,
    ) -> Result<(Caller, Tx), AppError> {
        // Never a page's shared, read-only transaction.
        let state = AppState::current()?;
        let parts = leptos::prelude::use_context::<Parts>();
        let session = current_session().await?;
        let (caller, tx) = Self::resolve(&state, &session, parts.as_ref()).await?;
        if caller.org_id != org {
            tracing::info!(user_id = %caller.user_id, form_org = %org, active_org = %caller.org_id, "stale form from another firm");
            return Err(AppError::WrongFirm(Default::default()));
        }
        if !permitted(caller.role) {
            return Err(AppError::Forbidden);
        }
        Ok((caller, tx.invalidating(&state.redis, org)))
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

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Unavailable
    })
}
