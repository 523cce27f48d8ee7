#!/usr/bin/env python3
"""A scripted Anthropic Messages server for whole-process benchmarks of Claude Code (standard library only).

  anthropic_fake_server.py --script CONVERSATION.json [--host 127.0.0.1] [--port 0] [--port-file FILE]
                           [--first-request-file FILE] [--log FILE] [--requests FILE [--bodies DIR]] [--verbose]

The Anthropic twin of openai_fake_server.py (same script format, same counters, same first-request file), used by
bench/scenarios/peers/table.py for `claude -p` (reached through ANTHROPIC_BASE_URL). Answers on 127.0.0.1:

  POST /v1/messages               streamed answers (server-sent events, as the Messages API sends them:
                                  message_start, content_block_start/delta/stop for each text or tool_use block,
                                  message_delta with the stop reason, message_stop). The turn is chosen by counting
                                  the assistant messages in the request. A request that offers no tools (Claude Code's
                                  own side requests, e.g. a quota check or a title on its small model) is not part of
                                  the conversation: it gets a short text answer and counts as `aux_requests`.
  POST /v1/messages/count_tokens  {"input_tokens": 10}
  GET  /bench/stats               requests, chat_requests, aux_requests, conversations_started/completed, failures,
                                  tool_results (tool_result blocks received, summed over the conversations' requests
                                  of the newest turn only: a completed 6-step conversation adds 6).

Script: {"model": ID (ignored: Claude Code picks its own model names), "turns": [TURN, …]}, a TURN is
  {"expect": {...}, "text": "…", "tool_calls": [{"name": "…", "arguments": {…}}]}   (no tool_calls: final answer)
with the expectations of openai_fake_server.py: last_user_contains, tools_include, tool_results_contain (the text of
the tool_result blocks answering the previous turn's calls; an `is_error` result never matches). A failed
expectation is answered with HTTP 400 and an Anthropic error body, so the client's run fails.

--first-request-file is overwritten at each conversation's first request (turn 0) with
  {"conversation": N, "monotonic_ns": …, "epoch_ns": …}
(CLOCK_MONOTONIC is system-wide: the harness reads time.monotonic_ns() just before it starts the client).

--requests FILE appends one JSON line per conversation request (its bytes and parts, requestparts.py), and the usage
in message_start is then what Anthropic's prompt cache would report for the request's cache_control breakpoints
(input_tokens, cache_creation_input_tokens, cache_read_input_tokens; requestparts.AnthropicCache), also in that line.
"""

from __future__ import annotations

import json
import sys
import time

import requestparts
from fake_server import ExpectationFailed, ScriptedHandler, ScriptState, check_user_and_tools, serve

NAME = "anthropic_fake_server"


def text_of(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(text_of(part.get("content")) if part.get("type") == "tool_result" else part.get("text", "")
                       for part in content if isinstance(part, dict))
    return str(content)


def call_id(turn: int, index: int) -> str:
    return f"toolu_bench_t{turn}_{index}"


def plan_turn(state: ScriptState, request: dict) -> tuple[int, dict, int]:
    """Checks the request against the script; returns the turn, its spec and the tool results answering the last turn."""
    messages = request.get("messages") or []
    assistants = [m for m in messages if m.get("role") == "assistant"]
    turn = len(assistants)
    if turn >= len(state.turns):
        raise ExpectationFailed(f"turn {turn} requested; the script has {len(state.turns)} turns")
    expect = state.turns[turn].get("expect") or {}
    results_text, answered = "", []
    if turn > 0:
        # The tool results answering the previous assistant message: tool_result blocks of the user messages after it.
        last = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
        sent = [c["name"] for c in state.turns[turn - 1].get("tool_calls") or []]
        uses = [(b.get("id"), b.get("name")) for b in messages[last].get("content") or []
                if isinstance(b, dict) and b.get("type") == "tool_use"]
        want = [(call_id(turn - 1, i), name) for i, name in enumerate(sent)]
        if uses != want:
            raise ExpectationFailed(f"assistant message {turn - 1} carries tool calls {uses}; this server sent {want}")
        for m in messages[last + 1:]:
            for block in m.get("content") or [] if isinstance(m.get("content"), list) else []:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    answered.append(block.get("tool_use_id"))
                    if not block.get("is_error"):
                        results_text += text_of(block.get("content")) + "\n"
        if sorted(answered) != sorted(i for i, _ in want):
            raise ExpectationFailed(f"tool results for turn {turn - 1} answer {answered}; expected {[i for i, _ in want]}")
    users = [m for m in messages if m.get("role") == "user"]
    check_user_and_tools(expect, turn, text_of(users[-1].get("content")) if users else None,
                         {t.get("name") for t in request.get("tools") or []})
    for needle in expect.get("tool_results_contain") or []:
        if needle not in results_text:
            raise ExpectationFailed(f"turn {turn}: the tool results do not contain '{needle}': {results_text[:400]!r}")
    return turn, state.turns[turn], len(answered)


def stream_events(model: str, spec: dict, conversation: int, turn: int, usage: dict | None = None) -> list[tuple[str, dict]]:
    message = {"id": f"msg_bench{conversation:05d}t{turn}", "type": "message", "role": "assistant", "model": model,
               "content": [], "stop_reason": None, "stop_sequence": None,
               "usage": dict(usage or {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
                             output_tokens=1)}
    events = [("message_start", {"type": "message_start", "message": message})]
    index = 0
    text = spec.get("text") or ""
    if text:
        events.append(("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}))
        words = text.split(" ")
        for i in range(0, len(words), 3):  # a few words per delta, as models stream tokens
            piece = " ".join(words[i:i + 3]) + (" " if i + 3 < len(words) else "")
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
        index = 1
    calls = spec.get("tool_calls") or []
    for i, call in enumerate(calls):
        arguments = json.dumps(call.get("arguments") or {})
        events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                               "content_block": {"type": "tool_use", "id": call_id(turn, i), "name": call["name"], "input": {}}}))
        for j in range(0, len(arguments), 16):
            events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                   "delta": {"type": "input_json_delta", "partial_json": arguments[j:j + 16]}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1
    events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use" if calls else "end_turn",
                                                                         "stop_sequence": None}, "usage": {"output_tokens": 12}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


