#!/usr/bin/env python3
"""Scenario 'cluster-load': `agent serve --cluster` with one node against three nodes (issue #46; stdlib only).

  scenario.py --agent AGENT [--sessions 300] [--clients 60] [--delay-ms 200] [--rounds 3] [--probe-timeouts 5,2] [--export FILE]

Starts a throwaway PostgreSQL server (bench/lib/postgres_server.py) and, on their own databases, a cluster of one node
and a cluster of three nodes (`AGENT serve --cluster --port 0 --plugin scripted --no-default-plugins`, each node its
own AGENT_HOME, all nodes of a cluster one shared workspace), all started before timing. The scripted model answers
each prompt in one step after --delay-ms (a model's latency: the step is in flight, nothing burns CPU). Each round
measures both clusters in turn (the order alternating, so load from elsewhere falls on both alike):

  1. sessions/s: --sessions sessions created by --clients threads, round-robin over the cluster's nodes;
  2. runs/s: every session sent prompts with wait=true, by --clients threads, each to the node that created it;
  3. send -> first event: for 30 sessions, the session's stream is open on the node that holds it ("same") and on
     another node ("other", three nodes only); a prompt (202) is timed to its run.accepted on each stream;
  4. memory: the RSS of every node after the round, per node and per open session;
  then closes the sessions.

After the rounds, failover on the three-node cluster: 30 sessions held by the third node each start a run (delayed 3 s,
so it is in flight) with its stream open on the first node; SIGKILL of the third node; each session is then sent a prompt
through the first node until one is accepted and ends completed: failover = kill -> that prompt's acceptance, per
session (p50/p99/max). Events lost: every run that completed before the kill must have all of its events in the journal
(replayed on a live node: run.accepted, run.started, run.ended); a lost run must be announced (events.gap, then its
run.ended interrupted). The failover is measured once per --probe-timeouts value (server.cluster.probe_timeout, how
often nodes probe each other: Orleans' default is 5 s, the node's 2 s), each on a fresh three-node cluster, so the
setting is compared with its reference in one run. Nodes declared dead: after the rounds (under load) none may be, after
a failover only the killed one — a live node declared dead would be a false alarm of the probes. 127.0.0.1 only; every
request must succeed, or the figures are withheld (exit 1).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))
from postgres_server import PostgresServer, find_bin  # noqa: E402  (bench/lib)
from procmem import tree_rss  # noqa: E402  (bench/lib)

TOKEN = "bench-token-0123456789abcdef"
READY = "agent serve: ready"
STREAM_SAMPLES = 30


class Failure(Exception):
    pass


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def check(status: int, body: dict, expected: int, what: str) -> dict:
    if status != expected:
        raise Failure(f"{what}: {status} (expected {expected}): {json.dumps(body)[:400]}")
    return body


class Node:
    """One `agent serve --cluster` process."""

    def __init__(self, agent: str, home: Path, root: Path, script: Path, store: str, probe_timeout: float | None = None) -> None:
        env = dict(os.environ, AGENT_HOME=str(home), CI="true", BENCH_TOKEN=TOKEN, OPENAI_API_KEY="", ANTHROPIC_API_KEY="",
                   AGENT_SERVER__STORE=store)
        if probe_timeout is not None:
            env["AGENT_SERVER__CLUSTER__PROBE_TIMEOUT"] = str(probe_timeout)
        agent = os.path.abspath(agent) if os.path.sep in agent else agent
        command = (["dotnet", agent] if agent.endswith(".dll") else [agent]) + [
            "serve", "--cluster", "--port", "0", "--token-env", "BENCH_TOKEN", "--plugin", "scripted", "--no-default-plugins",
            "--model", f"scripted/{script}"]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.port = 0
        seen = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                raise RuntimeError("agent serve --cluster ended before it was ready:\n" + "".join(seen))
            seen.append(line)
            if " on http://" in line:
                self.port = int(line[line.index("http://") + 7:].split()[0].rstrip("/").rsplit(":", 1)[1])
            if READY in line:
                break
        else:
            raise RuntimeError("agent serve --cluster was not ready within 180 s:\n" + "".join(seen))
        self.log = home / "stderr.log"  # kept for a failure's diagnosis (the work folder stays when the figures are withheld)
        threading.Thread(target=self._keep_log, daemon=True).start()

    def _keep_log(self) -> None:
        with self.log.open("a") as log:
            for line in self.process.stderr:
                log.write(line)
                log.flush()

    def connect(self, timeout: float = 180) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read()
        return response.status, (json.loads(text) if text else {})

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        conn = self.connect()
        try:
            return self.request(conn, method, path, body)
        finally:
            conn.close()

    def rss(self) -> int:
        return tree_rss(self.process.pid, {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Stream:
    """A session's SSE stream on one node, read by a thread: (arrival time, id, type, data) per event."""

    def __init__(self, node: Node, session: str, after: int | None = None) -> None:
        self.events: list[tuple[float, int, str, dict]] = []
        self.changed = threading.Condition()
        self.conn = node.connect(timeout=None)
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream"}
        self.conn.request("GET", f"/v1/sessions/{session}/events" + ("" if after is None else f"?after={after}"), headers=headers)
        response = self.conn.getresponse()
        if response.status != 200:
            raise Failure(f"stream of {session}: {response.status} {response.read()[:300]!r}")
        threading.Thread(target=self._read, args=(response,), daemon=True).start()

    def _read(self, response) -> None:
        event_id, kind, data = None, None, None
        try:
            while True:
                line = response.readline()
                if not line:
                    return
                text = line.decode().rstrip("\r\n")
                if text.startswith("id:"):
                    event_id = int(text[3:].strip())
                elif text.startswith("event:"):
                    kind = text[6:].strip()
                elif text.startswith("data:"):
                    data = text[5:].strip()
                elif text == "" and kind is not None:
                    with self.changed:
                        self.events.append((time.perf_counter(), event_id or 0, kind, json.loads(data) if data else {}))
                        self.changed.notify_all()
                    event_id, kind, data = None, None, None
        except (OSError, ValueError, AttributeError):
            return

    def until(self, kind: str, run: str, timeout: float = 180) -> tuple[float, int, str, dict]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for event in self.events:
                    if event[2] == kind and event[3].get("runId") == run:
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(f"no {kind} of run {run} within {timeout} s (saw {[e[2] for e in self.events][-8:]})")
                self.changed.wait(left)

    def close(self) -> None:
        try:
            self.conn.sock.shutdown(2)
        except (OSError, AttributeError):
            pass
        self.conn.close()


