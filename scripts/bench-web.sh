#!/usr/bin/env bash
# Web benchmark (not a timed test): a generated province of $N households on SQLite, measured with wrk at
# 1, 50 and 100 connections: household list (page 1 and page 1,000), a name search, household page, save; then the export of the
# whole province as CSV and xlsx (time, rows/s, the server's peak memory). Prints one line per measurement and
# the ratios, all from the same run. ONLY=export skips the wrk part, ONLY=pages the exports; CONNECTIONS="100"
# picks the connection counts.
#   N=200000 DUR=10s bash scripts/bench-web.sh
set -euo pipefail
N=${N:-200000}; PORT=${PORT:-18090}; DUR=${DUR:-10s}
export PATH=/opt/swift/usr/bin:$PATH
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
swift build -c release --product giamngheo >/dev/null
BIN=$(swift build -c release --show-bin-path)/giamngheo
DIR=$(mktemp -d); DB=$DIR/bench.sqlite
start=$(date +%s)
"$BIN" serve --db "sqlite:$DB" --port "$PORT" --demo-households "$N" --date 2026-11-01 >"$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 1800); do grep -q "đang chạy" "$DIR/serve.log" && break; sleep 1; done
grep -q "đang chạy" "$DIR/serve.log" || { cat "$DIR/serve.log"; exit 1; }
echo "seeded $N households in $(( $(date +%s) - start )) s (generate + classify + bulk insert + summaries)"
PASS=$(awk '$1 == "admin" {print $2}' "$DIR/serve.log")
BASE="http://127.0.0.1:$PORT"
JAR=$DIR/cookies
csrf() { sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1; }
TOKEN=$(curl -s -c "$JAR" "$BASE/login" | csrf)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$TOKEN" --data-urlencode "username=admin" --data-urlencode "password=$PASS" "$BASE/login"
SESSION=$(awk '$6 == "giamngheo_session" {print $7}' "$JAR")
TOKEN=$(curl -s -b "giamngheo_session=$SESSION" "$BASE/households" | csrf)
COOKIE="Cookie: giamngheo_session=$SESSION"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# The keyset cursor of page 1,000 (50 rows a page), as the "Trang sau" links carry it.
CURSOR=$(sqlite3 "$DB" "SELECT sort_key || char(9) || id FROM households WHERE archived_reason IS NULL ORDER BY sort_key, id LIMIT 1 OFFSET 49949")
KEY=$(enc "$(printf '%s' "$CURSOR" | cut -f1)"); AFTER=$(printf '%s' "$CURSOR" | cut -f2)
ONE=$(sqlite3 "$DB" "SELECT id FROM households WHERE code LIKE '%-S01' LIMIT 1")
cat >"$DIR/save.lua" <<LUA
local counter = 0
local n = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
request = function()
  counter = counter + 1
  local id = 100 + tid * 90000 + counter
  local body = "_csrf=$(enc "$TOKEN")&version=1&reason=bench&usesInternet=true"
  return wrk.format("POST", "/households/" .. id .. "/edit",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "giamngheo_session=$SESSION"}, body)
end
LUA
measure() {  # name connections url [script]
  local name=$1 c=$2 url=$3 script=${4:-}
  # The server first finishes what the previous measurement left queued (wrk stops sending, not the server
  # working): a slow page's backlog would otherwise count in the next one's p99.
  sleep 3
  local t=$(( c < 2 ? 1 : 2 ))
  local out
  if [ -n "$script" ]; then out=$(wrk -t"$t" -c"$c" -d"$DUR" --latency -s "$script" "$url")
  else out=$(wrk -t"$t" -c"$c" -d"$DUR" --latency -H "$COOKIE" "$url"); fi
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out")
  printf '%-28s c=%-3s %10s req/s  p50 %-9s p99 %-9s %s\n' "$name" "$c" "$rps" "$p50" "$p99" "${bad:+non-2xx/3xx: $bad}"
  echo "$rps" >"$DIR/rps-$name-$c"
}
ONLY=${ONLY:-}
if [ "$ONLY" != export ]; then
for c in ${CONNECTIONS:-1 50 100}; do
  measure list-page-1 "$c" "$BASE/households"
  measure list-page-1000 "$c" "$BASE/households?afterKey=$KEY&afterId=$AFTER"
  measure search "$c" "$BASE/households?q=nguyen+thi"
  measure household-page "$c" "$BASE/households/$ONE"
done
# Saves last: each request saves a different household once (version 1), so none is a conflict.
measure save 1 "$BASE/" "$DIR/save.lua"
sed -i 's/100 + tid \* 90000/40000 + tid * 90000/' "$DIR/save.lua"
measure save 50 "$BASE/" "$DIR/save.lua"
python3 - "$DIR" <<'PY'
import sys, os
d = sys.argv[1]
r = lambda n: float(open(os.path.join(d, n)).read())
cs = sorted(int(n.rsplit("-", 1)[1]) for n in os.listdir(d) if n.startswith("rps-list-page-1-"))
print("ratio page-1000 / page-1 throughput: " + ", ".join("c=%d %.2f" % (c, r("rps-list-page-1000-%d" % c) / r("rps-list-page-1-%d" % c)) for c in cs))
PY
fi
# Exports of the whole province (every household, every page), one at a time; the baseline is one list page
# (50 rows) fetched in the same run.
[ "$ONLY" = pages ] && exit 0
kb() { awk -v k="$1" '$1 == k":" {print $2}' /proc/$PID/status; }
page=$(curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE/households")
page=$(curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE/households")
echo "baseline: one list page of 50 rows in ${page} s; server RSS $(kb VmRSS) kB"
for f in csv xlsx; do
  t=$(curl -s -o "$DIR/export.$f" -w '%{time_total}' -H "$COOKIE" "$BASE/households/export?format=$f&what=households")
  size=$(stat -c %s "$DIR/export.$f")
  python3 - "$f" "$t" "$size" "$page" "$N" <<'PY'
import sys
f, t, size, page, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print("export %-4s %d households in %.1f s (%.0f rows/s), %.1f MB; per 1,000 rows %.1f x one list page" % (f, n, t, n / t, size / 1e6, (t / n * 1000) / page))
PY
  echo "  server RSS now $(kb VmRSS) kB, peak $(kb VmHWM) kB"
done
