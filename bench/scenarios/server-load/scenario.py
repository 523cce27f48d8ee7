#!/usr/bin/env python3
"""Scenario 'server-load': `agent serve` with the scripted model under N concurrent sessions (stdlib only).

  scenario.py --agent AGENT [--agent AGENT ...] [--sessions 1,100,1000] [--store auto|sqlite|postgres|sqlite,postgres]
              [--requests 400] [--rounds 3] [--export FILE]

AGENT is the agent executable (or agent.dll, run with `dotnet`), optionally named: LABEL=PATH. With several --agent
(bench/run.sh --compare gives old=… and new=…), every build gets its own server, all started before timing, and each
round measures every session count on every build in turn (the build order alternating), so load from elsewhere
falls on all of them alike; the export then holds {"agents": {LABEL: <the single-agent export>}}. --store picks the
session store: SQLite (the default store, in the server's AGENT_HOME) and/or PostgreSQL (bench/lib/postgres_server.py
starts a throwaway PostgreSQL server on a free 127.0.0.1 port, one database per server, given as server.store through
AGENT_SERVER__STORE); with both, each build gets one server per store, labelled by the store (LABEL-STORE with several
builds), all interleaved the same way. Starts `AGENT serve --port 0` on 127.0.0.1 in a
temporary folder (its own AGENT_HOME, CI=true, a token through --token-env) with `--plugin scripted
--no-default-plugins` and a generated script of one-step answers (one turn per prompt), waits for "agent serve:
ready", then measures memory: the RSS of the server with no session open, then with sessions opened cumulatively up
to each N (each sent one prompt), per session = (RSS with N - RSS with none) / N, and closes them
(POST /v1/sessions/{id}/close); the peak RSS (VmHWM) is read at the end. Then for each N in --sessions (the rounds
rotate their order):

  1. creates N sessions (POST /v1/sessions) and sends each one untimed prompt (warm-up);
  2. "wait": one client thread per session sends prompts back to back with POST .../messages?wait=true and
     times send -> 200 (the run ended); --requests prompts in all per round (at least 2 per session);
  3. "first event" (when the server has the SSE endpoints): each session's client opens GET
     /v1/sessions/{id}/events first (a reader thread timestamps every frame as it arrives), then sends prompts
     without wait and times send -> 202 and send -> the run's `run.accepted` event (the first event of the run) and
     -> its `run.ended`; the next prompt goes after `run.ended`. It also checks that every run's events arrive with
     increasing ids and that each run has run.accepted, run.started ... run.ended in that order (events without a
     runId that arrive before a run's run.accepted are the previous run's last ones and are skipped);
  4. closes the N sessions on the server, so the next count starts with none open.

Reports per N: runs/s (completed runs / wall time of the phase, median over rounds), p50/p99 latency (all samples of
all rounds), and ratios against N=1 measured in the same run. Every request must succeed (2xx) and every run must
complete with the scripted answer, or the figures are withheld (exit 1). 127.0.0.1 only; bounded loops.

bench/run.sh runs it as "server-load" against the published release build and adds "server_load" to latest.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import queue
import shutil
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
from postgres_server import PostgresServer, find_bin  # noqa: E402  (bench/lib)
from procmem import peak_rss, tree_rss  # noqa: E402  (bench/lib)

TOKEN = "bench-token-0123456789abcdef"
READY = "agent serve: ready"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[rank]


class Server:
    def __init__(self, agent: str, work: Path, turns: int, store: str | None = None) -> None:
        self.work = work
        root = work / "project"
        root.mkdir(parents=True)
        (root / "README.md").write_text("# bench\n")
        script = work / "script.yaml"
        script.write_text("turns:\n" + "".join(f"  - text: answer {i}\n" for i in range(turns)))
        env = dict(os.environ, AGENT_HOME=str(work / "home"), CI="true", BENCH_TOKEN=TOKEN, OPENAI_API_KEY="", ANTHROPIC_API_KEY="")
        if store is not None:
            env["AGENT_SERVER__STORE"] = store  # server.store: the PostgreSQL store (unset: SQLite in AGENT_HOME)
        agent = os.path.abspath(agent) if os.path.sep in agent else agent
        command = ["dotnet", agent] if agent.endswith(".dll") else [agent]
        command += ["serve", "--port", "0", "--token-env", "BENCH_TOKEN", "--plugin", "scripted", "--no-default-plugins",
                    "--model", f"scripted/{script}"]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.port = 0
        self.can_close = True
        deadline = time.monotonic() + 120
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                raise RuntimeError("agent serve ended before it was ready:\n" + "".join(seen))
            seen.append(line)
            if " on http://" in line:
                address = line[line.index("http://") + 7:].split()[0].rstrip("/")
                self.port = int(address.rsplit(":", 1)[1])
            if READY in line:
                break
        else:
            raise RuntimeError("agent serve was not ready within 120 s:\n" + "".join(seen))
        # Drain stderr so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {TOKEN}", "Host": f"127.0.0.1:{self.port}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read()
        return response.status, (json.loads(text) if text else {})

    def stop(self) -> None:
        # SIGTERM, not SIGINT: a shell starts background jobs with SIGINT ignored, and the server inherits that.
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Failure(Exception):
    pass


def check(status: int, body: dict, expected: int, what: str) -> dict:
    if status != expected:
        raise Failure(f"{what}: {status} (expected {expected}): {json.dumps(body)[:400]}")
    return body


class Session:
    """One session and its client: a connection for requests and, for the event phase, a reader thread."""

    def __init__(self, server: Server, sid: str) -> None:
        self.server = server
        self.id = sid
        self.conn = server.connect()
        self.prompts = 0
        self.events: queue.Queue = queue.Queue()
        self.stream: http.client.HTTPConnection | None = None
        self.last_id = 0
        self.order_errors: list[str] = []

    def answer(self) -> str:
        return f"answer {self.prompts}"

    def send_wait(self) -> float:
        start = time.perf_counter()
        status, run = self.server.request(self.conn, "POST", f"/v1/sessions/{self.id}/messages?wait=true", {"prompt": "next"})
        elapsed = time.perf_counter() - start
        check(status, run, 200, f"send (wait) to {self.id}")
        if run.get("status") != "completed" or run.get("finalText") != self.answer():
            raise Failure(f"run {run.get('id')} of {self.id}: {run.get('status')} {run.get('finalText')!r} (expected {self.answer()!r}): {run.get('reason')}")
        self.prompts += 1
        return elapsed

    def open_events(self) -> bool:
        conn = self.server.connect()
        conn.request("GET", f"/v1/sessions/{self.id}/events", headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream",
                                                                       "Host": f"127.0.0.1:{self.server.port}"})
        response = conn.getresponse()
        if response.status != 200:
            response.read()
            conn.close()
            return False
        self.stream = conn
        ready = threading.Event()
        threading.Thread(target=self._read, args=(response, ready), daemon=True).start()
        ready.wait(30)
        return True

    def _read(self, response, ready: threading.Event) -> None:
        event_id, event_type, data = None, None, None
        ready.set()  # the response headers arrived: the stream is subscribed
        try:
            while True:
                line = response.readline()
                if not line:
                    return
                now = time.perf_counter()
                text = line.decode().rstrip("\r\n")
                if text.startswith("id:"):
                    event_id = int(text[3:].strip())
                elif text.startswith("event:"):
                    event_type = text[6:].strip()
                elif text.startswith("data:"):
                    data = text[5:].strip()
                elif text == "" and event_type is not None:
                    if event_id is not None:
                        if event_id <= self.last_id:
                            self.order_errors.append(f"id {event_id} after {self.last_id}")
                        self.last_id = event_id
                    self.events.put((now, event_type, json.loads(data) if data else {}))
                    event_id, event_type, data = None, None, None
        except (OSError, ValueError, AttributeError):  # the stream was closed (AttributeError: by close() while reading)
            return

    def send_first_event(self) -> tuple[float, float, float]:
        start = time.perf_counter()
        status, run = self.server.request(self.conn, "POST", f"/v1/sessions/{self.id}/messages", {"prompt": "next"})
        accepted_at = time.perf_counter()
        check(status, run, 202, f"send to {self.id}")
        run_id = run["id"]
        first = ended = None
        types = []
        leftovers = []
        while ended is None:
            try:
                at, kind, data = self.events.get(timeout=120)
            except queue.Empty:
                raise Failure(f"run {run_id} of {self.id}: no run.ended within 120 s (saw {types}, before run.accepted {leftovers})") from None
            if data.get("runId") not in (None, run_id):
                continue
            if first is None:
                if kind != "run.accepted":
                    # Events without a runId (run.started, step.completed, …) published before this run's run.accepted:
                    # the previous run's last events, which the server's event log may append after that run's
                    # `wait=true` answer (the bus delivers to the log on its own pump) and so after the stream opened.
                    # This run's own events come after its run.accepted (checked below: run.started must follow it).
                    leftovers.append(kind)
                    continue
                first = at
            types.append(kind)
            if kind == "run.ended":
                if data.get("status") != "completed":
                    raise Failure(f"run {run_id} of {self.id} ended {data.get('status')}: {data.get('reason')}")
                ended = at
        if "run.started" not in types:
            raise Failure(f"run {run_id} of {self.id}: no run.started between its run.accepted and run.ended (saw {types}; "
                          f"before run.accepted: {leftovers})")
        self.prompts += 1
        return accepted_at - start, first - start, ended - start

    def close_on_server(self, conn: http.client.HTTPConnection) -> None:
        """POST /v1/sessions/{id}/close on conn: the server releases the session (its history stays). A build from before
        the endpoint (404 for the route, --compare against an old commit) keeps its sessions open, as it always did."""
        if not self.server.can_close:
            return
        status, body = self.server.request(conn, "POST", f"/v1/sessions/{self.id}/close")
        if status == 404 and (body.get("kind") != "not_found" or "no such endpoint" in str(body.get("error"))):
            self.server.can_close = False
            return
        check(status, body, 200, f"close {self.id}")

    def close(self) -> None:
        self.conn.close()
        if self.stream is not None:
            # Shut the socket down first: that wakes the reader thread blocked in readline, which holds the response's
            # buffer lock that close() needs (without it, close waits for the next heartbeat, 15 s).
            if self.stream.sock is not None:
                try:
                    self.stream.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.stream.close()


def run_clients(sessions: list[Session], per_session: int, work) -> tuple[list, float]:
    """bench/lib/clients.run_clients with this script's failures."""
    return clients.run_clients(sessions, per_session, work, (Failure, OSError, http.client.HTTPException), Failure)


