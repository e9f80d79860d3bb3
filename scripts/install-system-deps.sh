#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Chromium + ChromeDriver (browser tests) and
# Virtuoso (remote SPARQL store integration test).
# Idempotent: does nothing when they are already there. Needs root (or sudo) for apt-get.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# Virtuoso (reference remote SPARQL store; tests/test_virtuoso.py starts a private one on loopback)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: need root to install: ${need[*]} (tests that need them will be skipped)" >&2
    exit 0
  fi
fi

echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
