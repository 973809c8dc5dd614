# Sourced by the drills (from the repository's root): the program to drill (BIN, the debug build unless given),
# PostgreSQL's binaries (PGBIN; installed from Debian when missing), and init_primary: a primary in $WORK/primary
# on 127.0.0.1:$PORT (socket in $WORK), able to stream and archive WAL, with the role app/app owning the database
# giamngheo. Extra postgresql.conf lines come as arguments. The drills' ports are below 32768, outside Linux's
# ephemeral range (32768–60999): a port there can be held by any client's outgoing connection, and the
# cluster then fails to bind it (the likeliest cause of a replica drill that failed in CI with "could not start
# server"; pg_start now prints the log, so a next failure says).
BIN=$(realpath "${BIN:-.build/debug/giamngheo}")
[ -x "$BIN" ] || { echo "build first: swift build --product giamngheo" >&2; exit 2; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { runuser -u postgres -- "$@"; }
# Starts the cluster in $1 logging to $2; when it does not start, its log says why (CI only shows our output).
pg_start() {
  as_pg "$PGBIN/pg_ctl" -D "$1" -l "$2" -w -t "${3:-120}" start >/dev/null && return 0
  echo "FAIL: PostgreSQL in $1 did not start; the end of $2:" >&2; tail -30 "$2" >&2 || true; exit 1
}

init_primary() {
  echo app > "$WORK/pwfile"; chown postgres "$WORK/pwfile"
  as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --pwfile="$WORK/pwfile" >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"; echo "port = $PORT"; echo "unix_socket_directories = '$WORK'"; echo "wal_level = replica"
    echo "max_locks_per_transaction = 1024"
    for line in "$@"; do echo "$line"; done
  } >> "$WORK/primary/postgresql.conf"
  echo "local replication postgres trust" >> "$WORK/primary/pg_hba.conf"
  pg_start "$WORK/primary" "$WORK/primary.log"
  as_pg psql -h "$WORK" -p "$PORT" -U postgres -q -c "CREATE ROLE app LOGIN PASSWORD 'app'" -c "CREATE DATABASE giamngheo OWNER app"
}
