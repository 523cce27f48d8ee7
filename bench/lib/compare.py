#!/usr/bin/env python3
"""bench/run.sh --compare: the release builds of two versions of agent, timed interleaved (standard library only).

  compare.py (--compare COMMIT | --compare-build DIR) [--new-build DIR] [--only NAME] [--runs N] [--rounds N]
             [--warmup N] [--rss-runs N] [--probe-runs N] [--requests N] [--sessions LIST] [--threshold X]
             [--lock FILE] [--no-hyperfine] [--keep]

"old" is COMMIT (its release build, published from `git archive COMMIT` in a temporary folder and cached under
${XDG_CACHE_HOME:-~/.cache}/agent-bench/<full sha>/, so a second compare against the same commit does not rebuild) or
DIR, an already published agent folder (the one holding `agent` and `catalog/`). "new" is the working tree, published
the same way (or --new-build DIR). Publish flags are bench/run.sh's: Release, linux-x64, self-contained, ReadyToRun
composite.

Figures (both builds, every timed phase interleaved so load from elsewhere hits both alike):
  core (default)  hyperfine rounds holding both builds' commands, the figure order rotated each round and the old/new
                  order alternating: agent --version, agent plugin list with 20 plugins, the scripted answer-only and
                  6-step tasks (and per tool step = (task - answer) / 6), the openai task's wall; then alternating
                  single runs for the openai task's process start -> first model request (scenario.py probe) and the
                  6-step task's peak RSS (benchlib.py rss).
  server-load     bench/scenarios/server-load/scenario.py with both builds' servers, rounds and builds interleaved:
                  p50/p99 of send -> first event and send -> run ended for each session count.
  search          bench/scenarios/search/scenario.py setup's tree; agent tool run glob / grep (literal, regex) of
                  both builds in the same hyperfine rounds, rg as the reference.

Prints per figure old median, new median, new/old and a verdict: "REGRESSION" when new/old > --threshold (1.05) and
the new build's interquartile range lies wholly above the old one's ("faster" for the mirror case), else "~".
Writes bench/results/compare-<old>-<new>.json. Exits 0 whatever the figures (benchmarks report, tests assert); 1
only when a build or scenario set-up fails.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
LIB = BENCH / "lib" / "benchlib.py"
TOOL_STEPS = 6
TASK_ANSWER = "The quickstart is a README describing an offline demo"
OA_PROMPT = "Find where MAX_RETRIES is defined, raise it by one and check git status."
OA_ANSWER = "MAX_RETRIES is defined in src/config.py and read by six modules. I raised it from"
PUBLISH = ["-c", "Release", "-r", "linux-x64", "--self-contained", "--disable-build-servers",
           "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true"]
SEARCH_GLOB, SEARCH_LITERAL, SEARCH_REGEX = "*.ts", "fetchUserProfile", r"handle[A-Z]\w*Event\("


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


class SetupError(Exception):
    pass


# ---------------------------------------------------------------- builds

def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout.strip()


def publish(source: Path, out: Path, artifacts: Path, log_file: Path) -> None:
    """Publishes source/src/AgentHost.Cli as bench/run.sh does; raises SetupError with the log's errors."""
    with open(log_file, "wb") as stream:
        done = subprocess.run(["dotnet", "publish", str(source / "src" / "AgentHost.Cli"), *PUBLISH,
                               "--artifacts-path", str(artifacts), "-o", str(out)], stdout=stream, stderr=subprocess.STDOUT)
    if done.returncode != 0 or not (out / "agent").exists():
        errors = [line for line in log_file.read_text(errors="replace").splitlines() if " error " in line][:5]
        raise SetupError(f"publish of {source} failed (log {log_file}):\n  " + "\n  ".join(errors))


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agent-bench"


