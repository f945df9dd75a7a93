"""Splitting work over workers and files, and the parent's exit code."""

import unittest

from virnucsim import parallel


class SplitTest(unittest.TestCase):
    def test_split_even(self):
        self.assertEqual(parallel.split_even(10, 3), [(0, 4), (4, 7), (7, 10)])
        self.assertEqual(parallel.split_even(2, 4), [(0, 1), (1, 2), (2, 2), (2, 2)])
        self.assertEqual(parallel.split_even(0, 2), [(0, 0), (0, 0)])
        for count in range(0, 50):
            for parts in range(1, 9):
                ranges = parallel.split_even(count, parts)
                sizes = [end - start for start, end in ranges]
                self.assertEqual(sum(sizes), count)
                self.assertLessEqual(max(sizes) - min(sizes), 1)
                self.assertEqual(ranges[0][0], 0)
                self.assertTrue(all(a[1] == b[0] for a, b in zip(ranges, ranges[1:])))

    def test_split_files(self):
        self.assertEqual(parallel.split_files(5, 30, 10), [(5, 15), (15, 25), (25, 30)])
        self.assertEqual(parallel.split_files(3, 3, 10), [])
        with self.assertRaises(ValueError):
            parallel.split_files(0, 1, 0)


class ExitCodeTest(unittest.TestCase):
    def test_combined_exit_code(self):
        self.assertEqual(parallel.combined_exit_code([0, 0]), 0)
        self.assertEqual(parallel.combined_exit_code([0, 1]), 1)
        self.assertEqual(parallel.combined_exit_code([1, 4]), 4)
        self.assertEqual(parallel.combined_exit_code([130, 130]), 130)
        self.assertEqual(parallel.combined_exit_code([130, 1]), 1)


if __name__ == "__main__":
    unittest.main()