def open_sessions(server: Server, n: int) -> list[Session]:
    admin = server.connect()
    sessions = []
    for _ in range(n):
        status, body = server.request(admin, "POST", "/v1/sessions", {})
        sessions.append(Session(server, check(status, body, 201, "create session")["id"]))
    admin.close()
    return sessions


def close_sessions(sessions: list[Session], on_server: bool) -> None:
    # A fresh connection: a session's own may have sat idle past the server's keep-alive timeout while the others ran.
    admin = sessions[0].server.connect() if on_server and sessions else None
    try:
        for session in sessions:
            if admin is not None:
                session.close_on_server(admin)
            session.close()
    finally:
        if admin is not None:
            admin.close()


def memory(server: Server, counts: list[int]) -> dict:
    """Server memory per open session, before any timed round: the RSS with no session open (the server ready, its
    own root's engine loaded), then sessions opened cumulatively up to each N, each one sent one prompt (so it holds
    what a used session holds), and the RSS read again: (RSS with N open - RSS with none) / N. All closed after."""
    rss = {"none": tree_rss(server.process.pid, {})}
    sessions: list[Session] = []
    try:
        for n in sorted(counts):
            new = open_sessions(server, n - len(sessions))
            sessions += new
            run_clients(new, 1, Session.send_wait)
            rss[n] = tree_rss(server.process.pid, {})
    finally:
        close_sessions(sessions, on_server=True)
    rss["after_close"] = tree_rss(server.process.pid, {})
    return rss


