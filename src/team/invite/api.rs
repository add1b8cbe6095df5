//! Invitation server functions. Inviting, listing and revoking: administrators of the firm.
//! Reading and accepting a link: whoever holds it (the page is public), with the link's secret
//! checked in the database.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Invitation, InvitationView, InviteForm, JoinForm};
use crate::error::AppError;

#[server(endpoint = "team/invitations")]
pub async fn list_invitations() -> Result<Vec<Invitation>, AppError> {
    crate::server::endpoint("team.invitations", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_admin().await?;
        let all = super::repo::pending(&mut tx).await?;
        tx.commit().await?;
        Ok(all)
    })
    .await
}

/// Invite a person: the invitation and its e-mail are written in one transaction.
#[server(endpoint = "team/invite")]
pub async fn invite(org: Uuid, form: InviteForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::auth::Role;
    use crate::kernel::{Choice, FieldErrors};
    crate::server::endpoint("team.invite", async move {
        let typed = vec![
            ("email".to_string(), form.email.clone()),
            ("role".to_string(), form.role.clone()),
        ];
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, crate::team::may_administer)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let email = form.email.trim().to_lowercase();
        let mut errors = FieldErrors::default();
        if !super::valid_email(&email) {
            errors.add("email", "Enter an e-mail address such as name@example.com.");
        }
        let role = Role::parse(&form.role);
        if role.is_none() {
            errors.add("role", "Choose a role.");
        }
        let refused = |e: FieldErrors| AppError::Invalid(e.with_values(typed.clone()));
        let (false, Some(role)) = (!errors.is_empty(), role) else {
            return Err(refused(errors));
        };
        let firm = super::repo::lock_firm(&mut tx).await?;
        if super::repo::is_active_member(&mut tx, &email).await? {
            return Err(refused(FieldErrors::one(
                "email",
                format!("{email} is already a member of this firm."),
            )));
        }
        let replaced = super::repo::revoke_for(&mut tx, &email).await? > 0;
        let (token, hash) = crate::server::token::new();
        let id = super::repo::insert(&mut tx, &email, role, &hash).await?;
        let state = crate::server::AppState::current()?;
        let link = format!("{}/invite/{token}", state.config.public_origin);
        let inviter = crate::team::repo::name_of(&mut tx, caller.user_id).await?;
        let mail = crate::mail::with_link(
            "invitation",
            &email,
            format!(
                "{} invited you to {} on Docket",
                crate::kernel::clip(&inviter, 80),
                crate::kernel::clip(&firm, 120)
            ),
            &[
                format!("{inviter} invited you to join {firm} on Docket as {}.", role.label().to_lowercase()),
                format!(
                    "The link works once and for {} days. You can sign in with this e-mail address and a password you choose, or with a provider that knows this address.",
                    super::VALID_DAYS
                ),
                "If you did not expect this invitation, ignore this e-mail.".to_string(),
            ],
            "Accept the invitation",
            &link,
        );
        crate::mail::enqueue(&mut tx, Some(caller.org_id), &mail).await?;
        let entry = Entry::new("invitation.create", "invitation", id)
            .summary(format!("Invited {email} as {}", role.label()))
            .changes(serde_json::json!({ "email": email, "role": role.as_str(), "replaced": replaced }));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        crate::mail::wake();
        tracing::info!(invitation = %id, role = role.as_str(), "invitation sent");
        Ok(())
    })
    .await
}

