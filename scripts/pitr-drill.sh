#!/usr/bin/env bash
# Point-in-time recovery, drilled on loopback (docs/deploy.md §7): a PostgreSQL cluster with WAL archiving, a base
# backup, a change committed before the target time and one after it, then a restore of the base backup replayed
# to the target time. The restored registry has the first change and not the second; the app starts on it.
#   BIN=.build/release/giamngheo bash scripts/pitr-drill.sh          (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-primary.sh     # BIN, PGBIN (PostgreSQL installed from Debian if missing), as_pg, init_primary
WORK=$(mktemp -d /tmp/pitr-drill.XXXXXX)
chown postgres:postgres "$WORK"
PORT=${PORT:-25440}; RESTORED_PORT=$((PORT + 1))
stop() { as_pg "$PGBIN/pg_ctl" -D "$1" -m fast stop >/dev/null 2>&1 || true; }
cleanup() { stop "$WORK/primary"; stop "$WORK/restored"; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$WORK/restored.log" 2>/dev/null >&2 || true; exit 1; }
psql_at() { as_pg psql -h "$WORK" -p "$1" -U postgres -d giamngheo -Atq -c "$2"; }

# A primary that archives every WAL segment (archive_command copies into the archive folder).
mkdir -p "$WORK/archive"; chown postgres "$WORK/archive"
init_primary "archive_mode = on" "archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f'"
DB="postgres://app:app@127.0.0.1:$PORT/giamngheo"

# The app's schema and a first account, then the base backup (the nightly one).
"$BIN" users create --username quantri --role admin --db "$DB" >/dev/null
as_pg "$PGBIN/pg_basebackup" -h "$WORK" -p "$PORT" -U postgres -D "$WORK/base" -Ft -z -X none -c fast
"$BIN" users create --username truoc --role provinceOfficer --units 46 --db "$DB" >/dev/null   # before the target
sleep 1
TARGET=$(psql_at "$PORT" "SELECT now()")
sleep 1
"$BIN" users create --username sau --role provinceOfficer --units 46 --db "$DB" >/dev/null     # after the target
psql_at "$PORT" "SELECT pg_switch_wal()" >/dev/null     # the segment holding both changes goes to the archive
for _ in $(seq 1 40); do
  [ "$(psql_at "$PORT" "SELECT last_archived_wal IS NOT NULL AND last_archived_time > '$TARGET' FROM pg_stat_archiver")" = t ] && break; sleep 0.25
done
stop "$WORK/primary"    # the primary is lost

# Restore: the base backup, the archive replayed up to the target time, then promoted.
mkdir -p "$WORK/restored"; chmod 700 "$WORK/restored"
tar -xzf "$WORK/base/base.tar.gz" -C "$WORK/restored"; chown -R postgres:postgres "$WORK/restored"
sed -i "s/^port = .*/port = $RESTORED_PORT/; s/^archive_mode = on/archive_mode = off/" "$WORK/restored/postgresql.conf"
cat >> "$WORK/restored/postgresql.conf" <<CONF
restore_command = 'cp $WORK/archive/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
as_pg touch "$WORK/restored/recovery.signal"
pg_start "$WORK/restored" "$WORK/restored.log"
for _ in $(seq 1 60); do [ "$(psql_at "$RESTORED_PORT" "SELECT pg_is_in_recovery()")" = f ] && break; sleep 0.5; done

USERS=$("$BIN" users list --db "postgres://app:app@127.0.0.1:$RESTORED_PORT/giamngheo" | cut -f1 | tail -n +2 | tr '\n' ' ')
echo "target time $TARGET; accounts after the restore: $USERS"
echo "$USERS" | grep -qw truoc || fail "the change before the target time is missing"
echo "$USERS" | grep -qw sau && fail "the change after the target time is there"
grep -q "recovery stopping before commit" "$WORK/restored.log" || fail "the log does not show recovery stopping at the target"
echo "pitr-drill: ok (before the target: kept; after it: not replayed)"
