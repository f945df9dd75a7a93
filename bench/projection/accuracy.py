"""Compares typical_10h's projections with a measured run.

Usage: python3 bench/projection/accuracy.py PROJECTION.json MEASURED.json
PROJECTION.json: `benchctl run` of typical_10h.lua with --var full_sequences=N.
MEASURED.json: `benchctl monitor` of one run of N sequences with the same flags.
"""
import json
import sys


def metrics(path):
    rep = json.load(open(path))
    case = rep["suites"][0]["cases"][0]
    return {m["name"]: m["value"] for m in case.get("metrics", [])}, case


def main(argv):
    m, case = metrics(argv[1])
    measured = json.load(open(argv[2]))["suites"][0]["cases"][0]["runs"][0]["seconds"]
    sizes = [r["name"] for r in case["runs"]]
    fitted = m["projected_hours"] * 3600
    naive = m["naive_projected_hours"] * 3600
    se = m.get("projected_hours_stderr", 0) * 3600
    print(f"runs: {', '.join(sizes)}; fit t(n) = {m['fixed_cost']:.2f} s + {m['per_sequence_cost']:.3f} ms x n")
    print(f"measured: {measured:.1f} s")
    print(f"fixed-cost-aware projection: {fitted:.1f} s ± {se:.1f} s, error {100 * (fitted - measured) / measured:+.1f}%")
    print(f"naive per-sequence projection: {naive:.1f} s, error {100 * (naive - measured) / measured:+.1f}%")


if __name__ == "__main__":
    main(sys.argv)
