"""The command line end to end, in subprocesses, without torch.

The real CLI is run for --help and for the errors that come before any model; the
whole pipeline (single and --parallel) runs through fake_cli, the real CLI and parent
with fakeworker in place of the torch worker.
"""

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

from virnucsim import results
from virnucsim.tests import fakeworker

WORKLOADS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = os.path.join(WORKLOADS, "virnucsim")
HAS_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None

# Three reads: 700 bp (3 chunks at 300), 250 bp (1 chunk), 2 bp (1 chunk, no frame).
READS = [
    ("readA", ("ATGGCCATTGTAATGGGCCGCAAAGGGTGCCCGATAGC" * 20)[:700]),
    ("readB", ("ACGTTGCAAGTCCATGGATCGATTGCA" * 10)[:250]),
    ("readC", "AC"),
]


def run(args, env=None, timeout=120, module="virnucsim"):
    environ = dict(os.environ, PYTHONPATH=WORKLOADS)
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", module] + args, capture_output=True, text=True,
                          env=environ, timeout=timeout)


def write_fasta(folder, reads=READS, name="in.fa"):
    path = os.path.join(folder, name)
    with open(path, "w") as out:
        for read_id, seq in reads:
            out.write(f">{read_id} a description\n")
            for i in range(0, len(seq), 60):
                out.write(seq[i : i + 60] + "\n")
    return path


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - ([\w.]+) - ([A-Z]+) - (.*)$")


def records(text):
    """The log records of an output, as (level, message), in the fork's format."""
    out = []
    for line in text.splitlines():
        match = LOG_RECORD.match(line)
        if match:
            out.append((match.group(2), match.group(3)))
    return out


def messages(text):
    return [message for _, message in records(text)]


def stage_lines(text):
    """The fork's stage lines: "N: NAME"."""
    return [m[len("=== Stage "):-len(" ===")] for m in messages(text) if m.startswith("=== Stage ")]


FORK_STAGES = ["1: Sequence Chunking", "2: Six-Frame Translation", "3: Nucleotide File Splitting",
               "4: Protein File Splitting", "5: DNABERT-S Feature Extraction", "6: ESM-2 Feature Extraction",
               "7: Feature Merging", "8: Model Prediction", "9: Consensus Scoring"]


def write_config(folder, per_file):
    path = os.path.join(folder, "config.yaml")
    with open(path, "w") as out:
        out.write(f"version: \"2.0.0\"\nprediction:\n  batch_size: 256  # ignored\n  sequences_per_file: {per_file}\n")
    return path


def rows(path):
    with open(path) as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


class HelpAndErrorsTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def test_help_says_it_is_a_stand_in(self):
        for args in (["--help"], ["predict", "--help"]):
            done = run(args)
            self.assertEqual(done.returncode, 0, done.stderr)
            text = " ".join(done.stdout.split())
            self.assertIn("performance stand-in", text)
            self.assertIn("RANDOM weights from a fixed seed", text)
            self.assertIn("not a classifier", text)

    def test_help_through_the_script_path(self):
        done = subprocess.run([sys.executable, os.path.join(PACKAGE, "__main__.py"), "predict", "--help"],
                              capture_output=True, text=True, timeout=60, cwd=self.dir)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("--persistent-models", done.stdout)

    def assert_one_error_line(self, done, pattern):
        """Exit 1 and one ERROR record on stdout, as the fork logs a failure."""
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        errors = [m for level, m in records(done.stdout) if level == "ERROR"]
        self.assertEqual(len(errors), 1, done.stdout)
        self.assertRegex(errors[0], "^Prediction failed: " + pattern)

    def test_bad_fasta_exits_1_with_one_line(self):
        path = os.path.join(self.dir, "bad.fa")
        with open(path, "w") as out:
            out.write("ACGT\n>x\nACGT\n")
        self.assert_one_error_line(run(["predict", path, "-o", os.path.join(self.dir, "out")]),
                                   re.escape(path) + ":1: expected a '>' header")

    def test_missing_input_is_a_usage_error(self):
        missing = os.path.join(self.dir, "missing.fa")
        done = run(["predict", missing, "-o", self.dir])
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stdout, "")
        self.assertEqual(done.stderr, "Usage: virnucsim predict [OPTIONS] INPUT_FILE\nTry 'virnucsim predict --help' for help.\n\n"
                                      f"Error: Invalid value for 'INPUT_FILE': Path '{missing}' does not exist.\n")

    def test_usage_errors_exit_2(self):
        path = write_fasta(self.dir)
        for extra in (["--gpus", "x"], ["--gpus", "0,0"], ["--parallel", "--device", "cpu"],
                      ["--esm-hidden", "1001"], ["--model-type", "400"], ["--esm-batch-size", "0"]):
            done = run(["predict", path, "-o", self.dir] + extra)
            self.assertEqual(done.returncode, 2, (extra, done.stderr))
        self.assertEqual(run([]).returncode, 2)

    @unittest.skipIf(HAS_TORCH, "torch and transformers are installed here")
    def test_without_torch_one_line_after_the_input_checks(self):
        path = write_fasta(self.dir)
        self.assert_one_error_line(run(["predict", path, "-o", os.path.join(self.dir, "out")]),
                                   ".*not installed; virnucsim needs torch and transformers")


