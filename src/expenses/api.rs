//! Expense server functions: who is calling → validate → repo → activity log → result.

use leptos::prelude::*;
use uuid::Uuid;

use super::{ExpenseForm, ExpenseQuery, ExpenseRow};
use crate::error::AppError;
use crate::kernel::Page;

/// A matter's expenses (amounts are not secret the way rates are: they are what was spent).
#[server(endpoint = "expenses/list")]
pub async fn list_expenses(query: ExpenseQuery) -> Result<Page<ExpenseRow>, AppError> {
    crate::server::endpoint("expenses.list", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let page = super::repo::list(&mut tx, &query).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

/// Record an expense of the caller's on a matter.
#[server(endpoint = "expenses/create")]
pub async fn create_expense(org: Uuid, form: ExpenseForm) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("expenses.create", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, crate::time::may_record_time)
                .await
                .map_err(|e| e.keeping(form.values()))?;
        let typed = form.values();
        let refused = |e: FieldErrors| AppError::Invalid(e.with_values(typed.clone()));
        let refuse = |field: &str, message: &str| refused(FieldErrors::one(field, message));
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let valid = form.validate(firm.today, &firm.currency).map_err(refused)?;
        let matter = crate::matters::repo::find(&mut tx, &form.matter, true)
            .await?
            .ok_or_else(|| refuse("matter", "No matter of this firm has this number."))?;
        if matter.closed && valid.billable {
            return Err(refuse(
                "billable",
                "This matter is closed: expenses on it cannot be billed.",
            ));
        }
        let id = super::repo::insert(&mut tx, &caller, matter.id, &valid).await?;
        let mut changes = changes_of_new(&valid);
        changes["matter"] = serde_json::json!({ "to": matter.number });
        record(
            &mut tx,
            &caller,
            Entry::new("expense.create", "expense", id)
                .summary(format!("{} on {}", valid.description, matter.number))
                .changes(changes),
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/expenses?matter={}", matter.id));
        Ok(id)
    })
    .await
}
