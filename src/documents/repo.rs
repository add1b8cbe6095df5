//! The documents' SQL. Row-level security scopes every statement to the caller's firm and hides
//! walled-off matters: a document of another firm reads exactly like one that does not exist.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ClientDocument, DocKind, Document, Folder, Limits, Version};
use crate::error::AppError;
use crate::kernel::Choice;
use crate::kernel::{Page, PageRequest};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};

/// A matter's number and title.
pub async fn matter_head(tx: &mut Tx, matter: Uuid) -> Result<(String, String), AppError> {
    sqlx::query_as("SELECT matter_number, title FROM matters WHERE id = $1")
        .bind(matter)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// That `matter` is one of `client`'s (as the caller sees them); `hold` keeps it so (the matter
/// cannot move to another client) until the transaction ends.
pub async fn matter_of_client(
    tx: &mut Tx,
    matter: Uuid,
    client: Uuid,
    hold: bool,
) -> Result<(), AppError> {
    let hold = if hold { " FOR SHARE" } else { "" };
    let found: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM matters WHERE id = $1 AND client_id = $2{hold}"
    )))
    .bind(matter)
    .bind(client)
    .fetch_optional(&mut **tx)
    .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::field("matter", "Choose one of this client's matters."))
}

pub async fn limits(tx: &mut Tx) -> Result<Limits, AppError> {
    Ok(limits_for_change(tx, false).await?.0)
}

/// The limits and the firm's row version; `lock` for a change.
pub async fn limits_for_change(tx: &mut Tx, lock: bool) -> Result<(Limits, i32), AppError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let (max_mb, kinds, version): (i32, Vec<String>, i32) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT document_max_mb, document_kinds, version FROM organizations
              WHERE id = app_current_org(){lock}"
        )))
        .fetch_one(&mut **tx)
        .await?;
    let limits = Limits {
        max_mb: max_mb.max(1) as u32,
        kinds: kinds.iter().filter_map(|k| DocKind::parse(k)).collect(),
    };
    Ok((limits, version))
}

pub async fn set_limits(tx: &mut Tx, limits: &Limits) -> Result<(), AppError> {
    let kinds: Vec<&str> = limits.kinds.iter().map(|k| k.as_str()).collect();
    sqlx::query(
        "UPDATE organizations SET document_max_mb = $1, document_kinds = $2 WHERE id = app_current_org()",
    )
    .bind(limits.max_mb as i32)
    .bind(&kinds)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn folders(tx: &mut Tx, matter: Uuid) -> Result<Vec<Folder>, AppError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, name FROM document_folders WHERE matter_id = $1 ORDER BY lower(name)",
    )
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Folder { id, name })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    filename: String,
    folder_id: Option<Uuid>,
    deleted_at: Option<DateTime<Utc>>,
    version: i32,
    v_id: Uuid,
    number: i32,
    original_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: Option<String>,
    created_at: DateTime<Utc>,
    text_status: String,
}

/// A matter's documents with every version (newest first), in the matter or deleted: by name
/// (deleted ones: newest deletion first). At most 5,000 versions are listed.
pub async fn documents(
    tx: &mut Tx,
    matter: Uuid,
    deleted: bool,
) -> Result<Vec<Document>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.filename, d.folder_id, d.deleted_at, d.version,
                v.id AS v_id, v.number, v.original_name, v.content_type, v.size_bytes, v.sha256,
                u.full_name AS uploaded_by, v.created_at, v.text_status
           FROM documents d
           JOIN document_versions v ON v.document_id = d.id
           LEFT JOIN users u ON u.id = v.uploaded_by
          WHERE d.matter_id = $1 AND (d.deleted_at IS NOT NULL) = $2
          ORDER BY CASE WHEN $2 THEN d.deleted_at END DESC, lower(d.filename), d.id, v.number DESC
          LIMIT 5000",
    )
    .bind(matter)
    .bind(deleted)
    .fetch_all(&mut **tx)
    .await?;
    let mut out: Vec<Document> = Vec::new();
    for r in rows {
        let version = Version {
            id: r.v_id,
            number: r.number,
            original_name: r.original_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
            text: super::TextStatus::parse(&r.text_status).unwrap_or(super::TextStatus::Pending),
        };
        match out.last_mut() {
            Some(d) if d.id == r.id => d.versions.push(version),
            _ => out.push(Document {
                id: r.id,
                filename: r.filename,
                folder_id: r.folder_id,
                deleted_at: r.deleted_at,
                version: r.version,
                versions: vec![version],
            }),
        }
    }
    Ok(out)
}

/// A document's matter, name, row version and whether it is deleted, locked for a change.
pub struct Head {
    pub matter_id: Uuid,
    pub matter_number: String,
    pub filename: String,
    pub folder_id: Option<Uuid>,
    pub deleted: bool,
    pub version: i32,
    pub latest: i32,
}

pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<Head, AppError> {
    head(tx, id, true).await
}

pub async fn head(tx: &mut Tx, id: Uuid, for_update: bool) -> Result<Head, AppError> {
    let sql = format!(
        "SELECT d.matter_id, m.matter_number, d.filename, d.folder_id, d.deleted_at IS NOT NULL,
                d.version, d.latest
           FROM documents d JOIN matters m ON m.id = d.matter_id
          WHERE d.id = $1 {}",
        if for_update { "FOR UPDATE OF d" } else { "" }
    );
    let row: Option<(Uuid, String, String, Option<Uuid>, bool, i32, i32)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let (matter_id, matter_number, filename, folder_id, deleted, version, latest) =
        row.ok_or(AppError::NotFound)?;
    Ok(Head {
        matter_id,
        matter_number,
        filename,
        folder_id,
        deleted,
        version,
        latest,
    })
}

