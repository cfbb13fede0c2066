#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian machine: installs the servers the L2 suite
# starts locally (when missing and we are root), builds with warnings as errors, runs all test
# projects, then checks that no test server outlived the run.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need_packages+=(redis-sentinel)
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || need_packages+=(clickhouse-server)
command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || need_packages+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)

if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need_packages[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
  else
    echo "Missing: ${need_packages[*]}. Install them first:" >&2
    echo "  sudo apt-get install -y ${need_packages[*]}" >&2
    echo "or point APEX_TEST_REDIS / APEX_TEST_POSTGRES / APEX_TEST_CLICKHOUSE at running servers." >&2
    exit 1
  fi
fi

# The mutation tests run the real Stryker.NET from the repo's tool manifest (.config/dotnet-tools.json).
dotnet tool restore
dotnet build Apex.sln -c Debug -warnaserror -nologo -v quiet

results="$(mktemp -d)"
status=0
# Local test servers put this id into their temp directory names (apex-it-<id>-...), so the
# leftover check below looks at this run's servers only.
export APEX_TEST_RUN_ID="run$$"
dotnet test Apex.sln --no-build -c Debug --logger "trx" --results-directory "$results" \
  --blame-hang --blame-hang-timeout 10m | tee "$results/console.log" || status=$?

# Every local test server and its watchdog carry "apex-it-<run id>-" in their command lines;
# after the run none may be left, whatever happened to the test host. The watchdogs notice a
# vanished test host within a fraction of a second; give them a moment.
sleep 2
if pgrep -f "apex-it-${APEX_TEST_RUN_ID}-" >/dev/null; then
  echo "Test servers outlived the test run:" >&2
  pgrep -af "apex-it-${APEX_TEST_RUN_ID}-" >&2
  status=1
fi

# Their temp directories (servers, replica and failover topologies, backup folders) go with them.
if ls -d /tmp/apex-it-"${APEX_TEST_RUN_ID}"-* >/dev/null 2>&1; then
  echo "Test temp directories outlived the test run:" >&2
  ls -d /tmp/apex-it-"${APEX_TEST_RUN_ID}"-* >&2
  status=1
fi

# And the harder case: a test host killed outright must not leave its servers behind either.
bash scripts/prove-servers-die-with-testhost.sh || status=1
bash scripts/prove-topologies-die-with-testhost.sh || status=1
bash scripts/prove-redis-topologies-die-with-testhost.sh || status=1

passed=$(grep -hoE 'Passed: +[0-9]+' "$results/console.log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -hoE 'Failed: +[0-9]+' "$results/console.log" | awk '{s+=$2} END {print s+0}')
echo "${passed} passed, ${failed} failed"
exit $status
