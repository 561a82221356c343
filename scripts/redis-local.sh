#!/usr/bin/env bash
# Starts a throwaway Redis from Debian's `redis-server` package on 127.0.0.1
# (for CI's multi-instance tests). Installs it if absent.
#   scripts/redis-local.sh start PORT DIR   -> prints the connection URL
#   scripts/redis-local.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
case "$cmd" in
  start)
    port=${2:?port}; dir=${3:?dir}
    if ! command -v redis-server >/dev/null; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq redis-server >&2
    fi
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
    for _ in $(seq 1 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    echo "redis://127.0.0.1:$port"
    ;;
  stop)
    dir=${2:?dir}
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start PORT DIR | stop DIR" >&2; exit 2 ;;
esac
