#!/usr/bin/env bash
# Easel at scale, on one machine: PostgreSQL, two replicas, nginx with sticky sessions.
#   deploy/run.sh          start everything (state under deploy/.state), then open http://127.0.0.1:8080/
#   deploy/run.sh stop     stop everything
# Needs `make install` done, and Debian's postgresql and nginx packages. See deploy/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$PWD/deploy/.state"
BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || command -v initdb)")"
PG_PORT="${PG_PORT:-55432}"
AS=()  # PostgreSQL refuses to run as root
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); fi
export EASEL_DATABASE_URL="postgresql+psycopg://easel@/easel?host=$STATE/pg&port=$PG_PORT"

if [ "${1:-start}" = stop ]; then
    for pid in "$STATE"/replica-*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null && rm -f "$pid"; done
    [ -f "$STATE/nginx.pid" ] && nginx -c "$STATE/nginx.conf" -s stop || true
    "${AS[@]}" "$BIN/pg_ctl" -D "$STATE/pg/data" -m fast stop || true
    exit 0
fi

mkdir -p "$STATE/pg"
[ "$(id -u)" = 0 ] && chown postgres "$STATE/pg"
if [ ! -d "$STATE/pg/data" ]; then
    "${AS[@]}" "$BIN/initdb" -D "$STATE/pg/data" -U easel -A trust -E UTF8 --no-locale >/dev/null
fi
"${AS[@]}" "$BIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/server.log" -w \
    -o "-k $STATE/pg -p $PG_PORT -c listen_addresses=''" start
"$BIN/psql" -h "$STATE/pg" -p "$PG_PORT" -U easel -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'easel'" | grep -q 1 ||
    "$BIN/createdb" -h "$STATE/pg" -p "$PG_PORT" -U easel easel
.venv/bin/easel db upgrade

for n in 1 2; do  # each replica: its own data folder (pictures, pending audit rows), the shared database
    EASEL_DATA_DIR="$STATE/replica-$n" GRADIO_SERVER_NAME=127.0.0.1 GRADIO_SERVER_PORT="786$n" \
    EASEL_TRUSTED_PROXIES=127.0.0.1 EASEL_MODEL_CACHE_DIR="${EASEL_MODEL_CACHE_DIR:-$PWD/data/models}" \
        nohup .venv/bin/easel serve >"$STATE/replica-$n.log" 2>&1 &
    echo $! >"$STATE/replica-$n.pid"
done
sed "s#@STATE@#$STATE#g" deploy/nginx.conf >"$STATE/nginx.conf"
nginx -c "$STATE/nginx.conf"
echo "PostgreSQL on $STATE/pg:$PG_PORT, replicas on 127.0.0.1:7861 and :7862, nginx on http://127.0.0.1:8080/"
echo "opt-outs from a shell reach both replicas: EASEL_DATABASE_URL='$EASEL_DATABASE_URL' .venv/bin/easel optout add NAME"
