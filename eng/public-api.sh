#!/usr/bin/env bash
# Writes the public-API baselines (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of the components under src/ from
# their code, with the analyzer's own code fix (RS0016, applied by `dotnet format analyzers`), so the lines are exactly
# the ones the build checks (docs/architecture.md, "House rules").
#
#   eng/public-api.sh                      regenerate every kernel component's baseline
#   eng/public-api.sh Agent Hosting        only these (AgentHost.Agent or Agent)
#   eng/public-api.sh --add [component…]   only add what is missing, to PublicAPI.Unshipped.txt (all, SDK and Testing too)
#
# Regenerating empties both files, lets the code fix declare every public type and member, and writes them sorted into
# PublicAPI.Shipped.txt (PublicAPI.Unshipped.txt keeps only its header): after a merge that added or removed public
# members, the files again hold the surface exactly. The packages plugin authors compile against, AgentHost.Sdk and
# AgentHost.Testing, are never regenerated: their Shipped files are the released contract, changed only at a release
# (src/AgentHost.Sdk/README.md, "Changing the SDK"); --add declares their new members in Unshipped, and a removal stays
# a build error (RS0017) for a person to decide.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
analyzer='Include="Microsoft.CodeAnalysis.PublicApiAnalyzers"'
header='#nullable enable'

contracts=" AgentHost.Sdk AgentHost.Testing "
add_only=false
names=()
for arg in "$@"; do
  case "$arg" in
    --add) add_only=true ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done

# Every component whose project references the analyzer; the contracts only with --add.
if [ ${#names[@]} -eq 0 ]; then
  for project in "$root"/src/AgentHost.*/AgentHost.*.csproj; do
    name="$(basename "$project" .csproj)"
    if grep -q "$analyzer" "$project" && { $add_only || [[ "$contracts" != *" $name "* ]]; }; then
      names+=("$name")
    fi
  done
fi

for name in "${names[@]}"; do
  case "$name" in AgentHost.*) ;; *) name="AgentHost.$name" ;; esac
  dir="$root/src/$name"
  project="$dir/$name.csproj"
  if [ ! -f "$project" ]; then
    echo "$name: no project at src/$name/$name.csproj" >&2; exit 1
  fi
  if ! grep -q "$analyzer" "$project"; then
    echo "$name: the project does not reference Microsoft.CodeAnalysis.PublicApiAnalyzers (add it as the other components do)" >&2; exit 1
  fi
  if ! $add_only && [[ "$contracts" == *" $name "* ]]; then
    echo "$name: its baseline is a released contract and is never regenerated; use --add for new members" >&2; exit 1
  fi

  shipped="$dir/PublicAPI.Shipped.txt"
  unshipped="$dir/PublicAPI.Unshipped.txt"
  for file in "$shipped" "$unshipped"; do
    if $add_only; then
      [ -f "$file" ] || printf '%s\n' "$header" > "$file"
    else
      printf '%s\n' "$header" > "$file"
    fi
  done

  echo "$name: declaring its public API (dotnet format analyzers, RS0016)…"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity info --verbosity quiet

  if ! $add_only; then
    # One sorted list (case-insensitive, as the code fix sorts) in Shipped; Unshipped keeps only the header.
    lines="$(tail -n +2 "$shipped"; tail -n +2 "$unshipped")"
    { printf '%s\n' "$header"; printf '%s\n' "$lines" | { grep -v '^$' || true; } | LC_ALL=C sort -f; } > "$shipped.new"
    mv "$shipped.new" "$shipped"
    printf '%s\n' "$header" > "$unshipped"
  fi
  echo "$name: $(($(wc -l < "$shipped") - 1)) shipped, $(($(wc -l < "$unshipped") - 1)) unshipped lines"
done
echo "Build the components to check (RS0016/RS0017 are errors): dotnet build <project>"
