"""The fork's command line as virnucsim takes it: global options before predict,
click's usage errors, the prompt on an existing output folder, the configuration
file and the log streams. Through fake_cli (no torch)."""

import os
import subprocess
import sys
import tempfile
import unittest

from virnucsim import cli
from virnucsim.tests.test_cli import FORK_STAGES, WORKLOADS, messages, records, run, stage_lines, write_config, write_fasta


def fake(args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "virnucsim.tests.fake_cli"] + args, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=WORKLOADS), timeout=timeout,
                          input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


class ForkCommandLine(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.input = write_fasta(self.dir)

    def test_usage_errors_are_clicks(self):
        cases = [
            (["predict", self.input, "--sequences-per-file", "4"], "Error: No such option '--sequences-per-file'."),
            (["predict", self.input, "-c", "x.yaml"], "Error: No such option '-c'."),
            (["--bogus", "predict", self.input], "Error: No such option '--bogus'."),
            (["train"], "Error: No such command 'train'."),
            ([], "Error: Missing command."),
            (["-c", "/nonexistent.yaml", "predict", self.input],
             "Error: Invalid value for '--config' / '-c': Path '/nonexistent.yaml' does not exist."),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                done = run(args)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertEqual(done.stdout, "")
                self.assertTrue(done.stderr.startswith("Usage: virnucsim "), done.stderr)
                self.assertIn("\nTry 'virnucsim ", done.stderr)
                self.assertTrue(done.stderr.endswith("\n\n" + want + "\n"), done.stderr)

    def test_the_forks_options_are_taken(self):
        args = cli.parse_args(["-v", "predict", self.input, "-f", "--resume", "-m", "custom", "-p", "m.pth", "-d", "cuda:1",
                               "-b", "64", "-w", "2", "-k", "--no-progress", "--v1-fallback", "-t", "4",
                               "--skip-checkpoint-validation", "--pin-memory", "--dataloader-workers", "3", "--quiet",
                               "--cache-clear-interval", "50", "--gpus", "0,1", "--no-persistent-models"])
        self.assertTrue(args.force and args.resume and args.parallel and args.globals["verbose"])
        self.assertEqual((args.model_type, args.device, args.cache_clear_interval), (500, "cuda", 50))
        self.assertEqual(args.output, "in_predictions")

    def test_existing_output_folder(self):
        out = os.path.join(self.dir, "out")
        os.makedirs(out)
        for name, stdin, extra, code, want in [
            # The answer's record follows the prompt on its line, as in the fork.
            ("closed stdin aborts", None, [], 1, " - ERROR - Prediction failed: \n"),
            ("yes runs", "y\n", [], 0, " - INFO - Prediction completed successfully!\n"),
            ("no cancels", "n\n", [], 0, " - INFO - Prediction cancelled by user\n"),
            ("--force runs", None, ["--force"], 0, " - INFO - Prediction completed successfully!\n"),
        ]:
            with self.subTest(name):
                done = fake(["predict", self.input, "-o", out, "--model-type", "300"] + extra, stdin=stdin)
                self.assertEqual(done.returncode, code, done.stdout + done.stderr)
                self.assertIn(want, done.stdout)
                if not extra:
                    self.assertIn(f"Output directory {out} exists. Overwrite? [y/N]: ", done.stdout)

    def test_config_sets_files_and_bad_config_fails(self):
        good = fake(["-c", write_config(self.dir, 2), "predict", self.input, "-o", os.path.join(self.dir, "a"), "--model-type", "300"])
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertIn("  Protein File Splitting completed in 0.0s [files: 8]", messages(good.stdout))
        bad = os.path.join(self.dir, "bad.yaml")
        with open(bad, "w") as out:
            out.write("prediction:\n  sequences_per_file: many\n")
        done = fake(["-c", bad, "predict", self.input, "-o", os.path.join(self.dir, "b")])
        self.assertEqual(done.returncode, 1)
        self.assertTrue(any(m.startswith("Failed to load configuration: ") for m in messages(done.stdout)), done.stdout)

    def test_quiet_prints_no_log(self):
        done = fake(["-q", "predict", self.input, "-o", os.path.join(self.dir, "q"), "--model-type", "300"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "")

    def test_stage_lines_only_on_stdout(self):
        done = fake(["predict", self.input, "-o", os.path.join(self.dir, "s"), "--gpus", "0,1", "--model-type", "300"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(stage_lines(done.stdout), FORK_STAGES)
        self.assertEqual(stage_lines(done.stderr), [])


if __name__ == "__main__":
    unittest.main()
