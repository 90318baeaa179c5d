#!/usr/bin/env bash
# Runs the benchmarks behind docs/PERFORMANCE.md and keeps each output in bench/out/.
# Usage: bash bench/run.sh [gateway-ab|reservations|covers-gateway|memory|calls|state-size|gateway|failover|cross-silo|cross-silo-processes|gateway-spread|client-gateway ...]
#        (no argument: gateway-ab reservations covers-gateway memory, the figures of the table in docs/PERFORMANCE.md)
#
# Environment:
#   ROUNDS            rounds of each interleaved comparison (default 5; gateway-ab runs ROUNDS + 3 latency rounds)
#   BASELINE_COMMIT   the build gateway-ab compares with (default f39f27b, the last build before Orleans); built in
#                     Release in a temporary worktree unless BASELINE_SILO names its silo dll
#   BENCH_PRIORITY    a scheduler autogroup nice value for this script and everything it starts (e.g. -10; root only).
#                     On a machine shared with other work, the kernel splits the cores between autogroups (one
#                     per setsid), not processes: without it, this script's group can get too small a share of two
#                     cores to serve 1,000 requests/s at all.
#
# The reservation runs start their own PostgreSQL with production durability (fsync=on, synchronous_commit=on) on
# 127.0.0.1:55434. "Group commit alone" (no budget covers) is this build with one line changed, built in a temporary
# worktree: the grain places no cover in any write, so every grant waits for a write of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
rounds=${ROUNDS:-5}
if [ -n "${BENCH_PRIORITY:-}" ]; then
  echo "$BENCH_PRIORITY" > /proc/self/autogroup
fi

dotnet build -c Release bench/OrleansTenancy.Benchmarks -v q -nologo
bench=(dotnet bench/OrleansTenancy.Benchmarks/bin/Release/net10.0/OrleansTenancy.Benchmarks.dll)
silo=silo/bin/Release/net10.0/OrleansTenancy.Silo.dll
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(gateway-ab reservations covers-gateway memory)

# Builds a variant of a commit in a worktree of its own under /tmp (kept for the next run) and prints its folder.
variant() {
  local name=$1 commit=$2 edit=$3 dir
  dir="${TMPDIR:-/tmp}/orleans-tenancy-bench-$1-$(git rev-parse --short "$2")"
  # A folder is reused only with its marker, written once the edit applied and both builds passed.
  if [ ! -f "$dir/.bench-variant-built" ]; then
    [ ! -d "$dir" ] || git worktree remove --force "$dir" >&2
    git worktree add --detach "$dir" "$commit" >&2
    if ! (cd "$dir" && eval "$edit" && dotnet build -c Release silo -v q -nologo >&2 && \
      { [ ! -d bench/OrleansTenancy.Benchmarks ] || dotnet build -c Release bench/OrleansTenancy.Benchmarks -v q -nologo >&2; }); then
      echo "run.sh: variant '$name' of $commit could not be made (its edit no longer applies, or it does not build): $edit" >&2
      git worktree remove --force "$dir" >&2
      exit 1
    fi
    touch "$dir/.bench-variant-built"
  fi
  echo "$dir"
}

no_covers_edit="sed -i 's/Cover.Place(_account, RulesIfKnown(), _time.GetUtcNow(), none: _stopping)/Cover.Place(_account, RulesIfKnown(), _time.GetUtcNow(), none: true || _stopping)/' grains/Grains/Tenants/TenantGrain.Internals.cs && grep -q 'none: true' grains/Grains/Tenants/TenantGrain.Internals.cs"

loadavg() { echo "# load average $(date -u +%H:%M:%S): $(cut -d' ' -f1-3 /proc/loadavg)"; }

