#!/usr/bin/env python3
"""Scenario 'render-tokens': what drawing a streamed answer at a terminal costs per delta, whole process (stdlib only).

  scenario.py --agent AGENT [--agent AGENT ...] [--words 6000] [--runs 10] [--export FILE]

The scripted provider streams a generated answer of --words words in the shape of MarkdownRenderingBenchmarks'
`paragraphs` (paragraphs of 40-120 words with bold words, lists, code blocks, small tables; the words are w0001...
so every one can be checked), in its usual deltas (about 16 characters each: the delta count is printed). Each
AGENT (LABEL=PATH or PATH) runs the same prompt two ways, alternating run by run:

  tty    `agent run PROMPT` with standard output on a pseudo-terminal (120 columns): the answer drawn as Markdown
         as it streams (what a user at a terminal sees); a reader drains the terminal as fast as it is written;
  final  `agent run PROMPT --output final`, standard output a pipe: the same run, the answer printed once;
  short  `agent run PROMPT --output final` with a one-line answer: the run's fixed cost.

Drawing per delta = (median tty - median final) / deltas; the host's own cost of a streamed delta (provider, agent
loop, events, the stored answer) = (median final - median short) / deltas. Every tty run must show the last word and every final
run must print the whole answer, or the scenario fails. One AGENT_HOME per build, reused (steady state).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path


def answer_text(words: int) -> str:
    rng = random.Random(5)
    out, n = [], 0
    while n < words:
        kind = rng.randrange(10)
        if kind == 0:
            items = [" ".join(f"w{n + i * 3 + j + 1:04d}" for j in range(3)) for i in range(4)]
            out.append("\n".join(f"- {item}" for item in items))
            n += 12
        elif kind == 1:
            out.append("```\n" + "\n".join(" ".join(f"w{n + i * 4 + j + 1:04d}" for j in range(4)) for i in range(3)) + "\n```")
            n += 12
        elif kind == 2:
            rows = [f"| w{n + i * 2 + 1:04d} | w{n + i * 2 + 2:04d} |" for i in range(3)]
            out.append("\n".join([rows[0], "| --- | --- |", *rows[1:]]))
            n += 6
        else:
            count = rng.randint(40, 120)
            ws = [f"w{n + i + 1:04d}" for i in range(count)]
            for i in range(0, count, 17):
                ws[i] = f"**{ws[i]}**"
            out.append(" ".join(ws))
            n += count
    return "\n\n".join(out)


def deltas(text: str) -> int:
    """The scripted provider's chunking (plugins/scripted/ScriptedChatClient.Chunks): 16 characters, then the next space."""
    count, start = 0, 0
    while start < len(text):
        end = text.find(" ", min(start + 16, len(text) - 1))
        start = len(text) if end < 0 else end + 1
        count += 1
    return count


def run_tty(argv: list[str], env: dict, cwd: Path) -> tuple[float, bytes]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    code = process.wait()
    elapsed = time.perf_counter() - start
    os.close(slave)
    reader.join(10)
    os.close(master)
    output = b"".join(chunks)
    if code != 0:
        raise RuntimeError(f"tty run exited {code}: {output[-600:]!r}")
    return elapsed, output


def run_final(argv: list[str], env: dict, cwd: Path) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(argv + ["--output", "final"], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"final run exited {done.returncode}: {done.stderr[-600:]!r}")
    return elapsed, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", action="append", required=True)
    parser.add_argument("--words", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--export")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="agent-render."))
    text = answer_text(args.words)
    last = text.replace("*", "").split()[-1].strip("|`-")
    script = work / "answer.yaml"
    script.write_text("turns:\n  - text: " + json.dumps(text) + "\n")
    short = work / "short.yaml"
    short.write_text("turns:\n  - text: w0001 done\n")
    project = work / "project"
    project.mkdir()
    (project / "README.md").write_text("# bench\n")
    count = deltas(text)
    agents = {}
    for i, spec in enumerate(args.agent):
        label, _, path = spec.partition("=") if "=" in spec else (f"agent{i + 1}", "", spec)
        agents[label] = path
    samples = {label: {"tty": [], "final": [], "short": []} for label in agents}
    print(f"render-tokens: {args.words} words, {len(text)} characters, {count} deltas", file=sys.stderr)
    for i in range(args.runs + 1):  # run 0: warm-up (creates the session database)
        labels = list(agents) if i % 2 == 0 else list(agents)[::-1]
        for label in labels:
            env = dict(os.environ, AGENT_HOME=str(work / f"home-{label}"), TERM="xterm-256color", COLUMNS="120")
            env.pop("CI", None)
            env.pop("NO_COLOR", None)
            argv = [agents[label], "run", "Write the long answer", "--plugin", "scripted", "--no-default-plugins",
                    "--model", f"scripted/{script}"]
            modes = ("tty", "final", "short")
            shift = (i + labels.index(label)) % 3
            for mode in modes[shift:] + modes[:shift]:
                if mode == "short":
                    elapsed, output = run_final(argv[:-1] + [f"scripted/{short}"], env, project)
                    if b"w0001 done" not in output:
                        raise SystemExit(f"render-tokens: the short run of {label} did not print its answer: {output[-400:]!r}")
                    if i > 0:
                        samples[label][mode].append(elapsed)
                    continue
                elapsed, output = (run_tty if mode == "tty" else run_final)(argv, env, project)
                if last.encode() not in output:
                    raise SystemExit(f"render-tokens: the {mode} run of {label} did not show the last word {last}: {output[-400:]!r}")
                if i > 0:
                    samples[label][mode].append(elapsed)
    result = {"words": args.words, "characters": len(text), "deltas": count, "runs": args.runs, "agents": {}}
    for label, s in samples.items():
        tty, final, fixed = (statistics.median(s[m]) * 1000 for m in ("tty", "final", "short"))
        per = (tty - final) * 1000 / count
        host = (final - fixed) * 1000 / count
        result["agents"][label] = {"tty_ms": round(tty, 1), "final_ms": round(final, 1), "short_ms": round(fixed, 1),
                                   "per_delta_us": round(per, 2), "host_per_delta_us": round(host, 2),
                                   "short_samples_ms": [round(x * 1000, 1) for x in s["short"]],
                                   "tty_samples_ms": [round(x * 1000, 1) for x in s["tty"]],
                                   "final_samples_ms": [round(x * 1000, 1) for x in s["final"]]}
        print(f"{label}: tty {tty:.1f} ms, --output final {final:.1f} ms, short answer {fixed:.1f} ms: drawing "
              f"{per:.1f} µs per delta, host {host:.1f} µs per delta ({count} deltas)")
    if args.export:
        Path(args.export).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
