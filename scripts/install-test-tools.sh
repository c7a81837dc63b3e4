#!/usr/bin/env bash
# What `npm test` runs against besides our own code: redis-server (the Redis store), haproxy (a
# real load balancer sending the PROXY protocol), prometheus with promtool (the metrics tests) and
# chromium (the console's browser test). Installed with apt-get when missing.
set -euo pipefail
bash "$(dirname "$0")/install-chromium.sh" # the console's browser test
exec bash "$(dirname "$0")/apt-install.sh" redis-server redis-server haproxy haproxy prometheus prometheus promtool prometheus
