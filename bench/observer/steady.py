#!/usr/bin/env python3
"""benchctl's steady CPU and context switches while it monitors a sleeping
command: one run of `BENCHCTL monitor ... -- sleep RUN_S`, read from /proc
from outside (so the reading costs benchctl nothing), over a window that
leaves start-up and the report out.

It reads every thread of benchctl (/proc/PID/task/TID: schedstat for CPU in
ns, status for context switches) and of its supervisor child at FROM_S
seconds and again at RUN_S - 1, and prints one line of key=value figures per
second of the window: cpu_pct (share of a core), vcsw and ivcsw (voluntary
and involuntary context switches), for benchctl (self_*), the busiest thread
by context switches (top_*: on Go, most often sysmon) and the supervisor
(sup_*); threads counts benchctl's threads at the end of the window.

Usage: steady.py RUN_S FROM_S BENCHCTL ARGS...   (the command run is
BENCHCTL monitor ARGS... -- sleep RUN_S)
"""
import os
import subprocess
import sys
import time


def threads(pid):
    """{tid: (cpu_ns, vcsw, ivcsw)} of pid's threads; {} once it is gone."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(base + "/schedstat") as f:
                cpu = int(f.read().split()[0])
            v = iv = 0
            with open(base + "/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        v = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        iv = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
        out[tid] = (cpu, v, iv)
    return out


def children(pid):
    """pids whose parent is pid (the supervisor: the one that is not sleep)."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(p), st[st.find("(") + 1:st.rfind(")")]))
    return out


def total(ts):
    return tuple(sum(t[i] for t in ts.values()) for i in range(3))


def main():
    run_s, from_s = float(sys.argv[1]), float(sys.argv[2])
    cmd = sys.argv[3:4] + ["monitor"] + sys.argv[4:] + ["--", "sleep", f"{run_s:g}"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    time.sleep(from_s)
    sup = [c for c, name in children(p.pid) if name != "sleep"]
    a, sa = threads(p.pid), threads(sup[0]) if sup else {}
    ta = time.monotonic()
    time.sleep(max(0.5, run_s - 1 - (ta - t0)))
    b, sb = threads(p.pid), threads(sup[0]) if sup else {}
    tb = time.monotonic()
    p.wait()
    w = tb - ta
    d = {tid: tuple(b[tid][i] - a[tid][i] for i in range(3)) for tid in b if tid in a}
    top = max(d.values(), key=lambda t: t[1] + t[2], default=(0, 0, 0))
    self_ = total(d)
    supd = tuple(y - x for x, y in zip(total(sa), total(sb))) if sa and sb else (0, 0, 0)
    fig = lambda tag, t: (f"{tag}_cpu_pct={t[0] / w / 1e7:.3f} {tag}_vcsw={t[1] / w:.1f} "
                          f"{tag}_ivcsw={t[2] / w:.1f}")
    print(f"window_s={w:.2f} threads={len(b)} {fig('self', self_)} {fig('top', top)} {fig('sup', supd)} rc={p.returncode}")


if __name__ == "__main__":
    main()
