# Sourced by the drills (from the repository's root): the program to drill (BIN, the debug build unless given),
# PostgreSQL's binaries (PGBIN; installed from Debian when missing), and init_primary: a primary in $WORK/primary
# on 127.0.0.1:$PORT (socket in $WORK), able to stream and archive WAL, with the role app/app owning the database
# giamngheo. Extra postgresql.conf lines come as arguments.
BIN=$(realpath "${BIN:-.build/debug/giamngheo}")
[ -x "$BIN" ] || { echo "build first: swift build --product giamngheo" >&2; exit 2; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { runuser -u postgres -- "$@"; }

init_primary() {
  echo app > "$WORK/pwfile"; chown postgres "$WORK/pwfile"
  as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --pwfile="$WORK/pwfile" >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"; echo "port = $PORT"; echo "unix_socket_directories = '$WORK'"; echo "wal_level = replica"
    echo "max_locks_per_transaction = 1024"
    for line in "$@"; do echo "$line"; done
  } >> "$WORK/primary/postgresql.conf"
  echo "local replication postgres trust" >> "$WORK/primary/pg_hba.conf"
  as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
  as_pg psql -h "$WORK" -p "$PORT" -U postgres -q -c "CREATE ROLE app LOGIN PASSWORD 'app'" -c "CREATE DATABASE giamngheo OWNER app"
}
