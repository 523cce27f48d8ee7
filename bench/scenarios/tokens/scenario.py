#!/usr/bin/env python3
"""Tokens per task: what each product sends its model, request by request (standard library only).

  scenario.py [--agent LABEL=PATH]... [--claude PATH] [--opencode PATH] [--tasks six-step,openai-task,thirty-step,anthropic]
              [--export FILE] [--keep]

What a user pays for an agent is mostly the model: the tokens the host sends. Every task here runs once per product
against a scripted model server on 127.0.0.1 (bench/lib/openai_fake_server.py or anthropic_fake_server.py) started
with --requests: the server splits each chat request into its parts (bench/lib/requestparts.py: tool definitions,
system prompt, history, tool results, the envelope) and reports the cached tokens a provider's prompt cache would
(OpenAI: the prefix shared with an earlier request of the same prompt_cache_key; Anthropic: the prefixes written and
read at the request's cache_control breakpoints). The figures are bytes and so do not depend on the machine's load:
one verified run per product and task is the measurement (a second run gives the same bytes, which the report checks
for the agent builds).

Tasks:
  six-step     issue #25's peer task (bench/scenarios/peers/table.py): six scripted calls of each product's own read-only
               file tools over a 60-file committed repository, then the answer; the same for agent, Claude Code
               (Anthropic fake) and opencode (OpenAI fake) when they are installed. The agent gets the default plugins
               (files, shell, git, web) and its kernel tools: every tool it has is available to the model.
  openai-task  bench/run.sh's openai task (bench/scenarios/openai-task): glob, grep, view, edit, git status through
               shell over a 2,000-file repository, then the answer; agent builds only.
  thirty-step  30 tool steps over a repository of 30 documents of ~3.5 KB (view each, one by one), then the answer:
               bytes per step should stay flat once old tool results are trimmed; agent builds only.
  anthropic    the six-step task through the agent's anthropic provider against the Anthropic fake: its cache
               breakpoints, with the cache reads and writes that server reports.

A missing peer is left out with a note; nothing here installs one (see bench/README.md, "Peers"). Every run is
verified: exit code 0, the final answer on stdout, one conversation started and completed on the server and no failed
expectation (each tool result carried what the script expects). Estimated tokens are characters of compact JSON / 4.

Writes a markdown report to stdout and everything (every request's record) to --export (default
bench/results/tokens.json; bench/results/ is git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent
sys.path.insert(0, str(BENCH / "scenarios" / "peers"))
sys.path.insert(0, str(BENCH / "scenarios" / "openai-task"))
import table  # noqa: E402  (the peer table's fixture, scripts, products and fake servers)

table.MEASURE_REQUESTS = True
OPENAI_TASK_PROMPT = "Find where MAX_RETRIES is defined, raise it by one and check git status."
OPENAI_TASK_ANSWER = "MAX_RETRIES is defined in src/config.py and read by six modules. I raised it from"
THIRTY_PROMPT = "Read the thirty parts of the handbook in docs/ one by one and say which part defines the retry budget."
THIRTY_ANSWER = "Part 17 defines the retry budget."
THIRTY = 30
PARTS = ("tools", "system", "history", "tool_results", "envelope")
TASKS = ("six-step", "openai-task", "thirty-step", "anthropic")


def log(message: str) -> None:
    print(f"tokens: {message}", file=sys.stderr, flush=True)


def read_sizes(server: table.FakeServer, conversation: int | None = None) -> list[dict]:
    """The newest conversation's request records (or the given one), in turn order."""
    if not server.sizes_file.exists():
        return []
    records = [json.loads(line) for line in server.sizes_file.read_text().splitlines() if line.strip()]
    if not records:
        return []
    wanted = conversation if conversation is not None else max(r["conversation"] for r in records)
    return sorted((r for r in records if r["conversation"] == wanted), key=lambda r: r["turn"])


def summarise(records: list[dict]) -> dict:
    parts = {p: sum(r["parts"][p] for r in records) for p in PARTS}
    est = sum(r["est_tokens"] for r in records)
    cached = sum(r.get("cached_tokens") or 0 for r in records)
    written = sum((r.get("usage") or {}).get("cache_creation_input_tokens", 0) for r in records)
    first = records[0] if records else {}
    return {"requests": len(records), "bytes": sum(r["bytes"] for r in records), "parts": parts, "est_tokens": est,
            "cached_tokens": cached, "cache_written_tokens": written,
            "cached_share": cached / est if est else 0.0,
            "bytes_per_step": [r["bytes"] for r in records], "tools_offered": len(first.get("tool_bytes") or {}),
            "tool_bytes": first.get("tool_bytes") or {}, "cache_keys": sorted({str(r.get("cache_key")) for r in records})}


def run_product(product: table.Product, repo: Path) -> tuple[dict | None, str | None]:
    result = product.run("task", repo)
    if result["problems"]:
        return None, "; ".join(result["problems"])
    return summarise(read_sizes(product.servers["task"])), None


# --- the openai task -------------------------------------------------------------------------------------------------

