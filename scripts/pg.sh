#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: Debian's `postgresql` package (installed when missing), a
# temporary data directory owned by the `postgres` user, a free port on 127.0.0.1, trust auth. No
# root service is started; `stop` removes everything.
#
#   scripts/pg.sh install        installs the package when missing
#   scripts/pg.sh start DIR      starts a server in DIR (empty or missing); prints its admin URL
#   scripts/pg.sh stop DIR       stops it and deletes DIR
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

die() { echo "pg.sh: $*" >&2; exit 1; }

# The newest installed server's binaries.
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

install() {
  bindir >/dev/null && return 0
  echo "== installing postgresql (apt)" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  bindir >/dev/null || die "postgresql installed, but no /usr/lib/postgresql/*/bin/pg_ctl"
}

# Runs a server binary as the `postgres` user (initdb refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres -- "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    2>/dev/null || echo $((20000 + RANDOM % 30000))
}

start() {
  local dir="$1" bin port
  install
  bin=$(bindir)
  mkdir -p "$dir"
  $SUDO chown postgres:postgres "$dir"
  chmod 0700 "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # A port can be taken between choosing and binding it: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    # fsync off: a test database need not survive a crash, and it makes the suite faster.
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null; then
      echo "$port" >"$dir/port"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  cat "$dir/log" >&2 || true
  die "PostgreSQL did not start (log above)"
}

stop() {
  local dir="$1" bin
  [ -d "$dir/data" ] || { rm -rf "$dir"; return 0; }
  bin=$(bindir) || die "no PostgreSQL binaries"
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  $SUDO rm -rf "$dir"
}

case "${1:-}" in
  install) install ;;
  start) [ -n "${2:-}" ] || die "usage: pg.sh start DIR"; start "$2" ;;
  stop) [ -n "${2:-}" ] || die "usage: pg.sh stop DIR"; stop "$2" ;;
  *) die "usage: pg.sh install | start DIR | stop DIR" ;;
esac
