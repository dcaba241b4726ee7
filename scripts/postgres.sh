#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite and the benchmarks, started idempotently.
#
#   scripts/postgres.sh          start it if needed, create a fresh database, print its URL
#   scripts/postgres.sh stop     stop it (its data folder stays until /tmp is cleaned)
#
# The server refuses to run as root (CI is root), so as root every server command runs as the
# `postgres` user. Trust authentication, 127.0.0.1 only, its own port and folder (never a shared
# development server's), fsync off: nothing in it is worth keeping. Each call drops the databases
# earlier runs left behind that nobody is connected to, then creates a new one, so runs never see
# each other's data. Prints nothing (and says why on stderr) where the binaries are missing.
set -euo pipefail

PGBIN="${LEADCHASE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PGDATA="${LEADCHASE_PG_DIR:-/tmp/leadchase-ci-pg}"
PORT="${LEADCHASE_PG_PORT:-55432}"
HOST=127.0.0.1

if [[ ! -x "$PGBIN/initdb" ]]; then
    echo "postgres.sh: no PostgreSQL server binaries in $PGBIN: PostgreSQL tests will be skipped" >&2
    exit 0
fi

as_server_user() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ "${1:-}" == "stop" ]]; then
    if [[ -f "$PGDATA/postmaster.pid" ]]; then
        as_server_user "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2
    fi
    exit 0
fi

if ! "$PGBIN/pg_isready" -q -h "$HOST" -p "$PORT"; then
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
        rm -rf "$PGDATA"
        mkdir -p "$PGDATA"
        chmod 700 "$PGDATA"
        if [[ "$(id -u)" == 0 ]]; then
            chown postgres: "$PGDATA"
        fi
        as_server_user "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # The socket goes in the data folder: /var/run/postgresql may not exist or be writable.
    as_server_user "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start -o \
        "-c listen_addresses=$HOST -p $PORT -c unix_socket_directories=$PGDATA -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
fi

psql() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres -d postgres "$@"
}

# Leftovers of runs over an hour old (and of their per-test copies) that nobody uses any more;
# a younger one may belong to a run that has not connected yet.
stale=$(psql -At -c "SELECT datname FROM pg_database d WHERE datname ~ '^leadchase_run_[0-9]+_'
    AND split_part(datname, '_', 3)::bigint < extract(epoch FROM now()) - 3600
    AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)")
for name in $stale; do
    psql -c "DROP DATABASE IF EXISTS \"$name\"" 2>/dev/null || true
done

name="leadchase_run_$(date +%s)_$$"
psql -c "CREATE DATABASE \"$name\""
echo "postgresql://postgres@$HOST:$PORT/$name"
