#!/usr/bin/env bash
# A cluster of silos on this machine, each a process of its own, on Redis or PostgreSQL membership, with grain state
# and the usage ledger in one PostgreSQL database that every silo shares. Installs Redis and PostgreSQL when they are
# missing (apt-get, as root) and runs them on 127.0.0.1 with their data in the run folder.
#
#   deploy/local/cluster.sh start N   start silos 1..N that are not running (and the servers); returns once every
#                                     silo answers GET /healthz
#   deploy/local/cluster.sh status    each silo (running or not, its addresses, its health) and the servers
#   deploy/local/cluster.sh kill K    SIGKILL silo K, as a crash would; 'start N' brings it back
#   deploy/local/cluster.sh stop      stop every silo (SIGTERM, a clean leave), then Redis and PostgreSQL
#
# Silo K serves HTTP on 127.0.0.1:(CLUSTER_HTTP_BASE + K), talks to the other silos on port 11110 + K and takes
# Orleans clients on port 30000 + K. Its pid and log are deploy/local/run/silo-K.pid and silo-K.log, its data folder
# deploy/local/run/silo-K/. The silos run a Release build this script makes and copies to deploy/local/run/app when no
# silo is running, so that every silo of one cluster runs the same build.
#
# Environment (defaults in brackets):
#   CLUSTER_MEMBERSHIP       redis or postgres [redis]
#   CLUSTER_TENANTS          the tenants folder [the repository's tenants/]
#   CLUSTER_HTTP_BASE        silo K serves HTTP on port CLUSTER_HTTP_BASE + K [8080]
#   CLUSTER_SILO_PORT_BASE   silo K's silo port is CLUSTER_SILO_PORT_BASE + K [11110]
#   CLUSTER_GATEWAY_PORT_BASE  silo K's gateway port is CLUSTER_GATEWAY_PORT_BASE + K [30000]
#   CLUSTER_REDIS_PORT       [56380]      CLUSTER_POSTGRES_PORT  [55433]
#   CLUSTER_POSTGRES_DURABLE 1: fsync on, as in production; 0: fsync off, faster, for tests [1]
#   CLUSTER_RUN_DIR          pids, logs and data [deploy/local/run]
#   CLUSTER_SILO_DLL         run this silo build instead of building one (tests pass the build they run)
#   CLUSTER_START_TIMEOUT    seconds 'start' waits for every silo's /healthz [180]
# Passed through to every silo: OPENROUTER_BASE_URL, OPENROUTER_API_KEY (without either, each silo answers through its
# built-in OpenRouter simulator), TENANCY__ADMINKEY, and any other setting as an environment variable (CLUSTER__…,
# TENANCY__…).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
membership="${CLUSTER_MEMBERSHIP:-redis}"
tenants="${CLUSTER_TENANTS:-$root/tenants}"
http_base="${CLUSTER_HTTP_BASE:-8080}"
silo_base="${CLUSTER_SILO_PORT_BASE:-11110}"
gateway_base="${CLUSTER_GATEWAY_PORT_BASE:-30000}"
redis_port="${CLUSTER_REDIS_PORT:-56380}"
postgres_port="${CLUSTER_POSTGRES_PORT:-55433}"
postgres_durable="${CLUSTER_POSTGRES_DURABLE:-1}"
run="${CLUSTER_RUN_DIR:-$root/deploy/local/run}"
start_timeout="${CLUSTER_START_TIMEOUT:-180}"
database=tenancy

say() { echo "cluster.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

usage() {
  echo "usage: $0 start N | status | kill K | stop   (see the top of this file for the settings)" >&2
  exit 2
}

redis() { REDIS_PORT="$redis_port" REDIS_DIR="$run/redis" bash "$root/deploy/redis.sh" "$@"; }
postgres() { PGPORT="$postgres_port" PGDATA="$postgres_data" PGDURABLE="$postgres_durable" bash "$root/deploy/postgres.sh" "$@"; }

# PostgreSQL's data folder: run/postgres, unless the server (as root, run as the user postgres) could not reach it, as
# in a clone under /root: then a folder of its own under /var/lib/orleans-tenancy, named after the run folder, with a
# link to it in the run folder. Decided the same way by every command, so 'status' and 'stop' find the same server.
choose_postgres_data() {
  postgres_data="$run/postgres"
  if [ "$(id -u)" = 0 ] && [ ! -d "$postgres_data" ] && id postgres >/dev/null 2>&1 \
    && ! runuser -u postgres -- test -x "$run" 2>/dev/null; then
    postgres_data="/var/lib/orleans-tenancy/$(printf '%s' "$run" | sha256sum | cut -c1-16)/postgres"
  elif [ -L "$postgres_data" ]; then
    postgres_data="$(readlink "$postgres_data")"
  fi
}
postgres_connection() { echo "Host=127.0.0.1;Port=${postgres_port};Username=postgres;Database=${database}"; }

pid_file() { echo "$run/silo-$1.pid"; }

# The pid of silo K when it runs (a pid the system gave to another program since does not count), else nothing.
silo_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q OrleansTenancy.Silo; then
    echo "$pid"
  fi
}

