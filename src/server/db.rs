//! PostgreSQL access: pools, migrations, the tenant transaction, and database errors.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use crate::error::AppError;

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

/// A firm-scoped transaction: either a server function's own, or its turn in the transaction a
/// page render shares (see `auth::caller::PageScope`). It reads as the connection it runs on
/// (`&mut **tx`), so repositories do not care which.
pub struct Tx(TxInner, Option<Invalidates>);

/// The firm whose cached figures a write transaction's commit makes stale (`server::cache`).
struct Invalidates {
    redis: tower_sessions_redis_store::fred::prelude::Pool,
    org: Uuid,
}

enum TxInner {
    /// `None` only once committed.
    Own(Option<Transaction<'static, Postgres>>),
    Shared {
        guard: OwnedMutexGuard<Option<SharedTx>>,
        done: bool,
    },
}

/// The transaction of a page render, with whom it was opened for.
pub struct SharedTx {
    pub tx: Transaction<'static, Postgres>,
    pub caller: crate::auth::caller::Caller,
}

impl Tx {
    pub fn own(tx: Transaction<'static, Postgres>) -> Tx {
        Tx(TxInner::Own(Some(tx)), None)
    }

    /// A write to `org`: once committed, the firm's cached figures are out of date.
    pub fn invalidating(
        mut self,
        redis: &tower_sessions_redis_store::fred::prelude::Pool,
        org: Uuid,
    ) -> Tx {
        self.1 = Some(Invalidates {
            redis: redis.clone(),
            org,
        });
        self
    }

    /// A turn in a page's shared transaction (the guard holds an open one).
    pub fn shared(guard: OwnedMutexGuard<Option<SharedTx>>) -> Tx {
        Tx(TxInner::Shared { guard, done: false }, None)
    }

    /// Commit an own transaction; end the turn in a shared one (the page's transaction stays
    /// open for the next server function, and ends with the render).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        match &mut self.0 {
            TxInner::Own(tx) => {
                let Some(tx) = tx.take() else { return Ok(()) };
                let invalidates = self.1.take();
                // A caller gone while COMMIT is in flight must not leave the firm's cached
                // figures as they were before the write.
                run_to_end(async move {
                    tx.commit().await?;
                    if let Some(Invalidates { redis, org }) = invalidates {
                        crate::server::cache::invalidate(&redis, org).await;
                    }
                    Ok(())
                })
                .await
            }
            TxInner::Shared { done, .. } => {
                *done = true;
                Ok(())
            }
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        match &self.0 {
            TxInner::Own(tx) => tx.as_ref().expect("an open transaction"),
            TxInner::Shared { guard, .. } => &guard.as_ref().expect("an open page transaction").tx,
        }
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match &mut self.0 {
            TxInner::Own(tx) => tx.as_mut().expect("an open transaction"),
            TxInner::Shared { guard, .. } => {
                &mut guard.as_mut().expect("an open page transaction").tx
            }
        }
    }
}

impl Drop for Tx {
    /// A turn that ends without `commit` (an error on the way) may have left the shared
    /// transaction failed: drop it, and the next server function of the page opens a new one.
    fn drop(&mut self) {
        if let TxInner::Shared { guard, done: false } = &mut self.0 {
            guard.take();
        }
    }
}

/// Begin a transaction on a pooled connection (`statement`, or a plain `BEGIN`), and see the
/// `BEGIN` through even if the caller goes away meanwhile.
///
/// sqlx's own `begin` is not safe to cancel: it counts the transaction only once the server's
/// reply is read, so a caller dropped while `BEGIN` is in flight (a client that disconnects, a
/// timeout) returns the connection to the pool inside an open transaction, with that request's
/// `app.org_id`. The next user of the connection then runs in it: a statement meant to commit on
/// its own is undone by whoever ends the transaction. Under load this happened at every stop of
/// the load generator ("there is already a transaction in progress"). Begun in a task of its own,
/// the transaction is always counted, and a caller gone by then drops it, which rolls it back.
pub async fn begin(
    pool: &PgPool,
    statement: Option<String>,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let pool = pool.clone();
    run_to_end(async move {
        match statement {
            Some(s) => pool.begin_with(sqlx::AssertSqlSafe(s)).await,
            None => pool.begin().await,
        }
    })
    .await
}

/// Run `work` to its end even if the caller goes away meanwhile (a client that disconnects
/// cancels its request's future at any `await`): for what must not stop halfway, such as a
/// `COMMIT` and what has to follow it. The caller, if still there, gets the result; a panic in
/// `work` goes on in the caller.
pub async fn run_to_end<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    use tracing::Instrument;
    match tokio::spawn(work.in_current_span()).await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: the runtime is shutting down, and the caller with it.
        Err(_) => std::future::pending().await,
    }
}

/// How many firm-scoped transactions this process opened (for tests and metrics).
pub static TRANSACTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Open a transaction scoped to one firm and one user, in one round trip: `BEGIN` and the
/// settings the row-level security policies read (`app.user_id`, `app.org_id`), set with
/// `set_config(…, true)`, local to this transaction, so a pooled connection never carries one
/// firm's scope into another request. (The ids are written into the statement: they are UUIDs
/// from the session, which print as hex digits and dashes only.) `read_only` for a page render.
pub async fn enter(
    pool: &PgPool,
    user_id: Uuid,
    org_id: Option<Uuid>,
    read_only: bool,
) -> Result<Transaction<'static, Postgres>, AppError> {
    TRANSACTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let begin_sql = format!(
        "BEGIN{}; SELECT set_config('app.user_id', '{user_id}', true), set_config('app.org_id', '{}', true)",
        if read_only { " READ ONLY" } else { "" },
        org_id.map(|o| o.to_string()).unwrap_or_default(),
    );
    Ok(begin(pool, Some(begin_sql)).await?)
}

/// SQL of the transaction's user's role in its firm (NULL when not an active member): written
/// into the statements that need it, so it is planned once with them (a SQL function would be
/// planned again at every call).
pub const MEMBER_ROLE: &str = "(SELECT uo.role FROM user_organizations uo JOIN users mu ON mu.id = uo.user_id
    WHERE uo.user_id = app_current_user() AND uo.organization_id = app_current_org() AND uo.status = 'active' AND mu.is_active)";

/// The transaction's user's role in its firm, `None` when not an active member.
pub async fn member_role(
    tx: &mut Transaction<'static, Postgres>,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {MEMBER_ROLE}")))
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// A firm-scoped transaction of its own (see `enter`).
pub async fn tenant_tx(pool: &PgPool, user_id: Uuid, org_id: Option<Uuid>) -> Result<Tx, AppError> {
    Ok(Tx::own(enter(pool, user_id, org_id, false).await?))
}

/// Scope the rest of a transaction opened without one to `user` in `org` (after the database
/// itself established who they are, e.g. by accepting an invitation).
pub async fn act_as(conn: &mut PgConnection, user: Uuid, org: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)")
        .bind(user.to_string())
        .bind(org.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The name of the constraint a database error violated, if any.
pub fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    e.as_database_error().and_then(|d| d.constraint())
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // A row-level security policy refused a row: a row of a matter walled off from the
            // caller (seen a moment before the wall went up) reads as a missing one.
            sqlx::Error::Database(d)
                if d.code().as_deref() == Some("42501")
                    && d.message()
                        .starts_with("new row violates row-level security policy") =>
            {
                tracing::warn!(error = %e, "refused by a row-level security policy");
                AppError::NotFound
            }
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
