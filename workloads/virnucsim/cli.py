"""Command line: VirNucPro's fork's (`[-c CONFIG.yaml] predict INPUT.fa [-o OUTDIR] ...`).

Global options come before `predict`, as in the fork's click group; sequences per
split file come from the configuration's prediction.sequences_per_file. Usage errors
are click's (exit 2, on stderr); failures are logged as the fork logs them, on
stdout: `Prediction failed: ...` (exit 1) or the OUT OF MEMORY banner (exit 4).
Arguments are parsed and the input FASTA is read and checked before torch is even
looked for, so all of this behaves the same on machines without torch.
"""

import argparse
import os
import sys

from . import __version__, presets
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, CudaOomFatal, PipelineError, one_line
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


class UsageError(Exception):
    """A usage error as click reports it: exit 2, and on stderr the command's usage
    line, where to get help, and `Error: ...`."""

    def __init__(self, message, command=None):
        super().__init__(message)
        self.command = command

    def report(self, stream):
        if self.command == "predict":
            usage, helper = "Usage: virnucsim predict [OPTIONS] INPUT_FILE", "virnucsim predict --help"
        else:
            usage, helper = "Usage: virnucsim [OPTIONS] COMMAND [ARGS]...", "virnucsim --help"
        stream.write(f"{usage}\nTry '{helper}' for help.\n\nError: {self}\n")
        stream.flush()


class _Parser(argparse.ArgumentParser):
    """argparse with click's words: an unknown option is "No such option 'X'."."""

    def error(self, message):
        unknown = message.partition("unrecognized arguments: ")[2]
        if unknown:
            raise UsageError(f"No such option '{unknown.split()[0].split('=')[0]}'.", "predict")
        raise UsageError(message[:1].upper() + message[1:] + ".", "predict")


# The fork's predict options that virnucsim takes and does nothing with
# (virnucpro/cli/predict.py at a8d3e4b): (flags, takes a value).
ACCEPTED = [
    (("-p", "--model-path"), True), (("-e", "--expected-length"), True),
    (("-b", "--batch-size"), True), (("-w", "--num-workers"), True),
    (("-t", "--threads", "--merge-threads"), True), (("--dataloader-workers",), True),
    (("-k", "--keep-intermediate"), False), (("--no-progress",), False), (("--v1-fallback",), False),
    (("--v1-attention",), False), (("--verbose",), False), (("--quiet",), False),
    (("--skip-checkpoint-validation",), False), (("--force-resume",), False), (("--pin-memory",), False),
]


def _device(text):
    """The fork's -d/--device: auto, cpu, cuda, cuda:N or N; virnucsim runs on cuda or cpu."""
    if text == "cpu":
        return "cpu"
    if text in ("auto", "cuda") or text.startswith("cuda:") or text.isdigit():
        return "cuda"
    raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda, cuda:N or N, got {text!r}")


