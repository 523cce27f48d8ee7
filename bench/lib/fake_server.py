"""What the scripted model servers (openai_fake_server.py, anthropic_fake_server.py) share: the script state with its
counters and request log, the first-request record, the HTTP handler's plumbing and the command line (standard
library only). Each server adds its own wire format: how a request is checked against the script and how an answer
is streamed."""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable


class ExpectationFailed(Exception):
    """The request does not match the script; answered with HTTP 400 so the client's run fails."""


def write_atomically(path: str, text: str) -> None:
    tmp = path + ".tmp"
    Path(tmp).write_text(text, encoding="utf-8")
    Path(tmp).replace(path)


class ScriptState:
    """The script, the counters /bench/stats reports, and the files the harness reads."""

    def __init__(self, script: dict, first_request_file: str | None, log_file: str | None, verbose: bool,
                 counters: tuple[str, ...], requests_file: str | None = None, bodies_dir: str | None = None) -> None:
        self.script = script
        self.requests_file = requests_file
        self.bodies_dir = bodies_dir
        self.turns = script["turns"]
        self.first_request_file = first_request_file
        self.log_file = log_file
        self.verbose = verbose
        self.lock = threading.Lock()
        self.stats: dict = {name: 0 for name in ("requests", "chat_requests", "conversations_started",
                                                 "conversations_completed", "failures", *counters)}
        self.stats["last_failure"] = None

    def count(self, name: str, by: int = 1) -> int:
        with self.lock:
            self.stats[name] += by
            return self.stats[name]

    def chat_request(self) -> int:
        """Counts a request of the conversation; returns the conversations started so far (this one's number unless it is a turn 0)."""
        with self.lock:
            self.stats["chat_requests"] += 1
            return self.stats["conversations_started"]

    def log(self, record: dict) -> None:
        if self.verbose:
            print(json.dumps(record), file=sys.stderr, flush=True)
        if self.log_file:
            with self.lock, open(self.log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")

    def measured(self, record: dict, body: bytes) -> None:
        """Appends one request's size record (requestparts.py) to --requests FILE; keeps the body in --bodies DIR."""
        with self.lock, open(self.requests_file, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        if self.bodies_dir:
            Path(self.bodies_dir).mkdir(parents=True, exist_ok=True)
            (Path(self.bodies_dir) / f"c{record['conversation']:03d}-t{record['turn']:03d}.json").write_bytes(body)

    def start_conversation(self, arrived_mono: int, arrived_epoch: int) -> int:
        """Counts a conversation's first request (turn 0) and records its time for the harness; returns its number."""
        conversation = self.count("conversations_started")
        if self.first_request_file:
            write_atomically(self.first_request_file, json.dumps(
                {"conversation": conversation, "monotonic_ns": arrived_mono, "epoch_ns": arrived_epoch}) + "\n")
        return conversation

    def failed(self, message: str, record: dict, server: str) -> None:
        with self.lock:
            self.stats["failures"] += 1
            self.stats["last_failure"] = message
        self.log(dict(record, event="failure", message=message))
        print(f"{server}: {message}", file=sys.stderr, flush=True)


class ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ScriptState  # set on the subclass main() makes

    def setup(self) -> None:
        super().setup()
        # Many small writes per answer: without TCP_NODELAY, Nagle and the client's delayed ACK add 40 ms stalls.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.state.verbose:
            super().log_message(format, *args)

    def route(self) -> str:
        return self.path.split("?")[0].rstrip("/")

    def send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_event_stream(self, events: list[str]) -> None:
        """Server-sent events, each already formatted, in HTTP/1.1 chunks as the real APIs send them."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            data = event.encode("utf-8")
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_empty_404(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve(name: str, doc: str, handler: type[ScriptedHandler],
          make_state: Callable[[dict, argparse.Namespace], ScriptState], banner: Callable[[str, int, ScriptState], str]) -> int:
    """The servers' command line: --script, --host, --port, --port-file, --first-request-file, --log, --requests,
    --verbose."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", required=True, help="the conversation (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--first-request-file", help="overwritten with the time of each conversation's first request")
    parser.add_argument("--log", help="append one JSON line per request")
    parser.add_argument("--requests", help="append each chat request's size and parts (requestparts.py) to this file, "
                                           "and report the cached tokens a provider's prompt cache would")
    parser.add_argument("--bodies", help="with --requests: keep each chat request's body in this folder (cNNN-tNNN.json)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    script = json.loads(Path(args.script).read_text(encoding="utf-8"))
    state = make_state(script, args)
    server = ThreadingHTTPServer((args.host, args.port), type("ScriptedHandler", (handler,), {"state": state}))
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        write_atomically(args.port_file, f"{port}\n")
    print(f"{name}: {banner(args.host, port, state)}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def check_user_and_tools(expect: dict, turn: int, last_user_text: str | None, offered: set) -> None:
    """The expectations both wire formats check the same way: last_user_contains and tools_include."""
    if "last_user_contains" in expect and (last_user_text is None or expect["last_user_contains"] not in last_user_text):
        raise ExpectationFailed(f"turn {turn}: the last user message does not contain '{expect['last_user_contains']}'")
    if "tools_include" in expect:
        missing = [name for name in expect["tools_include"] if name not in offered]
        if missing:
            raise ExpectationFailed(f"turn {turn}: tools {missing} are not offered (offered: {sorted(n for n in offered if n)})")
