#!/usr/bin/env bash
# Runs every benchmark behind docs/PERFORMANCE.md, one after another, and keeps each output in bench/out/.
# Usage: bash bench/run.sh [calls|reservations|memory|state-size|gateway ...]   (no argument: all of them)
# The reservation runs start their own PostgreSQL with production durability (fsync=on, synchronous_commit=on) on
# 127.0.0.1:55434, and repeat the one-hot-tenant PostgreSQL run on the test server (fsync=off, 127.0.0.1:55432).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
dotnet build -c Release bench/OrleansTenancy.Benchmarks -v q -nologo
bench=(dotnet bench/OrleansTenancy.Benchmarks/bin/Release/net10.0/OrleansTenancy.Benchmarks.dll)
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(calls reservations memory state-size gateway)

for mode in "${modes[@]}"; do
  case "$mode" in
    calls)
      (cd "$out" && dotnet ../OrleansTenancy.Benchmarks/bin/Release/net10.0/OrleansTenancy.Benchmarks.dll calls) | tee "$out/calls.txt" ;;
    reservations)
      durable=$(PGDURABLE=1 PGPORT=55434 PGDATA=/tmp/orleans-tenancy-pg-durable bash deploy/postgres.sh start)
      for store in sqlite postgres; do
        for tenants in 1 1000; do
          "${bench[@]}" reservations --store "$store" --tenants "$tenants" --duration 10 --warmup 2 --concurrency 64 \
            --postgres "$durable" | tee "$out/reservations-$store-$tenants.txt"
        done
      done
      "${bench[@]}" reservations --store postgres --tenants 1 --duration 10 --warmup 2 --concurrency 64 \
        --postgres "$(bash deploy/postgres.sh start)" | tee "$out/reservations-postgres-1-fsync-off.txt" ;;
    memory)
      "${bench[@]}" memory --count 100000 | tee "$out/memory.txt" ;;
    state-size)
      "${bench[@]}" state-size | tee "$out/state-size.txt" ;;
    gateway)
      # The silo runs as a child process from its Release build; the tenants folder is copied, not changed.
      dotnet build -c Release silo -v q -nologo
      "${bench[@]}" gateway | tee "$out/gateway.txt"
      "${bench[@]}" gateway --quiet-http-client-log | tee "$out/gateway-quiet.txt" ;;
    *)
      echo "unknown mode '$mode' (calls, reservations, memory, state-size, gateway)" >&2; exit 2 ;;
  esac
done
