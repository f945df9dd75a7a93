"""Command line: the flags of VirNucPro's fork (`predict INPUT.fa -o OUTDIR ...`).

Arguments are parsed and the input FASTA is read and checked before torch is even
looked for, so `--help`, usage errors (exit 2) and bad input (one `Error:` line,
exit 1) behave the same on machines without torch.
"""

import argparse
import sys

from . import __version__, presets
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, PipelineError, one_line
from .log import StageLog

DESCRIPTION = (
    "virnucsim: a performance stand-in for VirNucPro. It runs the pipeline's stages "
    "(chunking, six-frame translation, DNABERT-S and ESM-2 features, merge, MLP, "
    "consensus) with the real model shapes and RANDOM weights from a fixed seed. It is "
    "not a classifier: its predictions mean nothing. Use it to measure time and GPU memory."
)


def _gpu_list(text):
    try:
        gpus = [int(part) for part in text.split(",") if part.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected GPU ordinals like 0,1,2, got {text!r}") from None
    if not gpus or any(g < 0 for g in gpus):
        raise argparse.ArgumentTypeError(f"expected GPU ordinals like 0,1,2, got {text!r}")
    if len(set(gpus)) != len(gpus):
        raise argparse.ArgumentTypeError(f"GPU listed twice in {text!r}")
    return gpus


def _at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def build_parser():
    """The argparse parser for `virnucsim predict ...`."""
    parser = argparse.ArgumentParser(prog="virnucsim", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"virnucsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    predict = commands.add_parser(
        "predict", help="run the pipeline on a FASTA file", description=DESCRIPTION
    )
    predict.add_argument("input", metavar="INPUT.fa", help="reads in FASTA format")
    predict.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder")
    predict.add_argument("--model-type", type=int, choices=(300, 500), default=500,
                         help="chunk length in bases (default 500)")
    predict.add_argument("--parallel", action="store_true",
                         help="one worker process per GPU of --gpus, work split by sequence count")
    predict.add_argument("--gpus", type=_gpu_list, default=[0], metavar="0,1,...",
                         help="CUDA ordinals; without --parallel only the first is used (default 0)")
    predict.add_argument("--persistent-models", action="store_true",
                         help="build the models once per worker instead of once per file")
    streams = predict.add_mutually_exclusive_group()
    streams.add_argument("--cuda-streams", dest="cuda_streams", action="store_true", default=False,
                         help="copy the next batch on a side CUDA stream while one computes")
    streams.add_argument("--no-cuda-streams", dest="cuda_streams", action="store_false",
                         help="no side stream (default)")
    predict.add_argument("--esm-batch-size", type=_at_least(1), default=None, metavar="TOKENS",
                         help="ESM-2 tokens per batch (default 2048, 3072 with bf16)")
    predict.add_argument("--dnabert-batch-size", type=_at_least(1), default=2048, metavar="TOKENS",
                         help="DNABERT-S tokens per batch (default 2048)")
    predict.add_argument("--gpu-memory-fraction", type=float, default=0.0, metavar="F",
                         help="cap the CUDA allocator at this fraction of the GPU (0 < F <= 1), "
                              "to act as a smaller GPU and force out-of-memory (default: no cap)")
    predict.add_argument("--expandable-segments", action="store_true",
                         help="PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True in the workers")
    predict.add_argument("--cache-clear-interval", type=_at_least(0), default=0, metavar="N",
                         help="torch.cuda.empty_cache() every N batches (default 0: never)")
    predict.add_argument("--sequences-per-file", type=_at_least(1), default=10000, metavar="N",
                         help="translated sequences per work file, as VirNucPro splits them (default 10000)")
    predict.add_argument("--size", choices=tuple(presets.PRESETS), default="full",
                         help="model sizes: full (the real shapes, default), small, tiny")
    predict.add_argument("--esm-layers", type=_at_least(1), default=None, metavar="N",
                         help="override the ESM-2 layer count of --size")
    predict.add_argument("--esm-hidden", type=_at_least(2), default=None, metavar="N",
                         help="override the ESM-2 hidden width of --size")
    predict.add_argument("--leak-per-esm-batch", type=_at_least(0), default=0, metavar="MIB",
                         help="keep MIB more GPU memory after every ESM-2 batch until exit: a leak on "
                              "purpose, to test leak checks against (default 0: none)")
    predict.add_argument("--seed", type=int, default=42, help="seed of the random weights (default 42)")
    predict.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                         help="cuda (bf16 where supported) or cpu (fp32); default cuda")
    parser.predict_parser = predict  # for errors that only a combination of flags shows
    return parser


def parse_args(argv=None):
    """Parses and cross-checks the arguments; argparse exits 2 on usage errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        parser.exit(2)
    predict = parser.predict_parser
    if args.parallel and args.device != "cuda":
        predict.error("--parallel needs --device cuda")
    if not 0 <= args.gpu_memory_fraction <= 1:
        predict.error(f"--gpu-memory-fraction must be between 0 and 1, got {args.gpu_memory_fraction}")
    try:
        args.shapes = presets.resolve(args.size, args.esm_layers, args.esm_hidden)
    except presets.PresetError as exc:
        predict.error(str(exc))
    return args


def main(argv=None, backend=None, parallel_target=None):
    """Runs the command line; returns the exit code. backend/target: for tests."""
    args = parse_args(argv)
    log = StageLog()
    from . import pipeline

    try:
        return pipeline.run(args, log, backend=backend, parallel_target=parallel_target)
    except PipelineError as exc:
        log.error(one_line(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line, never a traceback
        log.error(f"{type(exc).__name__}: {one_line(exc)}")
        return EXIT_ERROR
