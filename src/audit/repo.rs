//! Writing and reading the activity log.

use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::{ActivityEntry, ActivityQuery, ChangeLine, ACTIONS};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{parse_date, Page};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};
use crate::server::request::RequestMeta;

/// What happened, to which resource, and which fields changed.
pub struct Entry {
    pub action: &'static str,
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    pub summary: String,
    pub changes: Value,
    /// The matter the entry is about, when the database cannot tell from the resource (it was
    /// deleted in the same transaction): its history is walled with the matter.
    pub matter_id: Option<Uuid>,
}

impl Entry {
    pub fn new(action: &'static str, resource_type: &'static str, resource_id: Uuid) -> Self {
        Entry {
            action,
            resource_type,
            resource_id,
            summary: String::new(),
            changes: json!({}),
            matter_id: None,
        }
    }
    pub fn on_matter(mut self, matter: Option<Uuid>) -> Self {
        self.matter_id = matter;
        self
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
        "INSERT INTO activity_logs (organization_id, user_id, actor_name, action, resource_type, resource_id, summary,
                                    changes, ip_address, user_agent, matter_id)
         VALUES ($1, $2, coalesce((SELECT full_name FROM users WHERE id = $2), ''), $3, $4, $5, $6, $7, $8::inet, $9, $10)",
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
    .bind(entry.matter_id)
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

/// Give the id fields among `changes` (`client_id`, `responsible_attorney_id`, …) the names of
/// what they point at, as `from_label`/`to_label` beside the ids, so the history reads "Priya
/// Raman → Sam Ortiz" and still records exactly which rows were meant.
pub async fn name_references(
    tx: &mut Tx,
    changes: &mut Value,
    fields: &[&str],
) -> Result<(), AppError> {
    let Value::Object(map) = changes else {
        return Ok(());
    };
    let ids: Vec<Uuid> = fields
        .iter()
        .filter_map(|f| map.get(*f))
        .flat_map(|c| [&c["from"], &c["to"]])
        .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let names: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, full_name FROM users WHERE id = ANY($1)
         UNION ALL SELECT id, name FROM clients WHERE id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    let name = |v: &Value| {
        v.as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .and_then(|id| names.iter().find(|(i, _)| *i == id))
            .map(|(_, n)| Value::String(n.clone()))
    };
    for field in fields {
        if let Some(Value::Object(c)) = map.get_mut(*field) {
            for (side, label) in [("from", "from_label"), ("to", "to_label")] {
                if let Some(n) = c.get(side).and_then(name) {
                    c.insert(label.into(), n);
                }
            }
        }
    }
    Ok(())
}

/// One changed field as shown: its name, and the names of referenced rows where recorded.
pub(super) fn change_lines(changes: Value) -> Vec<ChangeLine> {
    let Value::Object(m) = changes else {
        return vec![];
    };
    m.into_iter()
        .map(|(field, c)| {
            let labelled = c.get("from_label").is_some() || c.get("to_label").is_some();
            let side = |value: &str, label: &str| match c.get(label) {
                Some(l) => show(l),
                None => show(&c[value]),
            };
            let field = if labelled {
                field.strip_suffix("_id").unwrap_or(&field).to_string()
            } else {
                field
            };
            ChangeLine {
                field: field.replace('_', " "),
                from: side("from", "from_label"),
                to: side("to", "to_label"),
            }
        })
        .collect()
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    at: String,
    actor_name: String,
    action: String,
    resource_type: String,
    resource_id: Option<Uuid>,
    summary: String,
    changes: Value,
    ip: Option<String>,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(Row);

const COLUMNS: &str = "a.id,
    to_char(a.created_at AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI') || ' ' || o.timezone AS at,
    a.actor_name, a.action, a.resource_type, a.resource_id, a.summary, a.changes, host(a.ip_address) AS ip,
    a.created_at::text AS sort_key";
const FROM: &str = "FROM activity_logs a JOIN organizations o ON o.id = a.organization_id";

/// Newest first; ties in time by id.
const NEWEST_FIRST: Sort = Sort {
    expr: "a.created_at",
    cast: "timestamptz",
    desc: true,
};

fn entry(row: Row, with_ip: bool) -> ActivityEntry {
    ActivityEntry {
        id: row.id,
        at: row.at,
        user_name: row.actor_name,
        action: row.action,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        summary: row.summary,
        changes: change_lines(row.changes),
        ip_address: row.ip.filter(|_| with_ip),
    }
}

/// A resource's history, newest first, timestamps in the firm's time zone.
pub async fn list(
    tx: &mut Tx,
    resource_type: &str,
    resource_id: Uuid,
    limit: u32,
    with_ip: bool,
) -> Result<Vec<ActivityEntry>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, 0::bigint AS total_capped {FROM} WHERE a.resource_type = $1 AND a.resource_id = $2
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT {limit}"
    )))
    .bind(resource_type)
    .bind(resource_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| entry(r, with_ip)).collect())
}

/// One page of the firm's activity, newest first, filtered (keyset pages: a deep page costs
/// what the first does).
pub async fn firm_page(
    tx: &mut Tx,
    q: &ActivityQuery,
    per_page: u32,
) -> Result<Page<ActivityEntry>, AppError> {
    let filters = |b: &mut QueryBuilder<Postgres>| push_filters(b, q);
    let list = List {
        columns: COLUMNS,
        from: FROM,
        count_from: FROM,
        filters: &filters,
        id_col: "a.id",
        sort: NEWEST_FIRST,
        persistent: true,
    };
    let page: Page<Row> = keyset_page(tx, &list, &q.paging, per_page).await?;
    Ok(page.map(|r| entry(r, true)))
}

fn push_filters(b: &mut QueryBuilder<Postgres>, q: &ActivityQuery) {
    b.push(" WHERE true");
    if let Ok(person) = Uuid::parse_str(q.person.trim()) {
        b.push(" AND a.user_id = ").push_bind(person);
    }
    if let Some((action, _)) = ACTIONS.iter().find(|(a, _)| *a == q.action) {
        if action.ends_with('.') {
            b.push(" AND a.action LIKE ")
                .push_bind(format!("{action}%"));
        } else {
            b.push(" AND a.action = ").push_bind(*action);
        }
    }
    if matches!(q.resource.as_str(), "client" | "matter" | "user") {
        b.push(" AND a.resource_type = ")
            .push_bind(q.resource.clone());
    }
    if let Ok(from) = parse_date(&q.from) {
        b.push(" AND a.created_at >= (")
            .push_bind(from)
            .push("::timestamp AT TIME ZONE o.timezone)");
    }
    if let Ok(to) = parse_date(&q.to) {
        b.push(" AND a.created_at < ((")
            .push_bind(to)
            .push(" + 1)::timestamp AT TIME ZONE o.timezone)");
    }
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
