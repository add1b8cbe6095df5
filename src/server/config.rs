//! Settings read from the environment (documented in .env.example).

use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// Connection for the application role (RLS applies to it).
    pub database_url: String,
    /// Connection for the schema owner: migrations and seeding. Optional in production.
    pub database_admin_url: Option<String>,
    /// Connection for the role `docket_backup`, which reads a whole firm for its nightly
    /// backup (none: the schema owner's, when set; otherwise backups fail and say why).
    pub database_backup_url: Option<String>,
    pub redis_url: String,
    /// Overrides Leptos' site address when set.
    pub bind_addr: Option<SocketAddr>,
    /// Mark the session cookie `Secure` (set when the site is served over https).
    pub cookie_secure: bool,
    /// How many reverse proxies in front of the app append to `X-Forwarded-For` (0: trust none;
    /// `TRUST_PROXY=true` means one, e.g. nginx).
    pub proxy_hops: usize,
    /// Requests a minute one signed-in user may make (0: no limit).
    pub rate_limit_per_user: u32,
    /// Requests a minute one client address (an IPv6 /64) may make (0: no limit).
    pub rate_limit_per_address: u32,
    /// A session ends after this long without a request…
    pub session_idle: std::time::Duration,
    /// …and in any case this long after sign-in.
    pub session_max: std::time::Duration,
    /// Seed the demo firm at start-up when it is missing.
    pub seed_demo: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `json` for one JSON object per line, anything else for human-readable logs.
    pub log_format: String,
    /// Sign-in through Supabase; `None`: e-mail and password only.
    pub supabase: Option<SupabaseConfig>,
    /// Where people reach the app (`https://docket.example.com`): the base of links in e-mail.
    /// Configured, never taken from a request's `Host` (a forged one would send reset links
    /// elsewhere).
    pub public_origin: String,
    /// Outgoing e-mail; `None`: messages wait in the outbox.
    pub mail: Option<crate::mail::sender::MailConfig>,
    /// Background job workers in this process (0: this process runs none; others will).
    pub job_workers: usize,
    /// How long a stopping process waits for its running jobs.
    pub job_grace: std::time::Duration,
    /// Where documents' bytes are kept.
    pub storage: crate::documents::storage::StorageConfig,
    /// Where the nightly backups are written (see `backup`).
    pub backups: crate::documents::storage::StorageConfig,
    /// The program that reads documents' text in a bounded child process (`docket extract-text`):
    /// this binary.
    pub extractor: std::path::PathBuf,
}

impl Config {
    /// Where backups read firms from: the backup role's connection, else the schema owner's.
    pub fn backup_url(&self) -> Option<&str> {
        self.database_backup_url
            .as_deref()
            .or(self.database_admin_url.as_deref())
    }

    pub fn lifetimes(&self) -> super::session::Lifetimes {
        super::session::Lifetimes {
            idle: self.session_idle,
            max: self.session_max,
        }
    }

