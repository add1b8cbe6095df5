//! Server functions of the ledgers over a period: a client's trust statement and an account's
//! journal.

use leptos::prelude::*;
use uuid::Uuid;

use super::{LedgerFilter, TrustStatement};
use crate::error::AppError;

/// A client's trust ledger (all its matters, all accounts) for a period: those who record trust
/// money, and staff if the firm allows them trust ledgers.
#[server(endpoint = "trust/client_ledger")]
pub async fn client_trust_ledger(
    client: Uuid,
    filter: LedgerFilter,
) -> Result<TrustStatement, AppError> {
    crate::server::endpoint("trust.client_ledger", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        server::may_see_client(&mut tx, caller.role).await?;
        let name = super::statement_repo::client_name(&mut tx, client)
            .await?
            .ok_or(AppError::NotFound)?;
        let s = server::load(
            &mut tx,
            super::statement_repo::Scope::Client(client),
            (client, name, true),
            filter,
            Some(super::STATEMENT_ROWS),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    })
    .await
}

/// An account's journal (every client) for a period: those who record trust money.
#[server(endpoint = "trust/journal")]
pub async fn account_journal(
    account: Uuid,
    filter: LedgerFilter,
) -> Result<TrustStatement, AppError> {
    crate::server::endpoint("trust.journal", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_record(caller.role) {
            return Err(AppError::Forbidden);
        }
        let name = super::repo::account_name(&mut tx, account)
            .await?
            .ok_or(AppError::NotFound)?;
        let s = server::load(
            &mut tx,
            super::statement_repo::Scope::Account(account),
            (account, name, false),
            filter,
            Some(super::STATEMENT_ROWS),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use uuid::Uuid;

    use crate::auth::Role;
    use crate::error::AppError;
    use crate::server::db::Tx;
    use crate::trust::statement_repo::{self as repo, Scope};
    use crate::trust::{LedgerFilter, TrustStatement};

    /// Client ledgers: those who record, and staff where the firm allows.
    pub async fn may_see_client(tx: &mut Tx, role: Role) -> Result<(), AppError> {
        let staff = role == Role::Staff && crate::trust::repo::staff_see_trust(tx).await?;
        if crate::trust::may_record(role) || staff {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The ledger of `scope` over the filter's period, `limit` lines at most.
    pub async fn load(
        tx: &mut Tx,
        scope: Scope,
        (id, name, client): (Uuid, String, bool),
        filter: LedgerFilter,
        limit: Option<i64>,
    ) -> Result<TrustStatement, AppError> {
        let (from, to, problems) = filter.period();
        let (opening, closing) = repo::totals(tx, scope, from, to).await?;
        let mut lines = repo::lines(tx, scope, from, to, opening, 0, limit.map(|l| l + 1)).await?;
        let truncated = limit.is_some_and(|l| lines.len() as i64 > l);
        if let Some(l) = limit {
            lines.truncate(l as usize);
        }
        let firm = crate::matters::repo::firm(tx).await?;
        Ok(TrustStatement {
            id,
            name,
            client,
            firm_name: repo::firm_name(tx).await?,
            currency: firm.currency,
            filter,
            from,
            to,
            opening,
            closing,
            lines,
            truncated,
            problems: (!problems.is_empty()).then_some(problems),
        })
    }
}
