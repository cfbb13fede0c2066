#!/usr/bin/env bash
# Throughput of batch inserts (plan item 57): starts a throwaway PostgreSQL 15 from the local
# binaries (settings as the L2 suite's server: fsync off), runs benchmarks/Apex.Data.Benchmarks
# against it, and removes it again. Usage: bash benchmarks/Apex.Data.Benchmarks/bench-batch-insert.sh [rows] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/apex-bench-pg-XXXXXX)
as_pg=()
if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; as_pg=(setpriv --reuid postgres --regid postgres --init-groups); fi
port=$(( 20000 + RANDOM % 20000 ))
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null; rm -rf "$dir"' EXIT
export APEX_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
dotnet run -c Release --project benchmarks/Apex.Data.Benchmarks -- "$@"
