#!/usr/bin/env bash
# JwtAuth on one Debian machine as several hosts would run it: PostgreSQL, two instances on loopback ports with the
# same signing keys and the same database, and nginx in front of them (deploy/nginx.conf).
#
#   deploy/local-cluster.sh start [--port N] [--listen ADDRESS] [--app DIR] [--database CONNECTION_STRING]
#   deploy/local-cluster.sh status | stop | destroy
#
# start    installs nginx and PostgreSQL with apt-get when they are missing, creates a PostgreSQL cluster in the state
#          folder on first use (or uses --database), publishes the app (or runs the published build in --app), starts
#          the two instances, waits for their /health/ready, then starts nginx on --port (default: a free port) at
#          --listen (default 127.0.0.1; 0.0.0.0 to serve other hosts).
# status   what runs, each instance's /health/ready, and the address to use.
# stop     stops nginx, the instances (SIGTERM: requests under way finish) and PostgreSQL; keys and data stay.
# destroy  stops everything and deletes the state folder: keys, database, logs.
#
# The state folder is $JWTAUTH_CLUSTER_STATE, by default deploy/state/ (git-ignored). Keys and passwords are made there
# once, on the first start, and kept: tokens stay valid across restarts. Settings exported in the environment
# (Jwt__AccessTokenLifetime=..., RateLimiting__PermitsPerMinute=...) reach both instances. Run as root: it installs
# packages and runs PostgreSQL as the postgres user, which PostgreSQL requires.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
state=${JWTAUTH_CLUSTER_STATE:-$here/state}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
instances=(a b)

usage() {
  sed -n '5,6p' "$0" | sed 's/^# *//' >&2
  exit 2
}

