"""Token-budget batching."""

import random
import unittest

from virnucsim import batching


class PlanTest(unittest.TestCase):
    def check_plan(self, lengths, budget):
        batches = batching.plan_batches(lengths, budget)
        flat = [i for batch in batches for i in batch]
        self.assertEqual(sorted(flat), list(range(len(lengths))))
        for batch in batches:
            sizes = [lengths[i] for i in batch]
            if len(batch) > 1:
                self.assertLessEqual(batching.padded_tokens(sizes), budget)
        ordered = [lengths[i] for i in flat]
        self.assertEqual(ordered, sorted(ordered, reverse=True))
        return batches

    def test_budget_respected_on_random_lengths(self):
        rng = random.Random(7)
        for _ in range(200):
            lengths = [rng.randint(1, 200) for _ in range(rng.randint(0, 60))]
            self.check_plan(lengths, rng.choice([50, 256, 1000, 3072]))

    def test_fills_batches_greedily(self):
        batches = self.check_plan([100] * 10, 300)
        self.assertEqual([len(b) for b in batches], [3, 3, 3, 1])

    def test_oversized_sequence_alone(self):
        batches = self.check_plan([5000, 10, 10], 100)
        self.assertEqual(batches[0], [0])
        self.assertEqual(batches[1], [1, 2])

    def test_padded_size_uses_the_longest(self):
        self.assertEqual(batching.padded_tokens([3, 10, 7]), 30)
        self.assertEqual(batching.padded_tokens([]), 0)
        batches = self.check_plan([10, 1, 1, 1], 30)
        self.assertEqual(batches, [[0, 1, 2], [3]])

    def test_rejects_bad_budget(self):
        with self.assertRaises(ValueError):
            batching.plan_batches([1], 0)


class FitTest(unittest.TestCase):
    def test_keeps_a_fitting_batch(self):
        self.assertEqual(batching.fit([4, 2], [1, 1, 5, 1, 5], 10), [[4, 2]])

    def test_splits_to_a_smaller_budget(self):
        lengths = [8] * 6
        parts = batching.fit([0, 1, 2, 3, 4, 5], lengths, 24)
        self.assertEqual(parts, [[0, 1, 2], [3, 4, 5]])
        self.assertEqual(batching.fit([0], lengths, 1), [[0]])


if __name__ == "__main__":
    unittest.main()