def measure(server: Server, n: int, requests: int, use_events: bool, results: dict, wait_phase: bool = True) -> None:
    sessions = open_sessions(server, n)
    per_session = max(2, math.ceil(requests / n))
    try:
        run_clients(sessions, 1, Session.send_wait)  # warm-up
        entry = results.setdefault(n, {"wait": [], "wait_rps": [], "accepted": [], "first_event": [], "ended": [], "event_rps": [],
                                       "rounds": {"wait": [], "accepted": [], "first_event": [], "ended": []}})
        if wait_phase:
            samples, wall = run_clients(sessions, per_session, Session.send_wait)
            entry["wait"] += samples
            entry["rounds"]["wait"].append(samples)
            entry["wait_rps"].append(len(samples) / wall)
        if use_events:
            for session in sessions:
                if not session.open_events():
                    raise Failure(f"GET /v1/sessions/{session.id}/events did not answer 200")
            samples, wall = run_clients(sessions, per_session, Session.send_first_event)
            entry["accepted"] += [s[0] for s in samples]
            entry["first_event"] += [s[1] for s in samples]
            entry["ended"] += [s[2] for s in samples]
            for i, key in enumerate(("accepted", "first_event", "ended")):
                entry["rounds"][key].append([s[i] for s in samples])
            entry["event_rps"].append(len(samples) / wall)
            disorder = [e for s in sessions for e in s.order_errors]
            if disorder:
                raise Failure(f"event ids out of order: {disorder[:3]}")
        # Release them on the server too, so the next session count starts with none open.
        close_sessions(sessions, on_server=True)
        sessions = []
    finally:
        close_sessions(sessions, on_server=False)


