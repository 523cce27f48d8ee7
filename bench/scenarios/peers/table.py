#!/usr/bin/env python3
"""Issue #25's peer table, re-measured with one harness: agent builds, Claude Code and opencode (stdlib only).

  table.py [--agent-build LABEL=DIR]... [--claude PATH] [--opencode PATH] [--opencode-state DIR] [--runs 10]
           [--rounds 5] [--only version,hi,task] [--products LABEL,...] [--lock FILE] [--sample-ms 10]
           [--export FILE] [--keep]

  e.g. on a merged build (one command, ~8 minutes of timing in 5 locked rounds on a busy 2-core machine):
  table.py --agent-build before=/work/bench-base/agent --agent-build merged=DIR --lock /work/wt/bench.lock

Never part of CI, and nothing here installs a peer: `npm install --prefix /tmp/peers @anthropic-ai/claude-code
opencode-ai` (defaults: /tmp/peers/node_modules/.bin/{claude,opencode}; a missing peer is left out with a note).
Default builds (when no --agent-build is given): before = /work/bench-base/agent (f0602dd), current = the cached
build of dc1545c under ~/.cache/agent-bench/ (when its `ok` file exists). A DIR is a published folder holding `agent`.

Rows (each product with its own headless command, against a scripted model server on 127.0.0.1):
  version  `--version`
  hi       "say hi": one prompt, one streamed text answer (`agent run`, `claude -p`, `opencode run`)
  task     a 6-step tool task over a small committed fixture repository (60 files): the server scripts six tool
           calls in each product's own tool names and arguments (glob the Python files, grep MAX_RETRIES, read
           src/config.py, list src, read a module, grep the tests), then the final answer
  first    start -> first model request: time.monotonic_ns() just before the process is started, against the time the
           server received the conversation's first request (CLOCK_MONOTONIC is system-wide); taken in the "say hi"
           runs (the 6-step task's are in the JSON too)

Model servers (separate processes): bench/lib/openai_fake_server.py (OpenAI chat completions, streamed) for agent
(providers `hi` and `task` of type openai, one per server, in its AGENT_HOME's config.yaml) and opencode (the same
two as @ai-sdk/openai-compatible providers in its global config under --opencode-state; its small model, which
titles sessions, points at a third server so that side request neither counts nor fails an expectation;
@opencode-ai/plugin is npm-installed once into that state's configuration folder, or every start would resolve it
against the npm registry); bench/lib/anthropic_fake_server.py (Anthropic
Messages, streamed) for Claude Code (ANTHROPIC_BASE_URL). Every timed run is verified: exit code 0, the final answer
on stdout, and on the server exactly one more conversation started and completed and no failed expectation (for the
task: the 6 tool results came back with the ids and names sent, each matching its expected content). One untimed
warm-up per product and row (first-run set-up: caches, databases).

Interleaving: --rounds rounds; in each round every product runs each row runs/rounds times, one run at a time, the
product order rotated every round and reversed on alternate passes (so load from elsewhere falls on all alike); with
--lock each round holds flock on FILE. Medians over all runs. CPU time per run (user + sys of the process and the
children it waited for, os.wait4) is reported too: far less sensitive to the machine's load than wall time.

Memory: peak RSS of the whole process tree. A sampler thread reads /proc/PID/task/*/children from the root down and
sums /proc/PID/statm's resident pages over the tree every 10 ms while the process runs; the figure is the larger of
that sampled peak and the root's own ru_maxrss from os.wait4 (exact for a single process, covers peaks shorter than
the interval). A child that has not exec'd yet (the same address-space layout as its parent) is not counted twice.
No cgroups. Processes that re-parent away from the tree (daemonise) are not counted; the tree's
process count is recorded.

Writes a markdown table to stdout and everything (samples included) to --export (default
bench/results/peers-table.json; bench/results/ is git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent
sys.path.insert(0, str(BENCH / "lib"))
from procmem import tree_rss  # noqa: E402  (bench/lib)
OPENAI_FAKE = BENCH / "lib" / "openai_fake_server.py"
ANTHROPIC_FAKE = BENCH / "lib" / "anthropic_fake_server.py"
BEFORE_DEFAULT = "/work/bench-base/agent"
CURRENT_SHA = "dc1545cf9b1e196ff5fb80397556796e2744e707"

HI_PROMPT = "say hi"
HI_ANSWER = "hi there, this is the answer"
TASK_PROMPT = "Where is MAX_RETRIES defined and who reads it? Use the tools."
TASK_ANSWER = "MAX_RETRIES is 3, defined in src/config.py and read by three modules."
ROWS = ("version", "hi", "task")
ISSUE = {  # the issue's figures (s, MB)
    "agent": {"version": (0.03, 32), "hi": (0.23, 92), "task": (0.33, 100), "first": 0.21},
    "claude": {"version": (0.09, 226), "hi": (0.55, 311), "task": (0.76, 310), "first": 0.50},
    "opencode": {"version": (0.55, 191), "hi": (3.18, 519), "task": (3.82, 608), "first": 1.93},
}
ROW_NAMES = {"version": "`--version`", "hi": "say hi", "task": "6-step tool task", "first": "start → first model request"}


def log(message: str) -> None:
    print(f"table: {message}", file=sys.stderr, flush=True)


# --- the fixture repository and the scripts -------------------------------------------------------------------------

USERS = {(1, 3), (2, 7), (3, 1)}  # modules that read MAX_RETRIES


def write_fixture(repo: Path) -> None:
    files = {
        "README.md": "# records\n\nRecord handlers. Settings are in `src/config.py`.\n",
        "pyproject.toml": '[project]\nname = "records"\nversion = "0.1.0"\n',
        ".gitignore": "__pycache__/\n",
        "src/__init__.py": "",
        "src/config.py": '"""Service-wide settings."""\n\nMAX_RETRIES = 3\nRETRY_BACKOFF_SECONDS = 0.5\nLOG_LEVEL = "info"\n',
    }
    for p in range(4):
        files[f"src/pkg{p:02d}/__init__.py"] = f'"""Package {p:02d}."""\n'
        for m in range(10):
            uses = (p, m) in USERS
            body = [f'"""Package {p:02d}, module {m:03d}."""', ""]
            body += ["from src.config import MAX_RETRIES", ""] if uses else []
            body += [f"class Handler{p:02d}{m:03d}:", "    def handle(self, store, record):"]
            body += (["        for attempt in range(MAX_RETRIES):", "            if store.put(record):", "                return True",
                      "        return False"] if uses else ["        return store.put(record)"])
            files[f"src/pkg{p:02d}/mod{m:03d}.py"] = "\n".join(body) + "\n"
    for t in range(8):
        files[f"tests/test_mod{t:03d}.py"] = f"def test_handler_{t}():\n    assert True\n"
    for d in range(3):
        files[f"docs/note-{d}.md"] = f"# Note {d}\n\nDesign notes.\n"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "records"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def task_script(product: str, repo: Path) -> dict:
    """The 6-step conversation in the product's own tool names and arguments; expectations on every result."""
    r = str(repo)
    if product == "agent":
        calls = [("glob", {"pattern": "**/*.py"}), ("grep", {"pattern": "MAX_RETRIES", "path": "src"}),
                 ("view", {"path": "src/config.py"}), ("ls", {"path": "src"}),
                 ("view", {"path": "src/pkg01/mod003.py"}), ("grep", {"pattern": "def test_", "path": "tests"})]
    elif product == "claude":
        calls = [("Glob", {"pattern": "**/*.py"}), ("Grep", {"pattern": "MAX_RETRIES", "path": f"{r}/src"}),
                 ("Read", {"file_path": f"{r}/src/config.py"}), ("Glob", {"pattern": "*", "path": f"{r}/src"}),
                 ("Read", {"file_path": f"{r}/src/pkg01/mod003.py"}), ("Grep", {"pattern": "def test_", "path": f"{r}/tests"})]
    else:  # opencode
        calls = [("glob", {"pattern": "**/*.py"}), ("grep", {"pattern": "MAX_RETRIES", "path": f"{r}/src"}),
                 ("read", {"filePath": f"{r}/src/config.py"}), ("glob", {"pattern": "*", "path": f"{r}/src"}),
                 ("read", {"filePath": f"{r}/src/pkg01/mod003.py"}), ("grep", {"pattern": "def test_", "path": f"{r}/tests"})]
    # What each result must contain (every product's result for the call holds it).
    needles = [["src/config.py", "mod009.py"], ["pkg01/mod003.py", "pkg03/mod001.py"], ["RETRY_BACKOFF_SECONDS"],
               ["config.py"], ["from src.config import MAX_RETRIES"], ["test_mod007.py"]]
    texts = ["Listing the Python files.", "Searching for MAX_RETRIES.", "Reading the settings.", "Listing src.",
             "Reading one reader.", "Checking the tests."]
    turns = [{"expect": {"last_user_contains": "MAX_RETRIES", "tools_include": sorted({c[0] for c in calls})},
              "text": texts[0], "tool_calls": [{"name": calls[0][0], "arguments": calls[0][1]}]}]
    for i in range(1, 6):
        turns.append({"expect": {"tool_results_contain": needles[i - 1]}, "text": texts[i],
                      "tool_calls": [{"name": calls[i][0], "arguments": calls[i][1]}]})
    turns.append({"expect": {"tool_results_contain": needles[5]}, "text": TASK_ANSWER})
    return {"model": "bench-model", "turns": turns}


