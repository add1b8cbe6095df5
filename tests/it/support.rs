//! Test harness: a fresh database per test, two firms of fixtures, and an HTTP client with a
//! cookie jar that talks to the router in-process.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use docket::server::{config::Config, db, router, session, AppState};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

fn env(k: &str) -> String {
    std::env::var(k)
        .unwrap_or_else(|_| panic!("{k} is not set: run the tests through tools/dev.sh test"))
}

pub struct Firm {
    pub id: Uuid,
    pub admin: Uuid,
    pub attorney: Uuid,
    pub staff: Uuid,
    pub billing: Uuid,
}

pub struct TestApp {
    pub router: Router,
    /// The state the router serves (what a replica's background workers run with).
    pub state: AppState,
    pub admin_pool: PgPool,
    pub app_pool: PgPool,
    pub a: Firm,
    pub b: Firm,
    pub multi: Uuid,
    _database: Database,
}

/// The test's own database, dropped when the test ends (passed or failed), so a run leaves
/// nothing behind on the cluster's disk.
struct Database {
    admin_url: String,
    name: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(documents_dir(&self.name));
        let _ = std::fs::remove_dir_all(backups_dir(&self.name));
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // The test's runtime is ending; a thread of its own runs the drop to completion.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let server = db::connect(&url, 1).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&server)
                    .await?;
                    server.close().await;
                    Ok::<_, sqlx::Error>(())
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("test database {} was not dropped: {dropped:?}", self.name);
        }
    }
}

