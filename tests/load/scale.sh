#!/usr/bin/env bash
# The million-user run: on each provider, seeds one database with 1,000,000 users and one with 1,000 (sessions, refresh
# tokens, recently and less recently revoked sessions, audit events, in the same proportions) straight into the
# database, then measures start-up, the memory the revoked sessions take, login and refresh latency of the big
# database against the small one, and the admin pages and audit queries. Prints a table per provider and exits 1 if a
# target is missed. Loopback only.
#   bash tests/load/scale.sh [--provider sqlite|postgres|both] [--users N]
# Both providers by default; --users shrinks the big database (for trying the script, not for the figures).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
providers="sqlite postgres"
big_users=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --provider) providers=$2; [ "$providers" = both ] && providers="sqlite postgres"; shift 2 ;;
    --users) big_users=$2; shift 2 ;;
    *) echo "usage: bash tests/load/scale.sh [--provider sqlite|postgres|both] [--users N]" >&2; exit 2 ;;
  esac
done
small_users=1000
# bcrypt at cost 4 (about 1 ms), so that a login's time is mostly the database's, which is what grows with the users.
# The seeded rows share one hash of the load password, made at that cost.
work_factor=4
password="load test password"
admin_password="scale admin password"
# shellcheck source=postgres.sh
source "$here/postgres.sh"

command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
started=$SECONDS
work=$(mktemp -d)
pids=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop_servers; stop_postgres; rm -rf "$work"' EXIT
step() { echo "$(printf '%4d' $((SECONDS - started))) s  $*" >&2; }

step "building (Release)"
dotnet build "$here/LoadClient/LoadClient.csproj" -c Release -o "$work/client" >"$work/client-build.log" 2>&1 &
client_build=$!
dotnet publish "$root/src/JwtAuth/JwtAuth.csproj" -c Release -o "$work/app" >/dev/null
wait "$client_build" || { cat "$work/client-build.log" >&2; exit 1; }
client() { dotnet "$work/client/LoadClient.dll" "$@"; }
hash=$(client bcrypt-hash --work-factor "$work_factor" --password "$password")
key=$(head -c 32 /dev/urandom | base64)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
results="$work/results.jsonl"
record() { echo "{\"provider\":\"$provider\",\"name\":\"$1\",\"data\":$2}" >>"$results"; }

# What a database of N users holds, in proportion: a session and its refresh token per user, of which 1% ended in the
# last 10 minutes (their access tokens may still be out, so every instance loads them at start-up) and 5% between 20
# and 70 minutes ago (kept until housekeeping deletes them, but past every access token's lifetime, so not loaded);
# two audit events per user (registration, login).
recent() { echo $(($1 / 100)); }
older() { echo $(($1 / 20)); }

# settings NAME: the database settings of database NAME, into the array database.
settings() {
  if [ "$provider" = postgres ]; then
    database=(Database__Provider=Postgres "Database__ConnectionString=$POSTGRES_CONNECTION;Database=$1")
  else
    database=("Database__ConnectionString=Data Source=$work/$1.db")
  fi
}

migrate() {
  local database
  settings "$1"
  (cd "$work" && env ASPNETCORE_ENVIRONMENT=Production Jwt__SigningKeys__0__Id=scale Jwt__SigningKeys__0__Secret="$key" \
    "${database[@]}" dotnet "$work/app/JwtAuth.dll" db migrate >"$work/migrate-$1.log" 2>&1) \
    || { cat "$work/migrate-$1.log" >&2; exit 1; }
}

seed_sqlite() {
  local name=$1 users=$2 recent older
  recent=$(recent "$users"); older=$(older "$users")
  # A random version-4 GUID as EF Core stores one on SQLite: upper-case text.
  local guid="(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89AB', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
  local at="strftime('%Y-%m-%d %H:%M:%f', 'now'"
  sqlite3 "$work/$name.db" >/dev/null <<SQL
PRAGMA cache_size = -1000000;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $users)
INSERT INTO "Users" ("Id", "Username", "NormalizedUsername", "PasswordHash", "Roles", "CreatedAt", "EmailVerified", "SecurityStamp")
SELECT $guid, 'scale' || i, 'SCALE' || i, '$hash', '[]', $at, '-30 days', '+' || (i % 86400) || ' seconds'), 0, $guid FROM n;
CREATE TEMP TABLE seeded AS
SELECT "Id" AS user_id, CAST(substr("Username", 6) AS INTEGER) AS i, $guid AS session_id, $guid AS token_id
FROM "Users" WHERE "NormalizedUsername" >= 'SCALE' AND "NormalizedUsername" < 'SCALF';
INSERT INTO "Sessions" ("Id", "Amr", "ClientId", "ClientIp", "CreatedAt", "RevokedAt", "RevokedReason", "UserAgent", "UserId")
SELECT session_id, 'pwd', 'jwtauth', '127.0.0.1', $at, '-13 days', '+' || (i % 86400) || ' seconds'),
       CASE WHEN i < $recent THEN $at, '-' || (i % 600) || ' seconds')
            WHEN i < $recent + $older THEN $at, '-' || (1200 + i % 3000) || ' seconds') END,
       CASE WHEN i < $recent + $older THEN 'logout' END, 'load', user_id
