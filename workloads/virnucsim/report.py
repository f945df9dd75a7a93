"""The closing lines on stderr: Done, peak memory and allocator efficiency."""

MIB = float(1 << 20)


def done_line(reads, chunks, seconds):
    """`Done: N sequences, M chunks in S s (R seq/s)`."""
    rate = reads / seconds if seconds > 0 else 0.0
    return f"Done: {reads} sequences, {chunks} chunks in {seconds:.2f} s ({rate:.2f} seq/s)"


def memory_lines(summary):
    """`Peak memory: ...` and `Allocator efficiency: ...` of a GPU worker (none on CPU).

    Both peaks are the CUDA caching allocator's (torch.cuda.max_memory_allocated and
    max_memory_reserved); efficiency is allocated / reserved at those peaks.
    """
    if "peak_reserved" not in summary:
        return []
    allocated = summary["peak_allocated"]
    reserved = summary["peak_reserved"]
    efficiency = 100.0 * allocated / reserved if reserved else 0.0
    return [
        f"Peak memory: {allocated / MIB:.0f} MiB allocated, {reserved / MIB:.0f} MiB reserved",
        f"Allocator efficiency: {efficiency:.1f}%",
    ]


def closing_lines(reads, chunks, seconds, summaries, parallel):
    """All closing lines. With --parallel: each GPU's memory lines prefixed `[gpu N] `,
    then unprefixed ones for the GPU with the highest peak reserved memory."""
    lines = [done_line(reads, chunks, seconds)]
    gpu_summaries = [s for s in summaries if "peak_reserved" in s]
    if parallel:
        for summary in gpu_summaries:
            lines.extend(f"[gpu {summary['gpu']}] {line}" for line in memory_lines(summary))
    if gpu_summaries:
        worst = max(gpu_summaries, key=lambda s: s["peak_reserved"])
        lines.extend(memory_lines(worst))
    return lines
