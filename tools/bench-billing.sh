#!/usr/bin/env bash
# The billing benchmark (`tools/dev.sh bench-billing`): a firm of 2,000 matters and 200,000 time
# entries (plus one matter with 500 unbilled entries), Docket's release build, and for each
# measured request the same core query run directly in psql. Prints the median of several
# sequential runs, server-side (curl's total on loopback), and the ratio to psql. Figures only:
# nothing here passes or fails on speed.
#
# Called by tools/dev.sh with the services running and PG_PORT, REDIS_PORT, ROOT, DATA set.
set -euo pipefail

PORT="${BENCH_PORT:-3410}"
RUNS="${BENCH_RUNS:-15}"
DB=docket_billbench
BASE="http://127.0.0.1:$PORT"
JAR="$DATA/bench-cookies.txt"
OUT="$DATA/bench"
mkdir -p "$OUT"

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
psql_db() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1 -qtA "$@"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Median milliseconds of RUNS posts of a server function.
post_ms() {
  local path="$1"; shift
  for _ in $(seq "$RUNS"); do
    curl -sS -o /dev/null -w '%{time_total}\n' -b "$JAR" -H 'Accept: application/json' "$@" "$BASE$path"
  done | awk '{ print $1 * 1000 }' | median
}

# The same, each run after a write to the firm (its cached figures dropped, as any write does).
post_cold_ms() {
  local path="$1"; shift
  for _ in $(seq "$RUNS"); do
    redis-cli -p "$REDIS_PORT" incr "docket:cache:$ORG:generation" >/dev/null
    curl -sS -o /dev/null -w '%{time_total}\n' -b "$JAR" -H 'Accept: application/json' "$@" "$BASE$path"
  done | awk '{ print $1 * 1000 }' | median
}

# Median milliseconds of RUNS executions of a statement in psql (server-side timing).
sql_ms() {
  local sql="$1"
  { echo '\timing on'; for _ in $(seq "$RUNS"); do echo "$sql"; done; } \
    | psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" -qtA -o /dev/null 2>&1 \
    | awk '/^Time:/ { print $2 }' | median
}

report() {
  awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-38s Docket %8.2f ms   psql %8.2f ms   ratio %5.1f×\n", n, a, b, (b > 0 ? a / b : 0) }'
}

# ── the firm ────────────────────────────────────────────────────────────────────────────────
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://docket_app:docket_app@127.0.0.1:$PG_PORT/$DB"
export DATABASE_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/$DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
target/release/docket seed --large 500 2000 >/dev/null
ORG=$(psql_db -c "SELECT id FROM organizations WHERE slug = 'large-firm'")
ADMIN=$(psql_db -c "SELECT id FROM users WHERE email = 'admin@large.test'")
say "seeding 200,500 time entries"
psql_db <<SQL
UPDATE matters SET hourly_rate = 250 + (abs(hashtext(id::text)) % 5) * 50 WHERE organization_id = '$ORG';
WITH m AS (SELECT id, status, row_number() OVER (ORDER BY matter_number) AS n FROM matters WHERE organization_id = '$ORG'),
     a AS (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM user_organizations WHERE organization_id = '$ORG')
INSERT INTO time_entries (organization_id, matter_id, user_id, work_date, minutes, description, hourly_rate, billable, created_by)
SELECT '$ORG', m.id, a.user_id, CURRENT_DATE - (g % 365), 6 + (g % 175), 'Benchmark work ' || g, 300,
       m.status <> 'closed' AND g % 10 <> 0, a.user_id
  FROM generate_series(1, 200000) g
  JOIN m ON m.n = 2 + (g % 1999)
  JOIN a ON a.n = 1 + (g % 20);
-- One open matter with exactly 500 unbilled billable entries, for the invoice benchmark.
UPDATE matters SET status = 'open', date_closed = NULL WHERE organization_id = '$ORG' AND matter_number = 'L-0000001';
INSERT INTO time_entries (organization_id, matter_id, user_id, work_date, minutes, description, hourly_rate, billable, created_by)
SELECT '$ORG', (SELECT id FROM matters WHERE organization_id = '$ORG' AND matter_number = 'L-0000001'),
       '$ADMIN', CURRENT_DATE - (g % 60), 6 + (g % 90), 'Invoice work ' || g, 350, true, '$ADMIN'
  FROM generate_series(1, 500) g;