# --- model servers ---------------------------------------------------------------------------------------------------

SERVERS: list["FakeServer"] = []  # every server started, stopped at the end whatever happens
MEASURE_REQUESTS = False  # bench/scenarios/tokens sets it: every server also writes its requests' sizes (sizes.jsonl)


class FakeServer:
    def __init__(self, program: Path, script: dict, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "script.json").write_text(json.dumps(script, indent=1), encoding="utf-8")
        self.first_file = folder / "first-request.json"
        self.sizes_file = folder / "sizes.jsonl"
        measure = ["--requests", str(self.sizes_file)] if MEASURE_REQUESTS else []
        self.process = subprocess.Popen(
            [sys.executable, str(program), "--script", str(folder / "script.json"), "--port-file", str(folder / "port"),
             "--first-request-file", str(self.first_file), "--log", str(folder / "requests.jsonl"), *measure],
            stdout=subprocess.DEVNULL, stderr=open(folder / "server.err", "wb"))
        SERVERS.append(self)
        for _ in range(200):
            if (folder / "port").exists() and (folder / "port").read_text().strip():
                break
            time.sleep(0.05)
        self.port = int((folder / "port").read_text())
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict:
        import urllib.request
        with urllib.request.urlopen(self.url + "/bench/stats", timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


# --- one timed run ---------------------------------------------------------------------------------------------------

SAMPLE_S = 0.010  # --sample-ms


def run_once(argv: list[str], env: dict, cwd: Path, out_dir: Path) -> dict:
    peak, seen, done, cost = [0], {}, threading.Event(), [0, 0]  # cost: samples, ns spent sampling
    with open(out_dir / "out", "wb") as out, open(out_dir / "err", "wb") as err:
        start = time.monotonic_ns()
        # PWD too: opencode takes its project folder from $PWD, not from its working directory.
        process = subprocess.Popen(argv, cwd=cwd, env=dict(env, PWD=str(cwd)), stdin=subprocess.DEVNULL, stdout=out, stderr=err)

        def sample() -> None:
            while not done.is_set():
                t = time.perf_counter_ns()
                peak[0] = max(peak[0], tree_rss(process.pid, seen))
                cost[0] += 1
                cost[1] += time.perf_counter_ns() - t
                done.wait(SAMPLE_S)

        sampler = threading.Thread(target=sample, daemon=True)
        if SAMPLE_S > 0:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        end = time.monotonic_ns()
        done.set()
        if SAMPLE_S > 0:
            sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"start": start, "wall_ms": (end - start) / 1e6, "code": process.returncode,
            "rss_mb": max(peak[0], usage.ru_maxrss * 1024) / 1e6,
            "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,  # the root and every descendant it waited for
            "samples": cost[0], "sampling_ms": cost[1] / 1e6, "root_maxrss_mb": usage.ru_maxrss * 1024 / 1e6,
            "tree_sampled_mb": peak[0] / 1e6, "processes": len(seen), "process_names": sorted(set(seen.values())),
            "stdout": (out_dir / "out").read_text(errors="replace"), "stderr": (out_dir / "err").read_text(errors="replace")}


