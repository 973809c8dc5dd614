# Sourced by the drills: a PostgreSQL primary in $WORK/primary on 127.0.0.1:$PORT (socket in $WORK), able to
# stream and archive WAL, with the role app/app owning the database giamngheo. Extra postgresql.conf lines
# come as arguments. Needs PGBIN, WORK, PORT and as_pg.
init_primary() {
  echo app > "$WORK/pwfile"; chown postgres "$WORK/pwfile"
  as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --pwfile="$WORK/pwfile" >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"; echo "port = $PORT"; echo "unix_socket_directories = '$WORK'"; echo "wal_level = replica"
    for line in "$@"; do echo "$line"; done
  } >> "$WORK/primary/postgresql.conf"
  echo "local replication postgres trust" >> "$WORK/primary/pg_hba.conf"
  as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
  as_pg psql -h "$WORK" -p "$PORT" -U postgres -q -c "CREATE ROLE app LOGIN PASSWORD 'app'" -c "CREATE DATABASE giamngheo OWNER app"
}
