#!/usr/bin/env bash
# Documents benchmark (figures for the closing note, not a test): the release server uploads a
# 200 MB file on each storage backend (a folder, and S3 on the moto stand-in), and the figures
# printed are the upload's throughput and the server's peak RSS (VmHWM) before and after.
# Needs `tools/dev.sh services` and a release build (target/release/docket).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PG_PORT="${DOCKET_PG_PORT:-55432}" REDIS_PORT="${DOCKET_REDIS_PORT:-56379}" S3_PORT="${DOCKET_S3_PORT:-56090}"
PORT="${BENCH_PORT:-3566}" SIZE_MB="${SIZE_MB:-200}"
OUT="$(mktemp -d)"
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$OUT"' EXIT
psql() { command psql -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
python3 - "$OUT/big.pdf" "$SIZE_MB" <<'PY'
import os, sys
with open(sys.argv[1], 'wb') as f:
    f.write(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    for _ in range(int(sys.argv[2])):
        f.write(os.urandom(1024 * 1024))
PY
run() {
  local backend="$1"; shift
  psql -d postgres -qc "DROP DATABASE IF EXISTS docket_bench_docs WITH (FORCE)" -c "CREATE DATABASE docket_bench_docs" >/dev/null
  env DATABASE_URL="postgres://docket_app:docket_app@127.0.0.1:$PG_PORT/docket_bench_docs" \
      DATABASE_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/docket_bench_docs" \
      REDIS_URL="redis://127.0.0.1:$REDIS_PORT" DOCKET_SEED_DEMO=1 RUST_LOG=warn LOG_FORMAT=json \
      LEPTOS_OUTPUT_NAME=docket LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
      BIND_ADDR="127.0.0.1:$PORT" JOB_WORKERS=0 "$@" target/release/docket > "$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 120); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS -o /dev/null -c "$OUT/jar" -b "$OUT/jar" -H 'Accept: application/json' \
    --data-urlencode "email=attorney@harborvale.test" --data-urlencode "password=docket-demo" \
    "http://127.0.0.1:$PORT/api/auth/login"
  local org matter before after t
  org=$(psql -d docket_bench_docs -qtAc "SELECT id FROM organizations WHERE slug = 'harbor-vale'")
  matter=$(psql -d docket_bench_docs -qtAc "SELECT id FROM matters WHERE organization_id = '$org' LIMIT 1")
  psql -d docket_bench_docs -qc "UPDATE organizations SET document_max_mb = 1024 WHERE id = '$org'" >/dev/null
  before=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
  t=$(curl -fsS -o /dev/null -w '%{time_total} %{http_code}' -b "$OUT/jar" -H 'Accept: application/json' \
      -F "org=$org" -F "files=@$OUT/big.pdf;type=application/pdf" "http://127.0.0.1:$PORT/matters/$matter/documents")
  after=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
  awk -v b="$backend" -v t="$t" -v mb="$SIZE_MB" -v r0="$before" -v r1="$after" 'BEGIN {
    split(t, a, " "); printf "%-6s %d MB in %.2f s (%.0f MB/s, HTTP %s); server peak RSS %.1f MiB before, %.1f MiB after\n",
      b, mb, a[1], mb / a[1], a[2], r0 / 1024, r1 / 1024 }'
  kill "$PID"; wait "$PID" 2>/dev/null || true
}
run local DOCUMENT_STORAGE=local DOCUMENT_DIR="$OUT/docs"
curl -fsS -X PUT "http://127.0.0.1:$S3_PORT/docket-bench" >/dev/null
run s3 DOCUMENT_STORAGE=s3 S3_ENDPOINT="http://127.0.0.1:$S3_PORT" S3_BUCKET=docket-bench \
  S3_ACCESS_KEY_ID=bench S3_SECRET_ACCESS_KEY=bench
