"""What one worker is asked to do, and the allocator setting it needs before torch.

A Job is plain data so that it pickles into a spawned worker process unchanged; the
single-GPU path runs the very same Job in-process.
"""

from dataclasses import dataclass

ALLOC_CONF_VARS = ("PYTORCH_CUDA_ALLOC_CONF", "PYTORCH_ALLOC_CONF")
EXPANDABLE = "expandable_segments:True"


@dataclass
class Job:
    """One worker's share of the input and the settings to run it with."""

    device: str  # "cuda" or "cpu"
    gpu: int  # CUDA ordinal (ignored on cpu)
    files: list  # work files to embed, in order
    scores_path: str  # where the worker writes (frame_id, score0, score1)
    shapes: dict  # presets.shapes_to_dict(...)
    esm_batch_size: object = None  # tokens; None: 2048, or 3072 with bf16
    dnabert_batch_size: int = 2048
    persistent_models: bool = False
    cuda_streams: bool = False
    expandable_segments: bool = False
    cache_clear_interval: int = 0
    memory_fraction: float = 0.0  # cap of the CUDA allocator, a fraction of the GPU (0: none)
    seed: int = 42
    leak_per_esm_batch: int = 0  # MiB kept after every ESM-2 batch (a leak on purpose)
    cpu_threads: int = 0  # torch threads (0: torch's default); --parallel shares the cores
    prefix: str = ""  # "[gpu N] " for --parallel workers
    summary_path: str = ""  # --parallel: where the worker leaves its summary (JSON)
    announce_stages: bool = True  # the worker's stage lines go to stdout (the first worker of --parallel)


def with_expandable_segments(conf):
    """Returns an allocator config string with expandable_segments:True set in it."""
    options = [part.strip() for part in (conf or "").split(",") if part.strip()]
    options = [part for part in options if not part.startswith("expandable_segments")]
    options.append(EXPANDABLE)
    return ",".join(options)


def apply_expandable_segments(environ):
    """Sets expandable segments in `environ`, before torch initialises CUDA.

    PYTORCH_CUDA_ALLOC_CONF is the long-standing name; newer torch also reads
    PYTORCH_ALLOC_CONF and prefers it, so that one is updated too when it is set.
    Other options already there are kept.
    """
    for name in ALLOC_CONF_VARS:
        if name == ALLOC_CONF_VARS[0] or name in environ:
            environ[name] = with_expandable_segments(environ.get(name, ""))
