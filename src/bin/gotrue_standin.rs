//! A stand-in for Supabase Auth (GoTrue) on loopback, for development and tests only: Docket's
//! production code path talks to it exactly as it talks to a real Supabase project. It is a
//! binary of its own, never part of the `docket` server.
//!
//! What it speaks (after supabase/auth: internal/api/external.go, token.go, pkce.go):
//! - `GET /auth/v1/authorize?provider=…&redirect_to=…&code_challenge=…&code_challenge_method=s256`
//!   shows the "provider's" sign-in page (an e-mail field, and Cancel); continuing redirects to
//!   `redirect_to?code=…`, cancelling to `redirect_to?error=access_denied&error_code=…&error_description=…`.
//! - `POST /auth/v1/token?grant_type=pkce` with the `apikey` header and a JSON body
//!   `{"auth_code","code_verifier"}`: GoTrue's token response, or its error bodies
//!   (`{"code","error_code","msg"}`): codes are single-use and expire after 300 s, and the
//!   verifier must hash (S256) to the challenge.
//! - `GET /auth/v1/.well-known/jwks.json`: the ES256 key its access tokens are signed with.
//! - `POST /auth/v1/otp?redirect_to=…` with `{"email","create_user","code_challenge",
//!   "code_challenge_method"}` (a magic link, PKCE): mails the link
//!   `/auth/v1/verify?token=…&type=magiclink&redirect_to=…` through the SMTP server given as the
//!   third argument; opening it redirects to `redirect_to?code=…` (once, within 300 s), and the
//!   code's token has the `magiclink` method.
//!
//! Test switches on the sign-in page: an unverified e-mail, `aal2`, and a token signed by
//! another key (a bad signature).
//!
//! Usage: `gotrue_standin [PORT] [ANON_KEY] [SMTP_URL]`; prints `listening on http://127.0.0.1:PORT`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::Deserialize;
use serde_json::{json, Value};

const CODE_LIFETIME: Duration = Duration::from_secs(300);
const KID: &str = "standin-es256";

struct Flow {
    challenge: String,
    redirect_to: String,
    provider: String,
    /// Set once the person has signed in at the "provider".
    signed_in: Option<(String, bool, String, bool)>,
    made: Instant,
    /// How: `oauth`, or `magiclink` (with the address the link was sent to).
    method: &'static str,
    email: String,
}

struct Standin {
    base: String,
    anon_key: String,
    key: EcdsaKeyPair,
    other_key: EcdsaKeyPair,
    rng: SystemRandom,
    /// Flows by id until signed in, then by code.
    flows: Mutex<HashMap<String, Flow>>,
    users: Mutex<HashMap<String, String>>,
    /// Where magic links are mailed.
    smtp: Option<String>,
}

fn random(rng: &SystemRandom, n: usize) -> String {
    let mut bytes = vec![0u8; n];
    ring::rand::SecureRandom::fill(rng, &mut bytes).expect("randomness");
    B64.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn error(status: StatusCode, code: &str, msg: &str) -> Response {
    (
        status,
        Json(json!({ "code": status.as_u16(), "error_code": code, "msg": msg })),
    )
        .into_response()
}

/// GoTrue's answer to a request without the project's API key.
fn refuse_key(s: &Standin, headers: &HeaderMap) -> Option<Response> {
    (headers.get("apikey").and_then(|v| v.to_str().ok()) != Some(s.anon_key.as_str())).then(|| {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "message": "Invalid API key" })),
        )
            .into_response()
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

