#!/usr/bin/env bash
# The same proof as prove-servers-die-with-testhost.sh for the PostgreSQL topologies of the
# Database Coordination tests (primary + streaming replica, primary + synchronous standby, the
# restartable server): run that category, wait until a replica is streaming, kill the test host
# with SIGKILL, and check that every node, watchdog and keeper of the run, and their temp
# directories, are gone. Needs a build of tests/Apex.Integration.
set -uo pipefail
cd "$(dirname "$0")/.."
export APEX_TEST_RUN_ID="topologyproof$$"
marker="apex-it-${APEX_TEST_RUN_ID}-"

dotnet test tests/Apex.Integration --no-build -c Debug --filter "FullyQualifiedName~Apex.Integration.DatabaseCoordination" >/dev/null 2>&1 &
runner=$!

for _ in $(seq 1200); do
  pgrep -af "postgres -D /tmp/${marker}pg(replica|failover)-[0-9a-f]+/(replica|standby)/data" >/dev/null && break
  sleep 0.1
done
testhost=$(pgrep -af "apex-it-watchdog [0-9]+ /tmp/${marker}pg" | sed -E 's/.*apex-it-watchdog ([0-9]+) .*/\1/' | head -n 1)
if [ -z "$testhost" ]; then
  echo "topology proof: no replica topology came up" >&2
  kill "$runner" 2>/dev/null; exit 1
fi
nodes=$(pgrep -af "${marker}" | grep -c "postgres -D" || true)
kill -KILL "$testhost"
echo "topology proof: killed test host $testhost with $nodes PostgreSQL node(s) of the topologies up"

# Processes first, then their directories: a keeper may still be deleting a data directory.
for _ in $(seq 300); do
  pgrep -f "${marker}" >/dev/null || ls -d /tmp/${marker}* >/dev/null 2>&1 || break
  sleep 0.1
done
wait "$runner" 2>/dev/null
if pgrep -f "${marker}" >/dev/null; then
  echo "topology proof: FAILED, processes outlived the killed test host:" >&2
  pgrep -af "${marker}" >&2
  exit 1
fi
if ls -d /tmp/${marker}* >/dev/null 2>&1; then
  echo "topology proof: FAILED, temp directories left behind:" >&2
  ls -d /tmp/${marker}* >&2
  exit 1
fi
echo "topology proof: every node, watchdog and keeper of the run stopped and its directory is gone"