FROM seeded;
INSERT INTO "RefreshTokens" ("Id", "SessionId", "IssuedAt", "ExpiresAt")
SELECT token_id, session_id, $at, '-' || (i % 86400) || ' seconds'), $at, '+14 days', '-' || (i % 86400) || ' seconds') FROM seeded;
INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent")
SELECT 'user.registered', $at, '-30 days', '+' || (i % 86400) || ' seconds'), user_id, 'scale' || i, NULL, '127.0.0.1', 'load' FROM seeded;
INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent")
SELECT 'login.succeeded', $at, '-13 days', '+' || (i % 86400) || ' seconds'), user_id, 'scale' || i, session_id, '127.0.0.1', 'load' FROM seeded;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}

seed_postgres() {
  local name=$1 users=$2
  # md5 of a label and the number makes a UUID of each row, so sessions, tokens and events can name their user's.
  $POSTGRES_PSQL -d "$name" -v users="$users" -v recent="$(recent "$users")" -v older="$(older "$users")" -v hash="$hash" >/dev/null <<'SQL'
BEGIN;
INSERT INTO "Users" ("Id", "Username", "NormalizedUsername", "PasswordHash", "Roles", "CreatedAt", "EmailVerified", "SecurityStamp")
SELECT md5('user' || i)::uuid, 'scale' || i, 'SCALE' || i, :'hash', '{}', now() - interval '30 days' + (i % 86400) * interval '1 second',
       false, md5('stamp' || i)::uuid
FROM generate_series(0, :users - 1) AS i;
INSERT INTO "Sessions" ("Id", "Amr", "ClientId", "ClientIp", "CreatedAt", "RevokedAt", "RevokedReason", "UserAgent", "UserId")
SELECT md5('session' || i)::uuid, 'pwd', 'jwtauth', '127.0.0.1', now() - interval '13 days' + (i % 86400) * interval '1 second',
       CASE WHEN i < :recent THEN now() - (i % 600) * interval '1 second'
            WHEN i < :recent + :older THEN now() - (1200 + i % 3000) * interval '1 second' END,
       CASE WHEN i < :recent + :older THEN 'logout' END, 'load', md5('user' || i)::uuid
FROM generate_series(0, :users - 1) AS i;
INSERT INTO "RefreshTokens" ("Id", "SessionId", "IssuedAt", "ExpiresAt")
SELECT md5('token' || i)::uuid, md5('session' || i)::uuid, now() - (i % 86400) * interval '1 second',
       now() + interval '14 days' - (i % 86400) * interval '1 second'
FROM generate_series(0, :users - 1) AS i;
INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent")
SELECT 'user.registered', now() - interval '30 days' + (i % 86400) * interval '1 second', md5('user' || i)::uuid, 'scale' || i, NULL, '127.0.0.1', 'load'
FROM generate_series(0, :users - 1) AS i;
INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent")
SELECT 'login.succeeded', now() - interval '13 days' + (i % 86400) * interval '1 second', md5('user' || i)::uuid, 'scale' || i,
       md5('session' || i)::uuid, '127.0.0.1', 'load'
FROM generate_series(0, :users - 1) AS i;
COMMIT;
-- What autovacuum would have done by the time a table holds a million rows.
VACUUM ANALYZE;
SQL
}

# start NAME: a Production server on database NAME; sets started_pid, started_url and startup_seconds (launch to the
# first 200 from /health/ready, which answers once the database is migrated and the revoked sessions are loaded).
start() {
  local name=$1 port database began
  port=$(free_port)
  settings "$name"
  began=$(date +%s.%N)
  (cd "$work" && exec env ASPNETCORE_ENVIRONMENT=Production \
      Jwt__SigningKeys__0__Id=scale Jwt__SigningKeys__0__Secret="$key" "${database[@]}" \
      Passwords__BcryptWorkFactor=$work_factor Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$admin_password" \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
      RateLimiting__PermitsPerMinute=0 Lockout__MaxFailedAttempts=0 \
      dotnet "$work/app/JwtAuth.dll" --urls "http://127.0.0.1:$port") >>"$work/server-$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  started_url="http://127.0.0.1:$port"
  for _ in $(seq 1 1200); do
    if curl -fs "$started_url/health/ready" >/dev/null 2>&1; then
      startup_seconds=$(python3 -c "print(round($(date +%s.%N) - $began, 2))")
      return 0
    fi
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "the server on $name did not start:" >&2; cat "$work/server-$name.log" >&2; exit 1
}
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
count() {
  if [ "$provider" = postgres ]; then
    $POSTGRES_PSQL -d "$1" -t -A -c "$2"
  else
    sqlite3 "$work/$1.db" "$2"
  fi
}

