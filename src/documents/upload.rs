//! `POST /matters/{id}/documents` (new documents) and `POST /documents/{id}/versions` (a new
//! version): multipart forms, read as a stream.
//!
//! The caller, their firm (the form's hidden `org`), their role and the target are checked before
//! any file's bytes are read. Each file's type is read from its first bytes and checked against
//! the firm's allowed kinds before anything is stored; its bytes then go to the storage as they
//! arrive (parts of a few MiB: memory stays flat whatever the size), hashed on the way, and are
//! refused once they pass the firm's limit. Only when every file is stored are the rows written,
//! in one transaction with their activity rows. A file refused, an upload cut off or a failed
//! write leaves no row, and removes what it stored (what a crash leaves is swept).
//!
//! Plain form posts (no JavaScript) are answered with a redirect back to the documents page,
//! which shows what was uploaded and what was refused; `Accept: application/json` gets the
//! outcome as JSON.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use uuid::Uuid;

use super::repo::{self, StoredFile};
use super::sniff::{sniff, HEAD_BYTES};
use super::storage::Storage;
use super::{storable_name, DocKind, Limits, Outcome, Refused, Uploaded};
use crate::audit::{record, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{Choice, FieldErrors};
use crate::server::AppState;

/// At most this many files in one request.
pub const MAX_FILES: usize = 50;

/// Whether a request is an upload (the general request body limit does not apply to it: each
/// file is held to the firm's limit as it arrives).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    method == axum::http::Method::POST
        && matches!(
            parts.as_slice(),
            ["", "matters" | "clients", id, "documents"] | ["", "documents", id, "versions"]
                if Uuid::parse_str(id).is_ok()
        )
}

#[derive(Clone, Copy)]
enum Target {
    Matter(Uuid),
    Document(Uuid),
    /// One of the client's matters, named by the form's `matter` (its second field).
    Client(Uuid),
}

pub async fn to_matter(
    State(state): State<AppState>,
    session: Session,
    Path(matter): Path<Uuid>,
    req: Request,
) -> Response {
    handle(state, session, Target::Matter(matter), req).await
}

pub async fn to_client(
    State(state): State<AppState>,
    session: Session,
    Path(client): Path<Uuid>,
    req: Request,
) -> Response {
    handle(state, session, Target::Client(client), req).await
}

pub async fn new_version(
    State(state): State<AppState>,
    session: Session,
    Path(document): Path<Uuid>,
    req: Request,
) -> Response {
    handle(state, session, Target::Document(document), req).await
}

