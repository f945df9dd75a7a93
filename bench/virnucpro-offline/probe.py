"""Loads each of VirNucPro's models the way the fork does, offline, and runs
a few sequences through it: a step-by-step check of the kit on the machine
that runs the fork, with times and GPU memory. Each step reports PASS or
FAIL with the error's last line and goes on.

  python3 probe.py [dnabert] [esm] [classifier]
"""

import sys
import time
import traceback


def step(name, fn):
    t0 = time.time()
    try:
        detail = fn()
        print(f"PROBE PASS {name} in {time.time() - t0:.1f}s: {detail}", flush=True)
        return True
    except Exception as e:  # report and go on: the next step is independent
        last = traceback.format_exc().strip().splitlines()[-1]
        print(f"PROBE FAIL {name} after {time.time() - t0:.1f}s: {last}", flush=True)
        traceback.print_exc()
        return False


def dnabert():
    import torch
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained("zhihan1996/DNABERT-S", trust_remote_code=True)
    model = AutoModel.from_pretrained("zhihan1996/DNABERT-S", trust_remote_code=True).cuda().eval()
    seqs = ["ACGTACGTTAGC" * 40, "TTGACCA" * 60]
    inputs = tok(seqs, return_tensors="pt", padding=True)
    with torch.no_grad():
        h = model(inputs["input_ids"].cuda(), attention_mask=inputs["attention_mask"].cuda())[0]
    assert torch.isfinite(h).all(), "non-finite hidden states"
    return f"tokens {tuple(inputs['input_ids'].shape)}, hidden {tuple(h.shape)}, {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB peak"


def esm():
    import torch
    from virnucpro.models.esm2_flash import load_esm2_model
    t0 = time.time()
    model, convert = load_esm2_model("esm2_t36_3B_UR50D", device="cuda:0")
    load = time.time() - t0
    _, _, tokens = convert([("p%d" % i, "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ" * 5) for i in range(64)])
    with torch.no_grad():
        torch.cuda.synchronize()
        t1 = time.time()
        out = model(tokens.cuda(), repr_layers=[36])
        torch.cuda.synchronize()
    rep = out["representations"][36]
    assert torch.isfinite(rep).all(), "non-finite representations"
    n = tokens.numel()
    return (f"load {load:.1f}s, 64 proteins x {tokens.shape[1]} tokens in {time.time() - t1:.2f}s "
            f"({n / (time.time() - t1):.0f} tokens/s, first batch), {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB peak")


def classifier():
    import torch
    from virnucpro.pipeline.models import MLPClassifier
    sys.modules["__main__"].MLPClassifier = MLPClassifier
    m = torch.load("500_model.pth", map_location="cpu", weights_only=False).eval()
    y = m(torch.randn(8, 3328))
    return f"{type(m).__name__} -> {tuple(y.shape)}"


STEPS = {"dnabert": dnabert, "esm": esm, "classifier": classifier}

if __name__ == "__main__":
    names = sys.argv[1:] or list(STEPS)
    ok = [step(n, STEPS[n]) for n in names]
    sys.exit(0 if all(ok) else 1)