class Handler(ScriptedHandler):
    server_version = "bench-anthropic/1"

    def send_stream(self, events: list[tuple[str, dict]]) -> None:
        self.send_event_stream([f"event: {name}\ndata: {json.dumps(payload)}\n\n" for name, payload in events])

    def do_GET(self) -> None:  # noqa: N802
        state = self.state
        state.count("requests")
        if self.route() == "/bench/stats":
            with state.lock:
                stats = dict(state.stats)
            self.send_json(200, stats)
        else:
            self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": f"no route {self.path}"}})

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_empty_404()

    def do_POST(self) -> None:  # noqa: N802
        arrived_mono, arrived_epoch = time.monotonic_ns(), time.time_ns()
        state = self.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.route()
        state.count("requests")
        if path == "/v1/messages/count_tokens":
            self.send_json(200, {"input_tokens": 10})
            return
        if path != "/v1/messages":
            self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": f"no route {self.path}"}})
            return
        try:
            request = json.loads(body)
        except ValueError as ex:
            self.fail(f"the body is not JSON ({ex})", arrived_mono)
            return
        model = request.get("model") or "claude-bench"
        if not request.get("tools"):
            state.count("aux_requests")
            state.log({"event": "aux", "model": model, "monotonic_ns": arrived_mono})
            spec = {"text": "bench"}
            if request.get("stream"):
                self.send_stream(stream_events(model, spec, 0, 0))
            else:
                self.send_json(200, {"id": "msg_bench_aux", "type": "message", "role": "assistant", "model": model,
                                     "content": [{"type": "text", "text": "bench"}], "stop_reason": "end_turn",
                                     "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}})
            return
        conversation = state.chat_request()
        try:
            turn, spec, results = plan_turn(state, request)
        except ExpectationFailed as ex:
            self.fail(str(ex), arrived_mono)
            return
        if not request.get("stream"):
            self.fail("the request is not streamed ('stream': true expected)", arrived_mono)
            return
        if turn == 0:
            conversation = state.start_conversation(arrived_mono, arrived_epoch)
        state.count("tool_results", results)
        usage = None
        if state.requests_file:
            usage = state.cache.lookup(request)
            measured = requestparts.anthropic_parts(body, request)
            if turn > 0:
                del measured["tool_bytes"]
            state.measured({"conversation": conversation, "turn": turn, **measured, "usage": usage,
                            "cached_tokens": usage["cache_read_input_tokens"]}, body)
        self.send_stream(stream_events(model, spec, conversation, turn, usage))
        last = turn == len(state.turns) - 1
        if last:
            state.count("conversations_completed")
        state.log({"event": "request", "conversation": conversation, "turn": turn, "final": last, "model": model,
                   "tool_results": results, "monotonic_ns": arrived_mono,
                   **({"tools": [t.get("name") for t in request.get("tools") or []]} if turn == 0 else {})})

    def fail(self, message: str, arrived_mono: int) -> None:
        self.state.failed(message, {"monotonic_ns": arrived_mono}, NAME)
        self.send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": f"bench script: {message}"}})


class CachingState(ScriptState):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.cache = requestparts.AnthropicCache()


def main() -> int:
    return serve(NAME, __doc__, Handler,
                 lambda script, args: CachingState(script, args.first_request_file, args.log, args.verbose,
                                                   ("aux_requests", "tool_results"), args.requests, args.bodies),
                 lambda host, port, state: f"listening on http://{host}:{port} ({len(state.turns)} turns)")


if __name__ == "__main__":
    sys.exit(main())
