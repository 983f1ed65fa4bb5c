#!/usr/bin/env bash
# services.sh starts and stops the servers Buttress's tests talk to: a PostgreSQL primary, a
# streaming replica of it (pg_basebackup -R) and a Redis server, each on its own loopback port so
# they never collide with servers already running on the default ports.
#
#   scripts/services.sh up            start (or reuse) all three; print the export line
#   scripts/services.sh down          stop all three (data is kept)
#   scripts/services.sh status        say what runs
#   scripts/services.sh env           print the export line only
#   scripts/services.sh replica-stop | replica-start   fault injection used by internal/testenv
#   scripts/services.sh redis-stop   | redis-start
#   scripts/services.sh clean         stop everything and delete the data folder
#
# Data lives under $BUTTRESS_SERVICES_DIR (default: .services/ at the repo root, git-ignored).
# Ports: $BUTTRESS_PG_PRIMARY_PORT (15432), $BUTTRESS_PG_REPLICA_PORT (15433),
# $BUTTRESS_REDIS_PORT (16379) -- below the kernel's ephemeral range (32768-60999), so an
# outgoing connection can never be holding the port when a server starts. Run as root,
# PostgreSQL runs as the postgres user.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BUTTRESS_SERVICES_DIR:-$root/.services}
pg_primary_port=${BUTTRESS_PG_PRIMARY_PORT:-15432}
pg_replica_port=${BUTTRESS_PG_REPLICA_PORT:-15433}
redis_port=${BUTTRESS_REDIS_PORT:-16379}
envfile=$dir/env
self=$root/scripts/services.sh

say() { printf 'services: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- binaries --------------------------------------------------------------------------------

find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/pg_basebackup" ] && { echo "$d"; return 0; }
  done
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir)
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  fi
  return 1
}

ensure_binaries() {
  local need=()
  find_pg_bin >/dev/null || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
    say "installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    # Installing postgresql on Debian creates and starts a default cluster; we leave it alone.
    apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  fi
  pg_bin=$(find_pg_bin) || die "PostgreSQL binaries not found after install"
}

# as_pg runs a command as the PostgreSQL owner: postgres when we are root, else ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# ---- data folder -----------------------------------------------------------------------------

# pg_home is where the PostgreSQL data folders live. It is $dir/pg unless the postgres user
# cannot reach $dir (a checkout under a private home): then the data goes to a private folder
# under /tmp and $dir/pg links to it.
setup_dirs() {
  mkdir -p "$dir" "$dir/redis" "$dir/log" || die "cannot create $dir (disk full or read-only?)"
  chmod 755 "$dir" "$dir/log"
  if [ "$(id -u)" = 0 ]; then
    if [ -L "$dir/pg" ]; then
      pg_home=$(readlink "$dir/pg")
      mkdir -p "$pg_home"
    elif runuser -u postgres -- test -x "$dir"; then
      pg_home=$dir/pg
      mkdir -p "$pg_home"
    else
      pg_home=/tmp/buttress-services-$(printf '%s' "$dir" | md5sum | cut -c1-12)
      say "postgres cannot reach $dir; keeping PostgreSQL data in $pg_home"
      mkdir -p "$pg_home"
      ln -sfn "$pg_home" "$dir/pg"
    fi
    chown postgres: "$pg_home" "$dir/log"
    chmod 700 "$pg_home"
  else
    pg_home=$dir/pg
    mkdir -p "$pg_home"
    chmod 700 "$pg_home"
  fi
  primary=$pg_home/primary
  replica=$pg_home/replica
}

