//! Running one claimed job: its kind's handler, with the rights it runs with.

use serde_json::Value;
use uuid::Uuid;

use super::JobKind;
use crate::auth::caller::Caller;
use crate::auth::Role;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::{enter, Tx};
use crate::server::AppState;

/// A job as claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub kind: String,
    pub payload: Value,
    pub run_as: Option<Uuid>,
    pub attempts: i32,
    pub max_attempts: i32,
}

impl Claimed {
    pub fn org(&self) -> Result<Uuid, Failure> {
        self.organization_id
            .ok_or_else(|| Failure::GiveUp("the job belongs to no firm".into()))
    }

    /// A field of the payload.
    pub fn field<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, Failure> {
        self.payload
            .get(name)
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| Failure::GiveUp(format!("the job has no valid {name:?}")))
    }
}

/// Why a run did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// It may work later (the database, the network, a newer release's kind).
    Retry(String),
    /// It never will (the invoice is gone, the person left the firm): dead at once.
    GiveUp(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Retry(m) | Failure::GiveUp(m) => m,
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unavailable | AppError::Internal(_) | AppError::TooManyRequests(_) => {
                Failure::Retry(e.to_string())
            }
            other => Failure::GiveUp(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::from(AppError::from(e))
    }
}

/// What the job did ("sent to ap@client.test"), for the Jobs page.
pub type Outcome = Result<String, Failure>;

/// Run the handler of the job's kind.
pub async fn handle(state: &AppState, job: &Claimed) -> Outcome {
    match JobKind::parse(&job.kind) {
        Some(JobKind::InvoiceEmail) => crate::invoices::send::run(state, job).await,
        Some(JobKind::MonthlyReport) => crate::reports::monthly::run(state, job).await,
        Some(JobKind::DailyDigest) => crate::calendar::digest::run(state, job).await,
        Some(JobKind::DocumentText) => crate::documents::text::run(state, job).await,
        Some(JobKind::Backup) => crate::backup::take::run(state, job).await,
        Some(JobKind::OverdueReminders) => crate::invoices::remind::run(state, job).await,
        // Added by a newer release during a rolling upgrade: a replica that knows it will run it.
        None => Err(Failure::Retry(format!(
            "this release does not know jobs of kind {:?}",
            job.kind
        ))),
    }
}

/// A transaction as `user`, a member of `org` whose role `permitted` allows: the job does what
/// they may do, no more (their walls included). Not such a member any more: given up.
pub async fn as_member(
    state: &AppState,
    user: Uuid,
    org: Uuid,
    permitted: impl Fn(Role) -> bool,
) -> Result<(Caller, Tx), Failure> {
    match Caller::member(state, user, org, Default::default()).await? {
        Some((caller, tx)) if permitted(caller.role) => Ok((caller, tx)),
        _ => Err(Failure::GiveUp(
            "the person it runs for is no longer a member allowed to do this".into(),
        )),
    }
}

/// A read of the firm's own (no person's rights: what any member of it may read, such as its
/// members and settings).
pub async fn as_firm(state: &AppState, org: Uuid) -> Result<Tx, Failure> {
    Ok(Tx::own(
        enter(&state.db, Uuid::nil(), Some(org), true).await?,
    ))
}
