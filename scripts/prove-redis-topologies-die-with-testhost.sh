#!/usr/bin/env bash
# The crash proof for the Redis topologies of the Cache & State Management tests: run item 74's
# class (a master, a replica and three redis-sentinel) and item 72's (a Redis Cluster of three
# masters and a fourth node) together, wait until the Sentinel topology and the formed cluster are
# up at the same time, kill the test host with SIGKILL, and check that every redis-server and
# redis-sentinel of the run, their watchdogs and their temp directories are gone.
# redis-server and redis-sentinel rewrite their process title ("redis-server 127.0.0.1:port"), so
# the run's marker is in their watchdogs' command lines but not in their own: the proof records
# the servers' pids (the watchdogs' children) before the kill, and afterwards also looks for any
# process whose working directory is one of the run's (Redis works in its --dir / sentinel dir).
# Needs a build of tests/Apex.Integration.
set -uo pipefail
cd "$(dirname "$0")/.."
export APEX_TEST_RUN_ID="redistopologyproof$$"
marker="apex-it-${APEX_TEST_RUN_ID}-"
classes="Apex.Integration.CacheStateManagement"
filter="FullyQualifiedName~${classes}.CacheClusterFailoverTests|FullyQualifiedName~${classes}.SessionStateMigrationTests"

dotnet test tests/Apex.Integration --no-build -c Debug --filter "$filter" >/dev/null 2>&1 &
runner=$!

# The live redis-server / redis-sentinel processes of one role: children of the watchdogs whose
# temp directory name starts with $1 ("sentinel-", "redis-cluster-", ...; "" for every one of the run).
servers() {
  for watchdog in $(pgrep -f "apex-it-watchdog [0-9]+ /tmp/${marker}$1"); do
    pgrep -P "$watchdog" '^redis-'
  done
}
count() { servers "$1-" | wc -l; }
# True when a node of the run's cluster reports the cluster formed (all slots served).
cluster_formed() {
  for pid in $(servers redis-cluster-); do
    port=$(tr '\0' ' ' < "/proc/$(ps -o ppid= -p "$pid" | tr -d ' ')/cmdline" | sed -nE 's/.* --port ([0-9]+) .*/\1/p')
    [ -n "$port" ] && redis-cli -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && return 0
  done
  return 1
}

up=no
for _ in $(seq 900); do
  if [ "$(count sentinel)" -ge 3 ] && [ "$(count redis-replica)" -ge 1 ] && [ "$(count redis-cluster)" -ge 4 ] && cluster_formed; then
    up=yes; break
  fi
  sleep 0.2
done
if [ "$up" != yes ]; then
  echo "redis topology proof: the Sentinel and Cluster topologies were not up together within 3 minutes" >&2
  kill "$runner" 2>/dev/null; wait "$runner" 2>/dev/null; exit 1
fi

# Recorded before the kill: every Redis process of the run with its start time (field 22 of
# /proc/pid/stat), so a pid reused later by another process is not mistaken for a survivor.
recorded=()
for pid in $(servers ""); do recorded+=("$pid:$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null)"); done
testhost=$(pgrep -af "apex-it-watchdog [0-9]+ /tmp/${marker}sentinel-" | sed -E 's/.*apex-it-watchdog ([0-9]+) .*/\1/' | head -n 1)
summary="$(count sentinel) sentinels, $(count redis-master) master, $(count redis-replica) replica, $(count redis-cluster) cluster nodes"
kill -KILL "$testhost"
echo "redis topology proof: killed test host $testhost with ${summary} up (${#recorded[@]} Redis processes recorded)"

survivors() {
  for entry in "${recorded[@]}"; do
    pid=${entry%%:*}
    [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null)" = "${entry#*:}" ] && echo "$pid $(tr '\0' ' ' < "/proc/$pid/cmdline")"
  done
  for cwd in /proc/[0-9]*/cwd; do
    readlink "$cwd" 2>/dev/null | grep -q "^/tmp/${marker}" && echo "${cwd//[^0-9]/} works in $(readlink "$cwd")"
  done
  pgrep -af "${marker}"
}

# Processes first, then their directories: a watchdog deletes its directory after its server ends.
for _ in $(seq 300); do
  [ -z "$(survivors)" ] && ! ls -d /tmp/${marker}* >/dev/null 2>&1 && break
  sleep 0.1
done
wait "$runner" 2>/dev/null
left=$(survivors)
if [ -n "$left" ]; then
  echo "redis topology proof: FAILED, processes outlived the killed test host:" >&2
  echo "$left" >&2
  exit 1
fi
if ls -d /tmp/${marker}* >/dev/null 2>&1; then
  echo "redis topology proof: FAILED, temp directories left behind:" >&2
  ls -d /tmp/${marker}* >&2
  exit 1
fi
echo "redis topology proof: every redis-server, redis-sentinel and watchdog of the run stopped and its directory is gone"