/// The migrated schema, built once per set of migrations and copied by every test's
/// `CREATE DATABASE … TEMPLATE` (a file copy, instead of running every migration again).
/// Templates of other migrations are left alone (another checkout's run may be copying one):
/// the test command drops them all before it starts.
async fn template(admin_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::hash::DefaultHasher::new();
            for migration in db::MIGRATOR.iter() {
                migration.version.hash(&mut hasher);
                migration.checksum.hash(&mut hasher);
            }
            let name = format!("docket_tpl_{:016x}", hasher.finish());
            let server = db::connect(admin_url, 1).await.expect("admin connection");
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&server)
                    .await
                    .unwrap();
            if !exists {
                // Built under a name of its own and renamed when complete, so a concurrent
                // run never copies a half-migrated template.
                let building = format!("{name}_{}", Uuid::new_v4().simple());
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                    .execute(&server)
                    .await
                    .unwrap();
                let pool = db::connect(&replace_db(admin_url, &building), 1)
                    .await
                    .unwrap();
                db::migrate(&pool).await.expect("migrations apply");
                pool.close().await;
                let renamed = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE {building} RENAME TO {name}"
                )))
                .execute(&server)
                .await;
                if renamed.is_ok() {
                    // Copied, never connected to: a connection would make copies fail.
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
                    )))
                    .execute(&server)
                    .await;
                } else {
                    // Another run finished first: use its template.
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE {building} WITH (FORCE)"
                    )))
                    .execute(&server)
                    .await;
                }
            }
            server.close().await;
            name
        })
        .await
        .clone()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// With settings of its own (rate limits, session lifetimes, proxies).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_full(&env("TEST_REDIS_URL"), configure).await
    }

    pub async fn spawn_with_redis(redis_url: &str) -> TestApp {
        Self::spawn_full(redis_url, |_| {}).await
    }

    /// A fresh database, migrated, with firms "Alpha" (a) and "Beta" (b).
    pub async fn spawn_full(redis_url: &str, configure: impl FnOnce(&mut Config)) -> TestApp {
        if std::env::var_os("RUST_LOG").is_some() {
            docket::server::telemetry::init("pretty");
        }
        let admin_url = env("TEST_DATABASE_ADMIN_URL");
        let name = format!("docket_test_{}", Uuid::new_v4().simple());
        let template = template(&admin_url).await;
        let server = db::connect(&admin_url, 1).await.expect("admin connection");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE {template}"
        )))
        .execute(&server)
        .await
        .unwrap();
        server.close().await;
        let database = Database {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let admin_db_url = replace_db(&admin_url, &name);
        let admin_pool = db::connect(&admin_db_url, 2).await.unwrap();
        // What a copy does not take from its template (migration 17).
        sqlx::query("SELECT app_database_settings()")
            .execute(&admin_pool)
            .await
            .unwrap();
        let app_url = replace_db(&admin_url, &name).replace(
            "postgres@",
            &format!("docket_app:{}@", env("TEST_APP_PASSWORD")),
        );
        let app_pool = db::connect(&app_url, 4).await.expect("app role connects");

        let hash = docket::server::password::hash(PASSWORD).0;
        let a = firm(&admin_pool, "Alpha Law", "alpha", &hash).await;
        let b = firm(&admin_pool, "Beta Legal", "beta", &hash).await;
        let multi = user(&admin_pool, "multi@alpha.test", "Multi Firm", &hash).await;
        member(&admin_pool, multi, a.id, "attorney", true).await;
        member(&admin_pool, multi, b.id, "staff", false).await;

        let mut config = Config {
            max_body_bytes: 64 * 1024,
            ..Config::defaults(&app_url, redis_url)
        };
        // Mail goes to the SMTP sink the test command started (read back with `mail_to`).
        config.mail =
            std::env::var("TEST_SMTP_URL")
                .ok()
                .map(|smtp_url| docket::mail::sender::MailConfig {
                    smtp_url,
                    from: "Docket Tests <tests@docket.test>".into(),
                });
        config.public_origin = "https://docket.test".into();
        // Documents in a folder of the test's own (a test may switch to S3: `s3_storage`).
        config.storage = docket::documents::storage::StorageConfig::Local {
            dir: documents_dir(&name),
        };
        config.backups = docket::documents::storage::StorageConfig::Local {
            dir: backups_dir(&name),
        };
        // Backups read the firm as the role made for it, never as the application's.
        config.database_backup_url = Some(replace_db(&admin_url, &name).replace(
            "postgres@",
            &format!("docket_backup:{}@", env("TEST_BACKUP_PASSWORD")),
        ));
        // Documents' text is read by the server binary's `extract-text` (the test binary is not it).
        config.extractor = env!("CARGO_BIN_EXE_docket").into();
        configure(&mut config);
        docket::mail::sender::spawn(app_pool.clone(), config.mail.clone()).unwrap();
        let redis = session::redis_pool(redis_url).await.unwrap();
        let leptos_options = LeptosOptions::builder()
            .output_name("docket")
            .site_root("target/site")
            .build();
        let state = AppState::new(leptos_options, app_pool.clone(), redis, config).unwrap();
        TestApp {
            router: router::build(state.clone()),
            state,
            admin_pool,
            app_pool,
            a,
            b,
            multi,
            _database: database,
        }
    }

    pub fn anonymous(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            origin: None,
            org: None,
            referer: None,
            forwarded_for: None,
        }
    }

    /// A client signed in as the user with this id (all fixture users share one password).
    pub async fn signed_in(&self, user_id: Uuid) -> Client {
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.admin_pool)
            .await
            .unwrap();
        let mut c = self.anonymous();
        let res = c
            .post(
                "/api/auth/login",
                &[("email", email.as_str()), ("password", PASSWORD)],
            )
            .await;
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "login failed: {res:?}"
        );
        assert!(c.cookie.is_some(), "no session cookie after login");
        let info: docket::auth::SessionInfo = c.post("/api/auth/session", &[]).await.json();
        c.org = Some(info.org_id);
        c
    }

    /// A new person with the fixtures' password, a member of `org` with `role`.
    pub async fn add_member(&self, org: Uuid, email: &str, role: &str) -> Uuid {
        let hash = docket::server::password::hash(PASSWORD).0;
        let id = user(&self.admin_pool, email, "Added Person", &hash).await;
        member(&self.admin_pool, id, org, role, true).await;
        id
    }

    /// Another replica on the same database and Redis: a state of its own, with its own pool.
    pub async fn replica(&self) -> AppState {
        let config = (*self.state.config).clone();
        let pool = db::connect(&config.database_url, 4).await.unwrap();
        let redis = session::redis_pool(&config.redis_url).await.unwrap();
        AppState::new(self.state.leptos_options.clone(), pool, redis, config).unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.admin_pool)
            .await
            .unwrap()
    }
}

/// A second connection pool of the schema owner to the test's database.
/// The folder a test's documents are kept in (local storage), removed with its database.
pub fn documents_dir(database: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("docket-documents-{database}"))
}

/// The folder a test's backups are written to (local storage), removed with its database.
pub fn backups_dir(database: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("docket-backups-{database}"))
}

/// A database of its own with nothing in it, not even the schema (dropped at the end of the
/// test), and its owner's pool.
pub struct EmptyDatabase {
    pub name: String,
    pub admin: PgPool,
    _database: Database,
}

