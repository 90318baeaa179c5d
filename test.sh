#!/usr/bin/env bash
# Runs the whole test suite from a clean clone: installs and starts what the tests need
# (PostgreSQL, Redis, promtool; bound to 127.0.0.1 only), builds, then runs every test project.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Budget]
# Set TENANCY_SKIP_DEPS=1 to skip installing/starting servers when they are already running.
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${TENANCY_SKIP_DEPS:-0}" != "1" ]]; then
  bash deploy/install-deps.sh
  bash deploy/postgres.sh start
  bash deploy/redis.sh start
fi

results="$(pwd)/TestResults"
rm -rf "$results"
dotnet build OrleansTenancy.sln -c Release -nologo -clp:ErrorsOnly

status=0
run_tests() {
  dotnet test "$@" -c Release --no-build -nologo \
    --results-directory "$results" --logger "trx" --logger "console;verbosity=minimal" || status=$?
}
# The test projects in parallel, then the cluster fault tests (tests/Cluster.Tests) alone: they time failovers of silo
# processes that a busy machine would stall.
run_tests OrleansTenancy.sln -p:ExcludeClusterFaultTests=true "$@"
run_tests tests/Cluster.Tests/OrleansTenancy.Cluster.Tests.csproj "$@"

# One closing line over all test projects, summed from their TRX reports.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  # A skipped test is neither executed nor counted as notExecuted by the TRX logger.
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed))); skipped=$((skipped + $(get total) - $(get executed)))
done
# The multi-process fault tests (tests/Cluster.Tests) report the failover time and the money audit after each fault.
# (grep reads the files itself: `cat | grep -q` under pipefail fails when grep stops early.)
if grep -qs '\[cluster\]' "$results"/*.trx; then
  echo "Cluster fault tests:"
  cat "$results"/*.trx | grep -o '\[cluster\][^<]*' \
    | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' -e 's/^\[cluster\]/ /'
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
