"""Random weights of ESM-2's true architecture, where fair-esm looks for them.

fair-esm's esm.pretrained.esm2_t36_3B_UR50D() asks torch.hub for
https://dl.fbaipublicfiles.com/fair-esm/models/esm2_t36_3B_UR50D.pt and its
contact regression; torch.hub serves a file already in
$TORCH_HOME/hub/checkpoints/ without downloading. This module writes those two
files: {"model": state_dict, "cfg": {"model": Namespace(...)}} and
{"model": {"contact_head.regression.*"}}, with the key names and shapes of
fair-esm 2.0.0's ESM2 (esm/model/esm2.py) and normal random weights small
enough that fp16 activations stay finite through all layers.
"""

import argparse
import os

import torch

ALPHABET_SIZE = 33  # ESM-1b alphabet, which ESM-2 uses

# The released models' shapes: (layers, embedding dim, attention heads).
ARCHITECTURES = {
    "esm2_t6_8M_UR50D": (6, 320, 20),
    "esm2_t12_35M_UR50D": (12, 480, 20),
    "esm2_t30_150M_UR50D": (30, 640, 20),
    "esm2_t33_650M_UR50D": (33, 1280, 20),
    "esm2_t36_3B_UR50D": (36, 2560, 40),
    "esm2_t48_15B_UR50D": (48, 5120, 40),
}


def shapes(layers, dim, heads):
    """The ESM2 state dict's keys and shapes, regression head apart.

    lm_head.weight is tied to embed_tokens.weight; rot_emb.inv_freq is a
    buffer with fixed values (see inv_freq)."""
    out = {"embed_tokens.weight": (ALPHABET_SIZE, dim)}
    for i in range(layers):
        p = f"layers.{i}."
        for proj in ("k_proj", "v_proj", "q_proj", "out_proj"):
            out[p + f"self_attn.{proj}.weight"] = (dim, dim)
            out[p + f"self_attn.{proj}.bias"] = (dim,)
        out[p + "self_attn.rot_emb.inv_freq"] = (dim // heads // 2,)
        for norm in ("self_attn_layer_norm", "final_layer_norm"):
            out[p + f"{norm}.weight"] = (dim,)
            out[p + f"{norm}.bias"] = (dim,)
        out[p + "fc1.weight"] = (4 * dim, dim)
        out[p + "fc1.bias"] = (4 * dim,)
        out[p + "fc2.weight"] = (dim, 4 * dim)
        out[p + "fc2.bias"] = (dim,)
    for norm in ("emb_layer_norm_after", "lm_head.layer_norm"):
        out[norm + ".weight"] = (dim,)
        out[norm + ".bias"] = (dim,)
    out["lm_head.dense.weight"] = (dim, dim)
    out["lm_head.dense.bias"] = (dim,)
    out["lm_head.bias"] = (ALPHABET_SIZE,)
    out["lm_head.weight"] = (ALPHABET_SIZE, dim)  # the same tensor as embed_tokens.weight
    return out


def inv_freq(head_dim):
    """RotaryEmbedding's buffer (esm/rotary_embedding.py)."""
    return 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))


def random_state(layers, dim, heads, std=0.02, device="cpu", dtype=torch.float16, seed=0):
    """A state dict of the architecture: weights ~ N(0, std), biases 0, layer
    norms 1 and 0, the rotary buffers exact. Made on device (a GPU makes the
    3B model's 2.8e9 numbers in a moment), returned on the CPU."""
    gen = torch.Generator(device=device).manual_seed(seed)
    state = {}
    for name, shape in shapes(layers, dim, heads).items():
        if name == "lm_head.weight":
            continue
        if name.endswith("inv_freq"):
            state[name] = inv_freq(dim // heads)
        elif "norm" in name and name.endswith(".weight"):
            state[name] = torch.ones(shape, dtype=dtype)
        elif name.endswith("bias"):
            state[name] = torch.zeros(shape, dtype=dtype)
        else:
            w = torch.randn(shape, generator=gen, device=device, dtype=torch.float32).mul_(std)
            state[name] = w.to(dtype).cpu()
            del w
    state["lm_head.weight"] = state["embed_tokens.weight"]
    return state


def write_checkpoint(torch_home, model_name, layers=None, dim=None, heads=None, std=0.02, device="cpu", dtype=torch.float16):
    """Writes $TORCH_HOME/hub/checkpoints/{model_name}.pt and its contact
    regression. The architecture is the named model's unless given (a small
    one for tests). Returns the two paths."""
    if layers is None:
        layers, dim, heads = ARCHITECTURES[model_name]
    ckpt_dir = os.path.join(torch_home, "hub", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    state = random_state(layers, dim, heads, std=std, device=device, dtype=dtype)
    cfg = argparse.Namespace(encoder_layers=layers, encoder_embed_dim=dim, encoder_attention_heads=heads, token_dropout=True)
    main = os.path.join(ckpt_dir, model_name + ".pt")
    torch.save({"model": state, "cfg": {"model": cfg}}, main)
    del state
    gen = torch.Generator().manual_seed(1)
    regression = {
        "model": {
            "contact_head.regression.weight": torch.randn((1, layers * heads), generator=gen).mul_(std).to(dtype),
            "contact_head.regression.bias": torch.zeros((1,), dtype=dtype),
        }
    }
    reg = os.path.join(ckpt_dir, model_name + "-contact-regression.pt")
    torch.save(regression, reg)
    return main, reg
