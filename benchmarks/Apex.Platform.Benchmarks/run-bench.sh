#!/usr/bin/env bash
# The Performance & Scalability figures (plan items 77, 82, 83, 85) on this machine:
#   bash benchmarks/Apex.Platform.Benchmarks/run-bench.sh [quick]
# Starts a throwaway redis-server and PostgreSQL in a temp directory (stopped on exit), builds
# Release, then runs the bench commands; BenchmarkDotNet's pipeline benchmark runs unless "quick".
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
redis_port=$((30000 + RANDOM % 10000)); pg_port=$((40000 + RANDOM % 10000))
cleanup() { redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; [ -n "${pg_ctl:-}" ] && "$pg_ctl" -D "$work/pg" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize yes >/dev/null
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -1)"); pg_ctl=$pg_bin/pg_ctl
runas=""; [ "$(id -u)" = 0 ] && { chown -R postgres "$work" 2>/dev/null || true; runas="runuser -u postgres --"; chmod 777 "$work"; }
$runas "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
$runas "$pg_ctl" -D "$work/pg" -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" -l "$work/pg.log" start >/dev/null
redis="127.0.0.1:$redis_port"; pg="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
dotnet build -c Release benchmarks/Apex.Platform.Benchmarks -nologo -v q >/dev/null
# Item 83 before/after: the same platform published JIT-only and ReadyToRun (its default when published for a runtime).
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=false src/Apex.Platform -o "$work/jit" -nologo -v q >/dev/null
dotnet publish -c Release -r linux-x64 --self-contained false src/Apex.Platform -o "$work/r2r" -nologo -v q >/dev/null
bench="dotnet benchmarks/Apex.Platform.Benchmarks/bin/Release/net10.0/Apex.Platform.Benchmarks.dll"
$bench redis-throughput "$redis" 50000
$bench redis-throughput "$redis" 50000 100
$bench batch-size "$pg"
for build in jit r2r; do
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE bench_startup_$build"
  echo "startup, $build build:"
  $bench startup "$work/$build/Apex.Platform.dll" "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=bench_startup_$build" "$redis" 5
done
for server in 0 1; do
  for mode in Interactive SustainedLowLatency; do DOTNET_gcServer=$server $bench gc "$mode" 200000; done
done
# In process (no generated project to build): a few minutes on this machine.
[ "${1:-}" = quick ] || $bench --filter '*MessagePipelineBenchmarks*' --inProcess
