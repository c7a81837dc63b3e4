#!/usr/bin/env bash
# Debian's chromium for the headless console test (test/console/console-browser.test.ts), driven by
# playwright-core at /usr/bin/chromium; installed with apt-get when missing.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" chromium chromium