VACUUM ANALYZE time_entries, matters;
SQL
INV_MATTER=$(psql_db -c "SELECT id FROM matters WHERE organization_id = '$ORG' AND matter_number = 'L-0000001'")
BUSY_MATTER=$(psql_db -c "SELECT matter_id FROM time_entries WHERE organization_id = '$ORG' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")

redis-cli -p "$REDIS_PORT" --scan --pattern 'docket:signin:*' | xargs -r redis-cli -p "$REDIS_PORT" del >/dev/null
say "starting Docket (release) on $BASE"
RATE_LIMIT_PER_USER=0 RATE_LIMIT_PER_ADDRESS=0 LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site \
  LEPTOS_OUTPUT_NAME=docket LEPTOS_SITE_PKG_DIR=pkg BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
  LOG_FORMAT=json target/release/docket > "$OUT/docket.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
rm -f "$JAR"
curl -fsS -o /dev/null -c "$JAR" -H 'Accept: application/json' \
  --data-urlencode "email=admin@large.test" --data-urlencode "password=docket-demo" "$BASE/api/auth/login"

# ── the figures ─────────────────────────────────────────────────────────────────────────────
echo "billing benchmark: $(psql_db -c "SELECT count(*) FROM matters WHERE organization_id = '$ORG'") matters," \
     "$(psql_db -c "SELECT count(*) FROM time_entries WHERE organization_id = '$ORG'") time entries; median of $RUNS runs"

