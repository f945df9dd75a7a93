"""Reads spike.py's output and a `benchctl monitor --out json=...` result of the same
run, and says how many spikes benchctl saw, the peak it reported, and how its
accounting peak compares with the true peak.

Usage: python3 bench/spike/analyze.py SPIKE_STDOUT.txt MONITOR.json [NVIDIA_SMI_CSV...]

A spike counts as seen when a timeline bucket overlapping it (or a driver sample)
shows memory at least half a spike above the floor. nvidia-smi logs
(`--query-gpu=timestamp,memory.used --format=csv,noheader,nounits -lms N`) are
judged the same way.
"""
import datetime
import json
import sys

MIB = 1 << 20


def parse_spikes(path):
    spikes, info = [], {}
    for line in open(path):
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        if "spike" in fields:
            spikes.append((float(fields["start"]), float(fields["end"]), int(fields["bytes"])))
        else:
            info.update(fields)
    return spikes, info


def epoch(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def seen_in(samples, spikes, threshold):
    """samples: [(t0, t1, max_used)] in epoch seconds."""
    seen = 0
    for start, end, _ in spikes:
        if any(t1 >= start and t0 <= end and used >= threshold for t0, t1, used in samples):
            seen += 1
    return seen


def main(argv):
    spikes, info = parse_spikes(argv[1])
    rep = json.load(open(argv[2]))
    run = rep["suites"][0]["cases"][0]["runs"][0]
    t0 = epoch(run["started_at"])
    gpu = run["gpu"]["gpus"][0]
    baseline = gpu.get("baseline_bytes", 0)
    floor = baseline + int(info.get("floor_bytes", 0))
    threshold = floor + spikes[0][2] / 2 if spikes else floor
    buckets = [(t0 + b["t0"], t0 + b["t1"], b["max"]["memory_used"]) for b in gpu["timeline"]]
    procs = run["gpu"].get("processes", [])
    exact = [p for p in procs if p.get("exact")]
    true_peak = int(info.get("device_used_peak_bytes", 0)) - baseline
    print(f"spikes: {len(spikes)} of {spikes[0][2] / MIB:.0f} MiB over a floor of {int(info.get('floor_bytes', 0)) / MIB:.0f} MiB")
    print(f"benchctl (every {run['gpu']['interval_seconds'] * 1000:.0f} ms, {run['gpu']['samples']} samples): "
          f"saw {seen_in(buckets, spikes, threshold)}/{len(spikes)} spikes, "
          f"peak memory_used {gpu['stats']['memory_used']['max'] / MIB:.0f} MiB")
    for p in procs:
        print(f"  process {p['pid']}: peak {p['peak_bytes'] / MIB:.0f} MiB ({p['source']})")
    print(f"true peak of the process: {true_peak / MIB:.0f} MiB "
          f"(device used at the highest spike {int(info.get('device_used_peak_bytes', 0)) / MIB:.0f} MiB "
          f"minus the idle GPU's {baseline / MIB:.0f} MiB); allocator peak {int(info.get('true_peak_bytes', 0)) / MIB:.0f} MiB")
    if exact:
        diff = exact[0]["peak_bytes"] - true_peak
        print(f"accounting peak - true peak = {diff / MIB:+.0f} MiB")
    for path in argv[3:]:
        rows = []
        for line in open(path):
            parts = [x.strip() for x in line.split(",")]
            if len(parts) < 2:
                continue
            try:
                ts = datetime.datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
                rows.append((ts, float(parts[1]) * MIB))
            except ValueError:
                continue
        # nvidia-smi prints local time without a zone; the device runs in UTC.
        samples = [(t, t, used) for t, used in rows]
        peak = max((u for _, u in rows), default=0)
        print(f"{path}: {len(rows)} samples, saw {seen_in(samples, spikes, threshold)}/{len(spikes)} spikes, peak {peak / MIB:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv)
