#!/usr/bin/env bash
# The search benchmark (`tools/dev.sh bench-search`): the large firm (20,000 clients, 100,000
# matters) with 100,000 documents of 400 words each, Docket's release build, and for each query
# the search server function over HTTP beside the same SQL in psql, run as the app role with the
# firm's settings (row-level security applies). Prints p50 and p95 of sequential runs. Figures
# only: nothing here passes or fails on speed.
#
# BENCH_KEEP=1 keeps an already seeded database (the seeding takes several minutes).
# Called by tools/dev.sh with the services running and PG_PORT, REDIS_PORT, ROOT, DATA set.
set -euo pipefail

PORT="${BENCH_PORT:-3420}"
RUNS="${BENCH_RUNS:-40}"
DB=docket_searchbench
BASE="http://127.0.0.1:$PORT"
JAR="$DATA/bench-search-cookies.txt"
OUT="$DATA/bench"
mkdir -p "$OUT"

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
psql_db() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1 -qtA "$@"; }
# "p50 p95" of numbers, one per line.
percentiles() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.95 + 0.5); if (i < 1) i = 1; printf "%.1f %.1f", a[int((NR + 1) / 2)], a[i] }'; }

export DATABASE_URL="postgres://docket_app:docket_app@127.0.0.1:$PG_PORT/$DB"
export DATABASE_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/$DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# ── the firm and its documents ──────────────────────────────────────────────────────────────
seeded=$(psql_db -c "SELECT count(*) FROM documents" 2>/dev/null || echo 0)
if [ "${BENCH_KEEP:-}" != 1 ] || [ "$seeded" -lt 100000 ]; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null
  say "seeding the large firm (20,000 clients, 100,000 matters)"
  target/release/docket seed >/dev/null
  target/release/docket seed --large 20000 100000 >/dev/null
  say "seeding 100,000 documents of 400 words"
  # Each document on its own matter: a name of two words, and a text of 400 words drawn from a
  # vocabulary of 2,000 (every document has "agreement"), with one word of its own (holdoverN)
  # so a rare word finds one document.
  psql_db <<'SQL'
CREATE TEMP TABLE vocab AS
  SELECT array_agg((ARRAY['lease','tenant','landlord','premises','covenant','indemnity','breach',
                          'notice','arbitration','deposit','assignment','easement','schedule',
                          'warranty','remedy','termination','renewal','holdover','rent','clause'])[1 + n % 20]
                   || (n / 20) ORDER BY n) AS w
    FROM generate_series(0, 1999) n;
CREATE TEMP TABLE plan AS
  SELECT m.organization_id AS org, m.id AS matter, uuid_v7() AS doc, uuid_v7() AS ver,
         row_number() OVER (ORDER BY m.matter_number) AS n
    FROM matters m JOIN organizations o ON o.id = m.organization_id
   WHERE o.slug = 'large-firm' LIMIT 100000;
INSERT INTO documents (id, organization_id, matter_id, filename, uploaded_by, latest)
SELECT doc, org, matter, 'Exhibit_' || n || '_' || w[1 + n % 2000] || '.pdf', NULL, 1
  FROM plan, vocab;
-- Each version is its document's first (set above): the numbering trigger's row-by-row check
-- is skipped, and the text index is built once after the rows rather than row by row.
SET session_replication_role = replica;
DROP INDEX document_versions_text_idx;
INSERT INTO document_versions (id, organization_id, matter_id, document_id, number, original_name,
                               content_type, size_bytes, sha256, storage_key, text_status, text_content)
SELECT ver, org, matter, doc, 1, 'exhibit.pdf', 'application/pdf', 40000, repeat('0', 64),
       org || '/' || matter || '/' || ver, 'done',
       'This agreement holdover' || n || ' ' ||
       array_to_string(ARRAY(SELECT w[1 + (n * 7919 + g * 104729) % 2000] FROM generate_series(1, 400) g), ' ')
  FROM plan, vocab;
