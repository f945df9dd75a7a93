"""A worker: the model stages on one device, for the work files of one Job.

Stages, in VirNucPro's order: DNABERT-S over every file, ESM-2 over every file, merge,
MLP. With --persistent-models the three models are built once, up front, and kept;
otherwise each encoder is built anew for each file and freed after it (del, garbage
collection, torch.cuda.empty_cache()), as the original reloads its models per file.
Every stage ends with a CUDA synchronize so its end time is honest.

torch is imported inside run_job, after --expandable-segments has set the allocator
configuration in the environment: the CUDA caching allocator reads it when CUDA
initialises, which happens later, on the first CUDA call.
"""

import os
import time

from . import presets, results
from .leak import Leak
from .errors import CudaOomFatal, PipelineError, one_line


def run_job(job, log):
    """Runs one Job; writes its scores file and returns a summary dict."""
    if job.expandable_segments:
        from .job import apply_expandable_segments

        apply_expandable_segments(os.environ)
    import torch

    oom = None
    try:
        return _Worker(job, log, torch).run()
    except torch.cuda.OutOfMemoryError as exc:
        oom = one_line(exc, 200)
    raise CudaOomFatal(f"CUDA out of memory outside a batch ({oom})")


class _Worker:
    """The stages of one job, sharing device, budgets and models."""

    def __init__(self, job, log, torch):
        from . import features

        self.job = job
        self.log = log
        self.torch = torch
        self.features = features
        if job.cpu_threads:
            torch.set_num_threads(job.cpu_threads)
        self.device, self.dtype = _select_device(job, torch)
        bf16 = self.dtype == torch.bfloat16
        self.esm_budget = features.TokenBudget(job.esm_batch_size or (3072 if bf16 else 2048))
        self.dna_budget = features.TokenBudget(job.dnabert_batch_size)
        self.ctx = features.DeviceContext(self.device, job.cuda_streams, job.cache_clear_interval)
        self.ctx.leak = Leak(job.leak_per_esm_batch,
                             lambda nbytes: torch.ones(nbytes, dtype=torch.uint8, device=self.device))
        self.models = _Models(job, self.device, self.dtype, log, self.ctx)

    def run(self):
        """All stages; returns the summary."""
        started = time.time()
        self._describe()
        files = [results.read_work_file(path) for path in self.job.files]
        self.done, self.total = 0, sum(len(rows) for rows in files)
        with self.torch.no_grad():
            if self.job.persistent_models:
                self.models.load_all()
            dna = self._dnabert(files)
            protein = self._esm(files)
            merged = self._merge(dna, protein)
            del dna, protein
            scores = self._predict(files, merged)
        results.write_scores(self.job.scores_path, scores)
        return self._summary(len(scores), time.time() - started)

    def _dnabert(self, files):
        from . import tokens

        out = []
        for rows in files:
            model = self.models.get("dnabert")
            self.log.stage("dnabert", f"Stage: DNABERT-S features (batch {self.dna_budget.tokens} tokens)")
            token_lists = [tokens.dna_tokens(nucleotide) for _, nucleotide, _ in rows]
            out.append(self._embed(model, token_lists, tokens.DNA_PAD, True, self.dna_budget))
            del model
            self.models.done_with("dnabert")
        return out

    def _esm(self, files):
        from . import tokens

        out = []
        for rows in files:
            model = self.models.get("esm")
            self.log.stage("esm", f"Stage: ESM-2 features (batch {self.esm_budget.tokens} tokens)")
            token_lists = [tokens.esm_tokens(protein) for _, _, protein in rows]
            self.ctx.leak.active = True
            out.append(self._embed(model, token_lists, tokens.ESM_PAD, False, self.esm_budget))
            self.ctx.leak.active = False
            del model
            self.models.done_with("esm")
            self._progress(len(rows))
        return out

    def _progress(self, rows):
        """A progress line after each file through ESM-2, the stage that dominates:
        the frames done so far, which benchctl reads to measure the steady rate
        inside a run (the other stages' time it fits across runs)."""
        self.done += rows
        self.log.info(f"Progress: {self.done}/{self.total} frames (ESM-2)")

    def _embed(self, model, token_lists, pad_id, pool_specials, budget):
        result = self.features.embed(model, token_lists, pad_id, pool_specials, budget, self.ctx, self.log)
        self.ctx.synchronize()
        return result

    def _merge(self, dna, protein):
        self.log.stage("merge", f"Stage: Merging features to {presets.MERGED_WIDTH}-d")
        return [
            self.features.merge(d, p, presets.DNA_FEATURE_WIDTH, presets.PROTEIN_FEATURE_WIDTH)
            for d, p in zip(dna, protein)
        ]

    def _predict(self, files, merged):
        mlp = self.models.get("mlp")
        self.log.stage("predict", "Stage: Predicting with MLP")
        scores = []
        for rows, features_of_file in zip(files, merged):
            probabilities = self.features.predict(mlp, features_of_file, self.ctx).tolist()
            scores.extend((fid, p0, p1) for (fid, _, _), (p0, p1) in zip(rows, probabilities))
        self.ctx.synchronize()
        return scores

    def _describe(self):
        torch, device = self.torch, self.device
        where = str(device)
        if device.type == "cuda":
            where += f" ({torch.cuda.get_device_name(device)})"
        alloc = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
        self.log.info(
            f"Device {where}, {_dtype_name(self.dtype)}, "
            f"cuda streams {'on' if self.ctx.prefetch else 'off'}, "
            f"persistent models {'on' if self.job.persistent_models else 'off'}"
            + (f", PYTORCH_CUDA_ALLOC_CONF={alloc}" if alloc else "")
        )

    def _summary(self, frames, seconds):
        summary = {
            "gpu": self.job.gpu if self.device.type == "cuda" else None,
            "device": str(self.device),
            "dtype": _dtype_name(self.dtype),
            "frames": frames,
            "seconds": seconds,
            "esm_batch_tokens": self.esm_budget.tokens,
            "dnabert_batch_tokens": self.dna_budget.tokens,
        }
        if self.device.type == "cuda":
            summary["peak_allocated"] = self.torch.cuda.max_memory_allocated(self.device)
            summary["peak_reserved"] = self.torch.cuda.max_memory_reserved(self.device)
        return summary


