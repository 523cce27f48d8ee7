#!/usr/bin/env python3
"""A scripted OpenAI-compatible Chat Completions server for whole-process benchmarks (standard library only).

  openai_fake_server.py --script CONVERSATION.json [--host 127.0.0.1] [--port 0] [--port-file FILE]
                        [--first-request-file FILE] [--log FILE] [--requests FILE [--bodies DIR]] [--verbose]

Answers on 127.0.0.1 (port 0: the kernel chooses; the port is printed and written to --port-file):

  POST /v1/chat/completions   streamed answers (server-sent events) replaying the script's turns. The turn is chosen
                              by counting the assistant messages in the request, so every request of a conversation
                              gets the next turn and a new conversation (no assistant message) starts again at turn 0.
  GET  /v1/models             the script's model, OpenAI's list shape.
  GET  /bench/stats           counters for the harness: requests, conversations started and completed, failures.

Wire format as OpenAI's API sends it (see docs/provider-openai.md): `Content-Type: text/event-stream`, chunked
transfer encoding, one `data: {chat.completion.chunk}` event per delta, then `data: [DONE]`:

  1. `choices[0].delta = {"role": "assistant", "content": "", "refusal": null}`
  2. the turn's text as `delta.content` pieces
  3. each tool call: a first delta `tool_calls: [{index, id, type: "function", function: {name, arguments: ""}}]`,
     then its argument JSON in pieces `tool_calls: [{index, function: {arguments: "…"}}]`
  4. `delta: {}` with `finish_reason` "tool_calls" or "stop"
  5. when the request asks for `stream_options.include_usage` (the plugin always does): a final chunk with
     `choices: []` and `usage` (prompt, completion and total tokens, cached and reasoning details); the chunks before
     it carry `"usage": null`, as OpenAI's do.

The script (JSON) is {"model": ID, "turns": [TURN, …]}; a TURN is
  {"expect": {...}, "text": "…", "tool_calls": [{"name": "…", "arguments": {…}}]}   (no tool_calls: final answer)
with expectations checked on the request that asks for that turn:
  last_user_contains: STRING          the last user message contains it (turn 0)
  tools_include: [NAME, …]            these function tools are offered
  tool_results_contain: [STRING, …]   the tool results answering the previous turn's calls contain each string
                                      ("{VAR}" expanded)
  tool_results_match: {VAR: REGEX}    …and match REGEX; group 1 (or the whole match) is kept as {VAR}
A failed expectation (or a request for a turn past the script, or previous tool calls that did not come back with
the ids and names this server sent) is answered with HTTP 400 and an OpenAI error body, so the client's run fails
and a benchmark cannot time a conversation that went wrong. "{VAR}" and "{VAR+N}" in a turn's text and tool
arguments are replaced with a value kept from an earlier turn (every request carries the whole history, so the
server keeps no state per conversation).

--first-request-file is overwritten at each conversation's first request (turn 0) with
  {"conversation": N, "monotonic_ns": …, "epoch_ns": …}
taken when the request's headers have been read: CLOCK_MONOTONIC is system-wide on Linux, so a harness that reads
time.monotonic_ns() just before it starts the client gets "process start -> first model request". --log appends
one JSON line per request (and per failure).

--requests FILE appends one JSON line per chat request: conversation, turn, the body's bytes, its parts (tools,
system, history, tool results; requestparts.py), each tool's bytes on a conversation's first request, whether it
carried a prompt_cache_key and which; and the usage's `prompt_tokens_details.cached_tokens` is then what OpenAI's
prefix cache would report (requestparts.OpenAICache) instead of 0.
"""

from __future__ import annotations

import json
import re
import sys
import time

import requestparts
from fake_server import ExpectationFailed, ScriptedHandler, ScriptState, check_user_and_tools, serve

NAME = "openai_fake_server"

TEMPLATE = re.compile(r"\{(\w+)(?:\+(\d+))?\}")


class State(ScriptState):
    def __init__(self, script: dict, first_request_file: str | None, log_file: str | None, verbose: bool,
                 requests_file: str | None = None, bodies_dir: str | None = None) -> None:
        super().__init__(script, first_request_file, log_file, verbose, ("models_requests",), requests_file, bodies_dir)
        self.model = script.get("model", "bench-model")
        self.cache = requestparts.OpenAICache()