def has_events(server: Server) -> bool:
    conn = server.connect()
    status, body = server.request(conn, "POST", "/v1/sessions", {})
    check(status, body, 201, "create session")
    probe = Session(server, body["id"])
    try:
        return probe.open_events()
    finally:
        probe.close_on_server(conn)
        probe.close()
        conn.close()


def summary(results: dict) -> dict:
    out = {}
    base = results[min(results)]
    for n, entry in sorted(results.items()):
        row = {"sessions": n, "runs": len(entry["wait"]) + len(entry["first_event"])}
        for key in ("wait", "accepted", "first_event", "ended"):
            if entry[key]:
                row[key] = {"p50_ms": round(statistics.median(entry[key]) * 1000, 2), "p99_ms": round(percentile(entry[key], 99) * 1000, 2),
                            "samples": len(entry[key])}
                row[key]["p50_ratio_vs_1"] = round(statistics.median(entry[key]) / statistics.median(base[key]), 2)
                rounds = entry["rounds"][key]
                row[key]["p50_ms_by_round"] = [round(statistics.median(r) * 1000, 2) for r in rounds]
                row[key]["p99_ms_by_round"] = [round(percentile(r, 99) * 1000, 2) for r in rounds]
        for key in ("wait_rps", "event_rps"):
            if entry[key]:
                row[key] = round(statistics.median(entry[key]), 1)
                row[key + "_ratio_vs_1"] = round(statistics.median(entry[key]) / statistics.median(base[key]), 2)
        out[str(n)] = row
    return out


def memory_summary(rss: dict, peak: int) -> dict:
    mib = 1024 * 1024
    out = {"rss_none_mib": round(rss["none"] / mib, 1), "rss_after_close_mib": round(rss["after_close"] / mib, 1),
           "peak_rss_mib": round(peak / mib, 1), "open": {}}
    for n, value in rss.items():
        if isinstance(n, int):
            out["open"][str(n)] = {"rss_mib": round(value / mib, 1),
                                   "per_session_kib": round((value - rss["none"]) / n / 1024, 1)}
    return out


def print_memory(mem: dict) -> None:
    print(f"memory: RSS {mem['rss_none_mib']} MiB with no session open, peak {mem['peak_rss_mib']} MiB, "
          f"{mem['rss_after_close_mib']} MiB after closing them")
    for n, row in mem["open"].items():
        print(f"{n:>8} open: RSS {row['rss_mib']:>8} MiB, {row['per_session_kib']:>8} KiB per session")


