//! The search's SQL. `app_search` (migration 27) ranks the firm's clients, contacts, matters and
//! documents through their GIN indexes and returns the best `MAX_HITS` kinds and ids; each hit's
//! row is then read here again under row-level security, and only those get their snippet
//! (`ts_headline` reads the whole text, so it runs on the results alone).

use uuid::Uuid;

use super::{pieces, Hit, HitKind, MAX_HITS};
use crate::error::AppError;
use crate::kernel::{prefix_tsquery, Choice};
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    id: Uuid,
    title: String,
    context: String,
    link: Uuid,
    snippet: String,
}

const SEARCH: &str = "
WITH q AS (SELECT to_tsquery('english', $1) AS en, to_tsquery('simple', $1) AS si),
best AS (SELECT kind, id, rank FROM app_search($1, $2::integer))
SELECT b.kind, b.id,
       coalesce(c.name, cc.value, m.matter_number || ' ' || m.title, d.filename) AS title,
       coalesce(contact_client.name, matter_client.name, dm.matter_number || ' ' || dm.title, '') AS context,
       coalesce(c.id, contact_client.id, m.id, d.matter_id) AS link,
       CASE b.kind
         WHEN 'document' THEN ts_headline('english',
              coalesce(nullif(left(v.text_content, 65536), ''), d.filename), q.en, $3)
         WHEN 'matter' THEN ts_headline('english', m.title || ' — ' || m.description, q.en, $3)
         WHEN 'contact' THEN ts_headline('simple', cc.value, q.si, $3)
         ELSE ts_headline('simple', c.name, q.si, $3)
       END AS snippet
  FROM best b CROSS JOIN q
  LEFT JOIN clients c ON b.kind = 'client' AND c.id = b.id
  LEFT JOIN client_contacts cc ON b.kind = 'contact' AND cc.id = b.id
  LEFT JOIN clients contact_client ON contact_client.id = cc.client_id
  LEFT JOIN matters m ON b.kind = 'matter' AND m.id = b.id
  LEFT JOIN clients matter_client ON matter_client.id = m.client_id
  LEFT JOIN documents d ON b.kind = 'document' AND d.id = b.id AND d.deleted_at IS NULL
  LEFT JOIN document_versions v ON v.document_id = d.id AND v.number = d.latest
  LEFT JOIN matters dm ON dm.id = d.matter_id
 -- Each hit's own row, as row-level security lets the caller see it.
 WHERE coalesce(c.id, cc.id, m.id, d.id) IS NOT NULL
 ORDER BY b.rank DESC, 3";

/// The hits for what was typed (every word as a prefix), best first.
pub async fn search(tx: &mut Tx, typed: &str) -> Result<Vec<Hit>, AppError> {
    let tsquery = prefix_tsquery(typed);
    if tsquery.is_empty() {
        return Ok(vec![]);
    }
    let options = format!(
        "StartSel={}, StopSel={}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=\" … \"",
        super::START,
        super::STOP
    );
    let rows: Vec<Row> = sqlx::query_as(SEARCH)
        .bind(&tsquery)
        .bind(MAX_HITS)
        .bind(options)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = HitKind::parse(&r.kind)?;
            let href = match kind {
                HitKind::Client | HitKind::Contact => format!("/clients/{}", r.link),
                HitKind::Matter => format!("/matters/{}", r.link),
                HitKind::Document => format!("/matters/{}/documents", r.link),
            };
            Some(Hit {
                kind,
                id: r.id,
                title: r.title,
                context: r.context,
                href,
                snippet: pieces(&r.snippet),
            })
        })
        .collect())
}