pub async fn empty_database() -> EmptyDatabase {
    let admin_url = env("TEST_DATABASE_ADMIN_URL");
    let name = format!("docket_test_{}", Uuid::new_v4().simple());
    let server = db::connect(&admin_url, 1).await.expect("admin connection");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&server)
        .await
        .unwrap();
    server.close().await;
    EmptyDatabase {
        admin: db::connect(&replace_db(&admin_url, &name), 2)
            .await
            .unwrap(),
        _database: Database {
            admin_url,
            name: name.clone(),
        },
        name,
    }
}

/// S3-compatible storage on the S3 stand-in the test command started (`TEST_S3_URL`), in a
/// bucket of the test's own.
pub async fn s3_storage() -> docket::documents::storage::StorageConfig {
    let endpoint = env("TEST_S3_URL");
    let bucket = format!("docket-{}", Uuid::new_v4().simple());
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the S3 stand-in answers");
    assert!(
        made.status().is_success(),
        "bucket {bucket}: {}",
        made.status()
    );
    docket::documents::storage::StorageConfig::S3 {
        endpoint,
        region: "us-east-1".into(),
        bucket,
        access_key_id: "docket-test".into(),
        secret_access_key: "docket-test".into(),
    }
}

pub async fn admin_pool_of(app: &TestApp) -> PgPool {
    let options = app.admin_pool.connect_options();
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*options).clone())
        .await
        .unwrap()
}

