//! PostgreSQL access: pools, migrations, the tenant transaction, and database errors.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::error::AppError;

pub type Tx = Transaction<'static, Postgres>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The application pool. Connections fail fast so a database outage becomes a 503, not a hang.
pub async fn connect(url: &str, max: u32) -> Result<PgPool, sqlx::Error> {
    let options: PgConnectOptions = url.parse()?;
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.application_name("docket"))
        .await
}

/// Apply pending migrations with the schema owner's connection.
pub async fn migrate(admin: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(admin).await
}

/// A transaction scoped to one firm and one user: row-level security policies read
/// `app.org_id` / `app.user_id`, which `set_config(…, true)` keeps to this transaction only,
/// so a pooled connection never carries one firm's scope into another request.
pub async fn tenant_tx(pool: &PgPool, user_id: Uuid, org_id: Option<Uuid>) -> Result<Tx, AppError> {
    let mut tx = pool.begin().await?;
    // Custom plans always: list queries bind their filters, LIMIT and OFFSET, and a generic plan
    // (which PostgreSQL may switch to after five runs of a prepared statement) guesses badly.
    sqlx::query(
        "SELECT set_config('app.user_id', $1, true), set_config('app.org_id', $2, true),
                set_config('plan_cache_mode', 'force_custom_plan', true)",
    )
    .bind(user_id.to_string())
    .bind(org_id.map(|o| o.to_string()).unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// The name of the constraint a database error violated, if any.
pub fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    e.as_database_error().and_then(|d| d.constraint())
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            _ => {
                let reference = Uuid::new_v4().simple().to_string()[..8].to_string();
                tracing::error!(error = %e, reference = %reference, "database error");
                AppError::Internal(reference)
            }
        }
    }
}
