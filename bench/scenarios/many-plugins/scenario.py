#!/usr/bin/env python3
"""Scenario 'many-plugins' (issue #50): what installed Claude Code plugins cost a run that does not use them.

  scenario.py --agent CMD [--counts 0,20,100] [--runs 10] [--work DIR] [--export FILE]

For each count N an AGENT_HOME gets N generated Claude Code plugins installed with 'agent plugin install DIR --yes'
(generate.py: the official marketplaces' shapes — skills/ with SKILL.md files, commands/, agents/, hooks/hooks.json,
.mcp.json — every 5th plugin with an MCP server that never answers, standing for an 'npx -y …@latest' that cannot
start here; every 10th with a SessionStart hook that answers {"async": true} and goes on for 5 s, as Claude Code's
plugins do). Then 'agent run hi' through the openai plugin against bench/lib/openai_fake_server.py (one-turn script)
runs --runs times per count, the counts interleaved in each round (load from elsewhere falls on all alike), and each
run records: wall time, process start -> first model request (the server's CLOCK_MONOTONIC stamp of the request
against time.monotonic_ns() just before the process starts) and the agent's peak RSS (os.wait4 rusage). Every run is
verified (exit code 0, the answer printed, one conversation started and completed, no failed expectation). Prints
medians and the ratio of each count to 0; --export writes them as JSON. Standard library only; CMD is split like a
shell would ('dotnet src/AgentHost.Cli/bin/Release/net10.0/agent.dll', or a published 'agent').
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE.parent.parent / "lib"
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

ANSWER = "hello from the fake server"


def start_server(work: Path) -> tuple[subprocess.Popen, str, Path]:
    script = work / "conversation.json"
    script.write_text(json.dumps({"model": "bench-model", "turns": [{"expect": {"last_user_contains": "hi"}, "text": ANSWER}]}))
    port_file, first = work / "port", work / "first-request.json"
    server = subprocess.Popen([sys.executable, str(LIB / "openai_fake_server.py"), "--script", str(script), "--port", "0",
                               "--port-file", str(port_file), "--first-request-file", str(first)],
                              stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "wb"))
    for _ in range(200):
        if port_file.exists() and port_file.read_text().strip():
            return server, f"http://127.0.0.1:{port_file.read_text().strip()}", first
        time.sleep(0.05)
    server.kill()
    raise SystemExit("many-plugins: the fake server did not start (see server.log)")


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/bench/stats", timeout=10) as response:
        return json.loads(response.read())


def prepare(agent: list[str], work: Path, count: int, url: str) -> dict[str, str]:
    home, project = work / f"home-{count}", work / f"project-{count}"
    project.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(f"providers:\n  local:\n    type: openai\n    base_url: {url}/v1\n    api_key: bench\n")
    environment = dict(os.environ, AGENT_HOME=str(home), CI="true", OPENAI_API_KEY="", ANTHROPIC_API_KEY="")
    for folder in generate.generate(work / f"sources-{count}", count):
        done = subprocess.run([*agent, "plugin", "install", str(folder), "--yes"], cwd=project, env=environment,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"many-plugins: installing {folder} failed: {done.stderr}{done.stdout}")
    return {"home": str(home), "project": str(project), **{"env:" + k: v for k, v in environment.items()}}


def run_once(agent: list[str], place: dict[str, str], url: str, first: Path) -> dict:
    environment = {k[4:]: v for k, v in place.items() if k.startswith("env:")}
    before = stats(url)
    first.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic_ns()
        process = subprocess.Popen([*agent, "run", "hi", "-m", "local/bench-model", "--output", "final"], cwd=place["project"],
                                   env=environment, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        end = time.monotonic_ns()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    after = stats(url)
    problems = []
    if os.waitstatus_to_exitcode(status) != 0:
        problems.append(f"exit code {os.waitstatus_to_exitcode(status)}")
    if ANSWER not in stdout:
        problems.append("the answer was not printed")
    for key, want in (("conversations_started", 1), ("conversations_completed", 1), ("failures", 0)):
        if after[key] - before[key] != want:
            problems.append(f"server: {key} changed by {after[key] - before[key]}")
    if problems or not first.exists():
        raise SystemExit(f"many-plugins: a run did not verify ({'; '.join(problems) or 'no first request'}):\n{stderr}")
    return {"wall_ms": (end - start) / 1e6,
            "first_request_ms": (json.loads(first.read_text())["monotonic_ns"] - start) / 1e6,
            "max_rss_mb": usage.ru_maxrss * 1024 / 1e6,
            "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
            "warnings": stderr.count("warning:")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", required=True)
    parser.add_argument("--counts", default="0,20,100")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--work")
    parser.add_argument("--export")
    args = parser.parse_args()
    agent = shlex.split(args.agent)
    counts = [int(c) for c in args.counts.split(",")]
    work = Path(args.work or tempfile.mkdtemp(prefix="agent-bench-plugins."))
    work.mkdir(parents=True, exist_ok=True)
    server, url, first = start_server(work)
    try:
        places = {count: prepare(agent, work, count, url) for count in counts}
        for count in counts:  # one unmeasured run each: the listing caches and the first-run costs
            run_once(agent, places[count], url, first)
        samples: dict[int, list[dict]] = {count: [] for count in counts}
        for round_ in range(args.runs):
            order = counts[round_ % len(counts):] + counts[:round_ % len(counts)]
            for count in order:
                samples[count].append(run_once(agent, places[count], url, first))
            print(f"  round {round_ + 1}/{args.runs} done", file=sys.stderr)
    finally:
        server.kill()

    result = {}
    for count in counts:
        result[count] = {key: round(statistics.median(s[key] for s in samples[count]), 1)
                         for key in ("wall_ms", "first_request_ms", "max_rss_mb", "warnings")}
    base = result[counts[0]]
    print("| installed plugins | start -> first request | wall | peak RSS | warning lines |")
    print("| --- | --- | --- | --- | --- |")
    for count in counts:
        r = result[count]
        ratio = f" ({r['first_request_ms'] / base['first_request_ms']:.2f}×)" if count != counts[0] else ""
        rss = f" ({r['max_rss_mb'] / base['max_rss_mb']:.2f}×)" if count != counts[0] else ""
        print(f"| {count} | {r['first_request_ms']:.0f} ms{ratio} | {r['wall_ms']:.0f} ms | {r['max_rss_mb']:.0f} MB{rss} | {r['warnings']:.0f} |")
    if args.export:
        Path(args.export).write_text(json.dumps({"runs": args.runs, "medians": result, "samples": samples}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
