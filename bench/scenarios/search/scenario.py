#!/usr/bin/env python3
"""bench/run.sh, scenario 'search': the glob and grep tools on a generated 50,000-file tree (standard library only).

  scenario.py setup --tree DIR [--files 50000] [--seed 7]
      Generates a git repository of exactly --files files on disk (the .gitignore files included) and commits the
      files git does not ignore. The mix (deterministic for a seed):
        - source files of 0.5-5 KB (.ts .py .cs .go .md, 10-60 lines of up to ~120 characters) in 24 packages of
          nested folders; about 1 in 150 calls fetchUserProfile(...), about 1 in 40 has a handle<Name>Event( call;
        - a few big files: 6 JSON/CSV fixtures of 2-4 MB and 2 minified bundles of 1.5 MB on a handful of very
          long lines (both match the patterns);
        - 40 binary files (.png .bin .so .woff) with NUL bytes, some holding the search words;
        - ignored content: node_modules/ (root .gitignore, ~12% of the files), dist/ (anchored /dist/), *.log and
          *.tmp files with one !keep.tmp negation, and per-package .gitignore files (generated/, *.snap with
          !golden.snap, cache-*/);
        - a few hidden files (.github/workflows/*.yml, .config/settings.json) that rg skips by default.
      Prints a JSON summary (files on disk, tracked files, bytes).

  scenario.py setup --shape NAME --tree DIR [--seed 7]
      Issue #25's tree shapes (scenario.py shapes lists them with the ripgrep options each needs): committed,
      untracked (git init, nothing committed), nogit (the 20,000-file mixed tree in the three git states), deep
      (36 levels), wide (20,000 files in one folder), large (8 files of 6-9.5 MB, long lines), binary (4,000 binaries
      among 2,000 sources), small (50,000 files of ~2.6 KB in 1,000 folders, untracked, issue #51). bench/scenarios/search/shapes.py builds, verifies and times them all.

  scenario.py verify [--shape NAME] --tree DIR --agent AGENT --home DIR --glob NAMEGLOB --literal WORD --regex REGEX [--export FILE]
      Checks that our tools (run as `agent tool run ... --plugin files`) and ripgrep see the same tree: glob
      '**/NAMEGLOB' finds as many files as `rg --files` lists with a name matching NAMEGLOB (not `rg -g`, which
      overrides ignore rules) and its first page (up to 1,000 paths, fewer when
      the output budget stops it) equals the start of rg's list in the same (code point) order; grep's output=files
      page equals the start of `rg -l` and its totals (files, matching lines) equal `rg -l` / `rg -c`, for the
      literal word and for the regex. Exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

LITERAL = "fetchUserProfile"
EXTENSIONS = [(".ts", 30), (".py", 25), (".cs", 20), (".go", 15), (".md", 10)]
WORDS = ("account order invoice customer payment session token cache queue worker request response record handler "
         "buffer stream channel config option setting result error status message event listener router service "
         "client server loader parser writer reader filter mapper report metric trace span batch chunk index").split()
EVENTS = ["Click", "Submit", "Resize", "Scroll", "Focus", "Blur", "Change", "Load", "Drop", "Drag", "Key", "Touch"]


def make_lines(rng: random.Random, count: int) -> list[str]:
    """A pool of code-like lines to draw files from (keeps generation fast and the text realistic enough)."""
    lines = []
    for _ in range(count):
        kind = rng.randrange(8)
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        if kind == 0:
            line = f"    const {a}{b.title()} = await {c}Service.load{a.title()}({b}, {{ retries: {rng.randrange(10)} }});"
        elif kind == 1:
            line = f"    if ({a}.{b} == null || {a}.{b}.length > {rng.randrange(1000)}) {{ return {c}Default; }}"
        elif kind == 2:
            line = f"    // {a.title()} the {b} before the {c} is flushed; see docs/{a}-{b}.md for the ordering rules."
        elif kind == 3:
            line = f"    for (let i = 0; i < {a}List.length; i++) {{ {b}Map.set({a}List[i].id, {c}(i)); }}"
        elif kind == 4:
            line = f"export function {a}{b.title()}{c.title()}({a}: {b.title()}Options): {c.title()}Result {{"
        elif kind == 5:
            line = f"    logger.debug(`{a} {b} {c} took ${{elapsed}} ms`, {{ {a}Id, {b}Count: {rng.randrange(99)} }});"
        elif kind == 6:
            line = f"    return new {a.title()}{b.title()}({c}, {rng.randrange(100000)}, \"{a}-{b}-{c}\");"
        else:
            line = "}" if rng.randrange(2) else ""
        lines.append(line)
    return lines


def source_text(rng: random.Random, pool: list[str]) -> str:
    out = [pool[rng.randrange(len(pool))] for _ in range(rng.randrange(10, 60))]
    # About 1 file in 150 calls the literal, about 1 in 40 registers a handle<Name>Event( listener.
    if rng.randrange(150) == 0:
        out[rng.randrange(len(out))] = f"    const profile = await {LITERAL}(userId, {{ cache: {rng.choice(['true', 'false'])} }});"
    if rng.randrange(40) == 0:
        out[rng.randrange(len(out))] = (f"    element.addEventListener(\"{rng.choice(WORDS)}\", "
                                        f"handle{rng.choice(EVENTS)}Event({rng.choice(WORDS)}));")
    return "\n".join(out) + "\n"


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def setup(tree: Path, total: int, seed: int, git: str = "committed") -> dict:
    """The mixed tree; git is 'committed' (a repository, every file not ignored committed), 'untracked' (git init,
    nothing committed) or 'none' (no repository: ripgrep then needs --no-require-git to read the .gitignore files)."""
    if tree.exists() and any(tree.iterdir()):
        raise SystemExit(f"scenario.py: {tree} is not empty")
    rng = random.Random(seed)
    pool = make_lines(rng, 4000)
    written = 0

    def put(rel: str, data: str | bytes) -> None:
        nonlocal written
        write(tree / rel, data)
        written += 1

    put(".gitignore", "# build output and dependencies\nnode_modules/\n/dist/\n*.log\n*.tmp\n!keep.tmp\n")
    # Hidden files (skipped by rg and by our tools unless hidden: true).
    for i in range(4):
        put(f".github/workflows/ci-{i}.yml", f"name: ci-{i}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
    put(".config/settings.json", '{ "profile": "fetchUserProfile" }\n')
    # Big files: JSON/CSV fixtures (many lines) and minified bundles (few, very long lines).
    for i in range(6):
        rows = []
        size = 0
        target = rng.randrange(2, 5) * 1024 * 1024
        n = 0
        while size < target:
            row = f'  {{"id": {n}, "name": "{rng.choice(WORDS)}-{n}", "kind": "{rng.choice(WORDS)}", "score": {rng.random():.6f}}},'
            if n % 5000 == 17:
                row = f'  {{"id": {n}, "call": "{LITERAL}", "on": "handle{rng.choice(EVENTS)}Event(x)"}},'
            rows.append(row)
            size += len(row) + 1
            n += 1
        put(f"data/fixtures/big-{i}.json", "[\n" + "\n".join(rows) + "\n]\n")
    for i in range(2):
        chunks = []
        for line in range(6):
            parts = [pool[rng.randrange(len(pool))].strip() for _ in range(3000)]
            if line == 3:
                parts[1500] = f"{LITERAL}(u);handle{rng.choice(EVENTS)}Event(e);"
            chunks.append(";".join(parts))
        put(f"vendor/bundle-{i}.min.js", "\n".join(chunks) + "\n")
    # Binary files (NUL bytes in the first 8 KB); some hold the words, which must not be reported.
    for i in range(40):
        ext = [".png", ".bin", ".so", ".woff"][i % 4]
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(2000, 20000)))
        if i % 3 == 0:
            blob = b"\x89PNG\x00\x00" + blob + f" {LITERAL} handleClickEvent(".encode()
        else:
            blob = b"\x00" + blob
        put(f"assets/{i % 5}/blob-{i}{ext}", blob)

    # Budget: the rest, split between ignored and searched files.
    ignored_node = total * 12 // 100
    ignored_dist = total * 3 // 100
    logs = 300
    remaining = total - written - ignored_node - ignored_dist - logs
    packages = 24
    # Per package: a .gitignore, ~4% generated/ + *.snap + cache-*/ (ignored), the rest sources.
    per_package = remaining // packages
    extras = remaining - per_package * packages
    exts = [e for e, w in EXTENSIONS for _ in range(w)]
    for p in range(packages):
        base = f"packages/pkg-{p:02d}"
        count = per_package + (1 if p < extras else 0)
        put(f"{base}/.gitignore", "generated/\n*.snap\n!golden.snap\ncache-*/\n")
        count -= 1
        ignored_here = count * 4 // 100
        sources = count - ignored_here
        for k in range(ignored_here):
            kind = k % 4
            if kind == 0:
                put(f"{base}/generated/gen-{k}.ts", source_text(rng, pool))
            elif kind == 1:
                put(f"{base}/src/__snapshots__/t{k}.snap", source_text(rng, pool))
            elif kind == 2:
                put(f"{base}/cache-{k % 7}/entry-{k}.json", source_text(rng, pool))
            else:
                put(f"{base}/src/__snapshots__/golden.snap" if k == 3 else f"{base}/cache-x/e{k}.txt", source_text(rng, pool))
        for k in range(sources):
            depth = k % 4
            folder = "/".join(f"{rng.choice(WORDS)}" for _ in range(depth))
            folder = f"{base}/src/{folder}" if folder else f"{base}/src"
            ext = exts[k % len(exts)]
            put(f"{folder}/{rng.choice(WORDS)}-{k}{ext}", source_text(rng, pool))
    for k in range(ignored_node):
        put(f"node_modules/lib-{k % 300}/dist/file-{k}.js", source_text(rng, pool))
    for k in range(ignored_dist):
        put(f"dist/chunk-{k % 40}/out-{k}.js", source_text(rng, pool))
    for k in range(logs):
        name = "keep.tmp" if k == 0 else (f"run-{k}.log" if k % 2 else f"scratch-{k}.tmp")
        put(f"packages/pkg-{k % packages:02d}/logs/{name}", f"{k} {LITERAL} log line\n")

    on_disk = sum(len(files) for _, _, files in os.walk(tree))
    if on_disk != total:
        raise SystemExit(f"scenario.py: generated {on_disk} files, expected {total}")
    return finish(tree, git)


GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="bench",
               GIT_AUTHOR_EMAIL="bench@example.invalid", GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")


def finish(tree: Path, git: str) -> dict:
    """Makes the tree a repository as asked and returns its summary (files on disk, files git tracks, bytes)."""
    on_disk = sum(len(files) for d, _, files in os.walk(tree) if "/.git/" not in d + "/")
    steps = {"committed": [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "generated tree"]],
             "untracked": [["init", "-q", "-b", "main"]], "none": []}[git]
    for args in steps:
        subprocess.run(["git", *args], cwd=tree, env=GIT_ENV, check=True)
    tracked = len(subprocess.run(["git", "ls-files"], cwd=tree, env=GIT_ENV, check=True, capture_output=True, text=True).stdout.splitlines()) if git == "committed" else 0
    size = sum((Path(d) / f).stat().st_size for d, _, files in os.walk(tree) if "/.git/" not in d + "/" for f in files)
    return {"files_on_disk": on_disk, "tracked_files": tracked, "bytes_on_disk": size, "git": git}


# Issue #25: the same searches on trees of different shapes. Each shape: how to build it and the ripgrep options that
# make rg apply the same rules as our tools (a tree without a repository needs --no-require-git for .gitignore).
SHAPES = {
    "committed": {"about": "the mixed tree (sources, fixtures, minified bundles, binaries, ignored node_modules/dist), a git repository with every file not ignored committed", "rg_args": []},
    "untracked": {"about": "the same tree in a git repository with nothing committed (git init only: every file untracked)", "rg_args": []},
    "nogit": {"about": "the same tree with no repository at all (.gitignore files still apply)", "rg_args": ["--no-require-git"]},
    "deep": {"about": "30 chains of folders 36 levels deep, 5 files per level, a .gitignore every 6 levels (untracked repository)", "rg_args": []},
    "wide": {"about": "20,000 source files in one folder, plus ignored logs (untracked repository)", "rg_args": []},
    "large": {"about": "8 files of 6-9.5 MB: 4 JSON-like (short lines), 4 minified (lines of 100 KB-1 MB); 200 small sources (untracked repository)", "rg_args": []},
    "binary": {"about": "4,000 binary files of 8-64 KB (NUL bytes at the start, some holding the words) among 2,000 sources (untracked repository)", "rg_args": []},
    "small": {"about": "50,000 small text files of about 2.6 KB (130 MB) in 1,000 folders, a .gitignore, a rare literal (1 file in 5,000; untracked repository)", "rg_args": []},
}
SHAPE_FILES = {"committed": 20000, "untracked": 20000, "nogit": 20000}


def setup_shape(shape: str, tree: Path, seed: int, files: int | None) -> dict:
    if shape in SHAPE_FILES:
        summary = setup(tree, files or SHAPE_FILES[shape], seed, {"committed": "committed", "untracked": "untracked", "nogit": "none"}[shape])
        return dict(summary, shape=shape)
    if tree.exists() and any(tree.iterdir()):
        raise SystemExit(f"scenario.py: {tree} is not empty")
    rng = random.Random(seed)
    pool = make_lines(rng, 4000)
    if shape == "deep":
        write(tree / ".gitignore", "*.tmp\n")
        for chain in range(30):
            folder = tree / f"chain-{chain:02d}"
            for level in range(36):
                folder = folder / f"level-{level:02d}"
                if level % 6 == 5:
                    write(folder / ".gitignore", "scratch-*\n!scratch-keep.ts\n")
                for k in range(5):
                    name = [f"mod-{k}.ts", f"util-{k}.py", f"scratch-{k}.ts", f"note-{k}.tmp", f"scratch-keep.ts"][k]
                    write(folder / name, source_text(rng, pool))
    elif shape == "wide":
        write(tree / ".gitignore", "*.log\n")
        exts = [e for e, w in EXTENSIONS for _ in range(w)]
        for k in range(20000):
            write(tree / "flat" / f"{rng.choice(WORDS)}-{k}{exts[k % len(exts)]}", source_text(rng, pool))
        for k in range(200):
            write(tree / "flat" / f"run-{k}.log", f"{k} {LITERAL} log line\n")
    elif shape == "large":
        write(tree / ".gitignore", "*.log\n")
        for i in range(8):
            target = int((6 + rng.random() * 3.5) * 1024 * 1024)
            if i < 4:
                rows, size, n = [], 0, 0
                while size < target:
                    row = f'  {{"id": {n}, "name": "{rng.choice(WORDS)}-{n}", "kind": "{rng.choice(WORDS)}", "score": {rng.random():.6f}}},'
                    if n % 7000 == 17:
                        row = f'  {{"id": {n}, "call": "{LITERAL}", "on": "handle{rng.choice(EVENTS)}Event(x)"}},'
                    rows.append(row)
                    size += len(row) + 1
                    n += 1
                write(tree / "data" / f"fixture-{i}.json", "[\n" + "\n".join(rows) + "\n]\n")
            else:
                lines, size = [], 0
                while size < target:
                    parts = [pool[rng.randrange(len(pool))].strip() for _ in range(rng.randrange(1000, 10000))]
                    if rng.randrange(3) == 0:
                        parts[len(parts) // 2] = f"{LITERAL}(u);handle{rng.choice(EVENTS)}Event(e);"
                    line = ";".join(parts)
                    lines.append(line)
                    size += len(line) + 1
                write(tree / "vendor" / f"bundle-{i}.min.js", "\n".join(lines) + "\n")
        exts = [e for e, w in EXTENSIONS for _ in range(w)]
        for k in range(200):
            write(tree / "src" / f"{rng.choice(WORDS)}-{k}{exts[k % len(exts)]}", source_text(rng, pool))
    elif shape == "small":
        # Issue #51's tree: small files only, every one read by a grep, in a repository with nothing committed.
        write(tree / ".gitignore", "*.log\nbuild/\n")
        exts = [e for e, w in EXTENSIONS for _ in range(w)]
        for k in range(50000):
            lines = [pool[rng.randrange(len(pool))] for _ in range(rng.randrange(30, 38))]
            if k % 5000 == 1234:
                lines[len(lines) // 2] = f"    const profile = await {LITERAL}(userId, {{ cache: true }});"
            if rng.randrange(40) == 0:
                lines[rng.randrange(len(lines))] = f"    element.addEventListener(\"load\", handle{rng.choice(EVENTS)}Event(event));"
            write(tree / "packages" / f"p{k % 20:02d}" / f"m{k // 20 % 50:02d}" / f"{rng.choice(WORDS)}-{k}{exts[k % len(exts)]}", "\n".join(lines) + "\n")
        for k in range(100):
            write(tree / "build" / f"out-{k}.js", f"{LITERAL}({k})\n")
            write(tree / "logs" / f"run-{k}.log", f"{k} {LITERAL} log line\n")
    elif shape == "binary":
        write(tree / ".gitignore", "*.log\n")
        exts = [e for e, w in EXTENSIONS for _ in range(w)]
        for k in range(4000):
            body = rng.randbytes(rng.randrange(8 * 1024, 64 * 1024))
            words = f" {LITERAL} handleClickEvent( ".encode()
            blob = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" if k % 2 else b"\x7fELF\x02\x01\x01\x00\x00") + body + (words if k % 3 == 0 else b"")
            write(tree / "assets" / f"set-{k % 40:02d}" / f"blob-{k}{['.png', '.so', '.bin', '.woff'][k % 4]}", blob)
        for k in range(2000):
            write(tree / "src" / f"pkg-{k % 20:02d}" / f"{rng.choice(WORDS)}-{k}{exts[k % len(exts)]}", source_text(rng, pool))
    else:
        raise SystemExit(f"scenario.py: unknown shape '{shape}' (known: {', '.join(SHAPES)})")
    return dict(finish(tree, "untracked"), shape=shape)


NOTE = re.compile(r"^\[(\d+) (?:files match|matching lines? in (\d+) files?)")


def agent_tool(agent: str, tree: Path, home: Path, tool: str, args: dict) -> str:
    env = dict(os.environ, AGENT_HOME=str(home))
    done = subprocess.run([agent, "tool", "run", tool, "--args", json.dumps(args), "--plugin", "files", "--root", str(tree)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"scenario.py verify: agent tool run {tool} {json.dumps(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def split_output(text: str) -> tuple[list[str], str]:
    lines = text.splitlines()
    return [line for line in lines if not line.startswith("[")], lines[-1] if lines else ""


def rg_lines(tree: Path, *args: str, extra: tuple[str, ...] = ()) -> list[str]:
    done = subprocess.run(["rg", *extra, *args], cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"scenario.py verify: rg {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return [line.removeprefix("./") for line in done.stdout.splitlines()]


def verify(args: argparse.Namespace) -> dict:
    """Our tools and ripgrep must see the same files and lines (first page of paths, and the totals in the notes)."""
    problems: list[str] = []
    checks: dict[str, dict] = {}
    page = 1000
    extra = tuple(SHAPES[args.shape]["rg_args"]) if getattr(args, "shape", None) else ()

    # Not rg --files -g GLOB: rg's -g overrides its ignore rules, so it also lists ignored files whose names match
    # (the deep shape has some); every file rg does not ignore, filtered by name, is what glob must find.
    expected = sorted(p for p in rg_lines(args.tree, "--files", extra=extra) if fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], args.glob))
    paths, note = split_output(agent_tool(args.agent, args.tree, args.home, "glob", {"pattern": "**/" + args.glob, "limit": page}))
    match = NOTE.match(note) if len(expected) > page else None
    total = int(match.group(1)) if match else len(paths)
    checks["glob"] = {"ours": total, "rg": len(expected)}
    same = bool(paths) and paths == expected[:len(paths)]
    if total != len(expected) or not same:
        problems.append(f"glob '**/{args.glob}': {total} files (first page {'equal' if same else 'different'}), rg --files -g: {len(expected)}")

    for name, pattern in (("literal", args.literal), ("regex", args.regex)):
        files = sorted(rg_lines(args.tree, "-l", pattern, extra=extra))
        counts = rg_lines(args.tree, "-c", pattern, extra=extra)
        rg_total = sum(int(line.rsplit(":", 1)[1]) for line in counts)
        listed, files_note = split_output(agent_tool(args.agent, args.tree, args.home, "grep", {"pattern": pattern, "output": "files", "max_matches": page}))
        _, count_note = split_output(agent_tool(args.agent, args.tree, args.home, "grep", {"pattern": pattern, "output": "count", "max_matches": 1}))
        lines_match = NOTE.match(count_note)
        ours_lines = int(lines_match.group(1)) if lines_match else -1
        ours_files = int(lines_match.group(2)) if lines_match and lines_match.group(2) else -1
        checks[name] = {"pattern": pattern, "ours_files": ours_files, "rg_files": len(files), "ours_lines": ours_lines, "rg_lines": rg_total}
        same = bool(listed) and listed == files[:len(listed)]
        if not same or ours_files != len(files) or ours_lines != rg_total:
            problems.append(f"grep {name} '{pattern}': {ours_files} files / {ours_lines} lines "
                            f"(first page {'equal' if same else 'different'}), rg: {len(files)} files / {rg_total} lines")
    result = {"ok": not problems, "problems": problems, "checks": checks}
    if args.export:
        Path(args.export).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--tree", required=True, type=Path)
    s.add_argument("--shape", choices=list(SHAPES), help="issue #25's tree shapes (default: the 50,000-file committed tree)")
    s.add_argument("--files", type=int)
    s.add_argument("--seed", type=int, default=7)
    sub.add_parser("shapes", help="the shapes as JSON: name, what the tree holds, ripgrep's extra options")
    v = sub.add_parser("verify")
    v.add_argument("--tree", required=True, type=Path)
    v.add_argument("--shape", choices=list(SHAPES), help="the tree's shape (gives rg its extra options)")
    v.add_argument("--agent", required=True)
    v.add_argument("--home", required=True, type=Path)
    v.add_argument("--glob", required=True, help="a file-name glob, e.g. '*.ts' (the tool gets '**/' + it)")
    v.add_argument("--literal", required=True)
    v.add_argument("--regex", required=True)
    v.add_argument("--export")
    args = parser.parse_args()
    if args.command == "setup":
        summary = setup_shape(args.shape, args.tree, args.seed, args.files) if args.shape else setup(args.tree, args.files or 50000, args.seed)
        print(json.dumps(summary))
        return 0
    if args.command == "shapes":
        print(json.dumps([{"name": name, **shape} for name, shape in SHAPES.items()], indent=2))
        return 0
    result = verify(args)
    for problem in result["problems"]:
        print(f"scenario.py verify: {problem}", file=sys.stderr)
    print(json.dumps(result["checks"]))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
