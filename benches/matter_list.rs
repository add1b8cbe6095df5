//! Server time of the matter list (`POST /api/matters/list` through the real router, session,
//! RLS transaction and SQL), for the demo firm and for a large firm. Prints figures; asserts
//! nothing about speed.
//!
//!   tools/dev.sh bench            (20,000 clients and 100,000 matters)
//!   BENCH_CLIENTS=2000 BENCH_MATTERS=10000 tools/dev.sh bench

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use docket::server::{config::Config, db, router, seed, session, AppState};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set: run through tools/dev.sh bench"))
}

#[tokio::main]
async fn main() {
    let admin_url = env("TEST_DATABASE_ADMIN_URL");
    let clients: u32 = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let matters: u32 = std::env::var("BENCH_MATTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let name = format!("docket_bench_{}", uuid::Uuid::new_v4().simple());
    let server = db::connect(&admin_url, 1).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&server)
        .await
        .unwrap();
    let base = admin_url.rsplit_once('/').unwrap().0.to_string();
    let admin = db::connect(&format!("{base}/{name}"), 2).await.unwrap();
    db::migrate(&admin).await.unwrap();
    seed::demo(&admin).await.unwrap();
    let t = Instant::now();
    seed::large_firm(&admin, clients, matters).await.unwrap();
    println!(
        "seeded large firm ({clients} clients, {matters} matters) in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let app_url = format!("{base}/{name}").replace(
        "postgres@",
        &format!("docket_app:{}@", env("TEST_APP_PASSWORD")),
    );
    let pool = db::connect(&app_url, 8).await.unwrap();
    let config = Config {
        // A benchmark is a flood by design.
        rate_limit_per_user: 0,
        rate_limit_per_address: 0,
        ..Config::defaults(&app_url, &env("TEST_REDIS_URL"))
    };
    let redis = session::redis_pool(&config.redis_url).await.unwrap();
    let options = LeptosOptions::builder().output_name("docket").build();
    let app = router::build(AppState {
        leptos_options: options,
        db: pool,
        redis,
        config: Arc::new(config),
    });

    for (firm, email) in [
        ("demo firm (50 matters)", "admin@harborvale.test"),
        ("large firm", "admin@large.test"),
    ] {
        let login = format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            seed::DEMO_PASSWORD
        );
        let res = app
            .clone()
            .oneshot(form("/api/auth/login", login, None))
            .await
            .unwrap();
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        for (label, query) in [
            ("first page, newest first", "query[page]=1"),
            ("status=open, page 40", "query[status]=open&query[page]=40"),
            (
                "practice area + sort by client",
                "query[practice_area]=tax&query[sort]=client",
            ),
            ("full-text search 'lease'", "query[q]=lease"),
        ] {
            let mut times = Vec::new();
            for i in 0..60 {
                let t = Instant::now();
                let res = app
                    .clone()
                    .oneshot(form("/api/matters/list", query.to_string(), Some(&cookie)))
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                let _ = res.into_body().collect().await.unwrap();
                if i >= 10 {
                    times.push(t.elapsed());
                }
            }
            times.sort();
            let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
            println!(
                "{firm:<24} {label:<34} p50 {:>7.2} ms   p95 {:>7.2} ms",
                ms(p(0.5)),
                ms(p(0.95))
            );
        }
    }
    admin.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&server)
    .await
    .unwrap();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn form(path: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::HOST, "bench.local")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}