log() { echo "local-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# The pid in a pid file, if that process still runs and its command line names what we expect (pids are reused).
running_pid() {
  local file=$1 expect=$2 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$expect" && echo "$pid"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_postgres() { runuser -u postgres -- "$@"; }

install_missing() {
  local packages=()
  command -v curl >/dev/null || packages+=(curl)
  command -v python3 >/dev/null || packages+=(python3)
  [ -x /usr/sbin/nginx ] || packages+=(nginx)
  if [ -z "$database" ] && { [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; }; then packages+=(postgresql); fi
  if [ ${#packages[@]} -gt 0 ]; then
    log "installing ${packages[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

# Keys and passwords, made once and kept in a folder only root can read.
make_secrets() {
  mkdir -p "$state/secrets"
  chmod 700 "$state/secrets"
  [ -s "$state/secrets/signing-key" ] || head -c 32 /dev/urandom | base64 >"$state/secrets/signing-key"
  [ -s "$state/secrets/signing-key-id" ] || date -u +%Y-%m-%d >"$state/secrets/signing-key-id"
  [ -s "$state/secrets/database-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$state/secrets/database-password"
  [ -s "$state/secrets/admin-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$state/secrets/admin-password"
}

# A PostgreSQL cluster in the state folder, on a loopback port, with a role and database of the app's own.
start_postgres() {
  local bin data="$state/postgres/data" port
  bin=$(pg_bin)
  mkdir -p "$state/postgres"
  chown postgres:postgres "$state/postgres"
  as_postgres test -x "$state/postgres" || die "the postgres user cannot reach $state; set JWTAUTH_CLUSTER_STATE to a folder it can"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $data"
    install -o postgres -g postgres -m 600 /dev/null "$state/postgres/superuser-password"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$state/postgres/superuser-password"
    as_postgres "$bin/initdb" -D "$data" -U postgres --pwfile="$state/postgres/superuser-password" \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$state/logs/initdb.log" 2>&1 \
      || { cat "$state/logs/initdb.log" >&2; die "initdb failed"; }
    rm -f "$state/postgres/superuser-password"
    fresh=1
  fi
  port=$(free_port)
  echo "$port" >"$state/run/postgres.port"
  touch "$state/logs/postgres.log" && chown postgres:postgres "$state/logs/postgres.log"
  as_postgres "$bin/pg_ctl" -D "$data" -l "$state/logs/postgres.log" -w -t 60 \
    -o "-p $port -k $state/postgres -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || { tail -n 20 "$state/logs/postgres.log" >&2; die "PostgreSQL did not start"; }
  if [ "${fresh:-0}" = 1 ]; then
    as_postgres "$bin/psql" -q -h "$state/postgres" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -v password="$(cat "$state/secrets/database-password")" >/dev/null <<'SQL'
CREATE ROLE jwtauth LOGIN PASSWORD :'password';
CREATE DATABASE jwtauth OWNER jwtauth;
SQL
  fi
  database="Host=127.0.0.1;Port=$port;Database=jwtauth;Username=jwtauth;Password=$(cat "$state/secrets/database-password")"
  log "PostgreSQL $("$bin/postgres" --version | sed 's/^[^0-9]*//') on 127.0.0.1:$port"
}

start_instance() {
  local name=$1 port
  port=$(free_port)
  mkdir -p "$state/jwtauth-$name"
  echo "$port" >"$state/run/jwtauth-$name.port"
  # Every instance: the same keys, the same database, and nginx (on 127.0.0.1) the one peer whose X-Forwarded-For is believed.
  (
    cd "$state/jwtauth-$name"
    # Exported, not put on a command line, where any user could read the secrets in the process list.
    export ASPNETCORE_ENVIRONMENT=Production
    export Jwt__SigningKeys__0__Id="$(cat "$state/secrets/signing-key-id")"
    export Jwt__SigningKeys__0__Secret="$(cat "$state/secrets/signing-key")"
    export Database__Provider=Postgres Database__ConnectionString="$database"
    export ForwardedHeaders__KnownProxies__0=127.0.0.1
    export Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$(cat "$state/secrets/admin-password")"
    exec nohup dotnet "$app/JwtAuth.dll" --urls "http://127.0.0.1:$port"
  ) >>"$state/logs/jwtauth-$name.log" 2>&1 </dev/null &
  echo $! >"$state/run/jwtauth-$name.pid"
}

wait_ready() {
  local name=$1 port pid
  port=$(cat "$state/run/jwtauth-$name.port")
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && { log "instance $name ready on 127.0.0.1:$port"; return 0; }
    pid=$(cat "$state/run/jwtauth-$name.pid")
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$state/logs/jwtauth-$name.log" >&2; die "instance $name exited"; }
    sleep 0.5
  done
  tail -n 30 "$state/logs/jwtauth-$name.log" >&2
  die "instance $name did not become ready"
}

start_nginx() {
  local conf="$state/nginx" name
  mkdir -p "$conf"
  # The repository's nginx.conf itself; the two files it includes are written beside the link.
  ln -sfn "$here/nginx.conf" "$conf/nginx.conf"
  echo "listen $listen:$port;" >"$conf/jwtauth-listen.conf"
  : >"$conf/jwtauth-instances.conf"
  for name in "${instances[@]}"; do
    echo "server 127.0.0.1:$(cat "$state/run/jwtauth-$name.port") max_fails=1 fail_timeout=5s;" >>"$conf/jwtauth-instances.conf"
  done
  local options="pid $state/run/nginx.pid; daemon off;"
  [ "$(id -u)" = 0 ] && options="$options user www-data;"
  /usr/sbin/nginx -t -q -p "$conf/" -c "$conf/nginx.conf" -g "$options" 2>"$state/logs/nginx-test.log" \
    || { cat "$state/logs/nginx-test.log" >&2; die "nginx refused its configuration"; }
  nohup /usr/sbin/nginx -p "$conf/" -c "$conf/nginx.conf" -g "$options" \
    >>"$state/logs/nginx-access.log" 2>>"$state/logs/nginx-error.log" </dev/null &
  echo $! >"$state/run/nginx.pid.start"
  echo "$port" >"$state/run/nginx.port"
  echo "$listen" >"$state/run/nginx.listen"
  for _ in $(seq 1 40); do
    curl -fs "http://$(connect_address):$port/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  cat "$state/logs/nginx-error.log" >&2
  die "nginx did not answer on $listen:$port"
}

connect_address() {
  local address
  address=$(cat "$state/run/nginx.listen" 2>/dev/null || echo 127.0.0.1)
  [ "$address" = 0.0.0.0 ] && address=127.0.0.1
  echo "$address"
}

stop_all() {
  local pid name
  if pid=$(running_pid "$state/run/nginx.pid" nginx) || pid=$(running_pid "$state/run/nginx.pid.start" nginx); then
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    log "nginx stopped"
  fi
  # SIGTERM: each instance finishes the requests under way, then exits.
  local stopping=()
  for name in "${instances[@]}"; do
    if pid=$(running_pid "$state/run/jwtauth-$name.pid" JwtAuth.dll); then
      kill -TERM "$pid" 2>/dev/null || true
      stopping+=("$name:$pid")
    fi
  done
  for name in "${stopping[@]}"; do
    pid=${name#*:}
    for _ in $(seq 1 140); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "instance ${name%%:*} stopped"
  done
  if [ -f "$state/postgres/data/postmaster.pid" ] && [ -n "$(pg_bin)" ]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$state/postgres/data" -m fast -w stop >/dev/null 2>&1 && log "PostgreSQL stopped" || true
  fi
  rm -f "$state/run/"*.pid "$state/run/"*.pid.start
}

status() {
  local name pid port up=0
  for name in "${instances[@]}"; do
    port=$(cat "$state/run/jwtauth-$name.port" 2>/dev/null || echo "?")
    if pid=$(running_pid "$state/run/jwtauth-$name.pid" JwtAuth.dll); then
      echo "instance $name: pid $pid, http://127.0.0.1:$port, /health/ready $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)"
      up=$((up + 1))
    else
      echo "instance $name: not running"
    fi
  done
  if [ -f "$state/postgres/data/postmaster.pid" ]; then
    echo "postgresql: running on 127.0.0.1:$(cat "$state/run/postgres.port" 2>/dev/null), data in $state/postgres/data"
  elif [ -d "$state/postgres/data" ]; then
    echo "postgresql: stopped, data in $state/postgres/data"
  else
    echo "postgresql: none in $state (start --database uses an outside server)"
  fi
  if pid=$(running_pid "$state/run/nginx.pid" nginx) || pid=$(running_pid "$state/run/nginx.pid.start" nginx); then
    port=$(cat "$state/run/nginx.port")
    echo "nginx: pid $pid, http://$(connect_address):$port (/health/ready $(curl -s -o /dev/null -w '%{http_code}' "http://$(connect_address):$port/health/ready" || true))"
    echo "admin: user admin, password in $state/secrets/admin-password; logs in $state/logs"
  else
    echo "nginx: not running"
    [ "$up" -gt 0 ] || return 3
  fi
}

command=${1:-}
[ -n "$command" ] || usage
shift
port="" listen=127.0.0.1 app="" database=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --app) app=$(cd "$2" && pwd); shift 2 ;;
    --database) database=$2; shift 2 ;;
    *) usage ;;
  esac
done

case "$command" in
  start)
    [ "$(id -u)" = 0 ] || die "run as root: it installs packages and runs PostgreSQL as the postgres user"
    mkdir -p "$state/run" "$state/logs"
    chmod 755 "$state"
    if running_pid "$state/run/jwtauth-a.pid" JwtAuth.dll >/dev/null || running_pid "$state/run/nginx.pid" nginx >/dev/null; then
      die "already running (deploy/local-cluster.sh status; stop first)"
    fi
    install_missing
    # A start that fails half-way stops what it started.
    trap 'status_code=$?; if [ "$status_code" -ne 0 ]; then log "start failed; stopping what was started"; stop_all; fi' EXIT
    make_secrets
    [ -n "$database" ] || start_postgres
    if [ -z "$app" ]; then
      log "publishing the app (Release) into $state/app"
      dotnet publish "$root/src/JwtAuth/JwtAuth.csproj" -c Release -o "$state/app" >"$state/logs/publish.log" 2>&1 \
        || { tail -n 30 "$state/logs/publish.log" >&2; die "dotnet publish failed"; }
      app="$state/app"
    fi
    [ -f "$app/JwtAuth.dll" ] || die "no JwtAuth.dll in $app"
    # The first instance migrates the database alone; the second then starts on the migrated schema. (Instances
    # started together are safe too: migrations run under an advisory lock.)
    start_instance a
    wait_ready a
    start_instance b
    wait_ready b
    [ -n "$port" ] || port=$(free_port)
    start_nginx
    trap - EXIT
    log "serving at http://$(connect_address):$port through nginx"
    status
    ;;
  status) status ;;
  stop) stop_all ;;
  destroy)
    stop_all
    rm -rf "$state"
    log "deleted $state"
    ;;
  *) usage ;;
esac
