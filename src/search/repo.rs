//! The search's SQL: each kind ranked by PostgreSQL full-text search (GIN indexes on clients,
//! matters, document names and documents' text), the best `MAX_HITS` together, and only those
//! get their snippet (`ts_headline` reads the whole text, so it runs on the results alone).

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
ranked AS (
    (SELECT 'client' AS kind, c.id, c.name AS title, '' AS context, c.id AS link,
            ts_rank(c.search, q.si) AS rank
       FROM clients c, q WHERE c.search @@ q.si ORDER BY rank DESC LIMIT $2)
    UNION ALL
    (SELECT 'contact', cc.id, cc.value, c.name, c.id,
            ts_rank(to_tsvector('simple', regexp_replace(cc.value, '[^[:alnum:]]+', ' ', 'g')), q.si) * 0.9
       FROM client_contacts cc JOIN clients c ON c.id = cc.client_id, q
      WHERE to_tsvector('simple', regexp_replace(cc.value, '[^[:alnum:]]+', ' ', 'g')) @@ q.si
      ORDER BY 6 DESC LIMIT $2)
    UNION ALL
    (SELECT 'matter', m.id, m.matter_number || ' ' || m.title, c.name, m.id, ts_rank(m.search, q.en)
       FROM matters m JOIN clients c ON c.id = m.client_id, q
      WHERE m.search @@ q.en ORDER BY 6 DESC LIMIT $2)
    UNION ALL
    -- Documents by their newest version's text and by their name, each through its own index,
    -- then one row per document.
    (SELECT 'document', d.id, d.filename, m.matter_number || ' ' || m.title, d.matter_id,
            sum(hit.r) AS rank
       FROM ((SELECT v.document_id AS id, v.number, ts_rank(v.text_search, q.en) AS r
                FROM document_versions v, q WHERE v.text_search @@ q.en)
             UNION ALL
             (SELECT n.id, NULL::integer, ts_rank(n.name_search, q.si)
                FROM documents n, q WHERE n.name_search @@ q.si)) hit
       JOIN documents d ON d.id = hit.id
       JOIN matters m ON m.id = d.matter_id
      WHERE d.deleted_at IS NULL AND (hit.number IS NULL OR hit.number = d.latest)
      GROUP BY d.id, d.filename, m.matter_number, m.title, d.matter_id
      ORDER BY rank DESC LIMIT $2)
),
best AS (SELECT * FROM ranked ORDER BY rank DESC, title LIMIT $2)
SELECT b.kind, b.id, b.title, b.context, b.link,
       CASE b.kind
         WHEN 'document' THEN ts_headline('english',
              coalesce(nullif(left(v.text_content, 65536), ''), b.title), q.en, $3)
         WHEN 'matter' THEN ts_headline('english', m.title || ' — ' || m.description, q.en, $3)
         ELSE ts_headline('simple', b.title, q.si, $3)
       END AS snippet
  FROM best b CROSS JOIN q
  LEFT JOIN documents d ON b.kind = 'document' AND d.id = b.id
  LEFT JOIN document_versions v ON v.document_id = d.id AND v.number = d.latest
  LEFT JOIN matters m ON b.kind = 'matter' AND m.id = b.id
 ORDER BY b.rank DESC, b.title";

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
