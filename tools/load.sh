#!/usr/bin/env bash
# The load benchmark (`tools/dev.sh load`): Docket's release build against the large firm
# (20,000 clients, 100,000 matters), signed in, driven by wrk; beside it in the same run the
# ceiling (a bare axum + sqlx handler, ../shared/peers/bare-axum) and the design Docket replaces
# (FastAPI, ../shared/peers/fastapi-seed), each on the same PostgreSQL. Prints req/s, p50, p99
# and Docket's RSS. Figures only: nothing here passes or fails on speed.
#
# Called by tools/dev.sh with the services running and PG_PORT, REDIS_PORT, ROOT, DATA set.
set -euo pipefail

DURATION="${LOAD_DURATION:-10s}"
CONNECTIONS="${LOAD_CONNECTIONS:-16}"
PORT="${LOAD_PORT:-3400}"
PEERS="${LOAD_PEERS:-$ROOT/../shared/peers}"
DB=docket_load
BASE="http://127.0.0.1:$PORT"
JAR="$DATA/load-cookies.txt"
OUT="$DATA/load"
mkdir -p "$OUT"

say() { printf '\033[1m[load]\033[0m %s\n' "$*" >&2; }
psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# One wrk run; prints "req/s p50 p99" (latencies in ms).
measure() {
  local name="$1" url="$2"; shift 2
  local file; file="$OUT/$(printf %s "$name" | tr -c 'A-Za-z0-9' '_').txt"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$file" 2>&1 || true
  awk -v name="$name" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%-34s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms%s", name, rps, p50, p99, (bad ? "   (" bad " non-2xx!)" : "") }
  ' "$file"
  if [ -n "${DOCKET_PID:-}" ] && [[ "$name" == docket* ]]; then printf "   RSS %s MiB\n" "$(rss_mib "$DOCKET_PID")"; else echo; fi
}

# ── Docket ───────────────────────────────────────────────────────────────────────────────────
# A fresh database each run: the figures are of this build's schema and a just-seeded firm.
psql_admin -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql_admin -d postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://docket_app:docket_app@127.0.0.1:$PG_PORT/$DB"
export DATABASE_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/$DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
target/release/docket seed >/dev/null
target/release/docket seed --large 20000 100000 >/dev/null

# Sign-in counters from earlier runs would throttle this run's sign-ins (a dev Redis).
redis-cli -p "$REDIS_PORT" --scan --pattern 'docket:signin:*' | xargs -r redis-cli -p "$REDIS_PORT" del >/dev/null
say "starting Docket (release) on $BASE"
# Without backtraces, as deployed (README, "Deployment"): a developer's RUST_BACKTRACE=1 would make
# the first panic load the binary's symbol table into memory for good (42 -> 84 MiB of RSS in one
# run), which is not the server's own. Panics are still counted below, and their places shown.
RUST_BACKTRACE=0 RATE_LIMIT_PER_USER=0 RATE_LIMIT_PER_ADDRESS=0 LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site \
  LEPTOS_OUTPUT_NAME=docket LEPTOS_SITE_PKG_DIR=pkg BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
  LOG_FORMAT=json target/release/docket > "$OUT/docket.log" 2>&1 &
DOCKET_PID=$!
PIDS=("$DOCKET_PID")
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
RSS_FRESH=$(rss_mib "$DOCKET_PID")
# A just-seeded database has its first backups due at once (the large firm's takes a few seconds
# and leaves about 25 MiB more RSS under concurrent requests): let them finish before measuring.
for _ in $(seq 120); do
  [ "$(psql_admin -d "$DB" -qtAc "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND run_at <= now()")" = 0 ] && break
  sleep 0.5
done
RSS_JOBS=$(rss_mib "$DOCKET_PID")