async fn handle(state: AppState, session: Session, target: Target, req: Request) -> Response {
    let json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (parts, body) = req.into_parts();
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The page the outcome is shown on, once the matter is known; and who asked.
    let mut page: Option<String> = None;
    let mut asker: Option<Uuid> = None;
    let result = async {
        let boundary =
            boundary.ok_or_else(|| AppError::BadRequest("expected a multipart form".into()))?;
        let (caller, mut tx) = Caller::resolve(&state, &session, Some(&parts)).await?;
        asker = Some(caller.user_id);
        match target {
            Target::Matter(m) => page = Some(format!("/matters/{m}/documents")),
            Target::Client(c) => page = Some(format!("/clients/{c}/documents")),
            Target::Document(_) => {}
        }
        if !caller.role.can_edit_records() {
            return Err(AppError::Forbidden);
        }
        let limits = repo::limits(&mut tx).await?;
        drop(tx);
        let most = whole_limit(&limits);
        if declared.is_some_and(|n| n > most) {
            return Err(AppError::field("files", &too_much(&limits)));
        }
        // A few uploads at a time per process: each holds a few parts in memory.
        let _turn = UPLOADS.acquire().await.map_err(|_| AppError::Unavailable)?;
        let mut form = multipart(body, boundary, most);
        // The firm the form was rendered for comes first, and is checked before anything else.
        read_org(&mut form, &caller).await?;
        let chosen = match target {
            Target::Client(_) => Some(read_matter(&mut form).await?),
            _ => None,
        };
        let (_, mut tx) = caller.again(&state).await?;
        let matter = match target {
            Target::Matter(m) => {
                repo::matter_head(&mut tx, m).await?;
                m
            }
            Target::Client(c) => {
                let m = chosen.unwrap_or_default();
                repo::matter_of_client(&mut tx, m, c, false).await?;
                m
            }
            Target::Document(d) => {
                let head = repo::head(&mut tx, d, false).await?;
                page = Some(format!("/matters/{}/documents", head.matter_id));
                if head.deleted {
                    return Err(AppError::Conflict(
                        "This document was deleted: restore it before adding a version.".into(),
                    ));
                }
                head.matter_id
            }
        };
        tx.commit().await?;
        let storage = state.storage.clone();
        let received = receive(&storage, &caller, matter, target, &limits, form).await?;
        match write(&state, &caller, matter, target, &received).await {
            Ok(uploaded) => Ok(Outcome {
                uploaded,
                refused: received.refused,
            }),
            Err(Unwritten::Refused(e)) => {
                for f in &received.stored {
                    if let Err(e) = storage.delete(&f.key).await {
                        tracing::warn!(error = %e, "removing the bytes of an unwritten upload (the sweep will)");
                    }
                }
                Err(e)
            }
            // The commit's answer was lost: the rows may exist, so the bytes stay (the sweep
            // removes them if not).
            Err(Unwritten::Unknown(e)) => Err(e),
        }
    }
    .await;
    if json {
        return match result {
            Ok(outcome) => {
                let status = if outcome.uploaded.is_empty() {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::OK
                };
                (status, axum::Json(outcome)).into_response()
            }
            Err(e) => crate::server::http::error_json(e),
        };
    }
    // Without JavaScript: back to the documents page, the outcome kept in the session for its
    // next view (never in the URL).
    let Some(back) = page else {
        return result
            .err()
            .unwrap_or(AppError::NotFound)
            .into_plain_response();
    };
    let (uploaded, problems) = match result {
        Ok(o) => (
            o.uploaded.len(),
            o.refused
                .iter()
                .map(|r| format!("{}: {}", r.name, r.message))
                .collect::<Vec<_>>(),
        ),
        Err(AppError::Unauthorized) => return Redirect::to("/login").into_response(),
        Err(e) => (0, vec![e.first_message()]),
    };
    let mut told = FieldErrors::default().with_value("uploaded", uploaded.to_string());
    if !problems.is_empty() {
        told.add("files", problems.join("\n"));
    }
    let flash = crate::ui::FormFlash {
        action: super::UPLOAD_ACTION.to_string(),
        page: back.clone(),
        error: AppError::Invalid(told),
        user: asker,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    if let Err(e) = crate::server::session::set_flash(&session, flash).await {
        return e.into_plain_response();
    }
    Redirect::to(&back).into_response()
}

/// Uploads being received at once in this process.
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);

/// The most one request may carry: every file at the firm's limit, and the form around them.
fn whole_limit(limits: &Limits) -> u64 {
    (MAX_FILES as u64)
        .saturating_mul(limits.max_bytes())
        .saturating_add(1024 * 1024)
}

fn too_much(limits: &Limits) -> String {
    format!(
        "At most {MAX_FILES} files of up to {} MB each at a time.",
        limits.max_mb
    )
}

/// Why no rows were written.
enum Unwritten {
    /// Nothing was written: the stored bytes are to be removed.
    Refused(AppError),
    /// The commit was sent and its answer lost: the rows may be there.
    Unknown(AppError),
}

struct Received {
    folder: Option<Uuid>,
    /// The document's row version the new-version form was rendered with.
    version: Option<i32>,
    stored: Vec<StoredFile>,
    refused: Vec<Refused>,
}