def build_commit(commit: str, work: Path) -> tuple[Path, str, dict]:
    """The release build of COMMIT, from the cache when it is there; returns (agent folder, label, description)."""
    try:
        sha = git("rev-parse", "--verify", f"{commit}^{{commit}}")
    except subprocess.CalledProcessError as error:
        raise SetupError(f"'{commit}' is not a commit of {REPO}: {error.stderr.strip()}") from None
    cached = cache_root() / sha
    folder = cached / "agent"
    info = {"commit": sha, "cache": str(cached)}
    if (cached / "ok").exists() and (folder / "agent").exists():
        log(f"old: {sha[:10]} from the cache ({cached})")
        return folder, sha[:7], dict(info, cached=True)
    log(f"old: publishing {sha[:10]} from git archive (cached afterwards in {cached})")
    source = work / "old-src"
    source.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(REPO), "archive", sha], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(source)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SetupError(f"git archive {sha} failed")
    staging = work / "old-agent"
    publish(source, staging, work / "old-build", work / "publish-old.log")
    shutil.rmtree(cached, ignore_errors=True)
    cached.mkdir(parents=True)
    shutil.move(str(staging), str(folder))
    (cached / "ok").write_text(json.dumps({"commit": sha, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                           "flags": " ".join(PUBLISH)}) + "\n")
    shutil.rmtree(source, ignore_errors=True)
    return folder, sha[:7], dict(info, cached=False)


def build_tree(work: Path) -> tuple[Path, str, dict]:
    head = git("rev-parse", "--short=7", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    log(f"new: publishing the working tree ({head}{' with uncommitted changes' if dirty else ''})")
    out = work / "new-agent"
    publish(REPO, out, work / "new-build", work / "publish-new.log")
    return out, head + ("-dirty" if dirty else ""), {"tree": str(REPO), "head": head, "dirty": dirty}


def prebuilt(folder: str, label: str | None, fallback: str) -> tuple[Path, str, dict]:
    path = Path(folder).resolve()
    if not (path / "agent").exists():
        raise SetupError(f"{path} holds no 'agent' executable (pass the published folder, e.g. /work/bench-base/agent)")
    return path, label or fallback, {"folder": str(path)}


# ---------------------------------------------------------------- statistics

def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p25": quantile(values, 0.25), "p75": quantile(values, 0.75),
            "n": len(values)}


def verdict(old: dict, new: dict, threshold: float) -> str:
    ratio = new["median"] / old["median"] if old["median"] else float("inf")
    if old["p25"] == old["p75"] and new["p25"] == new["p75"]:
        return "? (no spread: too few samples or rounds)"
    if ratio > threshold and new["p25"] > old["p75"]:
        return "REGRESSION"
    if ratio < 1 / threshold and new["p75"] < old["p25"]:
        return "faster"
    return "~"


class Figures:
    """The compare table: one row per figure, both builds' median and spread, the ratio and the verdict."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.rows: list[dict] = []

    def add(self, name: str, unit: str, old: dict | None, new: dict | None, note: str = "", reference: bool = False) -> None:
        row = {"figure": name, "unit": unit, "old": old, "new": new, "note": note}
        if old and new and old["median"]:
            row["ratio"] = round(new["median"] / old["median"], 3)
            # A reference (the same command in both columns) shows the run's noise; it is never a regression.
            row["verdict"] = "noise" if reference else verdict(old, new, self.threshold)
        else:
            row["ratio"], row["verdict"] = None, "missing"
        self.rows.append(row)

    def add_samples(self, name: str, unit: str, old: list[float], new: list[float], note: str = "", reference: bool = False) -> None:
        self.add(name, unit, spread(old) if old else None, spread(new) if new else None, note, reference)

    def print(self, old_label: str, new_label: str) -> None:
        def fmt(stats: dict | None, unit: str) -> str:
            if not stats:
                return "-"
            return f"{stats['median']:.1f} {unit}"

        def iqr(stats: dict | None) -> str:
            return f"{stats['p25']:.1f}-{stats['p75']:.1f}" if stats else "-"

        width = max(len(r["figure"]) for r in self.rows) if self.rows else 10
        header = f"{'figure':<{width}}  {'old ' + old_label:>16}  {'new ' + new_label:>16}  {'new/old':>7}  {'old p25-p75':>15}  {'new p25-p75':>15}  verdict"
        print(header)
        print("-" * len(header))
        for r in self.rows:
            ratio = f"{r['ratio']:.3f}" if r["ratio"] is not None else "-"
            print(f"{r['figure']:<{width}}  {fmt(r['old'], r['unit']):>16}  {fmt(r['new'], r['unit']):>16}  {ratio:>7}  "
                  f"{iqr(r['old']):>15}  {iqr(r['new']):>15}  {r['verdict']}{('  (' + r['note'] + ')') if r['note'] else ''}")


# ---------------------------------------------------------------- timing

class Lock:
    """flock on --lock around each timed phase (a no-op without it), so benchmarks sharing a machine take turns."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    @contextlib.contextmanager
    def held(self, what: str):
        if not self.path:
            yield
            return
        with open(self.path, "a") as handle:
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            waited = time.monotonic() - started
            if waited > 1:
                log(f"waited {waited:.0f} s for {self.path}")
            log(f"{what} (load average {os.getloadavg()[0]:.2f})")
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def env_command(home: Path, argv: list[str]) -> str:
    return shlex.join(["env", f"AGENT_HOME={home}", *argv])