class Product:
    """One column: a command per row, its environment and its model servers."""

    def __init__(self, label: str, kind: str, work: Path) -> None:
        self.label, self.kind, self.work = label, kind, work
        self.commands: dict[str, list[str]] = {}
        self.servers: dict[str, FakeServer] = {}
        self.env: dict = {}
        self.row_env: dict[str, dict] = {}  # a row's own environment, when it differs (Claude Code's base URL)
        self.version = ""

    def run(self, row: str, cwd: Path) -> dict:
        server = self.servers.get(row)
        before = server.stats() if server else None
        if server:
            server.first_file.unlink(missing_ok=True)
        result = run_once(self.commands[row], self.row_env.get(row, self.env), cwd, self.work)
        problems = []
        if result["code"] != 0:
            problems.append(f"exit code {result['code']}")
        answer = {"version": None, "hi": HI_ANSWER, "task": TASK_ANSWER}[row]
        if answer and answer not in result["stdout"]:
            problems.append(f"the answer '{answer}' is not on stdout")
        if row == "version" and not result["stdout"].strip():
            problems.append("no version printed")
        if server:
            after = server.stats()
            for key, want in (("conversations_started", 1), ("conversations_completed", 1), ("failures", 0)):
                if after[key] - before[key] != want:
                    problems.append(f"server: {key} changed by {after[key] - before[key]}, not {want}"
                                    + (f" ({after['last_failure']})" if key == "failures" and after["last_failure"] else ""))
            if server.first_file.exists():
                first = json.loads(server.first_file.read_text())
                result["first_ms"] = (first["monotonic_ns"] - result["start"]) / 1e6
            else:
                problems.append("the server recorded no first request")
            if row == "task":
                result["tool_results"] = self.tool_results(server)
                if result["tool_results"] != 6:
                    problems.append(f"{result['tool_results']} tool results reached the server, not 6")
        result["problems"] = problems
        if problems:
            result["stdout"], result["stderr"] = result["stdout"][-1500:], result["stderr"][-1500:]
        else:
            del result["stdout"], result["stderr"]
        return result

    def tool_results(self, server: FakeServer) -> int:
        """Tool results the server received in the newest conversation (its final request answers the sixth)."""
        lines = [json.loads(line) for line in (Path(server.first_file).parent / "requests.jsonl").read_text().splitlines()]
        requests = [r for r in lines if r.get("event") == "request"]
        if not requests:
            return 0
        last = requests[-1]
        if "tool_results" in last:  # the Anthropic fake counts them per request
            return sum(r["tool_results"] for r in requests if r["conversation"] == last["conversation"])
        # The OpenAI fake checks that each turn's results answer the previous turn's call ids: reaching turn N of a
        # conversation means N tool results came back (one call per turn here).
        return last["turn"] if last["final"] else -1


