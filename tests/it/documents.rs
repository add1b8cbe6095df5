//! Documents on both storage backends (a folder, and S3 on the stand-in the test command starts):
//! upload, versions, download with a byte range, refusals that store nothing, an upload cut off
//! half-way, delete / restore / purge, and other firms' ids.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use docket::documents::MatterDocuments;
use docket::documents::Outcome;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::{s3_storage, Client as Http, Res, TestApp};
use docket::documents::storage::StorageConfig;

/// A PDF-looking file of `size` bytes whose bytes after the header follow `seed`.
pub(crate) fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x = seed as u32;
    while v.len() < size {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        v.push((x >> 16) as u8);
    }
    v.truncate(size);
    v
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A multipart form: `org` first, then the folder, then each file as `files`.
fn form(org: Uuid, folder: Option<Uuid>, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    form_with(org, folder, None, files)
}

/// `form`, with the document's row version a new-version form carries.
fn form_with(
    org: Uuid,
    folder: Option<Uuid>,
    version: Option<i32>,
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let (org, folder) = (
        org.to_string(),
        folder.map(|f| f.to_string()).unwrap_or_default(),
    );
    let version = version.map(|v| v.to_string());
    let mut fields = vec![("org", org.as_str()), ("folder", folder.as_str())];
    if let Some(v) = &version {
        fields.push(("version", v));
    }
    multipart(&fields, files)
}

