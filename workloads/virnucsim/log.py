"""Stage lines and messages on stderr, one flushed write per line.

benchctl finds stage boundaries by matching the `Stage: ` prefixes, so each line goes
out in a single write() (atomic on a pipe below 4 KiB) and is flushed at once; workers
of a --parallel run share the parent's stderr and prefix their lines with `[gpu N] `.
"""

import sys


class StageLog:
    """Writes stage, info and error lines with an optional prefix.

    `stage(key, text)` prints only when the stage changes, so a stage that runs over
    several files in a row (models kept with --persistent-models) is announced once,
    and again after anything else (such as `Stage: Loading models`) came between.
    """

    def __init__(self, prefix="", stream=None):
        self.prefix = prefix
        self.stream = stream if stream is not None else sys.stderr
        self.last_stage = None

    def line(self, text):
        """Writes one line with the prefix and flushes it."""
        self.stream.write(f"{self.prefix}{text}\n")
        self.stream.flush()

    def stage(self, key, text):
        """Announces stage `key` with `text` unless it is already the current stage."""
        if key != self.last_stage:
            self.last_stage = key
            self.line(text)

    def info(self, text):
        """A free-form progress line (not a stage marker)."""
        self.line(text)

    def error(self, text):
        """The one-line `Error: ...` report."""
        self.line(f"Error: {text}")