class Cluster:
    def __init__(self, name: str, agent: str, work: Path, pg: PostgresServer, nodes: int, script: Path,
                 probe_timeout: float | None = None) -> None:
        self.name = name
        root = work / name / "workspace"
        root.mkdir(parents=True)
        (root / "README.md").write_text("# bench\n")
        store = pg.uri(name)
        self.nodes: list[Node] = []
        for i in range(nodes):  # one after another: the first creates the schema (the others would wait for its lock)
            home = work / name / f"home-{i}"
            home.mkdir()
            self.nodes.append(Node(agent, home, root, script, store, probe_timeout))

    def declared_dead(self) -> int:
        """How many nodes the membership table (GET /v1/cluster on the first node) has as dead."""
        status, view = self.nodes[0].call("GET", "/v1/cluster")
        return sum(1 for n in check(status, view, 200, "GET /v1/cluster")["nodes"] if n["status"] == "dead")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def parallel(work, items: list, clients: int) -> list:
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(work, items))


def create(cluster: Cluster, count: int, clients: int) -> tuple[list[tuple[str, int]], float]:
    def one(i: int) -> tuple[str, int]:
        node = i % len(cluster.nodes)
        status, body = cluster.nodes[node].call("POST", "/v1/sessions", {})
        return check(status, body, 201, f"create on node {node}")["id"], node

    start = time.perf_counter()
    sessions = parallel(one, list(range(count)), clients)
    return sessions, time.perf_counter() - start


def runs(cluster: Cluster, sessions: list[tuple[str, int]], clients: int) -> tuple[float, list[float]]:
    def one(session: tuple[str, int]) -> float:
        sid, node = session
        start = time.perf_counter()
        status, run = cluster.nodes[node].call("POST", f"/v1/sessions/{sid}/messages?wait=true", {"prompt": "next"})
        check(status, run, 200, f"send to {sid}")
        if run.get("status") != "completed":
            raise Failure(f"run {run.get('id')} of {sid}: {run.get('status')}: {run.get('reason')}")
        return time.perf_counter() - start

    start = time.perf_counter()
    latencies = parallel(one, sessions, clients)
    return len(sessions) / (time.perf_counter() - start), latencies


