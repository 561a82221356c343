#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server from Debian's `postgresql` package on
# 127.0.0.1 (for CI and for trying DATABASE_URL locally). Installs it if absent.
#   scripts/postgres-local.sh start PORT DIR   -> prints the connection URL
#   scripts/postgres-local.sh stop DIR [fast|immediate]
# A DIR that already holds a database is started again, data kept (npm run
# cluster's ./data-cluster, and its fault tests' restarts). `immediate` stops
# without a checkpoint, as a crash would: the next start runs recovery.
set -euo pipefail
cmd=${1:?start|stop}

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "$cmd" in
  start)
    port=${2:?port}; dir=${3:?data dir}
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq postgresql >&2
      bin=$(find_bin)
    fi
    mkdir -p "$dir"
    # initdb refuses to run as root: run the server as the package's user.
    as_pg=()
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; as_pg=(runuser -u postgres --); fi
    if [ ! -f "$dir/db/PG_VERSION" ]; then
      "${as_pg[@]}" "$bin/initdb" -D "$dir/db" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >&2
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/db" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c fsync=off" start >&2
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?data dir}; mode=${3:-fast}
    bin=$(find_bin)
    as_pg=()
    if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/db" -m "$mode" -w stop >&2 || true
    ;;
  *) echo "usage: $0 start PORT DIR | stop DIR [fast|immediate]" >&2; exit 2 ;;
esac
