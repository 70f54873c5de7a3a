# Sourced by the load runs: a throwaway PostgreSQL cluster on a free loopback port, run as the postgres user
# (PostgreSQL refuses root), in a folder of its own under /tmp that the postgres user can reach. start_postgres sets POSTGRES_CONNECTION (superuser; add ;Database=NAME, which the
# server creates when missing) and POSTGRES_PSQL (a psql command line for the superuser); stop_postgres stops it and
# deletes its folder. fsync is off, as in .ci/run: a commit is durable once PostgreSQL has it, which is what the stores rely on.

postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  local bin port password
  bin=$(postgres_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(postgres_bin)
  fi
  postgres_dir=$(mktemp -d /tmp/jwtauth-load-postgres.XXXXXX)
  chown postgres:postgres "$postgres_dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" >"$postgres_dir/password"
  chown postgres:postgres "$postgres_dir/password"
  runuser -u postgres -- "$bin/initdb" -D "$postgres_dir/data" -U postgres --pwfile="$postgres_dir/password" \
    --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$postgres_dir/initdb.log" 2>&1 \
    || { cat "$postgres_dir/initdb.log" >&2; return 1; }
  # Memory for a million-row table and its indexes: 512 MB of shared buffers on a 24 GiB machine.
  runuser -u postgres -- "$bin/pg_ctl" -D "$postgres_dir/data" -l "$postgres_dir/server.log" -w \
    -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off -c shared_buffers=512MB -c maintenance_work_mem=256MB" \
    start >/dev/null || { cat "$postgres_dir/server.log" >&2; return 1; }
  POSTGRES_CONNECTION="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password"
  POSTGRES_PSQL="runuser -u postgres -- $bin/psql -X -q -v ON_ERROR_STOP=1 -h $postgres_dir -p $port -U postgres"
  POSTGRES_VERSION=$("$bin/postgres" --version | sed 's/^[^0-9]*//')
}

stop_postgres() {
  [ -n "${postgres_dir:-}" ] || return 0
  runuser -u postgres -- "$(postgres_bin)/pg_ctl" -D "$postgres_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$postgres_dir"
  postgres_dir=""
}
