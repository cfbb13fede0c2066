#!/usr/bin/env bash
# Proof that no local test server outlives a crashed test host: start the L2 suite, wait until
# its Redis, PostgreSQL and ClickHouse are up, kill the test host with SIGKILL (no fixture
# disposal runs), and check that every server of that run is gone within a few seconds.
# Needs a build of tests/Apex.Integration (scripts/test-all.sh builds first).
set -uo pipefail
cd "$(dirname "$0")/.."
export APEX_TEST_RUN_ID="crashproof$$"
marker="apex-it-${APEX_TEST_RUN_ID}-"

dotnet test tests/Apex.Integration --no-build -c Debug >/dev/null 2>&1 &
runner=$!

for _ in $(seq 600); do
  up=$(pgrep -f "${marker}" -a | grep -cE 'redis-server|postgres -D|clickhouse-server' || true)
  [ "$up" -ge 3 ] && break
  sleep 0.1
done
if [ "${up:-0}" -lt 3 ]; then
  echo "crash proof: the suite's servers did not all start" >&2
  kill "$runner" 2>/dev/null; exit 1
fi

# The test host is the owner the watchdogs watch: the argument after their marker.
testhost=$(pgrep -af "apex-it-watchdog [0-9]+ /tmp/${marker}redis" | sed -E 's/.*apex-it-watchdog ([0-9]+) .*/\1/' | head -n 1)
if [ -z "$testhost" ]; then
  echo "crash proof: no test host found" >&2
  exit 1
fi
command=$(tr '\0' ' ' < "/proc/$testhost/cmdline" | cut -c1-80)
kill -KILL "$testhost"
echo "crash proof: killed test host $testhost ($command) with 3 servers up"

for _ in $(seq 100); do
  pgrep -f "${marker}" >/dev/null || break
  sleep 0.1
done
wait "$runner" 2>/dev/null
if pgrep -f "${marker}" >/dev/null; then
  echo "crash proof: FAILED, servers outlived the killed test host:" >&2
  pgrep -af "${marker}" >&2
  exit 1
fi
leftover=$(ls -d /tmp/${marker}* 2>/dev/null | wc -l)
if [ "$leftover" -ne 0 ]; then
  echo "crash proof: FAILED, $leftover temp directories left behind" >&2
  exit 1
fi
echo "crash proof: every server of the run stopped and its directory is gone"
