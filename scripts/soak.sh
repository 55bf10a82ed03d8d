#!/usr/bin/env bash
# Soak: runs the release binary in demo mode for SOAK_SECS (default 600 = 10 minutes) under mixed
# traffic with injected Meta faults, then prints RSS at start and end and the answers by status.
# A measurement, not a test: CI does not run it. Build first: scripts/build.sh release
#   scripts/soak.sh
# Traffic (SOAK_WORKERS loops, default 4, each pausing SOAK_PAUSE seconds, default 0.05):
#   REST reads (inbox list, health, forced refresh, history, events, notifications), the health
#   page; Meta faults through the simulator's control API (500s, lost answers, timeouts,
#   throttling), quality changes and webhooks (which the demo delivers, signed, to Greenlight).
# Env: SOAK_BIN (default $CARGO_TARGET_DIR/release/greenlight), SOAK_SECS, SOAK_WORKERS, SOAK_PAUSE.
# Needs curl and jq. Exits 1 when the server died or stopped answering /readyz.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
T="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${SOAK_BIN:-$T/release/greenlight}"
SECS="${SOAK_SECS:-600}"
WORKERS="${SOAK_WORKERS:-4}"
PAUSE="${SOAK_PAUSE:-0.05}"

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "soak: needs $tool"; exit 2; }
done
[ -x "$BIN" ] || { echo "soak: $BIN does not exist (scripts/build.sh release, or set SOAK_BIN)"; exit 2; }

tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# Port 0: the server binds a free port and prints it in its banner.
"$BIN" serve --demo --addr 127.0.0.1:0 --data-dir "$tmp/data" >"$tmp/out.log" 2>&1 &
pid=$!
addr=""
for _ in $(seq 1 600); do
  addr=$(grep -o 'Sign in at *http://127\.0\.0\.1:[0-9]*' "$tmp/out.log" | grep -o 'http://.*' | head -n 1)
  grep -q 'Demo inboxes ready' "$tmp/out.log" && [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$addr" ] || ! kill -0 "$pid" 2>/dev/null; then
  echo "soak: the demo server did not start:"
  tail -n 20 "$tmp/out.log"
  exit 1
fi
token=$(grep -o 'REST API token of [^ ]* (shown once): [^ ]*' "$tmp/out.log" | awk '{print $NF}')
sim=$(grep -o 'Simulated Meta Graph API: http://[^ ]*' "$tmp/out.log" | awk '{print $NF}')
account=$(curl -fsS -H "api_access_token: $token" "$addr/api/v1/profile" | jq -r '.accounts[0].id')
inboxes=$(curl -fsS -H "api_access_token: $token" "$addr/api/v1/accounts/$account/inboxes" | jq -r '.payload[].id')
numbers=$(curl -fsS "$sim/__sim/numbers" | jq -r '.[].id')
if [ -z "$token" ] || [ -z "$sim" ] || [ -z "$inboxes" ] || [ -z "$numbers" ]; then
  echo "soak: could not read the demo's token, simulator, inboxes or numbers:"
  tail -n 20 "$tmp/out.log"
  exit 1
fi
read -r -a INBOXES <<<"$(echo $inboxes)"
read -r -a NUMBERS <<<"$(echo $numbers)"

rss() { awk '/^VmRSS:/ {printf "%.1f MB", $2 / 1000}' "/proc/$pid/status"; }
hwm() { awk '/^VmHWM:/ {printf "%.1f MB", $2 / 1000}' "/proc/$pid/status"; }
echo "soak: $addr, ${#INBOXES[@]} inboxes, $WORKERS workers, $SECS s; RSS at start: $(rss)"

api() { curl -sS -o /dev/null -w '%{http_code}\n' --max-time 70 -H "api_access_token: $token" "$@"; }
ctl() { curl -sS -o /dev/null -w 'sim:%{http_code}\n' --max-time 10 -H 'content-type: application/json' "$@"; }

worker() {
  local until=$(($(date +%s) + SECS)) i=0
  while [ "$(date +%s)" -lt "$until" ]; do
    local inbox=${INBOXES[$((RANDOM % ${#INBOXES[@]}))]}
    local number=${NUMBERS[$((RANDOM % ${#NUMBERS[@]}))]}
    local base="$addr/api/v1/accounts/$account/inboxes"
    case $((i % 12)) in
      0) api "$base" ;;
      1 | 2) api "$base/$inbox/health" ;;
      3) api "$base/$inbox/health?refresh=true" ;;
      4) api "$base/$inbox/health/history" ;;
      5) api "$base/$inbox/events" ;;
      6) api "$addr/api/v1/accounts/$account/notifications" ;;
      7) api "$addr/accounts/$account/inboxes/$inbox/health" ;;
      8) ctl -X POST "$sim/__sim/numbers/$number/fail_next" -d '{"status":500}' ;;
      9) ctl -X POST "$sim/__sim/numbers/$number/lose_next" -d '"timeout"' ;;
      10)
        local ratings=(GREEN YELLOW RED)
        ctl -X POST "$sim/__sim/numbers/$number/quality" -d "{\"rating\":\"${ratings[$((RANDOM % 3))]}\"}"
        ;;
      11)
        if [ $((RANDOM % 20)) -eq 0 ]; then
          ctl -X POST "$sim/__sim/throttle" -d '{"calls_per_hour":30,"answer":"waba80007"}'
        else
          ctl -X POST "$sim/__sim/throttle" -d 'null'
        fi
        ;;
    esac
    i=$((i + 1))
    sleep "$PAUSE"
  done
}

workers=()
for w in $(seq 1 "$WORKERS"); do
  worker >"$tmp/worker-$w.log" 2>&1 &
  workers+=($!)
done
wait "${workers[@]}"

alive=yes
kill -0 "$pid" 2>/dev/null || alive=no
ready=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$addr/readyz" 2>/dev/null)
echo "soak: answers by status (sim: = the simulator's control API):"
cat "$tmp"/worker-*.log | sort | uniq -c | sort -rn | sed 's/^/  /'
if [ "$alive" = yes ]; then
  echo "soak: RSS at end: $(rss) (peak $(hwm)); /readyz: $ready"
else
  echo "soak: the server died:"
  tail -n 20 "$tmp/out.log"
fi
panics=$(grep -c 'panicked' "$tmp/out.log")
echo "soak: panics in the server log: $panics"
[ "$alive" = yes ] && [ "$ready" = 200 ] && [ "$panics" = 0 ]
