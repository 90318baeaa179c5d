#!/usr/bin/env bash
# Installs the servers and tools the test suite needs (PostgreSQL, Redis, promtool, Chromium for the dashboard's
# browser tests, docker-compose to read deploy/compose without a container engine), skipping what is present.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v promtool >/dev/null || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
plain=()
command -v docker-compose >/dev/null || plain+=(docker-compose)

if [ ${#missing[@]} -eq 0 ] && [ ${#plain[@]} -eq 0 ]; then
  echo "install-deps.sh: postgresql, redis-server, promtool, chromium and docker-compose are present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: missing ${missing[*]} ${plain[*]}; rerun as root (sudo $0)" >&2
  exit 1
fi
echo "install-deps.sh: installing ${missing[*]} ${plain[*]}"
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q "$@" || { apt-get update -q && apt-get install -y -q "$@"; }; }
[ ${#missing[@]} -eq 0 ] || install "${missing[@]}"
# Without recommends: docker-compose would otherwise bring a container engine that nothing here runs.
[ ${#plain[@]} -eq 0 ] || install --no-install-recommends "${plain[@]}"
# The Debian packages start system-wide services; the project runs its own on private ports instead.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now redis-server postgresql prometheus >/dev/null 2>&1 || true
fi
