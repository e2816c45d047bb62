#!/usr/bin/env bash
# Runs `npm run bench` against a snapshot of a commit (default HEAD), so that uncommitted work in
# a shared working tree does not end up in the figures. The snapshot is a `git archive` in a temp
# dir with this tree's node_modules linked in; dist/ is built there with a tsbuildinfo of its own
# (older commits keep theirs in node_modules/.cache, shared with this tree through the link, which
# must not learn about the snapshot's outputs). Results are copied to bench/results/ here.
#   bench/snapshot.sh [commit] [-- run.ts flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit=HEAD
if [[ $# -gt 0 && $1 != -- ]]; then commit=$1; shift; fi
[[ ${1:-} == -- ]] && shift
short=$(git -C "$root" rev-parse --short "$commit")
dir=$(mktemp -d /tmp/samsa-bench-snapshot-XXXXXX)
trap 'rm -rf "$dir"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$dir"
ln -s "$root/node_modules" "$dir/node_modules"
(cd "$dir" && npx tsc -p tsconfig.build.json --tsBuildInfoFile "$dir/build.tsbuildinfo")
# Since 2026-11-27 bin/samsa.js runs the CLI bundled into dist/samsa.js; older commits have no bundle.
if grep -q '"bundle":' "$dir/package.json"; then (cd "$dir" && npm run bundle --silent); fi
(cd "$dir" && BENCH_COMMIT=$short node --import tsx bench/run.ts --no-build "$@")
mkdir -p "$root/bench/results"
cp -r "$dir/bench/results/." "$root/bench/results/" 2>/dev/null || true
