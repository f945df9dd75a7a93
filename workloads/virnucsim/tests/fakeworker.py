"""A torch-free stand-in for worker.run_job, to test the parent end to end.

It prints the worker's stage lines, scores each frame from its protein length and
reports made-up peak memory. VIRNUCSIM_FAKE_FAIL=KIND:GPU[,KIND:GPU] makes the worker
on that GPU fail: `oom` (exit 4), `crash` (an unexpected exception, exit 1) or `hang` (sleeps, so
that the parent has to stop it).
"""

import os
import time

from virnucsim import results
from virnucsim.errors import CudaOomFatal

FAIL_VARIABLE = "VIRNUCSIM_FAKE_FAIL"


def score_of(protein):
    """The fake virus probability of a frame."""
    return (len(protein) % 10) / 10.0


def _maybe_fail(job):
    failures = dict(
        reversed(item.partition(":")[::2]) for item in os.environ.get(FAIL_VARIABLE, "").split(",") if item
    )
    kind = failures.get(str(job.gpu))
    if kind == "oom":
        raise CudaOomFatal("CUDA out of memory at the smallest batch size (123 tokens)")
    if kind == "crash":
        raise RuntimeError("simulated crash\nwith a second line")
    if kind == "hang":
        time.sleep(120)


def run_job(job, log):
    """Same contract as worker.run_job."""
    files = [results.read_work_file(path) for path in job.files]
    log.info("Loading models")
    log.stage("dnabert", f"Stage: DNABERT-S features (batch {job.dnabert_batch_size} tokens)")
    log.stage("esm", f"Stage: ESM-2 features (batch {job.esm_batch_size or 3072} tokens)")
    _maybe_fail(job)
    log.stage("merge", "Stage: Merging features to 3328-d")
    log.stage("predict", "Stage: Predicting with MLP")
    scores = []
    for rows in files:
        for frame_id, _, protein in rows:
            s1 = score_of(protein)
            scores.append((frame_id, 1.0 - s1, s1))
    results.write_scores(job.scores_path, scores)
    summary = {"gpu": job.gpu, "frames": len(scores), "files": len(files)}
    if job.device == "cuda":
        summary.update(peak_allocated=(3 + job.gpu) << 30, peak_reserved=(4 + job.gpu) << 30)
    return summary
