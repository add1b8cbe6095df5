//! SQL for matter access. Row-level security hides a restricted matter from anyone not named,
//! so every statement here finds only matters the caller can see.

use uuid::Uuid;

use crate::auth::Person;
use crate::error::AppError;
use crate::server::db::Tx;

/// A matter as its access form needs it, locked for the rest of the transaction.
pub struct Locked {
    pub restricted: bool,
    pub version: i32,
    pub title: String,
    pub client: Uuid,
}

/// The matter, locked for the rest of the transaction (`NotFound` if the caller cannot see it).
pub async fn lock(tx: &mut Tx, matter: Uuid) -> Result<Locked, AppError> {
    sqlx::query("SELECT 1 FROM matters WHERE id = $1 FOR UPDATE")
        .bind(matter)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    // Read again in a statement of its own: one that waited for the lock saw the walls as they
    // were when it started, and a wall that went up meanwhile must hide the matter now.
    let row: Option<(bool, i32, String, Uuid)> =
        sqlx::query_as("SELECT restricted, version, title, client_id FROM matters WHERE id = $1")
            .bind(matter)
            .fetch_optional(&mut **tx)
            .await?;
    let (restricted, version, title, client) = row.ok_or(AppError::NotFound)?;
    Ok(Locked {
        restricted,
        version,
        title,
        client,
    })
}

/// The client-wide invoices (not void) that carry work of the matter, by number.
pub async fn on_client_invoices(tx: &mut Tx, matter: Uuid) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT app_matter_on_client_invoices($1)")
            .bind(matter)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// The matter's restriction and version (`NotFound` for a matter the caller cannot see).
pub async fn state(tx: &mut Tx, matter: Uuid) -> Result<(bool, i32), AppError> {
    sqlx::query_as("SELECT restricted, version FROM matters WHERE id = $1")
        .bind(matter)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// The members named on the matter, by name (a removed member is still named, and shown).
pub async fn named(tx: &mut Tx, matter: Uuid) -> Result<Vec<Person>, AppError> {
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT a.user_id, coalesce(u.full_name, 'A former member'), coalesce(uo.role, 'staff')
           FROM matter_access a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN user_organizations uo ON uo.organization_id = a.organization_id AND uo.user_id = a.user_id
          WHERE a.matter_id = $1
          ORDER BY 2",
    )
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| Person {
            id,
            name,
            role: <crate::auth::Role as crate::kernel::Choice>::parse(&role)
                .unwrap_or(crate::auth::Role::Staff),
        })
        .collect())
}

/// The people left out of `named` who have a timer running on the matter.
pub async fn timers_outside(
    tx: &mut Tx,
    matter: Uuid,
    named: &[Uuid],
) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT app_matter_timers_outside($1, $2)")
            .bind(matter)
            .bind(named)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// Restrict the matter to exactly `named` (who include the caller). The names go in first: the
/// matter, once restricted, is seen only through them.
pub async fn restrict(tx: &mut Tx, matter: Uuid, named: &[Uuid], by: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO matter_access (organization_id, matter_id, user_id, added_by)
         SELECT app_current_org(), $1, u, $3 FROM unnest($2::uuid[]) AS u
         ON CONFLICT (matter_id, user_id) DO NOTHING",
    )
    .bind(matter)
    .bind(named)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM matter_access WHERE matter_id = $1 AND NOT (user_id = ANY ($2))")
        .bind(matter)
        .bind(named)
        .execute(&mut **tx)
        .await?;
    // Also when it was restricted already: the version moves with every change of access.
    sqlx::query("UPDATE matters SET restricted = true WHERE id = $1")
        .bind(matter)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Open the matter to the whole firm again.
pub async fn open(tx: &mut Tx, matter: Uuid) -> Result<(), AppError> {
    sqlx::query("UPDATE matters SET restricted = false WHERE id = $1")
        .bind(matter)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM matter_access WHERE matter_id = $1")
        .bind(matter)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The restricted matters of the firm the caller is not named on: what their cached figures
/// were computed without.
pub async fn hidden(tx: &mut Tx) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar("SELECT app_hidden_matters()")
        .fetch_one(&mut **tx)
        .await?)
}
