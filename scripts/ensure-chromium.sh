#!/bin/sh
# Ensures Debian's chromium is installed at /usr/bin/chromium for the end-to-end tests (test/e2e/).
# Idempotent and quiet: does nothing when it is already there; otherwise installs it with apt-get
# (needs root and a reachable Debian mirror). Exits 1 with a clear message when it cannot.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium yourself" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (run: apt-get install -y chromium)" >&2
    exit 1
  fi
fi

LOG=$(mktemp)
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$LOG" 2>&1; then
  echo "ensure-chromium: could not install chromium with apt-get; its output:" >&2
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
