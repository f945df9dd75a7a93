"""Token ids for ESM-2 and the DNABERT-S stand-in, and batch padding."""

import unittest

from virnucsim import tokens


class EsmTokensTest(unittest.TestCase):
    def test_alphabet_matches_esm2(self):
        self.assertEqual(tokens.ESM_VOCAB_SIZE, 33)
        self.assertEqual(tokens.ESM_ALPHABET[:4], ["<cls>", "<pad>", "<eos>", "<unk>"])
        self.assertEqual(tokens.ESM_ALPHABET.index("L"), 4)
        self.assertEqual(tokens.ESM_ALPHABET.index("A"), 5)
        self.assertEqual(tokens.ESM_ALPHABET.index("C"), 23)
        self.assertEqual(tokens.ESM_MASK, 32)

    def test_cls_residues_eos(self):
        self.assertEqual(tokens.esm_tokens("LAC"), [0, 4, 5, 23, 2])
        self.assertEqual(tokens.esm_tokens("J"), [0, 3, 2])  # unknown -> <unk>

    def test_truncates_to_1024_residues(self):
        ids = tokens.esm_tokens("A" * 2000)
        self.assertEqual(len(ids), 1026)
        self.assertEqual(ids[-1], tokens.ESM_EOS)


class DnaTokensTest(unittest.TestCase):
    def test_five_mers_with_cls_and_sep(self):
        ids = tokens.dna_tokens("AAAAACCCCCTTTTT")
        self.assertEqual(ids[0], tokens.DNA_CLS)
        self.assertEqual(ids[-1], tokens.DNA_SEP)
        self.assertEqual(ids[1:-1], [5, 5 + 341, 5 + 1023])  # base-4 values 0, 0b0101010101, 1023

    def test_ids_in_vocab_and_distinct_tails(self):
        seq = "ACGTTGCAAGT"  # two 5-mers and a 1-base tail
        ids = tokens.dna_tokens(seq)
        self.assertEqual(len(ids), 2 + 3)
        self.assertTrue(all(0 <= i < tokens.DNA_VOCAB_SIZE for i in ids))
        tails = {tokens.dna_tokens(t)[1] for t in ("A", "C", "AA", "AAA", "AAAA", "TTTT")}
        self.assertEqual(len(tails), 6)
        full = {tokens.dna_tokens(k)[1] for k in ("AAAAA", "TTTTT")}
        self.assertFalse(tails & full)

    def test_other_letters_are_unknown(self):
        self.assertEqual(tokens.dna_tokens("ACGTN")[1], tokens.DNA_UNK)

    def test_token_count_and_cap(self):
        self.assertEqual(len(tokens.dna_tokens("A" * 300)), 62)
        self.assertEqual(len(tokens.dna_tokens("A" * 500)), 102)
        self.assertEqual(len(tokens.dna_tokens("A" * 5000)), tokens.DNA_MAX_TOKENS)


class CollateTest(unittest.TestCase):
    def test_pads_and_masks(self):
        ids, attention, pool = tokens.collate([[0, 7, 8, 2], [0, 9, 2]], pad_id=1, pool_specials=False)
        self.assertEqual(ids, [[0, 7, 8, 2], [0, 9, 2, 1]])
        self.assertEqual(attention, [[1, 1, 1, 1], [1, 1, 1, 0]])
        self.assertEqual(pool, [[0, 1, 1, 0], [0, 1, 0, 0]])

    def test_pool_over_all_real_tokens(self):
        _, attention, pool = tokens.collate([[1, 5, 2], [1, 2]], pad_id=3, pool_specials=True)
        self.assertEqual(pool, attention)


if __name__ == "__main__":
    unittest.main()
