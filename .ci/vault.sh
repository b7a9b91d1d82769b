#!/usr/bin/env bash
# vault.sh manages the Vault server of a development or CI machine: a real
# server with persistent storage on disk (never -dev), so keys survive a stop
# and start. The storage is Vault's integrated (raft) storage in $dir/data, a
# single node: the "minimal" build that can be verified here has no "file"
# backend, and raft is the backend Vault recommends for production anyway.
#
#   vault.sh up     build the pinned binary if needed, start the server if it
#                   is not running, initialise once (one unseal key), unseal,
#                   enable transit, write the policies and keys, issue the
#                   application and destruction tokens, write $dir/env
#   vault.sh stop   stop the server (by its pid file)
#
# ARBOKLUIS_VAULT_DIR (default .local/vault) and ARBOKLUIS_VAULT_PORT (default
# 8299) select the instance; tests use them to run private servers. Key
# material (unseal key, root token, tokens) is kept in the directory, mode 0600.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${ARBOKLUIS_VAULT_DIR:-$root/.local/vault}
port=${ARBOKLUIS_VAULT_PORT:-8299}
vault="$root/.local/bin/vault"
export VAULT_ADDR="http://127.0.0.1:$port"
unset VAULT_TOKEN

die() { echo "vault: $*" >&2; exit 1; }

running() {
  [[ -s "$dir/vault.pid" ]] && kill -0 "$(cat "$dir/vault.pid")" 2>/dev/null
}

# status prints 0 (unsealed), 2 (sealed) or 1 (no answer).
status() {
  local rc=0
  "$vault" status >/dev/null 2>&1 || rc=$?
  echo "$rc"
}

active() {
  local out
  out=$("$vault" status 2>/dev/null) || return 1
  [[ "$out" =~ HA\ Mode\ +active ]]
}

json_field() { # json_field FILE KEY: first string value of KEY (or first array item)
  sed -n "/\"$2\"/{
    s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p
    /\[ *$/{n; s/^ *\"\([^\"]*\)\".*/\1/p}
  }" "$1" | head -1
}

secret_file() { (umask 077; cat > "$1"); chmod 600 "$1"; }

start() {
  mkdir -p "$dir/data"
  chmod 700 "$dir"
  cat > "$dir/config.hcl" <<HCL
storage "raft" {
  path    = "$dir/data"
  node_id = "arbokluis-$port"
}
listener "tcp" {
  address         = "127.0.0.1:$port"
  cluster_address = "127.0.0.1:$((port + 1))"
  tls_disable     = true
}
api_addr      = "http://127.0.0.1:$port"
cluster_addr  = "http://127.0.0.1:$((port + 1))"
disable_mlock = true
ui            = false
log_level     = "warn"
HCL
  nohup "$vault" server -config="$dir/config.hcl" >>"$dir/vault.log" 2>&1 &
  echo $! > "$dir/vault.pid"
  local i
  for i in $(seq 1 100); do
    [[ $(status) != 1 ]] && return 0
    running || { tail -20 "$dir/vault.log" >&2; die "server exited"; }
    sleep 0.1
  done
  tail -20 "$dir/vault.log" >&2
  die "server did not answer on $VAULT_ADDR"
}

up() {
  bash "$root/.ci/vault-build.sh"
  if ! running; then
    [[ $(status) == 1 ]] || die "port $port answers but is not our server (no live pid in $dir/vault.pid)"
    start
    echo "vault: started on $VAULT_ADDR"
  fi

  local rc=0
  "$vault" operator init -status >/dev/null 2>&1 || rc=$?
  if [[ $rc -eq 2 ]]; then
    "$vault" operator init -key-shares=1 -key-threshold=1 -format=json | secret_file "$dir/init.json"
    json_field "$dir/init.json" unseal_keys_b64 | secret_file "$dir/unseal-key"
    json_field "$dir/init.json" root_token | secret_file "$dir/root-token"
    echo "vault: initialised (unseal key and root token in $dir, mode 0600)"
  elif [[ $rc -ne 0 ]]; then
    die "cannot read the initialisation status"
  fi
  if [[ $(status) == 2 ]]; then
    "$vault" operator unseal "$(cat "$dir/unseal-key")" >/dev/null
  fi
  [[ $(status) == 0 ]] || die "server is still sealed"
  # A single raft node elects itself leader shortly after unsealing.
  local i
  for i in $(seq 1 150); do
    active && break
    sleep 0.1
  done
  active || die "server did not become active"

  configure
}

configure() {
  export VAULT_TOKEN
  VAULT_TOKEN=$(cat "$dir/root-token")
  local mounts
  mounts=$("$vault" secrets list -format=json)
  [[ "$mounts" == *'"transit/"'* ]] || "$vault" secrets enable -path=transit transit >/dev/null
  "$vault" read transit/keys/pii >/dev/null 2>&1 \
    || "$vault" write -f transit/keys/pii type=aes256-gcm96 exportable=false >/dev/null
  "$vault" read transit/keys/audit-checkpoint >/dev/null 2>&1 \
    || "$vault" write -f transit/keys/audit-checkpoint type=ed25519 exportable=false >/dev/null
  "$vault" policy write arbokluis-app "$root/policies/vault/app.hcl" >/dev/null
  "$vault" policy write arbokluis-destruction "$root/policies/vault/destruction.hcl" >/dev/null

  local name
  for name in app destruction; do
    local f="$dir/$name-token"
    if [[ -s "$f" ]] && VAULT_TOKEN=$(cat "$f") "$vault" token renew >/dev/null 2>&1; then
      continue
    fi
    "$vault" token create -policy="arbokluis-$name" -no-default-policy -orphan \
      -period=768h -display-name="arbokluis-$name" -field=token | secret_file "$f"
  done
  unset VAULT_TOKEN

  cat <<ENV | secret_file "$dir/env"
ARBOKLUIS_VAULT_ADDR=$VAULT_ADDR
ARBOKLUIS_VAULT_TOKEN=$(cat "$dir/app-token")
ARBOKLUIS_VAULT_DESTRUCTION_TOKEN=$(cat "$dir/destruction-token")
ARBOKLUIS_VAULT_TRANSIT_MOUNT=transit
ENV
}

stop() {
  if running; then
    local pid
    pid=$(cat "$dir/vault.pid")
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid"
    local i
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "vault: stopped"
  else
    echo "vault: not running"
  fi
  rm -f "$dir/vault.pid"
}

case "${1:-}" in
  up) up ;;
  stop) stop ;;
  *) echo "usage: vault.sh up|stop" >&2; exit 2 ;;
esac
