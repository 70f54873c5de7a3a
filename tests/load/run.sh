#!/usr/bin/env bash
# Measures the performance targets on this machine: publishes a Release build, starts it on loopback
# with a throwaway database, seeds users and tokens, drives it with wrk and the C# load client,
# prints a table with pass/fail per target and the figures of a login burst and a login flood, and stops
# the server. Loopback only; about 4 minutes with the build.
#   bash tests/load/run.sh [--provider sqlite|postgres]
# With --provider postgres the same targets run on a throwaway PostgreSQL cluster, and the 32 parallel refresh
# sessions are spread over two instances on one database.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export LOAD_DIR="$here" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
provider=sqlite
while [ $# -gt 0 ]; do
  case "$1" in
    --provider) provider=$2; shift 2 ;;
    *) echo "usage: bash tests/load/run.sh [--provider sqlite|postgres]" >&2; exit 2 ;;
  esac
done
case "$provider" in sqlite | postgres) ;; *) echo "unknown provider: $provider" >&2; exit 2 ;; esac
# shellcheck source=postgres.sh
source "$here/postgres.sh"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

started=$SECONDS
work=$(mktemp -d)
server_pid="" second_pid=""
stop_server() {
  local pid
  for pid in $server_pid $second_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  server_pid="" second_pid=""
}
trap 'stop_server; stop_postgres; rm -rf "$work"' EXIT

