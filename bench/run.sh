#!/usr/bin/env bash
# bench/run.sh: AgentHost benchmarks. Runnable from any directory; see docs/performance.md.
#
# Usage:
#   bench/run.sh                  whole-process benchmarks (startup, --help, plugin list with 0 and 20 plugins,
#                                 a scripted 6-step tool task with agent run, the same kind of task through the
#                                 openai provider plugin against a local fake server, peak RSS)
#   bench/run.sh --only openai-task   only the OpenAI-compatible task and its references (agent --version, hello world)
#   bench/run.sh --only ollama-task   only the Ollama task (the ollama provider plugin against a fake Ollama)
#   bench/run.sh --only server-load   only agent serve under load (scripted model; 1, 100 and 1,000 sessions, SQLite and PostgreSQL; runs/s and
#                                     p50/p99 of send -> run ended and send -> first SSE event)
#   bench/run.sh --only search        only glob/grep on a generated 50,000-file tree against rg and git grep (and the
#                                     references); also times the tools in process (BenchmarkDotNet, SearchToolBenchmarks)
#   bench/run.sh --only sandbox       only the shell sandbox (issue #48): cost per shell command with and without bubblewrap
#                                     (50 calls of `true` per run, in process and per run), where it goes (bwrap outside the
#                                     host), and the permission questions of a scripted 20-command task with sandbox.auto_allow
#                                     off and on (bench/scenarios/sandbox/scenario.py)
#   bench/run.sh --only cluster-load  only agent serve --cluster (issue #46): one node against three on one PostgreSQL
#                                     (sessions/s, runs/s, send -> first event on the holding and on another node, RSS
#                                     per node), then failover after SIGKILL of a node (bench/scenarios/cluster-load/scenario.py)
#   bench/run.sh --micro          in-process BenchmarkDotNet suite (bench/AgentHost.Benchmarks), short job
#   bench/run.sh --all            both
#   bench/run.sh --compare COMMIT        the release build of COMMIT against the working tree's, interleaved: old and
#                                        new medians, new/old and regressions (bench/lib/compare.py; see bench/README.md)
#   bench/run.sh --compare-build DIR     the same against an already published agent folder (DIR/agent, DIR/catalog)
#   bench/run.sh --compare COMMIT --only server-load|search   those scenarios instead of the core figures
#
# Options of --compare / --compare-build (defaults differ from the plain run: --runs 20 --rounds 5 --warmup 1):
#   --runs, --rounds, --warmup, --rss-runs, --probe-runs, --no-hyperfine, --keep as below; --requests N and
#   --sessions LIST (server-load), --threshold X (default 1.05), --lock FILE (flock around each timed phase),
#   --compare-label NAME, --new-build DIR and --new-label NAME (compare two published folders, no publish)
#
# Options:
#   --runs N        timed runs per command (default 30)
#   --warmup N      untimed warm-up runs per command and round (default 3)
#   --rounds N      split the runs into N rounds, rotating the command order (default 3)
#   --rss-runs N    runs per command for the peak-RSS measurement (default 5; 0 skips it)
#   --probe-runs N  verified runs of the openai task for "process start -> first model request" (default 10)
#   --only NAME     whole-process scenarios: only NAME (openai-task, ollama-task, search, server-load, sandbox or cluster-load) and the references
#   --filter GLOB   BenchmarkDotNet filter for --micro/--all (default '*')
#   --no-hyperfine  use the built-in fallback timer even when hyperfine is installed
#   --keep          keep the temporary work folder (printed at the end)
#   -h, --help      show this help
#
# What it does (whole-process):
#   1. Publishes agent as the release build: Release, linux-x64, self-contained, ReadyToRun composite (the framework
#      and agent precompiled as one image; the bundled plugins framework-dependent ReadyToRun). Falls back to a plain
#      self-contained Release publish, with a note, when ReadyToRun cannot be restored; builds Fixture.Echo in Release.
#   2. Publishes a `dotnet new console` hello world the same way: the startup reference.
#   3. Installs 20 copies of Fixture.Echo (ids bench-echo-01..20) into a temporary AGENT_HOME with
#      `agent plugin install <folder> --yes`.
#   4. Copies examples/quickstart into the work folder for the "6-step tool task": agent run with the scripted
#      provider replaying bench/scenarios/six-step-task.yaml (six ls/view tool steps, then a final answer), and the
#      same command with bench/scenarios/answer-only.yaml (one step, no tool: the task's fixed cost).
#   5. Times every command with hyperfine (--warmup 3 --export-json, 30 runs in all, split into 3 rounds with the
#      command order rotated; hyperfine is installed with apt-get when missing and root) or with the fallback
#      timer, then prints medians, ratios against the reference measured in the same run, and PASS/FAIL against
#      the targets (agent --version <= 150 ms median, 20 plugins <= 300 ms median, 6-step task <= 500 ms median).
#   6. Measures peak RSS (GNU /usr/bin/time -v, installed with apt-get when missing and root; else the kernel's
#      rusage via Python) of the 6-step task, agent --version and hello world over --rss-runs runs each:
#      median of max RSS, target <= 150 MB for the task.
#   7. "openai-task" (bench/scenarios/openai-task): a generated 2,000-file git repository, bench/lib/openai_fake_server.py
#      replaying bench/scenarios/openai-task/conversation.json (glob, grep, view, edit, git status via shell,
#      final answer) as an OpenAI-compatible endpoint, and agent run --model local/bench-model --plugin files
#      --plugin shell: timed with the others (target <= 750 ms median), peak RSS (<= 150 MB), then --probe-runs
#      verified runs for process start -> first model request (<= 300 ms median). Every run must complete the
#      server's script; the figures are withheld when any run did not.
#   7b. "ollama-task" (bench/scenarios/ollama-task/scenario.py): a fake Ollama on 127.0.0.1 speaking the native wire
#      protocol (/api/tags, /api/show, NDJSON /api/chat), a two-turn task (a view tool call, then the answer) with
#      --plugin ollama --plugin files, --probe-runs verified runs after 2 warm-ups: medians of wall time, peak RSS,
#      process start -> first Ollama request and -> first /api/chat; added to latest.json as "ollama_task".
#   8. "search" (bench/scenarios/search): scenario.py setup generates a git repository of 50,000 files (sources of a
#      few KB, big fixtures and minified bundles, binaries, nested .gitignore files, an ignored node_modules/ and
#      dist/, a few hidden files) and scenario.py verify checks that our glob/grep and rg find the same files and
#      lines. ripgrep is installed with apt-get when missing and root. Timed with the others: `agent tool run glob`
#      and `agent tool run grep` (literal and regex) against `rg --files [-g]`, `rg PATTERN` and `git grep PATTERN`;
#      then the same three searches in process (bench/AgentHost.Benchmarks SearchToolBenchmarks, BenchmarkDotNet
#      short job, in-process toolchain, the published files plugin). bench/lib/searchreport.py prints medians,
#      ratios and PASS/FAIL (our in-process median <= 2x ripgrep's) and adds "search" to latest.json. Then the tree
#      shapes of issue #25 (bench/scenarios/search/shapes.py: committed, untracked, no git, deep, wide, large, binary),
#      whole process against rg and in process (SearchToolBenchmarks with AGENT_BENCH_SEARCH_SHAPES), saved as search.shapes.
#   7c. "server-load" (bench/scenarios/server-load/scenario.py): agent serve --port 0 on 127.0.0.1 with the scripted
#      model, one server per store (SQLite, and PostgreSQL where its programs are installed: a throwaway server);
#      memory per open session; for 1, 100 and 1,000 sessions (one client thread each), prompts back to back: runs/s and p50/p99 of
#      send -> run ended (wait=true) and, with the SSE endpoints, send -> 202 and send -> the run's first event
#      (run.accepted, on a stream opened before sending); ratios against 1 session; added to latest.json as "server_load".
#   Writes bench/results/latest.json (git-ignored). Exits 0 whatever the figures: benchmarks report, tests assert.
#   Builds go to the temporary folder (--artifacts-path), so src/*/bin and obj/ are left alone. No network is
#   used apart from NuGet restore by the dotnet CLI.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
LIB="$BENCH_DIR/lib/benchlib.py"

