#!/usr/bin/env bash
# Installs what a fresh machine lacks, from the package registries only (no other downloads):
# Debian chromium + chromium-driver and postgresql, the wasm32 target, wasm-bindgen-cli of the exact crate version,
# npm packages (binaryen's wasm-opt, playwright-core). Each step is skipped when already done.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "== installing chromium and chromium-driver (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# PostgreSQL's server binaries for the second run of the integration suite (no service is started).
scripts/pg.sh install
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "== adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG" ]; then
  echo "== installing wasm-bindgen-cli $WBG (about 4 minutes)"
  # Not --locked: its lock file pins a crate version the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$WBG"
fi
for dir in tools end2end; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "== npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --silent && touch node_modules)
  fi
done
