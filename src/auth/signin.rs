//! The end of every sign-in, whatever proved who the person is (a password, or Supabase): pick
//! the firm, record the sign-in in that firm's activity log, and open a session under a fresh id.

use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::server::db::tenant_tx;
use crate::server::request::RequestMeta;
use crate::server::{session, AppState};

/// How a person proved who they are.
#[derive(Debug, Clone)]
pub struct Proof {
    /// "password", "password+totp", "supabase:google", …
    pub method: String,
    /// A second factor was used (a code, or Supabase's `aal2`).
    pub two_factors: bool,
    /// They can set up a second factor in Docket (e-mail + password accounts): a firm that
    /// requires one lets them in to do so, and nowhere else.
    pub can_enroll: bool,
}

impl Proof {
    pub fn password() -> Proof {
        Proof {
            method: "password".into(),
            two_factors: false,
            can_enroll: true,
        }
    }
}

/// Said when a firm requires a second factor that the sign-in did not have and Docket cannot
/// set up (a provider's sign-in).
pub const SECOND_FACTOR_NEEDED: &str = "This firm requires a second factor at sign-in.";

/// Sign `user_id` in; returns the firm they are in: `into` (a firm they just joined), else the
/// firm of a form kept from their session that ended, else their default firm. `Forbidden`
/// when they are a member of no firm.
pub async fn open_session(
    state: &AppState,
    session: &Session,
    meta: &RequestMeta,
    user_id: Uuid,
    proof: &Proof,
    into: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let method = proof.method.as_str();
    let mut tx = tenant_tx(&state.db, user_id, None).await?;
    let wanted = match into {
        Some(org) => Some(org),
        None => session::pending_org(session, user_id).await?,
    };
    let pending = match wanted {
        Some(org) => super::repo::membership_role(&mut tx, user_id, org)
            .await?
            .map(|_| org),
        None => None,
    };
    let org_id = match pending {
        Some(org) => org,
        None => match super::repo::default_org(&mut tx, user_id).await? {
            Some(org) => org,
            None => {
                tracing::info!(%user_id, method, "sign-in refused: member of no firm");
                return Err(AppError::Forbidden);
            }
        },
    };
    super::repo::touch_last_login(&mut tx, user_id).await?;
    super::repo::enter_org(&mut tx, org_id).await?;
    let must_enroll = !proof.two_factors && super::repo::requires_two_factors(&mut tx).await?;
    if must_enroll && !proof.can_enroll {
        tracing::info!(%user_id, %org_id, method, "sign-in refused: the firm requires a second factor");
        return Err(AppError::Conflict(SECOND_FACTOR_NEEDED.into()));
    }
    crate::audit::record_as(
        &mut tx,
        user_id,
        org_id,
        meta,
        crate::audit::Entry::new("user.sign_in", "user", user_id)
            .changes(serde_json::json!({ "method": method })),
    )
    .await?;
    tx.commit().await?;
    session::sign_in(session, user_id, Some(org_id), state.config.lifetimes()).await?;
    session::set_factors(session, proof.two_factors, must_enroll).await?;
    let keep = (state.config.session_max + std::time::Duration::from_secs(3600)).as_secs() as i64;
    crate::server::session_index::record(&state.redis, session, user_id, meta, method, keep)
        .await?;
    tracing::info!(%user_id, %org_id, method, "signed in");
    Ok(org_id)
}
