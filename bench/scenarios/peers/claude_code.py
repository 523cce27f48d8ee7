#!/usr/bin/env python3
"""Peer 'claude -p': process start -> first event and -> result under 1, 20 and 100 concurrent runs (stdlib only).

  claude_code.py --claude PATH [--agent PATH] [--sessions 1,20,100] [--requests 40] [--export FILE]

Never part of CI, and nothing here installs Claude Code: install it yourself (`npm install --prefix /tmp/peers
@anthropic-ai/claude-code`) and pass node_modules/.bin/claude. Claude Code has no server mode, so a "session" is one
`claude -p PROMPT --output-format stream-json --verbose` process; N sessions are N client threads each starting such
processes back to back, --requests processes in all per session count (at least 2 per thread).

A small Anthropic Messages fake on 127.0.0.1 (this file, `POST /v1/messages`, streamed: message_start,
content_block_start/delta/stop, message_delta, message_stop) answers every request with a short text, and Claude
Code reaches it through ANTHROPIC_BASE_URL with a dummy ANTHROPIC_API_KEY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
and a fresh HOME/CLAUDE_CONFIG_DIR. Timed per process: start -> its first line on stdout (the stream's first event,
`system`/`init`), start -> the `result` line, the wall time and the peak RSS (os.wait4).

With --agent, the same is measured for `agent run PROMPT --output json` (the scripted model, --no-default-plugins,
its own AGENT_HOME) in the same threads, the two commands alternating, so both figures come from one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWER = "hi there, this is the answer"


class Fake(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests: list[tuple[int, str]] = []  # (monotonic ns, path)
    lock = threading.Lock()

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # noqa: N802
        now = time.monotonic_ns()
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with Fake.lock:
            Fake.requests.append((now, self.path))
        if not self.path.startswith("/v1/messages") or self.path.startswith("/v1/messages/count_tokens"):
            data = json.dumps({"input_tokens": 10}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        model = body.get("model", "claude-bench")
        message = {"id": "msg_bench", "type": "message", "role": "assistant", "model": model, "content": [],
                   "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}
        if not body.get("stream"):
            message.update(content=[{"type": "text", "text": ANSWER}], stop_reason="end_turn")
            data = json.dumps(message).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        events = [("message_start", {"type": "message_start", "message": message}),
                  ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})]
        events += [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word + " "}})
                   for word in ANSWER.split()]
        events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
                   ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                      "usage": {"output_tokens": 8}}),
                   ("message_stop", {"type": "message_stop"})]
        data = "".join(f"event: {name}\ndata: {json.dumps(payload)}\n\n" for name, payload in events).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_one(argv: list[str], env: dict, cwd: Path, final: str) -> dict:
    start = time.monotonic_ns()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = result = None
    lines = []
    for line in process.stdout:
        now = time.monotonic_ns()
        if first is None:
            first = now
        lines.append(line)
        if final.encode() in line and result is None:
            result = now
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = code = os.waitstatus_to_exitcode(status)
    end = time.monotonic_ns()
    if code != 0 or first is None or result is None:
        raise RuntimeError(f"{argv[0]} exited {code}: {b''.join(lines)[-400:]!r} {stderr[-400:]!r}")
    return {"start": start, "first_ms": (first - start) / 1e6, "result_ms": (result - start) / 1e6, "wall_ms": (end - start) / 1e6,
            "rss_mb": usage.ru_maxrss * 1024 / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claude", required=True)
    parser.add_argument("--agent", help="also time agent run (scripted model) in the same threads, alternating")
    parser.add_argument("--sessions", default="1,20,100")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--export")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    work = Path(tempfile.mkdtemp(prefix="claude-peer."))
    project = work / "project"
    project.mkdir()
    (project / "README.md").write_text("# bench\n")
    (work / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_", "CLAUDE"))}
    claude_env = dict(env, HOME=str(work / "home"), CLAUDE_CONFIG_DIR=str(work / "home" / ".claude"),
                      ANTHROPIC_BASE_URL=f"http://127.0.0.1:{port}", ANTHROPIC_API_KEY="sk-ant-bench-0000",
                      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1",
                      DISABLE_ERROR_REPORTING="1", CI="true")
    claude = [args.claude, "-p", "say hi", "--output-format", "stream-json", "--verbose", "--model", "claude-sonnet-4-5",
              "--max-turns", "1"]
    commands = [("claude -p", claude, claude_env, '"type":"result"')]
    if args.agent:
        script = work / "script.yaml"
        script.write_text("turns:\n  - text: " + ANSWER + "\n")
        agent_env = dict(env, AGENT_HOME=str(work / "agent-home"), CI="true")
        commands.append(("agent run", [args.agent, "run", "say hi", "--plugin", "scripted", "--no-default-plugins",
                                       "--model", f"scripted/{script}", "--output", "json"], agent_env, '"run.completed"'))
    version = subprocess.run([args.claude, "--version"], capture_output=True, text=True, env=claude_env).stdout.strip()
    for name, argv, environment, final in commands:  # one untimed run each (first-run set-up)
        run_one(argv, environment, project, final)
    results: dict = {}
    for n in [int(x) for x in args.sessions.split(",")]:
        per = max(2, math.ceil(args.requests / n))
        samples: dict[str, list[dict]] = {name: [] for name, *_ in commands}
        errors: list[str] = []
        lock = threading.Lock()

        def client(index: int) -> None:
            try:
                for i in range(per):
                    for j in range(len(commands)):
                        name, argv, environment, final = commands[(i + index + j) % len(commands)]
                        if name == "agent run":
                            # One AGENT_HOME per thread: concurrent first runs in one store can collide (see
                            # 33036a48:docs/benchmarks.md, "#25: chat, service and peers").
                            environment = dict(environment, AGENT_HOME=f"{environment['AGENT_HOME']}-{index}")
                        sample = run_one(argv, environment, project, final)
                        with lock:
                            samples[name].append(sample)
            except (RuntimeError, OSError) as error:
                with lock:
                    errors.append(str(error))

        print(f"peers: {n} concurrent session(s), {per} run(s) each per command", file=sys.stderr)
        threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            print(f"peers: FAILED ({len(errors)} client(s)); first: {errors[0]}", file=sys.stderr)
            return 1
        for name, rows in samples.items():
            results.setdefault(name, {})[str(n)] = {
                key: {"p50": round(statistics.median([r[key] for r in rows]), 1),
                      "p99": round(percentile([r[key] for r in rows], 99), 1), "samples": len(rows)}
                for key in ("first_ms", "result_ms", "wall_ms", "rss_mb")}
    server.shutdown()
    print(f"claude {version}; {os.cpu_count()} cores")
    print(f"{'command':<10} {'sessions':>8} {'first p50':>10} {'first p99':>10} {'result p50':>11} {'result p99':>11} {'wall p50':>9} {'RSS MB':>7}")
    for name, rows in results.items():
        for n, row in rows.items():
            print(f"{name:<10} {n:>8} {row['first_ms']['p50']:>10} {row['first_ms']['p99']:>10} {row['result_ms']['p50']:>11} "
                  f"{row['result_ms']['p99']:>11} {row['wall_ms']['p50']:>9} {row['rss_mb']['p50']:>7}")
    paths = sorted({p for _, p in Fake.requests})
    print(f"fake Anthropic server: {len(Fake.requests)} request(s) to {paths}")
    if args.export:
        Path(args.export).write_text(json.dumps({"peer": "claude -p", "version": version, "results": results,
                                                 "fake_paths": paths, "cores": os.cpu_count()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