for mode in "${modes[@]}"; do
  case "$mode" in
    gateway-ab)
      # This build's silo (A) against the last build before Orleans (B), both running, phases interleaved.
      dotnet build -c Release silo -v q -nologo
      baseline=${BASELINE_SILO:-$(variant baseline "${BASELINE_COMMIT:-f39f27b}" true)/$silo}
      { loadavg
        "${bench[@]}" gateway-ab --silo-a "$silo" --silo-b "$baseline" --rate 1000 --rounds $((rounds + 3)) \
          --duration 5 --warmup 2 --steps 1000,1500,2000,3000,4000,5000,6000,8000 --step-rounds "$rounds"
        loadavg; } | tee "$out/gateway-ab.txt" ;;
    reservations)
      # Rounds of: the shipped storage (Orleans AdoNet), the batched alternative, and group commit alone (shipped
      # storage, no covers); one hot tenant and 1,000 tenants; the order rotates each round.
      durable=$(PGDURABLE=1 PGPORT=55434 PGDATA=/tmp/orleans-tenancy-pg-durable bash deploy/postgres.sh start)
      # The server runs in a process group of its own: give it the same scheduler priority as this script.
      [ -z "${BENCH_PRIORITY:-}" ] || echo "$BENCH_PRIORITY" > "/proc/$(head -n 1 /tmp/orleans-tenancy-pg-durable/postmaster.pid)/autogroup"
      no_covers=$(variant no-covers HEAD "$no_covers_edit")
      runs=()
      for round in $(seq "$rounds"); do
        for tenants in 1 1000; do
          variants=(adonet batched no-covers)
          for k in 0 1 2; do
            name=${variants[$(((k + round) % 3))]}
            file="$out/reservations-$name-$tenants-r$round.txt"
            case "$name" in
              adonet) run=("${bench[@]}" reservations --store postgres) ;;
              batched) run=("${bench[@]}" reservations --store postgres-batched) ;;
              no-covers) run=(dotnet "$no_covers/bench/OrleansTenancy.Benchmarks/bin/Release/net10.0/OrleansTenancy.Benchmarks.dll" reservations --store postgres) ;;
            esac
            { loadavg; "${run[@]}" --tenants "$tenants" --duration 5 --warmup 2 --concurrency 64 --postgres "$durable"; } | tee "$file"
            runs+=("$name=$file")
          done
        done
      done
      python3 bench/medians.py "${runs[@]}" | tee "$out/reservations-medians.md" ;;
    covers-gateway)
      # The gateway with covers (A) and with group commit alone (B), side by side.
      dotnet build -c Release silo -v q -nologo
      no_covers=$(variant no-covers HEAD "$no_covers_edit")
      { loadavg
        "${bench[@]}" gateway-ab --silo-a "$silo" --silo-b "$no_covers/$silo" --rate 1000 --rounds $((rounds + 3)) --duration 5 --warmup 2
        loadavg; } | tee "$out/covers-gateway.txt" ;;
    memory)
      for round in $(seq 3); do
        "${bench[@]}" memory --count 100000 | tee "$out/memory-r$round.txt"
      done ;;
    calls)
      (cd "$out" && dotnet ../OrleansTenancy.Benchmarks/bin/Release/net10.0/OrleansTenancy.Benchmarks.dll calls) | tee "$out/calls.txt" ;;
    state-size)
      "${bench[@]}" state-size | tee "$out/state-size.txt" ;;
    gateway)
      # One silo: added latency at 500, 1,000 and 2,000 requests/s and a step-up.
      dotnet build -c Release silo -v q -nologo
      "${bench[@]}" gateway | tee "$out/gateway.txt" ;;
    failover)
      # Three silo processes run by deploy/local/cluster.sh (its own Redis and PostgreSQL, on free loopback ports).
      dotnet build -c Release silo -v q -nologo
      "${bench[@]}" failover --kills "$rounds" | tee "$out/failover.txt" ;;
    cross-silo)
      "${bench[@]}" cross-silo --silos 1,2,3 --rounds "$rounds" --duration 5 --warmup 1 --concurrency 64 | tee "$out/cross-silo.txt" ;;
    cross-silo-processes)
      { loadavg; "${bench[@]}" cross-silo-processes --silos 1,2,3 --rounds "$rounds" --duration 5 --warmup 1 --concurrency 64; loadavg; } \
        | tee "$out/cross-silo-processes.txt" ;;
    gateway-spread)
      # A cluster of 1 and one of 2 silo processes by deploy/local/cluster.sh, side by side (their own Redis and PostgreSQL).
      dotnet build -c Release silo -v q -nologo
      { loadavg; "${bench[@]}" gateway-spread --rate 200 --rounds "$rounds" --duration 5 --warmup 2; loadavg; } | tee "$out/gateway-spread.txt" ;;
    client-gateway)
      # Grain state and ledger in a scratch database on the test server (fsync off): the gateway path, not the disk.
      "${bench[@]}" client-gateway --silos 1,2 --rounds "$rounds" --duration 5 --warmup 2 --concurrency 64 --tenants 200 \
        --postgres "$(bash deploy/postgres.sh start)" | tee "$out/client-gateway.txt" ;;
    *)
      echo "unknown mode '$mode' (gateway-ab, reservations, covers-gateway, memory, calls, state-size, gateway, failover, cross-silo, cross-silo-processes, gateway-spread, client-gateway)" >&2; exit 2 ;;
  esac
done
