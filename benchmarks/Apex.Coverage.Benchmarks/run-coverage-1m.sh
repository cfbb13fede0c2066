#!/usr/bin/env bash
# The 1,000,000-result coverage benchmarks (CoverageBenchmarks) on SQLite and on PostgreSQL. The
# PostgreSQL is a throwaway server from the local binaries (initdb/pg_ctl, PostgreSQL 15 on
# Debian) in a temp directory on a free loopback port, stopped and deleted when this script ends.
# Extra arguments go to BenchmarkDotNet (default: --job short --inProcess). From the repo root:
#   bash benchmarks/Apex.Coverage.Benchmarks/run-coverage-1m.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

bin="$(dirname "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")"
dir="$(mktemp -d /tmp/apex-bench-pg-XXXXXX)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$dir"
  as=(setpriv --reuid postgres --regid postgres --init-groups)
fi

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
stop() { "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap stop EXIT
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null

export APEX_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=apex_bench;Pooling=true"
args=("$@")
# In process: a separate build of the generated project outlasts its 2-minute timeout on a loaded machine.
[ ${#args[@]} -gt 0 ] || args=(--job short --inProcess)
dotnet run -c Release --project benchmarks/Apex.Coverage.Benchmarks -- --filter '*CoverageBenchmarks*' "${args[@]}"
