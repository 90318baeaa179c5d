#!/usr/bin/env bash
# Applies the PostgreSQL scripts of this folder (postgresql/*.sql, in name order) to one database, in one transaction.
# The scripts are idempotent and take an advisory lock, so this may run any number of times, also while silos start.
#
#   bash deploy/sql/apply.sh "<connection string>"
#
# The connection string is psql's: a URI (postgresql://postgres@127.0.0.1:55432/tenancy) or key=value pairs
# ("host=127.0.0.1 port=55432 user=postgres dbname=tenancy"). The database must exist. Needs psql (postgresql-client).
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: bash deploy/sql/apply.sh \"<connection string>\"   (e.g. \"host=127.0.0.1 port=55432 user=postgres dbname=tenancy\")" >&2
  exit 2
fi

if ! command -v psql >/dev/null 2>&1; then
  echo "apply.sh: psql is not installed; install postgresql-client (apt-get install postgresql-client)." >&2
  exit 1
fi

folder="$(cd "$(dirname "$0")" && pwd)/postgresql"
scripts=("$folder"/*.sql)
args=()
for script in "${scripts[@]}"; do
  args+=(-f "$script")
done

# "relation already exists, skipping" notices are the idempotence working, not news.
PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
  psql "$1" --no-psqlrc --quiet -v ON_ERROR_STOP=1 --single-transaction "${args[@]}" >/dev/null
echo "apply.sh: applied ${#scripts[@]} scripts from deploy/sql/postgresql: $(cd "$folder" && echo *.sql)"
