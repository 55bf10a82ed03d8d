#!/usr/bin/env bash
# Measures the performance budget (../shared/DESIGN.md, "Performance budget (2 cores)").
# A measurement, not a test: prints figures and exits 0 (CI does not run it).
#   scripts/bench.sh
# 1. `cargo bench -p greenlight --bench budget`: throughput of the cached health API and of the
#    server-rendered Account Health page as ratios against a bare axum handler measured in the
#    same run, Graph reads for 100 cold concurrent requests, time to ready.
# 2. `cargo bench -p greenlight --bench scale`: 10,000 numbers on SQLite and on a throwaway
#    PostgreSQL (scripts/pg.sh; SQLite only when it cannot start): Graph reads per simulated
#    minute of the background refresh (no minute above 2x the mean), its CPU time, the cached
#    health API against /healthz.
# 3. Static figures, each only when its file exists: release binary size, wasm + js gzipped,
#    idle RSS of the release binary in demo mode. Build them with `scripts/build.sh release`.
# Env: CARGO_TARGET_DIR (default ./target); BENCH_SECS, BENCH_CONCURRENCY, BENCH_ROUNDS (see
# server/benches/budget.rs); SCALE_NUMBERS, SCALE_HOURS, BENCH_POSTGRES_URL (see
# server/benches/scale.rs); IDLE_SECS seconds the demo server idles before its RSS is read (5).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
T="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$T"
# Decimal units: the stricter reading of "40 MB" and "300 KB".
MB=1000000
KB=1000

within() { if [ "$1" -le "$2" ]; then echo yes; else echo no; fi; }
mb() { awk -v b="$1" -v u="$MB" 'BEGIN { printf "%.1f MB", b / u }'; }
kb() { awk -v b="$1" -v u="$KB" 'BEGIN { printf "%.1f KB", b / u }'; }

echo "=== runtime figures: cargo bench -p greenlight --bench budget"
if ! cargo bench -p greenlight --bench budget; then
  echo "bench: did not build or run (see above)"
fi

echo "=== scale: 10,000 numbers on SQLite and PostgreSQL (cargo bench --bench scale)"
# A throwaway PostgreSQL (scripts/pg.sh), stopped and deleted on the way out; without one the
# bench measures SQLite only. An already set BENCH_POSTGRES_URL is used instead.
scale() {
  if ! cargo bench -p greenlight --bench scale; then
    echo "scale: did not build or run (see above)"
  fi
}
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  scale
else
  PGDIR=$(mktemp -d)
  trap '"$ROOT/scripts/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || rm -rf "$PGDIR"' EXIT
  if PGURL=$("$ROOT/scripts/pg.sh" start "$PGDIR"); then
    BENCH_POSTGRES_URL="$PGURL" scale
  else
    echo "scale: PostgreSQL did not start (see above); measuring SQLite only"
    scale
  fi
  "$ROOT/scripts/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || rm -rf "$PGDIR"
  trap - EXIT
fi

echo "=== static figures"
BIN="$T/release/greenlight"
if [ -x "$BIN" ]; then
  size=$(stat -c %s "$BIN")
  echo "release binary: $(mb "$size") ($size bytes, $BIN), budget 40 MB: within budget $(within "$size" $((40 * MB)))"
else
  echo "release binary: not measured, $BIN does not exist (scripts/build.sh release)"
fi

PKG="$ROOT/target/site/pkg"
if [ -f "$PKG/greenlight.wasm.gz" ] && [ -f "$PKG/greenlight.js.gz" ]; then
  # scripts/build.sh stores them as `gzip -9`: what a browser downloads.
  wasm=$(stat -c %s "$PKG/greenlight.wasm.gz")
  js=$(stat -c %s "$PKG/greenlight.js.gz")
  sum=$((wasm + js))
  echo "wasm + js gzipped: $(kb "$sum") (wasm $(kb "$wasm"), js $(kb "$js")), budget 300 KB: within budget $(within "$sum" $((300 * KB)))"
  echo "  (from $PKG; release sizes only if the site was built by scripts/build.sh release)"
else
  echo "wasm + js gzipped: not measured, $PKG/greenlight.{wasm,js}.gz do not exist (scripts/build.sh release)"
fi

if [ -x "$BIN" ] && [ -r /proc/self/status ]; then
  tmp=$(mktemp -d)
  # Port 0: the server binds a free port and prints it in its banner.
  "$BIN" serve --demo --addr 127.0.0.1:0 --data-dir "$tmp/data" >"$tmp/out.log" 2>&1 &
  pid=$!
  addr=""
  for _ in $(seq 1 100); do
    addr=$(grep -o 'Sign in at *http://127\.0\.0\.1:[0-9]*' "$tmp/out.log" 2>/dev/null | grep -o 'http://.*' | head -n 1)
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$addr" ] && kill -0 "$pid" 2>/dev/null; then
    curl -fsS -o /dev/null --max-time 2 "$addr/readyz" || true
    sleep "${IDLE_SECS:-5}"
    rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    if [ -n "$rss_kb" ]; then
      rss=$((rss_kb * 1024))
      echo "idle RSS (--demo, ${IDLE_SECS:-5} s after start on $addr): $(mb "$rss") (peak $(mb $((hwm_kb * 1024)))), budget 40 MB: within budget $(within "$rss" $((40 * MB)))"
    else
      echo "idle RSS: not measured, /proc/$pid/status unreadable"
    fi
  else
    echo "idle RSS: not measured, the demo server did not start:"
    tail -n 5 "$tmp/out.log"
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -rf "$tmp"
else
  echo "idle RSS: not measured, $BIN does not exist (or no /proc)"
fi
exit 0
