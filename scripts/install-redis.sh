#!/usr/bin/env bash
# Installs redis-server (and redis-cli) with apt-get when it is missing. Used by the Redis store tests,
# the benchmark and for local development. The package may start a system-wide service on 6379; the
# tests start private instances and leave it alone (it may be someone's development Redis).
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" redis-server redis-server
