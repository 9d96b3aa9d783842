#!/usr/bin/env bash
# Throwaway database servers for the adapter contract suites (PostgreSQL store, Redis bus), so CI and developers run
# the same tests against real engines without Docker. Everything lives under .ci-work/ of the repository and listens
# on loopback only, with trust authentication: never point this at data you care about.
#
#   bash scripts/test-servers.sh start   # idempotent: starts what is not running yet
#   bash scripts/test-servers.sh stop    # stops both and keeps the data directories
#   bash scripts/test-servers.sh env     # prints the export lines; use: eval "$(bash scripts/test-servers.sh env)"
#
# PostgreSQL 15 on 127.0.0.1:55432 (database beckon_test); Redis on 127.0.0.1:56379 if redis-server is installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.ci-work"
PG_DIR="$WORK/pg"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
PG_PORT=55432
PG_DB=beckon_test
REDIS_DIR="$WORK/redis"
REDIS_PORT=56379

log() { echo "test-servers: $*" >&2; }

pg_bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
  elif [ -x "/usr/lib/postgresql/15/bin/$name" ]; then
    echo "/usr/lib/postgresql/15/bin/$name"
  else
    log "PostgreSQL binary '$name' not found (install postgresql-15)"
    exit 1
  fi
}

# Runs a command as the owner of the data directory: initdb and postgres refuse to run as root.
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

pg_ready() {
  "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1
}

start_pg() {
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    # The postgres user must be able to reach the data directory through the repository path.
    chown postgres: "$PG_DIR"
  fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    rm -rf "$PG_DATA"
    log "initdb $PG_DATA"
    as_pg "$(pg_bin initdb)" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || as_pg "$(pg_bin initdb)" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
      || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  fi
  if pg_ready; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    as_pg mkdir -p "$PG_RUN"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # fsync off: a crash only loses a throwaway test database, and the suites run much faster.
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_RUN -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null 9>&- || { tail -n 30 "$PG_LOG" >&2; exit 1; }
  fi
  local psql
  psql="$(pg_bin psql)"
  if ! "$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    "$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $PG_DB" >/dev/null 2>&1 \
      || "$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1
  fi
}

stop_pg() {
  if [ -s "$PG_DATA/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w stop >/dev/null || true
  fi
}

redis_ready() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    log "redis-server not installed; skipping Redis"
    return 0
  fi
  if redis_ready; then
    log "Redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  mkdir -p "$REDIS_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" 9>&-
  for _ in $(seq 1 50); do
    redis_ready && return 0
    sleep 0.1
  done
  if ! command -v redis-cli >/dev/null 2>&1; then return 0; fi
  log "Redis did not answer on 127.0.0.1:$REDIS_PORT"
  tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
  exit 1
}

stop_redis() {
  if [ -s "$REDIS_DIR/redis.pid" ]; then
    local pid
    pid="$(cat "$REDIS_DIR/redis.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping Redis"
      kill "$pid"
    fi
    rm -f "$REDIS_DIR/redis.pid"
  fi
}

print_env() {
  echo "export BECKON_TEST_PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PG_DB"
  if command -v redis-server >/dev/null 2>&1; then
    echo "export BECKON_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  fi
}

start_all() {
  start_pg
  start_redis
}

stop_all() {
  stop_redis
  stop_pg
}

with_lock() {
  mkdir -p "$WORK"
  # Two concurrent `start`s (CI steps, several shells) must not initdb the same directory twice. The daemons are
  # started with fd 9 closed so that they do not keep holding the lock.
  exec 9>"$WORK/test-servers.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  "$@"
}

case "${1:-}" in
  start) with_lock start_all ;;
  stop) with_lock stop_all ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
