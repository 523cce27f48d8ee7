#!/usr/bin/env bash
# Regenerates the release build's ReadyToRun profile, src/AgentHost.Cli/Profile/agent.mibc
# (docs/decisions/0001-release-build-readytorun-composite.md).
#
#   bench/pgo/regenerate.sh [--agent DIR] [--runs N] [--out FILE] [--plugins-out FILE] [--keep]
#
#   --agent DIR   a release build published WITHOUT the profiles (-p:AgentReadyToRunProfile=none
#                 -p:AgentPluginCrossgen2ExtraArgs=none); default: publish one from this tree into a temporary folder
#                 (~5 min)
#   --runs N      census runs per task (default 3; the methods of every run are merged)
#   --out FILE    where to write the profile (default src/AgentHost.Cli/Profile/agent.mibc)
#   --plugins-out FILE  where to write the bundled plugins' profile (default src/AgentHost.Cli/Profile/plugins.mibc)
#                 (a .mibc is a zip whose entry is named after the file: a profile written elsewhere and copied into
#                 Profile/ keeps its old entry name, which ReadyToRunProfileTests/PluginReadyToRunTests reject)
#   --keep        keep the work folder (censuses, build) and print its path
#
# What it does: runs the benchmark's two tasks (bench/README.md) on a build without the profile with the runtime's
# JIT census on (DOTNET_JitStdOutFile + DOTNET_JitDisasmSummary=1: every method the JIT compiled), then
# bench/Census2Mibc turns the lists into a .mibc that crossgen2 reads (--mibc, through the PublishReadyToRunPgoFiles
# item of src/AgentHost.Cli/ReadyToRunProfile.targets):
#   1. the scripted 6-step task (--plugin scripted --plugin files on a copy of examples/quickstart);
#   2. the openai task (bench/lib/openai_fake_server.py on 127.0.0.1, a generated 2,000-file repository,
#      --plugin files --plugin shell);
#   3. a Responses API task (bench/pgo/responses_fake_server.py: the API the openai plugin speaks to OpenAI's reasoning
#      models, a streamed reasoning item, text and a glob call, then the answer; the default plugins) with a small_model
#      that titles the session through a non-streamed Chat Completions request;
#   4. `agent run hi` with 20 installed Claude Code plugins of the official marketplaces' shapes
#      (bench/scenarios/many-plugins/generate.py: skills, commands, agents, hooks, MCP servers, async SessionStart
#      hooks), so that loading installed plugins and running their hooks is precompiled too (#50);
# each N times as published (the census lists what the image lacks: methods to add), and once more, like
# `agent --version`, `agent --help` and `agent plugin list`, with DOTNET_ReadyToRun=0 (the census then lists every
# method the run executed: the hot part of the image's layout, --method-layout:hotcold).
# The census of a build WITH the profile lacks what the profile already added, so always start from one without it.
#
# The same censuses also give the bundled plugins' profile (Profile/plugins.mibc, "#25: provider-path JIT, fourth
# pass"): the methods of the task runs that involve a plugin's own assemblies (the plugin and the libraries it alone
# ships, e.g. OpenAI.dll and System.ClientModel.dll; not the assemblies the host shares with plugins), above all
# framework generics over their types (List<T>, async state machine boxes, ArrayPool<T> ...). Each goes into a group
# named after the one assembly whose image gets it (Census2Mibc --only). Its censuses come from plugins compiled as
# before (no cross-module code), which JIT-compile every such instantiation: a build with cross-module code but no
# profile lists only those crossgen2 does not find itself, and a path a run takes only now and then may be missed. With the task runs' DOTNET_ReadyToRun=0
# censuses (every plugin method the runs executed) and --hot, it also gives the plugins' images their hot/cold layout.
# The openai plugin's images are partial (AgentPartialImagePlugin in src/AgentHost.Cli/AgentHost.Cli.csproj): only the
# methods this profile names are precompiled, so a provider path none of the runs above takes is JIT-compiled at run
# time; when the plugin gains one (another API, another request shape), add a run for it here.
#
# Why not dotnet-pgo: the runtime's own profile tool (src/coreclr/tools/dotnet-pgo in the dotnet/runtime repository)
# is not published on NuGet and needs the runtime's ILCompiler type system sources to build; the JIT census names
# exactly the methods the image lacks, which is all this profile is for. Census2Mibc writes the same file format
# (crossgen2's MIbcProfileParser) with System.Reflection.Metadata.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
AGENT_DIR='' RUNS=3 OUT="$REPO/src/AgentHost.Cli/Profile/agent.mibc" PLUGINS_OUT="$REPO/src/AgentHost.Cli/Profile/plugins.mibc" KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --agent) AGENT_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --plugins-out) PLUGINS_OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: bench/pgo/regenerate.sh [--agent DIR] [--runs N] [--out FILE] [--plugins-out FILE] [--keep]" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agent-pgo.XXXXXX")"
SERVER_PID='' RESPONSES_PID='' HI_PID=''
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -n $HI_PID ]]; then kill "$HI_PID" 2>/dev/null || true; fi
  if [[ -n $RESPONSES_PID ]]; then kill "$RESPONSES_PID" 2>/dev/null || true; fi
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; else echo "work folder: $WORK" >&2; fi
}
trap cleanup EXIT
log() { printf '==> %s\n' "$*" >&2; }

