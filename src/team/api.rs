//! People server functions: administrators only. Each change locks the firm and the member,
//! refuses a page that showed an older version of the membership (409), and is one transaction
//! with its activity row.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Member, RoleForm};
use crate::error::AppError;

#[server(endpoint = "team/members")]
pub async fn list_members() -> Result<Vec<Member>, AppError> {
    crate::server::endpoint("team.members", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin_admin().await?;
        let members = super::repo::members(&mut tx).await?;
        tx.commit().await?;
        Ok(members)
    })
    .await
}

/// An administrator's change of a member: the member as locked, if the page showed them as
/// they are.
#[cfg(feature = "ssr")]
async fn begin_change(
    org: Uuid,
    user: Uuid,
    version: i32,
    typed: Vec<(String, String)>,
) -> Result<(crate::auth::caller::Caller, crate::server::db::Tx, Member), AppError> {
    let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, super::may_administer)
        .await
        .map_err(|e| e.keeping(typed.clone()))?;
    let member = super::repo::lock(&mut tx, user).await?;
    if member.version != version {
        return Err(AppError::Stale(
            crate::kernel::FieldErrors::default()
                .with_values(typed)
                .with_value("version", member.version.to_string()),
        ));
    }
    if member.status != super::MemberStatus::Active {
        return Err(AppError::Conflict(format!(
            "{} is no longer a member of this firm.",
            member.name
        )));
    }
    Ok((caller, tx, member))
}

#[cfg(feature = "ssr")]
pub(super) const LAST_ADMIN: &str =
    "The firm must keep at least one active administrator: make someone else an administrator first.";

#[server(endpoint = "team/set_role")]
pub async fn set_role(org: Uuid, user: Uuid, version: i32, form: RoleForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::auth::Role;
    use crate::kernel::{Choice, FieldErrors};
    crate::server::endpoint("team.set_role", async move {
        let typed = vec![("role".to_string(), form.role.clone()), ("user".to_string(), user.to_string())];
        let (caller, mut tx, member) = begin_change(org, user, version, typed.clone()).await?;
        let role = Role::parse(&form.role).ok_or_else(|| {
            AppError::Invalid(FieldErrors::one("role", "Choose a role.").with_values(typed.clone()))
        })?;
        if role == member.role {
            tx.commit().await?;
            return Ok(());
        }
        if member.role == Role::Admin && super::repo::admins(&mut tx).await? <= 1 {
            return Err(AppError::Conflict(LAST_ADMIN.into()));
        }
        super::repo::set_role(&mut tx, user, role).await?;
        let entry = Entry::new("member.role", "user", user)
            .summary(format!("{}: {} → {}", member.name, member.role.label(), role.label()))
            .changes(serde_json::json!({ "role": { "from": member.role.as_str(), "to": role.as_str() } }));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        tracing::info!(member = %user, from = member.role.as_str(), to = role.as_str(), "role changed");
        Ok(())
    })
    .await
}

/// Remove a member from this firm: their work stays theirs, their sessions here end.
#[server(endpoint = "team/remove")]
pub async fn remove_member(org: Uuid, user: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::auth::Role;
    crate::server::endpoint("team.remove", async move {
        let typed = vec![("user".to_string(), user.to_string())];
        let (caller, mut tx, member) = begin_change(org, user, version, typed).await?;
        if user == caller.user_id {
            return Err(AppError::Conflict(
                "You cannot remove yourself: ask another administrator.".into(),
            ));
        }
        if member.role == Role::Admin && super::repo::admins(&mut tx).await? <= 1 {
            return Err(AppError::Conflict(LAST_ADMIN.into()));
        }
        super::repo::remove(&mut tx, user).await?;
        let entry = Entry::new("member.remove", "user", user)
            .summary(format!("{} removed from the firm", member.name))
            .changes(serde_json::json!({ "status": { "from": "active", "to": "removed" } }));
        record(&mut tx, &caller, entry).await?;
        tx.commit().await?;
        tracing::info!(member = %user, "member removed");
        Ok(())
    })
    .await
}