class PipelineTest(unittest.TestCase):
    """The parent end to end with fakeworker."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.input = write_fasta(self.dir)

    def predict(self, out, extra, env=None, config=None):
        args = (["-c", config] if config else []) + ["predict", self.input, "-o", out, "--model-type", "300"] + extra
        return run(args, env=env, module="virnucsim.tests.fake_cli")

    def test_single_gpu_run(self):
        out = os.path.join(self.dir, "single")
        done = self.predict(out, [], config=write_config(self.dir, 4))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(stage_lines(done.stdout), FORK_STAGES)
        self.assertEqual(stage_lines(done.stderr), [])
        said = messages(done.stdout)
        for text in ("Loaded configuration from", "Loading models", "DNABERT-S features (batch 2048 tokens)",
                     "  ESM-2 Feature Extraction completed in ", "Translation complete: processed 5 sequences in ",
                     "PIPELINE SUMMARY"):
            self.assertTrue(any(m.startswith(text) for m in said), (text, said))
        self.assertIn("  Nucleotide File Splitting completed in 0.0s [files: 4]", said)  # 15 frames, 4 a file
        tail = said[-4:]
        self.assertRegex(tail[0], r"^Done: 3 sequences, 5 chunks in \d+\.\d\d s \(\d+\.\d seq/s\)$")
        self.assertEqual(tail[1:], ["Peak memory: 3072.0 MiB allocated, 4096.0 MiB reserved",
                                    "Allocator efficiency: 75.0%", "Prediction completed successfully!"])
        self.assertFalse(os.path.exists(os.path.join(out, results.WORK_DIR)))
        self.check_results(out)

    def check_results(self, out):
        frames = rows(os.path.join(out, results.PREDICTIONS_FILE))
        self.assertEqual(frames[0], ["Sequence_ID", "Prediction", "score1", "score2"])
        ids = [r[0] for r in frames[1:]]
        self.assertTrue(ids)
        self.assertTrue(all(re.fullmatch(r"read[AB]_chunk_\d[FR][123]", i) for i in ids), ids)
        self.assertEqual(ids, sorted(ids, key=lambda i: (i[:5], int(i.split("_chunk_")[1][:-2]), ids.index(i))))
        chunks = rows(os.path.join(out, results.HIGHEST_SCORE_FILE))
        self.assertEqual(chunks[0], ["Modified_ID", "Is_Virus", "max_score_0", "max_score_1"])
        self.assertEqual([r[0] for r in chunks[1:]], sorted({i[:-2] for i in ids}))
        for chunk_id, is_virus, max0, max1 in chunks[1:]:
            mine = [r for r in frames[1:] if r[0][:-2] == chunk_id]
            self.assertEqual(float(max0), max(float(r[2]) for r in mine))
            self.assertEqual(float(max1), max(float(r[3]) for r in mine))
            self.assertEqual(is_virus, str(float(max1) >= float(max0)))
        per_read = rows(os.path.join(out, results.PER_READ_FILE))
        self.assertEqual([r[0] for r in per_read[1:]], ["readA", "readB"])
        return frames

    def test_parallel_run_matches_single(self):
        single, multi = os.path.join(self.dir, "single"), os.path.join(self.dir, "multi")
        self.assertEqual(self.predict(single, []).returncode, 0)
        done = self.predict(multi, ["--parallel", "--gpus", "0,1"], config=write_config(self.dir, 3))
        self.assertEqual(done.returncode, 0, done.stderr)
        # The stages on stdout, once each (the first worker announces 5 to 8);
        # the workers' own records on stderr, prefixed.
        self.assertEqual(stage_lines(done.stdout), FORK_STAGES)
        for gpu in (0, 1):
            mine = [m for m in messages(done.stderr) if m.startswith(f"[gpu {gpu}] ")]
            self.assertEqual([m.split("] ", 1)[1].split(" (")[0] for m in mine], [
                "Loading models", "DNABERT-S features", "ESM-2 features", "Merging features to 3328-d",
                "Predicting with MLP"])
        tail = messages(done.stdout)[-6:]
        self.assertTrue(tail[0].startswith("Done: 3 sequences, 5 chunks in "), tail)
        self.assertTrue(tail[1].startswith("[gpu 0] GPU memory at peak: 3072.0 MiB allocated"), tail)
        self.assertTrue(tail[2].startswith("[gpu 1] GPU memory at peak: 4096.0 MiB allocated"), tail)
        self.assertEqual(tail[3:], ["Peak memory: 4096.0 MiB allocated, 5120.0 MiB reserved",
                                    "Allocator efficiency: 80.0%", "Prediction completed successfully!"])
        for name in (results.PREDICTIONS_FILE, results.HIGHEST_SCORE_FILE, results.PER_READ_FILE):
            self.assertEqual(rows(os.path.join(single, name)), rows(os.path.join(multi, name)), name)

    def test_worker_oom_makes_the_parent_exit_4_and_stops_the_others(self):
        started = time.time()
        done = self.predict(os.path.join(self.dir, "oom"), ["--parallel", "--gpus", "0,1"],
                            env={fakeworker.FAIL_VARIABLE: "oom:1"})
        self.assertEqual(done.returncode, 4, done.stderr)
        self.assertIn(("ERROR", "[gpu 1] torch.OutOfMemoryError: CUDA out of memory at the smallest batch size (123 tokens)"),
                      records(done.stderr))
        self.assertIn(("ERROR", "OUT OF MEMORY ERROR"), records(done.stdout))  # the fork's banner, on stdout
        self.assertNotIn("Done:", done.stdout)
        self.assertLess(time.time() - started, 60)

    def test_a_crash_exits_1_and_stops_a_hanging_worker(self):
        started = time.time()
        env = {fakeworker.FAIL_VARIABLE: "hang:0,crash:1"}
        done = self.predict(os.path.join(self.dir, "crash"), ["--parallel", "--gpus", "0,1"], env=env)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(("ERROR", "[gpu 1] RuntimeError: simulated crash with a second line"), records(done.stderr))
        self.assertIn(("ERROR", "Prediction failed: a worker failed (exit 1)"), records(done.stdout))
        self.assertNotIn("Traceback", done.stderr)
        self.assertLess(time.time() - started, 60)  # gpu 0 sleeps 120 s unless stopped

    def test_cpu_run_has_no_memory_lines(self):
        done = self.predict(os.path.join(self.dir, "cpu"), ["--device", "cpu"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(messages(done.stdout)[-2].startswith("Done: "), done.stdout)

    def test_pure_modules_do_not_import_torch(self):
        code = ("import sys, virnucsim.cli, virnucsim.pipeline, virnucsim.parallel, virnucsim.report; "
                "print('torch' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=WORKLOADS), timeout=60)
        self.assertEqual(done.stdout.strip(), "False", done.stderr)


if __name__ == "__main__":
    unittest.main()