def build_parser():
    """The parser of `virnucsim predict ...`: the fork's options and virnucsim's own."""
    predict = _Parser(prog="virnucsim predict", description=DESCRIPTION)
    predict.add_argument("input", metavar="INPUT_FILE", help="reads in FASTA format")
    predict.add_argument("-o", "--output-dir", dest="output", default=None, metavar="OUTDIR",
                         help="output folder (default: {input stem}_predictions)")
    predict.add_argument("-f", "--force", action="store_true", help="overwrite an existing output folder without asking")
    predict.add_argument("--resume", action="store_true", help="run in an existing output folder (virnucsim starts over)")
    predict.add_argument("-m", "--model-type", type=lambda v: 500 if v == "custom" else int(v), choices=(300, 500),
                         default=500, help="chunk length in bases: 300, 500 or custom (500) (default 500)")
    predict.add_argument("--parallel", action="store_true",
                         help="one worker process per GPU of --gpus, work split by sequence count")
    predict.add_argument("--gpus", type=_gpu_list, default=[0], metavar="0,1,...",
                         help="CUDA ordinals; several imply --parallel, as in the fork (default 0)")
    predict.add_argument("--persistent-models", action="store_true",
                         help="build the models once per worker instead of once per file")
    predict.add_argument("--no-persistent-models", dest="persistent_models", action="store_false")
    streams = predict.add_mutually_exclusive_group()
    streams.add_argument("--cuda-streams", dest="cuda_streams", action="store_true", default=False,
                         help="copy the next batch on a side CUDA stream while one computes")
    streams.add_argument("--no-cuda-streams", dest="cuda_streams", action="store_false",
                         help="no side stream (default)")
    predict.add_argument("--esm-batch-size", type=_at_least(1), default=None, metavar="TOKENS",
                         help="ESM-2 tokens per batch (default 2048, 3072 with bf16)")
    predict.add_argument("--dnabert-batch-size", type=_at_least(1), default=2048, metavar="TOKENS",
                         help="DNABERT-S tokens per batch (default 2048)")
    predict.add_argument("--expandable-segments", action="store_true",
                         help="PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True in the workers")
    predict.add_argument("--cache-clear-interval", type=_at_least(0), default=0, metavar="N",
                         help="torch.cuda.empty_cache() every N batches (default 0: never)")
    for flags, valued in ACCEPTED:
        if valued:
            predict.add_argument(*flags, dest="accepted_" + flags[-1].lstrip("-").replace("-", "_"), help=argparse.SUPPRESS)
        else:
            predict.add_argument(*flags, dest="accepted_" + flags[-1].lstrip("-").replace("-", "_"),
                                 action="store_true", help=argparse.SUPPRESS)
    own = predict.add_argument_group("virnucsim's own (not the fork's)")
    own.add_argument("--gpu-memory-fraction", type=float, default=0.0, metavar="F",
                     help="cap the CUDA allocator at this fraction of the GPU (0 < F <= 1), "
                          "to act as a smaller GPU and force out-of-memory (default: no cap)")
    own.add_argument("--size", choices=tuple(presets.PRESETS), default="full",
                     help="model sizes: full (the real shapes, default), small, tiny")
    own.add_argument("--esm-layers", type=_at_least(1), default=None, metavar="N",
                     help="override the ESM-2 layer count of --size")
    own.add_argument("--esm-hidden", type=_at_least(2), default=None, metavar="N",
                     help="override the ESM-2 hidden width of --size")
    own.add_argument("--leak-per-esm-batch", type=_at_least(0), default=0, metavar="MIB",
                     help="keep MIB more GPU memory after every ESM-2 batch until exit: a leak on "
                          "purpose, to test leak checks against (default 0: none)")
    own.add_argument("--seed", type=int, default=42, help="seed of the random weights (default 42)")
    predict.add_argument("-d", "--device", type=_device, default="cuda", metavar="DEVICE",
                         help="auto, cuda, cuda:N or N (the GPUs are --gpus'), or cpu (fp32); default auto")
    return predict


def _global_options(argv):
    """The options before `predict`, as the fork's click group takes them:
    -v, -q, -l LOG, -c CONFIG.yaml. Returns (options, the arguments after predict)."""
    opts = {"verbose": False, "quiet": False, "log_file": None, "config": None}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if arg == "predict":
            return opts, argv[i + 1:]
        if arg in ("-h", "--help"):
            sys.stdout.write(f"Usage: virnucsim [OPTIONS] COMMAND [ARGS]...\n\n  {DESCRIPTION}\n\n"
                             "Options:\n  -v, --verbose\n  -q, --quiet\n  -l, --log-file PATH\n"
                             "  -c, --config PATH  YAML configuration (prediction.sequences_per_file)\n\n"
                             "Commands:\n  predict  run the pipeline on a FASTA file\n")
            raise SystemExit(0)
        if arg == "--version":
            sys.stdout.write(f"virnucsim {__version__}\n")
            raise SystemExit(0)
        if arg in ("-v", "--verbose"):
            opts["verbose"] = True
        elif arg in ("-q", "--quiet"):
            opts["quiet"] = True
        elif arg in ("-l", "-c") or name in ("--log-file", "--config"):
            key = "log_file" if arg == "-l" or name == "--log-file" else "config"
            if not eq:
                if i + 1 >= len(argv):
                    raise UsageError(f"Option '{arg}' requires an argument.")
                i += 1
                value = argv[i]
            opts[key] = value
        elif arg.startswith("-"):
            raise UsageError(f"No such option '{name}'.")
        else:
            raise UsageError(f"No such command '{arg}'.")
        i += 1
    raise UsageError("Missing command.")


