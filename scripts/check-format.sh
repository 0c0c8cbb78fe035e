#!/usr/bin/env bash
# Fails when a hand-written C++ file differs from .clang-format (generated protocol code is
# checked by its own freshness test instead). Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^src/protocol/generated/')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
echo "format ok: ${#files[@]} files"