    /// The defaults, for the given database and Redis (what tests and benchmarks start from).
    pub fn defaults(database_url: &str, redis_url: &str) -> Self {
        Config {
            database_url: database_url.into(),
            database_admin_url: None,
            database_backup_url: None,
            redis_url: redis_url.into(),
            bind_addr: None,
            cookie_secure: false,
            proxy_hops: 0,
            rate_limit_per_user: 600,
            rate_limit_per_address: 3000,
            session_idle: std::time::Duration::from_secs(12 * 3600),
            session_max: std::time::Duration::from_secs(7 * 24 * 3600),
            seed_demo: false,
            max_body_bytes: 256 * 1024,
            log_format: "pretty".into(),
            supabase: None,
            public_origin: "http://127.0.0.1:3000".into(),
            mail: None,
            job_workers: 2,
            job_grace: std::time::Duration::from_secs(30),
            storage: crate::documents::storage::StorageConfig::Local {
                dir: ".data/documents".into(),
            },
            backups: crate::documents::storage::StorageConfig::Local {
                dir: ".data/backups".into(),
            },
            extractor: std::env::current_exe().unwrap_or_else(|_| "docket".into()),
        }
    }

    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let flag = |k: &str| {
            var(k).is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
            })
        };
        let bind_addr = match var("BIND_ADDR") {
            Some(v) => Some(v.parse().map_err(|e| format!("BIND_ADDR {v:?}: {e}"))?),
            None => None,
        };
        let number = |k: &str, default: u64| -> Result<u64, String> {
            match var(k) {
                Some(v) => v.trim().parse().map_err(|e| format!("{k} {v:?}: {e}")),
                None => Ok(default),
            }
        };
        let proxy_hops = match var("TRUST_PROXY").map(|v| v.to_ascii_lowercase()) {
            None => 0,
            Some(v) if matches!(v.as_str(), "true" | "yes" | "on") => 1,
            Some(v) if matches!(v.as_str(), "false" | "no" | "off") => 0,
            Some(v) => v
                .parse()
                .map_err(|_| format!("TRUST_PROXY {v:?}: true, false or a number of proxies"))?,
        };
        // GCRA needs at least a millisecond between requests: 60,000 a minute at most.
        let per_minute = |k: &str, default: u64| match number(k, default)? {
            n if n <= 60_000 => Ok(n as u32),
            n => Err(format!(
                "{k} {n}: at most 60000 a minute (0 turns the limit off)"
            )),
        };
        let hours = |k: &str, default: u64| {
            number(k, default).map(|h| std::time::Duration::from_secs(h.max(1) * 3600))
        };
        Ok(Config {
            database_url: var("DATABASE_URL").ok_or("DATABASE_URL is not set")?,
            database_admin_url: var("DATABASE_ADMIN_URL"),
            database_backup_url: var("DATABASE_BACKUP_URL"),
            redis_url: var("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            bind_addr,
            cookie_secure: flag("COOKIE_SECURE"),
            proxy_hops,
            rate_limit_per_user: per_minute("RATE_LIMIT_PER_USER", 600)?,
            rate_limit_per_address: per_minute("RATE_LIMIT_PER_ADDRESS", 3000)?,
            session_idle: hours("SESSION_IDLE_HOURS", 12)?,
            session_max: hours("SESSION_MAX_HOURS", 7 * 24)?,
            seed_demo: flag("DOCKET_SEED_DEMO"),
            max_body_bytes: number("MAX_BODY_BYTES", 256 * 1024)? as usize,
            log_format: var("LOG_FORMAT").unwrap_or_else(|| "pretty".into()),
            supabase: SupabaseConfig::from_vars(&var)?,
            public_origin: match var("PUBLIC_ORIGIN") {
                Some(o) => {
                    let o = o.trim().trim_end_matches('/').to_string();
                    url::Url::parse(&o).map_err(|e| format!("PUBLIC_ORIGIN {o:?}: {e}"))?;
                    o
                }
                None => format!(
                    "http://{}",
                    var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into())
                ),
            },
            mail: var("SMTP_URL").map(|smtp_url| crate::mail::sender::MailConfig {
                smtp_url,
                from: var("MAIL_FROM")
                    .unwrap_or_else(|| "Docket <no-reply@docket.localhost>".into()),
            }),
            job_workers: number("JOB_WORKERS", 2)? as usize,
            job_grace: std::time::Duration::from_secs(number("JOB_GRACE_SECONDS", 30)?),
            storage: crate::documents::storage::StorageConfig::from_env(var)?,
            backups: {
                let backups = crate::documents::storage::StorageConfig::backups_from_env(var)?;
                if backups.same_place(&crate::documents::storage::StorageConfig::from_env(var)?) {
                    return Err("the backups must not be kept where the documents are (one mishap would take both): set BACKUP_DIR or BACKUP_S3_BUCKET".into());
                }
                backups
            },
            // This very program, even after its file is replaced by an upgrade.
            extractor: "/proc/self/exe".into(),
        })
    }
}

/// A Supabase project to sign in through.
#[derive(Debug, Clone)]
pub struct SupabaseConfig {
    /// `https://<project>.supabase.co`, without a trailing slash.
    pub url: String,
    /// The project's publishable (anon) key, sent as `apikey`.
    pub anon_key: String,
    /// The legacy shared secret (HS256 tokens), for projects without asymmetric keys.
    pub jwt_secret: Option<String>,
    /// The providers offered on the sign-in page, e.g. `google`, `apple`; `email` offers the
    /// e-mailed sign-in link.
    pub providers: Vec<String>,
    /// Where the app is reached (`https://docket.example.com`): Supabase returns here.
    pub public_origin: String,
}

impl SupabaseConfig {
    fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = var("SUPABASE_URL") else {
            return Ok(None);
        };
        let url = url.trim().trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&url).map_err(|e| format!("SUPABASE_URL {url:?}: {e}"))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !loopback {
            return Err(format!(
                "SUPABASE_URL {url:?}: must be https (plain http only on loopback)"
            ));
        }
        let anon_key =
            var("SUPABASE_ANON_KEY").ok_or("SUPABASE_URL is set but SUPABASE_ANON_KEY is not")?;
        let public_origin = var("PUBLIC_ORIGIN")
            .ok_or("SUPABASE_URL is set but PUBLIC_ORIGIN (where Supabase returns to) is not")?
            .trim()
            .trim_end_matches('/')
            .to_string();
        url::Url::parse(&public_origin)
            .map_err(|e| format!("PUBLIC_ORIGIN {public_origin:?}: {e}"))?;
        let providers = var("SUPABASE_PROVIDERS")
            .unwrap_or_else(|| "google,apple,email".into())
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>();
        if let Some(bad) = providers
            .iter()
            .find(|p| !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(format!(
                "SUPABASE_PROVIDERS: {bad:?} is not a provider name"
            ));
        }
        Ok(Some(SupabaseConfig {
            url,
            anon_key,
            jwt_secret: var("SUPABASE_JWT_SECRET"),
            providers,
            public_origin,
        }))
    }
}
