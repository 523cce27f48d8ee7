#!/usr/bin/env python3
"""Compare two agent builds on the many-plugins scenario: the same homes, builds and counts rotated in every round.

Usage: compare.py --before PATH/agent --after PATH/agent [--counts 0,20,100] [--runs 6] [--work DIR]
The homes are installed once by the --after build and copied for each build (the stamp, snapshot and skill caches are
per build: one home shared by two builds would have each discard the other's); each build runs 4 unmeasured times per
count first (past the three runs that wait on the never-answering MCP servers, see docs/performance.md, "Many installed plugins"). Prints
medians of the time to the first model request, of CPU time (user + system, the process and its children) and of peak
RSS per build and count, and the median per-round ratio of the last two counts. Extra environment for every measured
run: --env NAME=VALUE (repeatable; {build} and {count} in VALUE name the run's build and count, e.g. a
DOTNET_STARTUP_HOOKS timeline's output file per build and count).
"""
import argparse
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--counts", default="0,20,100")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--work")
    parser.add_argument("--env", action="append", default=[])
    args = parser.parse_args()
    builds = {"before": shlex.split(args.before), "after": shlex.split(args.after)}
    counts = [int(c) for c in args.counts.split(",")]
    work = Path(args.work or tempfile.mkdtemp(prefix="agent-bench-plugins-compare."))
    work.mkdir(parents=True, exist_ok=True)
    server, url, first = scenario.start_server(work)
    try:
        prepared = {c: scenario.prepare(builds["after"], work, c, url) for c in counts}
        places = {(b, c): own_copy(prepared[c], work, b, c, args.env) for b in builds for c in counts}
        for b, build in builds.items():
            for c in counts:
                for _ in range(4):
                    scenario.run_once(build, places[(b, c)], url, first)
        keys = [(b, c) for b in builds for c in counts]
        samples: dict = {key: [] for key in keys}
        for round_ in range(args.runs):
            for b, c in keys[round_ % len(keys):] + keys[:round_ % len(keys)]:
                samples[(b, c)].append(scenario.run_once(builds[b], places[(b, c)], url, first))
            print(f"  round {round_ + 1}/{args.runs} done", file=sys.stderr)
    finally:
        server.kill()

    slash = " / ".join(map(str, counts))
    print("| build | " + " | ".join(f"{c} plugins → first request" for c in counts) + f" | CPU {slash} | peak RSS {slash} |")
    print("| --- " * (len(counts) + 3) + "|")
    for b in builds:
        times = {c: statistics.median(s["first_request_ms"] for s in samples[(b, c)]) for c in counts}
        cpu = {c: statistics.median(s["cpu_ms"] for s in samples[(b, c)]) for c in counts}
        rss = {c: statistics.median(s["max_rss_mb"] for s in samples[(b, c)]) for c in counts}
        cells = [f"{times[c]:.0f} ms" for c in counts]
        print(f"| {b} | " + " | ".join(cells) + " | " + " / ".join(f"{cpu[c]:.0f}" for c in counts) + " ms | "
              + " / ".join(f"{rss[c]:.1f}" for c in counts) + " MB |")
        if len(counts) >= 2:
            low, high = counts[-2], counts[-1]
            ratios = [h["first_request_ms"] / l["first_request_ms"] for h, l in zip(samples[(b, high)], samples[(b, low)])]
            print(f"  {b}: median per-round ratio {high} ÷ {low} = {statistics.median(ratios):.2f}", file=sys.stderr)
    return 0


def own_copy(place: dict[str, str], work: Path, build: str, count: int, extra: list[str]) -> dict[str, str]:
    """A copy of a prepared home and project for one build, with the extra environment."""
    home, project = work / f"home-{count}-{build}", work / f"project-{count}-{build}"
    for source, target in ((place["home"], home), (place["project"], project)):
        if not target.exists():
            shutil.copytree(source, target, symlinks=True)
    copy = {**place, "home": str(home), "project": str(project), "env:AGENT_HOME": str(home)}
    for pair in extra:
        name, _, value = pair.partition("=")
        copy["env:" + name] = value.replace("{build}", build).replace("{count}", str(count))
    return copy


if __name__ == "__main__":
    sys.exit(main())