def text_of(content) -> str:
    """A message's content as text: a string, or the text parts of a content array."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def expand(value, variables: dict):
    if isinstance(value, str):
        def sub(match: re.Match) -> str:
            name, plus = match.group(1), match.group(2)
            if name not in variables:
                return match.group(0)
            return str(int(variables[name]) + int(plus)) if plus else str(variables[name])
        return TEMPLATE.sub(sub, value)
    if isinstance(value, dict):
        return {k: expand(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, variables) for v in value]
    return value


def call_id(turn: int, index: int) -> str:
    return f"call_bench_t{turn}_{index}"


def plan_turn(state: State, request: dict) -> tuple[int, dict, dict]:
    """Checks the request against the script; returns the turn index, the turn and the variables kept so far."""
    messages = request.get("messages") or []
    if request.get("stream") is not True:
        raise ExpectationFailed("the request is not streamed ('stream': true expected)")
    if request.get("model") != state.model:
        raise ExpectationFailed(f"model '{request.get('model')}' requested; this server serves '{state.model}'")

    # Tool results grouped by the assistant message they answer: groups[j] follows the j-th assistant message.
    groups: list[list[dict]] = []
    assistants: list[dict] = []
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            assistants.append(message)
            groups.append([])
        elif role == "tool" and groups:
            groups[-1].append(message)
    turn = len(assistants)
    if turn >= len(state.turns):
        raise ExpectationFailed(f"turn {turn} requested; the script has {len(state.turns)} turns")

    variables: dict = {}
    for j in range(turn + 1):
        expect = state.turns[j].get("expect") or {}
        if j > 0:
            previous = state.turns[j - 1]
            sent = previous.get("tool_calls") or []
            calls = assistants[j - 1].get("tool_calls") or []
            got = [(c.get("id"), (c.get("function") or {}).get("name")) for c in calls]
            want = [(call_id(j - 1, i), c["name"]) for i, c in enumerate(sent)]
            if got != want:
                raise ExpectationFailed(f"assistant message {j - 1} carries tool calls {got}; this server sent {want}")
            answered = [m.get("tool_call_id") for m in groups[j - 1]]
            if sorted(answered) != sorted(i for i, _ in want):
                raise ExpectationFailed(f"tool results for turn {j - 1} answer {answered}; expected {[i for i, _ in want]}")
        results = "\n".join(text_of(m.get("content")) for m in groups[j - 1]) if j > 0 else ""
        checked = j == turn  # earlier turns were checked by the requests that asked for them; only keep their values
        if checked:
            users = [m for m in messages if m.get("role") == "user"]
            check_user_and_tools(expect, turn, text_of(users[-1].get("content")) if users else None,
                                 {(t.get("function") or {}).get("name") for t in request.get("tools") or []})
            for needle in expect.get("tool_results_contain") or []:
                needle = expand(needle, variables)
                if needle not in results:
                    raise ExpectationFailed(f"turn {turn}: the tool results do not contain '{needle}': {results[:400]!r}")
        for name, pattern in (expect.get("tool_results_match") or {}).items():
            match = re.search(pattern, results)
            if match is None:
                raise ExpectationFailed(f"turn {j}: the tool results do not match /{pattern}/: {results[:400]!r}")
            variables[name] = match.group(1) if match.groups() else match.group(0)
    return turn, state.turns[turn], variables


def pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def stream_events(state: State, request: dict, turn: int, spec: dict, variables: dict, conversation: int,
                  measured: tuple[int, int] | None = None) -> list[str]:
    include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    envelope = {"id": f"chatcmpl-bench{conversation:05d}t{turn}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": state.model, "system_fingerprint": "fp_bench"}

    def chunk(choices: list, usage=None, final_usage: bool = False) -> str:
        body = dict(envelope, choices=choices)
        if include_usage:
            body["usage"] = usage if final_usage else None
        return json.dumps(body, separators=(",", ":"))

    def delta(d: dict, finish: str | None = None) -> str:
        return chunk([{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}])

    events = [delta({"role": "assistant", "content": "", "refusal": None})]
    text = expand(spec.get("text") or "", variables)
    words = re.findall(r"\S+\s*|\s+", text)
    for i in range(0, len(words), 3):  # a few words per delta, as models stream tokens
        events.append(delta({"content": "".join(words[i:i + 3])}))
    calls = spec.get("tool_calls") or []
    for index, call in enumerate(calls):
        arguments = json.dumps(expand(call.get("arguments") or {}, variables))
        events.append(delta({"tool_calls": [{"index": index, "id": call_id(turn, index), "type": "function",
                                             "function": {"name": call["name"], "arguments": ""}}]}))
        for piece in pieces(arguments, 16):
            events.append(delta({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    events.append(delta({}, "tool_calls" if calls else "stop"))
    if include_usage:
        prompt_tokens, cached = measured or (max(1, len(json.dumps(request.get("messages") or [])) // 4), 0)
        completion_tokens = max(1, (len(text) + sum(len(json.dumps(c.get("arguments") or {})) for c in calls)) // 4)
        events.append(chunk([], {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                 "total_tokens": prompt_tokens + completion_tokens,
                                 "prompt_tokens_details": {"cached_tokens": min(cached, prompt_tokens), "audio_tokens": 0},
                                 "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                               "accepted_prediction_tokens": 0,
                                                               "rejected_prediction_tokens": 0}}, final_usage=True))
    events.append("[DONE]")
    return events


class Handler(ScriptedHandler):
    server_version = "bench-openai/1"
    state: State

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def fail(self, message: str, extra: dict) -> None:
        self.state.failed(message, extra, NAME)
        self.send_json(400, {"error": {"message": f"bench script: {message}", "type": "invalid_request_error",
                                       "param": None, "code": "bench_expectation_failed"}})

    def do_GET(self) -> None:  # noqa: N802
        state = self.state
        state.count("requests")
        path = self.route()
        if path == "/v1/models":
            state.count("models_requests")
            self.send_json(200, {"object": "list", "data": [{"id": state.model, "object": "model",
                                                             "created": 1_700_000_000, "owned_by": "bench"}]})
        elif path == "/bench/stats":
            with state.lock:
                stats = dict(state.stats)
            self.send_json(200, stats)
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error",
                                           "param": None, "code": None}})

    def do_HEAD(self) -> None:  # noqa: N802
        # agent's warm-up (a HEAD to the base URL while the session is prepared): answered like real endpoints do,
        # 404 with no body on a kept-alive connection.
        self.state.count("requests")
        self.send_empty_404()

    def do_POST(self) -> None:  # noqa: N802
        arrived_mono, arrived_epoch = time.monotonic_ns(), time.time_ns()
        state = self.state
        body = self.read_body()
        state.count("requests")
        if self.route() != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error",
                                           "param": None, "code": None}})
            return
        try:
            request = json.loads(body)
        except ValueError as ex:
            self.fail(f"the body is not JSON ({ex})", {"monotonic_ns": arrived_mono})
            return
        conversation = state.chat_request()
        try:
            turn, spec, variables = plan_turn(state, request)
        except ExpectationFailed as ex:
            self.fail(str(ex), {"monotonic_ns": arrived_mono, "conversation": conversation})
            return
        if turn == 0:
            conversation = state.start_conversation(arrived_mono, arrived_epoch)
        usage = None
        if state.requests_file:
            cached = state.cache.lookup(request)
            measured = requestparts.openai_parts(body, request)
            if turn > 0:
                del measured["tool_bytes"]
            state.measured({"conversation": conversation, "turn": turn, **measured, "cached_tokens": cached,
                            "cache_key": request.get("prompt_cache_key")}, body)
            usage = (max(1, measured["est_tokens"]), cached)
        events = stream_events(state, request, turn, spec, variables, conversation, usage)
        self.send_event_stream([f"data: {event}\n\n" for event in events])
        last = turn == len(state.turns) - 1
        if last:
            state.count("conversations_completed")
        state.log({"event": "request", "conversation": conversation, "turn": turn, "final": last,
                   "monotonic_ns": arrived_mono, "epoch_ns": arrived_epoch, "events": len(events)})


def main() -> int:
    return serve(NAME, __doc__, Handler,
                 lambda script, args: State(script, args.first_request_file, args.log, args.verbose, args.requests, args.bodies),
                 lambda host, port, state: f"listening on http://{host}:{port}/v1 ({len(state.turns)} turns, model {state.model})")


if __name__ == "__main__":
    sys.exit(main())
