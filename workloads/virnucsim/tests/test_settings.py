"""Model size presets, allocator configuration, closing report lines."""

import unittest

from virnucsim import job, presets, report


class PresetsTest(unittest.TestCase):
    def test_full_is_the_real_shapes(self):
        shapes = presets.resolve("full")
        self.assertEqual(shapes["esm"], presets.Shape(36, 2560, 40, 10240))
        self.assertEqual(shapes["bert"], presets.Shape(12, 768, 12, 3072))
        self.assertEqual(presets.MERGED_WIDTH, 3328)

    def test_small_and_tiny(self):
        self.assertEqual(presets.resolve("small")["esm"], presets.Shape(6, 1280, 20, 5120))
        self.assertEqual(presets.resolve("small")["bert"].layers, 4)
        tiny = presets.resolve("tiny")
        self.assertEqual((tiny["esm"].layers, tiny["esm"].hidden, tiny["esm"].heads), (2, 320, 20))

    def test_overrides(self):
        shapes = presets.resolve("full", esm_layers=3, esm_hidden=5120)
        self.assertEqual(shapes["esm"], presets.Shape(3, 5120, 80, 20480))
        self.assertEqual(presets.resolve("tiny", esm_hidden=640)["esm"], presets.Shape(2, 640, 40, 2560))
        self.assertEqual(presets.resolve("small", esm_hidden=1000)["esm"].heads, 20)

    def test_bad_overrides(self):
        for kwargs in ({"esm_hidden": 1001}, {"esm_layers": 0}, {"esm_hidden": 20 * 3}):
            with self.assertRaises(presets.PresetError, msg=kwargs):
                presets.resolve("full", **kwargs)
        with self.assertRaises(presets.PresetError):
            presets.resolve("huge")

    def test_round_trip_through_dicts(self):
        shapes = presets.resolve("small")
        self.assertEqual(presets.shapes_from_dict(presets.shapes_to_dict(shapes)), shapes)


class AllocatorConfTest(unittest.TestCase):
    def test_sets_expandable_segments_and_keeps_other_options(self):
        self.assertEqual(job.with_expandable_segments(""), "expandable_segments:True")
        self.assertEqual(job.with_expandable_segments("max_split_size_mb:128, expandable_segments:False"),
                         "max_split_size_mb:128,expandable_segments:True")

    def test_environment(self):
        env = {}
        job.apply_expandable_segments(env)
        self.assertEqual(env, {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True"})
        env = {"PYTORCH_ALLOC_CONF": "garbage_collection_threshold:0.6"}
        job.apply_expandable_segments(env)
        self.assertEqual(env["PYTORCH_ALLOC_CONF"], "garbage_collection_threshold:0.6,expandable_segments:True")
        self.assertEqual(env["PYTORCH_CUDA_ALLOC_CONF"], "expandable_segments:True")


class ReportTest(unittest.TestCase):
    GIB = 1 << 30

    def test_done_line(self):
        self.assertEqual(report.done_line(100, 250, 4.0), "Done: 100 sequences, 250 chunks in 4.00 s (25.0 seq/s)")

    def test_memory_lines(self):
        self.assertEqual(report.memory_lines(3 * self.GIB, 4 * self.GIB), [
            "Peak memory: 3072.0 MiB allocated, 4096.0 MiB reserved",
            "Allocator efficiency: 75.0%",
        ])

    def test_single_closing_lines(self):
        summary = {"gpu": 0, "peak_allocated": self.GIB, "peak_reserved": 2 * self.GIB}
        lines = report.closing_lines(10, 20, 2.0, [summary], parallel=False)
        self.assertEqual(lines, ["Done: 10 sequences, 20 chunks in 2.00 s (5.0 seq/s)",
                                 "Peak memory: 1024.0 MiB allocated, 2048.0 MiB reserved",
                                 "Allocator efficiency: 50.0%"])
        self.assertEqual(report.closing_lines(1, 1, 1.0, [{"gpu": None}], parallel=False)[1:], [])

    def test_parallel_closing_lines(self):
        summaries = [{"gpu": 0, "peak_allocated": 3 * self.GIB, "peak_reserved": 4 * self.GIB},
                     {"gpu": 1, "peak_allocated": 2 * self.GIB, "peak_reserved": 8 * self.GIB}]
        lines = report.closing_lines(10, 20, 1.0, summaries, parallel=True)
        self.assertTrue(lines[0].startswith("Done: 10 sequences, 20 chunks in "))
        self.assertEqual(lines[1], "[gpu 0] GPU memory at peak: 3072.0 MiB allocated, 4096.0 MiB reserved, "
                                   "allocator efficiency 75.0%")
        self.assertTrue(lines[2].startswith("[gpu 1] GPU memory at peak: 2048.0 MiB allocated"))
        self.assertEqual(lines[3:], ["Peak memory: 3072.0 MiB allocated, 8192.0 MiB reserved",
                                     "Allocator efficiency: 37.5%"])
        first = "\n".join(lines).split("Peak memory: ")[1]
        self.assertTrue(first.startswith("3072.0 MiB allocated, 8192.0"))  # what a scenario matches first


if __name__ == "__main__":
    unittest.main()
