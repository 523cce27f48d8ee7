#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  benchlib.py measure --warmup N --runs N --export FILE NAME COMMAND [NAME COMMAND ...]
      Fallback when hyperfine is missing: runs each command (split like a shell would, no shell started),
      output discarded, and writes hyperfine-shaped JSON (results[].command/median/mean/min/max/times, seconds).

  benchlib.py merge --out FILE TIMINGS.json [TIMINGS.json ...]
      Concatenates the runs of each command over several timing files (rounds) and recomputes the statistics.

  benchlib.py rss --runs N --export FILE NAME COMMAND [NAME COMMAND ...]
      Peak resident set size: runs each command N times (commands interleaved, output discarded) under GNU
      `/usr/bin/time -v` (or, when that is missing, reads the child's rusage via os.wait4, the same kernel figure)
      and writes results[].command/max_rss_kib/median_kib plus the tool used.

  benchlib.py is-r2r FILE.dll
      Prints "yes" when the assembly carries ReadyToRun native code (a ManagedNativeHeader; "yes (in a composite
      image)" when the code is in the composite <name>.r2r.dll it points to), "partial" or "no".

  benchlib.py report --timings FILE --meta FILE [--rss FILE] [--openai FILE] --out FILE
      Prints the results table (medians, ratios against the reference of the same run, targets) and writes the
      summary JSON. Always exits 0 when the inputs are readable: benchmarks report, tests assert.
      --openai is bench/scenarios/openai-task/scenario.py probe's output: process start -> first model request and
      whether every run of that scenario was verified; without it, or when it says "ok": false, the scenario's
      time and RSS are withheld (status UNVERIFIED).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GNU_TIME = "/usr/bin/time"
TASK = "agent run (6-step tool task)"
ANSWER_ONLY = "agent run (answer only)"
TOOL_STEPS = 6  # tool-calling model steps of bench/scenarios/six-step-task.yaml (then a final answer)
RSS_TARGET_MB = 150.0
OPENAI_TASK = "agent run (openai 6-step task)"  # bench/scenarios/openai-task
OPENAI_TARGET_MS = 750.0
OPENAI_FIRST_REQUEST_TARGET_MS = 300.0


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


def gnu_time_version() -> str | None:
    try:
        done = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    text = (done.stdout + done.stderr).strip()
    return text.splitlines()[0] if "GNU" in text else None


def rss(args: argparse.Namespace) -> int:
    pairs = args.pairs
    if len(pairs) % 2 != 0:
        print("rss: expected NAME COMMAND pairs", file=sys.stderr)
        return 2
    commands = list(zip(pairs[0::2], pairs[1::2]))
    gnu = gnu_time_version()
    samples: dict[str, list[int]] = {name: [] for name, _ in commands}
    codes: dict[str, list[int]] = {name: [] for name, _ in commands}
    with tempfile.TemporaryDirectory(prefix="agent-bench-rss.") as scratch:
        report_file = os.path.join(scratch, "time.txt")
        for _ in range(args.runs):
            for name, command in commands:
                argv = shlex.split(command)
                if gnu:
                    done = subprocess.run([GNU_TIME, "-v", "-o", report_file] + argv,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                    text = Path(report_file).read_text(encoding="utf-8", errors="replace")
                    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
                    status = re.search(r"Exit status: (\d+)", text)
                    if match is None:
                        print(f"rss: no 'Maximum resident set size' for {name}", file=sys.stderr)
                        continue
                    samples[name].append(int(match.group(1)))
                    codes[name].append(int(status.group(1)) if status else done.returncode)
                else:
                    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    _, status, usage = os.wait4(process.pid, 0)
                    process.returncode = os.waitstatus_to_exitcode(status)
                    samples[name].append(int(usage.ru_maxrss))  # KiB on Linux
                    codes[name].append(process.returncode)
    results = []
    for name, _ in commands:
        kib = samples[name]
        median = statistics.median(kib) if kib else None
        results.append({"command": name, "max_rss_kib": kib, "median_kib": median, "exit_codes": codes[name]})
        if median is not None:
            print(f"  {name}: median max RSS {median * 1024 / 1e6:.1f} MB over {len(kib)} runs", file=sys.stderr)
    tool = f"{GNU_TIME} -v ({gnu})" if gnu else "os.wait4 rusage (GNU time not available)"
    Path(args.export).write_text(json.dumps({"tool": tool, "runs": args.runs, "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


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
    """Reads the CLI header of a PE file: "yes" when it carries ReadyToRun code compiled with every type resolved."""
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
        native_rva, native_size = struct.unpack_from("<II", data, cor20 + 64)
        if native_size == 0:
            print("no")
        else:
            # READYTORUN_HEADER: signature, major, minor, then flags. crossgen2 sets SKIP_TYPE_VALIDATION (0x2) only
            # when every type of the assembly could be loaded while compiling; without it, methods that touch a type
            # it could not resolve (a missing reference) were left to the JIT.
            # COMPONENT (0x20): the code is in a composite image (<name>.r2r.dll) that this assembly points to.
            # PARTIAL (0x4): crossgen2 --partial compiled only the methods its profile named (the openai plugin's
            # bundle, docs/decisions/0001-release-build-readytorun-composite.md); the rest is JIT-compiled if called.
            flags = struct.unpack_from("<I", data, to_offset(native_rva) + 8)[0]
            composite = " (in a composite image)" if flags & 0x20 else ""
            composite += " (a partial image: the profiled methods)" if flags & 0x4 else ""
            print("yes" + composite if flags & 0x2 else "partial (some types could not be loaded when it was compiled)")
    except (OSError, ValueError, struct.error) as ex:
        print(f"unknown ({ex})")
    return 0


def report(args: argparse.Namespace) -> int:
    timings = json.loads(Path(args.timings).read_text(encoding="utf-8"))
    meta = json.loads(Path(args.meta).read_text(encoding="utf-8"))
    medians = {r["command"]: round(r["median"] * 1000.0, 2) for r in timings.get("results", [])}
    runs = {r["command"]: len(r.get("times") or []) for r in timings.get("results", [])}
    # The openai task's figures count only when every run of it was verified (scenario.py probe).
    openai = json.loads(Path(args.openai).read_text(encoding="utf-8")) if args.openai else None
    openai_ok = bool(openai and openai.get("ok"))
    openai_timed = OPENAI_TASK in medians
    if not openai_ok:
        medians.pop(OPENAI_TASK, None)

    # scenario, measured command, reference command, target (ms, on the measured median) or None.
    plan = [
        ("startup: agent --version", "agent --version", "hello-world", 150.0),
        ("help: agent --help", "agent --help", "hello-world", None),
        ("agent plugin list, 0 plugins", "agent plugin list (0 plugins)", "hello-world", None),
        ("load 20 plugins: agent plugin list", "agent plugin list (20 plugins)", "agent plugin list (0 plugins)", 300.0),
        ("6-step tool task: agent run (scripted)", TASK, "agent --version", 500.0),
        ("agent run, answer only (scripted)", ANSWER_ONLY, "agent --version", None),
        ("6-step tool task: agent run (openai plugin, fake server)", OPENAI_TASK, "agent --version", OPENAI_TARGET_MS),
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
            row["status"] = "UNVERIFIED" if command == OPENAI_TASK and (openai_timed or openai) else "SKIPPED"
        elif target is not None:
            row["status"] = "PASS" if median <= target else "FAIL"
        rows.append(row)

    # The task against its other reference (hello world), split into a fixed cost (the same command answering at
    # once, above the agent --version floor) and a marginal cost per tool step.
    task = medians.get(TASK)
    answer = medians.get(ANSWER_ONLY)
    version = medians.get("agent --version")
    hello = medians.get("hello-world")
    task_detail = None
    if task is not None:
        task_detail = {
            "median_ms": task,
            "ratio_to_agent_version": round(task / version, 3) if version else None,
            "ratio_to_hello_world": round(task / hello, 3) if hello else None,
            "answer_only_median_ms": answer,
            "fixed_cost_above_agent_version_ms": round(answer - version, 2) if answer is not None and version is not None else None,
            "tool_steps": TOOL_STEPS,
            "per_tool_step_ms": round((task - answer) / TOOL_STEPS, 2) if answer is not None else None,
        }

    peak = None
    if args.rss:
        data = json.loads(Path(args.rss).read_text(encoding="utf-8"))
        by_name = {r["command"]: r for r in data.get("results", [])}

        def mb(name: str) -> float | None:
            value = by_name.get(name, {}).get("median_kib")
            return None if value is None else round(value * 1024 / 1e6, 1)

        if not openai_ok:
            by_name.pop(OPENAI_TASK, None)
        task_mb, version_mb, hello_mb = mb(TASK), mb("agent --version"), mb("hello-world")
        openai_mb = mb(OPENAI_TASK)
        openai_codes = by_name.get(OPENAI_TASK, {}).get("exit_codes") or []
        peak = {
            "tool": data.get("tool"),
            "runs": data.get("runs"),
            "unit": "MB (10^6 bytes), median of max RSS",
            "medians_mb": {name: mb(name) for name in by_name},
            "samples_kib": {name: r.get("max_rss_kib") for name, r in by_name.items()},
            "task_mb": task_mb,
            "task_ratio_to_agent_version": round(task_mb / version_mb, 3) if task_mb and version_mb else None,
            "task_ratio_to_hello_world": round(task_mb / hello_mb, 3) if task_mb and hello_mb else None,
            "target_mb": RSS_TARGET_MB,
            "status": None if task_mb is None else ("PASS" if task_mb <= RSS_TARGET_MB else "FAIL"),
            "openai_task_mb": openai_mb,
            "openai_task_ratio_to_agent_version": round(openai_mb / version_mb, 3) if openai_mb and version_mb else None,
            "openai_task_ratio_to_hello_world": round(openai_mb / hello_mb, 3) if openai_mb and hello_mb else None,
            "openai_task_status": None if openai_mb is None else (
                "FAIL (a run exited non-zero)" if any(openai_codes) else ("PASS" if openai_mb <= RSS_TARGET_MB else "FAIL")),
        }

    openai_detail = None
    if openai is not None or openai_timed:
        first = openai.get("median_first_request_ms") if openai_ok else None
        openai_detail = {
            "verified": openai_ok,
            "problems": (openai or {}).get("problems") or ([] if openai else ["no probe output (scenario.py probe failed)"]),
            "median_ms": medians.get(OPENAI_TASK),
            "ratio_to_agent_version": round(medians[OPENAI_TASK] / version, 3) if openai_ok and version and OPENAI_TASK in medians else None,
            "ratio_to_hello_world": round(medians[OPENAI_TASK] / hello, 3) if openai_ok and hello and OPENAI_TASK in medians else None,
            "target_ms": OPENAI_TARGET_MS,
            "first_request_median_ms": first,
            "first_request_ratio_to_agent_version": round(first / version, 3) if first is not None and version else None,
            "first_request_target_ms": OPENAI_FIRST_REQUEST_TARGET_MS,
            "first_request_status": None if first is None else ("PASS" if first <= OPENAI_FIRST_REQUEST_TARGET_MS else "FAIL"),
            "probe_runs": (openai or {}).get("runs"),
            "probe_median_wall_ms": (openai or {}).get("median_wall_ms") if openai_ok else None,
            "probe_median_max_rss_mb": round(openai["median_max_rss_kib"] * 1024 / 1e6, 1) if openai_ok and openai.get("median_max_rss_kib") else None,
            "probe_samples": (openai or {}).get("samples") if openai_ok else None,
            "server": (openai or {}).get("server"),
            "edits_in_repo": (openai or {}).get("edits_in_repo"),
        }

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
    if task_detail is not None:
        ratio_v = task_detail["ratio_to_agent_version"]
        ratio_h = task_detail["ratio_to_hello_world"]
        print(f"6-step tool task: median {task:.1f} ms = "
              f"{'-' if ratio_v is None else f'{ratio_v:.2f}x'} agent --version, "
              f"{'-' if ratio_h is None else f'{ratio_h:.2f}x'} hello world")
        if answer is not None:
            print(f"  fixed cost: answer only {answer:.1f} ms (- agent --version = {fmt(task_detail['fixed_cost_above_agent_version_ms'], ' ms')}); "
                  f"per tool step: (task - answer only) / {TOOL_STEPS} = {fmt(task_detail['per_tool_step_ms'], ' ms')}")
    if openai_detail is not None:
        print()
        if not openai_detail["verified"]:
            print("openai 6-step task: NOT VERIFIED, figures withheld: " + "; ".join(openai_detail["problems"] or ["unknown"]))
        else:
            rv, rh = openai_detail["ratio_to_agent_version"], openai_detail["ratio_to_hello_world"]
            print(f"openai 6-step task: median {fmt(openai_detail['median_ms'], ' ms')} = "
                  f"{'-' if rv is None else f'{rv:.2f}x'} agent --version, {'-' if rh is None else f'{rh:.2f}x'} hello world "
                  f"(target <= {OPENAI_TARGET_MS:.0f} ms)")
            fr = openai_detail["first_request_ratio_to_agent_version"]
            print(f"  process start -> first model request: median {fmt(openai_detail['first_request_median_ms'], ' ms')} "
                  f"({'-' if fr is None else f'{fr:.2f}x'} agent --version) over {openai_detail['probe_runs']} verified runs, "
                  f"target <= {OPENAI_FIRST_REQUEST_TARGET_MS:.0f} ms: {openai_detail['first_request_status']}")
            print(f"  those runs: median wall {fmt(openai_detail['probe_median_wall_ms'], ' ms')}, "
                  f"median max RSS {fmt(openai_detail['probe_median_max_rss_mb'], ' MB')}; server: "
                  f"{(openai_detail['server'] or {}).get('conversations_completed')} conversations completed, "
                  f"{openai_detail['edits_in_repo']} edits, {(openai_detail['server'] or {}).get('failures')} failed expectations")
    if peak is not None:
        print()
        print(f"peak RSS ({peak['tool']}, median of {peak['runs']} runs, MB = 10^6 bytes):")
        for name, value in peak["medians_mb"].items():
            print(f"  {name:<32} {fmt(value, ' MB'):>10}")
        if peak["task_mb"] is not None:
            rv, rh = peak["task_ratio_to_agent_version"], peak["task_ratio_to_hello_world"]
            print(f"  6-step tool task: {peak['task_mb']:.1f} MB "
                  f"({'-' if rv is None else f'{rv:.2f}x'} agent --version, {'-' if rh is None else f'{rh:.2f}x'} hello world), "
                  f"target <= {RSS_TARGET_MB:.0f} MB: {peak['status']}")
        if peak["openai_task_mb"] is not None:
            rv, rh = peak["openai_task_ratio_to_agent_version"], peak["openai_task_ratio_to_hello_world"]
            print(f"  openai 6-step task: {peak['openai_task_mb']:.1f} MB "
                  f"({'-' if rv is None else f'{rv:.2f}x'} agent --version, {'-' if rh is None else f'{rh:.2f}x'} hello world), "
                  f"target <= {RSS_TARGET_MB:.0f} MB: {peak['openai_task_status']}")
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
        "task": task_detail,
        "peak_rss": peak,
        "openai_task": openai_detail,
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
    x = sub.add_parser("rss")
    x.add_argument("--runs", type=int, default=5)
    x.add_argument("--export", required=True)
    x.add_argument("pairs", nargs="+")
    x.set_defaults(func=rss)
    r = sub.add_parser("is-r2r")
    r.add_argument("file")
    r.set_defaults(func=is_r2r)
    p = sub.add_parser("report")
    p.add_argument("--timings", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--rss")
    p.add_argument("--openai")
    p.add_argument("--out", required=True)
    p.set_defaults(func=report)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