#[server(endpoint = "team/revoke_invitation")]
pub async fn revoke_invitation(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("team.revoke_invitation", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, crate::team::may_administer).await?;
        let open = super::repo::lock(&mut tx, id).await?;
        if open.version != version {
            return Err(AppError::Conflict(
                "This invitation changed since the page was shown: reload the page.".into(),
            ));
        }
        super::repo::revoke(&mut tx, id).await?;
        let entry = Entry::new("invitation.revoke", "invitation", id)
            .summary(format!("Revoked the invitation of {}", open.email));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// What an invitation link shows (public: the secret is the key).
#[server(endpoint = "team/open_invitation")]
pub async fn open_invitation(token: String) -> Result<InvitationView, AppError> {
    crate::server::endpoint("team.invitation", async move {
        let unknown = || AppError::NotFound;
        if !crate::server::token::well_formed(&token) {
            return Err(unknown());
        }
        let hash = crate::server::token::digest(&token);
        let session = crate::auth::caller::current_session().await?;
        let signed_in = crate::server::session::session_user(&session)
            .await?
            .is_some();
        if signed_in {
            let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
            let mut view = super::repo::by_token(&mut tx, &hash)
                .await?
                .ok_or_else(unknown)?;
            view.signed_in_as = Some(crate::team::repo::email_of(&mut tx, caller.user_id).await?);
            tx.commit().await?;
            return Ok(view);
        }
        let state = crate::server::AppState::current()?;
        let mut conn = state.db.acquire().await?;
        super::repo::by_token(&mut conn, &hash)
            .await?
            .ok_or_else(unknown)
    })
    .await
}

/// A person new to Docket accepts: their account is made with the invited e-mail, the name and
/// password they chose, and they are signed in to the firm.
#[server(endpoint = "team/accept_invitation")]
pub async fn accept_invitation(token: String, form: JoinForm) -> Result<(), AppError> {
    use crate::kernel::{single_line, FieldErrors};
    use crate::server::{password, throttle, AppState};
    crate::server::endpoint("team.accept_invitation", async move {
        let typed = vec![("full_name".to_string(), form.full_name.clone())];
        let mut errors = FieldErrors::default();
        let name = errors.required_text(
            "full_name",
            single_line(&form.full_name),
            "Enter your name.",
            200,
        );
        if let Some(p) = crate::auth::password_problem(&form.password, &form.confirm) {
            errors.add("password", p);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.with_values(typed)));
        }
        if !crate::server::token::well_formed(&token) {
            return Err(AppError::Conflict(
                crate::kernel::Choice::label(super::LinkState::Unknown).into(),
            ));
        }
        let state = AppState::current()?;
        let meta = crate::server::request::RequestMeta::current()?;
        let session = crate::auth::caller::current_session().await?;
        // Hashing a password is costly: count it like a sign-in attempt.
        throttle::reserve_address(&state.redis, meta.ip).await?;
        let hash = password::hash_bounded(form.password).await?;
        let mut tx = crate::server::db::Tx::own(crate::server::db::begin(&state.db, None).await?);
        let (user, org) = super::repo::accept(
            &mut tx,
            &crate::server::token::digest(&token),
            super::repo::NewAccount::Password {
                full_name: &name,
                hash: &hash.0,
            },
        )
        .await
        .map_err(|e| match e {
            AppError::Invalid(f) => AppError::Invalid(f.with_values(typed.clone())),
            e => e,
        })?;
        joined(&mut tx, user, org, &meta).await?;
        tx.commit().await?;
        crate::auth::signin::open_session(
            &state,
            &session,
            &meta,
            user,
            &crate::auth::signin::Proof::password(),
            Some(org),
        )
        .await?;
        let _ = throttle::succeeded_address(&state.redis, meta.ip).await;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// Someone signed in as the invited address accepts: they join the firm and switch to it.
#[server(endpoint = "team/join")]
pub async fn join(token: String) -> Result<(), AppError> {
    crate::server::endpoint("team.join", async move {
        if !crate::server::token::well_formed(&token) {
            return Err(AppError::Conflict(
                crate::kernel::Choice::label(super::LinkState::Unknown).into(),
            ));
        }
        let session = crate::auth::caller::current_session().await?;
        let (caller, mut tx) = crate::auth::caller::Caller::begin_own().await?;
        let (user, org) = super::repo::accept(
            &mut tx,
            &crate::server::token::digest(&token),
            super::repo::NewAccount::Existing(caller.user_id),
        )
        .await?;
        joined(&mut tx, user, org, &caller.meta).await?;
        // The firm's two-factor rule, as when switching into it.
        let two = crate::server::session::has_two_factors(&session).await?;
        let must_enroll = !two && crate::auth::repo::requires_two_factors(&mut tx).await?;
        let state = crate::server::AppState::current()?;
        if must_enroll && crate::auth::two_factor::repo::enrolled(&state.db, user).await? {
            return Err(AppError::Conflict(
                "That firm requires two-factor sign-in: sign out, sign in again with your code, then open the invitation.".into(),
            ));
        }
        tx.commit().await?;
        crate::server::session::set_org(&session, org).await?;
        crate::server::session::set_factors(&session, two, must_enroll).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// The new member's first entry in the firm's activity log, in the acceptance's transaction.
#[cfg(feature = "ssr")]
pub(crate) async fn joined(
    tx: &mut crate::server::db::Tx,
    user: Uuid,
    org: Uuid,
    meta: &crate::server::request::RequestMeta,
) -> Result<(), AppError> {
    crate::server::db::act_as(tx, user, org).await?;
    let entry = crate::audit::Entry::new("member.join", "user", user)
        .summary("Joined the firm by invitation");
    crate::audit::record_as(tx, user, org, meta, entry).await
}

/// Accept an invitation during a sign-in at a provider (the link's page offered it): the
/// provider verified `email`. Returns the user and the firm.
#[cfg(feature = "ssr")]
pub async fn accept_verified(
    state: &crate::server::AppState,
    token: &str,
    existing: Option<Uuid>,
    email: &str,
    full_name: &str,
    two_factors: bool,
    meta: &crate::server::request::RequestMeta,
) -> Result<(Uuid, Uuid), AppError> {
    let mut tx = crate::server::db::Tx::own(crate::server::db::begin(&state.db, None).await?);
    let who = match existing {
        Some(u) => super::repo::NewAccount::Existing(u),
        None => super::repo::NewAccount::Verified { full_name, email },
    };
    let (user, org) =
        super::repo::accept(&mut tx, &crate::server::token::digest(token), who).await?;
    joined(&mut tx, user, org, meta).await?;
    // A firm that requires a second factor is not joined by a sign-in without one (the
    // invitation stays open).
    if !two_factors && crate::auth::repo::requires_two_factors(&mut tx).await? {
        return Err(AppError::Conflict(
            crate::auth::signin::SECOND_FACTOR_NEEDED.into(),
        ));
    }
    tx.commit().await?;
    Ok((user, org))
}
