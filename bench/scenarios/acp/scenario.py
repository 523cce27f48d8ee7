#!/usr/bin/env python3
"""#75: what `agent acp` costs beside `agent run`, measured from outside (whole processes, medians, interleaved).

  python3 bench/scenarios/acp/scenario.py --agent DIR/agent [--runs N] [--out FILE]

Each round runs, in alternating order, with the scripted model answering at once (two-answers.yaml: run.sh's answer-only task with a second answer
for the second prompt; the same project and prompt):

  agent run  : process start -> first text on stdout (-o json: the first message delta), and -> exit
  agent acp  : process start -> `initialize` answered ("ready"), -> `session/new` answered, -> first
               `agent_message_chunk` of the first prompt (the editor's whole wait), and in the same process the
               second prompt of the session: prompt sent -> first `agent_message_chunk` (the per-prompt overhead once
               the session is open)

The figures read against each other: (acp start -> first chunk) - (run start -> first delta) is what ACP adds to a
first answer (two extra round trips and a session created before the prompt), and the warm prompt is what every
further prompt costs. Standard library only; contacts nothing but the child processes.
"""

from __future__ import annotations

import argparse
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

REPO = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).resolve().parent / "two-answers.yaml"
PROMPT = "Describe this project"


def workspace() -> tuple[Path, dict[str, str]]:
    temp = Path(tempfile.mkdtemp(prefix="acp-bench-"))
    shutil.copytree(REPO / "examples" / "quickstart", temp / "ws")
    env = dict(os.environ, AGENT_HOME=str(temp / "home"), CI="true", OPENAI_API_KEY="", ANTHROPIC_API_KEY="")
    # A warm-up run fills the home's caches (plugin stamps, tool schemas), as a user's second start would find them.
    return temp, env


def run_once(agent: str, ws: Path, env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    process = subprocess.Popen(
        [*shlex.split(agent), "run", PROMPT, "--plugin", "scripted", "--model", f"scripted/{SCRIPT}", "-o", "json"],
        cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = None
    for line in process.stdout:
        if first is None and '"message.delta"' in line:
            first = time.perf_counter()
    process.wait()
    end = time.perf_counter()
    if process.returncode != 0 or first is None:
        raise RuntimeError(f"agent run failed ({process.returncode})")
    return {"run: start -> first delta": (first - start) * 1000, "run: start -> exit": (end - start) * 1000}


class Acp:
    def __init__(self, agent: str, ws: Path, env: dict[str, str]):
        self.process = subprocess.Popen(
            [*shlex.split(agent), "acp", "--plugin", "scripted", "--model", f"scripted/{SCRIPT}"],
            cwd=ws, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.next_id = 0

    def send(self, method: str, params: dict) -> int:
        self.next_id += 1
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}) + "\n")
        self.process.stdin.flush()
        return self.next_id

    def until(self, predicate) -> dict:
        for line in self.process.stdout:
            message = json.loads(line)
            if "error" in message:
                raise RuntimeError(f"agent acp answered an error: {message['error']}")
            if predicate(message):
                return message
        raise RuntimeError("agent acp ended early")

    def answer_of(self, request_id: int) -> dict:
        return self.until(lambda m: m.get("id") == request_id and "method" not in m)["result"]

    def first_chunk(self) -> None:
        self.until(lambda m: m.get("method") == "session/update" and m["params"]["update"]["sessionUpdate"] == "agent_message_chunk")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def acp_once(agent: str, ws: Path, env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    acp = Acp(agent, ws, env)
    acp.answer_of(acp.send("initialize", {"protocolVersion": 1, "clientCapabilities": {}}))
    ready = time.perf_counter()
    session = acp.answer_of(acp.send("session/new", {"cwd": str(ws), "mcpServers": []}))["sessionId"]
    created = time.perf_counter()
    first_prompt = acp.send("session/prompt", {"sessionId": session, "prompt": [{"type": "text", "text": PROMPT}]})
    acp.first_chunk()
    first = time.perf_counter()
    acp.answer_of(first_prompt)
    sent = time.perf_counter()
    second = acp.send("session/prompt", {"sessionId": session, "prompt": [{"type": "text", "text": PROMPT}]})
    warm = None
    for line in acp.process.stdout:
        message = json.loads(line)
        if message.get("method") == "session/update" and message["params"]["update"]["sessionUpdate"] == "agent_message_chunk" and warm is None:
            warm = time.perf_counter()
        if message.get("id") == second:
            break
    acp.close()
    figures = {
        "acp: start -> initialize answered": (ready - start) * 1000,
        "acp: start -> session/new answered": (created - start) * 1000,
        "acp: start -> first chunk": (first - start) * 1000,
    }
    if warm is not None:
        figures["acp: warm prompt -> first chunk"] = (warm - sent) * 1000
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True, help="the published agent executable (or a command, e.g. 'dotnet path/agent.dll')")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", help="write the medians as JSON here")
    args = parser.parse_args()
    temp, env = workspace()
    ws = temp / "ws"
    try:
        run_once(args.agent, ws, env)
        acp_once(args.agent, ws, env)
        samples: dict[str, list[float]] = {}
        for i in range(args.runs):
            for measure in ((run_once, acp_once) if i % 2 == 0 else (acp_once, run_once)):
                for name, value in measure(args.agent, ws, env).items():
                    samples.setdefault(name, []).append(value)
        medians = {name: statistics.median(values) for name, values in samples.items()}
        width = max(len(n) for n in medians)
        for name, value in medians.items():
            print(f"{name:<{width}}  {value:8.1f} ms  (n={len(samples[name])})")
        added = medians["acp: start -> first chunk"] - medians["run: start -> first delta"]
        print(f"{'acp adds to a first answer':<{width}}  {added:8.1f} ms")
        if args.out:
            Path(args.out).write_text(json.dumps({"medians_ms": medians, "acp_adds_ms": added, "runs": args.runs}, indent=2) + "\n")
        return 0
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
