#!/usr/bin/env python3
"""bench/run.sh, scenario 'openai-task': a 6-step tool task through the openai provider plugin (standard library only).

  scenario.py setup --repo DIR --home DIR --agent AGENT --port PORT [--files 2000]
      Generates a git repository of exactly --files tracked files (Python packages, tests, docs; src/config.py
      defines MAX_RETRIES, six modules read it), writes its .agent/config.yaml (provider 'local' of type openai at
      http://127.0.0.1:PORT/v1; mode accept-edits; allow shell(git status*)), commits it and runs
      'agent trust' in it with AGENT_HOME=--home, so the project's allow rules and mode apply headlessly.

  scenario.py probe --command CMD --repo DIR --server URL --first-request-file FILE --answer TEXT --runs N --export FILE
      Runs CMD (a quoted command line, split like a shell would, no shell started) N times, one at a time, and for
      each run records the wall time, the peak RSS (the child's rusage from os.wait4: the figure GNU time reports)
      and "process start -> first model request": time.monotonic_ns() just before the process is started, against
      the time the fake server recorded when the conversation's first request arrived (CLOCK_MONOTONIC is
      system-wide). Every run is verified: exit code 0, TEXT in its standard output (the final answer), src/config.py
      changed by exactly one edit (MAX_RETRIES one higher), one conversation started and completed on the server
      and no failed expectation there. The first run that does not verify stops the probe and marks it invalid.
      Then checks the server's totals over every run of the benchmark so far (the hyperfine and RSS runs whose
      output nobody reads included): no failed expectation, every conversation started was completed, and the
      number of edits in src/config.py equals the number of completed conversations. Writes both to --export.

The prompt, the expected answer and the command are bench/run.sh's; the conversation is conversation.json here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

INITIAL_RETRIES = 3
PACKAGES = 20
# Modules that read MAX_RETRIES (the grep step's hits besides src/config.py).
USERS = {(3, 7), (5, 12), (8, 40), (11, 3), (14, 55), (19, 71)}
COUNTER = re.compile(r"^MAX_RETRIES = (\d+)$", re.MULTILINE)

CONFIG_YAML = """\
# Written by bench/scenarios/openai-task/scenario.py: the fake OpenAI-compatible server of this benchmark run and
# the rules the 6-step task needs without a terminal (project allow rules and mode apply once 'agent trust' ran).
providers:
  local:
    type: openai
    base_url: http://127.0.0.1:{port}/v1
permissions:
  mode: accept-edits
  allow:
    - shell(git status*)
