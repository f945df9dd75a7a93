"""--parallel: one spawned worker process per GPU, and the parent that waits for them.

The parent never imports torch. Each worker is a fresh interpreter (multiprocessing's
spawn start method, so no CUDA state is forked), runs its Job on its GPU and leaves its
scores and summary in files. The parent waits for all of them; as soon as one fails it
stops the others, and exits 4 if a worker exited 4 (CUDA out of memory), else 1.
"""

import json
import sys
import multiprocessing
import signal
from multiprocessing.connection import wait

from .errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_OOM


def split_even(count, parts):
    """Splits range(count) into `parts` contiguous (start, end) ranges, sizes within 1."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    size, extra = divmod(count, parts)
    ranges = []
    start = 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        ranges.append((start, end))
        start = end
    return ranges


def split_files(start, end, per_file):
    """Splits range(start, end) into consecutive files of at most `per_file` items."""
    if per_file <= 0:
        raise ValueError("per_file must be positive")
    return [(s, min(s + per_file, end)) for s in range(start, end, per_file)]


def combined_exit_code(codes):
    """The parent's exit code for the workers' exit codes (None: never finished)."""
    failed = [code for code in codes if code != EXIT_OK]
    if not failed:
        return EXIT_OK
    if EXIT_OOM in failed:
        return EXIT_OOM
    if all(code == EXIT_INTERRUPTED for code in failed):
        return EXIT_INTERRUPTED
    return EXIT_ERROR


def worker_main(job, runner=None):
    """Entry point of a spawned worker: run the job, exit 0, 1 or 4 with one ERROR line.

    A worker logs on stderr, as the fork's GPU workers do; the first worker also
    announces the model stages (5 to 8) on stdout, as the fork's telemetry does.
    `runner(job, log)` defaults to worker.run_job; tests pass a fake one.
    """
    from .errors import CudaOomFatal, PipelineError, one_line
    from .log import StageLog

    log = StageLog(prefix=job.prefix, stream=sys.stderr, stage_stream=sys.stdout if job.announce_stages else None,
                   name="virnucpro.pipeline.gpu_worker", next_stage=5)
    try:
        if runner is None:
            from .worker import run_job as runner

        summary = runner(job, log)
        log.finish()
        with open(job.summary_path, "w", encoding="utf-8") as out:
            json.dump(summary, out)
    except CudaOomFatal as exc:
        log.error(f"torch.OutOfMemoryError: {one_line(exc)}")
        raise SystemExit(exc.exit_code)
    except PipelineError as exc:
        log.error(one_line(exc))
        raise SystemExit(exc.exit_code)
    except KeyboardInterrupt:
        raise SystemExit(EXIT_INTERRUPTED)
    except Exception as exc:  # anything else: one line, not a traceback
        log.error(f"{type(exc).__name__}: {one_line(exc)}")
        raise SystemExit(EXIT_ERROR)


def _stop(processes, grace=10.0):
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join()


def run_workers(jobs, log, target=worker_main):
    """Runs target(job) in one spawned process per job; returns the combined exit code.

    SIGTERM to the parent stops the workers too (benchctl's timeout sends it).
    """
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=target, args=(job,), name=f"virnucsim-gpu{job.gpu}") for job in jobs
    ]
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        for process in processes:
            process.start()
        return _wait_all(processes, log)
    except KeyboardInterrupt:
        _stop(processes)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(processes)


def _wait_all(processes, log):
    pending = {process.sentinel: process for process in processes}
    while pending:
        for sentinel in wait(list(pending)):
            process = pending.pop(sentinel)
            process.join()
            if process.exitcode != EXIT_OK:
                log.error(f"worker {process.name} exited with code {process.exitcode}; stopping the others")
                _stop(list(pending.values()))
                codes = [process.exitcode] + [p.exitcode for p in pending.values()]
                return combined_exit_code(_normalise(codes))
    return EXIT_OK


def _normalise(codes):
    # A worker killed by a signal has a negative exit code; count it as an error, but
    # keep the others we stopped ourselves (SIGTERM) from hiding the real cause.
    first, rest = codes[0], codes[1:]
    result = [first if first is not None and first >= 0 else EXIT_ERROR]
    result.extend(code for code in rest if code is not None and code > 0)
    return result


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
