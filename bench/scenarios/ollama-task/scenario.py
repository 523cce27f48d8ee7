#!/usr/bin/env python3
"""Scenario 'ollama-task': a short tool task through the ollama provider plugin against a fake Ollama (stdlib only).

  scenario.py --agent AGENT [--agent AGENT2 ...] --runs N [--export FILE]

Starts a fake Ollama on 127.0.0.1 (a free port) speaking the native wire protocol: GET /api/tags, POST /api/show
(qwen3 architecture, context length 40960, tools capability) and POST /api/chat as an NDJSON stream. Each
conversation is two turns: a `view README.md` tool call, then (once the tool result with the README's text came
back as a `tool` message with `tool_name`) a final answer. Writes $AGENT_HOME/config.yaml (provider 'local' of type
ollama at the fake server) in a temporary folder and runs

  AGENT run "What is this project?" --model local/qwen3:8b --plugin ollama --plugin files --root REPO --output final

N times per agent, alternating the agents run by run (so before/after share the same minutes). For every run it
records the wall time, the peak RSS (os.wait4's rusage: what GNU time reports), "process start -> first Ollama
request" and "process start -> first /api/chat" (time.monotonic_ns() before the spawn against the server's
monotonic clock when the request arrived). A run counts only when it exits 0, prints the final answer and the
server saw both turns with the expected tool result: a `tool` message naming `view` in `tool_name` (--lenient
accepts one without it, the way OllamaSharp's IChatClient sends tool results, so a build using it can be timed).
Prints medians per agent and their ratio to the first agent; --export writes every sample as JSON.

bench/run.sh runs it as "ollama-task" (one agent); used for the OllamaSharp decision in docs/architecture.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = "qwen3:8b"
README = "# records\n\nRecord handlers for the ingestion service.\n"
ANSWER = "This project holds record handlers for the ingestion service."
CREATED = "2025-05-27T22:54:57.641643Z"


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_any: int | None = None
        self.first_chat: int | None = None
        self.turns = 0
        self.failures: list[str] = []

    def reset(self) -> None:
        with self.lock:
            self.first_any = self.first_chat = None
            self.turns = 0
            self.failures = []


STATE = State()
LENIENT = False  # --lenient: accept a tool result without tool_name (OllamaSharp's IChatClient sends none)


def line(message: dict, done: bool = False, **extra) -> bytes:
    body = {"model": MODEL, "created_at": CREATED, "message": {"role": "assistant", "content": "", **message}, "done": done}
    body.update(extra)
    return (json.dumps(body) + "\n").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _mark(self, chat: bool) -> None:
        now = time.monotonic_ns()
        with STATE.lock:
            if STATE.first_any is None:
                STATE.first_any = now
            if chat and STATE.first_chat is None:
                STATE.first_chat = now

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self._mark(False)
        if self.path == "/api/tags":
            self._json(200, {"models": [{"name": MODEL, "model": MODEL, "size": 5_200_000_000,
                                         "details": {"family": "qwen3", "parameter_size": "8.2B"}}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        request = json.loads(self._body() or b"{}")
        if self.path == "/api/show":
            self._mark(False)
            self._json(200, {"details": {"family": "qwen3", "parameter_size": "8.2B"},
                             "model_info": {"general.architecture": "qwen3", "qwen3.context_length": 40960},
                             "capabilities": ["completion", "tools", "thinking"]})
            return
        if self.path != "/api/chat":
            self._json(404, {"error": "not found"})
            return
        self._mark(True)
        messages = request.get("messages", [])
        tool_results = [m for m in messages if m.get("role") == "tool"]
        if not tool_results:
            if not any(t.get("function", {}).get("name") == "view" for t in request.get("tools", [])):
                with STATE.lock:
                    STATE.failures.append("first turn: no view tool offered: " + json.dumps(request)[:400])
            lines = [line({"content": "Reading the README."}),
                     line({"tool_calls": [{"function": {"name": "view", "arguments": {"path": "README.md"}}}]}),
                     line({}, True, done_reason="stop", prompt_eval_count=900, eval_count=20)]
        else:
            result = tool_results[-1]
            named = result.get("tool_name") == "view" or LENIENT
            if not named or "Record handlers" not in result.get("content", ""):
                with STATE.lock:
                    STATE.failures.append(f"second turn: unexpected tool result {json.dumps(result)[:200]}")
            lines = [line({"content": ANSWER})] + [line({}, True, done_reason="stop", prompt_eval_count=1000, eval_count=12)]
        with STATE.lock:
            STATE.turns += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in lines:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def run_once(agent: str, home: Path, repo: Path) -> dict:
    STATE.reset()
    argv = [agent, "run", "What is this project?", "--model", f"local/{MODEL}", "--plugin", "ollama",
            "--plugin", "files", "--root", str(repo), "--output", "final"]
    env = dict(os.environ, AGENT_HOME=str(home), NO_COLOR="1")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic_ns()
        process = subprocess.Popen(argv, cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        end = time.monotonic_ns()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    ok = code == 0 and ANSWER in stdout and STATE.turns == 2 and not STATE.failures
    return {
        "ok": ok,
        "problem": None if ok else f"exit {code}, turns {STATE.turns}, {STATE.failures}, stdout {stdout[-300:]!r}, stderr {stderr[-600:]!r}",
        "wall_ms": (end - start) / 1e6,
        "rss_mb": usage.ru_maxrss / 1024,
        "first_request_ms": None if STATE.first_any is None else (STATE.first_any - start) / 1e6,
        "first_chat_ms": None if STATE.first_chat is None else (STATE.first_chat - start) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", action="append", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--export")
    parser.add_argument("--lenient", action="store_true", help="accept tool results without tool_name")
    args = parser.parse_args()
    global LENIENT
    LENIENT = args.lenient

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results: dict[str, list[dict]] = {a: [] for a in args.agent}
    with tempfile.TemporaryDirectory(prefix="agent-bench-ollama.") as scratch:
        homes = {}
        for i, agent in enumerate(args.agent):
            home = Path(scratch, f"home{i}")
            home.mkdir()
            (home / "config.yaml").write_text(
                f"providers:\n  local:\n    type: ollama\n    base_url: http://127.0.0.1:{port}\n", encoding="utf-8")
            homes[agent] = home
        repo = Path(scratch, "repo")
        repo.mkdir()
        (repo / "README.md").write_text(README, encoding="utf-8")
        for r in range(args.warmup + args.runs):
            order = args.agent if r % 2 == 0 else list(reversed(args.agent))
            for agent in order:
                sample = run_once(agent, homes[agent], repo)
                if not sample["ok"]:
                    print(f"{agent}: run {r} failed: {sample['problem']}", file=sys.stderr)
                    return 1
                if r >= args.warmup:
                    results[agent].append(sample)
    server.shutdown()

    summary = {}
    for agent, samples in results.items():
        summary[agent] = {k: statistics.median(s[k] for s in samples) for k in ("wall_ms", "rss_mb", "first_request_ms", "first_chat_ms")}
        summary[agent]["runs"] = len(samples)
    base = summary[args.agent[0]]
    for agent, figures in summary.items():
        ratios = " ".join(f"{k} {figures[k]:.1f} (x{figures[k] / base[k]:.3f})" for k in ("first_request_ms", "first_chat_ms", "wall_ms", "rss_mb"))
        print(f"{agent}: {figures['runs']} runs, medians: {ratios}")
    if args.export:
        Path(args.export).write_text(json.dumps({"summary": summary, "samples": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