/// Read the form: its firm first, then each file into the storage.
async fn receive(
    storage: &Storage,
    caller: &Caller,
    matter: Uuid,
    target: Target,
    limits: &Limits,
    mut form: multer::Multipart<'static>,
) -> Result<Received, AppError> {
    let mut got = Received {
        folder: None,
        version: None,
        stored: vec![],
        refused: vec![],
    };
    let result: Result<(), AppError> = async {
        while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
            match field.name() {
                Some("org") => {
                    return Err(AppError::BadRequest("the form names its firm twice".into()));
                }
                Some("folder") => {
                    let text = field.text().await.map_err(unreadable)?;
                    got.folder = match text.trim() {
                        "" => None,
                        t => Some(Uuid::parse_str(t).map_err(|_| {
                            AppError::field("folder", "Choose one of the matter's folders.")
                        })?),
                    };
                }
                Some("version") => {
                    let text = field.text().await.map_err(unreadable)?;
                    got.version = Some(text.trim().parse().map_err(|_| {
                        AppError::BadRequest("the form's document version is not a number".into())
                    })?);
                }
                Some("files") => {
                    let sent = field.file_name().unwrap_or("").to_string();
                    let name = storable_name(&sent);
                    let head = read_head(&mut field).await.map_err(unreadable)?;
                    if sent.is_empty() && head.is_empty() {
                        continue; // the file input was left empty
                    }
                    if got.stored.len() + got.refused.len() >= MAX_FILES {
                        return Err(AppError::field(
                            "files",
                            &format!("At most {MAX_FILES} files at a time: nothing was uploaded."),
                        ));
                    }
                    if matches!(target, Target::Document(_)) && !got.stored.is_empty() {
                        got.refused.push(Refused {
                            name,
                            message: "A new version is one file.".into(),
                        });
                        continue;
                    }
                    let (kind, content_type) = sniff(&head, &name);
                    if !limits.kinds.contains(&kind) {
                        got.refused.push(Refused {
                            name,
                            message: refused_kind(kind, limits),
                        });
                        continue;
                    }
                    match store(storage, caller.org_id, matter, &mut field, head, limits).await? {
                        Ok((version_id, key, size, sha256)) => got.stored.push(StoredFile {
                            version_id,
                            key,
                            name,
                            content_type,
                            size,
                            sha256,
                        }),
                        Err(message) => got.refused.push(Refused { name, message }),
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        for f in &got.stored {
            let _ = storage.delete(&f.key).await;
        }
        return Err(e);
    }
    if got.stored.is_empty() && got.refused.is_empty() {
        return Err(AppError::field(
            "files",
            "Choose one or more files to upload.",
        ));
    }
    Ok(got)
}

fn multipart(body: Body, boundary: String, most: u64) -> multer::Multipart<'static> {
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["org", "matter", "folder", "version", "files"])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(most)
                .for_field("org", 100)
                .for_field("matter", 100)
                .for_field("folder", 100)
                .for_field("version", 20),
        );
    multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints)
}

fn unreadable(e: multer::Error) -> AppError {
    AppError::BadRequest(format!("the upload was cut off or malformed: {e}"))
}

/// The form's first field: the firm it was rendered for, which must be the caller's active one.
async fn read_org(form: &mut multer::Multipart<'static>, caller: &Caller) -> Result<(), AppError> {
    let field = form.next_field().await.map_err(unreadable)?;
    let Some(field) = field.filter(|f| f.name() == Some("org")) else {
        return Err(AppError::BadRequest(
            "the form's firm (org) must be its first field".into(),
        ));
    };
    let text = field.text().await.map_err(unreadable)?;
    let id = Uuid::parse_str(text.trim())
        .map_err(|_| AppError::BadRequest("the form's firm is not an id".into()))?;
    if id != caller.org_id {
        tracing::info!(user_id = %caller.user_id, form_org = %id, active_org = %caller.org_id, "stale upload form from another firm");
        return Err(AppError::WrongFirm(crate::kernel::FieldErrors::one(
            "files",
            "You switched firm in another tab, so nothing was uploaded. The page now shows the firm you switched to.",
        )));
    }
    Ok(())
}

/// On a client's page, the matter chosen: the form's second field.
async fn read_matter(form: &mut multer::Multipart<'static>) -> Result<Uuid, AppError> {
    let field = form.next_field().await.map_err(unreadable)?;
    let Some(field) = field.filter(|f| f.name() == Some("matter")) else {
        return Err(AppError::BadRequest(
            "the form's matter must be its second field".into(),
        ));
    };
    let text = field.text().await.map_err(unreadable)?;
    Uuid::parse_str(text.trim())
        .map_err(|_| AppError::field("matter", "Choose the matter the files belong to."))
}

