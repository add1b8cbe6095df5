//! SQL for clients and contacts. Row-level security limits every statement to the caller's firm.

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::{
    Client, ClientQuery, ClientRow, ClientStatus, ClientType, Contact, ContactType, ValidClient,
    ValidContact,
};
use crate::error::AppError;
use crate::kernel::{prefix_tsquery, Choice, Page, PAGE_SIZE};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};

fn status(s: &str) -> ClientStatus {
    ClientStatus::parse(s).unwrap_or(ClientStatus::Active)
}
fn kind(s: &str) -> ClientType {
    ClientType::parse(s).unwrap_or(ClientType::Person)
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    name: String,
    client_type: String,
    status: String,
    email: Option<String>,
    phone: Option<String>,
    open_matters: i64,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(ListRow);

impl From<ListRow> for ClientRow {
    fn from(r: ListRow) -> Self {
        ClientRow {
            id: r.id,
            name: r.name,
            client_type: kind(&r.client_type),
            status: status(&r.status),
            email: r.email,
            phone: r.phone,
            open_matters: r.open_matters,
        }
    }
}

fn push_filters(b: &mut QueryBuilder<Postgres>, q: &ClientQuery) {
    b.push(" WHERE true");
    let search = prefix_tsquery(&q.q);
    if !search.is_empty() {
        b.push(" AND c.search @@ to_tsquery('simple', ")
            .push_bind(search)
            .push(")");
    }
    if let Some(s) = ClientStatus::parse(&q.status) {
        b.push(" AND c.status = ").push_bind(s.as_str());
    }
}

/// One page of clients, A–Z. Contacts and open matters are looked up for the page's rows only.
pub async fn list(tx: &mut Tx, q: &ClientQuery) -> Result<Page<ClientRow>, AppError> {
    let filters = |b: &mut QueryBuilder<Postgres>| push_filters(b, q);
    let list = List {
        columns: "c.id, c.name, c.client_type, c.status,
                  (SELECT value FROM client_contacts cc
                    WHERE cc.client_id = c.id AND cc.contact_type = 'email' AND cc.is_primary) AS email,
                  (SELECT value FROM client_contacts cc
                    WHERE cc.client_id = c.id AND cc.contact_type = 'phone' AND cc.is_primary) AS phone,
                  (SELECT count(*) FROM matters m WHERE m.client_id = c.id AND m.status <> 'closed') AS open_matters,
                  lower(c.name) AS sort_key",
        from: "FROM clients c",
        count_from: "FROM clients c",
        filters: &filters,
        id_col: "c.id",
        sort: Sort {
            expr: "lower(c.name)",
            cast: "text",
            desc: false,
        },
        persistent: prefix_tsquery(&q.q).is_empty(),
    };
    let page: Page<ListRow> = keyset_page(tx, &list, &q.paging, PAGE_SIZE).await?;
    Ok(page.map(ClientRow::from))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Client, AppError> {
    let (name, t, s, notes, created_on, version): (String, String, String, String, String, i32) =
        sqlx::query_as(
            "SELECT c.name, c.client_type, c.status, c.notes,
                to_char(c.created_at AT TIME ZONE o.timezone, 'YYYY-MM-DD'), c.version
           FROM clients c JOIN organizations o ON o.id = c.organization_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let contacts: Vec<(Uuid, String, String, String, bool)> = sqlx::query_as(
        "SELECT id, contact_type, label, value, is_primary FROM client_contacts
          WHERE client_id = $1 ORDER BY contact_type, is_primary DESC, created_at",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let contacts = contacts
        .into_iter()
        .map(|(id, t, label, value, is_primary)| Contact {
            id,
            contact_type: ContactType::parse(&t).unwrap_or(ContactType::Email),
            label,
            value,
            is_primary,
        })
        .collect();
    Ok(Client {
        id,
        name,
        client_type: kind(&t),
        status: status(&s),
        notes,
        created_on,
        version,
        contacts,
    })
}

/// The stored fields of a client and their version, locked for the rest of the transaction.
pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<(ValidClient, i32), AppError> {
    let (name, t, s, notes, version): (String, String, String, String, i32) = sqlx::query_as(
        "SELECT name, client_type, status, notes, version FROM clients WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let client = ValidClient {
        name,
        client_type: kind(&t),
        status: status(&s),
        notes,
    };
    Ok((client, version))
}

pub async fn insert(
    tx: &mut Tx,
    org_id: Uuid,
    user_id: Uuid,
    c: &ValidClient,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO clients (organization_id, client_type, name, status, notes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(c.client_type.as_str())
    .bind(&c.name)
    .bind(c.status.as_str())
    .bind(&c.notes)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn update(tx: &mut Tx, id: Uuid, c: &ValidClient) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE clients SET client_type = $2, name = $3, status = $4, notes = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(c.client_type.as_str())
    .bind(&c.name)
    .bind(c.status.as_str())
    .bind(&c.notes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new contact as saved: its id, whether it is the primary of its type, and the value of the
/// contact it replaced as primary, if any.
pub struct AddedContact {
    pub id: Uuid,
    pub primary: bool,
    pub replaced_primary: Option<String>,
}

/// Insert a contact. The first contact of a type becomes its primary; a new primary replaces
/// the old one.
pub async fn add_contact(
    tx: &mut Tx,
    org_id: Uuid,
    client_id: Uuid,
    c: &ValidContact,
) -> Result<AddedContact, AppError> {
    let current: Option<String> = sqlx::query_scalar(
        "SELECT value FROM client_contacts WHERE client_id = $1 AND contact_type = $2 AND is_primary",
    )
    .bind(client_id)
    .bind(c.contact_type.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let primary = c.is_primary || current.is_none();
    let replaced_primary = current.filter(|_| primary);
    if replaced_primary.is_some() {
        sqlx::query("UPDATE client_contacts SET is_primary = false WHERE client_id = $1 AND contact_type = $2 AND is_primary")
            .bind(client_id)
            .bind(c.contact_type.as_str())
            .execute(&mut **tx)
            .await?;
    }
    let id = sqlx::query_scalar(
        "INSERT INTO client_contacts (organization_id, client_id, contact_type, label, value, is_primary)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(client_id)
    .bind(c.contact_type.as_str())
    .bind(&c.label)
    .bind(&c.value)
    .bind(primary)
    .fetch_one(&mut **tx)
    .await?;
    Ok(AddedContact {
        id,
        primary,
        replaced_primary,
    })
}

/// Remove a contact; if it was the primary of its type, the next oldest of that type takes over
/// (returned as the second value).
pub async fn delete_contact(
    tx: &mut Tx,
    client_id: Uuid,
    contact_id: Uuid,
) -> Result<(Contact, Option<String>), AppError> {
    let (t, label, value, is_primary): (String, String, String, bool) = sqlx::query_as(
        "DELETE FROM client_contacts WHERE id = $1 AND client_id = $2 RETURNING contact_type, label, value, is_primary",
    )
    .bind(contact_id)
    .bind(client_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let promoted: Option<String> = if is_primary {
        sqlx::query_scalar(
            "UPDATE client_contacts SET is_primary = true WHERE id = (
                SELECT id FROM client_contacts WHERE client_id = $1 AND contact_type = $2 ORDER BY created_at, id LIMIT 1)
             RETURNING value",
        )
        .bind(client_id)
        .bind(&t)
        .fetch_optional(&mut **tx)
        .await?
    } else {
        None
    };
    let contact_type = ContactType::parse(&t).unwrap_or(ContactType::Email);
    let gone = Contact {
        id: contact_id,
        contact_type,
        label,
        value,
        is_primary,
    };
    Ok((gone, promoted))
}