MODE=whole
RUNS=30
WARMUP=3
ROUNDS=3
RSS_RUNS=5
PROBE_RUNS=10
ONLY=''
FILTER='*'
USE_HYPERFINE=1
KEEP=0

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

# --compare / --compare-build: bench/lib/compare.py does the whole job (builds, interleaved timing, table, JSON).
for arg in "$@"; do
  case "$arg" in
    --compare|--compare-build|--compare=*|--compare-build=*)
      command -v python3 >/dev/null || { echo "bench/run.sh: python3 is needed for --compare" >&2; exit 1; }
      exec python3 "$BENCH_DIR/lib/compare.py" "$@" ;;
  esac
done

while [[ $# -gt 0 ]]; do
  case "$1" in
    --micro) MODE=micro ;;
    --all) MODE=all ;;
    --runs) RUNS="${2:?--runs needs a number}"; shift ;;
    --warmup) WARMUP="${2:?--warmup needs a number}"; shift ;;
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift ;;
    --rss-runs) RSS_RUNS="${2:?--rss-runs needs a number}"; shift ;;
    --probe-runs) PROBE_RUNS="${2:?--probe-runs needs a number}"; shift ;;
    --only) ONLY="${2:?--only needs a scenario name}"; shift ;;
    --filter) FILTER="${2:?--filter needs a pattern}"; shift ;;
    --no-hyperfine) USE_HYPERFINE=0 ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$ONLY" in
  ''|openai-task|ollama-task|search|server-load|sandbox|cluster-load) ;;
  *) echo "bench/run.sh: unknown scenario '$ONLY' for --only (known: openai-task, ollama-task, search, server-load, sandbox, cluster-load)" >&2; exit 2 ;;
