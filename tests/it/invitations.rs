//! Invitations: the e-mail through a real SMTP sink, the link's page, a new account, an
//! existing account, expiry, revocation, replacement, and other firms' ids.

use axum::http::StatusCode;
use docket::auth::{Role, SessionInfo};
use docket::team::invite::{Invitation, InvitationView, LinkState};

use crate::support::{link_in, mail_to, unique_email, Client as Http, Res, TestApp};

async fn invite(c: &mut Http, email: &str, role: &str) -> Res {
    c.post(
        "/api/team/invite",
        &[("form[email]", email), ("form[role]", role)],
    )
    .await
}

async fn open(c: &mut Http, token: &str) -> Res {
    c.post("/api/team/open_invitation", &[("token", token)])
        .await
}

async fn accept(c: &mut Http, token: &str, name: &str, password: &str) -> Res {
    c.post(
        "/api/team/accept_invitation",
        &[
            ("token", token),
            ("form[full_name]", name),
            ("form[password]", password),
            ("form[confirm]", password),
        ],
    )
    .await
}

/// Invite `email` and return the secret from the e-mail that arrived.
async fn invited(app: &TestApp, admin: &mut Http, email: &str, role: &str, nth: usize) -> String {
    let res = invite(admin, email, role).await;
    assert!(res.status.is_success(), "{res:?}");
    let mail = mail_to(&email.to_lowercase(), nth).await;
    assert_eq!(mail.len(), nth, "the invitation e-mail arrived");
    let (subject, text) = mail.last().unwrap();
    assert!(subject.contains("Alpha Law"), "{subject}");
    let _ = app;
    link_in(text).trim_start_matches("/invite/").to_string()
}

