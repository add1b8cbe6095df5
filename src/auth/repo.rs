//! SQL for identity and membership.

use sqlx::PgPool;
use uuid::Uuid;

use super::{OrgChoice, Person, Role, SessionInfo};
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::{Tx, MEMBER_ROLE};

fn role(s: &str) -> Role {
    Role::parse(s).unwrap_or(Role::Staff)
}

pub struct Credentials {
    pub id: Uuid,
    pub password_hash: Option<String>,
    pub is_active: bool,
}

pub async fn find_credentials(pool: &PgPool, email: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<(Uuid, Option<String>, bool)> =
        sqlx::query_as("SELECT id, password_hash, is_active FROM auth_find_user($1)")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, password_hash, is_active)| Credentials {
        id,
        password_hash,
        is_active,
    }))
}

pub async fn membership_role(
    tx: &mut Tx,
    user_id: Uuid,
    org_id: Uuid,
) -> Result<Option<Role>, AppError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT uo.role FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.user_id = $1 AND uo.organization_id = $2 AND uo.status = 'active' AND u.is_active",
    )
    .bind(user_id)
    .bind(org_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(r,)| role(&r)))
}

/// The firm a user lands in after sign-in: their default, else the first they joined.
pub async fn default_org(tx: &mut Tx, user_id: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT organization_id FROM user_organizations WHERE user_id = $1 AND status = 'active'
          ORDER BY is_default DESC, created_at, organization_id LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn touch_last_login(tx: &mut Tx, user_id: Uuid) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET last_login_at = now() WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the transaction's firm requires two factors at sign-in.
pub async fn requires_two_factors(tx: &mut Tx) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT require_two_factor FROM organizations WHERE id = app_current_org()",
    )
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or(false))
}

/// Scope the rest of the transaction to `org_id` (after the caller's membership was checked).
pub async fn enter_org(tx: &mut Tx, org_id: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT set_config('app.org_id', $1, true)")
        .bind(org_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(serde::Deserialize)]
struct FirmJson {
    id: Uuid,
    name: String,
    role: String,
}

/// The signed-in user, the transaction's firm, the caller's role there and the firms they may
/// switch to, in one statement. `None` when the user is not an active member of the firm (the
/// membership check of a page view).
pub async fn session_info(conn: &mut sqlx::PgConnection) -> Result<Option<SessionInfo>, AppError> {
    type Row = (
        Uuid,
        String,
        String,
        Uuid,
        String,
        String,
        Option<String>,
        sqlx::types::Json<Vec<FirmJson>>,
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.full_name, u.email, o.id, o.name, o.currency, {MEMBER_ROLE},
                coalesce((SELECT json_agg(json_build_object('id', f.id, 'name', f.name, 'role', m.role)
                                          ORDER BY f.name, f.id)
                            FROM user_organizations m JOIN organizations f ON f.id = m.organization_id
                           WHERE m.user_id = u.id AND m.status = 'active'), '[]'::json)
           FROM users u JOIN organizations o ON o.id = app_current_org()
          WHERE u.id = app_current_user()"
    )))
    .fetch_optional(conn)
    .await?;
    let Some((user_id, user_name, email, org_id, org_name, currency, Some(role_now), orgs)) = row
    else {
        return Ok(None);
    };
    let orgs = orgs
        .0
        .into_iter()
        .map(|f| OrgChoice {
            id: f.id,
            name: f.name,
            role: role(&f.role),
        })
        .collect();
    Ok(Some(SessionInfo {
        user_id,
        user_name,
        email,
        org_id,
        org_name,
        currency,
        role: role(&role_now),
        orgs,
    }))
}

pub async fn people(tx: &mut Tx) -> Result<Vec<Person>, AppError> {
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT u.id, u.full_name, uo.role FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.status = 'active' AND u.is_active
          ORDER BY u.full_name",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, r)| Person {
            id,
            name,
            role: role(&r),
        })
        .collect())
}

/// The account a Supabase identity signs in as: the one linked to it, else the one of its
/// verified e-mail, which is linked to it now (migration 18). `Err(())` inside: that account is
/// linked to another Supabase identity.
pub async fn supabase_user(
    pool: &PgPool,
    sub: &str,
    email: &str,
) -> Result<Option<Result<(Uuid, bool), ()>>, AppError> {
    let row: Option<(Uuid, bool, bool)> =
        sqlx::query_as("SELECT id, is_active, linked FROM auth_supabase_user($1, $2)")
            .bind(sub)
            .bind(email)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, active, linked)| if linked { Ok((id, active)) } else { Err(()) }))
}
