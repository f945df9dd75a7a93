#!/usr/bin/env bash
# benchctl's steady CPU and context switches on the GPUs, two comparisons
# through bench/observer/run.sh (runs alternating, read from /proc over each
# run's middle, medians): (1) the build before the sampling loop kept to one
# OS thread (A_BIN) against bin/benchctl; (2) bin/benchctl against itself
# with GOMAXPROCS=2, which says whether a big host's many idle processors
# still cost wake-ups. Each on GPU 0 and on every GPU in GPUS, at 10 ms and
# 100 ms. About 4 minutes a comparison at the defaults.
#
# Usage: GPUS=0,1 A_BIN=bin/benchctl-before bash bench/device/steady.sh [OUTDIR]
#   A_BIN   the earlier build (default bin/benchctl-before); build it with
#           git worktree add /tmp/b 5296f4b && (cd /tmp/b && go build -o "$PWD/bin/benchctl-before" ./cmd/benchctl)
#   ROUNDS, RUN_S as in bench/observer/run.sh (default 3 and 10 here)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-steady}}
mkdir -p "$OUT"
GPUS=${GPUS:-0}
first=${GPUS%%,*}
cases="--gpus $first"
[ "$GPUS" != "$first" ] && cases="$cases;--gpus $GPUS"
export CASES=$cases ROUNDS=${ROUNDS:-3} RUN_S=${RUN_S:-10}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1
echo "== 1: the sampling loop on one thread: A = ${A_BIN:-bin/benchctl-before}, B = bin/benchctl"
A_BIN=${A_BIN:-bin/benchctl-before} B_BIN=bin/benchctl bash bench/observer/run.sh 2>&1 | tee "$OUT/thread.txt"
echo "== 2: GOMAXPROCS: A = bin/benchctl, B = bin/benchctl with GOMAXPROCS=2"
A_BIN=bin/benchctl B_BIN=bin/benchctl B_ENV=GOMAXPROCS=2 bash bench/observer/run.sh 2>&1 | tee "$OUT/gomaxprocs.txt"
