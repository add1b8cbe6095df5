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
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use uuid::Uuid;

use super::repo::{self, StoredFile};
use super::sniff::{sniff, HEAD_BYTES};
use super::storage::Storage;
use super::{storable_name, DocKind, Limits};
use crate::audit::{record, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::AppState;

/// At most this many files in one request.
pub const MAX_FILES: usize = 50;

/// Whether a request is an upload (the general request body limit does not apply to it: each
/// file is held to the firm's limit as it arrives).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && ((path.starts_with("/matters/") && path.ends_with("/documents"))
            || (path.starts_with("/documents/") && path.ends_with("/versions")))
}

/// What an upload did, file by file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub uploaded: Vec<Uploaded>,
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Uploaded {
    pub document_id: Uuid,
    pub filename: String,
    pub number: i32,
    pub size_bytes: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Refused {
    pub name: String,
    pub message: String,
}

#[derive(Clone, Copy)]
enum Target {
    Matter(Uuid),
    Document(Uuid),
}

pub async fn to_matter(
    State(state): State<AppState>,
    session: Session,
    Path(matter): Path<Uuid>,
    req: Request,
) -> Response {
    handle(state, session, Target::Matter(matter), req).await
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
    let result = async {
        let boundary =
            boundary.ok_or_else(|| AppError::BadRequest("expected a multipart form".into()))?;
        let (caller, tx) = Caller::resolve(&state, &session, Some(&parts)).await?;
        drop(tx);
        if !caller.role.can_edit_records() {
            return Err(AppError::Forbidden);
        }
        let mut form = multipart(body, boundary);
        // The firm the form was rendered for comes first, and is checked before anything else.
        read_org(&mut form, &caller).await?;
        let (_, mut tx) = caller.again(&state).await?;
        let matter = match target {
            Target::Matter(m) => {
                repo::matter_head(&mut tx, m).await?;
                m
            }
            Target::Document(d) => {
                let head = repo::head(&mut tx, d, false).await?;
                if head.deleted {
                    return Err(AppError::Conflict(
                        "This document was deleted: restore it before adding a version.".into(),
                    ));
                }
                head.matter_id
            }
        };
        let limits = repo::limits(&mut tx).await?;
        tx.commit().await?;
        let storage = state.storage.clone();
        let received = receive(&storage, &caller, matter, target, &limits, form).await?;
        match write(&state, &caller, matter, target, &received).await {
            Ok(uploaded) => Ok((
                matter,
                Outcome {
                    uploaded,
                    refused: received.refused,
                },
            )),
            Err(e) => {
                for f in &received.stored {
                    if let Err(e) = storage.delete(&f.key).await {
                        tracing::warn!(error = %e, "removing the bytes of an unwritten upload (the sweep will)");
                    }
                }
                Err(e)
            }
        }
    }
    .await;
    match (result, json) {
        (Ok((_, outcome)), true) => {
            let status = if outcome.uploaded.is_empty() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, axum::Json(outcome)).into_response()
        }
        (Ok((matter, outcome)), false) => Redirect::to(&back(matter, &outcome)).into_response(),
        (Err(e), true) => crate::server::http::error_json(e),
        (Err(AppError::Invalid(f) | AppError::WrongFirm(f)), false)
            if target_matter(target).is_some() =>
        {
            let message = f.get("files").unwrap_or("This was not saved.").to_string();
            let outcome = Outcome {
                uploaded: vec![],
                refused: vec![Refused {
                    name: String::new(),
                    message,
                }],
            };
            Redirect::to(&back(target_matter(target).unwrap_or_default(), &outcome)).into_response()
        }
        (Err(e), false) => e.into_plain_response(),
    }
}

fn target_matter(t: Target) -> Option<Uuid> {
    match t {
        Target::Matter(m) => Some(m),
        Target::Document(_) => None,
    }
}

/// The documents page with what happened (`uploaded=N`, and each refusal as `refused=`).
fn back(matter: Uuid, o: &Outcome) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("uploaded", &o.uploaded.len().to_string());
    for r in &o.refused {
        let line = if r.name.is_empty() {
            r.message.clone()
        } else {
            format!("{}: {}", r.name, r.message)
        };
        q.append_pair("refused", &line);
    }
    format!("/matters/{matter}/documents?{}", q.finish())
}

struct Received {
    folder: Option<Uuid>,
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
                Some("files") => {
                    let sent = field.file_name().unwrap_or("").to_string();
                    let name = storable_name(&sent);
                    let head = read_head(&mut field).await.map_err(unreadable)?;
                    if sent.is_empty() && head.is_empty() {
                        continue; // the file input was left empty
                    }
                    if got.stored.len() + got.refused.len() >= MAX_FILES {
                        got.refused.push(Refused {
                            name,
                            message: format!("At most {MAX_FILES} files at a time."),
                        });
                        continue;
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

fn multipart(body: Body, boundary: String) -> multer::Multipart<'static> {
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["org", "folder", "files"])
        .size_limit(
            multer::SizeLimit::new()
                .for_field("org", 100)
                .for_field("folder", 100),
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

fn refused_kind(kind: DocKind, limits: &Limits) -> String {
    let allowed: Vec<&str> = limits.kinds.iter().map(|k| k.label()).collect();
    let what = match kind {
        DocKind::Other => "This kind of file".to_string(),
        k => format!("{} ({})", k.label(), "this kind of file"),
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
) -> Result<Vec<Uploaded>, AppError> {
    if received.stored.is_empty() {
        return Ok(vec![]);
    }
    let (caller2, mut tx) = caller.again(state).await?;
    if !caller2.role.can_edit_records() {
        return Err(AppError::Forbidden);
    }
    let mut out = vec![];
    match target {
        Target::Matter(_) => {
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
    tx.commit().await?;
    Ok(out)
}
