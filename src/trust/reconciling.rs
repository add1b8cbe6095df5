//! Working out a reconciliation for the page, and completing it: one transaction that saves
//! the record, its outstanding items and client ledgers, and the activity row.

use std::collections::HashSet;
use std::str::FromStr;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::recon_repo as repo;
use super::{default_statement_date, ReconcileForm, ReconcileSheet, ThreeWay};
use crate::audit::{record, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{format_money, FieldErrors};
use crate::server::db::{violated_constraint, Tx};

/// The page's figures for the statement as typed.
pub async fn sheet(
    tx: &mut Tx,
    account: Uuid,
    form: &ReconcileForm,
) -> Result<ReconcileSheet, AppError> {
    let head = repo::account(tx, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let firm = crate::matters::repo::firm(tx).await?;
    let last = repo::last(tx, account).await?;
    let last_date = last.map(|l| l.1);
    let (date, balance, problems) = form.statement(
        default_statement_date(firm.today, last_date),
        firm.today,
        last_date,
        &firm.currency,
    );
    let walled = repo::walled(tx, account).await?;
    let marked: HashSet<Uuid> = form.outstanding_ids().into_iter().collect();
    let items: Vec<_> = repo::period_items(tx, account, date, last)
        .await?
        .into_iter()
        .map(|(mut item, was_outstanding, cleared)| {
            // First look: propose what the bank has likely not seen (deposits not cleared by the
            // statement date, and what was outstanding last time); then, what the user marked.
            item.outstanding = if form.marked.is_empty() {
                was_outstanding || !cleared
            } else {
                marked.contains(&item.id)
            };
            item
        })
        .collect();
    let journal = repo::journal(tx, account, date).await?;
    let clients = repo::client_ledgers(tx, account, date).await?;
    let ledgers: Decimal = clients.iter().map(|c| c.balance).sum();
    let outstanding: Vec<Decimal> = items
        .iter()
        .filter(|i| i.outstanding)
        .map(|i| i.amount)
        .collect();
    Ok(ReconcileSheet {
        account: head,
        currency: firm.currency,
        last_statement: last_date,
        statement_date: date,
        statement_balance: form.statement_balance.clone(),
        figures: balance.map(|b| ThreeWay::of(b, &outstanding, journal, ledgers)),
        problems: (!problems.is_empty()).then_some(problems),
        items,
        clients,
        walled,
        history: Vec::new(),
    })
}

pub async fn complete(org: Uuid, account: Uuid, form: ReconcileForm) -> Result<Uuid, AppError> {
    let typed = form.values();
    let (caller, mut tx) = Caller::begin_write_if(org, super::may_record)
        .await
        .map_err(|e| e.keeping(typed.clone()))?;
    let refuse = |field: &str, message: String| {
        AppError::Invalid(FieldErrors::one(field, message).with_values(typed.clone()))
    };
    let changed = || {
        AppError::Stale(
            FieldErrors::one(
                "statement_balance",
                "Entries of this period were recorded or reconciled since the page was shown: look at the figures again.",
            )
            .with_values(typed.clone()),
        )
    };
    let s = sheet(
        &mut tx,
        account,
        &ReconcileForm {
            marked: "1".into(),
            ..form.clone()
        },
    )
    .await?;
    if s.walled {
        return Err(refuse(
            "statement_date",
            "Some of this account's matters are walled off from you: someone who sees them all reconciles it.".into(),
        ));
    }
    if let Some(p) = s.problems {
        return Err(AppError::Invalid(p.with_values(typed.clone())));
    }
    let Some(figures) = s.figures.clone() else {
        return Err(refuse(
            "statement_balance",
            "Enter the bank statement's ending balance.".into(),
        ));
    };
    let period: HashSet<Uuid> = s.items.iter().map(|i| i.id).collect();
    if Decimal::from_str(form.journal.trim()).ok() != Some(figures.journal)
        || form.outstanding_ids().iter().any(|id| !period.contains(id))
    {
        return Err(changed());
    }
    let money = |d: Decimal| format_money(d, &s.currency);
    if let Some(c) = s.clients.iter().find(|c| c.balance.is_sign_negative()) {
        return Err(refuse(
            "statement_date",
            format!(
                "{}'s ledger is {} on the statement date: money was paid out before it came in (a payment dated earlier than its deposit). Correct the entries before reconciling.",
                c.client_name,
                money(c.balance)
            ),
        ));
    }
    if !figures.balanced() {
        return Err(refuse(
            "statement_balance",
            format!(
                "The figures do not agree: the adjusted bank balance is {} and the journal {} (a difference of {}), the client ledgers {}. Mark the items the bank has not seen, or check the statement's balance.",
                money(figures.adjusted_bank),
                money(figures.journal),
                money(figures.bank_vs_journal),
                money(figures.client_ledgers),
            ),
        ));
    }
    let id = repo::insert(
        &mut tx,
        &caller,
        account,
        s.statement_date,
        &figures,
        &s.items,
        &s.clients,
    )
    .await
    .map_err(|e| match violated_constraint(&e) {
        Some(
            "trust_reconciliations_figures"
            | "trust_reconciliations_order"
            | "trust_reconciliations_account_id_statement_date_key",
        ) => changed(),
        _ => e.into(),
    })?;
    record(
        &mut tx,
        &caller,
        Entry::new("trust.reconcile", "trust_reconciliation", id)
            .summary(format!(
                "Reconciled {} through {}: {} held, {} outstanding item(s)",
                s.account.name,
                s.statement_date,
                money(figures.journal),
                s.items.iter().filter(|i| i.outstanding).count()
            ))
            .changes(serde_json::json!({
                "statement_balance": { "to": figures.statement.to_string() },
                "adjusted_bank": { "to": figures.adjusted_bank.to_string() },
                "journal": { "to": figures.journal.to_string() },
                "client_ledgers": { "to": figures.client_ledgers.to_string() },
            })),
    )
    .await?;
    tx.commit()
        .await
        .map_err(|e| match violated_constraint(&e) {
            Some("trust_reconciliations_items") => changed(),
            _ => e.into(),
        })?;
    leptos_axum::redirect(&format!("/trust/reconciliations/{id}"));
    Ok(id)
}
