#!/usr/bin/env bash
# Installs prometheus and promtool (Debian package `prometheus`) with apt-get when missing. Used by the
# metrics tests: a real Prometheus scrapes GET /metrics, and promtool checks the exposition and the
# alert rules. The package may start a system-wide service on 9090; the tests start private instances
# on free ports and leave it alone.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" prometheus prometheus promtool prometheus
