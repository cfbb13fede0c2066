#!/usr/bin/env bash
# Runs one plan category of the L2 suite N times in a row on the current build and prints one
# line per run: exit code, wall time, the test duration dotnet test reports, the load average,
# and whether any server process or temp directory of that run outlived it.
# Usage: bash scripts/repeat-category.sh <category folder, e.g. DatabaseCoordination> [runs=20]
# Build first: dotnet build tests/Apex.Integration -c Debug
set -uo pipefail
cd "$(dirname "$0")/.."
folder="$1"; runs="${2:-20}"
failures=0
for i in $(seq 1 "$runs"); do
  # Short: PostgreSQL's socket path (/tmp/apex-it-<run id>-<node>-<32 hex>/runN/.s.PGSQL.<port>) must stay under 107 characters.
  tag="${folder,,}"
  export APEX_TEST_RUN_ID="rep${tag:0:5}$$x$i"
  started=$(date +%s.%N)
  output=$(dotnet test tests/Apex.Integration --no-build -c Debug --filter "FullyQualifiedName~Apex.Integration.$folder." 2>&1)
  rc=$?
  ended=$(date +%s.%N)
  sleep 2
  procs=$(pgrep -f "apex-it-${APEX_TEST_RUN_ID}-" | wc -l)
  dirs=$(ls -d /tmp/apex-it-"${APEX_TEST_RUN_ID}"-* 2>/dev/null | wc -l)
  summary=$(echo "$output" | grep -E "^(Passed|Failed)!" | tail -1)
  if [ "$rc" -ne 0 ] || [ "$procs" -ne 0 ] || [ "$dirs" -ne 0 ]; then
    failures=$((failures + 1))
    echo "$output" > "/tmp/repeat-$folder-$i.log"
  fi
  printf "run %2d rc=%d wall=%.1fs leftover_procs=%s leftover_dirs=%s load=%s | %s\n" "$i" "$rc" \
    "$(echo "$ended - $started" | bc)" "$procs" "$dirs" "$(cut -d' ' -f1 /proc/loadavg)" "$summary"
done
echo "$folder: $((runs - failures)) of $runs runs clean"
[ "$failures" -eq 0 ]
