#!/usr/bin/env bash
# Installs Debian packages with apt-get when their command is missing: `apt-install.sh COMMAND PACKAGE
# [COMMAND PACKAGE ...]`. Idempotent: a command already on the PATH is left alone, and apt-get runs
# (one update, one install) only when something is missing. Used by the test suites and the benchmark.
set -euo pipefail

missing=()
while [ "$#" -ge 2 ]; do
  if command -v "$1" >/dev/null 2>&1; then
    echo "$1 already installed"
  else
    missing+=("$2")
  fi
  shift 2
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]} and apt-get is not available: install them yourself" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "missing ${missing[*]} and this is not root (and there is no sudo): run as root" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
