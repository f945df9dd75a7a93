"""Reads the pairs of bench/device/overhead.sh and prints the throughput ratio
(monitored over bare, as work time bare / monitored) with its 95% confidence
interval: the mean of the pairs' log ratios with a t interval (pairs are
independent; alternating order takes slow drift out of each pair's ratio).

Usage: python3 bench/device/overhead_ratio.py PAIRS.txt [PAIRS.txt ...]
"""
import math
import statistics
import sys

# Two-sided 97.5% quantiles of Student's t, by degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
        16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086}


def main(paths):
    logs = []
    for path in paths:
        for line in open(path):
            f = line.split()
            if len(f) >= 10 and f[0] == "pair" and f[7] and f[9]:
                bare, mon = float(f[7]), float(f[9])
                logs.append(math.log(bare / mon))
                print(f"pair {f[1]}: bare {bare:.3f} s, monitored {mon:.3f} s, ratio {bare / mon:.4f}")
    n = len(logs)
    if n < 2:
        print("overhead_ratio.py: fewer than 2 pairs", file=sys.stderr)
        return 1
    m, s = statistics.mean(logs), statistics.stdev(logs)
    h = T975.get(n - 1, 1.96) * s / math.sqrt(n)
    print(f"throughput monitored / bare: {math.exp(m):.4f}, 95% CI [{math.exp(m - h):.4f}, {math.exp(m + h):.4f}] "
          f"over {n} pairs (t interval on log ratios)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
