#!/usr/bin/env bash
# CI: runs every benchmark once, in process, to prove the suite still builds, sets up and runs; measures nothing.
# Ends with one line: "benchmarks (dry): N succeeded, M failed in Ss".
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
status=0
dotnet run -c Release --project tests/JwtAuth.Benchmarks -- --filter '*' --job Dry --inProcess 2>&1 | tee "$log" || status=$?
elapsed=$((SECONDS - start))

# The benchmark program prints "benchmarks: N succeeded, M failed" after a run; no such line means nothing ran.
counts=$(grep -E '^benchmarks: [0-9]+ succeeded, [0-9]+ failed$' "$log" | tail -n 1 || true)
if [ -z "$counts" ]; then
  echo "benchmarks (dry): no benchmark ran (exit code $status) in ${elapsed}s"
  exit 1
fi
echo "benchmarks (dry): ${counts#benchmarks: } in ${elapsed}s"
exit $status
