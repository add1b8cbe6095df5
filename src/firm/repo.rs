//! SQL for the firm's settings: the row of the caller's firm (`app_current_org()`).

use rust_decimal::Decimal;

use super::FirmSettings;
use crate::error::AppError;
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    logo_text: String,
    address: String,
    timezone: String,
    currency: String,
    billing_increment_minutes: i32,
    invoice_prefix: String,
    invoice_number_year: bool,
    invoice_number_digits: i32,
    payment_terms_days: i32,
    tax_rate: Decimal,
    tax_label: String,
    default_hourly_rate: Option<Decimal>,
    staff_see_trust: bool,
    mail_from: Option<String>,
    overdue_reminders: bool,
    version: i32,
    year: i32,
}

/// The settings, their version and the firm's current year; `lock` for a change.
pub async fn get(tx: &mut Tx, lock: bool) -> Result<(FirmSettings, i32, i32), AppError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let r: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name, logo_text, address, timezone, currency::text AS currency, billing_increment_minutes, invoice_prefix,
                invoice_number_year, invoice_number_digits, payment_terms_days, tax_rate, tax_label,
                default_hourly_rate, staff_see_trust, mail_from, overdue_reminders_by IS NOT NULL AS overdue_reminders, version, extract(year FROM now() AT TIME ZONE timezone)::int AS year
           FROM organizations WHERE id = app_current_org(){lock}"
    )))
    .fetch_one(&mut **tx)
    .await?;
    let n = |v: i32| u32::try_from(v).unwrap_or(0);
    Ok((
        FirmSettings {
            name: r.name,
            logo_text: r.logo_text,
            address: r.address,
            timezone: r.timezone,
            currency: r.currency,
            billing_increment_minutes: n(r.billing_increment_minutes),
            invoice_prefix: r.invoice_prefix,
            invoice_number_year: r.invoice_number_year,
            invoice_number_digits: n(r.invoice_number_digits),
            payment_terms_days: n(r.payment_terms_days),
            tax_rate: r.tax_rate.normalize(),
            tax_label: r.tax_label,
            default_hourly_rate: r.default_hourly_rate.map(|d| d.normalize()),
            staff_see_trust: r.staff_see_trust,
            mail_from: r.mail_from.unwrap_or_default(),
            overdue_reminders: r.overdue_reminders,
        },
        r.version,
        r.year,
    ))
}

/// Hold the firm's settings as they are until this transaction ends (a write that depends on
/// them, such as an amount in the firm's currency): a concurrent settings change waits.
pub async fn hold(tx: &mut Tx) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM organizations WHERE id = app_current_org() FOR SHARE")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn known_timezone(tx: &mut Tx, tz: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(tz)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Whether the firm has any amount in its currency (its currency is then fixed): time,
/// expenses, invoices, or a rate.
pub async fn has_amounts(tx: &mut Tx) -> Result<bool, AppError> {
    // Amounts on matters walled off from the caller count too (migration 16).
    Ok(sqlx::query_scalar("SELECT app_firm_has_amounts()")
        .fetch_one(&mut **tx)
        .await?)
}

pub async fn update(tx: &mut Tx, s: &FirmSettings) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE organizations SET name = $1, address = $2, timezone = $3, currency = $4,
                billing_increment_minutes = $5, invoice_prefix = $6, invoice_number_year = $7,
                invoice_number_digits = $8, payment_terms_days = $9, tax_rate = $10, tax_label = $11,
                default_hourly_rate = $12, logo_text = $13, staff_see_trust = $14,
                mail_from = nullif($15, ''),
                -- Reminders run as whoever last saved them on (an administrator, now).
                overdue_reminders_by = CASE WHEN $16 THEN app_current_user() END
          WHERE id = app_current_org()",
    )
    .bind(&s.name)
    .bind(&s.address)
    .bind(&s.timezone)
    .bind(&s.currency)
    .bind(s.billing_increment_minutes as i32)
    .bind(&s.invoice_prefix)
    .bind(s.invoice_number_year)
    .bind(s.invoice_number_digits as i32)
    .bind(s.payment_terms_days as i32)
    .bind(s.tax_rate)
    .bind(&s.tax_label)
    .bind(s.default_hourly_rate)
    .bind(&s.logo_text)
    .bind(s.staff_see_trust)
    .bind(&s.mail_from)
    .bind(s.overdue_reminders)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn members(tx: &mut Tx) -> Result<Vec<super::MemberRate>, AppError> {
    let rows: Vec<(uuid::Uuid, String, String, Option<Decimal>)> = sqlx::query_as(
        "SELECT u.id, u.full_name, uo.role, uo.hourly_rate
           FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.status = 'active' ORDER BY u.full_name, u.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, role, rate)| super::MemberRate {
            user_id,
            name,
            role,
            rate: rate.map(|r| r.normalize()),
        })
        .collect())
}

/// A member's rate, locked for a change; `None` if they are not a member of this firm.
pub async fn lock_member(
    tx: &mut Tx,
    user: uuid::Uuid,
) -> Result<Option<(String, Option<Decimal>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT u.full_name, uo.hourly_rate FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.user_id = $1 AND uo.status = 'active'
          FOR UPDATE OF uo",
    )
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn set_member_rate(
    tx: &mut Tx,
    user: uuid::Uuid,
    rate: Option<Decimal>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE user_organizations SET hourly_rate = $2 WHERE organization_id = app_current_org() AND user_id = $1")
        .bind(user)
        .bind(rate)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
