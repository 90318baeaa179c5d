#!/usr/bin/env bash
# Starts, stops or reports a throw-away PostgreSQL server for local runs and the test suite.
# It listens only on 127.0.0.1, trusts loopback connections (tests only) and keeps its data in $PGDATA.
#
#   deploy/postgres.sh start|stop|status
#
# Environment: PGPORT (default 55432), PGDATA (default /tmp/orleans-tenancy-pg), PGDURABLE (default 0).
# The test server runs with fsync=off: nothing it holds needs to survive a power cut, and tests run faster. With
# PGDURABLE=1 the server keeps PostgreSQL's default durability (fsync=on, synchronous_commit=on), as a production
# server would; the benchmarks use that, on their own PGDATA and port:
#   PGDURABLE=1 PGPORT=55434 PGDATA=/tmp/orleans-tenancy-pg-durable deploy/postgres.sh start
set -euo pipefail

PGPORT="${PGPORT:-55432}"
PGDATA="${PGDATA:-/tmp/orleans-tenancy-pg}"
PGDURABLE="${PGDURABLE:-0}"
PGHOST=127.0.0.1
CONNECTION_STRING="Host=${PGHOST};Port=${PGPORT};Username=postgres;Database=postgres"

# Relative to where the script was started, before as_postgres leaves that folder.
case "$PGDATA" in /*) ;; *) PGDATA="$PWD/$PGDATA" ;; esac

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    # From /: the user postgres may not be allowed into the folder the script was started from (a clone under /root).
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

find_bin() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "postgres.sh: PostgreSQL is not installed; run 'sudo deploy/install-deps.sh' first." >&2
      exit 1
    fi
    echo "postgres.sh: installing postgresql with apt-get" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; then
      apt-get update -q >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
    fi
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  fi
  PGBIN=$(dirname "$initdb")
}

is_running() {
  [ -n "${PGBIN:-}" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

running_port() {
  # Line 4 of postmaster.pid is the port the running server listens on.
  sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true
}

start() {
  find_bin
  if is_running; then
    local actual
    actual=$(running_port)
    if [ -n "$actual" ] && [ "$actual" != "$PGPORT" ]; then
      echo "postgres.sh: the server of ${PGDATA} already runs on port ${actual}, not ${PGPORT}; stop it first or use another PGDATA." >&2
      exit 1
    fi
    echo "postgres.sh: already running on ${PGHOST}:${PGPORT}" >&2
    echo "$CONNECTION_STRING"
    return 0
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  fi
  local durability="-c fsync=off" mode="fsync=off"
  if [ "$PGDURABLE" = 1 ]; then
    durability="-c fsync=on -c synchronous_commit=on"
    mode="durable: fsync=on, synchronous_commit=on"
  fi
  # -k puts the Unix socket inside the data folder so no system-wide directory is needed.
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -t 30 -l "$PGDATA/server.log" \
    -o "-c listen_addresses=${PGHOST} -p ${PGPORT} -k ${PGDATA} ${durability} -c max_connections=200" start >/dev/null
  echo "postgres.sh: running on ${PGHOST}:${PGPORT} (${mode}; data: ${PGDATA}, log: ${PGDATA}/server.log)" >&2
  echo "$CONNECTION_STRING"
}

stop() {
  find_bin
  if is_running; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
    echo "postgres.sh: stopped" >&2
  else
    echo "postgres.sh: not running" >&2
  fi
}

status() {
  find_bin
  if is_running; then
    echo "postgres.sh: running on ${PGHOST}:${PGPORT}"
    echo "$CONNECTION_STRING"
  else
    echo "postgres.sh: not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
