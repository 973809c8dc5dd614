#!/usr/bin/env bash
# Peer benchmark (issue 20 §4; not a timed test): the tools an officer or an analyst would pick instead, and the
# project's own commands, on the same generated files in the same run, with one table of times and ratios.
#   classify  — the households as income, area, agriculture and deprivation list (what a paper form gives):
#               `giamngheo classify` of JSON Lines against pandas and DuckDB reading the same rows as CSV,
#               classifying vectorised by Decree 07/2021 Art. 3 and writing the result. All three must agree on
#               every category count, or the script fails.
#   import    — the households and members CSV pair: `giamngheo import --commit` into a new SQLite file against
#               `sqlite3 .import` into bare tables; with PGURL, into PostgreSQL against `psql \copy`.
#   report    — three of the province's tables from that SQLite registry (`giamngheo bench rollup`, from the
#               summaries) against DuckDB's GROUP BY of the same households held in memory.
# A ratio is the peer's time divided by ours: above 1 we are faster.
#   N=1000000 PGURL=postgres://app:app@127.0.0.1:5432/app bash scripts/bench-peers.sh
set -euo pipefail
N=${N:-1000000}; WORK=${WORK:-/tmp/giamngheo-peers}; PGURL=${PGURL:-}
DATE=2026-11-01
export PATH=/opt/swift/usr/bin:$PATH
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -n "$PGURL" ]; then command -v psql >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }; fi
mkdir -p "$WORK"
swift build -c release --product giamngheo >/dev/null 2>"$WORK/build.log" || { cat "$WORK/build.log"; exit 1; }
BIN=$(swift build -c release --show-bin-path)/giamngheo
# pandas and DuckDB from PyPI, in a virtual environment of the benchmark's own.
[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -c 'import pandas, duckdb' 2>/dev/null || "$WORK/venv/bin/pip" install -q pandas duckdb
PY=$WORK/venv/bin/python

# The files, once per size: the generator's province 46, then the same households as a paper form gives them
# (income, area, agriculture, deprivation list), worked out by classifying the full facts once (not timed).
G=$WORK/g$N
if [ ! -s "$G/direct.csv" ]; then
  rm -rf "$G"
  "$BIN" generate --province 46 --households "$N" --no-stories --seed 7 --out "$G" >/dev/null
  "$BIN" classify --date $DATE "$G/households.jsonl" >"$G/full.out"
  "$PY" - "$G" <<'PY'
import json, sys, csv
g = sys.argv[1]
with open(f"{g}/households.jsonl") as facts, open(f"{g}/full.out") as classified, \
     open(f"{g}/direct.jsonl", "w") as jl, open(f"{g}/direct.csv", "w", newline="") as cf:
    w = csv.writer(cf); w.writerow(["code", "area", "incomePerCapita", "agriculture", "size", "deprived"])
    for f, c in zip(facts, classified):
        f, c = json.loads(f), json.loads(c)
        assert f["code"] == c["code"]
        d = {"code": f["code"], "area": c["area"], "incomePerCapita": f["incomePerCapita"], "agriculture": f.get("agriculture", False),
             "size": len(f.get("members", [])) or f.get("size", 1), "deprived": c["deprived"]}
        jl.write(json.dumps(d, ensure_ascii=False) + "\n")
        w.writerow([d["code"], d["area"], d["incomePerCapita"], "true" if d["agriculture"] else "false", d["size"], ";".join(d["deprived"]) or "none"])
PY
fi

ROWS=()
# seconds of a command, its output to $OUT
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; }
row() { ROWS+=("$(printf '%-9s %-34s %9.2f s   %-28s %9.2f s   %6.2f×' "$1" "$2" "$3" "$4" "$5" "$(python3 -c "print($3 / $5)")")"); }