fn refused_kind(kind: DocKind, limits: &Limits) -> String {
    let allowed: Vec<&str> = limits.kinds.iter().map(|k| k.label()).collect();
    let what = match kind {
        DocKind::Other => "This kind of file".to_string(),
        k => format!("A file of the kind “{}”", k.label()),
    };
    format!(
        "{what} is not accepted by the firm. Accepted: {}.",
        allowed.join(", ")
    )
}

/// The first bytes of a file (up to `HEAD_BYTES`, fewer if it is shorter).
async fn read_head(field: &mut multer::Field<'_>) -> Result<Vec<u8>, multer::Error> {
    let mut head = Vec::new();
    while head.len() < HEAD_BYTES {
        match field.chunk().await? {
            Some(c) => head.extend_from_slice(&c),
            None => break,
        }
    }
    Ok(head)
}

/// Write one file to the storage: its version id, key, size and SHA-256, or why it was refused
/// (nothing of it stays). A storage failure or a cut-off upload is an error.
async fn store(
    storage: &Storage,
    org: Uuid,
    matter: Uuid,
    field: &mut multer::Field<'_>,
    head: Vec<u8>,
    limits: &Limits,
) -> Result<Result<(Uuid, String, i64, String), String>, AppError> {
    let max = limits.max_bytes();
    let too_large = || {
        format!(
            "Larger than the firm's limit of {} MB per file.",
            limits.max_mb
        )
    };
    if head.len() as u64 > max {
        return Ok(Err(too_large()));
    }
    let version_id = Uuid::new_v4();
    let key = Storage::key(org, matter, version_id);
    let mut writer = storage.writer(&key).await.map_err(internal)?;
    let mut hash = Sha256::new();
    let mut size = head.len() as u64;
    hash.update(&head);
    let written = async {
        writer.write(&head).await.map_err(internal)?;
        drop(head);
        loop {
            let chunk = field
                .chunk()
                .await
                .map_err(|e| AppError::BadRequest(format!("the upload was cut off: {e}")))?;
            let Some(chunk) = chunk else { break };
            size += chunk.len() as u64;
            if size > max {
                return Ok(false);
            }
            hash.update(&chunk);
            writer.write(&chunk).await.map_err(internal)?;
        }
        Ok::<_, AppError>(true)
    }
    .await;
    match written {
        Ok(true) => {
            writer.finish().await.map_err(internal)?;
            let sha256 = hex(&hash.finalize());
            Ok(Ok((version_id, key, size as i64, sha256)))
        }
        Ok(false) => {
            writer.abort().await;
            // The rest of this file is skipped by the next field's read.
            Ok(Err(too_large()))
        }
        Err(e) => {
            writer.abort().await;
            Err(e)
        }
    }
}