def first_events(cluster: Cluster, sessions: list[tuple[str, int]]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"same": [], "other": []}
    for sid, node in sessions[:STREAM_SAMPLES]:
        streams = {"same": Stream(cluster.nodes[node], sid)}
        if len(cluster.nodes) > 1:
            streams["other"] = Stream(cluster.nodes[(node + 1) % len(cluster.nodes)], sid)
        try:
            time.sleep(0.05)  # both subscribed (the headers came back) before the send
            start = time.perf_counter()
            status, run = cluster.nodes[node].call("POST", f"/v1/sessions/{sid}/messages", {"prompt": "next"})
            check(status, run, 202, f"send to {sid}")
            for where, stream in streams.items():
                samples[where].append(stream.until("run.accepted", run["id"])[0] - start)
            for stream in streams.values():
                stream.until("run.ended", run["id"])
        finally:
            for stream in streams.values():
                stream.close()
    return samples


def close(cluster: Cluster, sessions: list[tuple[str, int]], clients: int) -> None:
    def one(session: tuple[str, int]) -> None:
        sid, node = session
        status, body = cluster.nodes[node].call("POST", f"/v1/sessions/{sid}/close")
        check(status, body, 200, f"close {sid}")

    parallel(one, sessions, clients)


def round_of(cluster: Cluster, args, results: dict) -> None:
    sessions, created = create(cluster, args.sessions, args.clients)
    rate, latencies = runs(cluster, sessions, args.clients)
    streams = first_events(cluster, sessions)
    memory = [node.rss() for node in cluster.nodes]
    close(cluster, sessions, args.clients)
    entry = results.setdefault(cluster.name, {"sessions_per_s": [], "runs_per_s": [], "wait": [], "same": [], "other": [], "rss": []})
    entry["sessions_per_s"].append(args.sessions / created)
    entry["runs_per_s"].append(rate)
    entry["wait"] += latencies
    entry["same"] += streams["same"]
    entry["other"] += streams["other"]
    entry["rss"].append(memory)
    print(f"  {cluster.name}: {args.sessions / created:.1f} sessions/s, {rate:.1f} runs/s, "
          f"first event same {statistics.median(streams['same']) * 1000:.0f} ms"
          + (f", other {statistics.median(streams['other']) * 1000:.0f} ms" if streams["other"] else "")
          + f", RSS per node {', '.join(f'{m / 2**20:.0f}' for m in memory)} MiB", flush=True)


def failover(cluster: Cluster, clients: int) -> dict:
    """SIGKILL of the third node with runs in flight on it; failover and lost events, as the module says."""
    a, victim = cluster.nodes[0], cluster.nodes[2]
    sessions = []
    for _ in range(STREAM_SAMPLES):
        status, body = victim.call("POST", "/v1/sessions", {})
        sessions.append(check(status, body, 201, "create on the third node")["id"])
    # A completed run each first (its events must all survive), then a slow one in flight at the kill.
    for sid in sessions:
        status, run = victim.call("POST", f"/v1/sessions/{sid}/messages?wait=true", {"prompt": "next"})
        check(status, run, 200, f"send to {sid}")
    streams = {sid: Stream(a, sid, after=0) for sid in sessions}
    in_flight = {}
    for sid in sessions:
        status, run = victim.call("POST", f"/v1/sessions/{sid}/messages", {"prompt": "slow"})
        in_flight[sid] = check(status, run, 202, f"send to {sid}")["id"]
    for sid, run in in_flight.items():
        streams[sid].until("run.accepted", run)  # in flight: its step waits 3 s for the model
    killed = time.perf_counter()
    os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait()

    def move(sid: str) -> tuple[float, int]:
        refusals = 0
        while True:
            status, body = a.call("POST", f"/v1/sessions/{sid}/messages", {"prompt": "next"})
            if status == 202:
                accepted = time.perf_counter() - killed
                streams[sid].until("run.ended", body["id"])
                return accepted, refusals
            if status != 409:
                raise Failure(f"moving {sid}: {status} {body}")
            refusals += 1
            if time.perf_counter() - killed > 300:
                raise Failure(f"{sid} did not move within 300 s: {body}")
            time.sleep(0.2)

    moved = parallel(move, sessions, clients)
    lost_events, unannounced = 0, 0
    for sid in sessions:
        replay = Stream(a, sid, after=0)
        try:
            last = max(e[1] for e in streams[sid].events)
            with replay.changed:
                replay.changed.wait_for(lambda: replay.events and replay.events[-1][1] >= last, timeout=60)
            kinds = [(e[2], e[3].get("runId")) for e in replay.events]
            # The completed run (the first): its run.accepted, then run.started, then its run.ended (completed).
            first = next((r for k, r in kinds if k == "run.accepted"), None)
            start = kinds.index(("run.accepted", first)) if first else -1
            end = kinds.index(("run.ended", first)) if ("run.ended", first) in kinds else -1
            if start < 0 or end < start or not any(k == "run.started" for k, _ in kinds[start:end]):
                lost_events += 1
            ended = [e for e in replay.events if e[2] == "run.ended" and e[3].get("runId") == in_flight[sid]]
            if not ended or (ended[0][3].get("status") == "interrupted" and not any(e[2] == "events.gap" for e in replay.events)):
                unannounced += 1
        finally:
            replay.close()
            streams[sid].close()
    times = [m[0] for m in moved]
    return {"nodes_declared_dead": cluster.declared_dead(), "sessions": len(sessions), "failover_p50_s": round(percentile(times, 50), 2), "failover_p99_s": round(percentile(times, 99), 2),
            "failover_max_s": round(max(times), 2), "refusals_per_session": round(sum(m[1] for m in moved) / len(moved), 1),
            "events_lost_from_completed_runs": lost_events, "losses_not_announced": unannounced}


