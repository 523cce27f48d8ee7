#!/usr/bin/env python3
"""Issue #25: glob and grep against ripgrep on several tree shapes, whole process (standard library + hyperfine).

  shapes.py --agent AGENT [--baseline OLD_AGENT] --work DIR [--shapes a,b,...] [--runs 6] [--rounds 2] [--warmup 1]
            [--hello HELLO] [--lock FILE] [--export FILE] [--keep-trees]

For every shape of scenario.py (`scenario.py shapes`: committed, untracked, nogit, deep, wide, large, binary, small) it
builds the tree in DIR/trees/NAME (kept between runs: an existing tree whose summary file is there is reused), checks
that AGENT's glob and grep see the same files and lines as rg (scenario.py verify; a shape that disagrees is not timed
and is reported UNVERIFIED), then times with hyperfine -N, in the same rounds (command order rotated each round):

  glob:          agent tool run glob '**/*.ts'                       vs  rg --files -g '*.ts'
  grep literal:  agent tool run grep fetchUserProfile                vs  rg fetchUserProfile
  grep regex:    agent tool run grep 'handle[A-Z]\\w*Event\\('        vs  rg 'handle[A-Z]\\w*Event\\('

(and OLD_AGENT's same commands, for before/after), and the floor: `agent tool run glob` on an empty folder, whose
median is subtracted to give the search's own part of the process ("agent - floor"); with --hello, a self-contained
ReadyToRun hello world (bench/run.sh publishes one) in the same rounds, whose ratio to rg ("hello world / rg") is what
no .NET process can go below. rg gets the shape's extra options (--no-require-git without a
repository). Each shape's timing holds the lock file (flock) when --lock is given, so helpers sharing the machine do
not time at once. Writes DIR/shapes.json (also --export): per shape and search, the medians, ratios and runs, the
verification and the 1-minute load average; and DIR/bdn-shapes.json for SearchToolBenchmarks
(AGENT_BENCH_SEARCH_SHAPES): the shapes timed now and, after a run with --shapes, those an earlier run built whose
trees are still there. bench/lib/searchreport.py --shapes FILE prints the table.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GLOB = "*.ts"
LITERAL = "fetchUserProfile"
REGEX = r"handle[A-Z]\w*Event\("
SEARCHES = [
    ("glob", ["glob", "--args", json.dumps({"pattern": "**/" + GLOB})], ["--files", "-g", GLOB]),
    ("grep literal", ["grep", "--args", json.dumps({"pattern": LITERAL})], [LITERAL]),
    ("grep regex", ["grep", "--args", json.dumps({"pattern": REGEX})], [REGEX]),
]


def shapes() -> list[dict]:
    out = subprocess.run([sys.executable, str(HERE / "scenario.py"), "shapes"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def build(shape: str, tree: Path) -> dict:
    summary = tree.with_suffix(".json")
    if tree.exists() and summary.exists():
        return json.loads(summary.read_text(encoding="utf-8"))
    if tree.exists():
        subprocess.run(["rm", "-rf", str(tree)], check=True)
    started = time.monotonic()
    out = subprocess.run([sys.executable, str(HERE / "scenario.py"), "setup", "--shape", shape, "--tree", str(tree)],
                         check=True, capture_output=True, text=True).stdout
    data = dict(json.loads(out), setup_seconds=round(time.monotonic() - started, 1))
    summary.write_text(json.dumps(data) + "\n", encoding="utf-8")
    return data


def verify(shape: str, tree: Path, agent: str, home: Path) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "scenario.py"), "verify", "--shape", shape, "--tree", str(tree),
                           "--agent", agent, "--home", str(home), "--glob", GLOB, "--literal", LITERAL, "--regex", REGEX],
                          capture_output=True, text=True, check=False)
    return {"ok": done.returncode == 0, "checks": json.loads(done.stdout or "{}") if done.stdout.strip().startswith("{") else {},
            "problems": [line for line in done.stderr.splitlines() if line.strip()]}


def load() -> float:
    return os.getloadavg()[0]


def time_shape(commands: dict[str, list[str]], runs: int, rounds: int, warmup: int, home: Path) -> dict[str, list[float]]:
    """hyperfine -N in rounds with the command order rotated; returns every run's wall time per command name."""
    names = list(commands)
    times: dict[str, list[float]] = {n: [] for n in names}
    per_round = max(1, runs // rounds)
    env = dict(os.environ, AGENT_HOME=str(home))
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            args = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(per_round), "--export-json", export.name]
            for name in order:
                args += ["--command-name", name, shlex.join(commands[name])]
            subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for result in json.loads(Path(export.name).read_text(encoding="utf-8"))["results"]:
                times[result["command"]].extend(result["times"])
    return times


