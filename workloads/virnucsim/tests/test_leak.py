"""The leak on purpose (--leak-per-esm-batch), without torch."""

import os
import tempfile
import unittest

from virnucsim import cli, pipeline
from virnucsim.leak import Leak


class LeakTest(unittest.TestCase):
    def test_keeps_one_block_a_batch_while_active(self):
        cases = [
            # (MiB a batch, batches while active, batches while inactive, bytes held)
            (64, 20, 5, 20 * 64 << 20),
            (1, 3, 0, 3 << 20),
            (0, 10, 0, 0),
            (64, 0, 7, 0),
        ]
        for mib, active, inactive, held in cases:
            with self.subTest(mib=mib, active=active, inactive=inactive):
                sizes = []
                leak = Leak(mib, lambda nbytes: sizes.append(nbytes) or bytearray(1))
                for _ in range(inactive):
                    leak.after_batch()
                leak.active = True
                for _ in range(active):
                    leak.after_batch()
                leak.active = False
                for _ in range(inactive):
                    leak.after_batch()
                self.assertEqual(leak.held, held)
                self.assertEqual(sum(sizes), held)
                self.assertEqual(len(leak.kept), len(sizes))

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.input = os.path.join(tmp.name, "in.fa")  # INPUT_FILE must exist, as click checks it
        with open(self.input, "w") as out:
            out.write(">r\nACGT\n")

    def test_flag_reaches_the_job(self):
        args = cli.parse_args(["predict", self.input, "-o", "out", "--leak-per-esm-batch", "64"])
        self.assertEqual(args.leak_per_esm_batch, 64)
        self.assertEqual(pipeline._job(args, 0, [], "work").leak_per_esm_batch, 64)
        self.assertEqual(cli.parse_args(["predict", self.input, "-o", "out"]).leak_per_esm_batch, 0)

    def test_negative_is_a_usage_error(self):
        with self.assertRaises(cli.UsageError) as caught:  # exit 2, in click's words
            cli.parse_args(["predict", self.input, "-o", "out", "--leak-per-esm-batch", "-1"])
        self.assertIn("must be at least 0, got -1", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