#[derive(Deserialize)]
struct Authorize {
    provider: Option<String>,
    redirect_to: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

async fn authorize(State(s): State<Arc<Standin>>, Query(q): Query<Authorize>) -> Response {
    let (Some(provider), Some(redirect_to)) = (q.provider, q.redirect_to) else {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "Unsupported provider: missing provider",
        );
    };
    let challenge = q.code_challenge.unwrap_or_default();
    if challenge.is_empty()
        || !q
            .code_challenge_method
            .unwrap_or_default()
            .eq_ignore_ascii_case("s256")
    {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "PKCE flow requires code_challenge_method and code_challenge",
        );
    }
    let id = random(&s.rng, 16);
    s.flows.lock().unwrap().insert(
        id.clone(),
        Flow {
            challenge,
            redirect_to,
            provider: provider.clone(),
            signed_in: None,
            made: Instant::now(),
            method: "oauth",
            email: String::new(),
        },
    );
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in with {p} (stand-in)</title></head>
<body><main><h1>Sign in with {p}</h1><p>Supabase Auth stand-in: no real provider is contacted.</p>
<form method="post" action="/auth/v1/standin/consent">
<input type="hidden" name="flow" value="{id}">
<label for="email">Email</label> <input id="email" name="email" type="email" required>
<label><input type="checkbox" name="unverified" value="1"> E-mail not verified</label>
<label><input type="checkbox" name="aal2" value="1"> Second factor done (aal2)</label>
<label><input type="checkbox" name="bad_signature" value="1"> Sign with another key</label>
<button type="submit" name="go" value="continue">Continue</button>
<button type="submit" name="go" value="cancel" formnovalidate>Cancel</button>
</form></main></body></html>"#,
        p = escape(&provider),
        id = escape(&id),
    ))
    .into_response()
}

#[derive(Deserialize)]
struct Consent {
    flow: String,
    #[serde(default)]
    email: String,
    unverified: Option<String>,
    aal2: Option<String>,
    bad_signature: Option<String>,
    go: String,
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(url).expect("redirect_to is a URL");
    u.query_pairs_mut().extend_pairs(pairs);
    u.to_string()
}

async fn consent(State(s): State<Arc<Standin>>, Form(c): Form<Consent>) -> Response {
    let mut flows = s.flows.lock().unwrap();
    let Some(mut flow) = flows.remove(&c.flow) else {
        return error(
            StatusCode::NOT_FOUND,
            "flow_state_not_found",
            "invalid flow state, no valid flow state found",
        );
    };
    if c.go == "cancel" {
        let to = with_query(
            &flow.redirect_to,
            &[
                ("error", "access_denied"),
                ("error_code", "provider_email_needs_verification"),
                (
                    "error_description",
                    "The user cancelled the sign-in at the provider",
                ),
            ],
        );
        return Redirect::to(&to).into_response();
    }
    let email = c.email.trim().to_lowercase();
    let user_id = s
        .users
        .lock()
        .unwrap()
        .entry(email.clone())
        .or_insert_with(|| uuid::Uuid::new_v4().to_string())
        .clone();
    let _ = user_id;
    flow.signed_in = Some((
        email,
        c.unverified.is_none(),
        if c.aal2.is_some() {
            "aal2".into()
        } else {
            "aal1".into()
        },
        c.bad_signature.is_some(),
    ));
    let code = uuid::Uuid::new_v4().to_string();
    let to = with_query(&flow.redirect_to, &[("code", &code)]);
    flow.made = Instant::now();
    flows.insert(code, flow);
    Redirect::to(&to).into_response()
}

#[derive(Deserialize)]
struct GrantType {
    grant_type: Option<String>,
}

#[derive(Deserialize)]
struct PkceGrant {
    #[serde(default)]
    auth_code: String,
    #[serde(default)]
    code_verifier: String,
}

fn jwt(key: &EcdsaKeyPair, rng: &SystemRandom, claims: &Value) -> String {
    let header = json!({ "alg": "ES256", "kid": KID, "typ": "JWT" });
    let signing = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let sig = key.sign(rng, signing.as_bytes()).expect("signing");
    format!("{signing}.{}", B64.encode(sig.as_ref()))
}