if [[ -z $AGENT_DIR ]]; then
  log "publishing the release build without the profile (as bench/run.sh does, plus -p:AgentReadyToRunProfile=none)"
  rm -rf "$REPO"/plugins/*/obj/Release/linux-x64/R2R
  dotnet publish "$REPO/src/AgentHost.Cli" -c Release -r linux-x64 --self-contained --disable-build-servers \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:AgentReadyToRunProfile=none -p:AgentPluginCrossgen2ExtraArgs=none \
    --artifacts-path "$WORK/build" -o "$WORK/agent" >"$WORK/publish.log" 2>&1 \
    || { tail -n 30 "$WORK/publish.log" >&2; exit 1; }
  AGENT_DIR="$WORK/agent"
fi
AGENT="$AGENT_DIR/agent"

log "building bench/Census2Mibc"
dotnet build "$REPO/bench/Census2Mibc" -c Release -o "$WORK/tool" >"$WORK/tool.log" 2>&1 \
  || { tail -n 30 "$WORK/tool.log" >&2; exit 1; }

census=()
task_census=()  # the task runs: what the plugins' images lack (as published) and what the runs executed (=0)
# run_census NAME COMMAND…: runs COMMAND with the JIT census on (into jit-NAME.txt); fails if the command fails.
# A run killed by a signal is run again (up to 3 times): with the census on and DOTNET_ReadyToRun=0 the runtime
# sometimes aborts at exit ("free(): corrupted unsorted chunks", about 1 run in 3 of `agent plugin list`; never without
# the census) -- its JIT stdout file is closed at shutdown while a thread still writes to it. A diagnostic-only race;
# the census of such a run may be cut short, so it is not used.
run_census() {
  local name="$1"; shift
  local file="$WORK/jit-$name.txt" status attempt
  for attempt in 1 2 3; do
    status=0
    rm -f "$file"
    (export DOTNET_JitStdOutFile="$file" DOTNET_JitDisasmSummary=1; "$@") >"$WORK/out-$name.txt" 2>&1 || status=$?
    [[ $status -eq 0 ]] && break
    if [[ $status -gt 128 && $attempt -lt 3 ]]; then
      log "census run $name died of signal $((status - 128)) (attempt $attempt); running it again"
      continue
    fi
    cat "$WORK/out-$name.txt" >&2; exit 1
  done
  census+=("$file")
}

log "agent --version, --help, plugin list (every method executed)"
mkdir -p "$WORK/home-commands"
run_census "version-all" env AGENT_HOME="$WORK/home-commands" DOTNET_ReadyToRun=0 "$AGENT" --version
run_census "help-all" env AGENT_HOME="$WORK/home-commands" DOTNET_ReadyToRun=0 "$AGENT" --help
run_census "plugin-list-all" env AGENT_HOME="$WORK/home-commands" DOTNET_ReadyToRun=0 "$AGENT" plugin list

log "scripted 6-step task: $RUNS runs, and one with every method executed"
cp -R "$REPO/examples/quickstart" "$WORK/quickstart"
mkdir -p "$WORK/home-scripted"
scripted() {
  "$@" "$AGENT" run "Describe this project" --plugin scripted --plugin files \
    --model "scripted/$REPO/bench/scenarios/six-step-task.yaml" --root "$WORK/quickstart" --output final
}
for i in $(seq 1 "$RUNS"); do
  run_census "scripted-$i" scripted env AGENT_HOME="$WORK/home-scripted"
  task_census+=("$WORK/jit-scripted-$i.txt")
done
run_census "scripted-all" scripted env AGENT_HOME="$WORK/home-scripted" DOTNET_ReadyToRun=0
task_census+=("$WORK/jit-scripted-all.txt")

log "openai task: $RUNS runs against bench/lib/openai_fake_server.py"
python3 "$REPO/bench/lib/openai_fake_server.py" --script "$REPO/bench/scenarios/openai-task/conversation.json" \
  --port-file "$WORK/port" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
[[ -s $WORK/port ]] || { cat "$WORK/server.out" >&2; exit 1; }
python3 "$REPO/bench/scenarios/openai-task/scenario.py" setup --repo "$WORK/repo" --home "$WORK/home-openai" \
  --agent "$AGENT" --port "$(cat "$WORK/port")" >&2
openai() {
  local status=0
  "$@" "$AGENT" run "Find where MAX_RETRIES is defined, raise it by one and check git status." \
    --model local/bench-model --plugin files --plugin shell --root "$WORK/repo" --output final || status=$?
  git -C "$WORK/repo" checkout -q .
  return "$status"
}
for i in $(seq 1 "$RUNS"); do
  run_census "openai-$i" openai env AGENT_HOME="$WORK/home-openai"
  task_census+=("$WORK/jit-openai-$i.txt")
done
run_census "openai-all" openai env AGENT_HOME="$WORK/home-openai" DOTNET_ReadyToRun=0
task_census+=("$WORK/jit-openai-all.txt")

log "responses task: $RUNS runs against bench/pgo/responses_fake_server.py"
# The openai plugin speaks the Responses API to reasoning models on api.openai.com: a streamed reasoning item, text
# and a function call, then the tool's result and a text answer (its own server; api: responses in the provider).
# A small_model on the same server titles the session with a non-streamed Chat Completions request.
python3 "$REPO/bench/pgo/responses_fake_server.py" --port-file "$WORK/responses-port" >"$WORK/responses-server.out" 2>&1 &
RESPONSES_PID=$!
for _ in $(seq 1 100); do [[ -s $WORK/responses-port ]] && break; sleep 0.1; done
[[ -s $WORK/responses-port ]] || { cat "$WORK/responses-server.out" >&2; exit 1; }
mkdir -p "$WORK/home-responses"
printf 'small_model: small/small-bench\nproviders:\n  resp:\n    type: openai\n    base_url: http://127.0.0.1:%s/v1\n    settings:\n      api: responses\n  small:\n    type: openai\n    base_url: http://127.0.0.1:%s/v1\n    settings:\n      api: chat\n' \
  "$(cat "$WORK/responses-port")" "$(cat "$WORK/responses-port")" >"$WORK/home-responses/config.yaml"
responses() {
  (cd "$WORK/quickstart" && "$@" "$AGENT" run "What does this project contain?" --model resp/gpt-5-bench \
    --allow glob --output final)
}
for i in $(seq 1 "$RUNS"); do
  run_census "responses-$i" responses env AGENT_HOME="$WORK/home-responses" CI=true
  task_census+=("$WORK/jit-responses-$i.txt")
done
run_census "responses-all" responses env AGENT_HOME="$WORK/home-responses" CI=true DOTNET_ReadyToRun=0
task_census+=("$WORK/jit-responses-all.txt")

log "installed plugins: $RUNS runs of 'agent run hi' with 20 Claude Code plugins (bench/scenarios/many-plugins)"
printf '{"model": "bench-model", "turns": [{"expect": {"last_user_contains": "hi"}, "text": "Hello."}]}\n' >"$WORK/hi.json"
python3 "$REPO/bench/lib/openai_fake_server.py" --script "$WORK/hi.json" --port 0 --port-file "$WORK/hi-port" >"$WORK/hi-server.out" 2>&1 &
HI_PID=$!
for _ in $(seq 1 100); do [[ -s $WORK/hi-port ]] && break; sleep 0.1; done
[[ -s $WORK/hi-port ]] || { cat "$WORK/hi-server.out" >&2; exit 1; }
mkdir -p "$WORK/home-plugins" "$WORK/project-plugins"
printf 'providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:%s/v1\n    api_key: bench\n' "$(cat "$WORK/hi-port")" \
  >"$WORK/home-plugins/config.yaml"
python3 -c 'import sys, pathlib; sys.path.insert(0, sys.argv[1]); import generate; print("\n".join(str(f) for f in generate.generate(pathlib.Path(sys.argv[2]), 20)))' \
  "$REPO/bench/scenarios/many-plugins" "$WORK/plugin-sources" >"$WORK/plugin-folders.txt"
while read -r folder; do
  (cd "$WORK/project-plugins" && AGENT_HOME="$WORK/home-plugins" CI=true "$AGENT" plugin install "$folder" --yes >/dev/null) \
    || { echo "installing $folder failed" >&2; exit 1; }
done <"$WORK/plugin-folders.txt"
plugins_run() {
  (cd "$WORK/project-plugins" && "$@" "$AGENT" run hi --model local/bench-model --output final)
}
run_census "plugins-warmup" plugins_run env AGENT_HOME="$WORK/home-plugins" CI=true OPENAI_API_KEY=   # records the servers that never start
for i in $(seq 1 "$RUNS"); do
  run_census "plugins-$i" plugins_run env AGENT_HOME="$WORK/home-plugins" CI=true OPENAI_API_KEY=
  task_census+=("$WORK/jit-plugins-$i.txt")
done
run_census "plugins-all" plugins_run env AGENT_HOME="$WORK/home-plugins" CI=true OPENAI_API_KEY= DOTNET_ReadyToRun=0
task_census+=("$WORK/jit-plugins-all.txt")

log "writing $OUT"
mkdir -p "$(dirname "$OUT")"
# --hot: every method gets a weight (all of them were executed), which --method-layout:hotcold places first.
dotnet "$WORK/tool/Census2Mibc.dll" --hot --out "$OUT" --assemblies "$AGENT_DIR" "${census[@]}"
ls -l "$OUT" >&2

log "writing $PLUGINS_OUT"
# A plugin's own assemblies: those in catalog/<plugin>/ that the host does not ship itself (the host's copy of a
# shared assembly, e.g. the SDK's dependencies, is the one plugins load).
only=()
for dll in "$AGENT_DIR"/catalog/*/*.dll; do
  name="$(basename "$dll" .dll)"
  [[ -e $AGENT_DIR/$name.dll ]] || only+=(--only "$name")
done
mkdir -p "$(dirname "$PLUGINS_OUT")"
dotnet "$WORK/tool/Census2Mibc.dll" --hot --out "$PLUGINS_OUT" --assemblies "$AGENT_DIR" "${only[@]}" "${task_census[@]}"
ls -l "$PLUGINS_OUT" >&2
