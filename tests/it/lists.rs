//! Keyset pages: every order pages forwards and back over each row exactly once, deep pages are
//! reached by cursor, and counts stop at "1,000+".

use docket::kernel::Page;
use docket::matters::MatterRow;
use uuid::Uuid;

use crate::support::TestApp;

/// A firm with `n` matters over a few clients and dates (written directly: the list is what is
/// tested here, not the form).
async fn matters(app: &TestApp, n: i32) {
    sqlx::query(
        "INSERT INTO clients (organization_id, client_type, name)
         SELECT $1, 'company', 'Client ' || g FROM generate_series(1, 7) g",
    )
    .bind(app.a.id)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO matters (organization_id, client_id, matter_number, title, status, priority, practice_area,
                              date_opened, date_closed)
         SELECT $1, (SELECT id FROM clients WHERE organization_id = $1 ORDER BY name OFFSET g % 7 LIMIT 1),
                'K-' || g, 'Matter ' || (g % 13) || ' of many',
                (ARRAY['open','pending','on_hold','closed'])[1 + g % 4],
                (ARRAY['low','normal','high','urgent'])[1 + g % 3],
                'litigation', DATE '2026-01-01' + (g % 17),
                CASE WHEN g % 4 = 3 THEN DATE '2026-02-01' END
           FROM generate_series(1, $2) g",
    )
    .bind(app.a.id)
    .bind(n)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE matters")
        .execute(&app.admin_pool)
        .await
        .unwrap();
}

async fn page(c: &mut crate::support::Client, form: &[(&str, &str)]) -> Page<MatterRow> {
    c.post("/api/matters/list", form).await.json()
}

#[tokio::test]
async fn every_order_pages_over_each_row_once_forwards_and_back() {
    let app = TestApp::spawn().await;
    matters(&app, 90).await;
    let mut c = app.signed_in(app.a.admin).await;
    for sort in ["opened", "title", "client", "status", "priority", "updated"] {
        for dir in ["asc", "desc"] {
            let filters = [("query[sort]", sort), ("query[dir]", dir)];
            let mut seen: Vec<Uuid> = vec![];
            let mut pages = vec![page(&mut c, &filters).await];
            while let Some(next) = pages.last().unwrap().next.clone() {
                let mut form = filters.to_vec();
                form.push(("query[paging][after]", &next));
                let p = page(&mut c, &form).await;
                pages.push(p);
                assert!(pages.len() < 10, "{sort} {dir}: pages never end");
            }
            for p in &pages {
                seen.extend(p.items.iter().map(|m| m.id));
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(seen.len(), 90, "{sort} {dir}: every row once");
            assert_eq!(unique.len(), 90, "{sort} {dir}: no row twice");
            // Back from the last page to the first, by the `prev` cursors.
            let mut back = pages.last().unwrap().clone();
            for expected in pages.iter().rev().skip(1) {
                let prev = back.prev.clone().expect("a previous page");
                let mut form = filters.to_vec();
                form.push(("query[paging][before]", &prev));
                back = page(&mut c, &form).await;
                assert_eq!(
                    back.items, expected.items,
                    "{sort} {dir}: back is the same page"
                );
            }
        }
    }
}

#[tokio::test]
async fn counts_stop_at_a_thousand_and_cursors_reach_deep_pages() {
    let app = TestApp::spawn().await;
    matters(&app, 1200).await;
    let mut c = app.signed_in(app.a.admin).await;
    let first = page(&mut c, &[("query[q]", "")]).await;
    assert_eq!(first.total.label(), "1,000+");
    assert_eq!(first.range_label(), "1–25 of 1,000+");
    // The page shows its rows and the same range (without JavaScript, as rendered).
    let html = c.page("/matters").await.body;
    assert!(html.contains("1–25 of 1,000+"), "the pager's range");
    assert_eq!(
        html.matches("<tr>").count(),
        26,
        "a header row and 25 matters"
    );
    // The edge of page 40, as the pager's link would carry it.
    let (opened, id): (String, Uuid) = sqlx::query_as(
        "SELECT date_opened::text, id FROM matters ORDER BY date_opened DESC, id DESC OFFSET 974 LIMIT 1",
    )
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    let cursor = format!("{opened}~{id}");
    let deep = page(
        &mut c,
        &[
            ("query[paging][after]", &cursor),
            ("query[paging][page]", "40"),
        ],
    )
    .await;
    assert_eq!(deep.items.len(), 25);
    assert_eq!(deep.range_label(), "976–1,000 of 1,000+");
    let expected: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM matters ORDER BY date_opened DESC, id DESC OFFSET 975 LIMIT 25",
    )
    .fetch_all(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(
        deep.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        expected
    );
    let open = page(&mut c, &[("query[status]", "open")]).await;
    assert_eq!(open.total.label(), "300");
    // A cursor that is not one is the first page, not an error.
    let junk = page(
        &mut c,
        &[("query[paging][after]", "'; DROP TABLE matters; --")],
    )
    .await;
    assert_eq!(junk.items, first.items);
}

#[tokio::test]
async fn a_cursor_that_is_not_one_is_the_first_page() {
    let app = TestApp::spawn().await;
    matters(&app, 40).await;
    let mut c = app.signed_in(app.a.admin).await;
    let nil = Uuid::nil();
    for sort in ["opened", "title", "client", "status", "priority", "updated"] {
        let first = page(&mut c, &[("query[sort]", sort)]).await;
        for key in ["smith", "99999999999", "2026-13-45", "not a time", "\u{0}"] {
            let cursor = format!("{key}~{nil}");
            let res = c
                .post(
                    "/api/matters/list",
                    &[("query[sort]", sort), ("query[paging][after]", &cursor)],
                )
                .await;
            assert!(
                res.status.is_success(),
                "{sort} after {key:?}: {} {}",
                res.status,
                res.body
            );
            if sort != "title" && sort != "client" {
                let p: Page<MatterRow> = res.json();
                assert_eq!(p.items, first.items, "{sort} after {key:?}");
            }
        }
    }
    // And on a page: no 500.
    let page = c
        .page(&format!("/matters?sort=opened&after=smith~{nil}&page=2"))
        .await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    let res = c.page(&format!("/activity?after=x~{nil}")).await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
}

#[tokio::test]
async fn a_missing_asset_is_not_cached() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let res = c.get("/pkg/docket.0123456789abcdef.wasm").await;
    assert_eq!(res.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(res.headers["cache-control"], "no-store");
}
