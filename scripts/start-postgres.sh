#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1:$PORT for the test suite (../shared/docs/swift-stack.md §3).
# Prints the connection URL on its last line. Installs the server from Debian if it is missing.
# Autovacuum is off: a worker still vacuuming a test's database runs as the superuser, and the test's
# DROP DATABASE … WITH (FORCE) by the app role may not end it (seen in CI after tests wrote more rows).
# For benchmarks, PRODUCTION=1 starts it as a province server runs (fsync and autovacuum on, a quarter of the
# memory as shared buffers, 200 connections), and KEEP=1 starts an existing cluster in ROOT instead of a new one.
set -euo pipefail
# Below 32768: Linux's ephemeral ports (32768–60999) may be held by any outgoing connection.
PORT=${PORT:-25432}
ROOT=${ROOT:-/tmp/giamngheo-pg}
# Households, people, summary cells and the audit trail have a partition per province (35 each): a statement that
# cannot prune locks every partition and its indexes, and a migration creates them all in one transaction. The
# default lock table (64 per connection) runs out when several tests migrate at once.
LOCKS="-c max_locks_per_transaction=1024"
SETTINGS="-c fsync=off -c autovacuum=off $LOCKS"
if [ "${PRODUCTION:-0}" = 1 ]; then
  MB=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
  SETTINGS="-c shared_buffers=$((MB / 4))MB -c effective_cache_size=$((MB / 2))MB -c maintenance_work_mem=1GB -c work_mem=16MB -c max_connections=200 $LOCKS"
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ -f "$ROOT/data/postmaster.pid" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$ROOT/data" -m fast stop >/dev/null 2>&1 || true
fi
if [ "${KEEP:-0}" = 1 ] && [ -d "$ROOT/data" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 $SETTINGS" start >/dev/null
  echo "postgres://app:app@127.0.0.1:$PORT/app"
  exit 0
fi
rm -rf "$ROOT"; mkdir -p "$ROOT"; chown postgres:postgres "$ROOT"
echo app > "$ROOT/pwfile"; chown postgres "$ROOT/pwfile"
runuser -u postgres -- "$PGBIN/initdb" -D "$ROOT/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 --pwfile="$ROOT/pwfile" >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w \
  -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 $SETTINGS" start >/dev/null
runuser -u postgres -- psql -h "$ROOT" -p "$PORT" -U postgres -q \
  -c "CREATE ROLE app LOGIN CREATEDB PASSWORD 'app'" -c "CREATE DATABASE app OWNER app"
echo "postgres://app:app@127.0.0.1:$PORT/app"