echo "classify: $N households as income, area, agriculture and deprivation list"
OURS=$(timed sh -c "'$BIN' classify --standard vn-nd07-2022 --date $DATE '$G/direct.jsonl' >'$G/ours.jsonl'")
PANDAS=$(timed "$PY" - "$G" <<'PY'
import sys, pandas as pd
g = sys.argv[1]
h = pd.read_csv(f"{g}/direct.csv", dtype={"code": str, "area": str, "deprived": str}, keep_default_na=False,
                true_values=["true"], false_values=["false"])
# Decree 07/2021 Art. 3: the income line by area; poor = at or under it and 3 or more of 12 indicators deprived,
# near-poor = at or under it and fewer; middle income = over it and at or under the upper line, farming households.
listed = h["deprived"].replace("none", "")
count = listed.str.count(";") + (listed != "")
urban = h["area"] == "urban"
line = urban.map({True: 2_000_000, False: 1_500_000}); upper = urban.map({True: 3_000_000, False: 2_250_000})
income = h["incomePerCapita"]
category = pd.Series("notPoor", index=h.index)
category[(income > line) & (income <= upper) & (h["agriculture"] == True)] = "middleIncome"
category[(income <= line) & (count < 3)] = "nearPoor"
category[(income <= line) & (count >= 3)] = "poor"
pd.DataFrame({"code": h["code"], "category": category, "deprivedCount": count}).to_csv(f"{g}/pandas.csv", index=False)
PY
)
DUCK=$(timed "$PY" - "$G" <<'PY'
import sys, duckdb
g = sys.argv[1]
duckdb.sql(f"""
COPY (
  WITH h AS (SELECT code, area, incomePerCapita AS income, agriculture,
                    CASE WHEN deprived IN ('none', '') THEN 0 ELSE len(string_split(deprived, ';')) END AS n,
                    CASE WHEN area = 'urban' THEN 2000000 ELSE 1500000 END AS line,
                    CASE WHEN area = 'urban' THEN 3000000 ELSE 2250000 END AS upper
             FROM read_csv('{g}/direct.csv', header = true, types = {{'code': 'VARCHAR', 'deprived': 'VARCHAR', 'agriculture': 'BOOLEAN'}}))
  SELECT code, CASE WHEN income <= line AND n >= 3 THEN 'poor' WHEN income <= line THEN 'nearPoor'
                    WHEN income <= upper AND agriculture THEN 'middleIncome' ELSE 'notPoor' END AS category, n AS deprivedCount
  FROM h) TO '{g}/duckdb.csv' (HEADER)
""")
PY
)
# The three must agree on every category count.
"$PY" - "$G" <<'PY'
import sys, json, collections, csv
g = sys.argv[1]
ours = collections.Counter(json.loads(l)["category"] for l in open(f"{g}/ours.jsonl"))
for peer in ["pandas", "duckdb"]:
    theirs = collections.Counter(r["category"] for r in csv.DictReader(open(f"{g}/{peer}.csv")))
    if theirs != ours: sys.exit(f"{peer} disagrees: {dict(theirs)} vs giamngheo {dict(ours)}")
print("  categories agree:", dict(sorted(ours.items())))
PY
row classify "pandas (read CSV, classify, write)" "$PANDAS" "giamngheo classify (JSONL)" "$OURS"
row classify "DuckDB (read CSV, classify, write)" "$DUCK" "giamngheo classify (JSONL)" "$OURS"

