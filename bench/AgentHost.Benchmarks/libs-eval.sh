#!/usr/bin/env bash
# The per-process probes of the #18 library evaluation (33036a48:docs/benchmarks.md, "LibGit2Sharp and McMaster.NETCore.Plugins"):
# the first git status in a fresh process, libgit2 against the git CLI, alternating, ROUNDS times each, medians;
# then what a repository's configuration makes each run, and McMaster's hot reload.
# Usage: bench/AgentHost.Benchmarks/libs-eval.sh [work-folder] [rounds]   (builds the benchmarks in Release first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-/tmp/agent-libs-eval}"
rounds="${2:-15}"
export AGENT_BENCH_CATALOG="${AGENT_BENCH_CATALOG:-/tmp/bench-new3/agent/catalog}"
catalog="$AGENT_BENCH_CATALOG"
dotnet build -c Release "$here" -v q -nologo >/dev/null
dll="$here/bin/Release/net10.0/AgentHost.Benchmarks.dll"
mkdir -p "$work"
[[ -d "$work/repo/.git" ]] || dotnet "$dll" git-make-repo "$work/repo" >/dev/null
: >"$work/first-call.tsv"
for ((i = 0; i < rounds; i++)); do
  dotnet "$dll" git-first-call "$work/repo" lib >>"$work/first-call.tsv"
  dotnet "$dll" git-first-call "$work/repo" cli >>"$work/first-call.tsv"
done
python3 - "$work/first-call.tsv" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1]) if l.strip()]
for kind in ('lib', 'cli'):
    r = [x for x in rows if x[0] == kind]
    med = lambda i: statistics.median(float(x[i]) for x in r)
    print(f"{kind}: runs {len(r)}  first status {med(1):.1f} ms  second status {med(2):.1f} ms  "
          f"working set {med(3):.1f} -> {med(4):.1f} MB (+{med(4) - med(3):.1f})")
PY
dotnet "$dll" git-config-probe "$work/probe"
dotnet "$dll" plugin-hot-reload "$catalog/files"
