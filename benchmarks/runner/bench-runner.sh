#!/usr/bin/env bash
# Wall time of a whole-suite run through the dashboard (POST /api/v1/runs until it ends) against
# `dotnet test --no-build` of the same build, and the runner's own per-result persist+push cost.
#   APEX_BUILD_DIR=/tmp/bench bash benchmarks/runner/bench-runner.sh [rounds]
# Builds the dashboard and the L2 suite first (into APEX_BUILD_DIR when set), then alternates the two
# ways of running the suite so that load from elsewhere on the machine falls on both alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
rounds=${1:-2}
port=${BENCH_PORT:-5391}
out=${APEX_BUILD_DIR:+$APEX_BUILD_DIR/bin}

dotnet build src/Apex.Coverage.Web -nologo -v q >/dev/null
dotnet build tests/Apex.Integration -nologo -v q >/dev/null
web=${out:+$out/Apex.Coverage.Web/debug/Apex.Coverage.Web.dll}; web=${web:-src/Apex.Coverage.Web/bin/Debug/net10.0/Apex.Coverage.Web.dll}
suite=${out:+$out/Apex.Integration/debug/Apex.Integration.dll}; suite=${suite:-tests/Apex.Integration/bin/Debug/net10.0/Apex.Integration.dll}

work=$(mktemp -d)
export Data__ConnectionString="Data Source=$work/bench.db" Plan__Watch=false Runs__ScheduleEditsPath="$work/schedules.json"
export Suites__L2__Assembly="$root/$suite" Suites__L2__BuildBeforeRun=false Schedules__nightly__Enabled=false
[ "${suite:0:1}" = / ] && export Suites__L2__Assembly="$suite"
token=$(dotnet "$web" tokens create --name bench | tail -1)
dotnet "$web" --urls "http://127.0.0.1:$port" >"$work/dashboard.log" 2>&1 &
dashboard=$!
trap 'kill $dashboard 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "http://127.0.0.1:$port/api/v1/runs" >/dev/null; do sleep 0.5; done

now() { date +%s.%N; }
dashboard_run() {
  local start id status
  start=$(now)
  id=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "http://127.0.0.1:$port/api/v1/runs" | sed -E 's/.*"id":([0-9]+).*/\1/')
  while :; do
    status=$(curl -sf "http://127.0.0.1:$port/api/v1/runs?take=1" | sed -E 's/.*"status":"([a-z]+)".*/\1/')
    case $status in queued|building|running) sleep 0.1 ;; *) break ;; esac
  done
  local body; body=$(curl -sf "http://127.0.0.1:$port/api/v1/runs/$id")
  echo "dashboard run $id: $(echo "$(now) - $start" | bc) s, status $status, counts $(echo "$body" | sed -E 's/.*"counts":(\{[^}]*\}).*/\1/')"
}
cli_run() {
  local start; start=$(now)
  dotnet test "$suite" --nologo >"$work/cli.log" 2>&1 || true
  echo "dotnet test --no-build: $(echo "$(now) - $start" | bc) s, $(grep -hoE '(Passed|Failed)!.*Total: +[0-9]+' "$work/cli.log" | tail -1)"
}

for round in $(seq "$rounds"); do
  dashboard_run
  cli_run
done
grep -hoE 'recorded [0-9]+ results; persist and push took [0-9.]+ ms per result' "$work/dashboard.log" | sed 's/^/dashboard: /'
