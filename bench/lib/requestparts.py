"""What a model request is made of, and what a provider's prompt cache would give back for it (standard library only).

Used by the scripted model servers (openai_fake_server.py, anthropic_fake_server.py) when they are started with
--requests FILE: each chat request is split into its parts and one JSON line is appended to FILE, and the usage the
server streams back carries the cached tokens a provider's prompt cache would report. bench/scenarios/tokens reads
those lines.

Parts, in the order a provider reads the prompt:
  tools         the tool definitions (OpenAI `tools`, Anthropic `tools`)
  system        the system prompt (OpenAI system/developer messages, Anthropic `system`)
  history       user and assistant messages: the prompt, the model's text and its tool calls
  tool_results  the tool results (OpenAI `tool` messages, Anthropic `tool_result` blocks)
  envelope      the rest of the body (model, stream options, JSON punctuation and escapes): bytes minus the parts
Each part's size is its compact JSON (UTF-8, non-ASCII kept), so the four parts are the same measure for every
product whatever its JSON writer escapes; `bytes` is the body exactly as it arrived. Estimated tokens are characters
of compact JSON / 4 (the host's own estimate when a provider reports no usage, docs/agent-loop.md).

Prompt caches, modelled on what the providers document:
  OpenAI     the longest prefix of the prompt (tools, then messages in order) shared with an earlier request of the
             same `prompt_cache_key` (requests without one share the key None), counted in 128-token steps and only
             from 1,024 tokens on.
  Anthropic  the prompt is a sequence of blocks (each tool, each system block, each message's content blocks);
             a block with `cache_control` is a breakpoint. A request writes the prefix ending at each of its
             breakpoints (1,024 tokens or more); it reads the longest earlier-written prefix that ends at a block at
             most 20 blocks before one of its breakpoints. cache_read = that prefix, cache_creation = from there to the
             last breakpoint, input = the rest.
Both are models: they decide hits by exact bytes of the parts, as the providers do, but count tokens by the estimate.
"""

from __future__ import annotations

import hashlib
import json
import threading

CHARS_PER_TOKEN = 4
OPENAI_MIN_TOKENS, OPENAI_STEP = 1024, 128
ANTHROPIC_MIN_TOKENS, ANTHROPIC_LOOKBACK = 1024, 20


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def size(value) -> int:
    return len(compact(value).encode("utf-8"))


def tokens(chars: int) -> int:
    return chars // CHARS_PER_TOKEN


def openai_parts(body: bytes, request: dict) -> dict:
    parts = {"tools": 0, "system": 0, "history": 0, "tool_results": 0}
    tool_bytes = {}
    for tool in request.get("tools") or []:
        n = size(tool)
        parts["tools"] += n
        tool_bytes[(tool.get("function") or {}).get("name") or "?"] = n
    for message in request.get("messages") or []:
        role = message.get("role")
        key = "system" if role in ("system", "developer") else "tool_results" if role == "tool" else "history"
        parts[key] += size(message)
    return finish(body, parts, tool_bytes)


def anthropic_parts(body: bytes, request: dict) -> dict:
    parts = {"tools": 0, "system": 0, "history": 0, "tool_results": 0}
    tool_bytes = {}
    for tool in request.get("tools") or []:
        n = size(tool)
        parts["tools"] += n
        tool_bytes[tool.get("name") or "?"] = n
    parts["system"] = size(request["system"]) if request.get("system") else 0
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            for block in content:
                key = "tool_results" if isinstance(block, dict) and block.get("type") == "tool_result" else "history"
                parts[key] += size(block)
        else:
            parts["history"] += size(content)
    return finish(body, parts, tool_bytes)


def finish(body: bytes, parts: dict, tool_bytes: dict) -> dict:
    parts["envelope"] = max(0, len(body) - sum(parts.values()))
    return {"bytes": len(body), "parts": parts, "tool_bytes": tool_bytes,
            "est_tokens": tokens(sum(v for k, v in parts.items() if k != "envelope"))}


class OpenAICache:
    """The prefix cache of OpenAI's chat completions, per prompt_cache_key."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.prompts: dict = {}  # key -> recent prompts (strings)

    def lookup(self, request: dict) -> int:
        """Cached tokens for this request; remembers its prompt."""
        prompt = "".join(compact(t) for t in request.get("tools") or []) + "".join(compact(m) for m in request.get("messages") or [])
        key = request.get("prompt_cache_key")
        with self.lock:
            seen = self.prompts.setdefault(key, [])
            best = max((common_prefix(prompt, p) for p in seen), default=0)
            seen.append(prompt)
            del seen[:-32]
        cached = tokens(best)
        return 0 if cached < OPENAI_MIN_TOKENS else cached - cached % OPENAI_STEP


def common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # binary search on equal prefixes: slices compare in C
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class AnthropicCache:
    """Anthropic's prompt cache: prefixes written at cache_control breakpoints, read back by later requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.written: set = set()

    def lookup(self, request: dict) -> dict:
        """{input_tokens, cache_creation_input_tokens, cache_read_input_tokens} for this request; writes its prefixes."""
        blocks = anthropic_blocks(request)
        hashes, ends, breakpoints = [], [], []
        digest, chars = hashlib.sha256(), 0
        for i, (text, marked) in enumerate(blocks):
            digest.update(text.encode("utf-8"))
            chars += len(text)
            hashes.append(digest.copy().hexdigest())
            ends.append(tokens(chars))
            if marked:
                breakpoints.append(i)
        total = tokens(chars)
        if not breakpoints:
            return {"input_tokens": total, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        with self.lock:
            read = 0
            for b in breakpoints:
                for i in range(b, max(-1, b - ANTHROPIC_LOOKBACK - 1), -1):
                    if hashes[i] in self.written:
                        read = max(read, ends[i])
                        break
            for b in breakpoints:
                if ends[b] >= ANTHROPIC_MIN_TOKENS:
                    self.written.add(hashes[b])
        last = ends[breakpoints[-1]]
        written = last - read if last >= ANTHROPIC_MIN_TOKENS and last > read else 0
        return {"input_tokens": total - read - written, "cache_creation_input_tokens": written, "cache_read_input_tokens": read}


def anthropic_blocks(request: dict) -> list:
    """(text without cache_control, has cache_control) for each block, in prompt order."""

    def block(value, role=None):
        if isinstance(value, dict):
            marked = "cache_control" in value
            value = {k: v for k, v in value.items() if k != "cache_control"}
        else:
            marked = False
        return ((role or "") + compact(value), marked)

    out = [block(t) for t in request.get("tools") or []]
    system = request.get("system")
    if isinstance(system, list):
        out += [block(b, "system:") for b in system]
    elif system:
        out.append(block(system, "system:"))
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            out += [block(b, message.get("role") + ":") for b in content]
        else:
            out.append(block(content, message.get("role") + ":"))
    return out
