"""Memory of a process tree, read from /proc (standard library only): the peer table's peak RSS
(bench/scenarios/peers/table.py) and the servers' memory per session (bench/scenarios/server-load,
bench/scenarios/peers/opencode_serve.py)."""

from __future__ import annotations

import os
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def layout(pid: int) -> tuple:
    """The address-space layout of a process (/proc/PID/stat: startstack, start_brk, arg_start, env_start)."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return tuple(fields[i - 3] for i in (28, 47, 48, 50))


def same_memory(pid: int, parent: int) -> bool:
    """Whether pid is a child that has not exec'd yet: it shares (vfork, CLONE_VM) or copies (fork) its parent's
    address space, so its resident pages are the parent's: counted once, not twice. (kcmp(KCMP_VM) would tell a
    shared mm exactly; this kernel answers EINVAL.)"""
    return parent > 0 and layout(pid) == layout(parent)


def tree_rss(root: int, seen: dict[int, str]) -> int:
    """Resident bytes summed over root and its descendants; adds each process's name to seen."""
    total, stack = 0, [(root, 0)]
    while stack:
        pid, parent = stack.pop()
        try:
            if not same_memory(pid, parent):
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * PAGE
            if pid not in seen:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    seen[pid] = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(f.read().decode(errors="replace").split("\0")[:3]))[:80]
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    stack += [(int(c), pid) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def peak_rss(pid: int) -> int:
    """The process's own peak resident bytes so far (/proc/PID/status VmHWM; its children not included)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0