/// What was stored for one uploaded file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub version_id: Uuid,
    pub key: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A new document with its first version; its id.
pub async fn insert_document(
    tx: &mut Tx,
    org: Uuid,
    matter: Uuid,
    folder: Option<Uuid>,
    user: Uuid,
    f: &StoredFile,
) -> Result<Uuid, AppError> {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO documents (organization_id, matter_id, folder_id, filename, uploaded_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org)
    .bind(matter)
    .bind(folder)
    .bind(&f.name)
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    insert_version(tx, org, matter, id, 1, user, f).await?;
    Ok(id)
}

/// A version of a document (its number one after the newest; the database checks it).
pub async fn insert_version(
    tx: &mut Tx,
    org: Uuid,
    matter: Uuid,
    document: Uuid,
    number: i32,
    user: Uuid,
    f: &StoredFile,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO document_versions (id, organization_id, matter_id, document_id, number,
                original_name, content_type, size_bytes, sha256, storage_key, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(f.version_id)
    .bind(org)
    .bind(matter)
    .bind(document)
    .bind(number)
    .bind(&f.name)
    .bind(&f.content_type)
    .bind(f.size)
    .bind(&f.sha256)
    .bind(&f.key)
    .bind(user)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a download needs of a version: `number` or the newest.
pub struct Download {
    pub filename: String,
    pub number: i32,
    pub key: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

pub async fn download(tx: &mut Tx, id: Uuid, number: Option<i32>) -> Result<Download, AppError> {
    let row: Option<(String, i32, String, String, i64, String)> = sqlx::query_as(
        "SELECT d.filename, v.number, v.storage_key, v.content_type, v.size_bytes, v.sha256
           FROM documents d JOIN document_versions v ON v.document_id = d.id
          WHERE d.id = $1 AND v.number = coalesce($2, d.latest)",
    )
    .bind(id)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?;
    let (filename, number, key, content_type, size, sha256) = row.ok_or(AppError::NotFound)?;
    Ok(Download {
        filename,
        number,
        key,
        content_type,
        size,
        sha256,
    })
}

pub async fn folder_in_matter(
    tx: &mut Tx,
    folder: Uuid,
    matter: Uuid,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM document_folders WHERE id = $1 AND matter_id = $2")
            .bind(folder)
            .bind(matter)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: Uuid,
    filename: String,
    matter_id: Uuid,
    matter_number: String,
    matter_title: String,
    number: i32,
    content_type: String,
    size_bytes: i64,
    uploaded_by: Option<String>,
    created_at: DateTime<Utc>,
    sort_key: String,
    total_capped: i64,
}
crate::keyed!(ClientRow);

/// Documents on a client's page.
pub const CLIENT_PAGE_SIZE: u32 = 50;

/// The client's name, or not found (another firm's client reads as none).
pub async fn client_name(tx: &mut Tx, client: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT name FROM clients WHERE id = $1")
        .bind(client)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// The client's matters to upload to, open ones first (at most 500).
pub async fn client_matters(tx: &mut Tx, client: Uuid) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, matter_number || ' ' || title FROM matters WHERE client_id = $1
          ORDER BY status = 'closed', matter_number DESC LIMIT 500",
    )
    .bind(client)
    .fetch_all(&mut **tx)
    .await?)
}

/// The documents on all of a client's matters (not deleted), newest version first.
pub async fn client_documents(
    tx: &mut Tx,
    client: Uuid,
    paging: &PageRequest,
) -> Result<Page<ClientDocument>, AppError> {
    let filters = move |b: &mut sqlx::QueryBuilder<sqlx::Postgres>| {
        b.push(" WHERE m.client_id = ")
            .push_bind(client)
            .push(" AND d.deleted_at IS NULL");
    };
    let list = List {
        columns:
            "d.id, d.filename, d.matter_id, m.matter_number, m.title AS matter_title, v.number,
                  v.content_type, v.size_bytes, u.full_name AS uploaded_by, v.created_at,
                  v.created_at::text AS sort_key",
        from: "FROM documents d JOIN matters m ON m.id = d.matter_id
               JOIN document_versions v ON v.document_id = d.id AND v.number = d.latest
               LEFT JOIN users u ON u.id = v.uploaded_by",
        count_from: "FROM documents d JOIN matters m ON m.id = d.matter_id",
        filters: &filters,
        id_col: "d.id",
        sort: Sort {
            expr: "v.created_at",
            cast: "timestamptz",
            desc: true,
        },
        persistent: true,
    };
    let page: Page<ClientRow> = keyset_page(tx, &list, paging, CLIENT_PAGE_SIZE).await?;
    Ok(page.map(|r| ClientDocument {
        id: r.id,
        filename: r.filename,
        matter_id: r.matter_id,
        matter_number: r.matter_number,
        matter_title: r.matter_title,
        number: r.number,
        content_type: r.content_type,
        size_bytes: r.size_bytes,
        uploaded_by: r.uploaded_by,
        created_at: r.created_at,
    }))
}
