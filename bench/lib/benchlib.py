#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  benchlib.py measure --warmup N --runs N --export FILE NAME COMMAND [NAME COMMAND ...]
      Fallback when hyperfine is missing: runs each command (split like a shell would, no shell started),
      output discarded, and writes hyperfine-shaped JSON (results[].command/median/mean/min/max/times, seconds).

  benchlib.py merge --out FILE TIMINGS.json [TIMINGS.json ...]
      Concatenates the runs of each command over several timing files (rounds) and recomputes the statistics.

  benchlib.py is-r2r FILE.dll
      Prints "yes" when the assembly carries ReadyToRun native code (a ManagedNativeHeader), else "no".

  benchlib.py report --timings FILE --meta FILE --out FILE
      Prints the results table (medians, ratios against the reference of the same run, targets) and writes the
      summary JSON. Always exits 0 when the inputs are readable: benchmarks report, tests assert.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path


def measure(args: argparse.Namespace) -> int:
    pairs = args.pairs
    if len(pairs) % 2 != 0:
        print("measure: expected NAME COMMAND pairs", file=sys.stderr)
        return 2
    results = []
    for name, command in zip(pairs[0::2], pairs[1::2]):
        argv = shlex.split(command)
        for _ in range(args.warmup):
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times = []
        codes = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - start)
            codes.append(done.returncode)
        results.append(stats(name, times, codes))
        print(f"  {name}: median {statistics.median(times) * 1000:.1f} ms over {args.runs} runs", file=sys.stderr)
    Path(args.export).write_text(json.dumps({"results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


def stats(name: str, times: list[float], codes: list[int]) -> dict:
    return {
        "command": name,
        "mean": statistics.fmean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "times": times,
        "exit_codes": codes,
    }


def merge(args: argparse.Namespace) -> int:
    times: dict[str, list[float]] = {}
    codes: dict[str, list[int]] = {}
    for file in args.files:
        for result in json.loads(Path(file).read_text(encoding="utf-8")).get("results", []):
            name = result["command"]
            times.setdefault(name, []).extend(result.get("times") or [result["median"]])
            codes.setdefault(name, []).extend(result.get("exit_codes") or [])
    results = [stats(name, t, codes[name]) for name, t in times.items()]
    Path(args.out).write_text(json.dumps({"results": results, "rounds": len(args.files)}, indent=2) + "\n", encoding="utf-8")
    return 0


def is_r2r(args: argparse.Namespace) -> int:
    """Reads the CLI header of a PE file; a non-empty ManagedNativeHeader means ReadyToRun code is present."""
    try:
        data = Path(args.file).read_bytes()
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            raise ValueError("not a PE file")
        sections = struct.unpack_from("<H", data, pe + 6)[0]
        optional_size = struct.unpack_from("<H", data, pe + 20)[0]
        optional = pe + 24
        magic = struct.unpack_from("<H", data, optional)[0]
        directories = optional + (112 if magic == 0x20B else 96)
        cli_rva, cli_size = struct.unpack_from("<II", data, directories + 14 * 8)
        if cli_size == 0:
            raise ValueError("no CLI header")
        table = optional + optional_size

        def to_offset(rva: int) -> int:
            for i in range(sections):
                entry = table + i * 40
                vsize, vaddr, raw_size, raw_ptr = struct.unpack_from("<IIII", data, entry + 8)
                if vaddr <= rva < vaddr + max(vsize, raw_size):
                    return rva - vaddr + raw_ptr
            raise ValueError(f"RVA {rva:#x} is in no section")

        cor20 = to_offset(cli_rva)
        _, native_size = struct.unpack_from("<II", data, cor20 + 64)
        print("yes" if native_size > 0 else "no")
    except (OSError, ValueError, struct.error) as ex:
        print(f"unknown ({ex})")
    return 0


def report(args: argparse.Namespace) -> int:
    timings = json.loads(Path(args.timings).read_text(encoding="utf-8"))
    meta = json.loads(Path(args.meta).read_text(encoding="utf-8"))
    medians = {r["command"]: round(r["median"] * 1000.0, 2) for r in timings.get("results", [])}
    runs = {r["command"]: len(r.get("times") or []) for r in timings.get("results", [])}

    # scenario, measured command, reference command, target (ms, on the measured median) or None.
    plan = [
        ("startup: agent --version", "agent --version", "hello-world", 150.0),
        ("help: agent --help", "agent --help", "hello-world", None),
        ("agent plugin list, 0 plugins", "agent plugin list (0 plugins)", "hello-world", None),
        ("load 20 plugins: agent plugin list", "agent plugin list (20 plugins)", "agent plugin list (0 plugins)", 300.0),
    ]
    rows = []
    for scenario, command, reference, target in plan:
        median = medians.get(command)
        ref = medians.get(reference)
        row = {
            "scenario": scenario,
            "command": command,
            "median_ms": round(median, 2) if median is not None else None,
            "reference": reference,
            "reference_median_ms": round(ref, 2) if ref is not None else None,
            "ratio": round(median / ref, 3) if median is not None and ref else None,
            "target_ms": target,
            "status": None,
            "runs": runs.get(command, 0),
        }
        if median is None:
            row["status"] = "SKIPPED"
        elif target is not None:
            row["status"] = "PASS" if median <= target else "FAIL"
        rows.append(row)

    per_plugin = None
    m20 = medians.get("agent plugin list (20 plugins)")
    m0 = medians.get("agent plugin list (0 plugins)")
    if m20 is not None and m0 is not None:
        per_plugin = round((m20 - m0) / 20.0, 2)

    def fmt(value: float | None, suffix: str = "") -> str:
        return "-" if value is None else f"{value:.1f}{suffix}"

    headers = ["scenario", "median ms", "reference", "ref median ms", "ratio", "target", "result"]
    table = [
        [
            r["scenario"],
            fmt(r["median_ms"]),
            r["reference"],
            fmt(r["reference_median_ms"]),
            "-" if r["ratio"] is None else f"{r['ratio']:.2f}x",
            "-" if r["target_ms"] is None else f"<= {r['target_ms']:.0f} ms",
            r["status"] or "-",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in table)) for i, h in enumerate(headers)]
    right = {1, 3, 4}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells))

    print()
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for cells in table:
        print(line(cells))
    ref = medians.get("hello-world")
    print()
    print(f"reference: hello-world median {fmt(ref, ' ms')} (minimal console app, published the same way)")
    if per_plugin is not None:
        print(f"per-plugin overhead: (median20 - median0) / 20 = {per_plugin:.2f} ms")
    load = meta.get("machine", {}).get("load_average_1m_after_timing")
    if load is not None:
        cores = meta.get("machine", {}).get("cores")
        print(f"machine: {cores} cores, 1-minute load average {load} after timing (other work inflates every figure; ratios less so)")
    for note in meta.get("notes", []):
        print(f"note: {note}")

    summary = {
        "schema": 1,
        **meta,
        "unit": "ms",
        "statistic": "median",
        "scenarios": rows,
        "per_plugin_overhead_ms": per_plugin,
        "medians_ms": {k: round(v, 2) for k, v in medians.items()},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--warmup", type=int, default=3)
    m.add_argument("--runs", type=int, default=30)
    m.add_argument("--export", required=True)
    m.add_argument("pairs", nargs="+")
    m.set_defaults(func=measure)
    g = sub.add_parser("merge")
    g.add_argument("--out", required=True)
    g.add_argument("files", nargs="+")
    g.set_defaults(func=merge)
    r = sub.add_parser("is-r2r")
    r.add_argument("file")
    r.set_defaults(func=is_r2r)
    p = sub.add_parser("report")
    p.add_argument("--timings", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=report)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