#[tokio::test]
async fn a_new_person_accepts_by_e_mail_and_lands_in_the_firm_with_their_role() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let email = unique_email("new");
    let token = invited(&app, &mut admin, &email.to_uppercase(), "billing", 1).await;
    // Listed as open, with who invited.
    let open_list: Vec<Invitation> = admin.post("/api/team/invitations", &[]).await.json();
    let listed = open_list.iter().find(|i| i.email == email).unwrap();
    assert_eq!((listed.role, listed.expired), (Role::Billing, false));
    assert_eq!(listed.invited_by, "Alpha Law admin");

    // Anyone with the link sees whom it is for; no one is signed in yet.
    let mut guest = app.anonymous();
    let view: InvitationView = open(&mut guest, &token).await.json();
    assert_eq!(view.state, LinkState::Open);
    assert_eq!(
        (view.email.as_str(), view.firm_name.as_str()),
        (email.as_str(), "Alpha Law")
    );
    assert!(!view.has_account && view.signed_in_as.is_none());

    // A short password is refused beside its field, keeping the name.
    let res = accept(&mut guest, &token, "Nora New", "short").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = res.error().fields().cloned().unwrap();
    assert!(fields.get("password").is_some());
    assert_eq!(fields.value("full_name"), Some("Nora New"));
    assert!(
        guest.cookie.is_none()
            || app
                .count(&format!(
                    "SELECT count(*) FROM users WHERE email = '{email}'"
                ))
                .await
                == 0
    );

    let res = accept(&mut guest, &token, "Nora New", "a long enough password").await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let info: SessionInfo = guest.post("/api/auth/session", &[]).await.json();
    assert_eq!(
        (info.org_id, info.role, info.email.as_str()),
        (app.a.id, Role::Billing, email.as_str())
    );
    assert_eq!(info.user_name, "Nora New");
    // The link worked once.
    let mut other = app.anonymous();
    let res = accept(&mut other, &token, "Someone", "another long password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("already accepted"), "{}", res.body);
    let view: InvitationView = open(&mut other, &token).await.json();
    assert_eq!(view.state, LinkState::Used);
    // The new member signs in with the password they chose; the log has the invitation and
    // the join.
    let mut again = app.anonymous();
    let res = again
        .post(
            "/api/auth/login",
            &[
                ("email", email.as_str()),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    for action in ["invitation.create", "member.join"] {
        let n = app
            .count(&format!(
                "SELECT count(*) FROM activity_logs WHERE organization_id = '{}' AND action = '{action}'",
                app.a.id
            ))
            .await;
        assert_eq!(n, 1, "{action}");
    }
    // A sent message's body (it held the link) is not kept.
    assert_eq!(
        app.count("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND body_text <> ''")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL")
            .await,
        1
    );
    assert!(admin
        .post("/api/team/invitations", &[])
        .await
        .json::<Vec<Invitation>>()
        .iter()
        .all(|i| i.email != email));
}

#[tokio::test]
async fn only_administrators_invite_and_other_firms_cannot_touch_an_invitation() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let email = unique_email("x");
    assert_eq!(
        invite(&mut attorney, &email, "admin").await.status,
        StatusCode::FORBIDDEN
    );
    // A bad address and an unknown role are refused beside their fields.
    let res = invite(&mut admin, "not an address", "emperor").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = res.error().fields().cloned().unwrap();
    assert!(f.get("email").is_some() && f.get("role").is_some());
    // A member already is not invited.
    let res = invite(&mut admin, "attorney@alpha.test", "staff").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A form rendered for firm B is refused by firm A's session.
    let mut stale = admin.clone();
    stale.org = Some(app.b.id);
    assert_eq!(
        invite(&mut stale, &email, "staff").await.status,
        StatusCode::CONFLICT
    );

    assert!(invite(&mut admin, &email, "staff")
        .await
        .status
        .is_success());
    let list: Vec<Invitation> = admin.post("/api/team/invitations", &[]).await.json();
    let inv = list.iter().find(|i| i.email == email).unwrap();
    let (id, v) = (inv.id.to_string(), inv.version.to_string());
    // Firm B's administrator cannot revoke it, nor see it.
    let mut b_admin = app.signed_in(app.b.admin).await;
    let res = b_admin
        .post(
            "/api/team/revoke_invitation",
            &[("id", id.as_str()), ("version", v.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let b_list: Vec<Invitation> = b_admin.post("/api/team/invitations", &[]).await.json();
    assert!(b_list.is_empty());
    // The database refuses a non-administrator's invitation whatever the app checks.
    let refused = sqlx::query(
        "INSERT INTO invitations (organization_id, email, role, token_hash, invited_by, expires_at)
         VALUES (app_current_org(), 'sneaky@example.test', 'admin', decode(repeat('ab', 32), 'hex'), app_current_user(), now() + interval '1 day')",
    );
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.attorney, Some(app.a.id))
        .await
        .unwrap();
    let err = refused.execute(&mut *tx).await.unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("42501")
    );
    // The application role cannot read the secrets' digests or the outbox.
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
        .await
        .unwrap();
    assert!(sqlx::query("SELECT token_hash FROM invitations")
        .execute(&mut *tx)
        .await
        .is_err());
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
        .await
        .unwrap();
    assert!(sqlx::query("SELECT body_text FROM mail_outbox")
        .execute(&mut *tx)
        .await
        .is_err());
}

#[tokio::test]
async fn expired_revoked_and_replaced_links_do_not_work() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let (e1, e2) = (unique_email("late"), unique_email("twice"));
    let late = invited(&app, &mut admin, &e1, "staff", 1).await;
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = $1")
        .bind(&e1)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut guest = app.anonymous();
    assert_eq!(
        open(&mut guest, &late).await.json::<InvitationView>().state,
        LinkState::Expired
    );
    let res = accept(&mut guest, &late, "Late Person", "a long enough password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("expired"), "{}", res.body);

    // Inviting again replaces the first link; revoking ends the second.
    let first = invited(&app, &mut admin, &e2, "staff", 1).await;
    let second = invited(&app, &mut admin, &e2, "attorney", 2).await;
    assert_ne!(first, second);
    assert_eq!(
        open(&mut guest, &first)
            .await
            .json::<InvitationView>()
            .state,
        LinkState::Unknown
    );
    let list: Vec<Invitation> = admin.post("/api/team/invitations", &[]).await.json();
    let inv = list.iter().find(|i| i.email == e2).unwrap();
    assert_eq!(inv.role, Role::Attorney);
    let (id, v) = (inv.id.to_string(), inv.version.to_string());
    let res = admin
        .post(
            "/api/team/revoke_invitation",
            &[("id", id.as_str()), ("version", v.as_str())],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = accept(&mut guest, &second, "Twice", "a long enough password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM users WHERE email = '{e2}'"))
            .await,
        0
    );
    // A made-up link is simply unknown.
    let res = open(&mut guest, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn someone_with_an_account_signs_in_as_the_invited_address_to_accept() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    // A billing person of firm B is invited to firm A.
    let email = unique_email("b-billing");
    let b_billing = app.add_member(app.b.id, &email, "billing").await;
    let token = invited(&app, &mut admin, &email, "attorney", 1).await;
    let mut guest = app.anonymous();
    let view: InvitationView = open(&mut guest, &token).await.json();
    assert!(view.has_account);
    // No second account for an address that has one.
    let res = accept(&mut guest, &token, "Impostor", "a long enough password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("sign in"), "{}", res.body);
    // Signed in as someone else, the link does not accept.
    let mut other = app.signed_in(app.b.staff).await;
    let view: InvitationView = open(&mut other, &token).await.json();
    assert_eq!(view.signed_in_as.as_deref(), Some("staff@beta.test"));
    assert_eq!(
        other
            .post("/api/team/join", &[("token", token.as_str())])
            .await
            .status,
        StatusCode::CONFLICT
    );
    // As the invited address: they join firm A and are switched into it; firm B is untouched.
    let mut invitee = app.signed_in(b_billing).await;
    let res = invitee
        .post("/api/team/join", &[("token", token.as_str())])
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let info: SessionInfo = invitee.post("/api/auth/session", &[]).await.json();
    assert_eq!((info.org_id, info.role), (app.a.id, Role::Attorney));
    assert_eq!(info.orgs.len(), 2);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM user_organizations WHERE user_id = '{}' AND organization_id = '{}' AND role = 'billing' AND status = 'active'",
            b_billing, app.b.id
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn an_invitation_does_not_outlive_its_senders_authority() {
    let app = TestApp::spawn().await;
    // A second administrator invites someone, then stops being an administrator.
    sqlx::query(
        "UPDATE user_organizations SET role = 'admin' WHERE user_id = $1 AND organization_id = $2",
    )
    .bind(app.a.attorney)
    .bind(app.a.id)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let mut second = app.signed_in(app.a.attorney).await;
    let email = unique_email("accomplice");
    let res = invite(&mut second, &email, "admin").await;
    assert!(res.status.is_success(), "{res:?}");
    let mail = mail_to(&email, 1).await;
    let token = link_in(&mail[0].1)
        .trim_start_matches("/invite/")
        .to_string();
    sqlx::query("UPDATE user_organizations SET role = 'attorney' WHERE user_id = $1 AND organization_id = $2")
        .bind(app.a.attorney)
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut guest = app.anonymous();
    assert_eq!(
        open(&mut guest, &token)
            .await
            .json::<InvitationView>()
            .state,
        LinkState::Unknown
    );
    let res = accept(&mut guest, &token, "Accomplice", "a long enough password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM users WHERE email = '{email}'"
        ))
        .await,
        0
    );
}
