"""Exceptions that map to the pipeline's exit codes, and one-line error text.

Exit codes follow VirNucPro's fork: 0 success, 1 any error, 2 bad usage (argparse),
4 CUDA out of memory that no smaller batch can avoid, 130 interrupted.
"""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_OOM = 4
EXIT_INTERRUPTED = 130


class PipelineError(Exception):
    """An expected failure reported as one `Error: ...` line and exit code 1."""

    exit_code = EXIT_ERROR


class CudaOomFatal(PipelineError):
    """CUDA ran out of memory and the batch cannot shrink any further: exit 4."""

    exit_code = EXIT_OOM


def one_line(exc, limit=400):
    """Returns the exception's message on one line, shortened to `limit` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