/// A multipart form: `fields` in order, then `files`.
pub(crate) fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = format!("docket-{}", Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(c: &mut Http, path: &str, org: Uuid, files: &[(&str, &[u8])]) -> Res {
    let (ct, body) = form(org, None, files);
    c.request_with(
        Method::POST,
        path,
        Some(&ct),
        body,
        Some("application/json"),
    )
    .await
}

/// A new version of `doc`, from a page that showed it at row version `version`.
async fn upload_version(
    c: &mut Http,
    doc: Uuid,
    org: Uuid,
    version: i32,
    file: (&str, &[u8]),
) -> Res {
    let (ct, body) = form_with(org, None, Some(version), &[file]);
    c.request_with(
        Method::POST,
        &format!("/documents/{doc}/versions"),
        Some(&ct),
        body,
        Some("application/json"),
    )
    .await
}

pub(crate) async fn documents(c: &mut Http, matter: Uuid) -> MatterDocuments {
    let res = c
        .post("/api/documents/matter", &[("matter", &matter.to_string())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

/// Every key the app's storage holds.
async fn stored_keys(app: &TestApp) -> Vec<String> {
    let mut keys = vec![];
    let mut list = app.state.storage.list();
    while let Some(item) = list.next().await {
        keys.push(item.unwrap().0);
    }
    keys
}

/// A matter of firm A, and its attorney signed in.
pub(crate) async fn matter(app: &TestApp) -> (Http, Uuid) {
    let mut c = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut c, "Documents Client").await;
    let m = crate::matters::create(&mut c, client, "Documents matter", Some(app.a.attorney))
        .await
        .unwrap();
    (c, m)
}

async fn round_trip(app: TestApp) {
    let (mut c, m) = matter(&app).await;
    let big = pdf(6 * 1024 * 1024 + 123, 1); // more than one 5 MiB part
    let note = "Témoignage du client.\nLigne 2\n".as_bytes().to_vec();
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("Complaint (filed).pdf", &big), ("notes.txt", &note)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let outcome: Outcome = res.json();
    assert!(outcome.refused.is_empty(), "{outcome:?}");
    assert_eq!(outcome.uploaded.len(), 2);
    assert_eq!(outcome.uploaded[0].sha256, sha(&big));
    let doc = outcome.uploaded[0].document_id;

    let listed = documents(&mut c, m).await;
    assert_eq!(listed.documents.len(), 2);
    let d = listed.documents.iter().find(|d| d.id == doc).unwrap();
    let v1 = d.latest().unwrap();
    assert_eq!(
        (v1.number, v1.size_bytes, v1.content_type.as_str()),
        (1, big.len() as i64, "application/pdf")
    );
    let text = listed
        .documents
        .iter()
        .find(|d| d.filename == "notes.txt")
        .unwrap();
    assert_eq!(
        text.latest().unwrap().content_type,
        "text/plain; charset=utf-8"
    );

    // The whole file, then one range of it.
    let res = c.get(&format!("/documents/{doc}/file")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        res.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"Complaint (filed).pdf\"; filename*=UTF-8''Complaint%20%28filed%29.pdf"
    );
    assert_eq!(res.body.len(), String::from_utf8_lossy(&big).len());
    let ranged = raw_get(
        &app,
        &c,
        &format!("/documents/{doc}/file"),
        Some("bytes=5242870-5242889"),
    )
    .await;
    assert_eq!(ranged.0, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        ranged.1[header::CONTENT_RANGE],
        format!("bytes 5242870-5242889/{}", big.len())
    );
    assert_eq!(ranged.2, big[5_242_870..5_242_890]);
    let whole = raw_get(&app, &c, &format!("/documents/{doc}/file"), None).await;
    assert_eq!(sha(&whole.2), sha(&big));
    let past = raw_get(
        &app,
        &c,
        &format!("/documents/{doc}/file"),
        Some("bytes=99999999-"),
    )
    .await;
    assert_eq!(past.0, StatusCode::RANGE_NOT_SATISFIABLE);

    // A new version becomes the default; the first stays downloadable.
    let second = pdf(40_000, 2);
    let shown = d.version;
    let res = upload_version(&mut c, doc, app.a.id, shown, ("Complaint v2.pdf", &second)).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let outcome: Outcome = res.json();
    assert_eq!(outcome.uploaded[0].number, 2);
    // A second person's version from the same page: refused, not stacked on the first.
    let res = upload_version(
        &mut c,
        doc,
        app.a.id,
        shown,
        ("Complaint v2b.pdf", &pdf(900, 3)),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let latest = raw_get(&app, &c, &format!("/documents/{doc}/file"), None).await;
    assert_eq!(latest.2, second);
    let first = raw_get(&app, &c, &format!("/documents/{doc}/file?version=1"), None).await;
    assert_eq!(sha(&first.2), sha(&big));
    let listed = documents(&mut c, m).await;
    let d = listed.documents.iter().find(|d| d.id == doc).unwrap();
    assert_eq!(
        d.versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(
        d.filename, "Complaint (filed).pdf",
        "a version keeps the document's name"
    );
    assert_eq!(stored_keys(&app).await.len(), 3);
    let logged = app
        .count("SELECT count(*) FROM activity_logs WHERE action IN ('document.upload', 'document.version')")
        .await;
    assert_eq!(logged, 3);
}

/// A GET with an optional `Range`, its body as bytes.
async fn raw_get(
    app: &TestApp,
    c: &Http,
    path: &str,
    range: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header(header::HOST, "docket.test")
        .header(header::COOKIE, c.cookie.clone().unwrap());
    if let Some(r) = range {
        req = req.header(header::RANGE, r);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let bytes = http_body_util::BodyExt::collect(body)
        .await
        .unwrap()
        .to_bytes();
    (parts.status, parts.headers, bytes.to_vec())
}

#[tokio::test]
async fn upload_version_and_download_with_a_range_in_a_folder_on_disk() {
    round_trip(TestApp::spawn().await).await;
}

#[tokio::test]
async fn upload_version_and_download_with_a_range_on_s3() {
    let storage = s3_storage().await;
    round_trip(TestApp::spawn_with(move |c| c.storage = storage).await).await;
}

async fn refusals(app: TestApp) {
    let (mut c, m) = matter(&app).await;
    sqlx::query("UPDATE organizations SET document_max_mb = 1 WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let too_big = pdf(1024 * 1024 + 1, 3);
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".repeat(100);
    let fine = pdf(2000, 4);
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[
            ("huge.pdf", &too_big),
            ("setup.pdf", &exe),
            ("ok.pdf", &fine),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let outcome: Outcome = res.json();
    assert_eq!(outcome.uploaded.len(), 1);
    let refused: Vec<(&str, &str)> = outcome
        .refused
        .iter()
        .map(|r| (r.name.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].0 == "huge.pdf" && refused[0].1.contains("limit of 1 MB"),
        "{refused:?}"
    );
    assert!(
        refused[1].0 == "setup.pdf" && refused[1].1.contains("not accepted"),
        "{refused:?}"
    );
    assert_eq!(
        stored_keys(&app).await.len(),
        1,
        "only the accepted file's bytes are kept"
    );
    assert_eq!(app.count("SELECT count(*) FROM document_versions").await, 1);

    // Nothing accepted at all: 422, and nothing stored.
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("setup.pdf", &exe)],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_keys(&app).await.len(), 1);
}

#[tokio::test]
async fn oversized_and_disallowed_files_are_refused_and_nothing_of_them_is_stored() {
    refusals(TestApp::spawn().await).await;
}

#[tokio::test]
async fn oversized_and_disallowed_files_are_refused_on_s3_too() {
    let storage = s3_storage().await;
    refusals(TestApp::spawn_with(move |c| c.storage = storage).await).await;
}

async fn cut_off(app: TestApp) {
    let (c, m) = matter(&app).await;
    let (ct, body) = form(app.a.id, None, &[("long.pdf", &pdf(7 * 1024 * 1024, 5))]);
    // The connection drops after 6 MiB: one part already sent to the storage.
    let sent = body[..6 * 1024 * 1024].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(sent)),
        Err(std::io::Error::other("connection reset")),
    ]);
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/matters/{m}/documents"))
        .header(header::HOST, "docket.test")
        .header(header::COOKIE, c.cookie.clone().unwrap())
        .header(header::CONTENT_TYPE, ct)
        .header(header::ACCEPT, "application/json")
        .body(Body::from_stream(stream))
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM documents").await, 0);
    assert!(
        stored_keys(&app).await.is_empty(),
        "{:?}",
        stored_keys(&app).await
    );
    // Below what the storage lists: no staging file in the folder, no unfinished multipart
    // upload in the bucket.
    match &app.state.config.storage {
        StorageConfig::Local { dir } => assert_eq!(files_under(dir), Vec::<String>::new()),
        StorageConfig::S3 {
            endpoint, bucket, ..
        } => {
            let listing = reqwest::get(format!("{endpoint}/{bucket}?uploads"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(listing.contains("ListMultipartUploadsResult"), "{listing}");
            assert!(
                !listing.contains("<Upload>"),
                "an unfinished upload is left: {listing}"
            );
        }
    }
}

/// Every file below `dir`, whatever the storage lists.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

#[tokio::test]
async fn an_upload_cut_off_half_way_leaves_no_row_and_no_bytes() {
    cut_off(TestApp::spawn().await).await;
}

#[tokio::test]
async fn an_upload_cut_off_half_way_leaves_nothing_on_s3() {
    let storage = s3_storage().await;
    cut_off(TestApp::spawn_with(move |c| c.storage = storage).await).await;
}

#[tokio::test]
async fn other_firms_and_walled_off_people_reach_nothing() {
    let app = TestApp::spawn().await;
    let (mut a, m) = matter(&app).await;
    let res = upload(
        &mut a,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("brief.pdf", &pdf(3000, 6))],
    )
    .await;
    let doc = res.json::<Outcome>().uploaded[0].document_id;
    let version = documents(&mut a, m).await.documents[0].version.to_string();

    let mut b = app.signed_in(app.b.admin).await;
    // A's ids, from B.
    assert_eq!(
        b.get(&format!("/documents/{doc}/file")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = upload(
        &mut b,
        &format!("/matters/{m}/documents"),
        app.b.id,
        &[("x.pdf", &pdf(100, 7))],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = upload(
        &mut b,
        &format!("/documents/{doc}/versions"),
        app.b.id,
        &[("x.pdf", &pdf(100, 7))],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let d = doc.to_string();
    let ms = m.to_string();
    for (path, form) in [
        (
            "/api/documents/rename",
            vec![
                ("id", d.as_str()),
                ("form[filename]", "mine.pdf"),
                ("form[version]", version.as_str()),
            ],
        ),
        (
            "/api/documents/delete",
            vec![("id", d.as_str()), ("version", version.as_str())],
        ),
        ("/api/documents/matter", vec![("matter", ms.as_str())]),
    ] {
        let res = b.post(path, &form).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {res:?}");
    }
    // A form rendered for A, sent from a session now in B.
    let res = upload(
        &mut b,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("x.pdf", &pdf(100, 7))],
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert_eq!(app.count("SELECT count(*) FROM document_versions").await, 1);
    assert_eq!(stored_keys(&app).await.len(), 1);

    // Billing people read documents but do not upload.
    let mut billing = app.signed_in(app.a.billing).await;
    let res = upload(
        &mut billing,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("x.pdf", &pdf(100, 7))],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        billing.get(&format!("/documents/{doc}/file")).await.status,
        StatusCode::OK
    );

    // Walled off: the matter restricted to the attorney; the firm's staff find nothing.
    let mut admin = app.signed_in(app.a.admin).await;
    let v = crate::walls::version(&app, m).await;
    let res = crate::walls::wall(&mut admin, m, v, &[app.a.attorney, app.a.admin]).await;
    assert!(res.status.is_success(), "{res:?}");
    let mut staff = app.signed_in(app.a.staff).await;
    assert_eq!(
        staff.get(&format!("/documents/{doc}/file")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.get(&format!("/documents/{doc}/file")).await.status,
        StatusCode::OK
    );
    // Signed out: the sign-in page, not the file.
    let res = app.anonymous().get(&format!("/documents/{doc}/file")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "{res:?}"
    );
}

#[tokio::test]
async fn folders_rename_move_delete_restore_and_purge() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("draft.pdf", &pdf(3000, 8))],
    )
    .await;
    let doc = res.json::<Outcome>().uploaded[0].document_id;
    let d = doc.to_string();
    let ms = m.to_string();
    let res = c
        .post(
            "/api/documents/create_folder",
            &[("matter", &ms), ("name", "Pleadings")],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let folder: Uuid = res.json();
    let res = c
        .post(
            "/api/documents/create_folder",
            &[("matter", &ms), ("name", "pleadings")],
        )
        .await;
    assert_eq!(
        res.error().fields().unwrap().get("name"),
        Some("The matter already has a folder of that name.")
    );

    let listed = documents(&mut c, m).await;
    let v = listed.documents[0].version.to_string();
    let res = c
        .post(
            "/api/documents/rename",
            &[
                ("id", &d),
                ("form[filename]", "Answer / final.pdf"),
                ("form[version]", &v),
            ],
        )
        .await;
    assert!(
        res.error().fields().unwrap().get("filename").is_some(),
        "a slash is refused"
    );
    let res = c
        .post(
            "/api/documents/rename",
            &[
                ("id", &d),
                ("form[filename]", "Answer.pdf"),
                ("form[version]", &v),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // The page showed the old version: 409, and what is stored now.
    let res = c
        .post(
            "/api/documents/move",
            &[("id", &d), ("folder", &folder.to_string()), ("version", &v)],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let v = documents(&mut c, m).await.documents[0].version.to_string();
    let res = c
        .post(
            "/api/documents/move",
            &[("id", &d), ("folder", &folder.to_string()), ("version", &v)],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let listed = documents(&mut c, m).await;
    assert_eq!(
        (
            listed.documents[0].filename.as_str(),
            listed.documents[0].folder_id
        ),
        ("Answer.pdf", Some(folder))
    );

    let v = listed.documents[0].version.to_string();
    assert!(c
        .post("/api/documents/delete", &[("id", &d), ("version", &v)])
        .await
        .status
        .is_success());
    let listed = documents(&mut c, m).await;
    assert!(listed.documents.is_empty());
    assert_eq!(listed.deleted.len(), 1);
    // A deleted document takes no version; it is restored whole.
    let res = upload(
        &mut c,
        &format!("/documents/{doc}/versions"),
        app.a.id,
        &[("v2.pdf", &pdf(100, 9))],
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let v = documents(&mut c, m).await.deleted[0].version.to_string();
    let stale = (v.parse::<i32>().unwrap() - 1).to_string();
    let res = c
        .post("/api/documents/restore", &[("id", &d), ("version", &stale)])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert!(c
        .post("/api/documents/restore", &[("id", &d), ("version", &v)])
        .await
        .status
        .is_success());
    assert_eq!(documents(&mut c, m).await.documents.len(), 1);

    // Purging: only a deleted document, only by an administrator; its bytes go with it.
    let v = documents(&mut c, m).await.documents[0].version.to_string();
    let res = c
        .post(
            "/api/documents/purge",
            &[("id", &d), ("version", &v), ("confirm", "on")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let v = documents(&mut c, m).await.documents[0].version.to_string();
    assert!(c
        .post("/api/documents/delete", &[("id", &d), ("version", &v)])
        .await
        .status
        .is_success());
    let mut admin = app.signed_in(app.a.admin).await;
    let v = documents(&mut c, m).await.deleted[0].version.to_string();
    let res = admin
        .post("/api/documents/purge", &[("id", &d), ("version", &v)])
        .await;
    assert_eq!(
        res.error()
            .fields()
            .unwrap()
            .get("confirm")
            .map(|m| m.starts_with("Tick")),
        Some(true),
        "purging asks for the box to be ticked"
    );
    let res = admin
        .post(
            "/api/documents/purge",
            &[("id", &d), ("version", &v), ("confirm", "on")],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(app.count("SELECT count(*) FROM documents").await, 0);
    assert!(stored_keys(&app).await.is_empty());
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM activity_logs WHERE action LIKE 'document.%' ORDER BY created_at, action",
    )
    .fetch_all(&app.admin_pool)
    .await
    .unwrap();
    for a in [
        "document.upload",
        "document.folder",
        "document.rename",
        "document.move",
        "document.delete",
        "document.restore",
        "document.purge",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn without_javascript_an_upload_comes_back_to_the_page_saying_what_happened() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let exe = b"MZ\x90\0\x03\0\0\0".repeat(10);
    let (ct, body) = form(
        app.a.id,
        None,
        &[
            ("Engagement letter.pdf", &pdf(2000, 10)),
            ("tool.pdf", &exe),
        ],
    );
    let res = c
        .request_with(
            Method::POST,
            &format!("/matters/{m}/documents"),
            Some(&ct),
            body,
            Some("text/html"),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{res:?}");
    // The outcome is kept for the page's next view, not written into its address.
    let to = res.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("/matters/{m}/documents"));
    let page = c.page(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Uploaded 1 file."), "{}", page.body);
    assert!(page.body.contains("Engagement letter.pdf"));
    assert!(page
        .body
        .contains("tool.pdf: This kind of file is not accepted by the firm."));
    // Once.
    let again = c.page(&to).await;
    assert!(!again.body.contains("Uploaded 1 file."));
    // A link cannot put words on the page.
    let spoof = c
        .page(&format!(
            "/matters/{m}/documents?uploaded=3&refused=Your+account+is+locked"
        ))
        .await;
    assert!(!spoof.body.contains("Your account is locked"));
    assert!(!spoof.body.contains("Uploaded 3 files."));
}

#[tokio::test]
async fn the_sweep_removes_bytes_no_version_names_and_keeps_the_rest() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("kept.pdf", &pdf(3000, 11))],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    // What a process killed between storing bytes and writing their rows leaves behind.
    let orphan = docket::documents::storage::Storage::key(app.a.id, m, Uuid::new_v4());
    let mut w = app.state.storage.writer(&orphan).await.unwrap();
    w.write(b"%PDF-1.4 never recorded").await.unwrap();
    w.finish().await.unwrap();
    assert_eq!(stored_keys(&app).await.len(), 2);

    // Young objects are left alone (an upload about to be recorded).
    let hour = std::time::Duration::from_secs(3600);
    let swept = docket::documents::sweep::sweep(&app.app_pool, &app.state.storage, hour).await;
    assert_eq!(swept, Ok(0));
    // An upload writing its rows holds the sweep off until it commits.
    let mut writing = app.app_pool.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(docket::documents::sweep::SWEEP_LOCK)
        .execute(&mut *writing)
        .await
        .unwrap();
    let (pool, storage) = (app.app_pool.clone(), app.state.storage.clone());
    let sweeping = tokio::spawn(async move {
        docket::documents::sweep::sweep(&pool, &storage, std::time::Duration::ZERO).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!sweeping.is_finished(), "the sweep waits for the writer");
    assert_eq!(stored_keys(&app).await.len(), 2);
    writing.commit().await.unwrap();
    assert_eq!(sweeping.await.unwrap(), Ok(1));
    let left = stored_keys(&app).await;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0], orphan);
    let doc = documents(&mut c, m).await.documents[0].id;
    assert_eq!(
        c.get(&format!("/documents/{doc}/file")).await.status,
        StatusCode::OK
    );
}

/// A transaction as the app's role, for `user` of `org`: past every check of the server
/// functions, as a bug in them would be.
pub(crate) async fn as_app(
    app: &TestApp,
    org: Uuid,
    user: Uuid,
) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = app.app_pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)")
        .bind(org.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[tokio::test]
async fn the_database_keeps_documents_within_their_firm_whatever_the_app_does() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("a.pdf", &pdf(500, 12))],
    )
    .await;
    let doc = res.json::<Outcome>().uploaded[0].document_id;
    sqlx::query("UPDATE documents SET deleted_at = now() WHERE id = $1")
        .bind(doc)
        .execute(&app.admin_pool)
        .await
        .unwrap();

    // Firm B's administrator purges firm A's deleted document: nothing happens.
    let mut tx = as_app(&app, app.b.id, app.b.admin).await;
    let keys: Vec<String> = sqlx::query_scalar("SELECT document_purge($1)")
        .bind(doc)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert!(keys.is_empty());
    tx.commit().await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM documents").await, 1);

    // An attorney of A may not purge at all.
    let mut tx = as_app(&app, app.a.id, app.a.attorney).await;
    let refused = sqlx::query("SELECT document_purge($1)")
        .bind(doc)
        .execute(&mut *tx)
        .await;
    assert!(refused.is_err());
    drop(tx);

    // A version naming A's document, written in B's scope: refused (as B's, or as A's).
    let key_of = |org: Uuid, id: Uuid| docket::documents::storage::Storage::key(org, m, id);
    for org in [app.b.id, app.a.id] {
        let mut tx = as_app(&app, app.b.id, app.b.admin).await;
        let id = Uuid::new_v4();
        let written = sqlx::query(
            "INSERT INTO document_versions (id, organization_id, matter_id, document_id, number,
                    original_name, content_type, size_bytes, sha256, storage_key)
             VALUES ($1, $2, $3, $4, 2, 'x.pdf', 'application/pdf', 1, repeat('a', 64), $5)",
        )
        .bind(id)
        .bind(org)
        .bind(m)
        .bind(doc)
        .bind(key_of(org, id))
        .execute(&mut *tx)
        .await;
        assert!(
            written.is_err(),
            "a version of another firm's document was written as {org}"
        );
    }
    // Keys are the firm's own: a version cannot name another firm's bytes.
    let mut tx = as_app(&app, app.a.id, app.a.admin).await;
    let id = Uuid::new_v4();
    let written = sqlx::query(
        "INSERT INTO document_versions (id, organization_id, matter_id, document_id, number,
                original_name, content_type, size_bytes, sha256, storage_key)
         VALUES ($1, $2, $3, $4, 2, 'x.pdf', 'application/pdf', 1, repeat('a', 64), $5)",
    )
    .bind(id)
    .bind(app.a.id)
    .bind(m)
    .bind(doc)
    .bind(key_of(app.b.id, id))
    .execute(&mut *tx)
    .await;
    assert!(written.is_err());
}

async fn upload_to_client(
    c: &mut Http,
    client: Uuid,
    org: Uuid,
    matter: Uuid,
    files: &[(&str, &[u8])],
) -> Res {
    let (org, matter) = (org.to_string(), matter.to_string());
    let (ct, body) = multipart(&[("org", &org), ("matter", &matter)], files);
    let path = format!("/clients/{client}/documents");
    c.request_with(
        Method::POST,
        &path,
        Some(&ct),
        body,
        Some("application/json"),
    )
    .await
}

/// An upload of `file` refused beside its "Matter" field, leaving no document behind.
async fn refused_for_its_matter(app: &TestApp, res: &Res, file: &str) {
    match res.error() {
        docket::error::AppError::Invalid(e) => assert!(e.get("matter").is_some(), "{e:?}"),
        e => panic!("{e:?}"),
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM documents WHERE filename = $1")
        .bind(file)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "{file}");
}

async fn client_documents(c: &mut Http, client: Uuid) -> Res {
    c.post("/api/documents/client", &[("client", &client.to_string())])
        .await
}

#[tokio::test]
async fn a_clients_documents_come_from_all_its_matters_and_are_uploaded_to_one_of_them() {
    use docket::documents::ClientDocuments;
    let app = TestApp::spawn().await;
    let (mut c, first) = matter(&app).await;
    let client: Uuid = sqlx::query_scalar("SELECT client_id FROM matters WHERE id = $1")
        .bind(first)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let second = crate::matters::create(&mut c, client, "Second matter", Some(app.a.attorney))
        .await
        .unwrap();
    let res = upload_to_client(
        &mut c,
        client,
        app.a.id,
        second,
        &[("engagement.txt", b"Engaged.")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let res = upload(
        &mut c,
        &format!("/matters/{first}/documents"),
        app.a.id,
        &[("memo.txt", b"Memo.")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let listed: ClientDocuments = client_documents(&mut c, client).await.json();
    let mut names: Vec<(&str, Uuid)> = listed
        .page
        .items
        .iter()
        .map(|d| (d.filename.as_str(), d.matter_id))
        .collect();
    names.sort();
    assert_eq!(names, vec![("engagement.txt", second), ("memo.txt", first)]);
    assert_eq!(listed.matters.len(), 2);
    // Both pages render on the server (without JavaScript), each with its upload form.
    for path in [
        format!("/clients/{client}/documents"),
        format!("/matters/{first}/documents"),
    ] {
        let page = c.page(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body.contains("aria-label=\"Upload documents\""),
            "{path}"
        );
        assert!(page.body.contains("memo.txt"), "{path}");
    }

    // Another client's matter (of the same firm) is refused, and nothing is stored.
    let other = crate::clients::create(&mut c, "Other Client").await;
    let theirs = crate::matters::create(&mut c, other, "Their matter", Some(app.a.attorney))
        .await
        .unwrap();
    let res = upload_to_client(
        &mut c,
        client,
        app.a.id,
        theirs,
        &[("stray.txt", b"Stray.")],
    )
    .await;
    refused_for_its_matter(&app, &res, "stray.txt").await;

    // Another firm: the client is not found, and its matters take nothing.
    let mut b = app.signed_in(app.b.attorney).await;
    assert_eq!(
        client_documents(&mut b, client).await.status,
        StatusCode::NOT_FOUND
    );
    let res = upload_to_client(&mut b, client, app.b.id, second, &[("b.txt", b"B.")]).await;
    refused_for_its_matter(&app, &res, "b.txt").await;

    // A walled-off matter's documents leave the list of those not named, who cannot upload to it.
    let mut admin = app.signed_in(app.a.admin).await;
    let v = crate::walls::version(&app, second).await;
    let res = crate::walls::wall(&mut admin, second, v, &[app.a.admin, app.a.attorney]).await;
    assert!(res.status.is_success(), "{res:?}");
    let mut staff = app.signed_in(app.a.staff).await;
    let seen: ClientDocuments = client_documents(&mut staff, client).await.json();
    let names: Vec<&str> = seen
        .page
        .items
        .iter()
        .map(|d| d.filename.as_str())
        .collect();
    assert_eq!(names, vec!["memo.txt"]);
    let res = upload_to_client(
        &mut staff,
        client,
        app.a.id,
        second,
        &[("walled.txt", b"W.")],
    )
    .await;
    refused_for_its_matter(&app, &res, "walled.txt").await;
}
