#!/usr/bin/env python3
"""Summarises StepProbe output (one file per build): per step, medians over runs of the step's wall time, the model's
time, the tool call (pipeline) time, the tool's own execution and the host's part = wall - model - execution.

usage: summarize.py PROBE.tsv [PROBE.tsv ...]
"""
import collections
import statistics
import sys


def load(path):
    runs = collections.defaultdict(dict)
    acts = collections.defaultdict(list)
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[1] == "step":
            step = int(f[2])
            wall, model, tool, execute, methods, jit = (float(x) for x in f[3:9])
            runs[f[0]][step] = dict(wall=wall, model=model, tool=tool, exec=execute, host=wall - model - execute, jitn=methods, jitms=jit)
        elif f[1] == "act":
            acts[(int(f[2]), f[3])].append(float(f[4]))
    return runs, acts


def main():
    for path in sys.argv[1:]:
        runs, acts = load(path)
        runs = {pid: steps for pid, steps in runs.items() if len(steps) >= 7}
        print(f"{path}: {len(runs)} runs")
        print("step   wall  model  tool-call  tool-exec   host  (host = wall - model - tool-exec; JIT'd methods, JIT ms)")
        for step in range(1, 8):
            rows = [steps[step] for steps in runs.values() if step in steps]
            med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            print(f"{step:>4} {med['wall']:6.2f} {med['model']:6.2f} {med['tool']:10.2f} {med['exec']:10.2f} {med['host']:6.2f}  ({med['jitn']:.0f}, {med['jitms']:.1f})")
        per_run = [statistics.mean(steps[s]["host"] for s in range(1, 7)) for steps in runs.values()]
        steady = [statistics.mean(steps[s]["host"] for s in range(3, 7)) for steps in runs.values()]
        first = [steps[1]["host"] for steps in runs.values()]
        print(f"host per tool step (mean of steps 1-6), median over runs: {statistics.median(per_run):.2f} ms; "
              f"step 1: {statistics.median(first):.2f} ms; steps 3-6: {statistics.median(steady):.2f} ms")
        if acts:
            for key in sorted(acts):
                if key[0] <= 2:
                    print(f"  step {key[0]} {key[1]:<22} {statistics.median(acts[key]):7.3f} ms")


if __name__ == "__main__":
    main()
