#!/usr/bin/env bash
# Starts, stops or reports a Redis server on loopback for local runs and the test suite.
#
#   deploy/redis.sh start|stop|status
#
# Environment: REDIS_PORT (default 56379), REDIS_DIR (default none).
# Without REDIS_DIR the server keeps nothing on disk (the test server). With REDIS_DIR it keeps its data, log and pid
# there and writes every change to its append-only file before answering (appendfsync always), so a restart or a
# crash of the server loses nothing it acknowledged: what cluster membership in Redis needs (deploy/local/cluster.sh).
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-56379}"
REDIS_DIR="${REDIS_DIR:-}"

ensure_installed() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "redis.sh: redis-server is not installed; run 'sudo deploy/install-deps.sh' first." >&2
    exit 1
  fi
  echo "redis.sh: installing redis-server with apt-get" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >&2; then
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >&2
  fi
}

is_running() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
}

case "${1:-}" in
  start)
    ensure_installed
    if ! is_running; then
      if [ -n "$REDIS_DIR" ]; then
        mkdir -p "$REDIS_DIR"
        REDIS_DIR="$(cd "$REDIS_DIR" && pwd)"
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --save '' --appendonly yes \
          --appendfsync always --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
      else
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
      fi
      for _ in $(seq 1 50); do is_running && break; sleep 0.1; done
      is_running || { echo "redis.sh: redis-server did not answer on 127.0.0.1:${REDIS_PORT}" >&2; exit 1; }
      echo "redis.sh: running on 127.0.0.1:${REDIS_PORT}" >&2
    else
      echo "redis.sh: already running on 127.0.0.1:${REDIS_PORT}" >&2
    fi
    echo "127.0.0.1:${REDIS_PORT}"
    ;;
  stop)
    ensure_installed
    if is_running; then
      # A server with a data folder flushes its append-only file on the way down; the test server has nothing to keep.
      if [ -n "$REDIS_DIR" ]; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
      else
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
      fi
      for _ in $(seq 1 50); do is_running || break; sleep 0.1; done
      echo "redis.sh: stopped" >&2
    else
      echo "redis.sh: not running" >&2
    fi
    ;;
  status)
    ensure_installed
    if is_running; then echo "redis.sh: running on 127.0.0.1:${REDIS_PORT}"; else echo "redis.sh: not running"; exit 3; fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
