#!/usr/bin/env bash
# One-off timing of `agent plugin install` from an HTTP feed on 127.0.0.1 (before vs after NuGet.Protocol, #18).
# Usage: run.sh BEFORE_AGENT AFTER_AGENT [RUNS]   e.g. run.sh /tmp/bench-new3/agent/agent /tmp/me/agent/agent 20
# Alternates the two builds, each run in a fresh AGENT_HOME and HOME; prints the median wall time of each (ms).
set -euo pipefail
before=$1; after=$2; runs=${3:-20}
dir=$(mktemp -d); port=$((20000 + RANDOM % 20000))
python3 "$(dirname "$0")/feed.py" "$dir/feed" "$port" & feed=$!
trap 'kill $feed; rm -rf "$dir"' EXIT
until curl -sf "http://127.0.0.1:$port/v3/index.json" >/dev/null; do sleep 0.1; done
for i in $(seq "$runs"); do
  for v in before after; do
    bin=${!v}; home="$dir/$v-$i"; mkdir -p "$home/work"
    t0=$(date +%s%N)
    (cd "$home/work" && HOME="$home" AGENT_HOME="$home/agent" "$bin" plugin install bench-tools --source "http://127.0.0.1:$port/v3/index.json" --yes >/dev/null)
    t1=$(date +%s%N); echo "$v $(( (t1 - t0) / 1000000 ))"
  done
done | tee "$dir/times.txt" >/dev/null
python3 - "$dir/times.txt" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    v, ms = line.split(); t.setdefault(v, []).append(int(ms))
for v, xs in t.items():
    print(f"{v}: median {statistics.median(xs):.0f} ms (n={len(xs)}, min {min(xs)}, max {max(xs)})")
PY
