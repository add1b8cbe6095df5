//! SQL of invitations. Listing, inviting and revoking run in the administrator's firm (row-level
//! security); reading and accepting a link go through the SECURITY DEFINER functions of
//! migration 14, which check the link's secret.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{Invitation, InvitationView, LinkState};
use crate::auth::Role;
use crate::error::AppError;
use crate::kernel::{Choice, FieldErrors};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

type Row = (
    Uuid,
    String,
    String,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    bool,
    i32,
);

fn invitation(r: Row) -> Invitation {
    Invitation {
        id: r.0,
        email: r.1,
        role: Role::parse(&r.2).unwrap_or(Role::Staff),
        invited_by: r.3.unwrap_or_default(),
        sent: when(r.4),
        expires: when(r.5),
        expired: r.6,
        version: r.7,
    }
}

const COLUMNS: &str = "i.id, i.email, i.role, u.full_name, i.created_at, i.expires_at, i.expires_at <= now(), i.version
    FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
   WHERE i.organization_id = app_current_org() AND i.status = 'pending'";

/// The firm's open invitations (expired ones too, marked), newest first.
pub async fn pending(conn: &mut PgConnection) -> Result<Vec<Invitation>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY i.created_at DESC, i.id LIMIT 200"
    )))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(invitation).collect())
}

/// Lock one open invitation of the firm.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Invitation, AppError> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} AND i.id = $1 FOR UPDATE OF i"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(invitation).ok_or(AppError::NotFound)
}

/// The firm's name, with its row locked: invitations and membership changes of one firm take
/// turns.
pub async fn lock_firm(conn: &mut PgConnection) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar(
            "SELECT name FROM organizations WHERE id = app_current_org() FOR UPDATE",
        )
        .fetch_one(conn)
        .await?,
    )
}

pub async fn is_active_member(conn: &mut PgConnection, email: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_organizations uo JOIN users u ON u.id = uo.user_id
                         WHERE uo.organization_id = app_current_org() AND uo.status = 'active'
                           AND u.email = $1)",
    )
    .bind(email)
    .fetch_one(conn)
    .await?)
}

/// Revoke the open invitation of `email`, if any (inviting again replaces it).
pub async fn revoke_for(conn: &mut PgConnection, email: &str) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE invitations SET status = 'revoked', revoked_at = now()
          WHERE organization_id = app_current_org() AND email = $1 AND status = 'pending'",
    )
    .bind(email)
    .execute(conn)
    .await?
    .rows_affected())
}

pub async fn revoke(conn: &mut PgConnection, id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invitations SET status = 'revoked', revoked_at = now()
          WHERE organization_id = app_current_org() AND id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert(
    conn: &mut PgConnection,
    email: &str,
    role: Role,
    token_hash: &[u8],
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "INSERT INTO invitations (organization_id, email, role, token_hash, invited_by, expires_at)
         VALUES (app_current_org(), $1, $2, $3, app_current_user(), now() + interval '{} days')
         RETURNING id",
        super::VALID_DAYS
    )))
    .bind(email)
    .bind(role.as_str())
    .bind(token_hash)
    .fetch_one(conn)
    .await?)
}

/// What the link shows (`None`: no invitation has this secret).
pub async fn by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<InvitationView>, AppError> {
    type LinkRow = (
        String,
        String,
        String,
        String,
        chrono::DateTime<chrono::Utc>,
        Option<String>,
        bool,
    );
    let row: Option<LinkRow> = sqlx::query_as(
        "SELECT firm_name, email, role, status, expires_at, invited_by_name, has_account
           FROM auth_invitation($1)",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(firm_name, email, role, status, expires, by, has_account)| {
            let state = match status.as_str() {
                "accepted" => LinkState::Used,
                "revoked" => LinkState::Unknown,
                _ if expires <= chrono::Utc::now() => LinkState::Expired,
                _ => LinkState::Open,
            };
            InvitationView {
                state,
                firm_name,
                email,
                role: Role::parse(&role).unwrap_or(Role::Staff),
                invited_by: by.unwrap_or_default(),
                has_account,
                signed_in_as: None,
            }
        },
    ))
}

/// How a new account is made, when the invitation makes one.
pub enum NewAccount<'a> {
    /// Signed in already as this user.
    Existing(Uuid),
    /// A name and a password hash, from the invitation's page.
    Password { full_name: &'a str, hash: &'a str },
    /// An identity provider verified this e-mail.
    Verified { full_name: &'a str, email: &'a str },
}

/// Accept the invitation with this secret: the user and the firm they joined.
pub async fn accept(
    conn: &mut PgConnection,
    token_hash: &[u8],
    who: NewAccount<'_>,
) -> Result<(Uuid, Uuid), AppError> {
    let (user, name, hash, verified) = match who {
        NewAccount::Existing(u) => (Some(u), None, None, None),
        NewAccount::Password { full_name, hash } => (None, Some(full_name), Some(hash), None),
        NewAccount::Verified { full_name, email } => (None, Some(full_name), None, Some(email)),
    };
    sqlx::query_as(
        "SELECT user_id, organization_id FROM auth_accept_invitation($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(name)
    .bind(hash)
    .bind(verified)
    .fetch_one(conn)
    .await
    .map_err(refused)
}

/// The database's refusals of an acceptance, as the person should read them.
fn refused(e: sqlx::Error) -> AppError {
    let message = match crate::server::db::violated_constraint(&e) {
        Some("invitation_unknown") => LinkState::Unknown.label(),
        Some("invitation_used") => LinkState::Used.label(),
        Some("invitation_expired") => LinkState::Expired.label(),
        Some("invitation_other_person") => {
            "This invitation is for another e-mail address: sign in as the address it was sent to."
        }
        Some("invitation_needs_sign_in") => {
            "This e-mail address already has a Docket account: sign in to accept the invitation."
        }
        Some("invitation_needs_password") => {
            return AppError::Invalid(FieldErrors::one("password", "Choose a password."))
        }
        _ => return e.into(),
    };
    AppError::Conflict(message.into())
}
