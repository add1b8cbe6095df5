//! Sign-in through Supabase Auth (GoTrue), finished by the server: the browser goes to Supabase
//! and comes back with a one-time code; the server exchanges it (PKCE: the verifier never left
//! the server's session), verifies the access token it gets, links it to a Docket user by
//! verified e-mail and opens an ordinary cookie session. No token reaches the browser.
//!
//! `jwt` verifies tokens (pure); `flow` has the two routes. The Supabase project is
//! configuration (`SUPABASE_URL`, `SUPABASE_ANON_KEY`, optional `SUPABASE_JWT_SECRET`,
//! `SUPABASE_PROVIDERS`, `PUBLIC_ORIGIN`); tests and development point it at the stand-in
//! (`src/bin/gotrue_standin.rs`), through the same code.

pub mod flow;
pub mod jwt;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::RwLock;

use crate::server::config::SupabaseConfig;

/// The JWKS is fetched again for an unknown `kid` at most this often (a token with a made-up
/// `kid` must not make every request a fetch).
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(30);

pub struct Supabase {
    config: SupabaseConfig,
    http: reqwest::Client,
    keys: RwLock<HashMap<String, jwt::Key>>,
    /// When the keys were last asked for.
    fetched: tokio::sync::Mutex<Option<Instant>>,
}

/// Why a code could not be exchanged.
#[derive(Debug)]
pub enum ExchangeError {
    /// GoTrue's answer: its status and `error_code` (`flow_state_not_found`,
    /// `flow_state_expired`, `bad_code_verifier`, …).
    Refused(u16, String),
    Unreachable(String),
}

/// The parts of GoTrue's token response Docket reads.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub user: Value,
}

impl Supabase {
    pub fn new(config: SupabaseConfig) -> Result<Supabase, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Supabase {
            config,
            http,
            keys: RwLock::new(HashMap::new()),
            fetched: tokio::sync::Mutex::new(None),
        })
    }

    /// The providers offered as "Continue with …" (not the e-mail link).
    pub fn providers(&self) -> Vec<String> {
        self.config
            .providers
            .iter()
            .filter(|p| *p != "email")
            .cloned()
            .collect()
    }

    /// Whether "E-mail me a sign-in link" is offered (`email` among `SUPABASE_PROVIDERS`).
    pub fn email_link(&self) -> bool {
        self.config.providers.iter().any(|p| p == "email")
    }

    /// Ask Supabase to mail a sign-in link (a magic link, PKCE with `challenge`) back to the
    /// callback. `create_user`: Supabase may make its user for the address.
    pub async fn request_link(
        &self,
        email: &str,
        challenge: &str,
        create_user: bool,
    ) -> Result<(), ExchangeError> {
        let mut url = url::Url::parse(&format!("{}/auth/v1/otp", self.config.url))
            .expect("SUPABASE_URL was checked at start-up");
        url.query_pairs_mut()
            .append_pair("redirect_to", &self.callback_url());
        let res = self
            .http
            .post(url)
            .header("apikey", &self.config.anon_key)
            .json(&serde_json::json!({
                "email": email,
                "create_user": create_user,
                "code_challenge": challenge,
                "code_challenge_method": "s256",
            }))
            .send()
            .await
            .map_err(|e| ExchangeError::Unreachable(e.to_string()))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let body = res.text().await.unwrap_or_default();
        let code = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("error_code")
                    .and_then(|c| c.as_str().map(str::to_string))
            })
            .unwrap_or_default();
        if status.is_server_error() {
            return Err(ExchangeError::Unreachable(format!("{status}: {code}")));
        }
        Err(ExchangeError::Refused(status.as_u16(), code))
    }

    /// Where Supabase sends the browser back to.
    pub fn callback_url(&self) -> String {
        format!("{}/auth/callback", self.config.public_origin)
    }

    pub fn issuer(&self) -> String {
        format!("{}/auth/v1", self.config.url)
    }

    /// GoTrue's authorize URL for `provider` with the PKCE `challenge` (S256).
    pub fn authorize_url(&self, provider: &str, challenge: &str) -> String {
        let mut url = url::Url::parse(&format!("{}/auth/v1/authorize", self.config.url))
            .expect("SUPABASE_URL was checked at start-up");
        url.query_pairs_mut()
            .append_pair("provider", provider)
            .append_pair("redirect_to", &self.callback_url())
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "s256");
        url.to_string()
    }

    /// Exchange a code for tokens: GoTrue takes a JSON body (not the standard form body) and
    /// the project's API key.
    pub async fn exchange(
        &self,
        code: &str,
        verifier: &str,
    ) -> Result<TokenResponse, ExchangeError> {
        let res = self
            .http
            .post(format!("{}/auth/v1/token?grant_type=pkce", self.config.url))
            .header("apikey", &self.config.anon_key)
            .json(&serde_json::json!({ "auth_code": code, "code_verifier": verifier }))
            .send()
            .await
            .map_err(|e| ExchangeError::Unreachable(e.to_string()))?;
        let status = res.status();
        let body = res
            .text()
            .await
            .map_err(|e| ExchangeError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            let code = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("error_code")
                        .or_else(|| v.get("code"))
                        .and_then(|c| c.as_str().map(str::to_string))
                })
                .unwrap_or_default();
            return Err(ExchangeError::Refused(status.as_u16(), code));
        }
        serde_json::from_str(&body)
            .map_err(|e| ExchangeError::Unreachable(format!("unreadable token response: {e}")))
    }

    /// Verify an access token, fetching the project's keys when it names one not known yet.
    pub async fn verify(&self, token: &str, now: i64) -> Result<jwt::Claims, jwt::Refusal> {
        let secret = self.config.jwt_secret.as_deref().map(str::as_bytes);
        let issuer = self.issuer();
        let first = {
            let keys = self.keys.read().await;
            jwt::verify(token, &keys, secret, &issuer, now)
        };
        if first != Err(jwt::Refusal::UnknownKey) {
            return first;
        }
        self.refresh_keys().await;
        let keys = self.keys.read().await;
        jwt::verify(token, &keys, secret, &issuer, now)
    }

    /// Fetch the project's keys (at most once per `REFETCH_AT_MOST_EVERY`); the cached keys stay
    /// in use while fetching, and an empty or failed answer never replaces them.
    async fn refresh_keys(&self) {
        {
            let mut last = self.fetched.lock().await;
            if last.is_some_and(|at| at.elapsed() < REFETCH_AT_MOST_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        let url = format!("{}/auth/v1/.well-known/jwks.json", self.config.url);
        let fetched = async {
            let res = self
                .http
                .get(&url)
                .header("apikey", &self.config.anon_key)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let body = res
                .error_for_status()
                .map_err(|e| e.to_string())?
                .text()
                .await
                .map_err(|e| e.to_string())?;
            jwt::parse_jwks(&body).map_err(str::to_string)
        }
        .await;
        match fetched {
            Ok(k) if !k.is_empty() => {
                tracing::info!(keys = k.len(), "Supabase signing keys fetched");
                *self.keys.write().await = k;
            }
            Ok(_) => tracing::warn!("Supabase signing keys: the JWKS has no usable key"),
            Err(e) => tracing::warn!(error = %e, "Supabase signing keys could not be fetched"),
        }
    }
}
