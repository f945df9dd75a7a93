"""FASTA parsing: what it accepts and the one-line errors for what it does not."""

import os
import tempfile
import unittest

from virnucsim import fasta


class ParseTest(unittest.TestCase):
    def test_multi_line_records_and_ids(self):
        text = ">read1 some description\nACGT\nacgt\n\n>read2\r\nNNA C\r\n"
        self.assertEqual(fasta.parse_fasta(text.splitlines(True)),
                         [("read1", "ACGTACGT"), ("read2", "NNAC")])

    def test_empty_record_is_kept(self):
        self.assertEqual(fasta.parse_fasta([">a\n", ">b\n", "AC\n"]), [("a", ""), ("b", "AC")])

    def test_errors(self):
        cases = {
            "": "no FASTA records",
            "\n\n": "no FASTA records",
            "ACGT\n": ":1: expected a '>' header",
            ">\nACGT\n": ":1: header line has no sequence id",
            ">a\nAC1GT\n": ":2: invalid character '1'",
            ">a\nAC>GT\n": "invalid character '>'",
        }
        for text, message in cases.items():
            with self.assertRaises(fasta.FastaError) as caught:
                fasta.parse_fasta(text.splitlines(True), name="in.fa")
            self.assertIn(message, str(caught.exception), repr(text))
            self.assertNotIn("\n", str(caught.exception))


class ReadTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name, data):
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as out:
            out.write(data)
        return path

    def test_reads_a_file(self):
        path = self.path("ok.fa", b">x\nACGT\n")
        self.assertEqual(fasta.read_fasta(path), [("x", "ACGT")])

    def test_missing_file_and_directory(self):
        with self.assertRaisesRegex(fasta.FastaError, "no such file"):
            fasta.read_fasta(os.path.join(self.dir.name, "missing.fa"))
        with self.assertRaisesRegex(fasta.FastaError, "is a directory"):
            fasta.read_fasta(self.dir.name)

    def test_binary_file(self):
        path = self.path("bin.fa", b"\x1f\x8b\x08\x00\xff\xfe\xfa")
        with self.assertRaisesRegex(fasta.FastaError, "not a text FASTA"):
            fasta.read_fasta(path)


if __name__ == "__main__":
    unittest.main()
