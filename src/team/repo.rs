//! SQL of the firm's memberships (row-level security: the caller's firm only).

use uuid::Uuid;

use super::{Member, MemberStatus};
use crate::auth::Role;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

type Row = (
    Uuid,
    String,
    String,
    String,
    String,
    Option<chrono::DateTime<chrono::Utc>>,
    i32,
);

fn member(r: Row) -> Member {
    Member {
        user_id: r.0,
        name: r.1,
        email: r.2,
        role: Role::parse(&r.3).unwrap_or(Role::Staff),
        status: MemberStatus::parse(&r.4).unwrap_or(MemberStatus::Removed),
        last_sign_in: r
            .5
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        version: r.6,
    }
}

const COLUMNS: &str = "u.id, u.full_name, u.email, uo.role, uo.status, u.last_login_at, uo.version
    FROM user_organizations uo JOIN users u ON u.id = uo.user_id
   WHERE uo.organization_id = app_current_org()";

pub async fn members(tx: &mut Tx) -> Result<Vec<Member>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY uo.status, u.full_name, u.id"
    )))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(member).collect())
}

/// Lock the firm (membership changes of one firm take turns, so the last administrator cannot
/// be demoted by two people at once), then the member.
pub async fn lock(tx: &mut Tx, user: Uuid) -> Result<Member, AppError> {
    sqlx::query("SELECT 1 FROM organizations WHERE id = app_current_org() FOR UPDATE")
        .execute(&mut **tx)
        .await?;
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} AND uo.user_id = $1 FOR UPDATE OF uo"
    )))
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(member).ok_or(AppError::NotFound)
}

/// How many active administrators the firm has.
pub async fn admins(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.role = 'admin' AND uo.status = 'active'
            AND u.is_active",
    )
    .fetch_one(&mut **tx)
    .await?)
}

/// The database's refusals of a membership change, as the person should read them.
fn refused(e: sqlx::Error) -> AppError {
    if crate::server::db::violated_constraint(&e) == Some("firm_keeps_an_admin") {
        return AppError::Conflict(super::api::LAST_ADMIN.into());
    }
    if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42501") {
        return AppError::Forbidden;
    }
    e.into()
}

pub async fn set_role(tx: &mut Tx, user: Uuid, role: Role) -> Result<(), AppError> {
    sqlx::query("UPDATE user_organizations SET role = $2 WHERE organization_id = app_current_org() AND user_id = $1")
        .bind(user)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await
        .map_err(refused)?;
    Ok(())
}

pub async fn remove(tx: &mut Tx, user: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE user_organizations SET status = 'removed', removed_at = now()
          WHERE organization_id = app_current_org() AND user_id = $1",
    )
    .bind(user)
    .execute(&mut **tx)
    .await
    .map_err(refused)?;
    Ok(())
}

pub async fn name_of(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn email_of(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(conn)
        .await?)
}