def write_bdn_shapes(path: Path, built: list[dict]) -> None:
    """Writes the shapes file for SearchToolBenchmarks: the shapes built now, and those an earlier run (--shapes) built
    whose trees are still there, so a run over some shapes does not leave the others out of the file."""
    kept = {}
    if path.exists():
        try:
            kept = {s["name"]: s for s in json.loads(path.read_text(encoding="utf-8")) if Path(s["tree"]).is_dir()}
        except (ValueError, KeyError, TypeError):
            print(f"shapes.py: {path} is not a shapes file; writing it anew", file=sys.stderr)
    kept.update({s["name"]: s for s in built})
    order = [s["name"] for s in shapes()]
    path.write_text(json.dumps(sorted(kept.values(), key=lambda s: order.index(s["name"]) if s["name"] in order else len(order)), indent=2) + "\n",
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True)
    parser.add_argument("--baseline")
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--shapes", help="comma-separated names (default: all)")
    parser.add_argument("--hello", help="a self-contained ReadyToRun hello world, timed in the same rounds as a reference")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--lock")
    parser.add_argument("--export")
    args = parser.parse_args()

    known = shapes()
    wanted = args.shapes.split(",") if args.shapes else [s["name"] for s in known]
    args.work.mkdir(parents=True, exist_ok=True)
    home = args.work / "home"
    home.mkdir(exist_ok=True)
    results = []
    bdn = []
    for shape in (s for s in known if s["name"] in wanted):
        name = shape["name"]
        tree = args.work / "trees" / name
        tree.parent.mkdir(parents=True, exist_ok=True)
        summary = build(name, tree)
        bdn.append({"name": name, "tree": str(tree), "rg_args": shape["rg_args"]})
        checked = verify(name, tree, args.agent, home)
        baseline_checked = verify(name, tree, args.baseline, home) if args.baseline else None
        row = {"shape": name, "about": shape["about"], "tree": summary, "rg_args": shape["rg_args"], "verified": checked["ok"],
               "verification": checked, "baseline_verification": baseline_checked, "searches": []}
        print(f"shapes.py: {name}: {summary['files_on_disk']:,} files, {summary['bytes_on_disk'] / 1e6:,.0f} MB; "
              f"verified: {checked['ok']}" + ("" if checked["ok"] else f" ({'; '.join(checked['problems'])})"), file=sys.stderr)
        if checked["ok"]:
            commands: dict[str, list[str]] = {}
            for search, tool_args, rg_args in SEARCHES:
                commands[f"{search}: agent"] = [args.agent, "tool", "run", *tool_args, "--plugin", "files", "--root", str(tree)]
                if args.baseline:
                    commands[f"{search}: baseline"] = [args.baseline, "tool", "run", *tool_args, "--plugin", "files", "--root", str(tree)]
                commands[f"{search}: rg"] = ["rg", *shape["rg_args"], *rg_args, str(tree)]
            # The floor: the same process with nothing to search (an empty folder), so "agent - floor" is the search's own part.
            empty = args.work / "empty"
            empty.mkdir(exist_ok=True)
            commands["floor: agent"] = [args.agent, "tool", "run", "glob", "--args", json.dumps({"pattern": "*.ts"}), "--plugin", "files", "--root", str(empty)]
            if args.baseline:
                commands["floor: baseline"] = [args.baseline, "tool", "run", "glob", "--args", json.dumps({"pattern": "*.ts"}), "--plugin", "files", "--root", str(empty)]
            if args.hello:
                # The start of a .NET process that does nothing (bench/run.sh's reference): what no .NET host can go below.
                commands["floor: hello"] = [args.hello]
            lock = open(args.lock, "w", encoding="utf-8") if args.lock else None  # noqa: SIM115 (held for the timing)
            try:
                if lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                load_before = load()
                times = time_shape(commands, args.runs, args.rounds, args.warmup, home)
                load_after = load()
            finally:
                if lock:
                    lock.close()
            row["load_before"], row["load_after"] = round(load_before, 2), round(load_after, 2)
            floor = {who: statistics.median(times[f"floor: {who}"]) * 1000 for who in ("agent", "baseline") if f"floor: {who}" in times}
            row["floor_ms"] = {who: round(v, 1) for who, v in floor.items()}
            hello = statistics.median(times["floor: hello"]) * 1000 if "floor: hello" in times else None
            row["hello_ms"] = round(hello, 1) if hello is not None else None
            for search, _, rg_args in SEARCHES:
                med = {who: statistics.median(times[f"{search}: {who}"]) * 1000 for who in ("agent", "baseline", "rg") if f"{search}: {who}" in times}
                row["searches"].append({
                    "search": search,
                    "agent_ms": round(med["agent"], 1),
                    "baseline_ms": round(med["baseline"], 1) if "baseline" in med else None,
                    "rg_ms": round(med["rg"], 1),
                    "ratio": round(med["agent"] / med["rg"], 3),
                    "baseline_ratio": round(med["baseline"] / med["rg"], 3) if "baseline" in med else None,
                    "agent_minus_floor_ms": round(med["agent"] - floor["agent"], 1),
                    "baseline_minus_floor_ms": round(med["baseline"] - floor["baseline"], 1) if "baseline" in med else None,
                    "ratio_minus_floor": round((med["agent"] - floor["agent"]) / med["rg"], 3),
                    "hello_ratio": round(hello / med["rg"], 3) if hello is not None else None,
                    "runs": len(times[f"{search}: agent"]),
                    "commands": {who: shlex.join(commands[f"{search}: {who}"]) for who in ("agent", "baseline", "rg") if f"{search}: {who}" in commands},
                })
                s = row["searches"][-1]
                print(f"shapes.py: {name} {search}: agent {s['agent_ms']:.0f} ms, baseline {s['baseline_ms'] or 0:.0f} ms, rg {s['rg_ms']:.0f} ms, "
                      f"ratio {s['ratio']:.2f}x (before {s['baseline_ratio'] or 0:.2f}x); minus the floor ({floor['agent']:.0f} ms) {s['ratio_minus_floor']:.2f}x; "
                      + (f"hello world ({hello:.0f} ms) {s['hello_ratio']:.2f}x; " if hello is not None else "") + f"load {load_after:.1f}", file=sys.stderr)
        results.append(row)
    out = {"agent": args.agent, "baseline": args.baseline, "runs": args.runs, "rounds": args.rounds, "warmup": args.warmup,
           "rg": subprocess.run(["rg", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0],
           "shapes": results}
    (args.work / "shapes.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    write_bdn_shapes(args.work / "bdn-shapes.json", bdn)
    if args.export:
        Path(args.export).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["verified"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