sign_in() {
  rm -f "$JAR"
  curl -fsS -o /dev/null -c "$JAR" -b "$JAR" -H 'Accept: application/json' \
    --data-urlencode "email=$1" --data-urlencode "password=docket-demo" "$BASE/api/auth/login"
}
sign_in admin@large.test
COOKIE="docket_session=$(awk '$6 == "docket_session" { print $7 }' "$JAR")"
ORG=$(psql_admin -d "$DB" -qtAc "SELECT id FROM organizations WHERE slug = 'large-firm'")
MATTER=$(psql_admin -d "$DB" -qtAc "SELECT id FROM matters WHERE organization_id = '$ORG' ORDER BY date_opened DESC, id DESC LIMIT 1")
# The edge of page 2,000 (25 rows a page) of the default order, as the pager would link it.
DEEP=$(psql_admin -d "$DB" -qtAc "SELECT date_opened::text || '~' || id FROM matters WHERE organization_id = '$ORG'
                                  ORDER BY date_opened DESC, id DESC OFFSET 49974 LIMIT 1")
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

say "warming up"
for path in /matters /clients "/matters/$MATTER"; do
  curl -fsS -o /dev/null -H "Cookie: $COOKIE" "$BASE$path"
done

RESULTS="$OUT/results.txt"
: > "$RESULTS"
{
  echo "Docket (release, signed in, large firm: 20,000 clients, 100,000 matters; wrk -t1 -c$CONNECTIONS -d$DURATION)"
  measure "docket GET /matters" "$BASE/matters" -H "Cookie: $COOKIE"
  measure "docket GET /matters page 2,000" "$BASE/matters?after=$(enc "$DEEP")&page=2000" -H "Cookie: $COOKIE"
  measure "docket GET /matters?status=open" "$BASE/matters?status=open" -H "Cookie: $COOKIE"
  measure "docket GET /matters?q=lease" "$BASE/matters?q=lease" -H "Cookie: $COOKIE"
  measure "docket GET /clients" "$BASE/clients" -H "Cookie: $COOKIE"
  measure "docket GET /matters/{id}" "$BASE/matters/$MATTER" -H "Cookie: $COOKIE"
  measure "docket POST /api/matters/list" "$BASE/api/matters/list" -H "Cookie: $COOKIE" \
    -s "$ROOT/tools/load-post.lua"
  measure "docket GET /health" "$BASE/health"
} | tee -a "$RESULTS"
RSS_LOAD=$(rss_mib "$DOCKET_PID")

say "a burst of 50 sign-ins (10 at a time)"
for _ in $(seq 5); do
  BURST=()
  for _ in $(seq 10); do
    curl -fsS -o /dev/null -H 'Accept: application/json' --data-urlencode "email=admin@large.test" \
      --data-urlencode "password=docket-demo" "$BASE/api/auth/login" &
    BURST+=("$!")
  done
  wait "${BURST[@]}" || true
done
RSS_SIGNIN=$(rss_mib "$DOCKET_PID")

# ── The ceiling: Docket's own statements, with nothing around them ─────────────────────────────
say "building the ceiling (axum + sqlx, Docket's statements; tools/ceiling)"
(cd "$ROOT/tools/ceiling" && CARGO_TARGET_DIR="$ROOT/target/ceiling" cargo build --release -q)
DATABASE_URL="postgres://docket_app:docket_app@127.0.0.1:$PG_PORT/$DB" BIND=127.0.0.1:8003 \
  "$ROOT/target/ceiling/release/docket-ceiling" > "$OUT/ceiling.log" 2>&1 &
PIDS+=("$!")
ADMIN=$(psql_admin -d "$DB" -qtAc "SELECT id FROM users WHERE email = 'admin@large.test'")
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:8003/matters?org=$ORG&user=$ADMIN" >/dev/null 2>&1 && break; sleep 0.5; done
measure "ceiling (Docket's SQL, nothing else)" "http://127.0.0.1:8003/matters?org=$ORG&user=$ADMIN" | tee -a "$RESULTS"

# ── Peers ────────────────────────────────────────────────────────────────────────────────────
if [ -d "$PEERS/bare-axum" ]; then
  say "building the bare axum + sqlx peer"
  (cd "$PEERS/bare-axum" && CARGO_TARGET_DIR=/var/tmp/docket-peers/target cargo build --release -q)
  DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$DB" BIND=127.0.0.1:8002 \
    /var/tmp/docket-peers/target/release/bare-axum > "$OUT/bare.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 60); do curl -fsS "http://127.0.0.1:8002/matters?org=$ORG" >/dev/null 2>&1 && break; sleep 0.5; done
  measure "bare axum+sqlx GET /matters (ceiling)" "http://127.0.0.1:8002/matters?org=$ORG" | tee -a "$RESULTS"
fi
if [ -d "$PEERS/fastapi-seed" ]; then
  say "setting up the FastAPI peer"
  VENV=/var/tmp/docket-peers/venv
  [ -x "$VENV/bin/uvicorn" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$PEERS/fastapi-seed/requirements.txt"; }
  psql_admin -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = 'peer'" | grep -q 1 \
    || { psql_admin -d postgres -qc "CREATE DATABASE peer" >/dev/null; psql_admin -d peer -q -f "$PEERS/fastapi-seed/schema.sql" >/dev/null; }
  (cd "$PEERS/fastapi-seed" && PEER_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/peer" \
    "$VENV/bin/uvicorn" app:app --workers 2 --port 8001 --log-level warning > "$OUT/fastapi.log" 2>&1 &
    echo $! > "$OUT/fastapi.pid")
  PIDS+=("$(cat "$OUT/fastapi.pid")")
  TOKEN=$("$VENV/bin/python" -c "import jwt;print(jwt.encode({'org':'00000000-0000-0000-0000-000000000001'},'peer-secret'))")
  for _ in $(seq 60); do curl -fsS "http://127.0.0.1:8001/health" >/dev/null 2>&1 && break; sleep 0.5; done
  measure "FastAPI (original design) /matters" "http://127.0.0.1:8001/matters" -H "Authorization: Bearer $TOKEN" | tee -a "$RESULTS"
fi

{
  echo "Docket RSS: ${RSS_FRESH} MiB fresh, ${RSS_JOBS} MiB after the start-up jobs, ${RSS_LOAD} MiB after the load, ${RSS_SIGNIN} MiB after 50 sign-ins"
  # Each measurement ends with requests in flight (wrk stops mid-request): what the server said.
  count() { grep -c "$1" "$OUT/docket.log" || true; }
  echo "Docket's log: $(count '"level":"WARN"') warnings, $(count '"level":"ERROR"') errors," \
    "$(count '"message":"panicked"') panics, $(grep -vc '^{' "$OUT/docket.log" || true) lines outside the structured log"
  # Where the first panics were, and what they said (server::telemetry logs each as an event).
  grep -m3 '"message":"panicked"' "$OUT/docket.log" | cut -c1-400 | sed 's/^/  /' || true
} | tee -a "$RESULTS"
say "raw wrk output in $OUT/"
