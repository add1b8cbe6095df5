//! SQL of second factors: through the database's functions only (migration 15).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppError;

/// Whether the user has a confirmed authenticator.
pub async fn enrolled(db: &PgPool, user: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT confirmed FROM auth_totp_state($1)")
            .bind(user)
            .fetch_optional(db)
            .await?
            .unwrap_or(false),
    )
}

/// Whether the user has an authenticator, and whether it is confirmed (the secret itself never
/// leaves the database: migration 19).
pub async fn state(conn: &mut PgConnection, user: Uuid) -> Result<Option<bool>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT confirmed FROM auth_totp_state($1)")
            .bind(user)
            .fetch_optional(conn)
            .await?,
    )
}

/// Check a typed code (6 digits, or a recovery code) and spend it. `Some("totp" | "recovery")`
/// when it was right and unused.
pub async fn spend(
    conn: &mut PgConnection,
    user: Uuid,
    typed: &str,
    now: i64,
) -> Result<Option<&'static str>, AppError> {
    use super::totp;
    if totp::looks_like_recovery(typed) {
        let ok: bool = sqlx::query_scalar("SELECT auth_recovery_use($1, $2)")
            .bind(user)
            .bind(totp::recovery_digest(user, typed))
            .fetch_one(conn)
            .await?;
        return Ok(ok.then_some("recovery"));
    }
    if !could_be_code(typed) {
        return Ok(None);
    }
    // The database checks the code against the secret it keeps.
    let ok: bool = sqlx::query_scalar("SELECT auth_totp_spend($1, $2, $3)")
        .bind(user)
        .bind(typed)
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(ok.then_some("totp"))
}

pub async fn begin(conn: &mut PgConnection, secret: &[u8]) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT auth_totp_begin($1)")
        .bind(secret)
        .fetch_one(conn)
        .await?)
}

/// Confirm the signed-in user's new authenticator with a code typed now, storing the digests of
/// their new recovery codes: `"ok"`, `"wrong"` (not its code) or `"none"` (no setup waiting).
pub async fn confirm(
    conn: &mut PgConnection,
    typed: &str,
    now: i64,
    codes: &[Vec<u8>],
) -> Result<String, AppError> {
    if !could_be_code(typed) {
        return Ok("wrong".into());
    }
    Ok(sqlx::query_scalar("SELECT auth_totp_confirm($1, $2, $3)")
        .bind(typed)
        .bind(now)
        .bind(codes)
        .fetch_one(conn)
        .await?)
}

pub async fn disable(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("SELECT auth_totp_disable()")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn recovery_left(conn: &mut PgConnection) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar("SELECT auth_recovery_left()")
        .fetch_one(conn)
        .await?)
}

/// The signed-in user's e-mail (the account name in the authenticator app).
pub async fn own_email(conn: &mut PgConnection) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT email FROM users WHERE id = app_current_user()")
            .fetch_one(conn)
            .await?,
    )
}

pub async fn has_password(conn: &mut PgConnection, email: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT password_hash IS NOT NULL FROM auth_find_user($1)")
            .bind(email)
            .fetch_optional(conn)
            .await?
            .unwrap_or(false),
    )
}

/// Whether what was typed could be an authenticator's code at all (digits and spaces, short):
/// anything else is wrong without asking the database (which refuses some text outright).
fn could_be_code(typed: &str) -> bool {
    typed.len() <= 16 && typed.chars().all(|c| c.is_ascii_digit() || c == ' ')
}
