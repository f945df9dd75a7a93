"""Log lines as VirNucPro's fork writes them, one flushed write per line.

The fork's main process logs to stdout through Python logging with the format
`%(asctime)s - %(name)s - %(levelname)s - %(message)s`; its pipeline telemetry
announces each of its nine stages as `=== Stage N: NAME ===` and closes it with
`  NAME completed in X.Xs`; its GPU workers log to stderr. StageLog writes the
same: records on `stream` (stdout in the parent, stderr in --parallel workers,
whose lines are prefixed `[gpu N] `), stage lines on `stage_stream` (stdout; None
for workers that do not announce stages). Each line is one write, atomic on a pipe.
"""

import sys
import time

# The fork's stage names (pipeline_telemetry.py), by virnucsim's stage keys.
STAGE_NAMES = {
    "chunking": "Sequence Chunking",
    "translate": "Six-Frame Translation",
    "nucleotide_split": "Nucleotide File Splitting",
    "protein_split": "Protein File Splitting",
    "dnabert": "DNABERT-S Feature Extraction",
    "esm": "ESM-2 Feature Extraction",
    "merge": "Feature Merging",
    "predict": "Model Prediction",
    "consensus": "Consensus Scoring",
}

LOGGER = "virnucpro.pipeline.prediction"
TELEMETRY = "virnucpro.pipeline.telemetry"


class StageLog:
    """Writes log records and the fork's stage lines.

    `stage(key)` announces a stage unless it is the current one, closing the one
    before; `finish()` closes the last. `next_stage` is the number the next
    announced stage gets (a worker of a --parallel run continues the parent's).
    """

    def __init__(self, prefix="", stream=None, stage_stream=None, name=LOGGER, next_stage=1, quiet=False):
        self.prefix = prefix
        self.stream = stream if stream is not None else sys.stdout
        self.stage_stream = stage_stream
        self.name = name
        self.next_stage = next_stage
        self.quiet = quiet
        self.last_stage = None
        self.began = 0.0
        self.times = []  # (name, seconds) of closed stages, for the summary

    def _write(self, stream, name, level, text, prefix=None):
        if self.quiet or stream is None:
            return
        prefix = self.prefix if prefix is None else prefix
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        stream.write("".join(f"{stamp} - {name} - {level} - {prefix}{line}\n" for line in text.split("\n")))
        stream.flush()

    def _telemetry(self, text):
        # Stage lines are the pipeline's, not a worker's: no prefix.
        self._write(self.stage_stream, TELEMETRY, "INFO", text, prefix="")

    def line(self, text):
        """An INFO record."""
        self._write(self.stream, self.name, "INFO", text)

    info = line

    def warn(self, text):
        self._write(self.stream, self.name, "WARNING", text)

    def error(self, text):
        """An ERROR record, as is."""
        self._write(self.stream, self.name, "ERROR", text)

    def stage(self, key, detail=None):
        """Announces stage `key` unless it is already the current stage; `detail`
        ("DNABERT-S features (batch 2048 tokens)") is logged as a record."""
        if key != self.last_stage:
            self.finish()
            self.last_stage, self.began = key, time.time()
            self._telemetry(f"=== Stage {self.next_stage}: {STAGE_NAMES[key]} ===")
            self.next_stage += 1
        if detail:
            self.info(detail.removeprefix("Stage: "))

    def finish(self, extra=""):
        """Closes the current stage: `  NAME completed in X.Xs [extra]`."""
        if self.last_stage is None:
            return
        name, seconds = STAGE_NAMES[self.last_stage], time.time() - self.began
        self.times.append((name, seconds))
        self._telemetry(f"  {name} completed in {seconds:.1f}s" + (f" [{extra}]" if extra else ""))
        self.last_stage = None

    def oom_banner(self, detail=""):
        """The fork's out-of-memory report (prediction.py), through logger.error."""
        bar = "=" * 60
        lines = [bar, "OUT OF MEMORY ERROR", bar] + ([detail] if detail else []) + [
            "\nSuggestions:",
            "  1. Reduce batch size: --esm-batch-size 1024 or --dnabert-batch-size 1024",
            "  2. Enable expandable segments: --expandable-segments",
            "  3. Increase cache clearing: --cache-clear-interval 50",
            "  4. Use fewer GPUs or process files sequentially",
            bar,
        ]
        for text in lines:
            self.error(text)

    def summary(self, total):
        """The fork's PIPELINE SUMMARY block."""
        bar = "=" * 80
        width = max([20] + [len(n) for n, _ in self.times])
        lines = ["", bar, "PIPELINE SUMMARY", bar, f"Total wall time: {_hms(total)} ({total:.1f}s)", "", "Stages:"]
        for i, (name, seconds) in enumerate(self.times, 1):
            pct = seconds / total * 100 if total > 0 else 0.0
            lines.append(f"  {i}. {name} {'.' * (width - len(name) + 4)}  {seconds:6.1f}s ({pct:5.1f}%)")
        lines.append(bar)
        for text in lines:
            self._telemetry(text)


def _hms(seconds):
    n = int(seconds)
    return f"{n // 3600:02d}:{n % 3600 // 60:02d}:{n % 60:02d}"
