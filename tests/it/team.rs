//! Firm administration: roles, removal, the last administrator, and other firms' ids.

use axum::http::StatusCode;
use docket::auth::Role;
use docket::team::{Member, MemberStatus};
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

async fn members(c: &mut Http) -> Vec<Member> {
    let res = c.post("/api/team/members", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    res.json()
}

async fn member(c: &mut Http, user: Uuid) -> Member {
    members(c)
        .await
        .into_iter()
        .find(|m| m.user_id == user)
        .unwrap()
}

async fn set_role(c: &mut Http, m: &Member, role: &str) -> Res {
    let (user, v) = (m.user_id.to_string(), m.version.to_string());
    c.post(
        "/api/team/set_role",
        &[("user", &user), ("version", &v), ("form[role]", role)],
    )
    .await
}

async fn remove(c: &mut Http, m: &Member) -> Res {
    let (user, v) = (m.user_id.to_string(), m.version.to_string());
    c.post("/api/team/remove", &[("user", &user), ("version", &v)])
        .await
}

#[tokio::test]
async fn an_administrator_changes_roles_and_the_firm_keeps_an_administrator() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut att = app.signed_in(app.a.attorney).await;
    let list = members(&mut admin).await;
    assert!(list.iter().all(|m| m.status == MemberStatus::Active));
    assert!(!member(&mut admin, app.a.admin)
        .await
        .last_sign_in
        .is_empty());

    // The attorney becomes billing staff: their very next request has the new role.
    let m = member(&mut admin, app.a.attorney).await;
    assert!(set_role(&mut admin, &m, "billing")
        .await
        .status
        .is_success());
    let info: docket::auth::SessionInfo = att.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.role, Role::Billing);
    // The page that showed the old version is stale.
    assert_eq!(
        set_role(&mut admin, &m, "staff").await.status,
        StatusCode::CONFLICT
    );

    // The only administrator can be neither demoted nor removed (nor remove themself).
    let me = member(&mut admin, app.a.admin).await;
    let res = set_role(&mut admin, &me, "attorney").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body.contains("at least one active administrator"),
        "{}",
        res.body
    );
    assert_eq!(remove(&mut admin, &me).await.status, StatusCode::CONFLICT);
    // With a second administrator, the first may step down.
    let m = member(&mut admin, app.a.attorney).await;
    assert!(set_role(&mut admin, &m, "admin").await.status.is_success());
    let me = member(&mut admin, app.a.admin).await;
    assert!(set_role(&mut admin, &me, "attorney")
        .await
        .status
        .is_success());
    assert_eq!(
        admin.post("/api/team/members", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // The database holds the rule too, whoever writes.
    let err = sqlx::query(
        "UPDATE user_organizations SET role = 'staff' WHERE user_id = $1 AND organization_id = $2",
    )
    .bind(app.a.attorney)
    .bind(app.a.id)
    .execute(&app.admin_pool)
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("at least one active administrator"),
        "{err}"
    );
    let logged = app
        .count("SELECT count(*) FROM activity_logs WHERE action = 'member.role'")
        .await;
    assert_eq!(logged, 3);
}

#[tokio::test]
async fn a_removed_member_is_out_at_once_and_their_work_stays() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut att = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut att, "Kept Client").await;
    crate::matters::create(&mut att, client, "Kept matter", Some(app.a.attorney))
        .await
        .unwrap();
    let m = member(&mut admin, app.a.attorney).await;
    assert!(remove(&mut admin, &m).await.status.is_success());

    // Their session ends at its next request; signing in again is refused (no other firm).
    let res = att.post("/api/auth/session", &[]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
    let mut again = app.anonymous();
    let res = again
        .post(
            "/api/auth/login",
            &[
                ("email", "attorney@alpha.test"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert!(!res.status.is_success(), "{res:?}");
    // What they did stays theirs.
    let kept = app
        .count(&format!(
            "SELECT count(*) FROM matters WHERE responsible_attorney_id = '{}'",
            app.a.attorney
        ))
        .await;
    assert_eq!(kept, 1);
    let gone = member(&mut admin, app.a.attorney).await;
    assert_eq!(gone.status, MemberStatus::Removed);
    // A removed member is not offered as an attorney, nor changed again.
    let people: Vec<docket::auth::Person> = admin.post("/api/auth/people", &[]).await.json();
    assert!(people.iter().all(|p| p.id != app.a.attorney));
    assert_eq!(
        set_role(&mut admin, &gone, "admin").await.status,
        StatusCode::CONFLICT
    );

    // Someone in two firms removed from one keeps the other.
    let multi = member(&mut admin, app.multi).await;
    assert!(remove(&mut admin, &multi).await.status.is_success());
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/login",
            &[
                ("email", "multi@alpha.test"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let info: docket::auth::SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!((info.org_id, info.orgs.len()), (app.b.id, 1));
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'member.remove'")
            .await,
        2
    );
}

#[tokio::test]
async fn only_administrators_manage_people_and_never_another_firms() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let target = member(&mut admin, app.a.staff).await;
    for user in [app.a.attorney, app.a.billing, app.a.staff] {
        let mut c = app.signed_in(user).await;
        assert_eq!(
            c.post("/api/team/members", &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            set_role(&mut c, &target, "admin").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(remove(&mut c, &target).await.status, StatusCode::FORBIDDEN);
    }
    let mut b = app.signed_in(app.b.admin).await;
    assert!(members(&mut b)
        .await
        .iter()
        .all(|m| m.user_id != app.a.staff));
    assert_eq!(
        set_role(&mut b, &target, "admin").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(remove(&mut b, &target).await.status, StatusCode::NOT_FOUND);
    // Firm A's form sent from a session now in firm B is refused as another firm's.
    let mut switched = app.signed_in(app.a.admin).await;
    switched.org = Some(app.b.id);
    assert_eq!(
        set_role(&mut switched, &target, "admin").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(member(&mut admin, app.a.staff).await.role, Role::Staff);
}
