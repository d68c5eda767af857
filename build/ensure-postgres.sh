#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with the role the tests use
# (sagawf / sagawf, allowed to create databases): uses a running server, otherwise installs
# Debian's postgresql (when missing), creates a cluster if there is none, and starts it without
# systemd. Every test class creates and drops its own database.
set -euo pipefail

role="${SAGAWF_PG_USER:-sagawf}"
password="${SAGAWF_PG_PASSWORD:-sagawf}"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
as_postgres() { $sudo_cmd su postgres -s /bin/sh -c "$1"; }
port_open() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  # The package's own service start is refused in containers (policy-rc.d); we start it ourselves.
  $sudo_cmd apt-get install -y -qq postgresql >/dev/null
fi

if ! port_open; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    echo "postgres: creating cluster $version/main"
    $sudo_cmd pg_createcluster "$version" main >/dev/null
  fi
  echo "postgres: starting cluster $version/main"
  # pg_ctlcluster starts the server directly (no systemd); -o sets a connection limit large enough
  # for several test processes, each with its own pool.
  $sudo_cmd pg_ctlcluster "$version" main start -- -o "-c max_connections=300" || true
  for _ in $(seq 1 60); do
    if port_open; then break; fi
    sleep 1
  done
  if ! port_open; then
    echo "postgres: the server started but nothing listens on 5432; see /var/log/postgresql" >&2
    exit 1
  fi
fi

for _ in $(seq 1 30); do
  if as_postgres "psql -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
exists="$(as_postgres "psql -qtAc \"select 1 from pg_roles where rolname = '$role'\"")"
if [ "$exists" != "1" ]; then
  as_postgres "psql -qc \"create role $role login createdb password '$password'\""
  echo "postgres: created role $role"
fi
echo "postgres: ready (Host=127.0.0.1;Username=$role;Password=$password)"