# The week view of the busiest person.
PERSON=$(psql_db -c "SELECT user_id FROM time_entries WHERE organization_id = '$ORG' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
a=$(post_ms /api/time/week --data-urlencode "week=" --data-urlencode "person=$PERSON")
b=$(sql_ms "SELECT work_date, sum(minutes) FILTER (WHERE billable), sum(minutes) FILTER (WHERE NOT billable) FROM time_entries WHERE organization_id = '$ORG' AND user_id = '$PERSON' AND work_date BETWEEN date_trunc('week', CURRENT_DATE)::date AND date_trunc('week', CURRENT_DATE)::date + 6 GROUP BY 1;")
report "week view (one person)" "$a" "$b"

# The busiest matter's time list, first page.
a=$(post_ms /api/time/list --data-urlencode "query[matter]=$BUSY_MATTER")
b=$(sql_ms "SELECT t.id, t.work_date, t.minutes, t.description, u.full_name FROM time_entries t JOIN users u ON u.id = t.user_id WHERE t.organization_id = '$ORG' AND t.matter_id = '$BUSY_MATTER' ORDER BY t.work_date DESC, t.id DESC LIMIT 26;")
report "matter time list (page 1)" "$a" "$b"

# Work in progress, by matter and by person.
a=$(post_cold_ms /api/reports/wip --data-urlencode "query[as_of]=")
b=$(sql_ms "SELECT matter_id, sum(round(ceil(minutes::numeric / 6) * 6 * hourly_rate / 60, 2)) AS s FROM time_entries WHERE organization_id = '$ORG' AND status = 'unbilled' AND billable AND invoice_id IS NULL GROUP BY 1 ORDER BY s DESC LIMIT 201;")
report "work in progress report (after a write)" "$a" "$b"
a=$(post_ms /api/reports/wip --data-urlencode "query[as_of]=")
report "work in progress report (cached)" "$a" "$b"

# An invoice from the 500 entries: create the draft, then delete it, RUNS times (each create
# claims and writes 500 lines; the delete gives them back).
: > "$OUT/create.txt"
for _ in $(seq "$RUNS"); do
  curl -sS -o "$OUT/created.json" -w '%{time_total}\n' -b "$JAR" -H 'Accept: application/json' \
    --data-urlencode "org=$ORG" --data-urlencode "request=$(cat /proc/sys/kernel/random/uuid)" \
    --data-urlencode "form[matter]=$INV_MATTER" --data-urlencode "form[from]=" --data-urlencode "form[to]=" \
    "$BASE/api/invoices/create" >> "$OUT/create.txt"
  id=$(tr -d '"' < "$OUT/created.json")
  v=$(psql_db -c "SELECT version FROM invoices WHERE id = '$id'")
  curl -fsS -o /dev/null -b "$JAR" -H 'Accept: application/json' --data-urlencode "org=$ORG" \
    --data-urlencode "id=$id" --data-urlencode "version=$v" "$BASE/api/invoices/delete_draft"
done
a=$(awk '{ print $1 * 1000 }' "$OUT/create.txt" | median)
# psql: only the claim of the 500 entries (Docket also prices them, writes 500 lines and the
# activity row), undone after each run; one statement, so one timing per run.
b=$(sql_ms "DO \$\$ DECLARE i bigint; BEGIN
  WITH t AS (UPDATE time_entries SET status = 'billed' WHERE organization_id = '$ORG' AND matter_id = '$INV_MATTER'
             AND status = 'unbilled' AND billable AND invoice_id IS NULL RETURNING id, work_date, minutes, hourly_rate, description)
  SELECT count(*) INTO STRICT i FROM t;
  RAISE EXCEPTION 'undo';
EXCEPTION WHEN raise_exception THEN NULL; END \$\$;")
report "invoice from 500 entries (draft)" "$a" "$b"

# Receivables aging, after 300 issued invoices (one per matter with unbilled work).
say "issuing 300 invoices for the aging report"
psql_db -c "SELECT m.id FROM matters m WHERE m.organization_id = '$ORG' AND m.id <> '$INV_MATTER'
             AND EXISTS (SELECT 1 FROM time_entries t WHERE t.matter_id = m.id AND t.status = 'unbilled' AND t.billable)
             LIMIT 300" > "$OUT/matters.txt"
while read -r m; do
  id=$(curl -fsS -b "$JAR" -H 'Accept: application/json' --data-urlencode "org=$ORG" \
        --data-urlencode "request=$(cat /proc/sys/kernel/random/uuid)" --data-urlencode "form[matter]=$m" \
        --data-urlencode "form[from]=" --data-urlencode "form[to]=" "$BASE/api/invoices/create" | tr -d '"')
  v=$(psql_db -c "SELECT version FROM invoices WHERE id = '$id'")
  curl -fsS -o /dev/null -b "$JAR" -H 'Accept: application/json' --data-urlencode "org=$ORG" \
    --data-urlencode "id=$id" --data-urlencode "version=$v" "$BASE/api/invoices/issue"
done < "$OUT/matters.txt"
a=$(post_cold_ms /api/reports/aging --data-urlencode "query[as_of]=")
b=$(sql_ms "SELECT client_id, sum(total - amount_paid) FROM invoices WHERE organization_id = '$ORG' AND status IN ('sent', 'partially_paid') GROUP BY 1 ORDER BY 2 DESC;")
report "receivables aging report (after a write)" "$a" "$b"
a=$(post_ms /api/reports/aging --data-urlencode "query[as_of]=")
report "receivables aging report (cached)" "$a" "$b"
a=$(post_cold_ms /api/reports/dashboard)
b=$(sql_ms "SELECT sum(round(ceil(minutes::numeric / 6) * 6 * hourly_rate / 60, 2)) FROM time_entries t JOIN matters m ON m.id = t.matter_id WHERE t.organization_id = '$ORG' AND t.status = 'unbilled' AND t.billable AND t.invoice_id IS NULL AND (m.responsible_attorney_id = '$ADMIN' OR m.originating_attorney_id = '$ADMIN');")
report "dashboard money (after a write)" "$a" "$b"
a=$(post_ms /api/reports/dashboard)
report "dashboard money (cached)" "$a" "$b"
echo "Docket RSS after the run: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$PID/status")"
