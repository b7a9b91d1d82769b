#!/usr/bin/env bash
# app.sh runs Arbokluis on a development machine as two processes, the way
# it is deployed: the HTTP server and the destruction worker.
#
#   app.sh run    start `arbokluis destruction-worker` in the background
#                 (unless it runs already; log in .local/run/destruction-worker.log),
#                 then `arbokluis serve` in the foreground. Only the worker
#                 gets ARBOKLUIS_VAULT_DESTRUCTION_TOKEN: serve refuses to
#                 start with it, so it is removed from serve's environment.
#                 Ctrl-C stops both (serve drains first).
#   app.sh stop   stop both (SIGTERM by their pid files; they finish or
#                 leave their work resumable)
#
# Expects the settings in the environment (make run loads .local/env) and
# the binary in .local/bin (or ARBOKLUIS_BIN). Pid files live in ARBOKLUIS_RUN_DIR (default
# .local/run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ARBOKLUIS_BIN:-$root/.local/bin/arbokluis}
run_dir=${ARBOKLUIS_RUN_DIR:-$root/.local/run}

die() { echo "app: $*" >&2; exit 1; }

# running NAME: true when NAME's pid file names a live arbokluis process.
running() {
  local pid
  pid=$(cat "$run_dir/$1.pid" 2>/dev/null) || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q arbokluis "/proc/$pid/cmdline" 2>/dev/null
}

stop_one() {
  local name=$1 pid i
  if ! running "$name"; then
    rm -f "$run_dir/$name.pid"
    return 0
  fi
  pid=$(cat "$run_dir/$name.pid")
  kill -TERM "$pid"
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && echo "app: $name ($pid) did not stop within 30s" >&2
  rm -f "$run_dir/$name.pid"
  echo "app: $name stopped"
}

case "${1:-}" in
  run)
    [[ -x "$bin" ]] || die "no binary at $bin (make build)"
    [[ -n "${ARBOKLUIS_VAULT_DESTRUCTION_TOKEN:-}" ]] || die "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN is not set (make deps writes it to .local/env)"
    mkdir -p "$run_dir"
    if running destruction-worker; then
      echo "app: destruction-worker runs already ($(cat "$run_dir/destruction-worker.pid"))"
    else
      "$bin" destruction-worker >>"$run_dir/destruction-worker.log" 2>&1 &
      echo $! >"$run_dir/destruction-worker.pid"
      echo "app: destruction-worker started ($!), log in $run_dir/destruction-worker.log"
    fi
    # The worker stops when serve ends: Ctrl-C (which this script passes
    # to serve as SIGTERM), make stop, or a failure.
    trap 'stop_one destruction-worker' EXIT
    env -u ARBOKLUIS_VAULT_DESTRUCTION_TOKEN "$bin" serve &
    echo $! >"$run_dir/serve.pid"
    trap 'kill -TERM $(cat "$run_dir/serve.pid") 2>/dev/null || true' INT TERM
    status=0
    wait "$(cat "$run_dir/serve.pid")" || status=$?
    # A trapped signal interrupts the first wait; wait for serve to drain.
    wait "$(cat "$run_dir/serve.pid")" 2>/dev/null || true
    rm -f "$run_dir/serve.pid"
    exit "$status"
    ;;
  stop)
    stop_one serve
    stop_one destruction-worker
    ;;
  *)
    die "usage: app.sh run|stop"
    ;;
esac