def run_check(name: str, command: str, cwd: Path, answer: str | None) -> str | None:
    """Runs COMMAND once; returns a problem or None."""
    done = subprocess.run(shlex.split(command), cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        return f"'{name}' exited {done.returncode}: {(done.stderr or done.stdout).strip()[-400:]}"
    if answer and answer not in done.stdout:
        return f"'{name}' did not print the expected answer: {done.stdout.strip()[-400:]}"
    return None


def time_rounds(pairs: list[tuple[str, str, str]], args: argparse.Namespace, work: Path, cwd: Path, lock: Lock,
                tag: str) -> dict[str, list[float]]:
    """pairs: (figure, old command, new command). Returns name -> seconds for "<figure> [old]"/"[new]"."""
    per_round = max(1, -(-args.runs // args.rounds))
    use_hyperfine = not args.no_hyperfine and shutil.which("hyperfine")
    files = []
    for r in range(args.rounds):
        shift = r % len(pairs)
        ordered = pairs[shift:] + pairs[:shift]
        commands = []
        for i, (figure, old, new) in enumerate(ordered):
            both = [(f"{figure} [old]", old), (f"{figure} [new]", new)]
            commands += both if (r + i) % 2 == 0 else both[::-1]
        out = work / f"timings-{tag}-{r}.json"
        files.append(str(out))
        with lock.held(f"{tag}: round {r + 1}/{args.rounds}, {per_round} run(s) per command"):
            if use_hyperfine:
                argv = ["hyperfine", "-N", "--warmup", str(args.warmup), "--runs", str(per_round), "--style", "none",
                        "--export-json", str(out)]
                for name, command in commands:
                    argv += ["-n", name, command]
            else:
                argv = [sys.executable, str(LIB), "measure", "--warmup", str(args.warmup), "--runs", str(per_round),
                        "--export", str(out)]
                for name, command in commands:
                    argv += [name, command]
            subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    merged = work / f"timings-{tag}.json"
    subprocess.run([sys.executable, str(LIB), "merge", "--out", str(merged), *files], check=True)
    return {r["command"]: r["times"] for r in json.loads(merged.read_text())["results"]}


def ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


# ---------------------------------------------------------------- scenarios

class Build:
    def __init__(self, role: str, folder: Path, work: Path) -> None:
        self.role = role
        self.agent = folder / "agent"
        self.catalog = folder / "catalog"
        self.dir = work / role
        self.dir.mkdir(parents=True, exist_ok=True)
        self.home0 = self.dir / "home-empty"
        self.home20 = self.dir / "home-20"
        self.task_home = self.dir / "home-run"
        self.task_root = self.dir / "quickstart"
        for folder_ in (self.home0, self.home20, self.task_home):
            folder_.mkdir(exist_ok=True)
        self.oa_server: subprocess.Popen | None = None


def start_fake_server(build: Build) -> str:
    oa = build.dir / "openai-task"
    oa.mkdir(exist_ok=True)
    build.oa_server = subprocess.Popen(
        [sys.executable, str(BENCH / "lib" / "openai_fake_server.py"), "--script",
         str(BENCH / "scenarios" / "openai-task" / "conversation.json"), "--port-file", str(oa / "port"),
         "--first-request-file", str(oa / "first-request.json"), "--log", str(oa / "server.log")],
        stdout=subprocess.DEVNULL, stderr=open(oa / "server.out", "wb"))
    for _ in range(100):
        if (oa / "port").exists() and (oa / "port").read_text().strip():
            break
        time.sleep(0.1)
    else:
        raise SetupError(f"the fake OpenAI server of the {build.role} build did not start (see {oa / 'server.out'})")
    port = (oa / "port").read_text().strip()
    done = subprocess.run([sys.executable, str(BENCH / "scenarios" / "openai-task" / "scenario.py"), "setup",
                           "--repo", str(oa / "repo"), "--home", str(oa / "home"), "--agent", str(build.agent), "--port", port],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"openai-task setup for the {build.role} build failed: {done.stderr.strip()[-600:]}")
    return f"http://127.0.0.1:{port}"


def install_plugins(build: Build, fixture: Path, work: Path, cwd: Path) -> None:
    for i in range(1, 21):
        src = work / "plugins-src" / f"bench-echo-{i:02d}"
        if not src.exists():
            shutil.copytree(fixture, src)
            manifest = src / "plugin.yaml"
            lines = [f"id: bench-echo-{i:02d}" if line.startswith("id:") else line for line in manifest.read_text().splitlines()]
            manifest.write_text("\n".join(lines) + "\n")
        done = subprocess.run([str(build.agent), "plugin", "install", str(src), "--yes"], cwd=cwd, capture_output=True,
                              text=True, env=dict(os.environ, AGENT_HOME=str(build.home20)))
        if done.returncode != 0:
            raise SetupError(f"{build.role}: agent plugin install bench-echo-{i:02d} failed: {(done.stderr or done.stdout).strip()[-400:]}")


def core(old: Build, new: Build, args: argparse.Namespace, work: Path, cwd: Path, lock: Lock, figures: Figures,
         notes: list[str]) -> dict:
    log("building tests/fixtures/Fixture.Echo (Release) for the 20-plugin figure")
    fixture = work / "fixture-echo"
    done = subprocess.run(["dotnet", "build", str(REPO / "tests" / "fixtures" / "Fixture.Echo"), "-c", "Release",
                           "--disable-build-servers", "--artifacts-path", str(work / "fixture-build"), "-o", str(fixture)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError("Fixture.Echo does not build:\n" + done.stdout[-1500:])
    servers = {}
    for build in (old, new):
        log(f"{build.role}: installing 20 plugins, preparing the quickstart and the openai task")
        install_plugins(build, fixture, work, cwd)
        shutil.copytree(REPO / "examples" / "quickstart", build.task_root)
        servers[build.role] = start_fake_server(build)

    def commands(build: Build) -> dict[str, str]:
        scripted = ["--plugin", "scripted", "--plugin", "files", "--root", str(build.task_root), "--output", "final"]
        oa = build.dir / "openai-task"
        return {
            "agent --version": env_command(build.home0, [str(build.agent), "--version"]),
            "agent plugin list (20 plugins)": env_command(build.home20, [str(build.agent), "plugin", "list"]),
            "agent run (answer only)": env_command(build.task_home, [str(build.agent), "run", "Describe this project",
                                                   "--model", f"scripted/{BENCH / 'scenarios' / 'answer-only.yaml'}", *scripted]),
            "agent run (6-step tool task)": env_command(build.task_home, [str(build.agent), "run", "Describe this project",
                                                        "--model", f"scripted/{BENCH / 'scenarios' / 'six-step-task.yaml'}", *scripted]),
            "agent run (openai 6-step task)": env_command(oa / "home", [str(build.agent), "run", OA_PROMPT, "--model",
                                                          "local/bench-model", "--plugin", "files", "--plugin", "shell",
                                                          "--root", str(oa / "repo"), "--output", "final"]),
        }

    cmds = {b.role: commands(b) for b in (old, new)}
    answers = {"agent run (answer only)": TASK_ANSWER, "agent run (6-step tool task)": TASK_ANSWER,
               "agent run (openai 6-step task)": OA_ANSWER}
    pairs = []
    for figure in cmds["old"]:
        problems = [p for p in (run_check(f"{figure} [{b}]", cmds[b][figure], cwd, answers.get(figure)) for b in ("old", "new")) if p]
        if problems:
            notes += problems
            log("not timed: " + "; ".join(problems))
            continue
        pairs.append((figure, cmds["old"][figure], cmds["new"][figure]))
    if not pairs:
        return {}
    times = time_rounds(pairs, args, work, cwd, lock, "core")

    def samples(figure: str, role: str) -> list[float]:
        return ms(times.get(f"{figure} [{role}]", []))

    for figure, _, _ in pairs:
        if figure == "agent run (openai 6-step task)":
            continue
        figures.add_samples(figure, "ms", samples(figure, "old"), samples(figure, "new"))
    task, answer = "agent run (6-step tool task)", "agent run (answer only)"
    if samples(task, "old") and samples(answer, "old"):
        def step(role: str) -> dict:
            t, a = spread(samples(task, role)), spread(samples(answer, role))
            return {"median": (t["median"] - a["median"]) / TOOL_STEPS, "p25": (t["p25"] - a["p75"]) / TOOL_STEPS,
                    "p75": (t["p75"] - a["p25"]) / TOOL_STEPS, "n": t["n"]}
        figures.add("per tool step ((task - answer) / 6)", "ms", step("old"), step("new"), "spread: task IQR against answer IQR")

    # Alternating single runs: the openai task's start -> first model request, and peak RSS of the 6-step task.
    oa = "agent run (openai 6-step task)"
    if any(p[0] == oa for p in pairs):
        probe = {"old": [], "new": []}
        with lock.held(f"openai-task: {args.probe_runs} alternating probe run(s) per build"):
            for i in range(args.probe_runs):
                for role in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    build = old if role == "old" else new
                    export = work / f"probe-{role}-{i}.json"
                    subprocess.run([sys.executable, str(BENCH / "scenarios" / "openai-task" / "scenario.py"), "probe",
                                    "--command", cmds[role][oa], "--repo", str(build.dir / "openai-task" / "repo"),
                                    "--server", servers[role], "--first-request-file",
                                    str(build.dir / "openai-task" / "first-request.json"), "--answer", OA_ANSWER,
                                    "--runs", "1", "--export", str(export)], cwd=cwd, stderr=subprocess.DEVNULL)
                    result = json.loads(export.read_text()) if export.exists() else {"ok": False, "problems": ["no export"]}
                    if not result["ok"]:
                        notes.append(f"openai-task probe ({role}) not verified: {result['problems']}")
                    probe[role] += result["samples"]
        verified = not any(n.startswith("openai-task probe") for n in notes)
        figures.add_samples(f"{oa}: start -> first model request", "ms",
                            [s["first_request_ms"] for s in probe["old"]], [s["first_request_ms"] for s in probe["new"]],
                            "" if verified else "UNVERIFIED")
        figures.add_samples(f"{oa}: wall", "ms", samples(oa, "old"), samples(oa, "new"), "" if verified else "UNVERIFIED")
    if args.rss_runs > 0 and any(p[0] == task for p in pairs):
        export = work / "rss.json"
        with lock.held(f"peak RSS: {args.rss_runs} alternating run(s) per build"):
            subprocess.run([sys.executable, str(LIB), "rss", "--runs", str(args.rss_runs), "--export", str(export),
                            f"{task} [old]", cmds["old"][task], f"{task} [new]", cmds["new"][task]], cwd=cwd, check=True)
        rss = {r["command"]: [k * 1024 / 1e6 for k in r["max_rss_kib"]] for r in json.loads(export.read_text())["results"]}
        figures.add_samples(f"{task}: peak RSS", "MB", rss.get(f"{task} [old]", []), rss.get(f"{task} [new]", []))
    return {"raw_ms": {name: ms(values) for name, values in times.items()}}


def server_load(old: Build, new: Build, args: argparse.Namespace, work: Path, cwd: Path, lock: Lock, figures: Figures,
                notes: list[str]) -> dict:
    export = work / "server-load.json"
    with lock.held(f"server-load: both builds, {args.rounds} round(s), sessions {args.sessions}"):
        done = subprocess.run([sys.executable, str(BENCH / "scenarios" / "server-load" / "scenario.py"),
                               "--agent", f"old={old.agent}", "--agent", f"new={new.agent}", "--sessions", args.sessions, "--store", "sqlite",
                               "--requests", str(args.requests), "--rounds", str(args.rounds), "--export", str(export)], cwd=cwd)
    if done.returncode != 0 or not export.exists():
        notes.append("server-load: no figures (see the log above)")
        return {}
    result = json.loads(export.read_text())
    agents = result["agents"]
    for n in args.sessions.split(","):
        for key, label in (("first_event", "send -> first event"), ("ended", "send -> run ended (SSE)"),
                           ("wait", "send -> run ended (wait=true)")):
            for p in ("p50", "p99"):
                rows = [agents[role]["sessions"].get(n, {}).get(key) for role in ("old", "new")]
                if not all(rows):
                    continue
                # The spread of a percentile is its range over the rounds (each round has its own p50 and p99).
                # Fewer than 3 rounds is too little to tell a shift from a burst of load: no verdict (see "?").
                def stats(row: dict) -> dict:
                    rounds = row[f"{p}_ms_by_round"]
                    if len(rounds) < 3:
                        return {"median": row[f"{p}_ms"], "p25": row[f"{p}_ms"], "p75": row[f"{p}_ms"], "n": row["samples"]}
                    return {"median": row[f"{p}_ms"], "p25": min(rounds), "p75": max(rounds), "n": row["samples"]}
                figures.add(f"serve, {n} session(s): {p} {label}", "ms", stats(rows[0]), stats(rows[1]),
                            "spread: range over rounds" if p == "p50" and n == args.sessions.split(",")[0] and key == "first_event" else "")
    return {"server_load": result}


def search(old: Build, new: Build, args: argparse.Namespace, work: Path, cwd: Path, lock: Lock, figures: Figures,
           notes: list[str]) -> dict:
    tree = work / "search-tree"
    scenario = BENCH / "scenarios" / "search" / "scenario.py"
    log(f"search: generating the tree with {scenario.relative_to(REPO)} setup")
    done = subprocess.run([sys.executable, str(scenario), "setup", "--tree", str(tree)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError("search: scenario.py setup failed: " + done.stderr[-600:])
    summary = done.stdout.strip()
    for build in (old, new):
        check = subprocess.run([sys.executable, str(scenario), "verify", "--tree", str(tree), "--agent", str(build.agent),
                                "--home", str(build.home0), "--glob", SEARCH_GLOB, "--literal", SEARCH_LITERAL,
                                "--regex", SEARCH_REGEX], capture_output=True, text=True)
        if check.returncode != 0:
            notes.append(f"search: the {build.role} build's tools and rg disagree on the tree (scenario.py verify)")
    searches = {
        "search: glob '**/*.ts'": ["glob", json.dumps({"pattern": f"**/{SEARCH_GLOB}"}), ["rg", "--files", "-g", SEARCH_GLOB, str(tree)]],
        f"search: grep {SEARCH_LITERAL}": ["grep", json.dumps({"pattern": SEARCH_LITERAL}), ["rg", SEARCH_LITERAL, str(tree)]],
        "search: grep regex": ["grep", json.dumps({"pattern": SEARCH_REGEX}), ["rg", SEARCH_REGEX, str(tree)]],
    }
    pairs = []
    for figure, (tool, arguments, rg) in searches.items():
        old_cmd, new_cmd = (env_command(b.home0, [str(b.agent), "tool", "run", tool, "--args", arguments, "--plugin", "files",
                                                  "--root", str(tree)]) for b in (old, new))
        pairs.append((figure, old_cmd, new_cmd))
        # rg in the same rounds as a reference (its own [old]/[new] pair: two samples of the same command).
        pairs.append((f"reference: {shlex.join(rg[:-1])}", shlex.join(rg), shlex.join(rg)))
    times = time_rounds(pairs, args, work, cwd, lock, "search")
    for figure, _, _ in pairs:
        old_ms, new_ms = ms(times[f"{figure} [old]"]), ms(times[f"{figure} [new]"])
        if figure.startswith("reference: "):
            # Both halves ran the same rg: pool them; the ratio row shows the noise floor of the run.
            figures.add_samples(figure, "ms", old_ms, new_ms, "same command in both columns", reference=True)
        else:
            figures.add_samples(figure, "ms", old_ms, new_ms)
    return {"search_tree": summary}


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    old_group = parser.add_mutually_exclusive_group(required=True)
    old_group.add_argument("--compare", metavar="COMMIT", help="old = this commit's release build (cached by sha)")
    old_group.add_argument("--compare-build", metavar="DIR", help="old = this published agent folder")
    parser.add_argument("--compare-label", help="name of --compare-build in the table and file name (default: the folder's name)")
    parser.add_argument("--new-build", metavar="DIR", help="new = this published agent folder instead of the working tree")
    parser.add_argument("--new-label", help="name of --new-build (default: HEAD's short sha + '-prebuilt')")
    parser.add_argument("--only", choices=["core", "server-load", "search"], default="core")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command and build (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5); server-load: its rounds (a verdict needs 3)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs per command and round (default 1)")
    parser.add_argument("--rss-runs", type=int, default=5)
    parser.add_argument("--probe-runs", type=int, default=10)
    parser.add_argument("--requests", type=int, default=400, help="server-load: prompts per phase, round and build")
    parser.add_argument("--sessions", default="1,20,100", help="server-load: session counts")
    parser.add_argument("--threshold", type=float, default=1.05, help="ratio beyond which a figure can be a regression")
    parser.add_argument("--lock", help="hold flock on this file during each timed phase")
    parser.add_argument("--no-hyperfine", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.runs < 1 or args.rounds < 1:
        parser.error("--runs and --rounds must be at least 1")

    os.environ.update(DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1", DOTNET_SKIP_FIRST_TIME_EXPERIENCE="1")
    work = Path(tempfile.mkdtemp(prefix="agent-compare."))
    cwd = work / "cwd"
    cwd.mkdir()
    builds: list[Build] = []
    notes: list[str] = []
    figures = Figures(args.threshold)
    load_before = os.getloadavg()
    try:
        if args.compare:
            old_folder, old_label, old_info = build_commit(args.compare, work)
        else:
            old_folder, old_label, old_info = prebuilt(args.compare_build, args.compare_label,
                                                       Path(args.compare_build).resolve().parent.name)
        if args.new_build:
            new_folder, new_label, new_info = prebuilt(args.new_build, args.new_label,
                                                       git("rev-parse", "--short=7", "HEAD") + "-prebuilt")
        else:
            new_folder, new_label, new_info = build_tree(work)
        old, new = Build("old", old_folder, work), Build("new", new_folder, work)
        builds = [old, new]
        scenario = {"core": core, "server-load": server_load, "search": search}[args.only]
        extra = scenario(old, new, args, work, cwd, Lock(args.lock), figures, notes)
    except (SetupError, subprocess.CalledProcessError) as error:
        print(f"bench/run.sh --compare: {error}", file=sys.stderr)
        return 1
    finally:
        for build in builds:
            if build.oa_server is not None:
                build.oa_server.terminate()
                build.oa_server.wait()
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print()
    shape = (f"{args.rounds} round(s) of {args.requests} prompts per phase, session count and build" if args.only == "server-load"
             else f"{args.runs} runs in {args.rounds} rounds per command and build")
    print(f"old = {old_label} ({old_folder}), new = {new_label} ({new_folder}); {args.only}: {shape}; "
          f"load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    figures.print(old_label, new_label)
    for note in notes:
        print(f"note: {note}")
    regressions = [r["figure"] for r in figures.rows if r["verdict"] == "REGRESSION"]
    print(f"{len(regressions)} regression(s) beyond {args.threshold}x and outside both spreads"
          + (": " + "; ".join(regressions) if regressions else ""))
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    suffix = "" if args.only == "core" else f"-{args.only}"
    out = results / f"compare-{old_label}-{new_label}{suffix}.json"
    out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "only": args.only,
        "old": dict(old_info, label=old_label, folder=str(old_folder)), "new": dict(new_info, label=new_label, folder=str(new_folder)),
        "options": {k: v for k, v in vars(args).items() if k not in ("compare", "compare_build", "new_build")},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "cores": os.cpu_count(), "threshold": args.threshold, "figures": figures.rows, "regressions": regressions,
        "notes": notes, **extra}, indent=2) + "\n")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
