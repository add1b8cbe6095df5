//! Report server functions: billing staff and administrators only.

use leptos::prelude::*;

use super::{AgingReport, BilledReport, MonthsQuery, ReportQuery, WipReport};
use crate::error::AppError;

/// The day a report is as of: the one asked for, or the firm's today.
#[cfg(feature = "ssr")]
pub(crate) fn as_of(
    q: &ReportQuery,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, AppError> {
    match crate::kernel::optional_date(&q.as_of) {
        Ok(d) => Ok(d.unwrap_or(today)),
        Err(m) => Err(AppError::Invalid(
            crate::kernel::FieldErrors::one("as_of", m).with_value("as_of", q.as_of.clone()),
        )),
    }
}

#[cfg(feature = "ssr")]
pub(crate) async fn aging_of(
    tx: &mut crate::server::db::Tx,
    firm: &crate::matters::Firm,
    q: &ReportQuery,
) -> Result<AgingReport, AppError> {
    let as_of = as_of(q, firm.today)?;
    let currency = firm.currency.clone();
    let rows = super::repo::aging(tx, as_of).await?;
    let mut totals = super::AgingRow {
        client_name: "All clients".into(),
        ..Default::default()
    };
    for r in &rows {
        totals.current += r.current;
        totals.days_1_30 += r.days_1_30;
        totals.days_31_60 += r.days_31_60;
        totals.days_61_90 += r.days_61_90;
        totals.over_90 += r.over_90;
        totals.total += r.total;
    }
    Ok(AgingReport {
        as_of,
        currency,
        rows,
        totals,
    })
}

/// The caller's firm's cached figures as the caller may see them (without the matters walled
/// off from them), opened before the first statement they are read from.
#[cfg(feature = "ssr")]
async fn cache(
    tx: &mut crate::server::db::Tx,
    org: uuid::Uuid,
) -> Result<crate::server::cache::FirmCache, AppError> {
    let cache =
        crate::server::cache::FirmCache::open(&crate::server::AppState::current()?.redis, org)
            .await;
    let hidden = crate::matters::wall::repo::hidden(tx).await?;
    Ok(cache.seen_without(&hidden))
}

/// Accounts receivable by client and age.
#[server(endpoint = "reports/aging")]
pub async fn receivables_aging(query: ReportQuery) -> Result<AgingReport, AppError> {
    crate::server::endpoint("reports.aging", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_report(caller.role) {
            return Err(AppError::Forbidden);
        }
        let cache = cache(&mut tx, caller.org_id).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let as_of = as_of(&query, firm.today)?;
        let report = cache
            .get_or(&format!("aging:{as_of}"), aging_of(&mut tx, &firm, &query))
            .await?;
        tx.commit().await?;
        Ok(report)
    })
    .await
}

/// The matters shown on the WIP page (the CSV has them all).
#[cfg(feature = "ssr")]
const SHOWN: i64 = 200;

/// Work in progress by matter and by person.
#[server(endpoint = "reports/wip")]
pub async fn work_in_progress(query: ReportQuery) -> Result<WipReport, AppError> {
    crate::server::endpoint("reports.wip", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_report(caller.role) {
            return Err(AppError::Forbidden);
        }
        let cache = cache(&mut tx, caller.org_id).await?;
        let crate::matters::Firm { today, currency } = crate::matters::repo::firm(&mut tx).await?;
        let as_of = as_of(&query, today)?;
        let report = cache
            .get_or(&format!("wip:{as_of}"), async {
                let (mut matters, people, total) =
                    super::repo::wip(&mut tx, as_of, &currency).await?;
                let more = matters.len() as i64 > SHOWN;
                matters.truncate(SHOWN as usize);
                Ok(WipReport {
                    as_of,
                    currency,
                    matters,
                    people,
                    total,
                    more,
                })
            })
            .await?;
        tx.commit().await?;
        Ok(report)
    })
    .await
}

/// The dashboard's money figures: unbilled work on the caller's matters, and for billing staff
/// and administrators the firm's receivables by age.
#[server(endpoint = "reports/dashboard")]
pub async fn dashboard_money() -> Result<super::DashboardMoney, AppError> {
    crate::server::endpoint("reports.dashboard", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let cache = cache(&mut tx, caller.org_id).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let today = firm.today;
        // Staff see no amounts of colleagues' work (`time::sees_amounts`).
        let mine = if crate::time::sees_amounts(caller.role) {
            let key = format!("wip-of:{}:{today}", caller.user_id);
            let mine = super::repo::wip_total(&mut tx, today, Some(caller.user_id), &firm.currency);
            Some(cache.get_or(&key, mine).await?)
        } else {
            None
        };
        let aging = if super::may_report(caller.role) {
            let all = ReportQuery::default();
            let report = aging_of(&mut tx, &firm, &all);
            let totals = cache
                .get_or(&format!("aging:{today}"), report)
                .await?
                .totals;
            let overdue = super::repo::overdue_count(&mut tx, today);
            let overdue = cache.get_or(&format!("overdue:{today}"), overdue).await?;
            Some((totals, overdue))
        } else {
            None
        };
        tx.commit().await?;
        Ok(super::DashboardMoney {
            currency: firm.currency,
            mine,
            overdue: aging.as_ref().map(|a| a.1),
            aging: aging.map(|a| a.0),
        })
    })
    .await
}

/// The months a report covers: `[from, to)` as first days of months; by default the twelve
/// months up to and including this one.
#[cfg(feature = "ssr")]
pub(crate) fn months(
    q: &MonthsQuery,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), AppError> {
    use chrono::{Datelike, Months};
    let bad = |field: &str, value: &str| {
        AppError::Invalid(
            crate::kernel::FieldErrors::one(field, "Enter a month such as 2026-03.")
                .with_value(field, value.to_string()),
        )
    };
    let this = today.with_day(1).unwrap_or(today);
    let to = match q.to.trim() {
        "" => this,
        s => super::parse_month(s).ok_or_else(|| bad("to", s))?,
    }
    .checked_add_months(Months::new(1))
    .ok_or_else(|| bad("to", &q.to))?;
    let from = match q.from.trim() {
        "" => to
            .checked_sub_months(Months::new(12))
            .ok_or_else(|| bad("from", &q.from))?,
        s => super::parse_month(s).ok_or_else(|| bad("from", s))?,
    };
    if from >= to {
        return Err(AppError::Invalid(crate::kernel::FieldErrors::one(
            "to",
            "The period ends before it starts.",
        )));
    }
    Ok((from, to))
}

#[cfg(feature = "ssr")]
pub(crate) async fn billed_of(
    tx: &mut crate::server::db::Tx,
    firm: crate::matters::Firm,
    q: &MonthsQuery,
) -> Result<BilledReport, AppError> {
    let crate::matters::Firm { today, currency } = firm;
    let (from, to) = months(q, today)?;
    let rows = super::repo::billed_collected(tx, from, to, &currency).await?;
    Ok(BilledReport {
        from,
        to,
        currency,
        rows,
    })
}

/// Hours and amounts billed and collected per person per month.
#[server(endpoint = "reports/billed")]
pub async fn billed_and_collected(query: MonthsQuery) -> Result<BilledReport, AppError> {
    crate::server::endpoint("reports.billed", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_report(caller.role) {
            return Err(AppError::Forbidden);
        }
        let cache = cache(&mut tx, caller.org_id).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let (from, to) = months(&query, firm.today)?;
        let key = format!("billed:{from}:{to}");
        let report = cache.get_or(&key, billed_of(&mut tx, firm, &query)).await?;
        tx.commit().await?;
        Ok(report)
    })
    .await
}
