#!/usr/bin/env bash
# pg.sh manages the private PostgreSQL cluster of a development or CI machine.
#
#   pg.sh up     install PostgreSQL if missing, initdb once, start, create the
#                database and roles, write .local/pg.env
#   pg.sh stop   stop the cluster (by its postmaster.pid)
#
# Everything lives under .local/ (git-ignored). Passwords are generated once
# and kept in .local/secrets (mode 0600).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
local_dir="$root/.local"
pgdata="$local_dir/pg"
sockdir="$local_dir/pg-run"
secrets="$local_dir/secrets"
port=${ARBOKLUIS_PG_PORT:-54329}
db=arbokluis

die() { echo "pg: $*" >&2; exit 1; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

install_postgres() {
  if [[ $(id -u) -ne 0 ]]; then
    die "the PostgreSQL server is not installed and this user is not root; run: sudo apt-get install -y postgresql"
  fi
  echo "pg: installing PostgreSQL with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

# run_as runs a command as the cluster's operating-system user. PostgreSQL
# refuses to run as root, so root hands the cluster to the "postgres" user.
run_as() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$pguser" -- "$@"
  else
    "$@"
  fi
}

password() {
  local f="$secrets/pg-$1.pw"
  if [[ ! -s "$f" ]]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 > "$f")
  fi
  chmod 600 "$f"
  cat "$f"
}

psql_super() {
  PGPASSWORD=$(password superuser) "$bindir/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres "$@"
}

up() {
  bindir=$(find_bindir) || { install_postgres; bindir=$(find_bindir) || die "PostgreSQL binaries not found after install"; }
  mkdir -p "$local_dir" "$secrets" "$sockdir"
  chmod 700 "$secrets"

  pguser=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then
    pguser=postgres
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    # The cluster user must be able to reach .local; add search permission
    # (not read) on the ancestors where it is missing.
    local d="$local_dir"
    while [[ "$d" != "/" ]]; do
      runuser -u "$pguser" -- test -x "$d" 2>/dev/null || chmod o+x "$d"
      d=$(dirname "$d")
    done
    chown "$pguser" "$sockdir"
  fi

  if [[ ! -s "$pgdata/PG_VERSION" ]]; then
    echo "pg: creating cluster in $pgdata"
    rm -rf "$pgdata"
    mkdir -p "$pgdata"
    local pwfile="$local_dir/.pg-super-pw"
    (umask 077; password superuser > "$pwfile")
    if [[ $(id -u) -eq 0 ]]; then chown "$pguser" "$pgdata" "$pwfile"; fi
    run_as "$bindir/initdb" -D "$pgdata" -U postgres --pwfile="$pwfile" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >> "$pgdata/postgresql.conf" <<CONF
# arbokluis development cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_min_messages = warning
CONF
  fi

  if ! run_as "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    local log="$local_dir/pg.log"
    touch "$log"
    if [[ $(id -u) -eq 0 ]]; then chown "$pguser" "$log"; fi
    run_as "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 start >/dev/null \
      || { tail -20 "$log" >&2; die "PostgreSQL did not start"; }
    echo "pg: started on 127.0.0.1:$port"
  fi

  local owner_pw hr_pw med_pw audit_pw
  owner_pw=$(password owner); hr_pw=$(password hr); med_pw=$(password med); audit_pw=$(password audit)
  psql_super -d postgres <<SQL
SELECT 'CREATE ROLE arbokluis_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arbokluis_owner') \gexec
SELECT 'CREATE ROLE arbokluis_hr' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arbokluis_hr') \gexec
SELECT 'CREATE ROLE arbokluis_med' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arbokluis_med') \gexec
SELECT 'CREATE ROLE arbokluis_audit' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arbokluis_audit') \gexec
ALTER ROLE arbokluis_owner LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '$owner_pw';
ALTER ROLE arbokluis_hr LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOINHERIT PASSWORD '$hr_pw';
ALTER ROLE arbokluis_med LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOINHERIT PASSWORD '$med_pw';
ALTER ROLE arbokluis_audit LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOINHERIT PASSWORD '$audit_pw';
SELECT 'CREATE DATABASE $db OWNER arbokluis_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db') \gexec
REVOKE ALL ON DATABASE $db FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE $db TO arbokluis_owner;
GRANT CONNECT ON DATABASE $db TO arbokluis_hr, arbokluis_med, arbokluis_audit;
SQL

  local url="127.0.0.1:$port/$db?sslmode=disable"
  (umask 077; cat > "$local_dir/pg.env" <<ENV
ARBOKLUIS_MIGRATE_DATABASE_URL=postgres://arbokluis_owner:$owner_pw@$url
ARBOKLUIS_HR_DATABASE_URL=postgres://arbokluis_hr:$hr_pw@$url
ARBOKLUIS_MED_DATABASE_URL=postgres://arbokluis_med:$med_pw@$url
ARBOKLUIS_AUDIT_DATABASE_URL=postgres://arbokluis_audit:$audit_pw@$url
ENV
)
}

stop() {
  [[ -s "$pgdata/postmaster.pid" ]] || { echo "pg: not running"; return 0; }
  bindir=$(find_bindir) || die "PostgreSQL binaries not found"
  pguser=$(stat -c %U "$pgdata")
  run_as "$bindir/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null && echo "pg: stopped"
}

case "${1:-}" in
  up) up ;;
  stop) stop ;;
  *) echo "usage: pg.sh up|stop" >&2; exit 2 ;;
esac