async fn token(
    State(s): State<Arc<Standin>>,
    Query(g): Query<GrantType>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = refuse_key(&s, &headers) {
        return refused;
    }
    if g.grant_type.as_deref() != Some("pkce") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_credentials",
            "unsupported_grant_type",
        );
    }
    // GoTrue reads the parameters as JSON; a form-encoded body is not JSON.
    let Ok(p) = serde_json::from_str::<PkceGrant>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "Could not parse request body as JSON",
        );
    };
    if p.auth_code.is_empty() || p.code_verifier.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "invalid request: both auth code and code verifier should be non-empty",
        );
    }
    let mut flows = s.flows.lock().unwrap();
    let Some(flow) = flows.get(&p.auth_code).filter(|f| f.signed_in.is_some()) else {
        return error(
            StatusCode::NOT_FOUND,
            "flow_state_not_found",
            "invalid flow state, no valid flow state found",
        );
    };
    if flow.made.elapsed() > CODE_LIFETIME {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "flow_state_expired",
            "invalid flow state, flow state has expired",
        );
    }
    let hashed = B64.encode(ring::digest::digest(
        &ring::digest::SHA256,
        p.code_verifier.as_bytes(),
    ));
    if hashed != flow.challenge {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_code_verifier",
            "code challenge does not match previously saved code verifier",
        );
    }
    let flow = flows.remove(&p.auth_code).expect("present");
    drop(flows);
    let (email, verified, aal, bad_signature) = flow.signed_in.expect("signed in");
    let id = s
        .users
        .lock()
        .unwrap()
        .get(&email)
        .cloned()
        .unwrap_or_default();
    let iat = now();
    let meta = json!({ "email": email, "email_verified": verified, "iss": format!("https://{}.standin", flow.provider), "sub": id });
    let app_meta = json!({ "provider": flow.provider, "providers": [flow.provider] });
    let claims = json!({
        "iss": format!("{}/auth/v1", s.base), "sub": id, "aud": "authenticated",
        "exp": iat + 3600, "iat": iat, "email": email, "phone": "",
        "app_metadata": app_meta, "user_metadata": meta, "role": "authenticated", "aal": aal,
        "amr": [{ "method": flow.method, "timestamp": iat }], "session_id": uuid::Uuid::new_v4().to_string(),
        "is_anonymous": false,
    });
    let key = if bad_signature { &s.other_key } else { &s.key };
    let stamp = chrono::Utc::now().to_rfc3339();
    Json(json!({
        "access_token": jwt(key, &s.rng, &claims),
        "token_type": "bearer",
        "expires_in": 3600,
        "expires_at": iat + 3600,
        "refresh_token": random(&s.rng, 12),
        "user": {
            "id": id, "aud": "authenticated", "role": "authenticated", "email": email,
            "email_confirmed_at": if verified { Value::String(stamp.clone()) } else { Value::Null },
            "phone": "", "app_metadata": app_meta, "user_metadata": meta,
            "identities": [{
                "identity_id": uuid::Uuid::new_v4().to_string(), "id": id, "user_id": id,
                "identity_data": meta, "provider": flow.provider, "email": email,
                "last_sign_in_at": stamp, "created_at": stamp, "updated_at": stamp,
            }],
            "created_at": stamp, "updated_at": stamp, "is_anonymous": false,
        },
    }))
    .into_response()
}

#[derive(Deserialize)]
struct RedirectTo {
    redirect_to: Option<String>,
}

#[derive(Deserialize)]
struct OtpRequest {
    #[serde(default)]
    email: String,
    #[serde(default = "yes")]
    create_user: bool,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
}

fn yes() -> bool {
    true
}

