#!/usr/bin/env bash
# benchctl's steady CPU and context switches while it monitors `sleep`, two
# builds (or two environments) side by side: runs alternate between them
# (A first in odd rounds, B first in even ones), so a machine whose load
# drifts weighs on both alike. Each run is read from outside over its middle
# (bench/observer/steady.py: from FROM_S to RUN_S - 1 seconds, start-up and
# report left out) and the summary gives, per case and interval, the medians
# of benchctl's share of a core, its CPU per tick, and its voluntary and
# involuntary context switches per second and per tick, and B / A.
#
#   BEFORE=5296f4b bench/observer/run.sh              # A: that commit, B: the work tree
#   A_BIN=bin/benchctl B_BIN=bin/benchctl B_ENV=GOMAXPROCS=2 bench/observer/run.sh
#   CASES="--gpus 0;--gpus 0,1" A_BIN=... B_BIN=... bench/observer/run.sh   # NVML, on a GPU host
#
#   CASES      backend flags of each case, ';'-separated
#              (default: the sim backend with 1 GPU, then 8)
#   INTERVALS  sampling intervals (default "10ms 100ms")
#   ROUNDS     runs of each build per case and interval (default 3)
#   RUN_S      seconds of each run (default 12); FROM_S where the window starts (2)
#   A_ENV, B_ENV  environment of each build's runs (e.g. GOMAXPROCS=2)
set -euo pipefail
cd "$(dirname "$0")/../.."

CASES=${CASES:-"--gpu-backend sim --sim-gpus 1;--gpu-backend sim --sim-gpus 8"}
INTERVALS=${INTERVALS:-"10ms 100ms"}
ROUNDS=${ROUNDS:-3}
RUN_S=${RUN_S:-12}
FROM_S=${FROM_S:-2}
A_ENV=${A_ENV:-}
B_ENV=${B_ENV:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # build REV OUT: builds benchctl at REV (a commit) into OUT
	git worktree add -q --detach "$tmp/src-$1" "$1"
	(cd "$tmp/src-$1" && CGO_CFLAGS=-Wno-deprecated-declarations go build -o "$2" ./cmd/benchctl)
	git worktree remove --force "$tmp/src-$1"
}
A=${A_BIN:-}
B=${B_BIN:-}
if [ -z "$A" ]; then
	[ -n "${BEFORE:-}" ] || { echo "run.sh: set BEFORE (a commit) or A_BIN" >&2; exit 2; }
	A=$tmp/a-benchctl
	build "$BEFORE" "$A"
fi
if [ -z "$B" ]; then
	B=$tmp/b-benchctl
	CGO_CFLAGS=-Wno-deprecated-declarations go build -o "$B" ./cmd/benchctl
fi
echo "A: $A ${A_ENV:+($A_ENV)}${BEFORE:+ (commit $BEFORE)}"
echo "B: $B ${B_ENV:+($B_ENV)}"
echo "cpus: $(nproc); processes: $(ls /proc | grep -c '^[0-9]'); run ${RUN_S}s, window from ${FROM_S}s to $((RUN_S - 1))s; $ROUNDS rounds"

one() { # one BUILD IV FLAGS...: one run, its line of figures
	local which=$1 iv=$2 bin envs
	shift 2
	if [ "$which" = A ]; then bin=$A envs=$A_ENV; else bin=$B envs=$B_ENV; fi
	echo "build=$which iv=$iv case=$* $(env $envs python3 bench/observer/steady.py "$RUN_S" "$FROM_S" "$bin" \
		-q --history none "$@" --interval "$iv")"
}

IFS=';' read -r -a cases <<<"$CASES"
for round in $(seq "$ROUNDS"); do
	for c in "${cases[@]}"; do
		for iv in $INTERVALS; do
			read -r -a flags <<<"$c"
			if [ $((round % 2)) = 1 ]; then order="A B"; else order="B A"; fi
			for w in $order; do one "$w" "$iv" "${flags[@]}" | tee -a "$tmp/lines"; done
		done
	done
done
python3 - "$tmp/lines" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    head, rest = line.split(" case=", 1)
    kv = dict(f.split("=", 1) for f in head.split())
    flags, figs = rest.split(" window_s=", 1)
    figs = dict(f.split("=", 1) for f in ("window_s=" + figs).split())
    runs[(flags, kv["iv"], kv["build"])].append(figs)
med = lambda rs, k: statistics.median(float(r[k]) for r in rs)
print()
print("| case | interval | build | share of a core | CPU per tick | voluntary cs/s | involuntary cs/s | cs per tick | busiest thread cs/s (sysmon, most often) |")
print("|---|---|---|---|---|---|---|---|---|")
for flags, iv in dict.fromkeys((f, i) for f, i, _ in runs):
    ticks = 1000 / float(iv.removesuffix("ms"))
    row = {}
    for b in "AB":
        rs = runs.get((flags, iv, b))
        if not rs:
            continue
        cpu, v, iv_ = med(rs, "self_cpu_pct"), med(rs, "self_vcsw"), med(rs, "self_ivcsw")
        row[b] = (cpu, v + iv_)
        print(f"| {flags} | {iv} | {b} | {cpu:.2f}% | {cpu * 1e4 / ticks:.0f} µs | {v:.0f} | {iv_:.0f} | "
              f"{(v + iv_) / ticks:.1f} | {med(rs, 'top_vcsw'):.0f} |")
    if len(row) == 2:
        print(f"| {flags} | {iv} | B / A | {row['B'][0] / row['A'][0]:.2f} | | | | {row['B'][1] / row['A'][1]:.2f} | |")
PY