/// The messages the SMTP sink received for `to` (waiting up to ten seconds for at least `n`),
/// oldest first: `(subject, text body)`.
pub async fn mail_to(to: &str, n: usize) -> Vec<(String, String)> {
    messages_to(to, n)
        .await
        .iter()
        .map(|m| {
            (
                m["subject"].as_str().unwrap_or("").to_string(),
                m["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The messages the SMTP sink received for `to` (waiting up to ten seconds for at least `n`),
/// oldest first, as the sink's JSON (with `attachments`).
pub async fn messages_to(to: &str, n: usize) -> Vec<serde_json::Value> {
    let api = env("TEST_MAIL_API");
    let http = reqwest::Client::new();
    let mut found = vec![];
    for _ in 0..100 {
        let all: Vec<serde_json::Value> = http
            .get(format!("{api}/email"))
            .send()
            .await
            .expect("the SMTP sink answers")
            .json()
            .await
            .unwrap();
        found = all
            .into_iter()
            .filter(|m| {
                m["to"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|a| a["address"].as_str() == Some(to)))
            })
            .collect();
        if found.len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    found
}

/// The bytes of a message's attachment, from the SMTP sink.
pub async fn attachment(message: &serde_json::Value, filename: &str) -> Vec<u8> {
    let api = env("TEST_MAIL_API");
    let id = message["id"].as_str().expect("a message id");
    // The sink stores a file under a name of its own.
    let stored = message["attachments"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|a| a["fileName"].as_str() == Some(filename))
        })
        .and_then(|a| a["generatedFileName"].as_str())
        .unwrap_or_else(|| panic!("no attachment {filename} in {message}"));
    reqwest::get(format!("{api}/email/{id}/attachment/{stored}"))
        .await
        .expect("the SMTP sink answers")
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// The path of the first link to `https://docket.test` in a message (`/invite/…`).
pub fn link_in(text: &str) -> String {
    let start = text
        .find("https://docket.test/")
        .expect("a link in the message")
        + "https://docket.test".len();
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// An address no other test uses (the SMTP sink is shared).
pub fn unique_email(who: &str) -> String {
    format!("{who}-{}@example.test", Uuid::new_v4().simple())
}

fn replace_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}

async fn user(pool: &PgPool, email: &str, name: &str, hash: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (email, full_name, password_hash) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(hash)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn member(pool: &PgPool, user_id: Uuid, org: Uuid, role: &str, default: bool) {
    sqlx::query("INSERT INTO user_organizations (user_id, organization_id, role, is_default) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(org)
        .bind(role)
        .bind(default)
        .execute(pool)
        .await
        .unwrap();
}

async fn firm(pool: &PgPool, name: &str, slug: &str, hash: &str) -> Firm {
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO organizations (name, slug) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(slug)
            .fetch_one(pool)
            .await
            .unwrap();
    let mut ids = vec![];
    for role in ["admin", "attorney", "staff", "billing"] {
        let u = user(
            pool,
            &format!("{role}@{slug}.test"),
            &format!("{name} {role}"),
            hash,
        )
        .await;
        member(pool, u, id, role, true).await;
        ids.push(u);
    }
    Firm {
        id,
        admin: ids[0],
        attorney: ids[1],
        staff: ids[2],
        billing: ids[3],
    }
}

#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {} {}", self.status, self.body))
    }
    pub fn error(&self) -> docket::error::AppError {
        assert!(
            !self.status.is_success(),
            "expected an error, got {} {}",
            self.status,
            self.body
        );
        self.json()
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub origin: Option<String>,
    /// The firm this client's forms are "rendered for": sent as `org` with every mutation that
    /// does not name one itself, as the hidden field of every form does.
    pub org: Option<Uuid>,
    pub referer: Option<String>,
    /// Sent as `X-Forwarded-For` (for apps configured to trust one proxy).
    pub forwarded_for: Option<String>,
}

/// Server functions that change data, and so take the `org` their form was rendered for.
fn is_mutation(path: &str) -> bool {
    [
        "create",
        "update",
        "deactivate",
        "add_contact",
        "delete_contact",
        "timer_start",
        "timer_update",
        "invoices/discount",
        "invoices/remove_line",
        "invoices/edit_line",
        "invoices/issue",
        "invoices/pay",
        "invoices/void",
        "invoices/delete_draft",
        "invoices/email",
        "jobs/retry",
        "calendar/create_event",
        "documents/create_folder",
        "documents/rename",
        "documents/move",
        "documents/delete",
        "documents/restore",
        "documents/purge",
        "documents/set_limits",
        "calendar/add_deadline",
        "calendar/change_trigger",
        "calendar/create_task",
        "calendar/complete_task",
        "calendar/reset_feed",
        "calendar/add_rule",
        "calendar/update_event",
        "calendar/cancel_event",
        "calendar/update_rule",
        "firm/member_rate",
        "rates/set_client",
        "team/set_role",
        "team/remove",
        "team/invite",
        "profile/name",
        "firm/create_firm",
        "two_factor/begin",
        "two_factor/confirm",
        "two_factor/disable",
        "two_factor/require",
        "profile/password",
        "profile/sign_out_others",
        "team/revoke_invitation",
        "rates/set_matter",
        "matters/set_access",
        "trust/create_account",
        "trust/deposit",
        "trust/disburse",
        "trust/transfer",
        "trust/reverse",
        "trust/clear",
        "trust/pay_invoice",
        "trust/reconcile",
    ]
    .iter()
    .any(|m| path.ends_with(m))
}

impl Client {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Res {
        self.request_with(method, path, content_type, body, None)
            .await
    }

    /// A request with an explicit `Accept` header (`text/html` is what a plain form post sends).
    pub async fn request_with(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        accept: Option<&str>,
    ) -> Res {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "docket.test");
        if let Some(a) = accept {
            req = req.header(header::ACCEPT, a);
        }
        req = req.header(header::USER_AGENT, "docket-tests/1.0");
        req = req.header(header::CONTENT_LENGTH, body.len());
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c.clone());
        }
        if let Some(o) = &self.origin {
            req = req.header(header::ORIGIN, o.clone());
        }
        if let Some(r) = &self.referer {
            req = req.header(header::REFERER, r.clone());
        }
        if let Some(f) = &self.forwarded_for {
            req = req.header("x-forwarded-for", f.clone());
        }
        // A request that never answers is a clear failure, not a suite that hangs.
        let res = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.router
                .clone()
                .oneshot(req.body(Body::from(body)).unwrap()),
        )
        .await
        .unwrap_or_else(|_| panic!("{path} did not answer within 60 s"))
        .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap().to_string();
            if pair.ends_with('=') || v.contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        Res {
            status,
            headers,
            body,
        }
    }

    /// Call a server function with a form-encoded body (its default encoding).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        let org = self.org.map(|o| o.to_string());
        let mut form = form.to_vec();
        if let Some(org) = org.as_deref() {
            if is_mutation(path) && !form.iter().any(|(k, _)| *k == "org") {
                form.push(("org", org));
            }
        }
        let body = serde_urlencoded::to_string(&form).unwrap();
        self.request(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await
    }

    pub async fn get(&mut self, path: &str) -> Res {
        self.request(Method::GET, path, None, vec![]).await
    }

    /// A page load, as a browser navigation asks for it.
    pub async fn page(&mut self, path: &str) -> Res {
        self.request_with(Method::GET, path, None, vec![], Some("text/html"))
            .await
    }

    /// A browser's plain form post (JavaScript off) from the page at `from`.
    pub async fn plain_post(&mut self, path: &str, form: &[(&str, &str)], from: &str) -> Res {
        self.referer = Some(format!("http://docket.test{from}"));
        let body = serde_urlencoded::to_string(form).unwrap();
        let res = self
            .request_with(
                Method::POST,
                path,
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
                Some("text/html,application/xhtml+xml"),
            )
            .await;
        self.referer = None;
        res
    }
}
