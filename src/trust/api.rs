//! Trust server functions: who is calling → validate → take turns on the matters → write the
//! entries (PostgreSQL keeps the balances and refuses an overdraft) → activity log → commit.

use leptos::prelude::*;
use uuid::Uuid;

use super::{
    AccountForm, InvoicePayForm, MatterTrust, MoneyForm, ReconcileForm, ReconcileSheet,
    Reconciliation, TrustAccounts,
};
use crate::error::AppError;

/// The firm's trust accounts and what each holds.
#[server(endpoint = "trust/accounts")]
pub async fn list_trust_accounts() -> Result<TrustAccounts, AppError> {
    crate::server::endpoint("trust.accounts", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_record(caller.role) {
            return Err(AppError::Forbidden);
        }
        let accounts = super::repo::accounts(&mut tx).await?;
        let currency = crate::matters::repo::firm(&mut tx).await?.currency;
        tx.commit().await?;
        Ok(TrustAccounts { currency, accounts })
    })
    .await
}

/// Open a trust account (administrators).
#[server(endpoint = "trust/create_account")]
pub async fn create_trust_account(org: Uuid, form: AccountForm) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("trust.create_account", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_open_accounts)
                .await
                .map_err(|e| e.keeping(form.values()))?;
        let valid = form.validate().map_err(AppError::Invalid)?;
        let id = super::repo::insert_account(&mut tx, &caller, &valid)
            .await?
            .ok_or_else(|| {
                AppError::Invalid(
                    FieldErrors::one("name", "The firm already has an account of this name.")
                        .with_values(form.values()),
                )
            })?;
        record(
            &mut tx,
            &caller,
            Entry::new("trust.account_create", "trust_account", id)
                .summary(format!(
                    "{} ({} …{})",
                    valid.name, valid.bank_name, valid.last4
                ))
                .changes(changes_of_new(&valid)),
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect("/trust");
        Ok(id)
    })
    .await
}

/// A matter's trust page.
#[server(endpoint = "trust/matter")]
pub async fn get_matter_trust(matter: Uuid) -> Result<MatterTrust, AppError> {
    crate::server::endpoint("trust.matter", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let head = super::repo::matter_head(&mut tx, matter)
            .await?
            .ok_or(AppError::NotFound)?;
        let staff = caller.role == crate::auth::Role::Staff
            && super::repo::staff_see_trust(&mut tx).await?;
        if !super::may_see_matter(caller.role, head.own, staff) {
            return Err(AppError::Forbidden);
        }
        let may_record = super::may_record(caller.role);
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let balances = super::repo::matter_balances(&mut tx, matter).await?;
        let (ledger, more) =
            super::repo::matter_ledger(&mut tx, matter, super::LEDGER_ROWS).await?;
        let (accounts, sibling_matters, invoices) = if may_record && !head.closed {
            (
                super::repo::account_names(&mut tx).await?,
                super::repo::sibling_matters(&mut tx, head.client_id, matter).await?,
                super::repo::open_invoices(&mut tx, head.client_id, matter).await?,
            )
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        tx.commit().await?;
        Ok(MatterTrust {
            matter_id: matter,
            matter_number: head.number,
            title: head.title,
            client_id: head.client_id,
            client_name: head.client_name,
            closed: head.closed,
            currency: firm.currency,
            today: firm.today,
            balances,
            accounts,
            sibling_matters,
            invoices,
            may_unlock: super::may_unlock(caller.role),
            ledger,
            more,
            may_record,
        })
    })
    .await
}

/// Money received into trust for a matter.
#[server(endpoint = "trust/deposit")]
pub async fn record_deposit(org: Uuid, matter: Uuid, form: MoneyForm) -> Result<Uuid, AppError> {
    crate::server::endpoint("trust.deposit", async move {
        super::write::move_money(org, matter, form, super::Movement::Deposit).await
    })
    .await
}

