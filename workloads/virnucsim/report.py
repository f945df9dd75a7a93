"""The closing lines on stderr: Done, peak memory and allocator efficiency.

Same formats as benchctl's fake pipeline (workloads/fakepipe), so that scenarios read
both alike. With --parallel the unprefixed `Peak memory` line is the maximum over the
GPUs (allocated and reserved each), and each GPU's own figures come on a line that
does not contain `Peak memory:`, so that a scenario's first match is the aggregate.
"""

MIB = float(1 << 20)


def done_line(reads, chunks, seconds):
    """`Done: N sequences, M chunks in S s (R seq/s)`."""
    rate = reads / max(seconds, 1e-9)
    return f"Done: {reads} sequences, {chunks} chunks in {seconds:.2f} s ({rate:.1f} seq/s)"


def _efficiency(allocated, reserved):
    return 100.0 * allocated / reserved if reserved else 100.0


def memory_lines(allocated, reserved):
    """`Peak memory: ...` and `Allocator efficiency: ...` for peak byte counts.

    The peaks are the CUDA caching allocator's (torch.cuda.max_memory_allocated and
    max_memory_reserved); efficiency is allocated / reserved at those peaks.
    """
    return [
        f"Peak memory: {allocated / MIB:.1f} MiB allocated, {reserved / MIB:.1f} MiB reserved",
        f"Allocator efficiency: {_efficiency(allocated, reserved):.1f}%",
    ]


def gpu_line(summary):
    """One GPU's figures in a --parallel run, prefixed `[gpu N] `."""
    allocated, reserved = summary["peak_allocated"], summary["peak_reserved"]
    return (
        f"[gpu {summary['gpu']}] GPU memory at peak: {allocated / MIB:.1f} MiB allocated, "
        f"{reserved / MIB:.1f} MiB reserved, allocator efficiency {_efficiency(allocated, reserved):.1f}%"
    )


def closing_lines(reads, chunks, seconds, summaries, parallel):
    """Done, then (on GPUs) each GPU's line with --parallel, then the memory lines."""
    lines = [done_line(reads, chunks, seconds)]
    gpus = [s for s in summaries if "peak_reserved" in s]
    if not gpus:
        return lines
    if parallel:
        lines.extend(gpu_line(s) for s in gpus)
    allocated = max(s["peak_allocated"] for s in gpus)
    reserved = max(s["peak_reserved"] for s in gpus)
    return lines + memory_lines(allocated, reserved)
