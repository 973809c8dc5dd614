#!/usr/bin/env bash
# A streaming replica on loopback serving the report pages (issue 19 §6, docs/deploy.md §7): a primary, a replica
# made from it by pg_basebackup -R, the app started with --db on the primary and --read-db on the replica. Checks
# that the report page says where its figures come from and how far behind they are, that a registry imported into
# the primary reaches the report read from the replica, and that the replica refuses writes.
#   BIN=.build/release/giamngheo bash scripts/replica-drill.sh          (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-primary.sh     # BIN, PGBIN (PostgreSQL installed from Debian if missing), as_pg, init_primary
WORK=$(mktemp -d /tmp/replica-drill.XXXXXX); chmod 755 "$WORK"; chown postgres:postgres "$WORK"
PORT=${PORT:-25442}; REPLICA_PORT=$((PORT + 1)); APP_PORT=${APP_PORT:-18090}
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  for d in replica primary; do as_pg "$PGBIN/pg_ctl" -D "$WORK/$d" -m fast stop >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$WORK/app.log" >&2 2>/dev/null || true; exit 1; }

init_primary
PRIMARY="postgres://app:app@127.0.0.1:$PORT/giamngheo"
REPLICA="postgres://app:app@127.0.0.1:$REPLICA_PORT/giamngheo"

# The schema first (the replica cannot migrate), then the replica: a base backup that follows the primary.
PASSWORD=$("$BIN" users create --username quantri --role admin --db "$PRIMARY" | tail -1)
as_pg "$PGBIN/pg_basebackup" -h "$WORK" -p "$PORT" -U postgres -D "$WORK/replica" -R -X stream -c fast
sed -i "s/^port = .*/port = $REPLICA_PORT/" "$WORK/replica/postgresql.conf"
pg_start "$WORK/replica" "$WORK/replica.log"
[ "$(as_pg psql -h "$WORK" -p "$REPLICA_PORT" -U postgres -d giamngheo -Atc 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not in recovery"

"$BIN" serve --db "$PRIMARY" --read-db "$REPLICA" --port "$APP_PORT" --no-demo >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$APP_PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$APP_PORT/health" >/dev/null || fail "the app did not answer on port $APP_PORT within 120 s"

# A registry of one commune imported into the primary.
"$BIN" generate --province 46 --commune 19753 --households 300 --seed 9 --out "$WORK/g" >/dev/null
"$BIN" import "$WORK/g/households.csv" --members "$WORK/g/members.csv" --db "$PRIMARY" --commit --date 2026-11-01 >/dev/null 2>&1

JAR="$WORK/cookies"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$APP_PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || fail "the login page has no CSRF token"
WHERE=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "_csrf=$CSRF" --data-urlencode username=quantri --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$APP_PORT/login")
[ "$WHERE" = 303 ] || fail "the sign-in answered HTTP $WHERE"
for _ in $(seq 1 40); do
  PAGE=$(curl -s -b "$JAR" "http://127.0.0.1:$APP_PORT/reports/ket-qua?year=2026&structure=2025&unit=19753")
  grep -q 'data-replica-lag' <<<"$PAGE" && grep -q 'class="total"' <<<"$PAGE" && break; sleep 0.5
done
# Here-strings, not `echo | grep -q`: grep -q stops reading at its match and, under pipefail, the echo's SIGPIPE
# on a page larger than the pipe's buffer failed the check although the page was right.
grep -q 'data-replica-lag' <<<"$PAGE" || fail "the report page does not say that it reads the replica: $(grep -o '<title>[^<]*' <<<"$PAGE")"
LAG=$(grep -o 'data-replica-lag="[^"]*"' <<<"$PAGE" | sed -n 1p)
grep -o 'Số liệu đọc từ bản sao[^<]*' <<<"$PAGE" | sed -n 1p
# The imported households are counted in the report read from the replica.
TOTAL=$(as_pg psql -h "$WORK" -p "$REPLICA_PORT" -U postgres -d giamngheo -Atc "SELECT count(*) FROM households")
[ "$TOTAL" -ge 300 ] || fail "the replica has $TOTAL households"
# The replica is read-only: a write there is refused by PostgreSQL.
if "$BIN" users create --username ghi --role admin --db "$REPLICA" >/dev/null 2>"$WORK/err"; then fail "the replica accepted a write"; fi
grep -q "read-only" "$WORK/err" || fail "the refusal does not say read-only: $(cat "$WORK/err")"
echo "replica-drill: ok ($LAG, $TOTAL households on the replica, writes refused there)"