port_busy() { # port_busy PORT: true when something listens on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_running() { # pg_running DATADIR
  [ -f "$1/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$1" status >/dev/null 2>&1
}

pg_start() { # pg_start DATADIR PORT NAME
  local data=$1 port=$2 name=$3 log=$dir/log/$3.log
  if pg_running "$data"; then return 0; fi
  # A stale pid file (the process is gone) would make pg_ctl refuse to start.
  if [ -f "$data/postmaster.pid" ]; then
    say "$name: removing stale postmaster.pid"
    rm -f "$data/postmaster.pid"
  fi
  if port_busy "$port"; then
    die "$name: port $port is taken by another process; set BUTTRESS_PG_$(echo "$name" | tr a-z A-Z)_PORT to a free port"
  fi
  if ! as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1 9>&-; then
    say "$name did not start; last lines of $log:"
    tail -n 20 "$log" >&2 || true
    die "$name failed to start (read $log)"
  fi
}

pg_stop() { # pg_stop DATADIR MODE
  if pg_running "$1"; then
    as_pg "$pg_bin/pg_ctl" -D "$1" -m "${2:-fast}" -w -t 60 stop >/dev/null 2>&1 || true
  fi
}

psql_at() { # psql_at PORT SQL
  "$pg_bin/psql" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}

init_primary() {
  if [ -f "$primary/PG_VERSION" ] && [ -f "$primary/.buttress-ready" ]; then return 0; fi
  if [ -e "$primary" ]; then
    say "primary: repairing a half-initialised data folder"
    pg_stop "$primary" immediate
    rm -rf "$primary" "$replica"
  fi
  say "primary: initdb"
  as_pg "$pg_bin/initdb" -D "$primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/log/initdb.log" 2>&1 || die "initdb failed (read $dir/log/initdb.log)"
  cat >>"$primary/postgresql.conf" <<EOF

# --- buttress test services ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
max_connections = 300
shared_buffers = '128MB'
fsync = off
full_page_writes = off
synchronous_commit = on
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = '1s'
max_standby_streaming_delay = '5s'
log_min_messages = warning
EOF
  as_pg touch "$primary/.buttress-ready"
}

init_replica() {
  if [ -f "$replica/PG_VERSION" ] && [ -f "$replica/.buttress-ready" ]; then return 0; fi
  if [ -e "$replica" ]; then
    say "replica: repairing a half-initialised data folder"
    pg_stop "$replica" immediate
    rm -rf "$replica"
  fi
  say "replica: pg_basebackup -R from the primary"
  as_pg "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$pg_primary_port" -U postgres -D "$replica" \
    -R -X stream -c fast >"$dir/log/basebackup.log" 2>&1 \
    || die "pg_basebackup failed (read $dir/log/basebackup.log)"
  as_pg touch "$replica/.buttress-ready"
}

redis_running() {
  [ -f "$dir/redis/redis.pid" ] && kill -0 "$(cat "$dir/redis/redis.pid")" 2>/dev/null
}

redis_start() {
  if redis_running; then return 0; fi
  rm -f "$dir/redis/redis.pid"
  if port_busy "$redis_port"; then
    die "redis: port $redis_port is taken by another process; set BUTTRESS_REDIS_PORT to a free port"
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/log/redis.log" \
    --maxclients 4000 >/dev/null 2>&1 9>&- || die "redis failed to start (read $dir/log/redis.log)"
  local i
  for i in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; then return 0; fi
    sleep 0.1
  done
  die "redis did not answer PING within 10s (read $dir/log/redis.log)"
}

redis_stop() {
  if redis_running; then
    local pid
    pid=$(cat "$dir/redis/redis.pid")
    redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$dir/redis/redis.pid"
}

write_env() {
  cat >"$envfile" <<EOF
BUTTRESS_PG_PRIMARY=postgres://postgres@127.0.0.1:$pg_primary_port/postgres?sslmode=disable
BUTTRESS_PG_REPLICA=postgres://postgres@127.0.0.1:$pg_replica_port/postgres?sslmode=disable
BUTTRESS_REDIS=127.0.0.1:$redis_port
BUTTRESS_SERVICES_CTL=$self
BUTTRESS_SERVICES_DIR=$dir
EOF
}

print_env() {
  printf 'export'
  while IFS= read -r line; do printf " %s" "$line"; done <"$envfile"
  printf '\n'
}

wait_replica_streaming() {
  local i
  for i in $(seq 1 150); do
    if [ "$(psql_at "$pg_primary_port" "select count(*) from pg_stat_replication where state = 'streaming'" 2>/dev/null)" -ge 1 ] 2>/dev/null \
      && [ "$(psql_at "$pg_replica_port" "select pg_is_in_recovery()" 2>/dev/null)" = t ]; then
      return 0
    fi
    sleep 0.2
  done
  die "the replica is not streaming from the primary after 30s (read $dir/log/replica.log)"
}

up() {
  ensure_binaries
  setup_dirs
  exec 9>"$dir/.lock"
  flock -w 300 9 || die "another services.sh holds $dir/.lock"
  init_primary
  pg_start "$primary" "$pg_primary_port" primary
  init_replica
  # The replica follows the primary's current port, even if the folder was made with another.
  as_pg sed -i "s/port=[0-9]*/port=$pg_primary_port/" "$replica/postgresql.auto.conf"
  pg_start "$replica" "$pg_replica_port" replica
  # A replica left paused by an interrupted test must not stay paused.
  psql_at "$pg_replica_port" "select pg_wal_replay_resume()" >/dev/null 2>&1 || true
  wait_replica_streaming
  redis_start
  write_env
  print_env
}

down() {
  ensure_binaries
  setup_dirs
  redis_stop
  pg_stop "$replica" fast
  pg_stop "$primary" fast
  say "stopped"
}

cmd=${1:-up}
case "$cmd" in
  up) up ;;
  down) down ;;
  env) [ -f "$envfile" ] || die "no $envfile; run 'make services'"; print_env ;;
  status)
    ensure_binaries; setup_dirs
    pg_running "$primary" && say "primary: running on $pg_primary_port" || say "primary: stopped"
    pg_running "$replica" && say "replica: running on $pg_replica_port" || say "replica: stopped"
    redis_running && say "redis: running on $redis_port" || say "redis: stopped"
    ;;
  replica-stop) ensure_binaries; setup_dirs; pg_stop "$replica" "${2:-fast}" ;;
  replica-start) ensure_binaries; setup_dirs; pg_start "$replica" "$pg_replica_port" replica ;;
  redis-stop) ensure_binaries; setup_dirs; redis_stop ;;
  redis-start) ensure_binaries; setup_dirs; redis_start ;;
  clean) down; rm -rf "$(readlink -f "$dir/pg" 2>/dev/null || true)" "$dir" ;;
  *) die "unknown command $cmd (up, down, status, env, replica-stop, replica-start, redis-stop, redis-start, clean)" ;;
esac