/// Money paid out of a matter's trust funds.
#[server(endpoint = "trust/disburse")]
pub async fn record_disbursement(
    org: Uuid,
    matter: Uuid,
    form: MoneyForm,
) -> Result<Uuid, AppError> {
    crate::server::endpoint("trust.disburse", async move {
        super::write::move_money(org, matter, form, super::Movement::Disbursement).await
    })
    .await
}

/// Money moved from one matter's trust funds to another matter of the same client.
#[server(endpoint = "trust/transfer")]
pub async fn transfer_trust(org: Uuid, matter: Uuid, form: MoneyForm) -> Result<Uuid, AppError> {
    crate::server::endpoint("trust.transfer", async move {
        super::write::move_money(org, matter, form, super::Movement::Transfer).await
    })
    .await
}

/// Pay an issued invoice of the matter's client from the matter's trust funds: the trust entry
/// and the invoice's payment are one transaction.
#[server(endpoint = "trust/pay_invoice")]
pub async fn pay_invoice_from_trust(
    org: Uuid,
    matter: Uuid,
    form: InvoicePayForm,
) -> Result<Uuid, AppError> {
    crate::server::endpoint("trust.pay_invoice", async move {
        super::pay::pay_invoice(org, matter, form).await
    })
    .await
}

/// Undo an entry by a reversing one (both stay). A transfer is reversed whole.
#[server(endpoint = "trust/reverse")]
pub async fn reverse_trust_entry(
    org: Uuid,
    entry: Uuid,
    reason: String,
    // "on": an administrator overrides the lock of the reconciliation that covers the entry.
    #[server(default)] unlock: Option<String>,
) -> Result<(), AppError> {
    crate::server::endpoint("trust.reverse", async move {
        super::write::reverse(org, entry, reason, unlock.is_some_and(|u| !u.is_empty())).await
    })
    .await
}

/// The bank cleared a deposit: its money can be paid out from now on.
#[server(endpoint = "trust/clear")]
pub async fn clear_trust_deposit(
    org: Uuid,
    entry: Uuid,
    cleared_on: String,
) -> Result<(), AppError> {
    crate::server::endpoint("trust.clear", async move {
        super::write::clear(org, entry, cleared_on).await
    })
    .await
}

/// The reconciliation page's figures for a statement as typed (billing staff, administrators),
/// with the account's earlier reconciliations.
#[server(endpoint = "trust/reconcile_sheet")]
pub async fn get_reconcile_sheet(
    account: Uuid,
    form: ReconcileForm,
) -> Result<ReconcileSheet, AppError> {
    crate::server::endpoint("trust.reconcile_sheet", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_record(caller.role) {
            return Err(AppError::Forbidden);
        }
        let mut sheet = super::reconciling::sheet(&mut tx, account, &form).await?;
        if !sheet.walled {
            sheet.history = super::recon_repo::history(&mut tx, account).await?;
        }
        tx.commit().await?;
        Ok(sheet)
    })
    .await
}

/// Complete a reconciliation: saved when the adjusted bank balance, the journal and the client
/// ledgers agree, as they were; the entries it covers are locked from then on.
#[server(endpoint = "trust/reconcile")]
pub async fn reconcile_account(
    org: Uuid,
    account: Uuid,
    form: ReconcileForm,
) -> Result<Uuid, AppError> {
    crate::server::endpoint("trust.reconcile", async move {
        super::reconciling::complete(org, account, form).await
    })
    .await
}

/// A saved reconciliation, exactly as it was completed.
#[server(endpoint = "trust/reconciliation")]
pub async fn get_reconciliation(id: Uuid) -> Result<Reconciliation, AppError> {
    crate::server::endpoint("trust.reconciliation", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_record(caller.role) {
            return Err(AppError::Forbidden);
        }
        let r = super::recon_repo::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Its items and client balances include every matter: not for someone walled off one.
        if super::recon_repo::walled(&mut tx, r.account.id).await? {
            return Err(AppError::Forbidden);
        }
        tx.commit().await?;
        Ok(r)
    })
    .await
}
