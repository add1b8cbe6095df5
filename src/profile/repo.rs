//! SQL of one's own account: the user row is the caller's (`app_current_user()`); the password
//! is written by the database's own function, never by an UPDATE the application could aim
//! elsewhere.

use sqlx::PgConnection;

use crate::error::AppError;

/// Name, e-mail and whether a password is set.
pub async fn me(conn: &mut PgConnection) -> Result<(String, String, bool), AppError> {
    let (name, email): (String, String) =
        sqlx::query_as("SELECT full_name, email FROM users WHERE id = app_current_user()")
            .fetch_one(&mut *conn)
            .await?;
    let has_password: bool =
        sqlx::query_scalar("SELECT password_hash IS NOT NULL FROM auth_find_user($1)")
            .bind(&email)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(false);
    Ok((name, email, has_password))
}

pub async fn set_name(conn: &mut PgConnection, name: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET full_name = $1 WHERE id = app_current_user()")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password(conn: &mut PgConnection, hash: &str) -> Result<(), AppError> {
    sqlx::query("SELECT auth_set_own_password($1)")
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}
