//! The trust writes behind the server functions: one transaction each, with its activity row.
//! Writes on a matter take turns (`repo::take_turns`), so the balance read before writing is
//! the one the write meets, and a refusal can say exactly what the matter holds; PostgreSQL's
//! constraints on the balance rows stay the last word.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::repo::{self, NewEntry};
use super::{EntryKind, MoneyForm, Movement};
use crate::audit::{record, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{format_money, parse_date, single_line, Choice, FieldErrors};
use crate::server::db::violated_constraint;

pub async fn move_money(
    org: Uuid,
    matter: Uuid,
    form: MoneyForm,
    movement: Movement,
) -> Result<Uuid, AppError> {
    let (caller, mut tx) = Caller::begin_write_if(org, super::may_record)
        .await
        .map_err(|e| e.keeping(form.values()))?;
    let typed = form.values();
    let refuse = |field: &str, message: String| {
        AppError::Invalid(FieldErrors::one(field, message).with_values(typed.clone()))
    };
    let firm = crate::matters::repo::firm(&mut tx).await?;
    let valid = form
        .validate(movement, firm.today, &firm.currency)
        .map_err(AppError::Invalid)?;
    let (client, number) = repo::client_of(&mut tx, matter)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(account_name) = repo::account_name(&mut tx, valid.account).await? else {
        return Err(refuse(
            "account",
            "Choose a trust account of this firm.".into(),
        ));
    };
    let mut turns = vec![matter];
    let to = match valid.to_matter {
        Some(to) => {
            let same_client = repo::client_of(&mut tx, to)
                .await?
                .filter(|(c, _)| *c == client && to != matter);
            let Some((_, to_number)) = same_client else {
                return Err(refuse(
                    "to_matter",
                    "Choose another matter of the same client.".into(),
                ));
            };
            turns.push(to);
            Some((to, to_number))
        }
        None => None,
    };
    repo::take_turns(&mut tx, &turns).await?;
    let money = |d: Decimal| format_money(d, &firm.currency);
    if movement != Movement::Deposit {
        let held = repo::balance(&mut tx, valid.account, matter).await?;
        if valid.amount > held.available() {
            let message = if valid.amount <= held.balance {
                format!(
                    "Only {} of the {} this matter holds in {account_name} has cleared: deposits the bank has not cleared cannot be paid out yet.",
                    money(held.available()),
                    money(held.balance)
                )
            } else {
                format!(
                    "This matter holds {} available in {account_name}: it cannot pay out {}.",
                    money(held.available()),
                    money(valid.amount)
                )
            };
            return Err(refuse("amount", message));
        }
    }
    let entry = |kind, matter, amount| NewEntry {
        account: valid.account,
        matter,
        kind,
        amount,
        occurred_on: valid.occurred_on,
        cleared_on: valid.cleared_on,
        counterparty: &valid.counterparty,
        purpose: &valid.purpose,
        method: valid.method,
        reference: &valid.reference,
        transfer_id: None,
        reverses: None,
        payment_id: None,
    };
    let written = match (movement, &to) {
        (Movement::Deposit, _) => {
            repo::insert_entry(
                &mut tx,
                &caller,
                &entry(EntryKind::Deposit, matter, valid.amount),
            )
            .await
        }
        (Movement::Disbursement, _) => {
            repo::insert_entry(
                &mut tx,
                &caller,
                &entry(EntryKind::Disbursement, matter, -valid.amount),
            )
            .await
        }
        (Movement::Transfer, Some((to, _))) => {
            let transfer_id = Some(Uuid::new_v4());
            let out = NewEntry {
                transfer_id,
                ..entry(EntryKind::TransferOut, matter, -valid.amount)
            };
            match repo::insert_entry(&mut tx, &caller, &out).await {
                Ok(id) => {
                    let into = NewEntry {
                        transfer_id,
                        ..entry(EntryKind::TransferIn, *to, valid.amount)
                    };
                    repo::insert_entry(&mut tx, &caller, &into)
                        .await
                        .map(|_| id)
                }
                Err(e) => Err(e),
            }
        }
        (Movement::Transfer, None) => unreachable!("a valid transfer names its matter"),
    };
    let id = written.map_err(|e| refusal(e, &typed, movement))?;
    let (action, summary) = match (movement, &to) {
        (Movement::Deposit, _) => (
            "trust.deposit",
            format!(
                "Deposit of {} from {} to {number}",
                money(valid.amount),
                valid.counterparty
            ),
        ),
        (Movement::Disbursement, _) => (
            "trust.disburse",
            format!(
                "Disbursement of {} to {} from {number}",
                money(valid.amount),
                valid.counterparty
            ),
        ),
        (Movement::Transfer, to) => (
            "trust.transfer",
            format!(
                "Transfer of {} from {number} to {}",
                money(valid.amount),
                to.as_ref().map(|(_, n)| n.as_str()).unwrap_or("")
            ),
        ),
    };
    record(
        &mut tx,
        &caller,
        Entry::new(action, "trust_entry", id)
            .on_matter(Some(matter))
            .summary(summary)
            .changes(serde_json::json!({
                "account": { "to": account_name },
                "amount": { "to": valid.amount.to_string() },
                "reference": { "to": valid.reference },
            })),
    )
    .await?;
    if let Some((to, to_number)) = &to {
        record(
            &mut tx,
            &caller,
            Entry::new("trust.transfer", "trust_entry", id)
                .on_matter(Some(*to))
                .summary(format!(
                    "Transfer of {} from {number} to {to_number}",
                    money(valid.amount)
                )),
        )
        .await?;
    }
    tx.commit().await?;
    leptos_axum::redirect(&format!("/matters/{matter}/trust"));
    Ok(id)
}

/// What PostgreSQL refused, in the words of the form's fields.
pub(super) fn refusal(e: sqlx::Error, typed: &[(String, String)], movement: Movement) -> AppError {
    let field =
        |f: &str, m: &str| AppError::Invalid(FieldErrors::one(f, m).with_values(typed.to_vec()));
    if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("22003") {
        return field(
            "amount",
            "This would take the matter's trust balance past what Docket can hold.",
        );
    }
    match violated_constraint(&e) {
        Some("trust_balance_not_negative" | "trust_balance_cleared") => field(
            "amount",
            "This would take the matter's trust balance below what has cleared: nothing was recorded.",
        ),
        Some("trust_entries_reference_key") => field(
            "reference",
            "This cheque or reference number is already used in this account.",
        ),
        Some("trust_entries_matter_open") if movement == Movement::Transfer => {
            field("to_matter", "That matter is closed: it takes no trust money.")
        }
        Some("trust_entries_matter_open") => {
            field("amount", "This matter is closed: it takes no trust money.")
        }
        Some("trust_entries_period_reconciled") => field(
            "occurred_on",
            "The account is reconciled for that date: date the entry after its last reconciliation.",
        ),
        Some(c) if c.contains("account_id_fkey") => {
            field("account", "Choose a trust account of this firm.")
        }
        _ => e.into(),
    }
}

/// Refusals of a correction carry the entry they are about, so a page of many entries shows
/// each beside its own row (also from the flash, without JavaScript).
fn about(entry: Uuid, field: &str, typed: &str, message: &str) -> FieldErrors {
    FieldErrors::one(field, message).with_values(vec![
        ("entry".to_string(), entry.to_string()),
        (field.to_string(), typed.to_string()),
    ])
}

/// Reverse an entry (both halves of a transfer). One a reconciliation covers is reversed only
/// by an administrator who overrides the lock (`unlock`), which is recorded with the reason.
pub async fn reverse(org: Uuid, entry: Uuid, reason: String, unlock: bool) -> Result<(), AppError> {
    let typed = vec![
        ("entry".to_string(), entry.to_string()),
        ("reason".to_string(), reason.clone()),
    ];
    let (caller, mut tx) = Caller::begin_write_if(org, super::may_record)
        .await
        .map_err(|e| e.keeping(typed))?;
    let refuse = |m: &str| AppError::Invalid(about(entry, "reason", &reason, m));
    let stale = |m: &str| AppError::Stale(about(entry, "reason", &reason, m));
    let why = single_line(&reason).map_err(refuse)?;
    if why.is_empty() {
        return Err(refuse("Say why this entry is reversed."));
    }
    if why.chars().count() > 500 {
        return Err(refuse("Keep the reason under 500 characters."));
    }
    let original = repo::entry(&mut tx, entry)
        .await?
        .ok_or(AppError::NotFound)?;
    if original.kind == EntryKind::Reversal.as_str() {
        return Err(refuse(
            "A reversal is not reversed: record a new entry instead.",
        ));
    }
    if original.kind == EntryKind::InvoicePayment.as_str() {
        return Err(refuse(
            "An invoice's payment from trust is kept: the invoice records it. Deposit a refund instead.",
        ));
    }
    let entries = match original.transfer_id {
        Some(t) => repo::transfer_halves(&mut tx, t).await?,
        None => vec![original],
    };
    // Both halves of a transfer, or nothing (one may be on a matter walled off from the caller;
    // the database refuses a lone half at commit too).
    if entries.iter().any(|e| e.transfer_id.is_some()) && entries.len() != 2 {
        return Err(refuse(
            "The other half of this transfer is on a matter you cannot see: someone who sees both must reverse it.",
        ));
    }
    let matters: Vec<Uuid> = entries.iter().map(|e| e.matter_id).collect();
    repo::take_turns(&mut tx, &matters).await?;
    let firm = crate::matters::repo::firm(&mut tx).await?;
    for e in &entries {
        // Read again now that the turn is ours: another reversal may have just been committed.
        let now = repo::entry(&mut tx, e.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if now.reversed {
            return Err(stale("This entry has already been reversed."));
        }
        if let Some(through) = now.locked {
            if !unlock {
                return Err(refuse(&format!(
                    "The reconciliation of {through} covers this entry: an administrator reverses it by overriding the lock (recorded with the reason)."
                )));
            }
            if !super::may_unlock(caller.role) {
                return Err(refuse(
                    "Only an administrator overrides a reconciliation's lock.",
                ));
            }
            repo::unlock(&mut tx, e.id, &why).await?;
            record(
                &mut tx,
                &caller,
                Entry::new("trust.unlock", "trust_entry", e.id)
                    .on_matter(Some(e.matter_id))
                    .summary(format!(
                        "Lock of the reconciliation of {through} overridden to reverse {} ({why})",
                        format_money(e.amount.abs(), &firm.currency)
                    )),
            )
            .await?;
        }
        let reversal = NewEntry {
            account: e.account_id,
            matter: e.matter_id,
            kind: EntryKind::Reversal,
            amount: -e.amount,
            occurred_on: firm.today,
            cleared_on: None,
            counterparty: "",
            purpose: &why,
            method: None,
            reference: "",
            transfer_id: e.transfer_id,
            reverses: Some(e.id),
            payment_id: None,
        };
        let id = repo::insert_entry(&mut tx, &caller, &reversal)
            .await
            .map_err(|err| match violated_constraint(&err) {
                Some("trust_balance_not_negative" | "trust_balance_cleared") => refuse(
                    "Reversing this would take the matter's trust balance below zero: the money has already been paid out.",
                ),
                Some("trust_entries_reverses_key") => stale("This entry has already been reversed."),
                Some("trust_entries_period_reconciled") => refuse(
                    "The account is reconciled through today: reverse this entry tomorrow.",
                ),
                Some("trust_entries_reconciled") => refuse(
                    "A reconciliation covers this entry: an administrator reverses it by overriding the lock.",
                ),
                Some("trust_entries_payment_final") => refuse(
                    "An invoice's payment from trust is kept: the invoice records it. Deposit a refund instead.",
                ),
                Some("trust_entries_matter_open") => refuse(
                    "The matter is closed: reopen it before reversing a payment out of it.",
                ),
                _ => err.into(),
            })?;
        record(
            &mut tx,
            &caller,
            Entry::new("trust.reverse", "trust_entry", id)
                .on_matter(Some(e.matter_id))
                .summary(format!(
                    "Reversal of {} ({why})",
                    format_money(e.amount.abs(), &firm.currency)
                )),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn clear(org: Uuid, entry: Uuid, cleared_on: String) -> Result<(), AppError> {
    let typed = vec![
        ("entry".to_string(), entry.to_string()),
        ("cleared_on".to_string(), cleared_on.clone()),
    ];
    let (caller, mut tx) = Caller::begin_write_if(org, super::may_record)
        .await
        .map_err(|e| e.keeping(typed))?;
    let refuse = |m: &str| AppError::Invalid(about(entry, "cleared_on", &cleared_on, m));
    let firm = crate::matters::repo::firm(&mut tx).await?;
    let on = if cleared_on.trim().is_empty() {
        firm.today
    } else {
        parse_date(&cleared_on).map_err(refuse)?
    };
    let e = repo::entry(&mut tx, entry)
        .await?
        .ok_or(AppError::NotFound)?;
    repo::take_turns(&mut tx, &[e.matter_id]).await?;
    let e = repo::entry(&mut tx, entry)
        .await?
        .ok_or(AppError::NotFound)?;
    if e.kind != EntryKind::Deposit.as_str() {
        return Err(refuse("Only a deposit is cleared."));
    }
    if e.cleared_on.is_some() || e.reversed {
        return Err(AppError::Stale(about(
            entry,
            "cleared_on",
            &cleared_on,
            "This deposit was already cleared or reversed.",
        )));
    }
    if on < e.occurred_on || on > firm.today {
        return Err(refuse(
            "Funds clear on or after the day they were deposited, and not in the future.",
        ));
    }
    repo::clear(&mut tx, entry, on).await?;
    record(
        &mut tx,
        &caller,
        Entry::new("trust.clear", "trust_entry", entry)
            .on_matter(Some(e.matter_id))
            .summary(format!(
                "Deposit of {} cleared on {on}",
                format_money(e.amount, &firm.currency)
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
