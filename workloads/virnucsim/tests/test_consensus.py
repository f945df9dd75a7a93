"""Consensus over frames: the highest score per class, per chunk and per read."""

import unittest

from virnucsim.consensus import Prediction, by_chunk, by_read, chunks_per_read, frame_label


def p(frame_id, s0, s1):
    chunk = frame_id[:-2]
    read = chunk.rsplit("_chunk_", 1)[0]
    return Prediction(frame_id, chunk, read, s0, s1)


class ConsensusTest(unittest.TestCase):
    PREDICTIONS = [
        p("r2_chunk_1F1", 0.9, 0.1),
        p("r2_chunk_1R2", 0.3, 0.7),  # the best virus score of this chunk
        p("r1_chunk_2F3", 0.6, 0.4),
        p("r1_chunk_1F1", 0.8, 0.2),
        p("r1_chunk_1R1", 0.95, 0.05),
    ]

    def test_per_chunk_takes_the_max_of_each_score(self):
        calls = {c.group_id: c for c in by_chunk(self.PREDICTIONS)}
        chunk = calls["r2_chunk_1"]
        self.assertEqual((chunk.max_score_0, chunk.max_score_1, chunk.frames), (0.9, 0.7, 2))
        self.assertFalse(chunk.is_virus)  # 0.7 < 0.9
        self.assertEqual((calls["r1_chunk_1"].max_score_0, calls["r1_chunk_1"].max_score_1), (0.95, 0.2))

    def test_per_chunk_sorted_like_pandas_groupby(self):
        self.assertEqual([c.group_id for c in by_chunk(self.PREDICTIONS)],
                         ["r1_chunk_1", "r1_chunk_2", "r2_chunk_1"])

    def test_virus_wins_ties(self):
        (call,) = by_chunk([p("x_chunk_1F1", 0.5, 0.5)])
        self.assertTrue(call.is_virus)

    def test_per_read_over_all_chunks_in_input_order(self):
        calls = by_read(self.PREDICTIONS)
        self.assertEqual([c.group_id for c in calls], ["r2", "r1"])
        r1 = calls[1]
        self.assertEqual((r1.max_score_0, r1.max_score_1, r1.frames), (0.95, 0.4, 3))
        self.assertEqual(chunks_per_read(self.PREDICTIONS), {"r2": 1, "r1": 2})

    def test_frame_label(self):
        self.assertEqual(frame_label(0.2, 0.8), "virus")
        self.assertEqual(frame_label(0.8, 0.2), "others")
        self.assertEqual(frame_label(0.5, 0.5), "others")


if __name__ == "__main__":
    unittest.main()
