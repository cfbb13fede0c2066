#!/usr/bin/env bash
# Runs plan categories of the L2 suite through the dashboard itself (POST /api/v1/runs with a
# category) and prints each run's outcome and every item's status per category. Reads carry the
# same token (any live token may read once sign-in is on).
# Usage: bash scripts/run-categories-through-dashboard.sh <repo root> <port> <category slug>...
set -euo pipefail
root="$1"; port="$2"; shift 2
cd "$root"
dll=src/Apex.Coverage.Web/bin/Debug/net10.0/Apex.Coverage.Web.dll
[ -f "$dll" ] || dotnet build src/Apex.Coverage.Web -nologo -v quiet
token="$(dotnet "$dll" tokens create --name "check$$" --scope runs:write | tail -n 1)"
dotnet "$dll" --urls "http://127.0.0.1:$port" > /tmp/dashboard-check-$port.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for i in $(seq 120); do curl -fs -H "Authorization: Bearer $token" "$base/api/v1/plan" >/dev/null 2>&1 && break; sleep 1; done
for category in "$@"; do
  started=$(date +%s)
  id=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d "{\"category\":\"$category\"}" "$base/api/v1/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    status=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/runs/$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["counts"])')
    case "$status" in queued*|building*|running*) sleep 5 ;; *) break ;; esac
  done
  echo "$category: run $id -> $status in $(( $(date +%s) - started )) s"
  curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/coverage" | python3 -c '
import json,sys
d=json.load(sys.stdin); cat=sys.argv[1]
c=[x for x in d["categories"] if x.get("slug")==cat]
print("  category:", json.dumps(c[0]) if c else "?")
' "$category"
done
curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/coverage" | python3 -c '
import json,sys
d=json.load(sys.stdin)
from collections import Counter
print("items by status:", dict(Counter(i["status"] for i in d["items"])))
print("not passing:", [ (i["number"], i["status"]) for i in d["items"] if i["status"]!="passing"])
print("totals:", json.dumps(d["totals"]))
'