def _dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def _select_device(job, torch):
    """(device, dtype): the job's GPU in bf16 where supported, else fp32; CPU in fp32."""
    if job.device == "cpu":
        return torch.device("cpu"), torch.float32
    if not torch.cuda.is_available():
        raise PipelineError("CUDA is not available here (use --device cpu to run on the CPU)")
    count = torch.cuda.device_count()
    if not 0 <= job.gpu < count:
        raise PipelineError(f"GPU {job.gpu} does not exist (this process sees {count})")
    torch.cuda.set_device(job.gpu)
    if job.memory_fraction:
        torch.cuda.set_per_process_memory_fraction(job.memory_fraction, job.gpu)
    device = torch.device("cuda", job.gpu)
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    return device, dtype


class _Models:
    """Builds models on demand, announcing each build; keeps them if persistent."""

    def __init__(self, job, device, dtype, log, ctx):
        self.job = job
        self.device = device
        self.dtype = dtype
        self.log = log
        self.ctx = ctx
        self.shapes = presets.shapes_from_dict(job.shapes)
        self.built = {}

    def load_all(self):
        """--persistent-models: build the three models once, up front."""
        self.log.info("Loading models")
        for name in ("dnabert", "esm", "mlp"):
            self._build(name)
        self.ctx.synchronize()

    def get(self, name):
        """The model `name`, built now (with a stage line) if it is not there."""
        if name not in self.built:
            self.log.info(f"Loading {name} model")
            self._build(name)
            self.ctx.synchronize()
        return self.built[name]

    def done_with(self, name):
        """Frees model `name` after a file, unless models are persistent."""
        if not self.job.persistent_models and name in self.built:
            del self.built[name]
            self.ctx.free_cache()

    def _build(self, name):
        import torch

        from . import models

        failed = False
        try:
            if name == "dnabert":
                model = models.build_bert(self.shapes["bert"], self.device, self.dtype, self.job.seed, self.log)
            elif name == "esm":
                model = models.build_esm(self.shapes["esm"], self.device, self.dtype, self.job.seed, self.log)
            else:
                model = models.build_mlp(self.device, self.job.seed)
        except torch.cuda.OutOfMemoryError:
            failed = True
        if failed:
            raise CudaOomFatal(f"CUDA out of memory while loading the {name} model")
        self.built[name] = model
