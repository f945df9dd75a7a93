"""The parent process: read, chunk, translate, hand frames to workers, vote, write.

The parent stays free of torch. It splits the kept frames evenly over the workers (one
per GPU with --parallel, else one in-process on the first GPU of --gpus or the CPU),
and each worker's share into work files of prediction.sequences_per_file frames (from
-c), as VirNucPro splits its translated sequences into files of 10,000. It then gathers the workers'
scores in input order, takes the consensus and writes VirNucPro's result files.
"""

import importlib.util
import json
import os
import shutil
import sys
import time

from . import consensus, fasta, parallel, presets, report, results, sequence
from .errors import EXIT_OK, EXIT_OOM, CudaOomFatal, PipelineError
from .job import Job, apply_expandable_segments


def run(args, log, backend=None, parallel_target=None):
    """Runs `predict` for parsed arguments; returns the exit code. The stages are
    the fork's nine, announced as its telemetry does (log.py)."""
    started = time.time()
    log.line(f"VirNucPro Prediction - Input: {args.input}")
    if not _confirm_output(args, log):
        return EXIT_OK
    reads = fasta.read_fasta(args.input)
    if backend is None and parallel_target is None:
        _require_torch()
    workdir = _prepare_output(args.output)
    log.line("Starting prediction pipeline...")

    log.stage("chunking")
    chunk_count = sum(len(sequence.chunk_bounds(len(seq), args.model_type)) for _, seq in reads)
    log.finish(f"sequences: {len(reads):,}")
    log.stage("translate")
    t0 = time.time()
    chunks, frames = sequence.translate_reads(reads, args.model_type)
    took = time.time() - t0
    log.info(f"Translation complete: processed {chunk_count:,} sequences in {took:.1f}s ({chunk_count / max(took, 1e-9):,.0f} seq/s)")
    log.info(f"{len(frames)} of {6 * chunks} frames kept (no stop codon)")
    log.finish(f"sequences: {chunk_count:,}")

    log.info(f"Splitting nucleotide sequences into batches of {args.sequences_per_file}")
    log.stage("nucleotide_split")
    jobs, ranges = _plan_jobs(args, frames, workdir)
    files = sum(len(job.files) for job in jobs)
    log.finish(f"files: {files:,}")
    log.info(f"Splitting protein sequences into batches of {args.sequences_per_file}")
    log.stage("protein_split")
    log.finish(f"files: {files:,}")

    code, summaries = _run_jobs(args, jobs, log, backend, parallel_target)
    if code == EXIT_OOM:
        raise CudaOomFatal("a worker ran out of GPU memory")
    if code != EXIT_OK:
        raise PipelineError(f"a worker failed (exit {code})")

    predictions = _gather(jobs, ranges, frames)
    log.stage("consensus")
    _write_results(args.output, predictions)
    shutil.rmtree(workdir, ignore_errors=True)
    log.finish(f"consensus_sequences: {chunks:,}")
    log.summary(time.time() - started)

    for line in report.closing_lines(len(reads), chunks, time.time() - started, summaries, args.parallel):
        log.line(line)
    log.line("Prediction completed successfully!")
    return EXIT_OK


def _confirm_output(args, log):
    """The fork's check of an existing output folder: without --force or --resume
    it asks on stdout and reads stdin. On a closed stdin click raises Abort, which
    the fork's predict command catches as any exception (`Prediction failed: `,
    exit 1); "n" (the default) cancels with exit 0."""
    if args.force or args.resume or not os.path.exists(args.output):
        return True
    sys.stdout.write(f"Output directory {args.output} exists. Overwrite? [y/N]: ")
    sys.stdout.flush()
    answer = sys.stdin.readline() if sys.stdin is not None else ""
    if answer == "":
        raise PipelineError("")
    if answer.strip().lower() in ("y", "yes"):
        return True
    log.line("Prediction cancelled by user")
    return False


def _require_torch():
    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        raise PipelineError(f"{' and '.join(missing)} not installed; virnucsim needs torch and transformers")


