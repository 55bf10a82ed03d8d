#!/usr/bin/env bash
# Builds the whole site and the `greenlight` binary WITHOUT cargo-leptos (no downloads).
#   scripts/build.sh [release|debug]      (default: release)
# Needs: the wasm32 target; wasm-bindgen CLI equal to the wasm-bindgen crate in Cargo.lock;
# for release, wasm-opt from npm binaryen (tools/node_modules/.bin; WASM_OPT=none skips it).
# Output: target/site/{favicon.svg, pkg/greenlight.{js,wasm,css}.gz} (embedded into the binary), and
# $CARGO_TARGET_DIR/<release|debug>/greenlight.
set -euo pipefail
MODE="${1:-release}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
T="${CARGO_TARGET_DIR:-$ROOT/target}"
leptos() { awk -F' *= *' -v k="$1" '$1==k {gsub(/"/,"",$2); print $2}' Leptos.toml; }
NAME=$(leptos output-name); SITE=$(leptos site-root); PKG="$SITE/$(leptos site-pkg-dir)"
STYLE=$(leptos style-file); ASSETS=$(leptos assets-dir)
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

case "$MODE" in
  release) WASM_PROFILE=wasm-release; WASM_DIR=wasm-release; SERVER_ARGS=(--release) ;;
  debug)   WASM_PROFILE=dev;          WASM_DIR=debug;        SERVER_ARGS=() ;;
  *) echo "usage: $0 [release|debug]" >&2; exit 2 ;;
esac

want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$want" != "$have" ]; then
  echo "wasm-bindgen CLI '$have' != crate '$want': cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi

echo "== [1/4] frontend -> wasm ($WASM_PROFILE)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$WASM_PROFILE" --target-dir "$T/front"

echo "== [2/4] wasm-bindgen"
rm -rf "$SITE" && mkdir -p "$PKG"
cp -r "$ASSETS"/. "$SITE/"
wasm-bindgen --target web --no-typescript --out-dir "$PKG" --out-name "$NAME" \
  "$T/front/wasm32-unknown-unknown/$WASM_DIR/frontend.wasm"
mv "$PKG/${NAME}_bg.wasm" "$PKG/$NAME.wasm"
cp "$STYLE" "$PKG/$NAME.css"

if [ "$MODE" = release ] && [ "${WASM_OPT:-wasm-opt}" != none ]; then
  echo "== [3/4] wasm-opt"
  "${WASM_OPT:-wasm-opt}" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$PKG/$NAME.wasm" -o "$PKG/$NAME.wasm"
else
  echo "== [3/4] wasm-opt skipped"
fi

# Stored gzipped: the server sends them as they are (no compressing per request), and the
# binary that embeds them is smaller (server/src/http/assets.rs).
gzip -9 -n -f "$PKG/$NAME.wasm" "$PKG/$NAME.js" "$PKG/$NAME.css"

echo "== [4/4] server (ssr, site embedded)"
cargo build -p greenlight --bin greenlight "${SERVER_ARGS[@]}"
ls -l "$PKG" "$T/$([ "$MODE" = release ] && echo release || echo debug)/greenlight"
