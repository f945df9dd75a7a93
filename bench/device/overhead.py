"""A fixed-work GPU program for measuring what watching it costs.

It runs a fixed number of steps, each a chain of bf16 matrix products and, every
few steps, an allocation that reaches the driver (a fresh block after
empty_cache), so that a sampler watching memory sees it move. It prints one line:

    work: STEPS steps, MATMULS matmuls in SECONDS s

timed from after the warm-up to the last synchronize, so the figure is the
GPU work alone, not Python's or CUDA's start-up. With --calibrate SECONDS it
instead runs products for that long and prints the number of steps that take
--target seconds.
"""
import argparse
import sys
import time

import torch

N = 8192
PER_STEP = 50      # products per step
ALLOC_EVERY = 10   # steps between driver-level allocations
ALLOC_BYTES = 2 << 30


def step(a, b, i):
    c = a
    for _ in range(PER_STEP):
        c = torch.matmul(c, b)
        c = c * 0.01  # keep values finite
    if i % ALLOC_EVERY == 0:
        t = torch.empty(ALLOC_BYTES, dtype=torch.uint8, device="cuda")
        t.fill_(1)
        del t
        torch.cuda.empty_cache()
    return c


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--calibrate", type=float, default=0)
    p.add_argument("--target", type=float, default=61)
    args = p.parse_args()
    torch.manual_seed(0)
    a = torch.randn(N, N, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(N, N, device="cuda", dtype=torch.bfloat16) / N**0.5
    for i in range(3):
        step(a, b, i + 1)
    torch.cuda.synchronize()
    if args.calibrate:
        t0, done = time.perf_counter(), 0
        while time.perf_counter() - t0 < args.calibrate:
            done += 1
            step(a, b, done)
            torch.cuda.synchronize()
        per = (time.perf_counter() - t0) / done
        print(f"calibrate: {per * 1000:.1f} ms a step; steps for {args.target:.0f} s: {int(args.target / per) + 1}")
        return 0
    if args.steps <= 0:
        print("overhead.py: --steps or --calibrate is required", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    for i in range(args.steps):
        step(a, b, i + 1)
    torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    print(f"work: {args.steps} steps, {args.steps * PER_STEP} matmuls in {dt:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