def openai_task(label: str, agent: Path, work: Path) -> tuple[dict | None, str | None]:
    folder = work / f"openai-task-{label}"
    server = table.FakeServer(table.OPENAI_FAKE, json.loads((BENCH / "scenarios" / "openai-task" / "conversation.json").read_text()), folder / "server")
    setup = subprocess.run([sys.executable, str(BENCH / "scenarios" / "openai-task" / "scenario.py"), "setup", "--repo", str(folder / "repo"),
                            "--home", str(folder / "home"), "--agent", str(agent), "--port", str(server.port), "--files", "2000"],
                           capture_output=True, text=True)
    if setup.returncode != 0:
        return None, f"setup failed: {setup.stderr[-500:]}"
    add_cache_key_setting(folder / "repo" / ".agent" / "config.yaml", "local")
    env = agent_env(folder / "home")
    before = server.stats()
    done = subprocess.run([str(agent), "run", OPENAI_TASK_PROMPT, "--model", "local/bench-model", "--plugin", "files", "--plugin", "shell",
                           "--root", str(folder / "repo"), "--output", "final"], cwd=folder / "repo", env=env, capture_output=True, text=True)
    return verified(done, OPENAI_TASK_ANSWER, server, before)


def add_cache_key_setting(config: Path, provider: str) -> None:
    """prompt_cache_key: true for the provider (the fake is not api.openai.com, where it is on by default)."""
    text = config.read_text(encoding="utf-8")
    marker = f"  {provider}:\n"
    assert marker in text, f"{config} has no provider '{provider}'"
    config.write_text(text.replace(marker, marker + "    settings:\n      prompt_cache_key: true\n", 1), encoding="utf-8")


def agent_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "AGENT_"))}
    env.update(AGENT_HOME=str(home), CI="true")
    return env


def verified(done: subprocess.CompletedProcess, answer: str, server: table.FakeServer, before: dict) -> tuple[dict | None, str | None]:
    after = server.stats()
    problems = []
    if done.returncode != 0:
        problems.append(f"exit code {done.returncode}: {done.stderr[-600:]}")
    if answer not in done.stdout:
        problems.append(f"the answer is not on stdout: {done.stdout[-300:]!r}")
    for key, want in (("conversations_started", 1), ("conversations_completed", 1), ("failures", 0)):
        if after[key] - before[key] != want:
            problems.append(f"server: {key} changed by {after[key] - before[key]}, not {want} ({after.get('last_failure')})")
    if problems:
        return None, "; ".join(problems)
    return summarise(read_sizes(server)), None


# --- the thirty-step task --------------------------------------------------------------------------------------------

def thirty_step_repo(repo: Path) -> None:
    for i in range(1, THIRTY + 1):
        body = [f"# Handbook, part {i}", ""]
        for j in range(14):
            body.append(f"Paragraph {j + 1} of part {i}. The service reads records, checks them and stores them; "
                        f"a failed store is retried with a backoff, and every retry is logged with the record's id. "
                        f"Operators watch the retry counters on the dashboard of part {i}.")
            body.append("")
        if i == 17:
            body.append("The retry budget is defined here: MAX_RETRIES = 3 per record.")
        body.append(f"End of part {i}.")
        path = repo / "docs" / f"part-{i:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "handbook"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def thirty_step_script() -> dict:
    turns = [{"expect": {"last_user_contains": "handbook", "tools_include": ["view"]}, "text": "Reading part 1.",
              "tool_calls": [{"name": "view", "arguments": {"path": "docs/part-01.md"}}]}]
    for i in range(2, THIRTY + 1):
        turns.append({"expect": {"tool_results_contain": [f"End of part {i - 1}."]}, "text": f"Reading part {i}.",
                      "tool_calls": [{"name": "view", "arguments": {"path": f"docs/part-{i:02d}.md"}}]})
    turns.append({"expect": {"tool_results_contain": [f"End of part {THIRTY}."]}, "text": THIRTY_ANSWER})
    return {"model": "bench-model", "turns": turns}


def thirty_step(label: str, agent: Path, work: Path) -> tuple[dict | None, str | None]:
    folder = work / f"thirty-{label}"
    repo = folder / "repo"
    repo.mkdir(parents=True)
    thirty_step_repo(repo)
    server = table.FakeServer(table.OPENAI_FAKE, thirty_step_script(), folder / "server")
    home = folder / "home"
    home.mkdir()
    (home / "config.yaml").write_text(f"providers:\n  task:\n    type: openai\n    base_url: {server.url}/v1\n"
                                      "    settings:\n      prompt_cache_key: true\n", encoding="utf-8")
    before = server.stats()
    done = subprocess.run([str(agent), "run", THIRTY_PROMPT, "--model", "task/bench-model", "--output", "final", "--allow", "view",
                           "--max-steps", "40"], cwd=repo, env=agent_env(home), capture_output=True, text=True)
    return verified(done, THIRTY_ANSWER, server, before)


# --- the six-step task through the anthropic provider ----------------------------------------------------------------

