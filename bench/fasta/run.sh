#!/usr/bin/env bash
# Synthetic FASTA throughput: `benchctl data fasta` of the full preset (45,000
# reads of 200-2,000 bp, about 49 Mbp) to /dev/null, timed from this shell,
# with the CPU time it used. Modes, interleaved round by round after WARMUP
# untimed rounds:
#   new        this tree's benchctl, every CPU
#   new-1cpu   the same with GOMAXPROCS=1: what one core does
#   before     benchctl built from git revision $BEFORE, when BEFORE is set
# Every mode's output is checked to be the same bytes (SHA-256).
# MB/s is 10^6 bases a second, as BenchmarkWriteTypical gives it.
#
#   bench/fasta/run.sh                     # RUNS=10
#   BEFORE=9e12b55 RUNS=20 bench/fasta/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}
PRESET=${PRESET:-full}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CGO_CFLAGS=-Wno-deprecated-declarations

go build -o "$tmp/new" ./cmd/benchctl
modes="new new-1cpu"
if [ -n "${BEFORE:-}" ]; then
	mkdir "$tmp/src"
	git archive "$BEFORE" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && go build -o "$tmp/before" ./cmd/benchctl)
	modes="before $modes"
fi
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'); load $(cut -d' ' -f1-3 /proc/loadavg); $(go version)"
bases=$("$tmp/new" data fasta --preset "$PRESET" --seed 1 -o "$tmp/ref.fa" 2>&1 | awk '{print $3}')
want=$(sha256sum <"$tmp/ref.fa" | cut -d' ' -f1)
echo "preset $PRESET: $bases bases; runs: $RUNS per mode after $WARMUP warm-up rounds"

# one MODE I: runs MODE once; from round 1 on, appends "wall cpu" (s).
one() {
	local mode=$1 i=$2 bin=$tmp/$1 env=()
	[ "$mode" = new-1cpu ] && bin=$tmp/new env=(GOMAXPROCS=1)
	env "${env[@]}" /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$bin" data fasta --preset "$PRESET" --seed 1 >"$tmp/out.fa"
	[ "$(sha256sum <"$tmp/out.fa" | cut -d' ' -f1)" = "$want" ] || { echo "$mode: output differs" >&2; exit 1; }
	[ "$i" -gt 0 ] || return 0
	awk '{ print $1, $2 + $3 }' "$tmp/t" >>"$tmp/$mode.times"
}

for i in $(seq $((1 - WARMUP)) "$RUNS"); do
	for m in $modes; do one "$m" "$i"; done
done

printf '%-10s %12s %12s %14s\n' mode "median MB/s" "best MB/s" "MB/s of CPU"
for m in $modes; do
	sort -n "$tmp/$m.times" | awk -v b="$bases" -v m="$m" '
		{ w[NR] = $1; c += $2 }
		END { med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
		      printf "%-10s %12.0f %12.0f %14.0f\n", m, b / med / 1e6, b / w[1] / 1e6, b * NR / c / 1e6 }'
done