# --- products --------------------------------------------------------------------------------------------------------

def make_agent(label: str, folder: Path, work: Path, repo: Path) -> Product:
    p = Product(label, "agent", work / label)
    home = p.work / "home"
    home.mkdir(parents=True)
    agent = str(folder / "agent")
    p.servers["hi"] = FakeServer(OPENAI_FAKE, {"model": "bench-model", "turns": [{"expect": {"last_user_contains": "say hi"}, "text": HI_ANSWER}]}, p.work / "hi")
    p.servers["task"] = FakeServer(OPENAI_FAKE, task_script("agent", repo), p.work / "task")
    # Two providers (one per server), in the user configuration of this AGENT_HOME; the project stays untouched.
    (home / "config.yaml").write_text(
        "providers:\n"
        f"  hi:\n    type: openai\n    base_url: {p.servers['hi'].url}/v1\n"
        f"  task:\n    type: openai\n    base_url: {p.servers['task'].url}/v1\n", encoding="utf-8")
    p.env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "AGENT_"))}
    p.env.update(AGENT_HOME=str(home), CI="true")
    p.commands = {
        "version": [agent, "--version"],
        "hi": [agent, "run", HI_PROMPT, "--model", "hi/bench-model", "--output", "final"],
        "task": [agent, "run", TASK_PROMPT, "--model", "task/bench-model", "--output", "final",
                 "--allow", "glob", "--allow", "grep", "--allow", "view", "--allow", "ls"],
    }
    p.version = subprocess.run([agent, "--version"], capture_output=True, text=True, env=p.env).stdout.strip()
    return p


