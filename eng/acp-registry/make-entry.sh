#!/usr/bin/env bash
# Writes AgentHost's entry for the ACP registry (https://github.com/agentclientprotocol/registry: <id>/agent.json and
# <id>/icon.svg, its format in agent.schema.json there) from a release's archives, so that Zed, JetBrains IDEs and
# other registry clients can install `agent acp` in one click. Run it when the archives are published:
#
#   eng/acp-registry/make-entry.sh VERSION URL_BASE DIST_DIR [OUT_DIR]
#
#   VERSION   the release's semantic version (1.2.0)
#   URL_BASE  where the archives are downloadable (https://example.org/agenthost/releases/download/v1.2.0)
#   DIST_DIR  the folder holding them, named agent-<rid>.tar.gz (Linux, macOS) or agent-<rid>.zip (Windows), <rid> one of
#             linux-x64 linux-arm64 osx-x64 osx-arm64 win-x64 win-arm64 (the .NET runtime ids `dotnet publish -r` takes)
#   OUT_DIR   where to write agenthost/agent.json and agenthost/icon.svg (default: DIST_DIR/acp-registry)
#
# Each archive's SHA-256 goes into the entry (registry clients check it). The archive's root holds the published
# `agent` (`agent.exe` on Windows), started as `agent acp`. Standard tools only (bash, sha256sum or shasum).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
version=$1 url_base=${2%/} dist=$3 out=${4:-$3/acp-registry}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "make-entry.sh: VERSION '$version' is not a semantic version (1.2.0)" >&2; exit 2; }
[ -d "$dist" ] || { echo "make-entry.sh: DIST_DIR '$dist' is not a folder" >&2; exit 2; }

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi; }
# The registry's platform names for the .NET runtime ids.
declare -A platforms=([linux-x64]=linux-x86_64 [linux-arm64]=linux-aarch64 [osx-x64]=darwin-x86_64 [osx-arm64]=darwin-aarch64 [win-x64]=windows-x86_64 [win-arm64]=windows-aarch64)

targets=()
for rid in linux-x64 linux-arm64 osx-x64 osx-arm64 win-x64 win-arm64; do
  case $rid in win-*) file="agent-$rid.zip" cmd="./agent.exe" ;; *) file="agent-$rid.tar.gz" cmd="./agent" ;; esac
  [ -f "$dist/$file" ] || continue
  targets+=("$(printf '      "%s": {\n        "archive": "%s/%s",\n        "sha256": "%s",\n        "cmd": "%s",\n        "args": ["acp"]\n      }' \
    "${platforms[$rid]}" "$url_base" "$file" "$(sha256 "$dist/$file")" "$cmd")")
done
[ ${#targets[@]} -gt 0 ] || { echo "make-entry.sh: no agent-<rid>.tar.gz or agent-<rid>.zip in $dist" >&2; exit 1; }

mkdir -p "$out/agenthost"
{
  printf '{\n  "id": "agenthost",\n  "name": "AgentHost",\n  "version": "%s",\n' "$version"
  printf '  "description": "A plugin-based agent host: files, search, git, shell, web and LSP tools, skills, MCP, sessions and permissions, with OpenAI, Anthropic and Ollama models.",\n'
  printf '  "distribution": {\n    "binary": {\n'
  (IFS=$'\n'; printf '%s' "${targets[*]/%/,}" | sed '$ s/,$//')
  printf '\n    }\n  }\n}\n'
} >"$out/agenthost/agent.json"
cp "$(dirname "$0")/icon.svg" "$out/agenthost/icon.svg"
echo "$out/agenthost/agent.json"