def sequences_per_file(path):
    """prediction.sequences_per_file from the fork's YAML configuration (nested
    mappings; comments allowed), or 10000 when absent."""
    section = None
    with open(path, "r", encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            text = text.split("#", 1)[0].rstrip()
            if not text.strip() or text.strip().startswith("- "):
                continue
            key, colon, value = text.strip().partition(":")
            if not colon:
                raise ValueError(f"line {number}: not a mapping: {text!r}")
            if not text[0].isspace():
                section = key
            elif section == "prediction" and key == "sequences_per_file":
                try:
                    count = int(value.strip())
                except ValueError:
                    count = 0
                if count < 1:
                    raise ValueError(f"line {number}: prediction.sequences_per_file {value.strip()!r}: want a positive integer")
                return count
    return 10000


def parse_args(argv=None):
    """Parses and cross-checks the arguments; raises UsageError (exit 2)."""
    argv = sys.argv[1:] if argv is None else argv
    options, rest = _global_options(argv)
    args = build_parser().parse_args(rest)
    args.command = "predict"
    args.globals = options
    if options["config"] is not None and not os.path.exists(options["config"]):
        raise UsageError(f"Invalid value for '--config' / '-c': Path '{options['config']}' does not exist.")
    if not os.path.exists(args.input):
        raise UsageError(f"Invalid value for 'INPUT_FILE': Path '{args.input}' does not exist.", "predict")
    if args.output is None:
        args.output = os.path.splitext(os.path.basename(args.input))[0] + "_predictions"
    if len(args.gpus) > 1:
        args.parallel = True  # as the fork: several GPUs mean --parallel
    if args.parallel and args.device != "cuda":
        raise UsageError("--parallel needs --device cuda", "predict")
    if not 0 <= args.gpu_memory_fraction <= 1:
        raise UsageError(f"--gpu-memory-fraction must be between 0 and 1, got {args.gpu_memory_fraction}", "predict")
    try:
        args.shapes = presets.resolve(args.size, args.esm_layers, args.esm_hidden)
    except presets.PresetError as exc:
        raise UsageError(str(exc), "predict") from None
    return args


def main(argv=None, backend=None, parallel_target=None):
    """Runs the command line; returns the exit code. backend/target: for tests."""
    try:
        args = parse_args(argv)
    except UsageError as exc:
        exc.report(sys.stderr)
        return EXIT_USAGE
    log = StageLog(stage_stream=sys.stdout, quiet=args.globals["quiet"])
    if args.globals["config"] is not None:
        try:
            args.sequences_per_file = sequences_per_file(args.globals["config"])
        except (OSError, ValueError) as exc:
            log.error(f"Failed to load configuration: {one_line(exc)}")
            return EXIT_ERROR
        log.line(f"Loaded configuration from {args.globals['config']}")
    else:
        args.sequences_per_file = 10000
    from . import pipeline

    try:
        return pipeline.run(args, log, backend=backend, parallel_target=parallel_target)
    except CudaOomFatal as exc:
        log.oom_banner(f"Memory at failure: {one_line(exc)}")
        return exc.exit_code
    except PipelineError as exc:
        log.error(f"Prediction failed: {one_line(exc) if str(exc) else ''}")
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line, never a traceback
        log.error(f"Prediction failed: {type(exc).__name__}: {one_line(exc)}")
        return EXIT_ERROR
