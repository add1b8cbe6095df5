//! Client rates and people's rates on a matter: an administrator's, stale-checked, logged, and
//! never across firms.

use axum::http::StatusCode;
use docket::error::AppError;
use docket::rates::{ClientRate, MatterRates};
use docket::time::rates::RateSource;
use docket::time::TimeDefaults;
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn defaults(c: &mut Http, matter: Uuid) -> (Decimal, RateSource) {
    let d: TimeDefaults = c
        .post("/api/time/defaults", &[("matter", &matter.to_string())])
        .await
        .json();
    (d.rate, d.rate_source)
}

async fn set_client(c: &mut Http, client: Uuid, shown: &str, rate: &str) -> Res {
    let client = client.to_string();
    c.post(
        "/api/rates/set_client",
        &[("client", &client), ("shown", shown), ("form[rate]", rate)],
    )
    .await
}

async fn set_person(c: &mut Http, matter: Uuid, user: Uuid, shown: &str, rate: &str) -> Res {
    let (matter, user) = (matter.to_string(), user.to_string());
    c.post(
        "/api/rates/set_matter",
        &[
            ("matter", &matter),
            ("user", &user),
            ("shown", shown),
            ("form[rate]", rate),
        ],
    )
    .await
}

#[tokio::test]
async fn an_administrator_sets_client_and_matter_person_rates() {
    let app = TestApp::spawn().await;
    let mut att = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut att, "Rated Client").await;
    let m = crate::matters::create(&mut att, client, "Rated matter", Some(app.a.attorney))
        .await
        .unwrap();
    let mut admin = app.signed_in(app.a.admin).await;

    // The client's rate.
    let res = set_client(&mut admin, client, "", "275.50").await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(
        defaults(&mut att, m).await,
        (dec("275.50"), RateSource::Client)
    );
    let r: ClientRate = admin
        .post("/api/rates/client", &[("client", &client.to_string())])
        .await
        .json();
    assert_eq!(r.rate, Some(dec("275.50")));
    // A form that showed no rate is now stale: refused, with what was typed kept.
    let res = set_client(&mut admin, client, "", "300").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    match res.error() {
        AppError::Stale(f) => {
            assert!(f.get("rate").unwrap().contains("275.5"), "{f:?}");
            assert_eq!(f.value("rate"), Some("300"));
        }
        e => panic!("{e:?}"),
    }
    let res = set_client(&mut admin, client, "275.5", "12.345").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");

    // The attorney's rate on this matter comes first; removing it falls back to the client's.
    let res = set_person(&mut admin, m, app.a.attorney, "", "410").await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(
        defaults(&mut att, m).await,
        (dec("410"), RateSource::MatterPerson)
    );
    let r: MatterRates = admin
        .post("/api/rates/matter", &[("matter", &m.to_string())])
        .await
        .json();
    assert_eq!(r.rates.len(), 1);
    assert_eq!(
        (r.rates[0].user_id, r.rates[0].rate),
        (app.a.attorney, dec("410"))
    );
    let res = set_person(&mut admin, m, app.a.attorney, "", "420").await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "a second add of the same person is stale"
    );
    let res = set_person(&mut admin, m, app.a.attorney, "410", "").await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(
        defaults(&mut att, m).await,
        (dec("275.50"), RateSource::Client)
    );

    // Each change is in the activity log.
    let logged = app
        .count(&format!(
            "SELECT count(*) FROM activity_logs WHERE action IN ('client.rate', 'matter.person_rate') AND organization_id = '{}'",
            app.a.id
        ))
        .await;
    assert_eq!(logged, 3);
}

#[tokio::test]
async fn only_administrators_set_rates_and_never_another_firms() {
    let app = TestApp::spawn().await;
    let mut att = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut att, "Rated Client").await;
    let m = crate::matters::create(&mut att, client, "Rated matter", Some(app.a.attorney))
        .await
        .unwrap();
    for user in [app.a.attorney, app.a.billing, app.a.staff] {
        let mut c = app.signed_in(user).await;
        assert_eq!(
            set_client(&mut c, client, "", "1").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            set_person(&mut c, m, user, "", "1").await.status,
            StatusCode::FORBIDDEN
        );
        let res = c
            .post("/api/rates/matter", &[("matter", &m.to_string())])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    // Firm B's administrator: firm A's client, matter and people are not found, and a form of
    // firm A's sent with B's session is refused as another firm's.
    let mut b = app.signed_in(app.b.admin).await;
    assert_eq!(
        set_client(&mut b, client, "", "1").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        set_person(&mut b, m, app.a.attorney, "", "1").await.status,
        StatusCode::NOT_FOUND
    );
    let mut b_att = app.signed_in(app.b.attorney).await;
    let their_client = crate::clients::create(&mut b_att, "Their client").await;
    let their_matter = crate::matters::create(&mut b_att, their_client, "Theirs", None)
        .await
        .unwrap();
    let res = set_person(&mut b, their_matter, app.a.attorney, "", "1").await;
    assert_eq!(
        res.status,
        StatusCode::NOT_FOUND,
        "firm A's attorney on firm B's matter"
    );
    let res = b
        .post("/api/rates/client", &[("client", &client.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let mut a_admin = app.signed_in(app.a.admin).await;
    a_admin.org = Some(app.b.id);
    assert_eq!(
        set_client(&mut a_admin, client, "", "1").await.status,
        StatusCode::CONFLICT
    );
    let rates = app.count("SELECT count(*) FROM matter_rates").await
        + app
            .count("SELECT count(*) FROM clients WHERE hourly_rate IS NOT NULL")
            .await;
    assert_eq!(rates, 0);
}

/// A matter's own rate (set on its form) is logged apart from the matter's history, which every
/// member reads: staff do not see colleagues' rates.
#[tokio::test]
async fn a_matters_rate_stays_out_of_its_history() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let client = crate::clients::create(&mut admin, "Rated Client")
        .await
        .to_string();
    let form = [
        ("form[client_id]", client.as_str()),
        ("form[title]", "Priced matter"),
        ("form[practice_area]", "litigation"),
        ("form[hourly_rate]", "350.50"),
    ];
    let id: Uuid = admin.post("/api/matters/create", &form).await.json();
    let count = |what: &str| {
        format!("SELECT count(*) FROM activity_logs WHERE resource_id = '{id}' AND {what}")
    };
    assert_eq!(
        app.count(&count(
            "resource_type = 'matter' AND changes ? 'hourly_rate'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&count(
            "resource_type = 'matter' AND action = 'matter.create'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&count("resource_type = 'rate' AND action = 'matter.rate'"))
            .await,
        1
    );
    // Staff reading the matter's history see no rate.
    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff
        .post(
            "/api/audit/history",
            &[
                ("resource_type", "matter"),
                ("resource_id", &id.to_string()),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(
        res.body.contains("matter.create") && !res.body.contains("350.5"),
        "{}",
        res.body
    );
}
