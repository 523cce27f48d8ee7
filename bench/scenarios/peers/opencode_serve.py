#!/usr/bin/env python3
"""Peer 'opencode serve': prompt -> first event latency and memory per session under 1, 100 and 1,000 sessions
(standard library only).

  opencode_serve.py --opencode PATH [--sessions 1,100,1000] [--requests 100] [--rounds 1] [--state DIR] [--export FILE]

Never part of CI, and nothing here installs opencode: install it yourself (`npm install --prefix /tmp/peers
opencode-ai`) and pass node_modules/.bin/opencode. The same shape as bench/scenarios/server-load, so the figures
line up with `agent serve`'s:

  - bench/lib/openai_fake_server.py on 127.0.0.1 answers every chat completion with a one-turn script ("hi there");
    opencode reaches it through a provider 'local' of npm package @ai-sdk/openai-compatible in the project's
    opencode.json (opencode fetches that package from the npm registry the first time: --state keeps its cache and
    data between runs; every other folder opencode uses is XDG_*/HOME under --state);
  - `opencode serve --port P` on 127.0.0.1; one reader of GET /event (the server-wide SSE stream) timestamps each
    event and hands it to the session it names (properties.sessionID);
  - memory first: the RSS of opencode's process tree with no session, then sessions made cumulatively up to each N
    (POST /session, one untimed prompt each: the warm-up, with opencode's title request) and the RSS read again:
    (RSS with N - RSS with none) / N; opencode has no close, so these sessions are the pool the rounds use;
  - for each N: the first N sessions of the pool, one client thread per session:
      wait:  POST /session/{id}/message (answers when the turn is done): send -> response;
      first event: POST /session/{id}/prompt_async, send -> the response, send -> the run's first event (its user
             message's `message.updated` or the session's `session.status` busy, whichever comes first; late events
             of the previous run do not count), send -> the `session.idle` after it; the next prompt goes after that.

Reports p50/p99 (all samples) per N and phase and writes them with --export (shape of server-load's export). The
model is an HTTP hop away here (opencode has no in-process scripted model), so "run ended" includes one or two
requests to the fake server (opencode also asks its small model for a title on a session's first prompt: warm-up);
"first event" does not: it comes before the model is asked.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))
import clients  # noqa: E402  (bench/lib)
from procmem import peak_rss, tree_rss  # noqa: E402  (bench/lib)

HERE = Path(__file__).resolve().parent
FAKE = HERE.parent.parent / "lib" / "openai_fake_server.py"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Failure(Exception):
    pass


class Peer:
    def __init__(self, opencode: str, state: Path, work: Path, turns: int) -> None:
        script = work / "hi.json"
        # The fake server picks the turn by counting the assistant messages in the request: one turn per prompt of a session.
        script.write_text(json.dumps({"model": "bench-model", "turns": [{"text": "hi there, this is the answer"}] * turns}))
        self.fake = subprocess.Popen([sys.executable, str(FAKE), "--script", str(script), "--port-file", str(work / "port")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if (work / "port").exists() and (work / "port").read_text().strip():
                break
            time.sleep(0.1)
        model_port = (work / "port").read_text().strip()
        project = work / "project"
        project.mkdir()
        (project / "README.md").write_text("# bench\n")
        (project / "opencode.json").write_text(json.dumps({
            "$schema": "https://opencode.ai/config.json",
            "provider": {"local": {"npm": "@ai-sdk/openai-compatible", "name": "local",
                                   "options": {"baseURL": f"http://127.0.0.1:{model_port}/v1", "apiKey": "bench"},
                                   "models": {"bench-model": {"name": "bench"}}}},
            "model": "local/bench-model", "small_model": "local/bench-model", "autoupdate": False, "share": "disabled"}))
        env = dict(os.environ, HOME=str(state / "home"), XDG_DATA_HOME=str(state / "data"), XDG_CONFIG_HOME=str(state / "config"),
                   XDG_CACHE_HOME=str(state / "cache"), XDG_STATE_HOME=str(state / "state"), OPENCODE_DISABLE_AUTOUPDATE="1")
        for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            env.pop(key, None)
        (state / "home").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        started = time.monotonic()
        self.process = subprocess.Popen([opencode, "serve", "--port", str(self.port), "--hostname", "127.0.0.1"], cwd=project,
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(work / "opencode.err", "wb"))
        # opencode takes 10-20 s to answer after starting here; a first start with a fresh --state also fetches packages.
        while time.monotonic() - started < 300:
            try:  # a short timeout: a request sent while opencode bootstraps can stay unanswered
                status, _ = self.request(http.client.HTTPConnection("127.0.0.1", self.port, timeout=2), "GET", "/session")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise Failure("opencode serve did not answer within 300 s: " + (work / "opencode.err").read_text()[-800:])
        self.ready_s = time.monotonic() - started
        self.queues: dict[str, queue.Queue] = {}
        self.lock = threading.Lock()
        self._open_events()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, conn, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            try:
                conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
                response = conn.getresponse()
                text = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed while it sat idle (the pool's sessions wait while the
                # others run): the request never reached it; once more on a new connection.
                conn.close()
                if attempt == 2:
                    raise
        try:
            return response.status, (json.loads(text) if text else {})
        except ValueError:
            return response.status, {"raw": text[:200].decode(errors="replace")}

    def _open_events(self) -> None:
        conn = self.connect()
        conn.request("GET", "/event", headers={"Accept": "text/event-stream"})
        response = conn.getresponse()
        if response.status != 200:
            raise Failure(f"GET /event: {response.status}")

        def read() -> None:
            try:
                while True:
                    line = response.readline()
                    if not line:
                        return
                    now = time.perf_counter()
                    if line.startswith(b"data:"):
                        event = json.loads(line[5:])
                        sid = (event.get("properties") or {}).get("sessionID")
                        if sid:
                            with self.lock:
                                target = self.queues.get(sid)
                            if target is not None:
                                target.put((now, event["type"], event["properties"]))
            except (OSError, ValueError):
                return

        threading.Thread(target=read, daemon=True).start()

    def stop(self) -> None:
        for process in (self.process, self.fake):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Session:
    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.conn = peer.connect()
        status, body = peer.request(self.conn, "POST", "/session", {})
        if status != 200 or "id" not in body:
            raise Failure(f"POST /session: {status} {body}")
        self.id = body["id"]
        self.events: queue.Queue = queue.Queue()
        self.seen: set = set()
        with peer.lock:
            peer.queues[self.id] = self.events

    def send_wait(self) -> float:
        start = time.perf_counter()
        status, body = self.peer.request(self.conn, "POST", f"/session/{self.id}/message",
                                         {"parts": [{"type": "text", "text": "say hi"}]})
        elapsed = time.perf_counter() - start
        if status != 200 or (body.get("info") or {}).get("finish") != "stop":
            raise Failure(f"POST /session/{self.id}/message: {status} {json.dumps((body.get('info') or body).get('error') or body)[:600]}")
        return elapsed

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get_nowait()

    def _starts_run(self, kind: str, props: dict) -> bool:
        if kind == "session.status":
            return (props.get("status") or {}).get("type") == "busy"
        if kind == "message.updated":
            info = props.get("info") or {}
            if info.get("role") == "user" and info.get("id") not in self.seen:
                self.seen.add(info.get("id"))
                return True
        return False

    def send_first_event(self) -> tuple[float, float, float]:
        self.drain()
        start = time.perf_counter()
        status, body = self.peer.request(self.conn, "POST", f"/session/{self.id}/prompt_async",
                                         {"parts": [{"type": "text", "text": "say hi"}]})
        accepted = time.perf_counter()
        if status not in (200, 202, 204):
            raise Failure(f"POST /session/{self.id}/prompt_async: {status} {body}")
        first = None
        while True:
            try:
                at, kind, props = self.events.get(timeout=120)
            except queue.Empty:
                raise Failure(f"session {self.id}: no session.idle within 120 s") from None
            if at < start:
                continue
            # The run's first event: its user message appearing, or the session turning busy. (Late events of the
            # previous run, e.g. session.updated after session.idle, can arrive after this send and do not count.)
            if first is None and self._starts_run(kind, props):
                first = at
            if kind == "session.idle" and first is not None:
                return accepted - start, first - start, at - start


def run_clients(sessions: list[Session], per_session: int, work) -> tuple[list, float]:
    """bench/lib/clients.run_clients with this script's failures."""
    return clients.run_clients(sessions, per_session, work, (Failure, OSError, http.client.HTTPException), Failure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opencode", required=True)
    parser.add_argument("--sessions", default="1,100,1000")
    parser.add_argument("--requests", type=int, default=100, help="prompts per phase and round, spread over the sessions")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--state", default=os.path.join(tempfile.gettempdir(), "opencode-bench-state"))
    parser.add_argument("--no-wait", action="store_true", help="skip the wait phase (halves the time at 100 sessions)")
    parser.add_argument("--export")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="opencode-serve."))
    counts = [int(x) for x in args.sessions.split(',')]
    # Turns per session: the warm-up, then every round's prompts of every count it takes part in (the pool's first
    # session takes part in all).
    peer = Peer(args.opencode, Path(args.state), work, args.rounds * sum(2 * max(2, math.ceil(args.requests / n)) for n in counts) + 8)
    results: dict = {}
    rss: dict = {}
    version = subprocess.run([args.opencode, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"opencode {version}: serve ready in {peer.ready_s:.2f} s on 127.0.0.1:{peer.port}", file=sys.stderr)
    pool: list[Session] = []
    try:
        rss["none"] = tree_rss(peer.process.pid, {})
        for n in sorted(counts):
            print(f"opencode serve: memory, {n} session(s)", file=sys.stderr)
            new = [Session(peer) for _ in range(n - len(pool))]
            run_clients(new, 1, Session.send_wait)  # warm-up (and opencode's title request)
            pool += new
            rss[n] = tree_rss(peer.process.pid, {})
        for r in range(args.rounds):
            for n in counts:
                print(f"opencode serve: round {r + 1}, {n} session(s)", file=sys.stderr)
                sessions = pool[:n]
                per = max(2, math.ceil(args.requests / n))
                entry = results.setdefault(n, {"wait": [], "accepted": [], "first_event": [], "ended": [], "wait_rps": [], "event_rps": []})
                if not args.no_wait:
                    samples, wall = run_clients(sessions, per, Session.send_wait)
                    entry["wait"] += samples
                    entry["wait_rps"].append(len(samples) / wall)
                samples, wall = run_clients(sessions, per, Session.send_first_event)
                for i, key in enumerate(("accepted", "first_event", "ended")):
                    entry[key] += [s[i] for s in samples]
                entry["event_rps"].append(len(samples) / wall)
        rss["peak"] = peak_rss(peer.process.pid)
    except (Failure, OSError, http.client.HTTPException) as failure:
        print(f"opencode serve: FAILED: {failure!r}", file=sys.stderr)
        return 1
    finally:
        for s in pool:
            s.conn.close()
        peer.stop()
    mib = 1024 * 1024
    memory = {"rss_none_mib": round(rss["none"] / mib, 1), "peak_rss_mib": round(rss["peak"] / mib, 1),
              "open": {str(n): {"rss_mib": round(rss[n] / mib, 1), "per_session_kib": round((rss[n] - rss["none"]) / n / 1024, 1)}
                       for n in sorted(counts)}}
    table = {}
    for n, e in sorted(results.items()):
        row = {"sessions": n, "runs": len(e["wait"]) + len(e["first_event"])}
        for key in ("wait", "accepted", "first_event", "ended"):
            row[key] = ({"p50_ms": round(statistics.median(e[key]) * 1000, 2), "p99_ms": round(percentile(e[key], 99) * 1000, 2),
                         "samples": len(e[key])} if e[key] else {"p50_ms": None, "p99_ms": None, "samples": 0})
        row["wait_rps"] = round(statistics.median(e["wait_rps"]), 1) if e["wait_rps"] else None
        row["event_rps"] = round(statistics.median(e["event_rps"]), 1)
        table[str(n)] = row
    if args.export:
        Path(args.export).write_text(json.dumps({"peer": "opencode serve", "version": version, "sessions": table, "memory": memory,
                                                 "ready_s": round(peer.ready_s, 2), "cores": os.cpu_count(),
                                                 "loadavg": os.getloadavg()}, indent=2))

    def cell(row: dict, key: str, p: str, width: int) -> str:
        value = row[key][p]
        return f"{'-' if value is None else value:>{width}}"

    print(f"{'sessions':>8} {'wait p50':>9} {'wait p99':>9} {'202 p50':>8} {'first p50':>9} {'first p99':>9} {'idle p50':>9} {'idle p99':>9} {'runs/s':>7}")
    for n, row in table.items():
        print(f"{n:>8} {cell(row, 'wait', 'p50_ms', 9)} {cell(row, 'wait', 'p99_ms', 9)} {cell(row, 'accepted', 'p50_ms', 8)} "
              f"{cell(row, 'first_event', 'p50_ms', 9)} {cell(row, 'first_event', 'p99_ms', 9)} {cell(row, 'ended', 'p50_ms', 9)} "
              f"{cell(row, 'ended', 'p99_ms', 9)} {row['event_rps']:>7}")
    print(f"memory: RSS {memory['rss_none_mib']} MiB with no session, peak {memory['peak_rss_mib']} MiB (the main process)")
    for n, row in memory["open"].items():
        print(f"{n:>8} sessions: RSS {row['rss_mib']:>8} MiB, {row['per_session_kib']:>8} KiB per session")
    return 0


if __name__ == "__main__":
    sys.exit(main())
