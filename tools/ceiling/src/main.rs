//! `GET /matters?org=…&user=…`: the first page of a firm's matters as JSON, by the same statements
//! Docket's matter list runs (see Cargo.toml).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Deserialize)]
struct Params {
    org: Uuid,
    user: Uuid,
}

#[derive(Serialize, sqlx::FromRow)]
struct Row {
    id: Uuid,
    matter_number: String,
    title: String,
    client_id: Uuid,
    client_name: String,
    status: String,
    priority: String,
    stage: String,
    practice_area: String,
    responsible_name: Option<String>,
    date_opened: chrono::NaiveDate,
    sort_key: String,
    total_capped: i64,
}

const PAGE: &str = "SELECT m.id, m.matter_number, m.title, m.client_id, c.name AS client_name, m.status,
        m.priority, m.stage, m.practice_area, u.full_name AS responsible_name, m.date_opened,
        (m.date_opened)::text AS sort_key,
        (SELECT count(*) FROM (SELECT 1 FROM matters m WHERE true LIMIT 1001) capped) AS total_capped
   FROM matters m
   JOIN clients c ON c.id = m.client_id
   LEFT JOIN users u ON u.id = m.responsible_attorney_id
  WHERE true ORDER BY m.date_opened DESC, m.id DESC LIMIT 26";

async fn matters(State(db): State<PgPool>, Query(p): Query<Params>) -> Json<Vec<Row>> {
    let begin = format!(
        "BEGIN READ ONLY; SELECT set_config('app.user_id', '{}', true), set_config('app.org_id', '{}', true)",
        p.user, p.org
    );
    let mut tx = db.begin_with(sqlx::AssertSqlSafe(begin)).await.unwrap();
    let rows = sqlx::query_as::<_, Row>(PAGE)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Json(rows)
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect(&url)
        .await
        .unwrap();
    let app = Router::new().route("/matters", get(matters)).with_state(db);
    let addr = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:8003".into());
    axum::serve(tokio::net::TcpListener::bind(addr).await.unwrap(), app)
        .await
        .unwrap();
}
