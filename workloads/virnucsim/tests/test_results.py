"""Work files and the result files, with VirNucPro's columns."""

import os
import tempfile
import unittest

from virnucsim import results
from virnucsim.consensus import Prediction, by_chunk, by_read, chunks_per_read
from virnucsim.sequence import Frame


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


class ResultsTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def test_work_file_round_trip(self):
        frames = [Frame("a_chunk_1F1", "a_chunk_1", "a", "ATGAAA", "MK"),
                  Frame("a_chunk_1R2", "a_chunk_1", "a", "CCC", "P")]
        path = os.path.join(self.dir, "w.tsv")
        results.write_work_file(path, frames)
        self.assertEqual(results.read_work_file(path), [("a_chunk_1F1", "ATGAAA", "MK"), ("a_chunk_1R2", "CCC", "P")])

    def test_scores_keep_every_digit(self):
        path = os.path.join(self.dir, "s.tsv")
        scores = [("f1", 0.1234567890123, 1 - 0.1234567890123)]
        results.write_scores(path, scores)
        self.assertEqual(results.read_scores(path), scores)

    def test_malformed_rows_are_refused(self):
        path = os.path.join(self.dir, "bad.tsv")
        with open(path, "w") as out:
            out.write("only-one-field\n")
        with self.assertRaisesRegex(ValueError, "expected 3 fields"):
            results.read_scores(path)

    def test_result_files(self):
        predictions = [Prediction("r_chunk_1F1", "r_chunk_1", "r", 0.25, 0.75),
                       Prediction("r_chunk_1R1", "r_chunk_1", "r", 0.875, 0.125)]
        per_frame = os.path.join(self.dir, results.PREDICTIONS_FILE)
        per_chunk = os.path.join(self.dir, results.HIGHEST_SCORE_FILE)
        per_read = os.path.join(self.dir, results.PER_READ_FILE)
        results.write_prediction_results(per_frame, predictions)
        results.write_highest_scores(per_chunk, by_chunk(predictions))
        results.write_read_calls(per_read, by_read(predictions), chunks_per_read(predictions))
        self.assertEqual(read_lines(per_frame), [
            ["Sequence_ID", "Prediction", "score1", "score2"],
            ["r_chunk_1F1", "virus", "0.250000", "0.750000"],
            ["r_chunk_1R1", "others", "0.875000", "0.125000"],
        ])
        self.assertEqual(read_lines(per_chunk), [
            ["Modified_ID", "Is_Virus", "max_score_0", "max_score_1"],
            ["r_chunk_1", "False", "0.875000", "0.750000"],
        ])
        self.assertEqual(read_lines(per_read), [
            ["Sequence_ID", "Is_Virus", "max_score_0", "max_score_1", "chunks"],
            ["r", "False", "0.875000", "0.750000", "1"],
        ])
        self.assertEqual([n for n in os.listdir(self.dir) if n.endswith(".tmp")], [])


if __name__ == "__main__":
    unittest.main()