echo "building (Release)..." >&2
dotnet build "$here/LoadClient/LoadClient.csproj" -c Release -o "$work/client" >"$work/client-build.log" 2>&1 &
client_build=$!
dotnet publish "$root/src/JwtAuth/JwtAuth.csproj" -c Release -o "$work/app" >/dev/null
wait "$client_build" || { cat "$work/client-build.log" >&2; exit 1; }
client() { dotnet "$work/client/LoadClient.dll" "$@"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
base="http://127.0.0.1:$(free_port)"
second_base="http://127.0.0.1:$(free_port)"
password="load test password"
key=$(head -c 32 /dev/urandom | base64)
if [ "$provider" = postgres ]; then
  start_postgres
  echo "PostgreSQL $POSTGRES_VERSION on a throwaway cluster" >&2
fi

# The database of server NAME, into the array database: a SQLite file of its own, or a PostgreSQL database of its own
# (created by the server).
database_settings() {
  if [ "$provider" = postgres ]; then
    database=(Database__Provider=Postgres "Database__ConnectionString=$POSTGRES_CONNECTION;Database=load_$1")
  else
    database=("Database__ConnectionString=Data Source=$work/$1/jwtauth.db")
  fi
}

# launch NAME URL [Setting=value ...]: a Production server on NAME's database, logging at Warning; its pid in launched.
launch() {
  local name=$1 url=$2 database; shift 2
  mkdir -p "$work/$name"
  database_settings "$name"
  (cd "$work/$name" && exec env ASPNETCORE_ENVIRONMENT=Production \
      Jwt__SigningKeys__0__Id=load Jwt__SigningKeys__0__Secret="$key" "${database[@]}" \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
      RateLimiting__PermitsPerMinute=0 Lockout__MaxFailedAttempts=0 "$@" \
      dotnet "$work/app/JwtAuth.dll" --urls "$url") >>"$work/$name.log" 2>&1 &
  launched=$!
  for _ in $(seq 1 120); do curl -fs "$url/health/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "server did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
# start_server NAME [Setting=value ...]: the measured server, on a fresh database.
start_server() { launch "$1" "$base" "${@:2}"; server_pid=$launched; }
# start_second NAME [Setting=value ...]: a second instance on the database of server NAME, with the same key.
start_second() { launch "$1" "$second_base" "${@:2}"; second_pid=$launched; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }
wrk_json() { wrk "$@" | grep '^{'; }
results="$work/results.jsonl"
record() { echo "{\"name\":\"$1\",\"data\":$2}" >>"$results"; }

step() { echo "$(printf '%4d' $((SECONDS - started))) s  $*" >&2; }

step "phase 1: the configured work factor (12): a login burst, /me against anonymous, a login flood, logins"
start_server main
# 30 users for the burst; wrk's logins cycle through the first 16.
client register --base "$base" --prefix user --count 30 --password "$password" --parallel 4 >/dev/null
client sessions --base "$base" --prefix user --users 1 --password "$password" --out "$work/one-token.txt" >/dev/null
# 30 logins of 30 different users at once, on a quiet server whose measured hash time comes from the registrations.
# Later the hash time would carry the slow hashes of logins that wrk abandons at the end of a round, which then
# compete with the bcrypt timing of the load client.
record burst "$(client burst --base "$base" --prefix user --count 30 --password "$password")"

export TOKENS="$work/one-token.txt" THREADS=2 USER_PREFIX=user USERS=16 PASSWORD="$password"
# Warm-up: the JIT's tiered, profile-guided compilation needs tens of seconds of load to settle, on the login
# path (Entity Framework's thousands of methods) as on /me.
wrk -t2 -c4 -d24s -s "$here/login.lua" "$base" >/dev/null &
login_warmup=$!
for _ in 1 2 3 4; do
  wrk -t2 -c64 -d4s -s "$here/anonymous.lua" "$base" >/dev/null
  wrk -t2 -c64 -d6s -s "$here/me.lua" "$base" >/dev/null
done
wait "$login_warmup"
# Alternating rounds, so a slow moment of the machine weighs on both sides alike.
for round in 1 2 3 4 5; do
  record "anonymous_$round" "$(wrk_json -t2 -c64 -d3s --latency -s "$here/anonymous.lua" "$base")"
  record "me_$round" "$(wrk_json -t2 -c64 -d3s --latency -s "$here/me.lua" "$base")"
done

step "login flood"
export THREADS=1
# Two rounds of /me without and with a flood of 16 connections posting logins; after a flood, the logins it left
# queued (up to Passwords:MaxQueueWait, 5 s, of hashing) are let finish before the next quiet round.
for round in 1 2; do
  record "me_quiet_$round" "$(wrk_json -t1 -c8 -d5s --latency -s "$here/me.lua" "$base")"
  wrk -t1 -c16 -d7s -s "$here/flood.lua" "$base" >"$work/flood.txt" &
  flood_pid=$!
  sleep 1.5
  record "me_during_flood_$round" "$(wrk_json -t1 -c8 -d5s --latency -s "$here/me.lua" "$base")"
  wait "$flood_pid" || true
  record "login_flood_$round" "$(grep '^{' "$work/flood.txt")"
  sleep 5
done

step "logins"
# After the floods, whose logins have warmed the login path further. The machine's speed drifts by 10% and more
# between minutes, so the logins run in two rounds, each compared with the bound timed just before and after it.
record bcrypt_0 "$(client bcrypt --work-factor 12 --samples 4)"
for round in 1 2; do
  record "login_$round" "$(wrk_json -t2 -c4 -d8s --latency -s "$here/login.lua" "$base")"
  record "bcrypt_$round" "$(client bcrypt --work-factor 12 --samples 4)"
done

stop_server

step "phase 2: 10,000 sessions (work factor 4, so they are made quickly): refreshes, then memory"
start_server memory Passwords__BcryptWorkFactor=4
client register --base "$base" --prefix m --count 1000 --password "$password" --parallel 8 >/dev/null
# 10,000 logins (10 per user) and 40,000 refreshes: 50,000 distinct access tokens, and a warmed-up refresh path.
record seed "$(client sessions --base "$base" --prefix m --users 1000 --sessions-per-user 10 --refreshes 4 --password "$password" --parallel 8 --out "$work/tokens.txt")"

step "refreshes"
# The first chain after the seed ran slowest in every run (by 5 to 20%), so one chain goes unrecorded.
client refresh-chain --base "$base" --username m0 --password "$password" --count 1000 >/dev/null
record refresh_chain "$(client refresh-chain --base "$base" --username m0 --password "$password" --count 1000 --chains 5)"
if [ "$provider" = postgres ]; then
  # Two instances on one database: the 32 sessions alternate between them, and the count is read from PostgreSQL.
  # The second instance starts cold: with both cores busy, its JIT takes about 20 s of load to reach full speed
  # (the first had the seed's 50,000 requests), so the measurement follows 20 s of the same load.
  start_second memory Passwords__BcryptWorkFactor=4
  client refresh-parallel --base "$base,$second_base" --prefix m --sessions 32 --password "$password" --seconds 20 \
    --postgres "$POSTGRES_CONNECTION;Database=load_memory" >/dev/null
  record refresh_parallel "$(client refresh-parallel --base "$base,$second_base" --prefix m --sessions 32 --password "$password" \
    --seconds 5 --postgres "$POSTGRES_CONNECTION;Database=load_memory")"
  kill "$second_pid"; wait "$second_pid" 2>/dev/null || true; second_pid=""
else
  record refresh_parallel "$(client refresh-parallel --base "$base" --prefix m --sessions 32 --password "$password" --seconds 5 --db "$work/memory/jwtauth.db")"
fi

step "2 million /me over the 50,000 tokens"
# Four requests at a time on each connection: the working set does not depend on how requests arrive, and the
# run gets through its 2 million requests in about half the time.
export TOKENS="$work/tokens.txt" THREADS=2 PIPELINE=4
# wrk waits out its whole -d even after every thread has stopped at its share, so -d comes from a calibration
# run on the warmed-up path; should the machine slow down, a further run sends the rest of the million.
wrk -t2 -c64 -d3s -s "$here/me.lua" "$base" >/dev/null
rate=$(wrk_json -t2 -c64 -d3s -s "$here/me.lua" "$base" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rps"])')
# The working set is sampled every second through each million: the GC's heap breathes by several percent, so
# growth is judged on the typical level of each million, and the 250 MB bound on the highest sample.
million() {
  local samples="$work/rss-$1.txt" sampler sent=0 failed=0 left requests errors
  : >"$samples"
  (while sleep 1; do rss_mb >>"$samples"; echo >>"$samples"; done) &
  sampler=$!
  while [ "$sent" -lt 1000000 ]; do
    left=$((1000000 - sent))
    read -r requests errors < <(MAX_REQUESTS=$left wrk_json -t2 -c64 -d"$(python3 -c "import math; print(math.ceil(1.2 * $left / $rate) + 1)")s" \
        -s "$here/me.lua" "$base" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["requests"], d["non2xx"] + d["socket_errors"])')
    sent=$((sent + requests)); failed=$((failed + errors))
    if [ "$requests" -eq 0 ]; then break; fi
  done
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  rss_mb >>"$samples"
  echo "{\"wrk\":{\"requests\":$sent,\"non2xx\":$failed},\"rss_mb\":[$(grep . "$samples" | paste -sd,)]}"
}
first=$(million first)
second=$(million second)
record memory "{\"first\":$first,\"second\":$second}"
stop_server
step "done"
record provider "\"$provider\""

status=0
python3 "$here/table.py" "$results" || status=$?
exit $status
