#!/usr/bin/env bash
# Tries docs/deploy.md on this machine, on loopback and without systemd: a PostgreSQL cluster, the program
# installed with its resources into a folder of its own, configuration by an environment file, the first
# administrator from the terminal, nginx with a self-signed certificate in front, and a sign-in through it.
# Checks that the session cookie is Secure behind the proxy, that the log names the client, and that the
# systemd unit of the page is valid. Installs nginx and openssl from Debian when they are missing.
#   BIN=.build/release/giamngheo bash scripts/deploy-check.sh      (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/giamngheo}
[ -x "$BIN" ] || { echo "build first: swift build --product giamngheo" >&2; exit 2; }
if ! command -v nginx >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null
fi
WORK=$(mktemp -d /tmp/deploy-check.XXXXXX); chmod 755 "$WORK"
APP_PORT=${APP_PORT:-18080}; TLS_PORT=${TLS_PORT:-18443}
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  PORT=25439 ROOT=$WORK/pg bash -c 'runuser -u postgres -- $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D "$ROOT/data" -m fast stop' >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- app log" >&2; tail -30 "$WORK/app.log" >&2 || true; exit 1; }

# §2 PostgreSQL (the test cluster script: a role that owns its database, as the page's CREATE DATABASE … OWNER).
DB=$(PORT=25439 ROOT=$WORK/pg bash scripts/start-postgres.sh | tail -1)

# §1 the program and its resources in a folder of their own, run from another working directory.
mkdir -p "$WORK/opt" "$WORK/var"
cp "$BIN" "$WORK/opt/giamngheo"
cp -r "$(dirname "$BIN")"/*.resources "$WORK/opt/"

# §3 configuration by an environment file.
cat > "$WORK/env" <<ENV
GIAMNGHEO_DB=$DB
GIAMNGHEO_HOST=127.0.0.1
GIAMNGHEO_PORT=$APP_PORT
GIAMNGHEO_NO_DEMO=true
GIAMNGHEO_TRUSTED_PROXIES=127.0.0.1
LOG_LEVEL=info
ENV

# §4 the service, as its ExecStart runs it.
(cd "$WORK/var" && set -a && . "$WORK/env" && set +a && exec "$WORK/opt/giamngheo" serve) >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$APP_PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$APP_PORT/health" >/dev/null || fail "the app did not answer"
grep -q "Chưa có tài khoản nào" "$WORK/app.log" || fail "no notice about the missing administrator"
grep -q "postgres://app:\*\*\*@" "$WORK/app.log" || fail "the start line should show the database without its password"

# §5 the first administrator; the password is the last line.
PASSWORD=$(cd "$WORK/var" && set -a && . "$WORK/env" && set +a && "$WORK/opt/giamngheo" users create --username quantri --role admin --name "Quản trị hệ thống" | tail -1)
[ ${#PASSWORD} -eq 12 ] || fail "users create did not print a password"

# §6 nginx with TLS in front, the page's location block.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat > "$WORK/nginx.conf" <<NGINX
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body; proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-fcgi; uwsgi_temp_path $WORK/nginx-uwsgi; scgi_temp_path $WORK/nginx-scgi;
  server {
    listen 127.0.0.1:$TLS_PORT ssl;
    ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;
    client_max_body_size 200m;
    proxy_read_timeout 300s;
    location / {
      proxy_pass http://127.0.0.1:$APP_PORT;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" || fail "nginx did not start"
URL="https://127.0.0.1:$TLS_PORT"
for _ in $(seq 1 20); do curl -skf "$URL/health" >/dev/null 2>&1 && break; sleep 0.25; done

# A sign-in through the proxy: the cookie is Secure, HSTS is sent, the log names the client.
JAR="$WORK/cookies"
curl -sk -c "$JAR" -D "$WORK/h1" "$URL/login" -o "$WORK/login.html"
grep -qi '^set-cookie: giamngheo_session=.*Secure' "$WORK/h1" || fail "the session cookie is not Secure behind the proxy: $(grep -i set-cookie "$WORK/h1")"
grep -qi '^strict-transport-security:' "$WORK/h1" || fail "no Strict-Transport-Security behind TLS"
CSRF=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//; s/"$//')
STATUS=$(curl -sk -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "_csrf=$CSRF" \
  --data-urlencode "username=quantri" --data-urlencode "password=$PASSWORD" "$URL/login")
[ "$STATUS" = "303" ] || fail "sign-in through the proxy answered $STATUS"
[ "$(curl -sk -b "$JAR" -o /dev/null -w '%{http_code}' "$URL/households")" = "200" ] || fail "the household list after sign-in"
sleep 0.5
grep -q "signed in: 'quantri' from 127.0.0.1" "$WORK/app.log" || fail "the sign-in is not in the log with the client's address"
# §4 the unit on the page is valid for systemd.
sed -n '/^# \/etc\/systemd\/system\/giamngheo.service/,/^WantedBy/p' docs/deploy.md | sed 1d > "$WORK/giamngheo.service"
sed -i "s#/opt/giamngheo/giamngheo#$WORK/opt/giamngheo#; s#^User=.*#User=root#; s#^Group=.*#Group=root#" "$WORK/giamngheo.service"
if command -v systemd-analyze >/dev/null 2>&1; then
  OUT=$(systemd-analyze verify "$WORK/giamngheo.service" 2>&1 | grep -v "EnvironmentFile\|Cannot add dependency\|network-online\|postgresql.service" || true)
  [ -z "$OUT" ] || fail "systemd-analyze: $OUT"
fi

# A clean stop, as systemd stops it.
kill -TERM "$APP_PID"; wait "$APP_PID" || fail "the app did not stop cleanly on SIGTERM"
APP_PID=
echo "deploy-check: ok (PostgreSQL, first administrator, HTTPS through nginx, Secure cookie, sign-in logged, unit valid)"