def make_claude(path: str, work: Path, repo: Path) -> Product:
    p = Product("Claude Code", "claude", work / "claude")
    home = p.work / "home"
    home.mkdir(parents=True)
    p.servers["hi"] = FakeServer(ANTHROPIC_FAKE, {"turns": [{"expect": {"last_user_contains": "say hi"}, "text": HI_ANSWER}]}, p.work / "hi")
    p.servers["task"] = FakeServer(ANTHROPIC_FAKE, task_script("claude", repo), p.work / "task")
    p.env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_", "CLAUDE"))}
    p.env.update(HOME=str(home), CLAUDE_CONFIG_DIR=str(home / ".claude"), ANTHROPIC_API_KEY="sk-ant-bench-0000",
                 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1",
                 DISABLE_ERROR_REPORTING="1")
    p.commands = {
        "version": [path, "--version"],
        "hi": [path, "-p", HI_PROMPT],
        "task": [path, "-p", TASK_PROMPT, "--allowedTools", "Glob", "Grep", "Read"],
    }
    p.row_env = {row: dict(p.env, ANTHROPIC_BASE_URL=server.url) for row, server in p.servers.items()}
    p.version = subprocess.run([path, "--version"], capture_output=True, text=True, env=p.env).stdout.strip()
    return p


def make_opencode(path: str, work: Path, repo: Path, state: Path) -> Product:
    p = Product("opencode", "opencode", work / "opencode")
    p.work.mkdir(parents=True)
    p.servers["hi"] = FakeServer(OPENAI_FAKE, {"model": "bench-model", "turns": [{"expect": {"last_user_contains": "say hi"}, "text": HI_ANSWER}]}, p.work / "hi")
    p.servers["task"] = FakeServer(OPENAI_FAKE, task_script("opencode", repo), p.work / "task")
    aux = FakeServer(OPENAI_FAKE, {"model": "bench-small", "turns": [{"text": "Bench title"}] * 50}, p.work / "aux")
    p.aux = aux

    def provider(url: str, model: str) -> dict:
        return {"npm": "@ai-sdk/openai-compatible", "name": "bench", "options": {"baseURL": f"{url}/v1", "apiKey": "bench"},
                "models": {model: {"name": model}}}

    # Global configuration under --opencode-state (XDG_CONFIG_HOME): the fixture repository stays untouched.
    config = {"$schema": "https://opencode.ai/config.json",
              "provider": {"hi": provider(p.servers["hi"].url, "bench-model"), "task": provider(p.servers["task"].url, "bench-model"),
                           "aux": provider(aux.url, "bench-small")},
              "small_model": "aux/bench-small", "autoupdate": False, "share": "disabled",
              "permission": {"edit": "allow", "bash": "allow", "webfetch": "allow", "read": "allow", "grep": "allow",
                             "glob": "allow", "list": "allow", "external_directory": "allow"}}
    (state / "config" / "opencode").mkdir(parents=True, exist_ok=True)
    (state / "config" / "opencode" / "opencode.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    (state / "home").mkdir(parents=True, exist_ok=True)
    p.env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_", "OPENCODE"))}
    p.env.update(HOME=str(state / "home"), XDG_DATA_HOME=str(state / "data"), XDG_CONFIG_HOME=str(state / "config"),
                 XDG_CACHE_HOME=str(state / "cache"), XDG_STATE_HOME=str(state / "state"), OPENCODE_DISABLE_AUTOUPDATE="1",
                 OPENCODE_DISABLE_MODELS_FETCH="1", OPENCODE_DISABLE_LSP_DOWNLOAD="1", OPENCODE_DISABLE_SHARE="1")
    p.commands = {
        "version": [path, "--version"],
        "hi": [path, "run", HI_PROMPT, "--model", "hi/bench-model"],
        "task": [path, "run", TASK_PROMPT, "--model", "task/bench-model"],
    }
    p.version = subprocess.run([path, "--version"], capture_output=True, text=True, env=p.env).stdout.strip()
    install_opencode_plugin_package(state, p.version, p.env)
    return p


def npm_cache_stamp(state: Path) -> float:
    """The newest change in opencode's npm cache index (HOME/.npm under the state folder): moves when it asks the registry."""
    index = state / "home" / ".npm" / "_cacache" / "index-v5"
    return max((f.stat().st_mtime for f in index.rglob("*") if f.is_file()), default=0.0)


def install_opencode_plugin_package(state: Path, version: str, env: dict) -> None:
    """opencode installs @opencode-ai/plugin (its version) into its configuration folder in the background at every
    start until that install completes; `opencode run` exits first, so without this every timed run would resolve the
    package's dependency tree against registry.npmjs.org. A user who has run opencode once has it: install it once
    here with npm, into the kept state folder."""
    folder = state / "config" / "opencode"
    if (folder / "node_modules" / "@opencode-ai" / "plugin" / "package.json").exists():
        return
    (folder / "package.json").write_text(json.dumps({"dependencies": {"@opencode-ai/plugin": version}}), encoding="utf-8")
    log(f"opencode: npm install @opencode-ai/plugin@{version} into {folder} (once per state folder)")
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        log(f"opencode: that npm install failed ({done.stderr.strip()[-300:]}); opencode will try it at every start")


# --- main ------------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def held(lock: str | None, what: str):
    if not lock:
        yield
        return
    with open(lock, "a") as f:
        waited = time.monotonic()
        fcntl.flock(f, fcntl.LOCK_EX)
        log(f"lock held after {time.monotonic() - waited:.1f} s: {what}")
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def default_current() -> str | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agent-bench" / CURRENT_SHA
    return str(cache / "agent") if (cache / "ok").exists() else None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent-build", action="append", default=[], metavar="LABEL=DIR",
                        help="a published agent folder (repeatable); default: before=f0602dd and current=dc1545c")
    parser.add_argument("--claude", default="/tmp/peers/node_modules/.bin/claude", help="'' to leave Claude Code out")
    parser.add_argument("--opencode", default="/tmp/peers/node_modules/.bin/opencode", help="'' to leave opencode out")
    parser.add_argument("--opencode-state", default="/tmp/peers-table-opencode-state",
                        help="opencode's XDG folders, kept between runs of this script (its provider package is fetched once)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per product and row (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the runs are spread over (default 5)")
    parser.add_argument("--only", default=",".join(ROWS), help="rows: version,hi,task (start -> first request comes with hi and task)")
    parser.add_argument("--products", help="comma-separated columns to keep: build labels, agent, claude, opencode")
    parser.add_argument("--lock", help="hold flock on this file during each round (people sharing the machine take turns)")
    parser.add_argument("--export", default=str(BENCH / "results" / "peers-table.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--sample-ms", type=float, default=10.0,
                        help="interval of the process-tree memory sampler (default 10; 0: no sampler, the root's ru_maxrss only)")
    args = parser.parse_args()
    global SAMPLE_S
    SAMPLE_S = args.sample_ms / 1000
    rows = [r for r in args.only.split(",") if r]
    if any(r not in ROWS for r in rows):
        parser.error(f"--only: rows are {', '.join(ROWS)}")

    builds = [b.split("=", 1) for b in args.agent_build]
    if not builds:
        builds = [["before", BEFORE_DEFAULT]]
        current = default_current()
        if current:
            builds.append(["current", current])
        else:
            log(f"no cached build of {CURRENT_SHA[:7]} (no 'ok' file yet): 'current' left out")
    work = Path(tempfile.mkdtemp(prefix="peers-table."))
    repo = work / "repo"
    repo.mkdir()
    write_fixture(repo)
    notes: list[str] = []
    products: list[Product] = []
    keep = args.products.split(",") if args.products else None
    try:
        for label, folder in builds:
            folder = Path(folder).resolve()
            if not os.access(folder / "agent", os.X_OK):
                notes.append(f"agent {label}: {folder}/agent is not an executable; left out")
            elif keep is None or label in keep or "agent" in keep:
                products.append(make_agent(label, folder, work, repo))
        for kind, path in (("claude", args.claude), ("opencode", args.opencode)):
            if not path or (keep is not None and kind not in keep):
                continue
            if not os.access(path, os.X_OK):
                notes.append(f"{kind}: {path} is not installed here; left out")
                continue
            products.append(make_claude(path, work, repo) if kind == "claude"
                            else make_opencode(path, work, repo, Path(args.opencode_state)))
        for p in products:
            log(f"{p.label}: {p.version} ({p.commands['version'][0]})")

        # Untimed warm-up and check: one run of every row per product; a product that fails is left out.
        for p in list(products):
            for row in rows:
                result = p.run(row, repo)
                if result["problems"]:
                    log(f"{p.label} {row}: warm-up FAILED: {result['problems']}\nstdout: {result.get('stdout', '')[-800:]}\n"
                        f"stderr: {result.get('stderr', '')[-800:]}")
                    notes.append(f"{p.label}: the warm-up of '{row}' failed ({'; '.join(result['problems'])}); left out")
                    products.remove(p)
                    break
        if not products:
            raise SystemExit("table: nothing left to measure: " + "; ".join(notes))
        samples = {p.label: {row: [] for row in rows} for p in products}
        npm_before = npm_cache_stamp(Path(args.opencode_state))
        failures: list[str] = []
        per_round = [args.runs // args.rounds + (1 if i < args.runs % args.rounds else 0) for i in range(args.rounds)]
        loads = [os.getloadavg()[0]]
        for r, count in enumerate(per_round):
            order = products[r % len(products):] + products[:r % len(products)]
            with held(args.lock, f"round {r + 1}/{args.rounds}"):
                loads.append(os.getloadavg()[0])
                for i in range(count):
                    for row in (rows if i % 2 == 0 else rows[::-1]):
                        for p in (order if i % 2 == 0 else order[::-1]):
                            result = p.run(row, repo)
                            if result["problems"]:
                                failures.append(f"{p.label} {row}: {result['problems']}")
                                log(f"{p.label} {row}: run FAILED (not counted): {result['problems']}\n"
                                    f"{result.get('stdout', '')[-400:]}\n{result.get('stderr', '')[-400:]}")
                                continue
                            samples[p.label][row].append(result)
                loads.append(os.getloadavg()[0])
            log(f"round {r + 1}/{args.rounds} done (load {loads[-1]:.2f})")
        if any(p.kind == "opencode" for p in products) and npm_cache_stamp(Path(args.opencode_state)) != npm_before:
            notes.append("opencode wrote to its npm cache during the timed rounds: it contacted the npm registry in timed runs")
            if args.lock and r + 1 < len(per_round):
                time.sleep(2)  # let someone waiting for the lock take it between rounds
    finally:
        for server in SERVERS:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work folder kept: {work}")

    table: dict = {}
    for p in products:
        entry = table[p.label] = {"kind": p.kind, "product_version": p.version, "command": {k: " ".join(v) for k, v in p.commands.items()}}
        for row in rows:
            runs = samples[p.label][row]
            entry[row] = {"runs": len(runs), "wall_ms": median([s["wall_ms"] for s in runs]),
                          "rss_mb": median([s["rss_mb"] for s in runs]),
                          "cpu_ms": median([s["cpu_ms"] for s in runs]),
                          "sampling_ms": median([s["sampling_ms"] for s in runs]),
                          "root_maxrss_mb": median([s["root_maxrss_mb"] for s in runs]),
                          "processes": max((s["processes"] for s in runs), default=0),
                          "process_names": sorted({n for s in runs for n in s["process_names"]}),
                          "wall_p25_p75": statistics.quantiles([s["wall_ms"] for s in runs], n=4)[::2] if len(runs) > 1 else None}
            if row in ("hi", "task"):
                entry[row]["first_ms"] = median([s["first_ms"] for s in runs])
    print(render(table, rows, loads, args))
    for n in notes:
        print(f"- {n}")
    if failures:
        print(f"- {len(failures)} run(s) failed verification and were not counted; first: {failures[0]}")
    export = Path(args.export)
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text(json.dumps({"table": table, "rows": rows, "runs": args.runs, "rounds": args.rounds,
                                  "load": loads, "notes": notes, "failures": failures, "cores": os.cpu_count(),
                                  "issue": ISSUE, "samples": samples}, indent=1), encoding="utf-8")
    log(f"written: {export}")
    return 0


def render(table: dict, rows: list[str], loads: list[float], args) -> str:
    labels = list(table)
    shown = [r for r in ("version", "hi", "task") if r in rows] + (["first"] if "hi" in rows else [])
    kinds = [k for k in ISSUE if any(table[l]["kind"] == k for l in labels)]
    issue_names = {"agent": "agent (release build)", "claude": "Claude Code 2.1", "opencode": "opencode 1.18"}

    def cell(label: str, row: str) -> str:
        if row == "first":
            v = table[label]["hi"].get("first_ms")
            return "–" if v is None else f"{v / 1000:.3f} s"
        e = table[label][row]
        return "–" if e["wall_ms"] is None else f"{e['wall_ms'] / 1000:.3f} s, {e['rss_mb']:.0f} MB"

    def issue(kind: str, row: str) -> str:
        v = ISSUE[kind][row]
        return f"{v:.2f} s" if row == "first" else f"{v[0]:.2f} s, {v[1]} MB"

    def head(label: str) -> str:
        if table[label]["kind"] == "agent":
            return f"agent {label}"
        return f"{label} {table[label]['product_version'].split()[0]}"

    lines = ["| | " + " | ".join(head(l) for l in labels) + " | "
             + " | ".join(f"issue: {issue_names[k]}" for k in kinds) + " |",
             "|---|" + "---|" * (len(labels) + len(kinds))]
    for row in shown:
        lines.append(f"| {ROW_NAMES[row]} | " + " | ".join(cell(l, row) for l in labels) + " | "
                     + " | ".join(issue(k, row) for k in kinds) + " |")
    agents = [l for l in labels if table[l]["kind"] == "agent"]
    if agents and len(labels) > 1:
        ref = agents[-1]
        lines += ["", f"Relative to {ref} (time ×, memory ×):", "",
                  "| | " + " | ".join(l for l in labels if l != ref) + " |", "|---|" + "---|" * (len(labels) - 1)]
        for row in shown:
            out = []
            for l in labels:
                if l == ref:
                    continue
                if row == "first":
                    a, b = table[l]["hi"].get("first_ms"), table[ref]["hi"].get("first_ms")
                    out.append("–" if not a or not b else f"{a / b:.2f}×")
                else:
                    a, b = table[l][row], table[ref][row]
                    out.append("–" if not a["wall_ms"] or not b["wall_ms"] else
                               f"{a['wall_ms'] / b['wall_ms']:.2f}×, {a['rss_mb'] / b['rss_mb']:.2f}×")
            lines.append(f"| {ROW_NAMES[row]} | " + " | ".join(out) + " |")
    lines += ["", "CPU time per run (user + sys of the process and the children it waited for, medians; less sensitive to "
              "the machine's load than wall time):", "", "| | " + " | ".join(head(l) for l in labels) + " |",
              "|---|" + "---|" * len(labels)]
    for row in [r for r in ("version", "hi", "task") if r in rows]:
        lines.append(f"| {ROW_NAMES[row]} | " + " | ".join(f"{table[l][row]['cpu_ms'] / 1000:.3f} s" if table[l][row]["cpu_ms"] else "–"
                                                          for l in labels) + " |")
    lines.append("")
    lines.append(f"Medians of {args.runs} verified runs per cell in {args.rounds} interleaved rounds; peak RSS of the process "
                 f"tree; start -> first model request from the 'say hi' runs; load average {min(loads):.2f}-{max(loads):.2f} "
                 f"during the rounds; {os.cpu_count()} cores.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
