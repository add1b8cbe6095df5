//! Documents' text read in the background (a bounded child process), and search across the firm:
//! clients, contacts, matters and documents, ranked, with the matching words marked, and never
//! another firm's.

use std::io::Write;

use axum::http::StatusCode;
use docket::documents::Outcome;
use docket::documents::TextStatus;
use docket::search::{HitKind, SearchResults};
use uuid::Uuid;

use crate::documents::{documents, matter, upload};
use crate::support::{Client as Http, TestApp};

/// A one-page PDF whose text is `words` (Helvetica, one line per entry).
pub fn text_pdf(lines: &[&str]) -> Vec<u8> {
    let mut stream = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
    for l in lines {
        stream.push_str(&format!("({l}) Tj T*\n"));
    }
    stream.push_str("ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = vec![];
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objs.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    ));
    out.into_bytes()
}

/// A .docx whose paragraphs are `paragraphs`.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("[Content_Types].xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", stored).unwrap();
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    zip.write_all(format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Run every due job (the text readers) to the end.
async fn read_texts(app: &TestApp) {
    while docket::jobs::worker::run_due(&app.state, "test/0")
        .await
        .unwrap()
        .is_some()
    {}
}

async fn search(c: &mut Http, q: &str) -> SearchResults {
    let res = c.post("/api/search", &[("q", q)]).await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

#[tokio::test]
async fn the_text_inside_pdfs_and_word_documents_is_read_in_the_background() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let pdf = text_pdf(&[
        "Motion to dismiss",
        "The doctrine of promissory estoppel applies.",
    ]);
    let word = docx(&["Memorandum", "Equitable estoppel &amp; laches."]);
    let broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage".to_vec();
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[
            ("motion.pdf", &pdf),
            ("memo.docx", &word),
            ("broken.pdf", &broken),
            ("notes.txt", b"call the clerk"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.json::<Outcome>().uploaded.len(), 4);
    // Queued with the upload, read by a worker, not in the request.
    let listed = documents(&mut c, m).await;
    assert!(listed
        .documents
        .iter()
        .all(|d| d.latest().unwrap().text == TextStatus::Pending));
    read_texts(&app).await;
    let listed = documents(&mut c, m).await;
    let status = |name: &str| {
        listed
            .documents
            .iter()
            .find(|d| d.filename == name)
            .unwrap()
            .latest()
            .unwrap()
            .text
    };
    assert_eq!(status("motion.pdf"), TextStatus::Done);
    assert_eq!(status("memo.docx"), TextStatus::Done);
    assert_eq!(status("notes.txt"), TextStatus::Done);
    assert_eq!(status("broken.pdf"), TextStatus::Unreadable);
    let text: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.filename, v.text_content FROM document_versions v JOIN documents d ON d.id = v.document_id
          WHERE v.text_status = 'done' ORDER BY 1",
    )
    .fetch_all(&app.admin_pool)
    .await
    .unwrap();
    assert!(
        text[0].1.contains("Equitable estoppel & laches."),
        "{text:?}"
    );
    assert!(text[1].1.contains("promissory estoppel"), "{text:?}");
    // Recorded once: not even the schema owner rewrites a version's text afterwards; other
    // columns' updates (a departed uploader's id set to NULL) still go through.
    let rewritten =
        sqlx::query("UPDATE document_versions SET text_content = 'x' WHERE text_status = 'done'")
            .execute(&app.admin_pool)
            .await
            .unwrap_err();
    assert_eq!(
        rewritten
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("55000"),
        "{rewritten}"
    );
    sqlx::query("UPDATE document_versions SET uploaded_by = NULL")
        .execute(&app.admin_pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn search_ranks_documents_by_their_text_above_a_passing_mention_and_never_shows_other_firms()
{
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    sqlx::query(
        "UPDATE matters SET description = 'Lease dispute; estoppel was raised once.' WHERE id = $1",
    )
    .bind(m)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let pdf = text_pdf(&[
        "Estoppel.",
        "Estoppel by deed, estoppel by record, estoppel in pais.",
    ]);
    let word = docx(&[
        "Estoppel",
        "The estoppel argument: estoppel, estoppel and estoppel.",
    ]);
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("brief.pdf", &pdf), ("research.docx", &word)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    // Another firm's document with the same word.
    let mut b = app.signed_in(app.b.attorney).await;
    let client_b = crate::clients::create(&mut b, "Beta Client").await;
    let mb = crate::matters::create(&mut b, client_b, "Beta matter", Some(app.b.attorney))
        .await
        .unwrap();
    let res = upload(
        &mut b,
        &format!("/matters/{mb}/documents"),
        app.b.id,
        &[(
            "beta.pdf",
            &text_pdf(&["estoppel estoppel estoppel estoppel"]),
        )],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    read_texts(&app).await;

    let found = search(&mut c, "estoppel").await;
    let kinds: Vec<(HitKind, &str)> = found
        .hits
        .iter()
        .map(|h| (h.kind, h.title.as_str()))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert_eq!(
        kinds[2].0,
        HitKind::Matter,
        "the matter mentions it once: {kinds:?}"
    );
    let docs: Vec<&str> = kinds[..2].iter().map(|(_, t)| *t).collect();
    assert!(
        docs.contains(&"brief.pdf") && docs.contains(&"research.docx"),
        "{kinds:?}"
    );
    // The matching words are marked; the link leads to the document's matter.
    let brief = found.hits.iter().find(|h| h.title == "brief.pdf").unwrap();
    assert!(
        brief
            .snippet
            .iter()
            .any(|(t, marked)| *marked && t.eq_ignore_ascii_case("estoppel")),
        "{brief:?}"
    );
    assert_eq!(brief.href, format!("/matters/{m}/documents"));
    // Prefixes, clients and contacts.
    assert!(search(&mut c, "estop").await.hits.len() >= 3);
    let clients = search(&mut c, "Documents Client").await;
    assert!(clients.hits.iter().any(|h| h.kind == HitKind::Client));

    // Firm B finds only its own.
    let theirs = search(&mut b, "estoppel").await;
    assert_eq!(
        theirs
            .hits
            .iter()
            .map(|h| h.title.as_str())
            .collect::<Vec<_>>(),
        vec!["beta.pdf"]
    );
    // Deleted documents are not found.
    let doc: Uuid = documents(&mut c, m)
        .await
        .documents
        .iter()
        .find(|d| d.filename == "brief.pdf")
        .unwrap()
        .id;
    let v = documents(&mut c, m)
        .await
        .documents
        .iter()
        .find(|d| d.id == doc)
        .unwrap()
        .version
        .to_string();
    assert!(c
        .post(
            "/api/documents/delete",
            &[("id", &doc.to_string()), ("version", &v)]
        )
        .await
        .status
        .is_success());
    assert!(!search(&mut c, "estoppel")
        .await
        .hits
        .iter()
        .any(|h| h.title == "brief.pdf"));
    // Words that are not search syntax.
    assert!(search(&mut c, "!& | :*").await.hits.is_empty());
    assert!(search(&mut c, "estoppel & !(x | y):*").await.hits.len() <= 1);
    // Documents by a word of their name, contacts by their address.
    assert!(search(&mut c, "research")
        .await
        .hits
        .iter()
        .any(|h| h.title == "research.docx"));
    let client: Uuid = sqlx::query_scalar("SELECT client_id FROM matters WHERE id = $1")
        .bind(m)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO client_contacts (organization_id, client_id, contact_type, value)
         VALUES ($1, $2, 'email', 'ada.lovelace@example.com')",
    )
    .bind(app.a.id)
    .bind(client)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let by_mail = search(&mut c, "lovelace@example").await;
    assert!(
        by_mail.hits.iter().any(|h| h.kind == HitKind::Contact),
        "{by_mail:?}"
    );
    let whole = search(&mut c, "ada.lovelace@example.com").await;
    assert!(
        whole.hits.iter().any(|h| h.kind == HitKind::Contact),
        "{whole:?}"
    );
    // The page works without JavaScript.
    let page = c.page("/search?q=estoppel").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("research.docx"), "{}", page.body);
    assert!(page.body.contains("<mark>"));

    // A document's own control characters cannot fake the marks of a match.
    let sly = "alpha \u{1}beta\u{2} gamma \u{202E}delta"
        .as_bytes()
        .to_vec();
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        app.a.id,
        &[("sly.txt", &sly)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    read_texts(&app).await;
    let found = search(&mut c, "gamma").await;
    let hit = found
        .hits
        .iter()
        .find(|h| h.title == "sly.txt")
        .expect("found by its text");
    let marked: Vec<&str> = hit
        .snippet
        .iter()
        .filter(|(_, m)| *m)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(marked, vec!["gamma"], "{hit:?}");
    assert!(!hit.snippet.iter().any(|(t, _)| t.contains('\u{202E}')));

    // Walled off: restricted to its attorney and the administrator, the matter and its
    // documents are found by no one else.
    let mut staff = app.signed_in(app.a.staff).await;
    let seen = search(&mut staff, "estoppel").await;
    assert!(
        seen.hits.iter().any(|h| h.kind == HitKind::Matter)
            && seen.hits.iter().any(|h| h.kind == HitKind::Document),
        "{seen:?}"
    );
    let mut admin = app.signed_in(app.a.admin).await;
    let v = crate::walls::version(&app, m).await;
    let res = crate::walls::wall(&mut admin, m, v, &[app.a.attorney, app.a.admin]).await;
    assert!(res.status.is_success(), "{res:?}");
    let hidden = search(&mut staff, "estoppel").await;
    assert!(hidden.hits.is_empty(), "{hidden:?}");
    assert!(!search(&mut c, "estoppel").await.hits.is_empty());
}

/// A document of `matter` whose versions' texts are `texts` (the last the newest), written
/// directly (as if uploaded and read).
async fn document_with_text(
    app: &TestApp,
    org: Uuid,
    matter: Uuid,
    name: &str,
    texts: &[&str],
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO documents (id, organization_id, matter_id, filename) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(org)
    .bind(matter)
    .bind(name)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    for (i, text) in texts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO document_versions (id, organization_id, matter_id, document_id, number,
                    original_name, content_type, size_bytes, sha256, storage_key, text_status, text_content)
             VALUES ($1, $2, $3, $4, $5, $6, 'text/plain', 1, repeat('0', 64),
                     $2::text || '/' || $3::text || '/' || $1::text, 'done', $7)",
        )
        .bind(Uuid::new_v4())
        .bind(org)
        .bind(matter)
        .bind(id)
        .bind(i as i32 + 1)
        .bind(name)
        .bind(text)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    }
    id
}

/// What `app_search` itself returns to `user` of `org` (not what the page shows after the rows
/// are read again under row-level security).
async fn ranked(app: &TestApp, org: Uuid, user: Uuid, query: &str) -> Vec<Uuid> {
    let mut tx = crate::documents::as_app(app, org, user).await;
    let mut ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM app_search($1, 100)")
        .bind(query)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    ids.sort();
    ids
}

#[tokio::test]
async fn app_search_itself_keeps_to_the_firm_its_walls_live_documents_and_newest_versions() {
    let app = TestApp::spawn().await;
    let (mut c, open) = matter(&app).await;
    let client: Uuid = sqlx::query_scalar("SELECT client_id FROM matters WHERE id = $1")
        .bind(open)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let walled = crate::matters::create(&mut c, client, "Walled matter", Some(app.a.attorney))
        .await
        .unwrap();
    let mut b = app.signed_in(app.b.attorney).await;
    let client_b = crate::clients::create(&mut b, "Beta Client").await;
    let theirs = crate::matters::create(&mut b, client_b, "Beta matter", Some(app.b.attorney))
        .await
        .unwrap();
    let (a, word) = (app.a.id, "kestrel:*");
    let seen = document_with_text(&app, a, open, "seen.txt", &["A kestrel hovers."]).await;
    let hidden = document_with_text(&app, a, walled, "hidden.txt", &["A kestrel again."]).await;
    let gone = document_with_text(&app, a, open, "gone.txt", &["The kestrel left."]).await;
    document_with_text(
        &app,
        a,
        open,
        "old.txt",
        &["A kestrel once.", "Nothing now."],
    )
    .await;
    let beta = document_with_text(&app, app.b.id, theirs, "beta.txt", &["Their kestrel."]).await;
    sqlx::query("UPDATE documents SET deleted_at = now() WHERE id = $1")
        .bind(gone)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut admin = app.signed_in(app.a.admin).await;
    let v = crate::walls::version(&app, walled).await;
    let res = crate::walls::wall(&mut admin, walled, v, &[app.a.admin, app.a.attorney]).await;
    assert!(res.status.is_success(), "{res:?}");

    let mut named = vec![seen, hidden];
    named.sort();
    assert_eq!(ranked(&app, a, app.a.attorney, word).await, named);
    assert_eq!(ranked(&app, a, app.a.staff, word).await, vec![seen]);
    assert_eq!(
        ranked(&app, app.b.id, app.b.attorney, word).await,
        vec![beta]
    );
    // No firm set: nothing.
    let mut tx = app.app_pool.begin().await.unwrap();
    let none: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM app_search('kestrel:*', 100)")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_word_in_thousands_of_versions_still_finds_the_live_documents_that_have_it() {
    let app = TestApp::spawn().await;
    let (_c, m) = matter(&app).await;
    let a = app.a.id;
    let live = document_with_text(&app, a, m, "live.txt", &["An osprey nests."]).await;
    sqlx::query(
        "UPDATE document_versions SET created_at = now() - interval '1 day' WHERE document_id = $1",
    )
    .bind(live)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    // A deleted document re-versioned 1,200 times since, every version with the word: the
    // newest matches ranked are live documents' newest versions, not these.
    let gone = document_with_text(&app, a, m, "gone.txt", &["osprey"]).await;
    sqlx::query(
        "INSERT INTO document_versions (id, organization_id, matter_id, document_id, number,
                original_name, content_type, size_bytes, sha256, storage_key, text_status, text_content)
         SELECT x.id, $1, $2, $3, x.g, 'gone.txt', 'text/plain', 1, repeat('0', 64),
                $1::text || '/' || $2::text || '/' || x.id::text, 'done', 'osprey again'
           FROM (SELECT gen_random_uuid() AS id, g FROM generate_series(2, 1201) g ORDER BY g) x",
    )
    .bind(a)
    .bind(m)
    .bind(gone)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    sqlx::query("UPDATE documents SET deleted_at = now() WHERE id = $1")
        .bind(gone)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(
        ranked(&app, a, app.a.attorney, "osprey:*").await,
        vec![live]
    );
}