esac
# want NAME: whether a group of whole-process scenarios runs ("core": everything that is not openai-task, ollama-task, search, server-load, sandbox or cluster-load).
want() { [[ -z $ONLY || $ONLY == "$1" ]]; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$RESULTS"

log() { printf '==> %s\n' "$*" >&2; }

run_micro() {
  log "BenchmarkDotNet suite (bench/AgentHost.Benchmarks), filter '$FILTER', short job"
  (cd "$REPO" && dotnet run -c Release --project bench/AgentHost.Benchmarks -- \
    --filter "$FILTER" --job short --artifacts "$RESULTS/micro")
  log "reports: $RESULTS/micro/results/ (each class has a Baseline = true reference; see its Ratio column)"
}

run_whole() {
  command -v python3 >/dev/null || { echo "bench/run.sh: python3 is needed for the report" >&2; exit 1; }
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/agent-bench.XXXXXX")"
  OA_SERVER_PID=''
  # Stops the openai-task fake server (started below) and removes the work folder unless --keep.
  cleanup() {
    if [[ -n $OA_SERVER_PID ]]; then kill "$OA_SERVER_PID" 2>/dev/null || true; fi
    if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
  }
  trap cleanup EXIT
  local notes=()

  # 1. agent, Release, ReadyToRun when it restores. A compile error (the tree may be mid-edit) is retried a
  #    couple of times before falling back, so only a ReadyToRun-specific failure turns ReadyToRun off.
  local publish=(-c Release -r linux-x64 --self-contained --disable-build-servers)
  local r2r_flags=(-p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true)
  local r2r=true attempt
  log "publishing agent (the release build: Release, linux-x64, self-contained, ReadyToRun composite)"
  for attempt in 1 2 3; do
    rm -rf "$WORK/agent"
    if dotnet publish "$REPO/src/AgentHost.Cli" "${publish[@]}" "${r2r_flags[@]}" \
        --artifacts-path "$WORK/build" -o "$WORK/agent" >"$WORK/publish-agent.log" 2>&1; then
      break
    fi
    if [[ $attempt -lt 3 ]] && grep -q 'error CS' "$WORK/publish-agent.log"; then
      log "publish failed with a compile error (attempt $attempt), retrying in 15 s:"
      grep -m 3 'error ' "$WORK/publish-agent.log" | sed 's/^/    /' >&2
      sleep 15
      continue
    fi
    grep -m 5 'error ' "$WORK/publish-agent.log" | sed 's/^/    /' >&2 || tail -n 20 "$WORK/publish-agent.log" >&2
    log "ReadyToRun publish failed; falling back to a plain Release publish"
    r2r=false
    notes+=("ReadyToRun publish failed ($(grep -m 1 -o 'error [A-Z]*[0-9]*' "$WORK/publish-agent.log" || echo 'see log')); agent and the reference were published without ReadyToRun")
    rm -rf "$WORK/agent"
    if ! dotnet publish "$REPO/src/AgentHost.Cli" "${publish[@]}" \
        --artifacts-path "$WORK/build" -o "$WORK/agent" >"$WORK/publish-agent.log" 2>&1; then
      cat "$WORK/publish-agent.log" >&2
      echo "bench/run.sh: agent does not build; nothing to measure" >&2
      exit 1
    fi
    break
  done
  local r2r_flag=()
  [[ $r2r == true ]] && r2r_flag=("${r2r_flags[@]}")
  local agent="$WORK/agent/agent"
  local agent_r2r
  agent_r2r="$(python3 "$LIB" is-r2r "$WORK/agent/agent.dll")"
  log "agent.dll has ReadyToRun code: $agent_r2r"
  # A plugin compiled without the host-shared assemblies as references has "partial" code (most methods JIT'd).
  local plugin_r2r
  plugin_r2r="$(python3 "$LIB" is-r2r "$WORK/agent/catalog/openai/AgentHost.Plugins.OpenAI.dll")"
  log "catalog/openai/AgentHost.Plugins.OpenAI.dll has ReadyToRun code: $plugin_r2r"

  if want core; then
  log "building tests/fixtures/Fixture.Echo (Release)"
  if ! dotnet build "$REPO/tests/fixtures/Fixture.Echo" -c Release --disable-build-servers \
      --artifacts-path "$WORK/build" -o "$WORK/fixture-echo" >"$WORK/build-fixture.log" 2>&1; then
    cat "$WORK/build-fixture.log" >&2
    echo "bench/run.sh: Fixture.Echo does not build" >&2
    exit 1
  fi
  fi

  # 2. The reference: a minimal console app, published the same way. InvariantGlobalization matches what
  #    Directory.Build.props gives agent, so the ratio is agent's own work, not ICU loading.
  log "publishing the hello-world reference"
  mkdir -p "$WORK/hello-src"
  (cd "$WORK/hello-src" && dotnet new console -n Hello -o . --force >"$WORK/new-hello.log" 2>&1)
  if ! dotnet publish "$WORK/hello-src" "${publish[@]}" "${r2r_flag[@]}" -p:InvariantGlobalization=true \
      -o "$WORK/hello" >"$WORK/publish-hello.log" 2>&1; then
    cat "$WORK/publish-hello.log" >&2
    echo "bench/run.sh: the hello-world reference does not build" >&2
    exit 1
  fi
  local hello="$WORK/hello/Hello"

  # 3. AGENT_HOMEs: empty, and 20 installed copies of Fixture.Echo with distinct ids.
  local home0="$WORK/home-empty" home20="$WORK/home-20" cwd="$WORK/cwd"
  mkdir -p "$home0" "$home20" "$cwd"
  local installed=0
  if want core; then
  log "installing 20 copies of Fixture.Echo into $home20"
  for i in $(seq -w 1 20); do
    local src="$WORK/plugins-src/bench-echo-$i"
    mkdir -p "$(dirname "$src")"
    cp -R "$WORK/fixture-echo" "$src"
    sed -i -E "s/^id:.*/id: bench-echo-$i/" "$src/plugin.yaml"
    if (cd "$cwd" && AGENT_HOME="$home20" "$agent" plugin install "$src" --yes) >"$WORK/install-$i.log" 2>&1; then
      installed=$((installed + 1))
    else
      log "install of bench-echo-$i failed:"
      sed 's/^/    /' "$WORK/install-$i.log" >&2
      if [[ $i == 01 ]]; then break; fi
    fi
  done
  fi
  if want core && [[ $installed -ne 20 ]]; then
    notes+=("only $installed of 20 plugins installed ('agent plugin install <folder> --yes'); the 20-plugin scenario is skipped")
  fi

  # 4. The 6-step tool task: a copy of examples/quickstart as the project, one AGENT_HOME reused by every run (the
  #    untimed check run creates and migrates its session database, so timed runs see a steady state; each run adds
  #    one session: 14 messages for the task). The scripts' expectations fail a run whose tool results are wrong.
  local task_root="$WORK/quickstart" task_home="$WORK/home-run" task_script="$BENCH_DIR/scenarios/six-step-task.yaml"
  mkdir -p "$task_root" "$task_home"
  cp -R "$REPO/examples/quickstart/." "$task_root/"
  local task_answer="The quickstart is a README describing an offline demo"

  # 4b. openai-task: the fake OpenAI-compatible server (kept running for every timed run; stopped by cleanup), a
  #     generated 2,000-file repository whose .agent/config.yaml points provider 'local' at it and allows the task's
  #     shell calls (trusted with 'agent trust' in its own AGENT_HOME), and the task's answer check.
  local oa_name="agent run (openai 6-step task)" oa_dir="$WORK/openai-task" oa_ready=0 oa_url=''
  local oa_prompt="Find where MAX_RETRIES is defined, raise it by one and check git status."
  local oa_answer="MAX_RETRIES is defined in src/config.py and read by six modules. I raised it from"
  if want openai-task; then
    mkdir -p "$oa_dir"
    log "openai-task: starting the fake OpenAI-compatible server and generating a 2,000-file repository"
    python3 "$BENCH_DIR/lib/openai_fake_server.py" --script "$BENCH_DIR/scenarios/openai-task/conversation.json" \
      --port-file "$oa_dir/port" --first-request-file "$oa_dir/first-request.json" --log "$oa_dir/server.log" \
      >"$oa_dir/server.out" 2>&1 &
    OA_SERVER_PID=$!
    for _ in $(seq 1 100); do [[ -s $oa_dir/port ]] && break; sleep 0.1; done
    if [[ ! -s $oa_dir/port ]]; then
      cat "$oa_dir/server.out" >&2
      notes+=("openai-task: the fake server did not start; the scenario is skipped")
    elif python3 "$BENCH_DIR/scenarios/openai-task/scenario.py" setup --repo "$oa_dir/repo" --home "$oa_dir/home" \
        --agent "$agent" --port "$(cat "$oa_dir/port")"; then
      oa_ready=1
      oa_url="http://127.0.0.1:$(cat "$oa_dir/port")"
    else
      notes+=("openai-task: the repository could not be prepared (scenario.py setup failed); the scenario is skipped")
    fi
  fi

  # 4c. search: the generated 50,000-file tree (a git repository), ripgrep, and a check that our tools and rg agree.
  local sr_dir="$WORK/search" sr_ready=0 sr_tree="$WORK/search/tree"
  local sr_glob='*.ts' sr_literal='fetchUserProfile' sr_regex='handle[A-Z]\w*Event\('
  if want search; then
    mkdir -p "$sr_dir"
    if ! command -v rg >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "ripgrep missing; installing it with apt-get"
      { apt-get install -y -qq ripgrep || { apt-get update -qq && apt-get install -y -qq ripgrep; }; } >/dev/null 2>&1 || true
    fi
    if ! command -v rg >/dev/null; then
      notes+=("search: ripgrep (rg) is not installed; the scenario is skipped")
    else
      log "search: generating a 50,000-file tree (a git repository) in $sr_tree"
      if python3 "$BENCH_DIR/scenarios/search/scenario.py" setup --tree "$sr_tree" >"$sr_dir/tree.json" 2>"$sr_dir/setup.log"; then
        log "search: $(cat "$sr_dir/tree.json"); checking that our glob/grep and rg agree"
        if python3 "$BENCH_DIR/scenarios/search/scenario.py" verify --tree "$sr_tree" --agent "$agent" --home "$home0" \
            --glob "$sr_glob" --literal "$sr_literal" --regex "$sr_regex" --export "$sr_dir/verify.json" >&2; then
          sr_ready=1
        else
          notes+=("search: our tools and rg disagree on the tree (see $sr_dir/verify.json); the scenario is not timed")
        fi
      else
        cat "$sr_dir/setup.log" >&2
        notes+=("search: the tree could not be generated (scenario.py setup failed); the scenario is skipped")
      fi
    fi
  fi

  # 5. Commands. `env VAR=… program` so every command, the reference included, starts the same way with no shell.
  local names=() commands=()
  add() { names+=("$1"); commands+=("$(printf '%q ' env "AGENT_HOME=$2" "${@:3}")"); }
  add "hello-world" "$home0" "$hello"
  add "agent --version" "$home0" "$agent" --version
  if want core; then
  add "agent --help" "$home0" "$agent" --help
  add "agent plugin list (0 plugins)" "$home0" "$agent" plugin list
  [[ $installed -eq 20 ]] && add "agent plugin list (20 plugins)" "$home20" "$agent" plugin list
  add "agent run (6-step tool task)" "$task_home" "$agent" run "Describe this project" --plugin scripted --plugin files \
    --model "scripted/$task_script" --root "$task_root" --output final
  add "agent run (answer only)" "$task_home" "$agent" run "Describe this project" --plugin scripted --plugin files \
    --model "scripted/$BENCH_DIR/scenarios/answer-only.yaml" --root "$task_root" --output final
  fi
  [[ $oa_ready -eq 1 ]] && add "$oa_name" "$oa_dir/home" "$agent" run "$oa_prompt" --model local/bench-model \
    --plugin files --plugin shell --root "$oa_dir/repo" --output final
  if [[ $sr_ready -eq 1 ]]; then
    # Names are bench/lib/searchreport.py's NAMES. rg and git grep get the tree as an argument (-C), like --root.
    add "search: rg --files" "$home0" rg --files "$sr_tree"
    add "search: rg --files -g '$sr_glob'" "$home0" rg --files -g "$sr_glob" "$sr_tree"
    add "search: agent tool run glob '**/$sr_glob'" "$home0" "$agent" tool run glob --args "{\"pattern\": \"**/$sr_glob\"}" \
      --plugin files --root "$sr_tree"
    add "search: rg $sr_literal" "$home0" rg "$sr_literal" "$sr_tree"
    add "search: git grep $sr_literal" "$home0" git -C "$sr_tree" grep "$sr_literal"
    add "search: agent tool run grep $sr_literal" "$home0" "$agent" tool run grep --args "{\"pattern\": \"$sr_literal\"}" \
      --plugin files --root "$sr_tree"
    add "search: rg '$sr_regex'" "$home0" rg "$sr_regex" "$sr_tree"
    add "search: git grep -E '$sr_regex'" "$home0" git -C "$sr_tree" grep -E "$sr_regex"
    add "search: agent tool run grep '$sr_regex'" "$home0" "$agent" tool run grep \
      --args "$(python3 -c 'import json,sys; print(json.dumps({"pattern": sys.argv[1]}))' "$sr_regex")" --plugin files --root "$sr_tree"
  fi

  # Each command must succeed once before it is timed.
  local keep_names=() keep_commands=()
  for idx in "${!names[@]}"; do
    if (cd "$cwd" && eval "${commands[$idx]}") >"$WORK/check-$idx.out" 2>&1; then
      local answer="$task_answer"
      [[ ${names[$idx]} == "$oa_name" ]] && answer="$oa_answer"
      if [[ ${names[$idx]} == "agent run ("* ]] && ! grep -qF "$answer" "$WORK/check-$idx.out"; then
        log "'${names[$idx]}' did not print the scripted final answer; not timed:"
        sed 's/^/    /' "$WORK/check-$idx.out" >&2
        notes+=("'${names[$idx]}' did not print the scripted final answer and was not timed")
        continue
      fi
      keep_names+=("${names[$idx]}"); keep_commands+=("${commands[$idx]}")
    else
      log "'${names[$idx]}' failed; not timed:"
      sed 's/^/    /' "$WORK/check-$idx.out" >&2
      notes+=("'${names[$idx]}' exited non-zero and was not timed")
    fi
  done
  if [[ $installed -eq 20 ]] && ! grep -q 'bench-echo-01' "$WORK/check-4.out" 2>/dev/null; then
    notes+=("'agent plugin list' did not list the installed plugins, so the 20-plugin figure may not include loading them")
  fi

  local timer
  if [[ $USE_HYPERFINE -eq 1 ]] && ! command -v hyperfine >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "hyperfine missing; installing it with apt-get"
    { apt-get install -y -qq hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }; } >/dev/null 2>&1 || true
  fi
  # Timed in ROUNDS rounds (runs split between them, command order rotated each round) so a burst of load from
  # elsewhere on the machine does not land on one command only; the report takes the median of all runs.
  local per_round=$(( (RUNS + ROUNDS - 1) / ROUNDS )) timing_files=() round
  local count=${#keep_names[@]}
  if [[ $USE_HYPERFINE -eq 1 ]] && command -v hyperfine >/dev/null; then
    timer="$(hyperfine --version)"
  else
    timer="fallback (bench/lib/benchlib.py measure)"
    notes+=("hyperfine was not available; timed with the built-in fallback loop")
  fi
  log "timing with $timer: $ROUNDS round(s) of --warmup $WARMUP --runs $per_round"
  for ((round = 0; round < ROUNDS; round++)); do
    local order=() k
    for ((k = 0; k < count; k++)); do order+=($(( (k + round) % count ))); done
    local file="$WORK/timings-$round.json"
    timing_files+=("$file")
    if [[ $timer == hyperfine* ]]; then
      local hf_args=()
      if [[ "$(hyperfine --help 2>&1)" == *--shell=none* ]]; then hf_args+=(-N); else hf_args+=(--shell bash); fi
      for idx in "${order[@]}"; do hf_args+=(-n "${keep_names[$idx]}" "${keep_commands[$idx]}"); done
      (cd "$cwd" && hyperfine --warmup "$WARMUP" --runs "$per_round" --style basic --export-json "$file" "${hf_args[@]}")
    else
      local pairs=()
      for idx in "${order[@]}"; do pairs+=("${keep_names[$idx]}" "${keep_commands[$idx]}"); done
      (cd "$cwd" && python3 "$LIB" measure --warmup "$WARMUP" --runs "$per_round" --export "$file" "${pairs[@]}")
    fi
  done
  local timings="$WORK/timings.json"
  python3 "$LIB" merge --out "$timings" "${timing_files[@]}"
  cp "$timings" "$RESULTS/latest-timings.json"

  # 5b. search in process: SearchToolBenchmarks (BenchmarkDotNet, short job, in-process toolchain) on the same tree,
  #     with the files plugin of the published agent.
  local sr_bdn="$WORK/search/bdn"
  if [[ $sr_ready -eq 1 ]]; then
    log "search: building bench/AgentHost.Benchmarks (Release) and timing glob/grep in process"
    if dotnet build "$BENCH_DIR/AgentHost.Benchmarks" -c Release --disable-build-servers --artifacts-path "$WORK/build" \
        -o "$WORK/benchmarks" >"$WORK/build-benchmarks.log" 2>&1; then
      (cd "$WORK/benchmarks" && AGENT_BENCH_SEARCH_TREE="$sr_tree" AGENT_BENCH_CATALOG="$WORK/agent/catalog" \
        dotnet AgentHost.Benchmarks.dll --filter '*SearchToolBenchmarks*' --job short --inProcess --exporters json \
        --artifacts "$sr_bdn" >"$WORK/search/bdn.log" 2>&1) || {
        tail -n 30 "$WORK/search/bdn.log" >&2
        notes+=("search: the in-process run (SearchToolBenchmarks) failed; see the log above")
      }
      grep -E '^\|' "$WORK/search/bdn.log" >&2 || true
    else
      grep -m 5 'error ' "$WORK/build-benchmarks.log" >&2 || tail -n 20 "$WORK/build-benchmarks.log" >&2
      notes+=("search: bench/AgentHost.Benchmarks does not build; no in-process figures")
    fi
  fi

  # 5c. search on issue #25's tree shapes (committed, untracked, no git, deep, wide, large, binary): whole process against
  #     rg in the same hyperfine rounds (shapes.py), then SearchToolBenchmarks in process on each shape.
  local sh_dir="$WORK/search-shapes" sh_bdn="$WORK/search-shapes/bdn"
  if [[ $sr_ready -eq 1 ]]; then
    log "search: the tree shapes of issue #25 (about 70 s to generate, then timed against rg)"
    if python3 "$BENCH_DIR/scenarios/search/shapes.py" --agent "$agent" --work "$sh_dir" >"$WORK/search/shapes.log" 2>&1; then
      if [[ -d $WORK/benchmarks ]]; then
        (cd "$WORK/benchmarks" && AGENT_BENCH_SEARCH_SHAPES="$sh_dir/bdn-shapes.json" AGENT_BENCH_CATALOG="$WORK/agent/catalog" \
          dotnet AgentHost.Benchmarks.dll --filter '*SearchToolBenchmarks*' --job short --inProcess --exporters json \
          --artifacts "$sh_bdn" >"$WORK/search/shapes-bdn.log" 2>&1) || notes+=("search shapes: the in-process run failed (see $WORK/search/shapes-bdn.log)")
      fi
    else
      tail -n 20 "$WORK/search/shapes.log" >&2
      notes+=("search shapes: shapes.py failed; see the log above")
    fi
  fi

  # 6. Peak RSS (median of max RSS over RSS_RUNS runs, commands interleaved) of the task and its two references.
  local rss="$WORK/rss.json" rss_args=()
  if [[ $RSS_RUNS -gt 0 ]]; then
    if ! /usr/bin/time --version 2>&1 | grep -q GNU && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "GNU time missing; installing it with apt-get (package 'time')"
      { apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null 2>&1 || true
    fi
    local rss_pairs=()
    for idx in "${!keep_names[@]}"; do
      case "${keep_names[$idx]}" in
        "hello-world"|"agent --version"|"agent run (6-step tool task)"|"$oa_name") rss_pairs+=("${keep_names[$idx]}" "${keep_commands[$idx]}") ;;
      esac
    done
    if [[ ${#rss_pairs[@]} -gt 0 ]]; then
      log "measuring peak RSS: $RSS_RUNS run(s) per command"
      (cd "$cwd" && python3 "$LIB" rss --runs "$RSS_RUNS" --export "$rss" "${rss_pairs[@]}")
      rss_args=(--rss "$rss")
    fi
  fi

  # 7. openai-task: process start -> first model request over PROBE_RUNS verified runs, then the server's totals over
  #    every run of the scenario (check, warm-ups, timed and RSS runs included) must show that all of them finished
  #    the script; otherwise the report withholds the scenario's figures.
  local oa_args=()
  local oa_index
  for oa_index in "${!keep_names[@]}"; do
    [[ ${keep_names[$oa_index]} == "$oa_name" ]] || continue
    log "openai-task: $PROBE_RUNS verified run(s) for process start -> first model request"
    (cd "$cwd" && python3 "$BENCH_DIR/scenarios/openai-task/scenario.py" probe --command "${keep_commands[$oa_index]}" \
      --repo "$oa_dir/repo" --server "$oa_url" --first-request-file "$oa_dir/first-request.json" \
      --answer "$oa_answer" --runs "$PROBE_RUNS" --export "$WORK/openai-task.json") || true
    [[ -s $WORK/openai-task.json ]] && oa_args=(--openai "$WORK/openai-task.json")
  done
  if [[ $oa_ready -eq 1 && ${#oa_args[@]} -eq 0 ]]; then
    notes+=("openai-task: no verified figures (see the log above)")
  fi

  local meta="$WORK/meta.json"
  local notes_json="[]"
  if [[ ${#notes[@]} -gt 0 ]]; then notes_json="$(printf '%s\n' "${notes[@]}" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))')"; fi
  DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" TIMER="$timer" R2R="$r2r" AGENT_R2R="$agent_r2r" PLUGIN_R2R="$plugin_r2r" RUNS="$RUNS" WARMUP="$WARMUP" ROUNDS="$ROUNDS" \
  RSS_RUNS="$RSS_RUNS" PROBE_RUNS="$PROBE_RUNS" ONLY="$ONLY" \
  NOTES="$notes_json" COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  DIRTY="$([[ -n "$(git -C "$REPO" status --porcelain 2>/dev/null || true)" ]] && echo true || echo false)" \
  DOTNET_RUNTIME="$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')" \
  DOTNET_SDK="$(dotnet --version)" CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)" \
  python3 - "$meta" <<'PY'
import json, os, platform, sys
meta = {
    "date": os.environ["DATE"],
    "commit": os.environ["COMMIT"],
    "worktree_dirty": os.environ["DIRTY"] == "true",
    "machine": {"cores": os.cpu_count(), "cpu": os.environ.get("CPU") or platform.processor(), "os": platform.platform(),
                "load_average_1m_after_timing": round(os.getloadavg()[0], 2)},
    "dotnet": {"sdk": os.environ["DOTNET_SDK"], "runtime": os.environ["DOTNET_RUNTIME"]},
    "publish": {"ready_to_run": os.environ["R2R"] == "true", "agent_dll_has_r2r_code": os.environ["AGENT_R2R"],
                "openai_plugin_dll_has_r2r_code": os.environ["PLUGIN_R2R"],
                "flags": "-c Release -r linux-x64 --self-contained" + (" -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true" if os.environ["R2R"] == "true" else "")},
    "timer": os.environ["TIMER"],
    "warmup": int(os.environ["WARMUP"]),
    "runs": int(os.environ["RUNS"]),
    "rounds": int(os.environ["ROUNDS"]),
    "rss_runs": int(os.environ["RSS_RUNS"]),
    "probe_runs": int(os.environ["PROBE_RUNS"]),
    "only": os.environ["ONLY"] or None,
    "notes": json.loads(os.environ["NOTES"]),
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(meta, f, indent=2)
PY
  python3 "$LIB" report --timings "$timings" --meta "$meta" "${rss_args[@]}" "${oa_args[@]}" --out "$RESULTS/latest.json"
  # 7b. ollama-task: its own verified runs (the scenario runs its fake Ollama and checks every run), merged into latest.json.
  if want ollama-task; then
    log "ollama-task: $PROBE_RUNS verified run(s) through the ollama provider plugin against a fake Ollama"
    if (cd "$cwd" && python3 "$BENCH_DIR/scenarios/ollama-task/scenario.py" --agent "$agent" --runs "$PROBE_RUNS" \
        --export "$WORK/ollama-task.json"); then
      python3 - "$WORK/ollama-task.json" "$RESULTS/latest.json" <<'PY'
import json, sys
summary = next(iter(json.load(open(sys.argv[1], encoding="utf-8"))["summary"].values()))
with open(sys.argv[2], encoding="utf-8") as f:
    latest = json.load(f)
latest["ollama_task"] = summary
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(latest, f, indent=2)
PY
    else
      log "ollama-task: no verified figures (see the log above)"
    fi
  fi
  # 7c. server-load: agent serve under 1, 100 and 1,000 sessions per store (the scenario checks every run), merged into latest.json.
  if want server-load; then
    log "server-load: agent serve with the scripted model under 1, 100 and 1,000 sessions, SQLite and PostgreSQL"
    if (cd "$cwd" && python3 "$BENCH_DIR/scenarios/server-load/scenario.py" --agent "$agent" --export "$WORK/server-load.json"); then
      python3 - "$WORK/server-load.json" "$RESULTS/latest.json" <<'PY'
import json, sys
with open(sys.argv[2], encoding="utf-8") as f:
    latest = json.load(f)
latest["server_load"] = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(latest, f, indent=2)
PY
    else
      log "server-load: no figures (see the log above)"
    fi
  fi
  # 7c'. cluster-load: one cluster node against three, then failover after SIGKILL (the scenario checks every run), merged into latest.json.
  if want cluster-load; then
    log "cluster-load: agent serve --cluster, one node against three on one PostgreSQL; failover after SIGKILL of a node"
    if (cd "$cwd" && python3 "$BENCH_DIR/scenarios/cluster-load/scenario.py" --agent "$agent" --export "$WORK/cluster-load.json"); then
      python3 - "$WORK/cluster-load.json" "$RESULTS/latest.json" <<'PY'
import json, sys
with open(sys.argv[2], encoding="utf-8") as f:
    latest = json.load(f)
latest["cluster_load"] = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(latest, f, indent=2)
PY
    else
      log "cluster-load: no figures (see the log above)"
    fi
  fi
  # 7d. sandbox: the shell's cost per command in bubblewrap against --sandbox off, and the questions sandbox.auto_allow
  #     saves in a 20-command task (the scenario checks every call ran as labelled), merged into latest.json.
  if want sandbox; then
    if command -v bwrap >/dev/null; then
      log "sandbox: 50 shell calls per run in bubblewrap against --sandbox off; bwrap outside the host; a 20-command task's questions"
      if (cd "$cwd" && python3 "$BENCH_DIR/scenarios/sandbox/scenario.py" --agent "$agent" --export "$WORK/sandbox.json" >/dev/null); then
        python3 - "$WORK/sandbox.json" "$RESULTS/latest.json" <<'PY'
import json, sys
with open(sys.argv[2], encoding="utf-8") as f:
    latest = json.load(f)
latest["sandbox"] = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(latest, f, indent=2)
PY
      else
        log "sandbox: no figures (see the log above)"
      fi
    else
      log "sandbox: bwrap is not on PATH (install the bubblewrap package); skipped"
    fi
  fi
  if want search && [[ -s $WORK/search/tree.json ]]; then
    local shape_args=()
    [[ -s $sh_dir/shapes.json ]] && shape_args=(--shapes "$sh_dir/shapes.json" --shapes-bdn "$sh_bdn")
    python3 "$BENCH_DIR/lib/searchreport.py" --timings "$timings" --verify "$WORK/search/verify.json" --bdn "$sr_bdn" \
      --tree-summary "$WORK/search/tree.json" --latest "$RESULTS/latest.json" "${shape_args[@]}"
  fi
  if [[ $KEEP -eq 1 ]]; then log "work folder kept: $WORK"; fi
}

case "$MODE" in
  whole) run_whole ;;
  micro) run_micro ;;
  all) run_whole; run_micro ;;
esac
exit 0
