#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine for the browser tests (test/browser).
# Prints the browser's path. Installs the `chromium` package with apt when it is missing and
# this user may install packages (root, or sudo without a password); otherwise says what to run
# and exits 1. POSTERN_CHROMIUM names another Chromium binary to use instead.
set -euo pipefail

browser="${POSTERN_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then echo "$browser"; exit 0; fi
if [ -n "${POSTERN_CHROMIUM:-}" ]; then
  echo "POSTERN_CHROMIUM=$POSTERN_CHROMIUM is not an executable file" >&2; exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing and apt-get is not available: install Chromium and set POSTERN_CHROMIUM to its path" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"
else
  echo "Chromium is missing: run 'sudo apt-get install chromium' (or set POSTERN_CHROMIUM)" >&2
  exit 1
fi

echo "installing Debian's chromium package for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index makes the install fail on a fresh machine; refresh it once on failure.
if ! $sudo apt-get install -y -q --no-install-recommends chromium >&2; then
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends chromium >&2
fi
[ -x /usr/bin/chromium ] || { echo "the chromium package installed no /usr/bin/chromium" >&2; exit 1; }
echo /usr/bin/chromium
