#!/usr/bin/env python3
"""Generates Claude Code plugins of the official marketplaces' shapes for the 'many-plugins' scenario.

  generate.py DIR COUNT

Plugin i (gen-plugin-000 …) has .claude-plugin/plugin.json, skills/ with two SKILL.md skills, commands/ with one
command, agents/ with one sub-agent profile and hooks/hooks.json with PreToolUse and PostToolUse hooks on Bash/Write
(as hookify and security-guidance have). Every 5th plugin also has a .mcp.json server that never answers (a shell that
sleeps: an 'npx -y …@latest' that cannot start here), and every 10th a SessionStart hook whose first line is
{"async": true, "asyncTimeout": 10000} and that then goes on for 5 s (Claude Code's background hook protocol).
Nothing here is fetched or copied from a marketplace.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, count: int) -> list[Path]:
    folders = []
    for i in range(count):
        name = f"gen-plugin-{i:03d}"
        folder = root / name
        write(folder / ".claude-plugin" / "plugin.json", json.dumps({
            "name": name, "version": "1.0.0", "description": f"Generated plugin {i} of the official shapes.",
            "author": {"name": "Bench"}, "license": "MIT"}, indent=2))
        for skill in ("review", "explain"):
            write(folder / "skills" / f"{name}-{skill}" / "SKILL.md",
                  f"---\nname: {name}-{skill}\ndescription: Use when the user asks to {skill} code with {name}.\n---\n"
                  + f"# {skill.title()}\n\nSteps to {skill} the code carefully.\n" * 20)
        write(folder / "commands" / "check.md", "---\ndescription: Check the change\n---\nCheck $ARGUMENTS for problems.\n")
        write(folder / "agents" / "helper.md", "---\nname: helper\ndescription: A helper sub-agent.\n---\nYou help.\n")
        hooks = {
            "PreToolUse": [{"matcher": "Bash|Write", "hooks": [{"type": "command", "command": "exit 0", "timeout": 10}]}],
            "PostToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "exit 0"}]}],
        }
        if i % 10 == 9:
            hooks["SessionStart"] = [{"hooks": [{"type": "command", "timeout": 30,
                                                 "command": "echo '{\"async\": true, \"asyncTimeout\": 10000}'; sleep 5"}]}]
        write(folder / "hooks" / "hooks.json", json.dumps({"hooks": hooks}, indent=2))
        if i % 5 == 4:
            write(folder / ".mcp.json", json.dumps({"mcpServers": {f"{name}-server": {
                "command": "/bin/sh", "args": ["-c", "sleep 600"]}}}, indent=2))
        folders.append(folder)
    return folders


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    for made in generate(Path(sys.argv[1]), int(sys.argv[2])):
        print(made)
