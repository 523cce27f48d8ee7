#!/usr/bin/env python3
"""Scenario 'sandbox': what the bubblewrap sandbox costs per shell command, and how many questions sandbox.auto_allow
saves (issue #48; stdlib only).

  scenario.py --agent AGENT [--commands 50] [--rounds 5] [--direct-runs 200] [--export FILE]

1. Cost per command. One `agent run` (scripted model, shell plugin, yolo mode, `-o json`) makes --commands shell calls
   of `true N` (distinct lines: the loop guard stops a run that repeats one), one a turn; the same run with `--sandbox off` is the control. The two alternate for --rounds rounds.
   Per call: the `tool.completed` event's durationMs (the shell tool's own time: process start to exit, in process).
   Per run: the wall time of the whole process; (sandboxed - off) / commands is the added cost per command seen from
   outside (permission stage and sandbox resolution included). Every sandboxed call must report `bubblewrap` and every
   control call `off`, or the scenario fails.
2. Where it goes. `sandbox.program` is pointed at a wrapper that records the exact bwrap arguments the host built for a
   call and runs bwrap with them. The scenario then times, outside the host, interleaved, --direct-runs each:
     sh       `/bin/bash -c true` (the shell alone)
     bwrap --version, user+mount only, all but net   (steps between the two)
     minimal  `bwrap --unshare-all --die-with-parent --new-session --ro-bind / / --dev /dev --proc /proc -- bash -c true`
     ours     bwrap with the recorded arguments (every bind the host adds)
   minimal - sh is bwrap's start and namespace setup; ours - minimal is our extra mounts; what the in-process added cost
   has beyond ours - sh is the host's side (argument building, resolution, launching through bwrap).
3. Questions. A scripted 20-command task (task.yaml: reads, builds, writes inside the workspace, two commands that want
   the network, one write outside it) in `ask` mode, headless (`-o json`, so an ask is answered `headless` at once),
   with sandbox.auto_allow false and true: the count of calls that would have asked a person (permission.decided with
   answeredBy headless), and of those auto_allow let through (scope sandbox-auto).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median": round(statistics.median(values), 3), "p90": round(pct(values, 0.9), 3),
            "min": round(min(values), 3)}


def agent_argv(agent: str) -> list[str]:
    return ["dotnet", agent] if agent.endswith(".dll") else [agent]


def events(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def run(argv: list[str], env: dict, cwd: Path, denials_end_it: bool = False) -> tuple[float, list[dict], str]:
    """Runs agent; a non-zero exit fails the scenario, unless denials_end_it (a run with denied calls exits non-zero)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    wall = (time.perf_counter() - start) * 1000
    evs = events(proc.stdout)
    denied = denials_end_it and any(e.get("type") == "run.completed" and e.get("outcome") == "completed" for e in evs)
    if proc.returncode != 0 and not denied:
        raise SystemExit(f"agent exited {proc.returncode}: {' '.join(argv)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall, evs, proc.stderr


def script(path: Path, commands: list[str]) -> Path:
    turns = "".join(f"  - tool_calls: [{{ name: shell, arguments: {{ command: {json.dumps(c)} }} }}]\n" for c in commands)
    path.write_text("turns:\n" + turns + "  - text: done\n", encoding="utf-8")
    return path


def workspace(work: Path, name: str) -> tuple[Path, dict]:
    root = work / name / "project"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# demo\nhello\n", encoding="utf-8")
    (root / "src" / "main.py").write_text("print('hello')\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    home = work / name / "agent-home"
    home.mkdir()
    env = dict(os.environ, AGENT_HOME=str(home), CI="true", OPENAI_API_KEY="", ANTHROPIC_API_KEY="")
    return root, env


def cost(agent: str, work: Path, commands: int, rounds: int, wrapper: Path) -> dict:
    root, env = workspace(work, f"cost-{commands}-{rounds}")
    # `true N`: the same line three times in a row would stop the run (loop detection); true ignores its argument.
    model = "scripted/" + str(script(work / f"cost-{commands}.yaml", [f"true {i}" for i in range(commands)]))
    base = agent_argv(agent) + ["run", "go", "-p", "scripted", "-p", "shell", "-m", model, "--permission-mode", "yolo", "-o", "json",
                                "--max-steps", str(commands + 5)]
    variants = {"sandboxed": base + ["-c", f"sandbox.program={wrapper}"], "off": base + ["--sandbox", "off"]}
    walls: dict[str, list[float]] = {k: [] for k in variants}
    calls: dict[str, list[float]] = {k: [] for k in variants}
    for label in variants:  # warm-up, unmeasured
        run(variants[label], env, root)
    for r in range(rounds):
        for label in (list(variants) if r % 2 == 0 else list(reversed(variants))):
            wall, evs, _ = run(variants[label], env, root)
            done = [e for e in evs if e.get("type") == "tool.completed"]
            if len(done) != commands:
                raise SystemExit(f"{label}: {len(done)} tool.completed events, expected {commands}")
            want = "bubblewrap" if label == "sandboxed" else "off"
            bad = [e.get("sandbox") for e in done if not str(e.get("sandbox", "")).startswith(want)]
            if bad:
                raise SystemExit(f"{label}: calls not run as '{want}': {bad[:3]}")
            walls[label].append(wall)
            calls[label].extend(float(e["durationMs"]) for e in done)
            print(f"  round {r + 1} {label}: run {wall:.0f} ms, call median {statistics.median(float(e['durationMs']) for e in done):.2f} ms",
                  file=sys.stderr)
    if rounds == 0:
        return {}
    per_call = {k: summary(v) for k, v in calls.items()}
    per_run = {k: summary(v) for k, v in walls.items()}
    return {
        "commands_per_run": commands, "rounds": rounds,
        "per_call_ms": per_call,
        "per_run_ms": per_run,
        "added_per_call_median_ms": round(per_call["sandboxed"]["median"] - per_call["off"]["median"], 3),
        "added_per_call_p90_ms": round(per_call["sandboxed"]["p90"] - per_call["off"]["p90"], 3),
        "added_per_command_from_run_wall_ms": round((per_run["sandboxed"]["median"] - per_run["off"]["median"]) / commands, 3),
    }


def direct(recorded: list[str], runs: int) -> dict:
    """bwrap outside the host: the shell alone, bwrap's minimum, and the host's recorded arguments."""
    bwrap = recorded[0]
    cut = recorded.index("--")
    sh = ["/bin/bash", "-c", "true"]
    minimal = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--dev", "/dev",
               "--proc", "/proc", "--", *sh]
    ours = recorded[:cut + 1] + sh
    # Between the shell alone and bwrap's minimum: the exec of bwrap itself, a user and mount namespace only, and every
    # namespace but the network's.
    cases = {"sh": sh, "bwrap --version": [bwrap, "--version"],
             "user+mount only": [bwrap, "--unshare-user", "--ro-bind", "/", "/", "--", *sh],
             "all but net": [bwrap, "--unshare-all", "--share-net", *minimal[2:]],
             "minimal": minimal, "ours": ours}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for argv in cases.values():
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    for i in range(runs):
        for label, argv in cases.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            times[label].append((time.perf_counter() - start) * 1000)
    s = {k: summary(v) for k, v in times.items()}
    return {
        "runs": runs, "ms": s,
        "bwrap_start_and_namespaces_ms": round(s["minimal"]["median"] - s["sh"]["median"], 3),
        "user_and_mount_namespace_ms": round(s["user+mount only"]["median"] - s["sh"]["median"], 3),
        "network_namespace_ms": round(s["minimal"]["median"] - s["all but net"]["median"], 3),
        "our_extra_mounts_ms": round(s["ours"]["median"] - s["minimal"]["median"], 3),
        "bind_arguments": sum(1 for a in recorded[:cut] if a in ("--bind", "--ro-bind", "--dev-bind", "--tmpfs")),
        "recorded_argument_count": cut,
    }


def prompts(agent: str, work: Path) -> dict:
    out = {}
    for auto in ("false", "true"):
        root, env = workspace(work, f"prompts-{auto}")
        (work / "outside").mkdir(exist_ok=True)
        text = (HERE / "task.yaml").read_text(encoding="utf-8").replace("OUTSIDE", str(work / "outside"))
        model_file = work / "task.yaml"
        model_file.write_text(text, encoding="utf-8")
        argv = agent_argv(agent) + ["run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + str(model_file),
                                   "--permission-mode", "ask", "-o", "json", "-c", f"sandbox.auto_allow={auto}"]
        _, evs, _ = run(argv, env, root, denials_end_it=True)
        decided = [e for e in evs if e.get("type") == "permission.decided"]
        out[f"auto_allow_{auto}"] = {
            "shell_calls": len(decided),
            "would_ask_a_person": sum(1 for e in decided if e.get("answeredBy") == "headless"),
            "allowed_by_sandbox_auto": sum(1 for e in decided if e.get("scope") == "sandbox-auto"),
            "allowed_otherwise": sum(1 for e in decided if e.get("decision") == "allow" and e.get("scope") != "sandbox-auto"),
            "denied_without_asking": sum(1 for e in decided if e.get("decision") != "allow" and e.get("answeredBy") != "headless"),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True, help="the agent executable (or agent.dll, run with dotnet)")
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--direct-runs", type=int, default=200)
    parser.add_argument("--export")
    args = parser.parse_args()
    agent = str(Path(args.agent).resolve())
    bwrap = subprocess.run(["sh", "-c", "command -v bwrap"], capture_output=True, text=True).stdout.strip()
    if not bwrap:
        raise SystemExit("bwrap is not on PATH (install the bubblewrap package)")
    with tempfile.TemporaryDirectory(prefix="agent-bench-sandbox-") as tmp:
        work = Path(tmp)
        record = work / "bwrap-args.json"
        wrapper = work / "bwrap-wrapper.py"
        wrapper.write_text(
            f"#!{sys.executable}\nimport json, os, sys\n"
            f"if '--version' not in sys.argv:\n"
            f"    open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
            f"os.execv({bwrap!r}, [{bwrap!r}] + sys.argv[1:])\n", encoding="utf-8")
        wrapper.chmod(0o755)
        print("sandbox: cost per command (wrapper records the arguments)", file=sys.stderr)
        # The wrapper adds a Python start to every sandboxed call; time the real bwrap, record through the wrapper once.
        result: dict = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "load_average_before": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count(),
                        "bwrap": subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()}
        cost(agent, work, 1, 0, wrapper)
        recorded = json.loads(record.read_text(encoding="utf-8"))
        result["cost"] = cost(agent, work, args.commands, args.rounds, Path(bwrap))
        print("sandbox: bwrap outside the host", file=sys.stderr)
        result["direct"] = direct([bwrap] + recorded, args.direct_runs)
        print("sandbox: permission questions in a 20-command task", file=sys.stderr)
        result["prompts"] = prompts(agent, work)
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, indent=2)
    print(text)
    if args.export:
        Path(args.export).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