def summary(results: dict) -> dict:
    table = {}
    for name, r in results.items():
        rss = [m for per_round in r["rss"] for m in per_round]
        table[name] = {
            "sessions_per_s": round(statistics.median(r["sessions_per_s"]), 1),
            "runs_per_s": round(statistics.median(r["runs_per_s"]), 1),
            "wait_p50_ms": round(percentile(r["wait"], 50) * 1000, 1),
            "wait_p99_ms": round(percentile(r["wait"], 99) * 1000, 1),
            "first_event_same_p50_ms": round(percentile(r["same"], 50) * 1000, 1),
            "first_event_same_p99_ms": round(percentile(r["same"], 99) * 1000, 1),
            "first_event_other_p50_ms": round(percentile(r["other"], 50) * 1000, 1) if r["other"] else None,
            "first_event_other_p99_ms": round(percentile(r["other"], 99) * 1000, 1) if r["other"] else None,
            "rss_per_node_mib": round(statistics.median(rss) / 2**20, 1),
        }
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe-timeouts", default="5,2", help="server.cluster.probe_timeout values to measure failover with")
    parser.add_argument("--export")
    args = parser.parse_args()
    if find_bin() is None:
        print("cluster-load: skipped: PostgreSQL's programs (initdb, pg_ctl) are not installed (Debian: apt-get install postgresql)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="agent-cluster-load."))
    turns = args.rounds * 2 + 10
    script = work / "script.yaml"
    script.write_text("turns:\n" + "".join(f"  - text: answer {i}\n    delay_ms: {args.delay_ms}\n" for i in range(turns)))
    slow = work / "slow.yaml"
    slow.write_text("turns:\n  - text: first\n  - text: slow\n    delay_ms: 3000\n" + "".join(f"  - text: after {i}\n" for i in range(4)))
    pg = PostgresServer.start(max_connections=800)
    clusters: list[Cluster] = []
    try:
        clusters = [Cluster("one", args.agent, work, pg, 1, script), Cluster("three", args.agent, work, pg, 3, script)]
        results: dict = {}
        for r in range(args.rounds):
            print(f"round {r + 1} of {args.rounds}", flush=True)
            for cluster in (clusters if r % 2 == 0 else list(reversed(clusters))):
                round_of(cluster, args, results)
        table = summary(results)
        table["three_vs_one_runs"] = round(table["three"]["runs_per_s"] / table["one"]["runs_per_s"], 2)
        table["three"]["nodes_declared_dead"] = clusters[1].declared_dead()
        for cluster in clusters:
            cluster.stop()
        table["failover"] = {}
        for probe in [float(p) for p in args.probe_timeouts.split(",")]:
            print(f"failover with probe_timeout {probe:g} s", flush=True)
            clusters = [Cluster(f"failover-{probe:g}".replace(".", "_"), args.agent, work, pg, 3, slow, probe)]
            table["failover"][f"probe_timeout_{probe:g}s"] = failover(clusters[0], args.clients)
            clusters[0].stop()
            clusters = []
        table["settings"] = {"sessions": args.sessions, "clients": args.clients, "delay_ms": args.delay_ms, "rounds": args.rounds,
                             "probe_timeouts": args.probe_timeouts,
                             "cpus": os.cpu_count(), "postgres": pg.version}
        print(json.dumps(table, indent=2))
        if args.export:
            Path(args.export).write_text(json.dumps(table, indent=2))
        return 0
    except Failure as failure:
        print(f"cluster-load: no figures: {failure} (the nodes' standard error: {work}/*/home-*/stderr.log)", file=sys.stderr)
        return 1
    finally:
        for cluster in clusters:
            cluster.stop()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
