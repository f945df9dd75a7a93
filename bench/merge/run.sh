#!/usr/bin/env bash
# Times `benchctl merge` at campaign scale: N synthetic task results (default
# 1,000, each about 256 KB of JSON, over 50 nodes) merged into JSON and JUnit,
# then again with HTML and Markdown too. Prints /usr/bin/time's wall clock,
# CPU and peak RSS of each. Run from the repository root after `make build`.
set -euo pipefail
n=${1:-1000}
dir=$(mktemp -d /tmp/benchctl-merge-XXXXXX)
trap 'rm -rf "$dir"' EXIT
go run ./bench/merge -n "$n" -nodes 50 -o "$dir/tasks"
echo "inputs: $n results, $(du -sh "$dir/tasks" | cut -f1)"
measure() {
	local name=$1
	shift
	/usr/bin/time -f "$name: %e s wall, %U s user, %S s system, %M KiB peak RSS" bin/benchctl merge --quiet "$@" "$dir/tasks"
	ls -la "$dir/out"
	rm -rf "$dir/out"
}
measure "json+junit" --out json="$dir/out/results.json" --out junit="$dir/out/junit.xml"
measure "json+junit+html+markdown" --out json="$dir/out/results.json" --out junit="$dir/out/junit.xml" \
	--out html="$dir/out/report.html" --out markdown="$dir/out/summary.md"
