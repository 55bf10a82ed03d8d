#!/usr/bin/env bash
# Builds Greenlight (release, site embedded) and starts it in demo mode with the Meta simulator.
# Extra arguments go to `greenlight serve`, e.g. scripts/demo.sh --addr 0.0.0.0:3000
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
scripts/setup-tools.sh
scripts/build.sh release
# Without --data-dir, demo mode uses <data dir>/demo (./data/demo here, or
# $GREENLIGHT_DATA_DIR/demo) and refuses a directory that holds a non-demo database.
exec "$CARGO_TARGET_DIR/release/greenlight" serve --demo "$@"
