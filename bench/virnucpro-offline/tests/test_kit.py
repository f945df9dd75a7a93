"""Tests of the offline kit without a GPU. Third-party source (fair-esm
v2.0.0, the fork, MAGICS-LAB/DNABERT_S, Biopython) is looked for under
$VIRNUCPRO_THIRDPARTY (default: .thirdparty at the repository root); tests
that need what is absent are skipped, as are those needing PyTorch.

  python3 -m unittest discover -s bench/virnucpro-offline/tests -t bench/virnucpro-offline
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
KIT = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(KIT))
THIRD = os.environ.get("VIRNUCPRO_THIRDPARTY", os.path.join(ROOT, ".thirdparty"))
ESM_SRC = os.path.join(THIRD, "esm")
FORK_SRC = os.path.join(THIRD, "virnucpro-broad")
DNABERT_CODE = os.path.join(THIRD, "DNABERT_S", "evaluate", "model_codes")
BIO_SRC = os.path.join(THIRD, "biopython")
sys.path.insert(0, KIT)

HAVE_TORCH = importlib.util.find_spec("torch") is not None
# Bio.SeqIO imports NumPy (its TwoBit reader); the device has it beside PyTorch.
HAVE_NUMPY = importlib.util.find_spec("numpy") is not None


def need(path):
    return unittest.skipUnless(os.path.isdir(path), f"{path} not fetched")


@unittest.skipUnless(HAVE_TORCH, "PyTorch not installed")
@need(ESM_SRC)
class ESMCheckpoint(unittest.TestCase):
    """fair-esm's own loader takes the kit's checkpoint from torch.hub's cache."""

    def setUp(self):
        sys.path.insert(0, ESM_SRC)
        import torch
        self.torch = torch
        self.home = tempfile.mkdtemp()
        self.old_hub = torch.hub.get_dir()
        torch.hub.set_dir(os.path.join(self.home, "hub"))

    def tearDown(self):
        self.torch.hub.set_dir(self.old_hub)
        sys.path.remove(ESM_SRC)

    def test_shapes_are_fair_esms(self):
        import esm_weights
        from esm.model.esm2 import ESM2
        import esm
        for layers, dim, heads in [(2, 64, 4), (3, 80, 5)]:
            model = ESM2(num_layers=layers, embed_dim=dim, attention_heads=heads,
                         alphabet=esm.data.Alphabet.from_architecture("ESM-1b"))
            want = {k: tuple(v.shape) for k, v in model.state_dict().items() if not k.startswith("contact_head")}
            self.assertEqual(esm_weights.shapes(layers, dim, heads), want)

    def test_loads_through_esm_pretrained_and_runs_in_fp16_range(self):
        import esm_weights
        import esm
        esm_weights.write_checkpoint(self.home, "esm2_t36_3B_UR50D", 4, 64, 4)
        model, alphabet = esm.pretrained.esm2_t36_3B_UR50D()  # strict: every key, regression included
        self.assertEqual(model.num_layers, 4)
        _, _, tokens = alphabet.get_batch_converter()([("p1", "MKTAYIAKQRQISFVKSHFSRQ"), ("p2", "MVLSPADKTNVKAAW")])
        with self.torch.no_grad():
            rep = model.half().float()(tokens, repr_layers=[4])["representations"][4]
        self.assertEqual(tuple(rep.shape), (2, tokens.shape[1], 64))
        self.assertTrue(self.torch.isfinite(rep).all())
        self.assertLess(rep.abs().max().item(), 6e4)  # inside fp16's range

    def test_real_architecture_is_named(self):
        import esm_weights
        layers, dim, heads = esm_weights.ARCHITECTURES["esm2_t36_3B_UR50D"]
        n = sum(_prod(s) for k, s in esm_weights.shapes(layers, dim, heads).items() if k != "lm_head.weight")
        self.assertAlmostEqual(n / 1e9, 2.84, delta=0.02)  # fair-esm's 3B model


def _prod(shape):
    out = 1
    for s in shape:
        out *= s
    return out


