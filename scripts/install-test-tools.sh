#!/usr/bin/env bash
# What `npm test` runs against besides our own code: redis-server (the Redis store), haproxy (a
# real load balancer sending the PROXY protocol) and prometheus with promtool (the metrics tests).
# Installed with apt-get when missing.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" redis-server redis-server haproxy haproxy prometheus prometheus promtool prometheus