async fn otp(
    State(s): State<Arc<Standin>>,
    Query(q): Query<RedirectTo>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = refuse_key(&s, &headers) {
        return refused;
    }
    let Ok(r) = serde_json::from_str::<OtpRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "Could not parse request body as JSON",
        );
    };
    let email = r.email.trim().to_lowercase();
    if !email.contains('@') {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "Unable to validate email address: invalid format",
        );
    }
    if r.code_challenge.is_empty() || !r.code_challenge_method.eq_ignore_ascii_case("s256") {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "PKCE flow requires code_challenge_method and code_challenge",
        );
    }
    let known = s.users.lock().unwrap().contains_key(&email);
    if !known && !r.create_user {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "otp_disabled",
            "Signups not allowed for otp",
        );
    }
    s.users
        .lock()
        .unwrap()
        .entry(email.clone())
        .or_insert_with(|| uuid::Uuid::new_v4().to_string());
    let redirect_to = q.redirect_to.unwrap_or_else(|| s.base.clone());
    let token = random(&s.rng, 24);
    s.flows.lock().unwrap().insert(
        format!("link:{token}"),
        Flow {
            challenge: r.code_challenge,
            redirect_to: redirect_to.clone(),
            provider: "email".into(),
            signed_in: None,
            made: Instant::now(),
            method: "magiclink",
            email: email.clone(),
        },
    );
    let link = with_query(
        &format!("{}/auth/v1/verify", s.base),
        &[
            ("token", &token),
            ("type", "magiclink"),
            ("redirect_to", &redirect_to),
        ],
    );
    if let Some(smtp) = &s.smtp {
        use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
        let sent = async {
            let message = Message::builder()
                .from(
                    "Supabase Auth stand-in <noreply@standin.test>"
                        .parse()
                        .map_err(|e| format!("{e}"))?,
                )
                .to(email.parse().map_err(|e| format!("{e}"))?)
                .subject("Your Magic Link")
                .body(format!("Follow this link to login:\n\n{link}\n"))
                .map_err(|e| e.to_string())?;
            AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp)
                .map_err(|e| e.to_string())?
                .build()
                .send(message)
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(e) = sent.await {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "unexpected_failure",
                &format!("Error sending magic link: {e}"),
            );
        }
    }
    Json(json!({})).into_response()
}

#[derive(Deserialize)]
struct Verify {
    #[serde(default)]
    token: String,
    redirect_to: Option<String>,
}

async fn verify(State(s): State<Arc<Standin>>, Query(v): Query<Verify>) -> Response {
    let mut flows = s.flows.lock().unwrap();
    let flow = flows
        .remove(&format!("link:{}", v.token))
        .filter(|f| f.made.elapsed() <= CODE_LIFETIME);
    let Some(mut flow) = flow else {
        let to = v.redirect_to.unwrap_or_else(|| s.base.clone());
        let to = with_query(
            &to,
            &[
                ("error", "access_denied"),
                ("error_code", "otp_expired"),
                ("error_description", "Email link is invalid or has expired"),
            ],
        );
        return Redirect::to(&to).into_response();
    };
    flow.signed_in = Some((flow.email.clone(), true, "aal1".into(), false));
    flow.made = Instant::now();
    let code = uuid::Uuid::new_v4().to_string();
    let to = with_query(&flow.redirect_to, &[("code", &code)]);
    flows.insert(code, flow);
    Redirect::to(&to).into_response()
}

async fn jwks(State(s): State<Arc<Standin>>) -> Json<Value> {
    let public = s.key.public_key().as_ref();
    Json(json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "key_ops": ["verify"], "kid": KID,
        "x": B64.encode(&public[1..33]), "y": B64.encode(&public[33..65]),
    }]}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let anon_key = args.next().unwrap_or_else(|| "standin-anon-key".into());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let rng = SystemRandom::new();
    let pair = |rng: &SystemRandom| {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng).expect("key");
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref(), rng).expect("key")
    };
    let state = Arc::new(Standin {
        base: base.clone(),
        anon_key,
        key: pair(&rng),
        other_key: pair(&rng),
        rng,
        flows: Mutex::new(HashMap::new()),
        users: Mutex::new(HashMap::new()),
        smtp: args.next(),
    });
    let app = Router::new()
        .route("/auth/v1/authorize", get(authorize))
        .route("/auth/v1/standin/consent", post(consent))
        .route("/auth/v1/token", post(token))
        .route("/auth/v1/otp", post(otp))
        .route("/auth/v1/verify", get(verify))
        .route("/auth/v1/.well-known/jwks.json", get(jwks))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .with_state(state);
    // Read by the test harness: the port is the OS's choice when 0 was asked for.
    #[allow(clippy::print_stdout)]
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {base}");
        let _ = out.flush();
    }
    axum::serve(listener, app).await.expect("serve");
}
