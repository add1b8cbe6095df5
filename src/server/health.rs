//! `GET /health` (liveness) and `GET /health/detailed` (dependencies, 503 when one is down).

use std::time::{Duration, Instant};

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};
use tower_sessions_redis_store::fred::prelude::ClientLike;

use super::AppState;

pub async fn health() -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "timestamp": chrono::Utc::now().to_rfc3339(),
    }))
}

pub async fn detailed(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = probe(async {
        sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&state.db)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await;
    let redis = probe(async {
        state
            .redis
            .ping::<String>(None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await;
    let healthy = db.0 && redis.0;
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if healthy { "ok" } else { "degraded" },
            "version": env!("CARGO_PKG_VERSION"),
            "timestamp": chrono::Utc::now().to_rfc3339(),
            "checks": { "database": db.1, "redis": redis.1 },
        })),
    )
}

async fn probe(check: impl std::future::Future<Output = Result<(), String>>) -> (bool, Value) {
    let start = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(2), check).await;
    let latency_ms = (start.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
    match outcome {
        Ok(Ok(())) => (true, json!({ "status": "up", "latency_ms": latency_ms })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check failed");
            (
                false,
                json!({ "status": "down", "latency_ms": latency_ms, "error": "unreachable" }),
            )
        }
        Err(_) => (
            false,
            json!({ "status": "down", "latency_ms": latency_ms, "error": "timeout" }),
        ),
    }
}