def anthropic_task(label: str, agent: Path, work: Path, repo: Path) -> tuple[dict | None, str | None]:
    folder = work / f"anthropic-{label}"
    server = table.FakeServer(table.ANTHROPIC_FAKE, table.task_script("agent", repo), folder / "server")
    home = folder / "home"
    home.mkdir(parents=True)
    (home / "config.yaml").write_text(f"providers:\n  task:\n    type: anthropic\n    base_url: {server.url}\n    api_key: sk-ant-bench-0000\n",
                                      encoding="utf-8")
    before = server.stats()
    done = subprocess.run([str(agent), "run", table.TASK_PROMPT, "--model", "task/claude-sonnet-4-5", "--output", "final",
                           "--allow", "glob", "--allow", "grep", "--allow", "view", "--allow", "ls"],
                          cwd=repo, env=agent_env(home), capture_output=True, text=True)
    return verified(done, table.TASK_ANSWER, server, before)


# --- report ----------------------------------------------------------------------------------------------------------

def kb(n: float) -> str:
    return f"{n / 1000:.1f} KB"


def render(results: dict) -> str:
    lines = []
    for task, rows in results.items():
        if not rows:
            continue
        lines += [f"### {task}", "",
                  "| product | requests | bytes / task | est. tokens / task | tools | system | history | tool results | envelope | "
                  "tools offered | cached share |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, s in rows.items():
            if "error" in s:
                lines.append(f"| {label} | failed: {s['error'][:200]} |")
                continue
            p = s["parts"]
            lines.append(f"| {label} | {s['requests']} | {kb(s['bytes'])} | {s['est_tokens']:,} | {kb(p['tools'])} | {kb(p['system'])} | "
                         f"{kb(p['history'])} | {kb(p['tool_results'])} | {kb(p['envelope'])} | {s['tools_offered']} | "
                         f"{s['cached_share']:.0%} |")
        lines.append("")
        lines.append("Bytes per request, in order:")
        lines.append("")
        for label, s in rows.items():
            if "error" not in s:
                lines.append(f"- {label}: " + ", ".join(f"{b / 1000:.1f}" for b in s["bytes_per_step"]) + " KB")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", action="append", default=[], metavar="LABEL=PATH", help="an agent executable (repeatable)")
    parser.add_argument("--claude", default="/tmp/peers/node_modules/.bin/claude", help="'' to leave Claude Code out")
    parser.add_argument("--opencode", default="/tmp/peers/node_modules/.bin/opencode", help="'' to leave opencode out")
    parser.add_argument("--opencode-state", default="/tmp/peers-table-opencode-state")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--export", default=str(BENCH / "results" / "tokens.json"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    tasks = [t for t in args.tasks.split(",") if t]
    if any(t not in TASKS for t in tasks):
        parser.error(f"--tasks: known tasks are {', '.join(TASKS)}")
    agents = [(a.split("=", 1)[0], Path(a.split("=", 1)[1]).resolve()) for a in args.agent]
    if not agents:
        parser.error("give at least one --agent LABEL=PATH")
    work = Path(tempfile.mkdtemp(prefix="tokens."))
    repo = work / "repo"
    repo.mkdir()
    table.write_fixture(repo)
    results: dict = {t: {} for t in tasks}
    notes: list[str] = []
    try:
        if "six-step" in tasks:
            products = [table.make_agent(label, agent.parent, work, repo) for label, agent in agents]
            for p in products:
                add_cache_key_setting(Path(p.env["AGENT_HOME"]) / "config.yaml", "task")
            for kind, path in (("claude", args.claude), ("opencode", args.opencode)):
                if not path or not os.access(path, os.X_OK):
                    notes.append(f"{kind}: {path or '(left out)'} is not installed here; no figures of its own (see the issue's)")
                    continue
                products.append(table.make_claude(path, work, repo) if kind == "claude"
                                else table.make_opencode(path, work, repo, Path(args.opencode_state)))
            for p in products:
                summary, error = run_product(p, repo)
                if summary and p.kind == "agent":
                    again, _ = run_product(p, repo)  # bytes are deterministic: the second run must match
                    if again and again["bytes_per_step"] != summary["bytes_per_step"]:
                        notes.append(f"{p.label}: a second run sent other bytes ({again['bytes_per_step']} vs {summary['bytes_per_step']})")
                results["six-step"][p.label] = summary or {"error": error}
                log(f"six-step {p.label}: {summary['bytes'] if summary else error}")
        for label, agent in agents:
            for task, run in (("openai-task", lambda: openai_task(label, agent, work)),
                              ("thirty-step", lambda: thirty_step(label, agent, work)),
                              ("anthropic", lambda: anthropic_task(label, agent, work, repo))):
                if task in tasks:
                    summary, error = run()
                    results[task][label] = summary or {"error": error}
                    log(f"{task} {label}: {summary['bytes'] if summary else error}")
    finally:
        for server in table.SERVERS:
            server.stop()
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(render(results))
    for note in notes:
        print(f"- {note}")
    export = Path(args.export)
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text(json.dumps({"results": results, "notes": notes}, indent=1), encoding="utf-8")
    log(f"written: {export}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
