"""Codon table, reverse complement, six-frame translation and VirNucPro's chunking."""

import unittest
from collections import Counter

from virnucsim import sequence


class CodonTableTest(unittest.TestCase):
    def test_has_the_64_codons_of_the_standard_code(self):
        self.assertEqual(len(sequence.CODON_TABLE), 64)
        counts = Counter(sequence.CODON_TABLE.values())
        self.assertEqual(counts["*"], 3)
        for aa, n in {"L": 6, "S": 6, "R": 6, "M": 1, "W": 1, "I": 3, "G": 4, "C": 2}.items():
            self.assertEqual(counts[aa], n, aa)
        self.assertEqual(len(counts), 21)  # 20 amino acids and the stop

    def test_known_codons(self):
        table = sequence.CODON_TABLE
        cases = {"ATG": "M", "TGG": "W", "TAA": "*", "TAG": "*", "TGA": "*", "TTT": "F",
                 "AAA": "K", "GGG": "G", "CCC": "P", "GCA": "A", "CAT": "H", "AGA": "R",
                 "AGC": "S", "ATA": "I", "GAT": "D", "GAG": "E", "TAT": "Y", "ACG": "T"}
        for codon, aa in cases.items():
            self.assertEqual(table[codon], aa, codon)

    def test_translates_a_known_sequence(self):
        # The classic example of Biopython's tutorial.
        dna = "ATGGCCATTGTAATGGGCCGCTGAAAGGGTGCCCGATAG"
        self.assertEqual(sequence.translate(dna), "MAIVMGR*KGAR*")

    def test_skips_codons_with_other_letters_and_partial_codons(self):
        self.assertEqual(sequence.translate("ATGNNNTGGAA"), "MW")
        self.assertEqual(sequence.translate("ATGAAAT", offset=1), "*N")


class ReverseComplementTest(unittest.TestCase):
    def test_reverse_complement(self):
        self.assertEqual(sequence.reverse_complement("ATGC"), "GCAT")
        self.assertEqual(sequence.reverse_complement("AACGTN"), "NACGTT")
        self.assertEqual(sequence.reverse_complement(""), "")

    def test_is_an_involution(self):
        dna = "ATGCGTACGTTAGCNNAT"
        self.assertEqual(sequence.reverse_complement(sequence.reverse_complement(dna)), dna)


class SixFramesTest(unittest.TestCase):
    DNA = "ATGAAATTTGGG"  # reverse complement: CCCAAATTTCAT

    def test_six_frames_in_order(self):
        frames = sequence.six_frames(self.DNA)
        self.assertEqual([f[0] for f in frames], ["F1", "F2", "F3", "R1", "R2", "R3"])
        self.assertEqual([f[3] for f in frames], ["MKFG", "*NL", "EIW", "PKFH", "PNF", "QIS"])

    def test_keeps_stop_free_frames_with_their_nucleotides(self):
        kept = sequence.stop_free_frames("r1_chunk_1", "r1", self.DNA)
        self.assertEqual([f.frame_id for f in kept],
                         ["r1_chunk_1F1", "r1_chunk_1F3", "r1_chunk_1R1", "r1_chunk_1R2", "r1_chunk_1R3"])
        by_id = {f.frame_id[-2:]: f for f in kept}
        self.assertEqual(by_id["F1"].nucleotide, "ATGAAATTTGGG")
        self.assertEqual(by_id["F3"].nucleotide, "GAAATTTGG")
        self.assertEqual(by_id["R1"].nucleotide, "CCCAAATTTCAT")
        self.assertEqual(by_id["R2"].nucleotide, "CCAAATTTC")
        self.assertEqual(by_id["R3"].protein, "QIS")
        for frame in kept:
            self.assertEqual(frame.chunk_id, "r1_chunk_1")
            self.assertEqual(frame.read_id, "r1")
            self.assertEqual(len(frame.nucleotide), 3 * len(frame.protein))

    def test_lower_case_is_translated(self):
        kept = sequence.stop_free_frames("c", "r", self.DNA.lower())
        self.assertEqual(len(kept), 5)

    def test_drops_empty_and_stopped_frames(self):
        self.assertEqual(sequence.stop_free_frames("c", "r", "AT"), [])
        stops = "TAATAATAA"  # F1 all stops; others translate
        ids = [f.frame_id for f in sequence.stop_free_frames("c", "r", stops)]
        self.assertNotIn("cF1", ids)
        self.assertTrue(all(not f.protein.count("*") for f in sequence.stop_free_frames("c", "r", stops)))


class ChunkingTest(unittest.TestCase):
    def test_edge_lengths_at_300(self):
        cases = {
            0: [],
            1: [(0, 1)],
            299: [(0, 299)],
            300: [(0, 300)],
            301: [(0, 300), (150, 301)],
            450: [(0, 300), (224, 450)],
            600: [(0, 300), (300, 600)],
            700: [(0, 300), (233, 533), (466, 700)],
        }
        for length, expected in cases.items():
            self.assertEqual(sequence.chunk_bounds(length, 300), expected, length)

    def test_surplus_spread_when_the_original_manages_to(self):
        bounds = sequence.chunk_bounds(2999, 300)
        self.assertEqual(len(bounds), 10)
        self.assertEqual(bounds[-1], (2699, 2999))
        self.assertTrue(all(end - start == 300 for start, end in bounds))

    def test_invariants_for_many_lengths(self):
        for size in (300, 500):
            for length in range(1, 3 * size + 7):
                bounds = sequence.chunk_bounds(length, size)
                self.assertEqual(len(bounds), -(-length // size))
                self.assertEqual(bounds[0][0], 0)
                self.assertEqual(bounds[-1][1], length)
                for start, end in bounds:
                    self.assertTrue(0 <= start < end <= length)
                    self.assertLessEqual(end - start, size)
                starts = [s for s, _ in bounds]
                self.assertEqual(starts, sorted(set(starts)))

    def test_chunk_ids_and_sequences(self):
        seq = "ACGT" * 150  # 600 bases
        chunks = sequence.chunk_read("read7", seq, 500)
        self.assertEqual([c[0] for c in chunks], ["read7_chunk_1", "read7_chunk_2"])
        self.assertEqual(chunks[0][1], seq[:500])
        self.assertEqual(chunks[1][1], seq[500 - 201 :])  # 600 at 500: surplus 400, shift 201

    def test_rejects_bad_size(self):
        with self.assertRaises(ValueError):
            sequence.chunk_bounds(10, 0)

    def test_translate_reads_counts_chunks(self):
        reads = [("a", "ATGAAATTTGGG" * 50), ("b", ""), ("c", "ATG")]
        chunks, frames = sequence.translate_reads(reads, 300)
        self.assertEqual(chunks, 3)  # a: 600 bp -> 2, b: none, c: 1
        self.assertEqual({f.read_id for f in frames}, {"a", "c"})


if __name__ == "__main__":
    unittest.main()