def print_table(table: dict) -> None:
    print(f"{'sessions':>8} {'runs/s (wait)':>14} {'x vs 1':>7} {'p50 ms':>8} {'p99 ms':>8}   {'runs/s (sse)':>12} {'p50 202':>8} {'p50 first':>9} {'p99 first':>9} {'x vs 1':>7} {'p50 end':>8}")
    for row in table.values():
        first = row.get("first_event", {})
        wait = row.get("wait", {})
        print(f"{row['sessions']:>8} {row.get('wait_rps', '-'):>14} {row.get('wait_rps_ratio_vs_1', '-'):>7} {wait.get('p50_ms', '-'):>8} {wait.get('p99_ms', '-'):>8}   "
              f"{row.get('event_rps', '-'):>12} {row.get('accepted', {}).get('p50_ms', '-'):>8} {first.get('p50_ms', '-'):>9} {first.get('p99_ms', '-'):>9} "
              f"{first.get('p50_ratio_vs_1', '-'):>7} {row.get('ended', {}).get('p50_ms', '-'):>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True, action="append", help="PATH or LABEL=PATH; repeat to interleave builds")
    parser.add_argument("--sessions", default="1,100,1000")
    parser.add_argument("--store", default="auto",
                        help="sqlite (the default store), postgres (a throwaway PostgreSQL server, server.store: postgres://…), "
                             "sqlite,postgres (one server each, timed side by side), or auto (the default: both where "
                             "PostgreSQL's programs are installed, else sqlite)")
    parser.add_argument("--requests", type=int, default=400, help="prompts per phase and round, spread over the sessions")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-wait", action="store_true", help="skip the wait=true phase (halves the time; the event phase gives runs/s too)")
    parser.add_argument("--export")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]
    if args.store == "auto":
        args.store = "sqlite,postgres" if find_bin() else "sqlite"
        if args.store == "sqlite":
            print("server-load: PostgreSQL's programs (Debian package 'postgresql') are not installed: SQLite store only", file=sys.stderr)
    stores = args.store.split(",")
    if not stores or any(s not in ("sqlite", "postgres") for s in stores):
        parser.error(f"--store {args.store}: give sqlite, postgres or sqlite,postgres")
    builds = {}
    for i, spec in enumerate(args.agent):
        label, _, path = spec.partition("=") if "=" in spec else (f"agent{i + 1}" if len(args.agent) > 1 else "agent", "", spec)
        builds[label] = path
    # One server per build and store; labelled by the build alone when there is one store (what --compare reads).
    agents = {(label if len(stores) == 1 else store if len(builds) == 1 else f"{label}-{store}"): (path, store)
              for label, path in builds.items() for store in stores}
    work = Path(tempfile.mkdtemp(prefix="agent-server-load."))
    turns = args.rounds * sum(2 * max(2, math.ceil(args.requests / n)) + 2 for n in counts) + 4
    servers: dict[str, Server] = {}
    results: dict[str, dict] = {label: {} for label in agents}
    memories: dict[str, dict] = {}
    peaks: dict[str, int] = {}
    postgres: PostgresServer | None = None
    try:
        if "postgres" in stores:
            postgres = PostgresServer.start(max_connections=max(300, 2 * len(builds) * 100 + 50))
            print(f"server-load: {postgres.version} on 127.0.0.1:{postgres.port}", file=sys.stderr)
        for label, (path, store) in agents.items():
            (work / label).mkdir()
            uri = postgres.uri(f"bench_{label.replace('-', '_')}") if store == "postgres" else None
            servers[label] = Server(path, work / label, turns, uri)
        use_events = all(has_events(server) for server in servers.values())
        for label, server in servers.items():
            print(f"server-load: {label}: agent serve on 127.0.0.1:{server.port}; SSE endpoints: "
                  f"{'yes' if use_events else 'no (send -> 202 not timed)'}", file=sys.stderr)
        for label, server in servers.items():
            print(f"server-load: {label}: memory with 0, {', '.join(map(str, sorted(counts)))} sessions open", file=sys.stderr)
            memories[label] = memory(server, counts)
        labels = list(agents)
        for r in range(args.rounds):
            order = counts[r % len(counts):] + counts[:r % len(counts)]
            for j, n in enumerate(order):
                for label in (labels if (r + j) % 2 == 0 else labels[::-1]):
                    print(f"server-load: round {r + 1}/{args.rounds}, {n} session(s){', ' + label if len(labels) > 1 else ''}", file=sys.stderr)
                    measure(servers[label], n, args.requests, use_events, results[label], wait_phase=not args.no_wait)
        for label, server in servers.items():
            peaks[label] = peak_rss(server.process.pid)
    except (Failure, RuntimeError, OSError, http.client.HTTPException) as failure:
        print(f"server-load: FAILED, figures withheld: {failure!r}", file=sys.stderr)
        return 1
    finally:
        for server in servers.values():
            server.stop()
        if postgres is not None:
            postgres.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    exports = {}
    for label in agents:
        table = summary(results[label])
        if len(agents) > 1:
            print(f"{label}: {agents[label][0]} (store: {agents[label][1]})")
        print_table(table)
        mem = memory_summary(memories[label], peaks[label])
        print_memory(mem)
        exports[label] = {"sessions": table, "rounds": args.rounds, "requests": args.requests, "events": use_events,
                          "store": agents[label][1], "memory": mem, "cores": os.cpu_count(),
                          "loadavg": os.getloadavg()}
    if args.export:
        export = next(iter(exports.values())) if len(agents) == 1 else {"agents": exports}
        Path(args.export).write_text(json.dumps(export, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
