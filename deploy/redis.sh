#!/usr/bin/env bash
# Starts, stops or reports a throw-away Redis server on loopback for local runs and the test suite.
#
#   deploy/redis.sh start|stop|status
#
# Environment: REDIS_PORT (default 56379).
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-56379}"

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
      redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
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
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
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