"""

CONFIG_PY = f'''\
"""Service-wide settings."""

# How many times a failed request to an upstream service is tried again.
MAX_RETRIES = {INITIAL_RETRIES}
RETRY_BACKOFF_SECONDS = 0.5
REQUEST_TIMEOUT_SECONDS = 30
LOG_LEVEL = "info"
'''


def module_text(p: int, m: int) -> str:
    uses = (p, m) in USERS
    lines = [f'"""Package {p:02d}, module {m:03d}: record handlers."""', ""]
    if uses:
        lines += ["from src.config import MAX_RETRIES", ""]
    lines += [
        "import json",
        "import logging",
        "",
        f"LOG = logging.getLogger(__name__)",
        "",
        "",
        f"class Handler{p:02d}{m:03d}:",
        f'    """Reads, validates and stores records of kind {p * 1000 + m}."""',
        "",
        "    def __init__(self, store):",
        "        self.store = store",
        "        self.seen = 0",
        "",
        "    def parse(self, raw: str) -> dict:",
        "        record = json.loads(raw)",
        f"        record.setdefault('kind', {p * 1000 + m})",
        "        return record",
        "",
        "    def validate(self, record: dict) -> bool:",
        f"        return bool(record.get('id')) and record.get('kind') == {p * 1000 + m}",
        "",
        "    def handle(self, raw: str) -> bool:",
        "        record = self.parse(raw)",
        "        if not self.validate(record):",
        "            LOG.warning('rejected %s', record.get('id'))",
        "            return False",
    ]
    if uses:
        lines += [
            "        for attempt in range(MAX_RETRIES):",
            "            if self.store.put(record):",
            "                break",
            "            LOG.info('retry %d for %s', attempt + 1, record['id'])",
        ]
    else:
        lines += ["        self.store.put(record)"]
    lines += ["        self.seen += 1", "        return True", ""]
    return "\n".join(lines)


def repository_files(count: int, port: int) -> dict[str, str]:
    files = {
        ".agent/config.yaml": CONFIG_YAML.format(port=port),
        ".gitignore": "__pycache__/\n*.pyc\n",
        "README.md": "# records\n\nRecord handlers for the ingestion service. Settings are in `src/config.py`.\n",
        "pyproject.toml": '[project]\nname = "records"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n',
        "src/__init__.py": "",
        "src/config.py": CONFIG_PY,
    }
    modules = (count - len(files)) * 80 // 100 // PACKAGES  # modules per package (about 80 % of the files)
    for p in range(PACKAGES):
        files[f"src/pkg{p:02d}/__init__.py"] = f'"""Package {p:02d}."""\n'
        for m in range(modules):
            files[f"src/pkg{p:02d}/mod{m:03d}.py"] = module_text(p, m)
    t = 0
    while len(files) < count - 40:
        p, m = t % PACKAGES, t // PACKAGES
        files[f"tests/pkg{p:02d}/test_mod{m:03d}.py"] = (
            f"from src.pkg{p:02d}.mod{m:03d} import Handler{p:02d}{m:03d}\n\n\n"
            f"def test_rejects_other_kinds():\n    assert not Handler{p:02d}{m:03d}(None).validate({{'id': 1, 'kind': -1}})\n")
        t += 1
    d = 0
    while len(files) < count:
        files[f"docs/notes-{d:03d}.md"] = f"# Note {d}\n\n" + "Design notes for the record handlers. " * 12 + "\n"
        d += 1
    assert len(files) == count, len(files)
    assert all(m < modules for _, m in USERS), "USERS names a module that is not generated"
    return files


def git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def setup(args: argparse.Namespace) -> int:
    repo, home = Path(args.repo), Path(args.home)
    if repo.exists() and any(repo.iterdir()):
        print(f"setup: {repo} is not empty", file=sys.stderr)
        return 2
    home.mkdir(parents=True, exist_ok=True)
    for rel, text in repository_files(args.files, args.port).items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records service")
    tracked = subprocess.run(["git", "-C", str(repo), "ls-files"], check=True, capture_output=True, text=True).stdout.split()
    if len(tracked) != args.files:
        print(f"setup: {len(tracked)} files tracked, {args.files} expected", file=sys.stderr)
        return 1
    done = subprocess.run([args.agent, "trust"], cwd=repo, env=dict(os.environ, AGENT_HOME=str(home)),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or "shell(git status*)" not in done.stdout:
        print(f"setup: 'agent trust' failed or did not apply the project's rules (exit {done.returncode}):\n"
              f"{done.stdout}{done.stderr}", file=sys.stderr)
        return 1
    print(f"setup: {len(tracked)} files committed in {repo}; trusted (AGENT_HOME={home})", file=sys.stderr)
    return 0


def counter(repo: Path) -> int:
    match = COUNTER.search((repo / "src/config.py").read_text(encoding="utf-8"))
    if match is None:
        raise ValueError("src/config.py has no 'MAX_RETRIES = N' line")
    return int(match.group(1))


def server_stats(url: str) -> dict:
    with urllib.request.urlopen(url.rstrip("/") + "/bench/stats", timeout=10) as response:
        return json.loads(response.read())


def probe(args: argparse.Namespace) -> int:
    repo = Path(args.repo)
    argv = shlex.split(args.command)
    first_file = Path(args.first_request_file)
    samples = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="agent-bench-openai.") as scratch:
        out_path, err_path = Path(scratch, "out"), Path(scratch, "err")
        for run in range(args.runs):
            before, stats_before = counter(repo), server_stats(args.server)
            first_file.unlink(missing_ok=True)
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                start = time.monotonic_ns()
                process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
                _, status, usage = os.wait4(process.pid, 0)
                end = time.monotonic_ns()
            process.returncode = code = os.waitstatus_to_exitcode(status)
            stdout = out_path.read_text(encoding="utf-8", errors="replace")
            stats_after = server_stats(args.server)
            first = json.loads(first_file.read_text(encoding="utf-8")) if first_file.exists() else None
            failed = []
            if code != 0:
                failed.append(f"exit code {code}")
            if args.answer not in stdout:
                failed.append(f"the final answer ('{args.answer}') was not printed")
            if counter(repo) != before + 1:
                failed.append(f"src/config.py: MAX_RETRIES went from {before} to {counter(repo)}, not {before + 1}")
            for key, want in (("conversations_started", 1), ("conversations_completed", 1), ("failures", 0)):
                if stats_after[key] - stats_before[key] != want:
                    failed.append(f"server: {key} changed by {stats_after[key] - stats_before[key]}, not {want}"
                                  + (f" ({stats_after['last_failure']})" if key == "failures" else ""))
            if first is None or first["conversation"] != stats_after["conversations_started"]:
                failed.append("the server recorded no first request for this run")
            if failed:
                err_text = err_path.read_text(encoding="utf-8", errors="replace")
                problems.append(f"probe run {run + 1}: " + "; ".join(failed))
                print(f"probe run {run + 1} failed: {'; '.join(failed)}\nstdout:\n{stdout}\nstderr:\n{err_text}", file=sys.stderr)
                break
            sample = {"wall_ms": round((end - start) / 1e6, 2),
                      "first_request_ms": round((first["monotonic_ns"] - start) / 1e6, 2),
                      "max_rss_kib": int(usage.ru_maxrss)}
            samples.append(sample)
            print(f"  probe {run + 1}/{args.runs}: wall {sample['wall_ms']:.1f} ms, start -> first request "
                  f"{sample['first_request_ms']:.1f} ms, max RSS {sample['max_rss_kib'] * 1024 / 1e6:.1f} MB", file=sys.stderr)

    # Totals over every run so far (check run, warm-ups, hyperfine and RSS runs, probes).
    stats = server_stats(args.server)
    edits = counter(repo) - INITIAL_RETRIES
    if stats["failures"]:
        problems.append(f"the server answered {stats['failures']} request(s) with a failed expectation "
                        f"(last: {stats['last_failure']})")
    if stats["conversations_started"] != stats["conversations_completed"]:
        problems.append(f"{stats['conversations_started']} conversations started but {stats['conversations_completed']} completed")
    if edits != stats["conversations_completed"]:
        problems.append(f"src/config.py was edited {edits} times for {stats['conversations_completed']} completed conversations")
    if stats["conversations_completed"] == 0:
        problems.append("no conversation completed")

    def median(key: str):
        values = [s[key] for s in samples]
        return round(statistics.median(values), 2) if values else None

    result = {
        "ok": not problems and len(samples) == args.runs,
        "problems": problems,
        "runs": args.runs,
        "samples": samples,
        "median_wall_ms": median("wall_ms"),
        "median_first_request_ms": median("first_request_ms"),
        "median_max_rss_kib": median("max_rss_kib"),
        "server": stats,
        "edits_in_repo": edits,
        "rss_tool": "os.wait4 rusage",
    }
    Path(args.export).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for problem in problems:
        print(f"openai-task: {problem}", file=sys.stderr)
    print(f"openai-task: {stats['conversations_completed']} conversations completed, {edits} edits, "
          f"{stats['failures']} failed expectations: {'verified' if result['ok'] else 'NOT VERIFIED'}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--repo", required=True)
    s.add_argument("--home", required=True)
    s.add_argument("--agent", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--files", type=int, default=2000)
    s.set_defaults(func=setup)
    p = sub.add_parser("probe")
    p.add_argument("--command", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--server", required=True, help="the fake server's root, http://127.0.0.1:PORT")
    p.add_argument("--first-request-file", required=True)
    p.add_argument("--answer", required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--export", required=True)
    p.set_defaults(func=probe)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