fn internal(e: super::storage::StorageError) -> AppError {
    tracing::error!(error = %e, "document storage failed");
    AppError::Unavailable
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows, in one transaction with their activity: a new document per file, or the new version.
async fn write(
    state: &AppState,
    caller: &Caller,
    matter: Uuid,
    target: Target,
    received: &Received,
) -> Result<Vec<Uploaded>, Unwritten> {
    if received.stored.is_empty() {
        return Ok(vec![]);
    }
    let (out, tx) = rows(state, caller, matter, target, received)
        .await
        .map_err(Unwritten::Refused)?;
    tx.commit()
        .await
        .map_err(|e| Unwritten::Unknown(e.into()))?;
    // The text readers were queued in that transaction.
    crate::jobs::queue::wake();
    Ok(out)
}

async fn rows(
    state: &AppState,
    caller: &Caller,
    matter: Uuid,
    target: Target,
    received: &Received,
) -> Result<(Vec<Uploaded>, crate::server::db::Tx), AppError> {
    let (caller2, mut tx) = caller.again(state).await?;
    if !caller2.role.can_edit_records() {
        return Err(AppError::Forbidden);
    }
    // The sweep waits while versions are written, and the bytes are checked under that hold:
    // an upload slower than the sweep's age whose first files were swept is refused whole.
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(super::sweep::SWEEP_LOCK)
        .execute(&mut *tx)
        .await?;
    for f in &received.stored {
        match state.storage.exists(&f.key).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(AppError::Conflict(
                    "The upload took so long that the files sent first were cleared away: nothing was saved. Upload them again, fewer at a time.".into(),
                ))
            }
            Err(e) => return Err(internal(e)),
        }
    }
    let mut out = vec![];
    // Each stored version's text is read in the background (`documents::text`).
    for f in &received.stored {
        let mut job = crate::jobs::queue::NewJob::new(
            crate::jobs::JobKind::DocumentText,
            serde_json::json!({ "version": f.version_id }),
        );
        job.unique_key = Some(format!("document_text:{}", f.version_id));
        job.run_as = Some(caller2.user_id);
        job.matter = Some(matter);
        job.max_attempts = 3;
        crate::jobs::queue::enqueue(&mut tx, caller2.org_id, job).await?;
    }
    match target {
        Target::Matter(_) | Target::Client(_) => {
            // Still the client's (a matter can move to another client while files arrive).
            if let Target::Client(c) = target {
                repo::matter_of_client(&mut tx, matter, c, true).await?;
            }
            let (number, _) = repo::matter_head(&mut tx, matter).await?;
            let folder = match received.folder {
                Some(f) => {
                    let name = repo::folder_in_matter(&mut tx, f, matter)
                        .await?
                        .ok_or_else(|| {
                            AppError::field("folder", "Choose one of the matter's folders.")
                        })?;
                    Some((f, name))
                }
                None => None,
            };
            for f in &received.stored {
                let id = repo::insert_document(
                    &mut tx,
                    caller2.org_id,
                    matter,
                    folder.as_ref().map(|(id, _)| *id),
                    caller2.user_id,
                    f,
                )
                .await?;
                let place = folder
                    .as_ref()
                    .map(|(_, n)| format!(" in “{n}”"))
                    .unwrap_or_default();
                record(
                    &mut tx,
                    &caller2,
                    Entry::new("document.upload", "document", id)
                        .on_matter(Some(matter))
                        .summary(format!(
                            "Uploaded “{}”{place} to matter {number} ({}, SHA-256 {})",
                            f.name,
                            super::human_size(f.size),
                            &f.sha256[..12]
                        )),
                )
                .await?;
                out.push(Uploaded {
                    document_id: id,
                    filename: f.name.clone(),
                    number: 1,
                    size_bytes: f.size,
                    sha256: f.sha256.clone(),
                });
            }
        }
        Target::Document(d) => {
            let head = repo::lock(&mut tx, d).await?;
            if received.version != Some(head.version) {
                return Err(AppError::Conflict(format!(
                    "Someone changed “{}” since this page was shown (a new version, a rename or a move), so your version was not added. Look at the document again, then upload it.",
                    head.filename
                )));
            }
            if head.deleted {
                return Err(AppError::Conflict(
                    "This document was deleted: restore it before adding a version.".into(),
                ));
            }
            let f = &received.stored[0];
            let number = head.latest + 1;
            repo::insert_version(
                &mut tx,
                caller2.org_id,
                head.matter_id,
                d,
                number,
                caller2.user_id,
                f,
            )
            .await?;
            record(
                &mut tx,
                &caller2,
                Entry::new("document.version", "document", d)
                    .on_matter(Some(head.matter_id))
                    .summary(format!(
                        "Version {number} of “{}” on matter {} ({}, SHA-256 {})",
                        head.filename,
                        head.matter_number,
                        super::human_size(f.size),
                        &f.sha256[..12]
                    )),
            )
            .await?;
            out.push(Uploaded {
                document_id: d,
                filename: head.filename,
                number,
                size_bytes: f.size,
                sha256: f.sha256.clone(),
            });
        }
    }
    Ok((out, tx))
}