for provider in $providers; do
  if [ "$provider" = postgres ]; then
    start_postgres
    step "$provider: PostgreSQL $POSTGRES_VERSION on a throwaway cluster"
  fi
  step "$provider: seeding $small_users and $big_users users"
  small="scale_small" big="scale_big"
  migrate "$small"; migrate "$big"
  seed_start=$SECONDS
  seed_$provider "$small" "$small_users"
  seed_$provider "$big" "$big_users"
  record seed "{\"seconds\":$((SECONDS - seed_start)),\"users\":$(count "$big" 'SELECT COUNT(*) FROM "Users"'),\"sessions\":$(count "$big" 'SELECT COUNT(*) FROM "Sessions"'),\"refresh_tokens\":$(count "$big" 'SELECT COUNT(*) FROM "RefreshTokens"'),\"audit_events\":$(count "$big" 'SELECT COUNT(*) FROM "AuditEvents"'),\"revoked\":$(count "$big" 'SELECT COUNT(*) FROM "Sessions" WHERE "RevokedAt" IS NOT NULL'),\"recent\":$(recent "$big_users"),\"small_recent\":$(recent "$small_users")}"

  step "$provider: start-up and memory"
  # One server at a time, so that neither start-up shares the cores with the other.
  start "$small"; small_pid=$started_pid small_url=$started_url; small_startup=$startup_seconds
  sleep 5
  small_rss=$(rss_mb "$small_pid")
  start "$big"; big_pid=$started_pid big_url=$started_url; big_startup=$startup_seconds
  sleep 5
  big_rss=$(rss_mb "$big_pid")
  record startup "{\"small_seconds\":$small_startup,\"big_seconds\":$big_startup,\"small_rss_mb\":$small_rss,\"big_rss_mb\":$big_rss}"

  step "$provider: login and refresh latency, 1,000 against $big_users users, in alternating rounds"
  # Warm-up of both paths on both servers, then five rounds; each round measures the small and the big database in turn.
  for url in "$small_url" "$big_url"; do
    client latency --base "$url" --kind login --prefix scale --users "$small_users" --password "$password" --count 100 >/dev/null
    client latency --base "$url" --kind refresh --prefix scale --password "$password" --count 300 >/dev/null
  done
  for round in 1 2 3 4 5; do
    record "login_small_$round" "$(client latency --base "$small_url" --kind login --prefix scale --users "$small_users" --password "$password" --count 100 --seed "$round")"
    record "login_big_$round" "$(client latency --base "$big_url" --kind login --prefix scale --users "$big_users" --password "$password" --count 100 --seed "$round")"
    record "refresh_small_$round" "$(client latency --base "$small_url" --kind refresh --prefix scale --password "$password" --count 300)"
    record "refresh_big_$round" "$(client latency --base "$big_url" --kind refresh --prefix scale --password "$password" --count 300)"
  done

  step "$provider: admin pages and audit queries on $big_users users"
  admin=$(curl -fsS -X POST "$big_url/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  middle=$(count "$big" "SELECT \"Id\" FROM \"Users\" ORDER BY \"Id\" LIMIT 1 OFFSET $((big_users / 2))")
  query() {
    client latency --base "$big_url" --kind get --token "$admin" --path "$2" --count 3 >/dev/null
    record "query_$1" "$(client latency --base "$big_url" --kind get --token "$admin" --path "$2" --count 20 | python3 -c "
import json, sys; d = json.load(sys.stdin); d['path'] = sys.argv[1]; print(json.dumps(d))" "$2")"
  }
  query users_page "/admin/users?limit=100&after=$middle"
  # Prefixes of every name, of 111,111, of 11,111 and of 1,111 (either side of the bound where a page stops sorting
  # the matches by id and walks the ids instead), and of 11.
  query users_all_prefix "/admin/users?limit=100&username=s"
  query users_wide_prefix "/admin/users?limit=100&username=scale1"
  query users_broad_prefix "/admin/users?limit=100&username=scale12"
  query users_sorted_prefix "/admin/users?limit=100&username=scale123"
  query users_narrow_prefix "/admin/users?limit=100&username=scale12345"
  query audit_user "/admin/audit?username=scale123456&limit=100"
  query audit_type "/admin/audit?type=login.succeeded&limit=100"
  stop_servers
  stop_postgres
  rm -f "$work"/*.db "$work"/*.db-*
done
step "done"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/scale_table.py" "$results"
