#!/usr/bin/env bash
# Wall time of a whole-suite run through the dashboard (POST /api/v1/runs until it ends) against
# `dotnet test --no-build` of the same build, alternately, and the ratio of the two.
#   bash benchmarks/runner/bench-runner.sh [rounds] [fast|mtp-fast|l2]      (APEX_BUILD_DIR is honoured)
# A warm-up dashboard run (discovery, JIT) comes first and is not counted (BENCH_WARMUP=0 to count it).
# fast: tests/fixtures/Apex.Fixture.Fast (4,160 tests of ~1 ms, VSTest); mtp-fast: the same tests as a
# Microsoft.Testing.Platform app (tests/fixtures/Apex.Fixture.Mtp.Fast: the dashboard drives it in server
# mode, `dotnet test` in its MTP mode, selected by the global.json beside it); l2: tests/Apex.Integration.
# Builds the dashboard and the suite first, then alternates the two ways of running the suite so
# that load from elsewhere on the machine falls on both alike. Prints each pair and, last, the
# ratio of the summed wall times (dashboard ÷ dotnet test). The target for `fast` is ≤ 1.10.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
rounds=${1:-3}
which=${2:-fast}
port=${BENCH_PORT:-5391}
case $which in
  fast) project=tests/fixtures/Apex.Fixture.Fast/Apex.Fixture.Fast.csproj ;;
  mtp-fast) project=tests/fixtures/Apex.Fixture.Mtp.Fast/Apex.Fixture.Mtp.Fast.csproj ;;
  l2) project=tests/Apex.Integration/Apex.Integration.csproj ;;
  *) echo "usage: $0 [rounds] [fast|mtp-fast|l2]" >&2; exit 2 ;;
esac

dotnet build src/Apex.Coverage.Web -nologo -v q >/dev/null
suite=$(dotnet build "$project" -nologo -v q -t:Build -getProperty:TargetPath | tail -1)
web=$(dotnet msbuild src/Apex.Coverage.Web -nologo -getProperty:TargetPath | tail -1)

work=$(mktemp -d)
export Data__ConnectionString="Data Source=$work/bench.db" Plan__Watch=false Runs__ScheduleEditsPath="$work/schedules.json"
export Runs__DefaultSuite=Bench Suites__Bench__Assembly="$suite" Suites__Bench__BuildBeforeRun=false Schedules__nightly__Enabled=false
token=$(dotnet "$web" tokens create --name bench | tail -1)
dotnet "$web" --urls "http://127.0.0.1:$port" >"$work/dashboard.log" 2>&1 &
dashboard=$!
trap 'kill $dashboard 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/runs" >/dev/null; do sleep 0.5; done

now() { date +%s.%N; }
# CPU seconds of a process and of its ended children (vstest.console and the test host it reaped).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f %.2f", ($14 + $15) / hz, ($16 + $17) / hz }' "/proc/$1/stat"; }
dashboard_run() {
  local id status body before after
  before=$(cpu "$dashboard")
  id=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "http://127.0.0.1:$port/api/v1/runs" | sed -E 's/.*"id":([0-9]+).*/\1/')
  while :; do
    # The list (newest first, without results) is cheap to poll; runs of one suite run in turn.
    body=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/runs?take=1")
    status=$(echo "$body" | sed -E 's/.*"status":"([a-z]+)".*/\1/')
    case $status in queued|building|running) sleep 0.5 ;; *) break ;; esac
  done
  after=$(cpu "$dashboard")
  # Wall time as the dashboard measured it: from the request being stored to the run's end.
  dashboard_seconds=$(echo "$body" | python3 -c 'import json,sys,datetime as d; r=json.load(sys.stdin); r=(r["items"] if isinstance(r,dict) else r)[0]; p=lambda s: d.datetime.fromisoformat(s.replace("Z","+00:00")); print((p(r["finishedAt"])-p(r["createdAt"])).total_seconds())')
  echo "dashboard run $id: $dashboard_seconds s, status $status, $(echo "$body" | grep -oE '"counts":\{[^}]*\}' | head -1)," \
    "CPU s dashboard/vstest+testhost: $(echo "$before $after" | awk '{ printf "%.1f/%.1f", $3 - $1, $4 - $2 }')"
}
cli_run() {
  local start cpu_used counts; start=$(now)
  if [ "$which" = mtp-fast ]; then
    # MTP mode (the fixture's global.json selects it): the built app itself, no MSBuild evaluation,
    # as `dotnet test <dll>` does for VSTest.
    (cd "$root/$(dirname "$project")" && /usr/bin/time -o "$work/cli.time" -f '%U %S' \
      dotnet test --root-directory "$(dirname "$suite")" --test-modules "$(basename "$suite")" --no-progress --no-ansi >"$work/cli.log" 2>&1) || true
    counts=$(grep -hoiE '(total|succeeded|failed): +[0-9]+' "$work/cli.log" | tr -s ' ' | paste -sd, -)
  else
    /usr/bin/time -o "$work/cli.time" -f '%U %S' dotnet test "$suite" --nologo >"$work/cli.log" 2>&1 || true
    counts=$(grep -hoE '(Passed|Failed)!.*Total: +[0-9]+' "$work/cli.log" | tail -1)
  fi
  cpu_used=$(tail -1 "$work/cli.time")
  cli_seconds=$(echo "$(now) - $start" | bc)
  echo "dotnet test --no-build: $cli_seconds s, $counts, CPU s $(echo "$cpu_used" | awk '{ printf "%.1f", $1 + $2 }')"
}

if [ "${BENCH_WARMUP:-1}" = 1 ]; then
  # One run first, not counted: the dashboard's first run also discovers the suite (later runs of
  # the same build reuse that) and JIT-compiles its own code.
  echo "warm-up (not counted):"; dashboard_run
fi
total_dashboard=0; total_cli=0
for round in $(seq "$rounds"); do
  dashboard_run
  cli_run
  total_dashboard=$(echo "$total_dashboard + $dashboard_seconds" | bc)
  total_cli=$(echo "$total_cli + $cli_seconds" | bc)
  echo "round $round ratio: $(echo "scale=3; $dashboard_seconds / $cli_seconds" | bc)"
done
grep -hoE 'Run [0-9]+ timeline \(ms since the request\): .*' "$work/dashboard.log" | sed 's/^/dashboard: /' || true
grep -hoE 'recorded [0-9]+ results in [0-9]+ commits; persist and push took [0-9.]+ ms per result|recorded [0-9]+ results; persist and push took [0-9.]+ ms per result' "$work/dashboard.log" | sed 's/^/dashboard: /' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$which: dashboard $total_dashboard s, dotnet test $total_cli s over $rounds rounds; ratio $(echo "scale=3; $total_dashboard / $total_cli" | bc)"