@unittest.skipUnless(HAVE_TORCH, "PyTorch not installed")
@need(FORK_SRC)
class Classifier(unittest.TestCase):
    """The fork's predictor unpickles the kit's classifier with its own class."""

    def test_the_forks_loader_takes_it(self):
        import torch
        import classifier
        path = os.path.join(tempfile.mkdtemp(), "500_model.pth")
        classifier.write(path)
        code = (
            "import sys, torch\n"
            f"sys.path.insert(0, {FORK_SRC!r})\n"
            "from virnucpro.pipeline.models import MLPClassifier\n"
            "sys.modules['__main__'].MLPClassifier = MLPClassifier\n"
            f"m = torch.load({path!r}, map_location='cpu', weights_only=False)\n"
            "assert type(m) is MLPClassifier, type(m)\n"
            "m.eval(); y = m(torch.randn(5, 3328))\n"
            "print(tuple(y.shape), bool(torch.isfinite(y).all()))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "(5, 2) True")

    def test_pickled_under_main(self):
        import classifier
        path = os.path.join(tempfile.mkdtemp(), "m.pth")
        classifier.write(path)
        code = f"import torch; torch.load({path!r}, weights_only=False)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("MLPClassifier", out.stderr)  # needs __main__.MLPClassifier, as the released file


class DNABERTCache(unittest.TestCase):
    """The cache's layout, tokenizer and weights (loading it needs transformers:
    the device run does that)."""

    def test_tokenizer_is_a_consistent_bpe(self):
        import dnabert_cache
        tok = dnabert_cache.tokenizer_json()
        vocab, merges = tok["model"]["vocab"], tok["model"]["merges"]
        self.assertEqual(len(vocab), 4096)
        self.assertEqual(sorted(vocab.values()), list(range(4096)))
        for m in merges:
            a, b = m.split(" ")
            self.assertIn(a, vocab)
            self.assertIn(b, vocab)
            self.assertIn(a + b, vocab)
        self.assertEqual(vocab["[PAD]"], dnabert_cache.CONFIG["pad_token_id"])
        self.assertEqual(max(len(t) for t in vocab), 6)

    @need(DNABERT_CODE)
    def test_layout(self):
        import dnabert_cache
        home = tempfile.mkdtemp()
        snap = dnabert_cache.write_cache(home, DNABERT_CODE, weights=False)
        refs = os.path.join(home, "hub", "models--zhihan1996--DNABERT-S", "refs", "main")
        with open(refs) as f:
            self.assertEqual(os.path.join(os.path.dirname(os.path.dirname(refs)), "snapshots", f.read()), snap)
        for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "bert_layers.py", "bert_padding.py",
                     "configuration_bert.py", "flash_attn_triton.py"):
            self.assertTrue(os.path.isfile(os.path.join(snap, name)), name)
        with open(os.path.join(snap, "config.json")) as f:
            cfg = json.load(f)
        self.assertEqual(cfg["auto_map"], {"AutoModel": "bert_layers.BertModel"})
        with open(os.path.join(snap, "bert_layers.py")) as f:
            code = f.read()
        self.assertIn('"DNABERT-S.bert_layers"', code)
        compile(code, "bert_layers.py", "exec")  # the added block is valid after the original
        spec = importlib.util.spec_from_file_location("declined", os.path.join(snap, "flash_attn_triton.py"))
        with self.assertRaises(ImportError):
            spec.loader.exec_module(importlib.util.module_from_spec(spec))

    @unittest.skipUnless(HAVE_TORCH, "PyTorch not installed")
    def test_weights_are_bert_base(self):
        import dnabert_cache
        state = dnabert_cache.random_weights()
        n = sum(v.numel() for v in state.values())
        self.assertAlmostEqual(n / 1e6, 117, delta=2)  # DNABERT-2-117M


@need(BIO_SRC)
class Biopython(unittest.TestCase):
    """Bio.SeqIO and Bio.Seq import and work with the stubs, and an aligner
    says it is stubbed."""

    @unittest.skipUnless(HAVE_NUMPY, "NumPy not installed (Bio.SeqIO needs it)")
    def test_overlay(self):
        import make_kit
        out = tempfile.mkdtemp()
        make_kit.overlay_biopython(BIO_SRC, out)
        code = (
            "import io, Bio\n"
            f"assert Bio.__file__.startswith({out!r}), Bio.__file__\n"
            "from Bio import SeqIO\nfrom Bio.Seq import Seq\n"
            "ids = [r.id for r in SeqIO.parse(io.StringIO('>a\\nACGT\\n>b\\nGG\\n'), 'fasta')]\n"
            "print(ids, Seq('ATGAAATTT').translate())\n"
            "from Bio import Align\n"
            "try:\n    Align.PairwiseAligner()\nexcept NotImplementedError as e:\n    print('stubbed')\n"
        )
        env = dict(os.environ, PYTHONPATH=out)
        res = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.split("\n")[:2], ["['a', 'b'] MKF", "stubbed"])


if __name__ == "__main__":
    unittest.main()
