#!/usr/bin/env bash
# Compares the optimized machine code of the generated methods between two commits (issue 9, item 5: a commit that
# changes generated text on purpose must leave the machine code alone).
#   tools/DisasmCompare/compare.sh OLD NEW [OUT]      e.g. compare.sh 0383e56^ 0383e56
# Checks both commits out into git worktrees under OUT (default /tmp/disasm-compare), copies this tool into each,
# builds it (Release) against that commit's generator and runtime, runs it with tiered compilation off on the Vector256
# tier (AVX-512 off, so the result is the same on every x64 machine with AVX2) and DOTNET_JitDisasm on the generated
# classes, normalises the dumps (normalize.py) and diffs them. The worktrees are removed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
old="$1" new="$2" out="${3:-/tmp/disasm-compare}"
mkdir -p "$out"
trees=()
cleanup() { for t in "${trees[@]}"; do git -C "$repo" worktree remove --force "$t" 2>/dev/null || true; done; }
trap cleanup EXIT
for side in old new; do
  commit="$old"; [ "$side" = new ] && commit="$new"
  tree="$out/$side-tree"
  git -C "$repo" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git -C "$repo" worktree add --detach "$tree" "$commit" >/dev/null
  trees+=("$tree")
  mkdir -p "$tree/tools/DisasmCompare"
  cp "$here/DisasmCompare.csproj" "$here/Program.cs" "$tree/tools/DisasmCompare/"
  echo "== $side: $(git -C "$tree" log --oneline -1)"
  dotnet build "$tree/tools/DisasmCompare" -c Release -o "$out/$side-bin" -v quiet -nologo
  rm -f "$out/$side.asm"
  DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 DOTNET_EnableAVX512F=0 \
    DOTNET_JitDisasm='Disasm*:*' DOTNET_JitStdOutFile="$out/$side.asm" dotnet "$out/$side-bin/DisasmCompare.dll"
  python3 "$here/normalize.py" "$out/$side.asm" > "$out/$side.norm"
done
if diff -u "$out/old.norm" "$out/new.norm" > "$out/diff.txt"; then
  echo "identical machine code ($(grep -c '^; Assembly listing' "$out/new.norm") methods)"
else
  echo "machine code differs: $out/diff.txt ($(grep -c '^[-+][^-+]' "$out/diff.txt") changed lines)"
  grep '^[-+]; Assembly listing' "$out/diff.txt" || true
fi
