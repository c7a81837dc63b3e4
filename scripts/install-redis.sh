#!/usr/bin/env bash
# Installs redis-server (and redis-cli) with apt-get when it is missing. Idempotent: does nothing
# when redis-server is already on the PATH. Used by the Redis store tests and for local development.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing and apt-get is not available: install Redis >= 6.2 yourself" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "redis-server is missing and this is not root (and there is no sudo): run as root" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends redis-server

# The package may start a system-wide service on 6379; the tests start private instances and do not
# need it, but leave it alone: it may be someone's development Redis.
echo "installed: $(redis-server --version)"