SET session_replication_role = origin;
CREATE INDEX document_versions_text_idx ON document_versions USING gin (text_search);
VACUUM ANALYZE documents, document_versions, matters, clients, client_contacts;
SQL
fi
target/release/docket migrate >/dev/null
ORG=$(psql_db -c "SELECT id FROM organizations WHERE slug = 'large-firm'")
ADMIN=$(psql_db -c "SELECT id FROM users WHERE email = 'admin@large.test'")
RARE=$(psql_db -c "SELECT substring(text_content from 'holdover[0-9]+') FROM document_versions WHERE organization_id = '$ORG' ORDER BY id OFFSET 4321 LIMIT 1")

redis-cli -p "$REDIS_PORT" --scan --pattern 'docket:signin:*' | xargs -r redis-cli -p "$REDIS_PORT" del >/dev/null
say "starting Docket (release) on $BASE"
RATE_LIMIT_PER_USER=0 RATE_LIMIT_PER_ADDRESS=0 LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site \
  LEPTOS_OUTPUT_NAME=docket LEPTOS_SITE_PKG_DIR=pkg BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
  LOG_FORMAT=json target/release/docket > "$OUT/docket-search.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
rm -f "$JAR"
curl -fsS -o /dev/null -c "$JAR" -H 'Accept: application/json' \
  --data-urlencode "email=admin@large.test" --data-urlencode "password=docket-demo" "$BASE/api/auth/login"

# p50 and p95 milliseconds of RUNS searches over HTTP (curl's total on loopback).
http_ms() {
  for _ in $(seq "$RUNS"); do
    curl -sS -o "$OUT/search.json" -w '%{time_total}\n' -b "$JAR" -H 'Accept: application/json' \
      --data-urlencode "q=$1" "$BASE/api/search"
  done | awk '{ print $1 * 1000 }' | percentiles
}
# The same search's SQL (the statement Docket runs, with its tsquery) in psql as the app role,
# server-side timing of each run.
sql_ms() {
  local tsquery="$1" sql
  sql=$(sed -n '/^const SEARCH: &str = "/,/";$/p' src/search/repo.rs | sed '1s/.*"//; $s/";$//')
  {
    echo "SET ROLE docket_app;"
    echo "SELECT set_config('app.org_id', '$ORG', false), set_config('app.user_id', '$ADMIN', false);"
    echo "PREPARE s(text, bigint, text) AS $sql;"
    echo '\timing on'
    for _ in $(seq "$RUNS"); do echo "EXECUTE s('$tsquery', 20, 'StartSel=\"<\", StopSel=\">\", MaxWords=24, MinWords=8, MaxFragments=2');"; done
  } | psql_db -o /dev/null 2>&1 | awk '/^Time:/ { print $2 }' | percentiles
}
report() {
  printf '%-44s Docket p50 %7.1f  p95 %7.1f ms   SQL p50 %7.1f  p95 %7.1f ms   hits %s\n' "$1" $2 $3 "$4"
}

echo "search benchmark: $(psql_db -c "SELECT count(*) FROM matters WHERE organization_id = '$ORG'") matters," \
     "$(psql_db -c "SELECT count(*) FROM documents WHERE organization_id = '$ORG'") documents; $RUNS sequential runs"
for pair in "a word in one document:$RARE:$RARE:*" \
            "two words:lease1 tenant2:lease1:* & tenant2:*" \
            "a word in every document:agreement:agreement:*" \
            "a client's name (prefix):$(psql_db -c "SELECT split_part(name, ' ', 1) FROM clients WHERE organization_id = '$ORG' ORDER BY id LIMIT 1" | tr -cd '[:alnum:]' | cut -c1-4 | tr '[:upper:]' '[:lower:]')"; do
  IFS=: read -r name typed tsquery <<< "$pair"
  [ -n "$tsquery" ] || tsquery="$typed:*"
  a=$(http_ms "$typed")
  hits=$(grep -o '"kind"' "$OUT/search.json" | wc -l)
  b=$(sql_ms "$tsquery")
  report "$name" "$a" "$b" "$hits"
done