echo "import: households.csv $(du -m "$G/households.csv" | cut -f1) MB + members.csv $(du -m "$G/members.csv" | cut -f1) MB"
rm -f "$WORK/bare.sqlite" "$WORK/ours.sqlite"
BARE=$(timed sh -c "printf '.mode csv\n.import $G/households.csv households\n.import $G/members.csv members\n' | sqlite3 '$WORK/bare.sqlite'")
IMPORT=$(timed sh -c "'$BIN' import '$G/households.csv' --members '$G/members.csv' --db 'sqlite:$WORK/ours.sqlite' --commit --nice 0 --date $DATE >'$WORK/import.out' 2>&1" )
grep -q "mới:" "$WORK/import.out" || { cat "$WORK/import.out"; exit 1; }
row import "sqlite3 .import (bare tables)" "$BARE" "giamngheo import (SQLite)" "$IMPORT"
if [ -n "$PGURL" ]; then
  for db in peers_bare peers_ours; do psql "$PGURL" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" 2>/dev/null; done
  PGBASE=${PGURL%/*}
  psql "$PGBASE/peers_bare" -qc "CREATE TABLE households ($(head -1 "$G/households.csv" | sed 's/,/ text, /g') text)" \
       -qc "CREATE TABLE members ($(head -1 "$G/members.csv" | sed 's/,/ text, /g') text)"
  COPYT=$(timed psql "$PGBASE/peers_bare" -qc "\\copy households FROM '$G/households.csv' CSV HEADER" -qc "\\copy members FROM '$G/members.csv' CSV HEADER")
  PGIMPORT=$(timed sh -c "'$BIN' import '$G/households.csv' --members '$G/members.csv' --db '$PGBASE/peers_ours' --commit --nice 0 --date $DATE >'$WORK/pgimport.out' 2>&1")
  grep -q "mới:" "$WORK/pgimport.out" || { cat "$WORK/pgimport.out"; exit 1; }
  row import "psql \\copy (bare tables)" "$COPYT" "giamngheo import (PostgreSQL)" "$PGIMPORT"
fi

# Reports: three of the province's tables from the registry the SQLite import just wrote. Ours: `bench rollup`'s best
# time of each table from the summaries (2025 structure); DuckDB: the same counts by commune from the same
# households, loaded into memory first (not timed), each query's best of five.
echo "reports: the province's tables from the registry the import wrote"
ROLL=$("$BIN" bench rollup --db "sqlite:$WORK/ours.sqlite" --province 46 --no-what-if --repeats 5)
grep -q "trùng khớp hoàn toàn" <<<"$ROLL" || { echo "$ROLL"; exit 1; }
DUCKR=$("$PY" - "$WORK/ours.sqlite" <<'PY'
import sys, sqlite3, time, duckdb, pandas as pd
h = pd.read_sql_query("SELECT commune_code, category, deprived, traits, member_count, ethnic_minority_head FROM households "
                      "WHERE archived_reason IS NULL", sqlite3.connect(sys.argv[1]))
con = duckdb.connect()
con.register("hv", h); con.execute("CREATE TABLE h AS SELECT * FROM hv")
Q = {
  # Results: households, minority, poor and near-poor (and their minority, their persons) by commune.
  "ket-qua": """SELECT commune_code, count(*), count(*) FILTER (WHERE ethnic_minority_head = 1),
      count(*) FILTER (WHERE category = 'poor'), count(*) FILTER (WHERE category = 'poor' AND ethnic_minority_head = 1),
      count(*) FILTER (WHERE category = 'nearPoor'), count(*) FILTER (WHERE category = 'nearPoor' AND ethnic_minority_head = 1),
      sum(member_count) FILTER (WHERE category = 'poor'), sum(member_count) FILTER (WHERE category = 'nearPoor')
      FROM h GROUP BY commune_code ORDER BY commune_code""",
  # Deprivations of the poor: households deprived of each indicator, by commune.
  "thieu-hut-ngheo": """SELECT commune_code, d, count(*) FROM (SELECT commune_code, unnest(string_split(trim(deprived, ','), ',')) AS d
      FROM h WHERE category = 'poor') WHERE d <> '' GROUP BY ALL ORDER BY ALL""",
  # Groups: poor and near-poor households by trait (children, elderly, disability, ethnicity…), by commune.
  "nhom-doi-tuong": """SELECT commune_code, category, t, count(*) FROM (SELECT commune_code, category,
      unnest(string_split(trim(traits, ','), ',')) AS t FROM h WHERE category IN ('poor', 'nearPoor')) WHERE t <> '' GROUP BY ALL ORDER BY ALL""",
}
for name, q in Q.items():
    times = []
    for _ in range(5):
        t = time.perf_counter(); con.execute(q).fetchall(); times.append(time.perf_counter() - t)
    print(name, min(times) * 1000)
PY
)
for t in ket-qua thieu-hut-ngheo nhom-doi-tuong; do
  D=$(awk -v t=$t '$1 == t {print $2}' <<<"$DUCKR"); O=$(awk -v t=$t '$1 == t {print $2}' <<<"$ROLL")
  ROWS+=("$(printf '%-9s %-34s %9.1f ms  %-28s %9.1f ms  %6.2f×' report "DuckDB in memory: $t" "$D" "giamngheo table (summaries)" "$O" "$(python3 -c "print($D / $O)")")")
done

echo
echo "$N households, $(nproc) cores, $(date +%F); ratio = peer's time ÷ ours (above 1: giamngheo is faster)"
printf '%-9s %-34s %11s   %-28s %11s   %7s\n' task peer time ours time ratio
for r in "${ROWS[@]}"; do echo "$r"; done
