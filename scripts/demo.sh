#!/usr/bin/env bash
# Builds Greenlight (release, site embedded) and starts it in demo mode with the Meta simulator.
# Extra arguments go to `greenlight serve`, e.g. scripts/demo.sh --addr 0.0.0.0:3000
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
scripts/setup-tools.sh
scripts/build.sh release
exec "$CARGO_TARGET_DIR/release/greenlight" serve --demo --data-dir "${GREENLIGHT_DATA_DIR:-$ROOT/data/demo}" "$@"
