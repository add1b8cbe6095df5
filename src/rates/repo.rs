//! Rate queries. Every statement runs in the caller's firm-scoped transaction; row-level
//! security hides other firms' matters, clients and people.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::PersonRate;
use crate::error::AppError;
use crate::server::db::Tx;

pub async fn matter_rates(tx: &mut Tx, matter: Uuid) -> Result<Vec<PersonRate>, AppError> {
    let rows: Vec<(Uuid, String, Decimal)> = sqlx::query_as(
        "SELECT r.user_id, u.full_name, r.hourly_rate FROM matter_rates r JOIN users u ON u.id = r.user_id
          WHERE r.matter_id = $1 ORDER BY u.full_name, r.user_id",
    )
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, rate)| PersonRate {
            user_id,
            name,
            rate,
        })
        .collect())
}

/// Lock the matter (every change to its rates takes this lock first, so two administrators'
/// saves are one after the other) and read its title and the person's name and current rate on it.
pub async fn lock_matter_rate(
    tx: &mut Tx,
    matter: Uuid,
    user: Uuid,
) -> Result<(String, String, Option<Decimal>), AppError> {
    // A rate is written in the firm's currency: a change of currency waits for this.
    crate::firm::repo::hold(tx).await?;
    let title: String =
        sqlx::query_scalar("SELECT title FROM matters WHERE id = $1 FOR NO KEY UPDATE")
            .bind(matter)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let (name, rate): (String, Option<Decimal>) = sqlx::query_as(
        "SELECT u.full_name, r.hourly_rate FROM user_organizations uo JOIN users u ON u.id = uo.user_id
           LEFT JOIN matter_rates r ON r.organization_id = uo.organization_id AND r.matter_id = $1 AND r.user_id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.user_id = $2 AND uo.status = 'active'",
    )
    .bind(matter)
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((title, name, rate))
}

pub async fn set_matter_rate(
    tx: &mut Tx,
    matter: Uuid,
    user: Uuid,
    rate: Option<Decimal>,
) -> Result<(), AppError> {
    match rate {
        Some(rate) => sqlx::query(
            "INSERT INTO matter_rates (organization_id, matter_id, user_id, hourly_rate)
             VALUES (app_current_org(), $1, $2, $3)
             ON CONFLICT (organization_id, matter_id, user_id) DO UPDATE SET hourly_rate = EXCLUDED.hourly_rate",
        )
        .bind(matter)
        .bind(user)
        .bind(rate),
        None => sqlx::query("DELETE FROM matter_rates WHERE matter_id = $1 AND user_id = $2")
            .bind(matter)
            .bind(user),
    }
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The client's name and rate, locked for a change of the rate.
pub async fn client_rate(
    tx: &mut Tx,
    client: Uuid,
    lock: bool,
) -> Result<(String, Option<Decimal>), AppError> {
    if lock {
        // A rate is written in the firm's currency: a change of currency waits for this.
        crate::firm::repo::hold(tx).await?;
    }
    let sql = if lock {
        "SELECT name, hourly_rate FROM clients WHERE id = $1 FOR NO KEY UPDATE"
    } else {
        "SELECT name, hourly_rate FROM clients WHERE id = $1"
    };
    sqlx::query_as(sql)
        .bind(client)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn set_client_rate(
    tx: &mut Tx,
    client: Uuid,
    rate: Option<Decimal>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE clients SET hourly_rate = $2 WHERE id = $1")
        .bind(client)
        .bind(rate)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
