"""Builds the offline kit for VirNucPro's fork: random weights of its models
where its loaders look, and a Biopython that imports without its compiled
modules. Run from the folder the fork will run in (the classifier goes there).

  python3 make_kit.py --torch-home T --hf-home H --dnabert-code DIR \\
      --biopython SRC --bio-out DIR [--device cuda] [--classifier 500_model.pth]

Then run the fork with TORCH_HOME=T HF_HOME=H HF_HUB_OFFLINE=1
TRANSFORMERS_OFFLINE=1 PYTHONPATH=<bio-out>:<fair-esm>:<fork>.
"""

import argparse
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def overlay_biopython(src, out):
    """Copies Biopython's pure-Python source (src/Bio) to out/Bio and puts the
    kit's stubs in place of the compiled modules Bio.SeqIO and Bio.Seq import."""
    dest = os.path.join(out, "Bio")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(os.path.join(src, "Bio"), dest)
    shutil.copytree(os.path.join(HERE, "stubs", "Bio"), dest, dirs_exist_ok=True)
    return dest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--torch-home")
    ap.add_argument("--esm-model", default="esm2_t36_3B_UR50D")
    ap.add_argument("--esm-shape", help="LAYERS,DIM,HEADS instead of the model's own (tests)")
    ap.add_argument("--esm-std", type=float, default=0.02)
    ap.add_argument("--device", default="cpu", help="where to make the random weights (cuda is fast)")
    ap.add_argument("--hf-home")
    ap.add_argument("--dnabert-code", help="MAGICS-LAB/DNABERT_S evaluate/model_codes")
    ap.add_argument("--classifier", help="path of the pickled classifier to write (500_model.pth)")
    ap.add_argument("--biopython", help="Biopython source (holding Bio/)")
    ap.add_argument("--bio-out", help="where the overlaid Bio/ goes")
    a = ap.parse_args(argv)
    t0 = time.time()
    if a.torch_home:
        import esm_weights
        shape = [int(x) for x in a.esm_shape.split(",")] if a.esm_shape else [None, None, None]
        paths = esm_weights.write_checkpoint(a.torch_home, a.esm_model, *shape, std=a.esm_std, device=a.device)
        print(f"ESM-2 checkpoint: {paths[0]} ({os.path.getsize(paths[0]) / 2**30:.2f} GiB) in {time.time() - t0:.1f}s", flush=True)
    if a.hf_home:
        import dnabert_cache
        snap = dnabert_cache.write_cache(a.hf_home, a.dnabert_code)
        print(f"DNABERT-S cache: {snap}", flush=True)
    if a.classifier:
        import classifier
        classifier.write(a.classifier)
        print(f"classifier: {a.classifier}", flush=True)
    if a.biopython:
        print(f"Biopython: {overlay_biopython(a.biopython, a.bio_out)}", flush=True)
    print(f"kit ready in {time.time() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
