//! Writing and reading the activity log.

use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{ActivityEntry, ChangeLine};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::server::db::Tx;
use crate::server::request::RequestMeta;

/// What happened, to which resource, and which fields changed.
pub struct Entry {
    pub action: &'static str,
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    pub summary: String,
    pub changes: Value,
}

impl Entry {
    pub fn new(action: &'static str, resource_type: &'static str, resource_id: Uuid) -> Self {
        Entry {
            action,
            resource_type,
            resource_id,
            summary: String::new(),
            changes: json!({}),
        }
    }
    pub fn summary(mut self, s: impl Into<String>) -> Self {
        self.summary = s.into();
        self
    }
    pub fn changes(mut self, c: Value) -> Self {
        self.changes = c;
        self
    }
}

/// Record an entry for the calling user, in the caller's transaction.
pub async fn record(tx: &mut Tx, caller: &Caller, entry: Entry) -> Result<(), AppError> {
    record_as(tx, caller.user_id, caller.org_id, &caller.meta, entry).await
}

pub async fn record_as(
    tx: &mut Tx,
    user_id: Uuid,
    org_id: Uuid,
    meta: &RequestMeta,
    entry: Entry,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO activity_logs (organization_id, user_id, action, resource_type, resource_id, summary, changes, ip_address, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::inet, $9)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(entry.action)
    .bind(entry.resource_type)
    .bind(entry.resource_id)
    .bind(&entry.summary)
    .bind(&entry.changes)
    .bind(meta.ip.map(|ip| ip.to_string()))
    .bind(meta.user_agent.as_deref())
    .execute(&mut **tx)
    .await?;
    tracing::info!(%user_id, %org_id, action = entry.action, resource_id = %entry.resource_id, "mutation");
    Ok(())
}

fn as_object(v: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// `{field: {"from": old, "to": new}}` for every field whose value differs.
pub fn changes_between(before: &impl Serialize, after: &impl Serialize) -> Value {
    let (before, after) = (as_object(before), as_object(after));
    let mut out = Map::new();
    for (k, new) in &after {
        let old = before.get(k).cloned().unwrap_or(Value::Null);
        if &old != new {
            out.insert(k.clone(), json!({ "from": old, "to": new }));
        }
    }
    Value::Object(out)
}

/// Every field of a removed record, as changes to nothing.
pub fn changes_of_removed(before: &impl Serialize) -> Value {
    let nulls: Map<String, Value> = as_object(before)
        .keys()
        .map(|k| (k.clone(), Value::Null))
        .collect();
    changes_between(before, &Value::Object(nulls))
}

/// Every field of a new record, as changes from nothing.
pub fn changes_of_new(after: &impl Serialize) -> Value {
    changes_between(&json!({}), after)
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A resource's history, newest first, timestamps in the firm's time zone.
pub async fn list(
    tx: &mut Tx,
    resource_type: &str,
    resource_id: Uuid,
    limit: i64,
) -> Result<Vec<ActivityEntry>, AppError> {
    let rows: Vec<(Uuid, String, Option<String>, String, String, Value, Option<String>)> = sqlx::query_as(
        "SELECT a.id,
                to_char(a.created_at AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI') || ' ' || o.timezone,
                u.full_name, a.action, a.summary, a.changes, host(a.ip_address)
           FROM activity_logs a
           JOIN organizations o ON o.id = a.organization_id
           LEFT JOIN users u ON u.id = a.user_id
          WHERE a.resource_type = $1 AND a.resource_id = $2
          ORDER BY a.created_at DESC, a.id
          LIMIT $3",
    )
    .bind(resource_type)
    .bind(resource_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, user_name, action, summary, changes, ip_address)| {
                let changes = match changes {
                    Value::Object(m) => m
                        .into_iter()
                        .map(|(field, c)| ChangeLine {
                            field: field.replace('_', " "),
                            from: show(&c["from"]),
                            to: show(&c["to"]),
                        })
                        .collect(),
                    _ => vec![],
                };
                ActivityEntry {
                    id,
                    at,
                    user_name,
                    action,
                    summary,
                    changes,
                    ip_address,
                }
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_only_changed_fields() {
        let before = json!({"name": "Acme", "status": "active", "notes": ""});
        let after = json!({"name": "Acme", "status": "inactive", "notes": ""});
        assert_eq!(
            changes_between(&before, &after),
            json!({"status": {"from": "active", "to": "inactive"}})
        );
        assert_eq!(
            changes_of_new(&json!({"a": 1})),
            json!({"a": {"from": null, "to": 1}})
        );
    }
}