known_silos() {
  local file
  for file in "$run"/silo-*.pid; do
    [ -f "$file" ] || continue
    file="${file##*/silo-}"
    echo "${file%.pid}"
  done | sort -n
}

healthy() { curl -sf --max-time 2 "http://127.0.0.1:$((http_base + $1))/healthz" >/dev/null 2>&1; }

# Whether something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on PORT, when the system says (ss needs no root for the port, only for the program's name).
listener() {
  command -v ss >/dev/null || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n 1 | sed -E 's/users:\(\("([^"]*)",pid=([0-9]*)/ by \1 (pid \2)/'
}

# A program other than this cluster's own holds PORT: say which setting moves it, and stop before anything starts.
port_taken() {
  fail "127.0.0.1:$1 ($2) is already in use$(listener "$1"); stop that program or choose other ports with $3."
}

# The pid a server of this run folder wrote, when that process is alive.
alive_pid_in() { local pid; pid="$(head -n 1 "$1" 2>/dev/null || true)"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# Every port 'start N' is about to take must be free, or held by this cluster's own servers: a silo that cannot bind
# its port would die after 'start' looked at the port, and another program answering /healthz there would pass for it.
check_ports() {
  local n="$1" k
  if listening "$postgres_port" && ! alive_pid_in "$postgres_data/postmaster.pid"; then
    port_taken "$postgres_port" "PostgreSQL" CLUSTER_POSTGRES_PORT
  fi
  if [ "$membership" = redis ] && listening "$redis_port" && ! alive_pid_in "$run/redis/redis.pid"; then
    port_taken "$redis_port" "Redis" CLUSTER_REDIS_PORT
  fi
  for k in $(seq 1 "$n"); do
    [ -n "$(silo_pid "$k")" ] && continue
    listening "$((http_base + k))" && port_taken "$((http_base + k))" "silo $k's HTTP port" CLUSTER_HTTP_BASE
    listening "$((silo_base + k))" && port_taken "$((silo_base + k))" "silo $k's silo port" CLUSTER_SILO_PORT_BASE
    listening "$((gateway_base + k))" && port_taken "$((gateway_base + k))" "silo $k's gateway port" CLUSTER_GATEWAY_PORT_BASE
  done
  return 0
}

# The silo program: CLUSTER_SILO_DLL, else a Release build copied into the run folder while no silo runs.
silo_dll() {
  if [ -n "${CLUSTER_SILO_DLL:-}" ]; then
    [ -f "$CLUSTER_SILO_DLL" ] || fail "CLUSTER_SILO_DLL is '$CLUSTER_SILO_DLL', which does not exist."
    echo "$CLUSTER_SILO_DLL"
    return
  fi
  local any_running=""
  for k in $(known_silos); do [ -n "$(silo_pid "$k")" ] && any_running=1; done
  if [ -z "$any_running" ] || [ ! -f "$run/app/OrleansTenancy.Silo.dll" ]; then
    command -v dotnet >/dev/null || fail "dotnet is not installed; install the .NET 10 SDK first."
    say "building the silo (Release)"
    dotnet build "$root/silo/OrleansTenancy.Silo.csproj" -c Release -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2 \
      || fail "the silo did not build; see the errors above."
    rm -rf "$run/app"
    cp -r "$root/silo/bin/Release/net10.0" "$run/app"
  fi
  echo "$run/app/OrleansTenancy.Silo.dll"
}

start_servers() {
  if ! command -v curl >/dev/null; then
    [ "$(id -u)" = 0 ] || fail "curl is not installed; install it first (apt-get install curl)."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >&2 || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >&2; }
  fi
  if [ "$postgres_data" != "$run/postgres" ] && [ ! -L "$run/postgres" ]; then
    mkdir -p "$postgres_data"
    ln -sfn "$postgres_data" "$run/postgres"
    say "PostgreSQL keeps its data in $postgres_data (the user postgres cannot reach $run; linked from $run/postgres)"
  fi
  postgres start >/dev/null
  local psql="psql -h 127.0.0.1 -p $postgres_port -U postgres -d postgres -tAq"
  if [ "$($psql -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
    $psql -c "CREATE DATABASE $database" >/dev/null
  fi
  say "PostgreSQL on 127.0.0.1:${postgres_port}, database ${database} (data: $postgres_data)"
  if [ "$membership" = redis ]; then
    redis start >/dev/null
    say "Redis on 127.0.0.1:${redis_port} (data: $run/redis)"
  fi
}

start_silo() {
  local k="$1" dll="$2"
  local data="$run/silo-$k" log="$run/silo-$k.log"
  local args=(
    "$dll"
    --urls "http://127.0.0.1:$((http_base + k))"
    --tenants "$tenants"
    --Cluster:Membership "$membership"
    --Cluster:SiloPort "$((silo_base + k))"
    --Cluster:GatewayPort "$((gateway_base + k))"
    --Cluster:AdvertisedAddress 127.0.0.1
    --Tenancy:Storage postgres
    --Tenancy:PostgresConnectionString "$(postgres_connection)"
    --Tenancy:DataDirectory "$data"
  )
  [ "$membership" = redis ] && args+=(--Cluster:RedisConnectionString "127.0.0.1:${redis_port}")
  mkdir -p "$data"
  # The log is appended to, so what a silo wrote before it crashed is still there after 'start' brings it back.
  echo "cluster.sh: silo $k starting at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$log"
  # A session of its own: the silo outlives the shell that started it and is stopped only through this script.
  (cd "$data" && exec setsid dotnet "${args[@]}" >>"$log" 2>&1 </dev/null) &
  local pid=$! tries=0
  echo "$pid" >"$(pid_file "$k")"
  # Until the subshell has exec'd the silo, its command line is this script's, and silo_pid (which refuses a pid some
  # other program reuses) would take the silo for dead: on a busy machine that takes a while.
  while [ -z "$(silo_pid "$k")" ] && kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 600 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  say "silo $k starting: http://127.0.0.1:$((http_base + k)), silo port $((silo_base + k)), gateway port $((gateway_base + k)), pid $pid"
}

wait_healthy() {
  local deadline=$((SECONDS + start_timeout)) k waiting
  while :; do
    waiting=()
    for k in "$@"; do
      if [ -z "$(silo_pid "$k")" ]; then
        tail -n 30 "$run/silo-$k.log" >&2 || true
        fail "silo $k exited while starting; its log is $run/silo-$k.log (last lines above)."
      fi
      healthy "$k" || waiting+=("$k")
    done
    [ ${#waiting[@]} -eq 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "silo(s) ${waiting[*]} did not answer /healthz within ${start_timeout} s; see $run/silo-<K>.log."
    fi
    sleep 0.5
  done
}

start() {
  local n="${1:-}"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || usage
  case "$membership" in redis | postgres) ;; *) fail "CLUSTER_MEMBERSHIP is '$membership'; it must be 'redis' or 'postgres'." ;; esac
  [ -d "$tenants" ] || fail "CLUSTER_TENANTS is '$tenants', which is not a folder."
  tenants="$(cd "$tenants" && pwd)"
  mkdir -p "$run"
  run="$(cd "$run" && pwd)"
  # Installs PostgreSQL when it is missing (its user decides where the data can live); 3 means "not running".
  postgres status >/dev/null || [ $? = 3 ]
  choose_postgres_data
  check_ports "$n"
  start_servers
  local dll started=() k
  dll="$(silo_dll)"
  for k in $(seq 1 "$n"); do
    if [ -n "$(silo_pid "$k")" ]; then
      say "silo $k already runs (pid $(silo_pid "$k"))"
      continue
    fi
    start_silo "$k" "$dll"
    started+=("$k")
  done
  [ ${#started[@]} -gt 0 ] && wait_healthy "${started[@]}"
  say "silos 1-$n answer on http://127.0.0.1:$((http_base + 1))-$((http_base + n)) ($membership membership)"
}

kill_silo() {
  local k="${1:-}" pid
  [[ "$k" =~ ^[1-9][0-9]*$ ]] || usage
  pid="$(silo_pid "$k")"
  [ -n "$pid" ] || fail "silo $k is not running."
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  say "silo $k (pid $pid) killed"
}

status() {
  local k pid any=""
  for k in $(known_silos); do
    any=1
    pid="$(silo_pid "$k")"
    if [ -z "$pid" ]; then
      echo "silo $k: not running (log: $run/silo-$k.log)"
    elif healthy "$k"; then
      echo "silo $k: running, pid $pid, http://127.0.0.1:$((http_base + k)) healthy, silo port $((silo_base + k)), gateway port $((gateway_base + k))"
    else
      echo "silo $k: running, pid $pid, http://127.0.0.1:$((http_base + k)) not answering /healthz"
    fi
  done
  [ -n "$any" ] || echo "no silos (start some with: $0 start 3)"
  [ -d "$run/postgres" ] && echo "PostgreSQL: $(postgres status 2>&1 | head -n 1)"
  [ -d "$run/redis" ] && echo "Redis: $(redis status 2>&1 | head -n 1)"
  return 0
}

stop() {
  local k pid pids=()
  for k in $(known_silos); do
    pid="$(silo_pid "$k")"
    if [ -n "$pid" ]; then
      kill -TERM "$pid"
      pids+=("$pid")
    fi
    rm -f "$(pid_file "$k")"
  done
  local deadline=$((SECONDS + 30))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  done
  say "stopped ${#pids[@]} silo(s)"
  if [ -d "$run/redis" ]; then redis stop; fi
  if [ -d "$run/postgres" ]; then postgres stop; fi
}

[ -d "$run" ] && run="$(cd "$run" && pwd)"
choose_postgres_data

case "${1:-}" in
  start) start "${2:-}" ;;
  status) status ;;
  kill) kill_silo "${2:-}" ;;
  stop) stop ;;
  *) usage ;;
esac
