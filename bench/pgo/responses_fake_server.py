#!/usr/bin/env python3
"""A scripted OpenAI Responses API server for bench/pgo/regenerate.sh (standard library only, 127.0.0.1 only).

  responses_fake_server.py --port-file FILE [--port 0]

POST /v1/responses answers with a streamed two-step conversation in the real wire format (`event: type` +
`data: json` server-sent events, as tests/AgentHost.Tests/Providers/OpenAI/OpenAIResponsesServer.cs writes them):
a request without a `function_call_output` item gets a reasoning item (summary deltas, encrypted content), a text
delta and a `glob` function call (argument deltas); a request with one gets a text answer. Both end with
`response.completed` and usage. POST /v1/chat/completions answers one non-streamed Chat Completions answer (what
the small_model's session title and compaction summaries ask for). Anything else is answered with 404 and an
OpenAI error body.

Why it exists: the openai plugin speaks the Responses API to reasoning models on api.openai.com (OpenAIApiSelector)
and asks a small_model without streaming, and the plugins' ReadyToRun profile (Profile/plugins.mibc) must name the
methods those paths run, or a partial image (crossgen2 --partial: only profiled methods precompiled) leaves them to
the JIT.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = "gpt-5-bench"


def response(status: str, usage: dict | None = None) -> dict:
    return {"id": "resp_bench", "object": "response", "created_at": 1741290958, "status": status, "error": None,
            "incomplete_details": None, "instructions": None, "max_output_tokens": None, "model": MODEL,
            "output": [], "parallel_tool_calls": True, "previous_response_id": None,
            "reasoning": {"effort": "medium", "summary": "auto"}, "store": False, "temperature": 1.0,
            "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [], "top_p": 1.0,
            "truncation": "disabled", "usage": usage, "metadata": {}}


def completed() -> dict:
    usage = {"input_tokens": 120, "input_tokens_details": {"cached_tokens": 64}, "output_tokens": 30,
             "output_tokens_details": {"reasoning_tokens": 12}, "total_tokens": 150}
    return {"type": "response.completed", "response": response("completed", usage)}


def text_item(index: int, item_id: str, text: str) -> list[dict]:
    words = text.split(" ")
    events = [{"type": "response.output_item.added", "output_index": index,
               "item": {"id": item_id, "type": "message", "status": "in_progress", "role": "assistant", "content": []}}]
    events += [{"type": "response.output_text.delta", "item_id": item_id, "output_index": index, "content_index": 0,
                "delta": (" " if i else "") + w, "logprobs": []} for i, w in enumerate(words)]
    events.append({"type": "response.output_item.done", "output_index": index,
                   "item": {"id": item_id, "type": "message", "status": "completed", "role": "assistant",
                            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}})
    return events


def first_turn() -> list[dict]:
    events = [{"type": "response.created", "response": response("in_progress")},
              {"type": "response.output_item.added", "output_index": 0,
               "item": {"id": "rs_1", "type": "reasoning", "summary": []}}]
    events += [{"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
                "summary_index": 0, "delta": d} for d in ("Looking for", " the configuration.")]
    events.append({"type": "response.output_item.done", "output_index": 0,
                   "item": {"id": "rs_1", "type": "reasoning", "encrypted_content": "ZW5jcnlwdGVk",
                            "summary": [{"type": "summary_text", "text": "Looking for the configuration."}]}})
    events += text_item(1, "msg_1", "Let me look.")
    args = json.dumps({"pattern": "**/*.md"})
    events += [{"type": "response.output_item.added", "output_index": 2,
                "item": {"id": "fc_1", "type": "function_call", "status": "in_progress", "arguments": "",
                         "call_id": "call_1", "name": "glob"}},
               {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 2, "delta": args[:8]},
               {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 2, "delta": args[8:]},
               {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 2, "arguments": args},
               {"type": "response.output_item.done", "output_index": 2,
                "item": {"id": "fc_1", "type": "function_call", "status": "completed", "arguments": args,
                         "call_id": "call_1", "name": "glob"}},
               completed()]
    return events


def second_turn() -> list[dict]:
    return [{"type": "response.created", "response": response("in_progress")}] \
        + text_item(0, "msg_2", "The project has a README.") + [completed()]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def error(self, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                     "code": None}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") == "/v1/chat/completions":
            body = json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "created": 1741290958,
                               "model": "small-bench", "system_fingerprint": None,
                               "choices": [{"index": 0, "logprobs": None, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": "Project contents",
                                                        "refusal": None, "annotations": []}}],
                               "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23,
                                         "prompt_tokens_details": {"cached_tokens": 0},
                                         "completion_tokens_details": {"reasoning_tokens": 0}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.rstrip("/") != "/v1/responses":
            self.error(404, f"no route {self.path}")
            return
        try:
            request = json.loads(raw)
        except ValueError:
            self.error(400, "the body is not JSON")
            return
        items = request.get("input") or []
        answered = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in items)
        events = second_turn() if answered else first_turn()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            chunk = f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    Path(args.port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