def _prepare_output(output):
    workdir = os.path.join(output, results.WORK_DIR)
    try:
        os.makedirs(output, exist_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
    except OSError as exc:
        raise PipelineError(f"cannot create output folder {output}: {exc.strerror or exc}") from None
    return workdir


def _plan_jobs(args, frames, workdir):
    """One Job per worker with a non-empty share; returns (jobs, their frame ranges)."""
    gpus = args.gpus if args.parallel else args.gpus[:1]
    jobs, ranges = [], []
    file_number = 0
    for gpu, (start, end) in zip(gpus, parallel.split_even(len(frames), len(gpus))):
        if start == end:
            continue
        paths = []
        for lo, hi in parallel.split_files(start, end, args.sequences_per_file):
            path = os.path.join(workdir, f"file_{file_number:04d}.tsv")
            results.write_work_file(path, frames[lo:hi])
            paths.append(path)
            file_number += 1
        jobs.append(_job(args, gpu, paths, workdir, announce=not jobs))
        ranges.append((start, end))
    if args.parallel:
        # Each worker builds its models on the CPU: share the cores rather than
        # running len(jobs) x cores threads.
        for job in jobs:
            job.cpu_threads = max(1, (os.cpu_count() or 1) // len(jobs))
    return jobs, ranges


def _job(args, gpu, paths, workdir, announce=True):
    return Job(
        device=args.device,
        gpu=gpu,
        files=paths,
        scores_path=os.path.join(workdir, f"scores_gpu{gpu}.tsv"),
        summary_path=os.path.join(workdir, f"summary_gpu{gpu}.json"),
        shapes=presets.shapes_to_dict(args.shapes),
        esm_batch_size=args.esm_batch_size,
        dnabert_batch_size=args.dnabert_batch_size,
        persistent_models=args.persistent_models,
        cuda_streams=args.cuda_streams,
        expandable_segments=args.expandable_segments,
        cache_clear_interval=args.cache_clear_interval,
        memory_fraction=args.gpu_memory_fraction,
        seed=args.seed,
        leak_per_esm_batch=args.leak_per_esm_batch,
        prefix=f"[gpu {gpu}] " if args.parallel else "",
        announce_stages=announce,
    )


def _run_jobs(args, jobs, log, backend, parallel_target):
    """Runs the jobs; returns (exit code, worker summaries)."""
    if not jobs:
        return EXIT_OK, []
    if not args.parallel:
        if backend is None:
            from .worker import run_job as backend
        return EXIT_OK, [backend(jobs[0], log)]
    if args.expandable_segments:
        apply_expandable_segments(os.environ)  # inherited by the spawned workers
    code = parallel.run_workers(jobs, log, target=parallel_target or parallel.worker_main)
    log.next_stage += 4  # the first worker announced DNABERT-S, ESM-2, merge and prediction
    if code != EXIT_OK:
        return code, []
    summaries = []
    for job in jobs:
        with open(job.summary_path, "r", encoding="utf-8") as handle:
            summaries.append(json.load(handle))
    return EXIT_OK, summaries


def _gather(jobs, ranges, frames):
    """The workers' scores as Predictions, in input order, checked against the frames."""
    predictions = []
    for job, (start, end) in zip(jobs, ranges):
        scores = results.read_scores(job.scores_path)
        expected = frames[start:end]
        if len(scores) != len(expected):
            raise PipelineError(f"worker for GPU {job.gpu} returned {len(scores)} scores for {len(expected)} frames")
        for frame, (frame_id, score0, score1) in zip(expected, scores):
            if frame_id != frame.frame_id:
                raise PipelineError(f"worker for GPU {job.gpu} returned {frame_id!r} where {frame.frame_id!r} was expected")
            predictions.append(consensus.Prediction(frame.frame_id, frame.chunk_id, frame.read_id, score0, score1))
    return predictions


def _write_results(output, predictions):
    results.write_prediction_results(os.path.join(output, results.PREDICTIONS_FILE), predictions)
    results.write_highest_scores(os.path.join(output, results.HIGHEST_SCORE_FILE), consensus.by_chunk(predictions))
    results.write_read_calls(
        os.path.join(output, results.PER_READ_FILE),
        consensus.by_read(predictions),
        consensus.chunks_per_read(predictions),
    )
