"""A Hugging Face cache holding DNABERT-S, for HF_HUB_OFFLINE=1.

VirNucPro calls AutoModel.from_pretrained("zhihan1996/DNABERT-S",
trust_remote_code=True) and AutoTokenizer.from_pretrained(...). Offline,
huggingface_hub resolves "main" through
$HF_HOME/hub/models--zhihan1996--DNABERT-S/refs/main to a snapshot folder.
This module writes that layout:

- the model code of MAGICS-LAB/DNABERT_S (bert_layers.py, bert_padding.py,
  configuration_bert.py), copied from where it was fetched. Two things the
  kit adds, each in a marked block, neither in VirNucPro:
  * flash_attn_triton.py is ours, and declines (ImportError): the original
    kernel was written for Triton 2.0 and does not compile on Triton 3, so
    the model code takes its own PyTorch attention path, as it does on any
    machine without Triton.
  * bert_layers.py gains a marked block: the module also registered under a
    name holding "DNABERT-S" (the fork finds the module to patch, for SDPA
    attention, by that text in sys.modules, and transformers 5 names
    remote-code modules ...DNABERT_hyphen_S...), and the ALiBi table and the
    token-type ids made on the CPU (transformers 5 builds the model under a
    meta-device context, where these plain tensors would stay).
- config.json: DNABERT-S's (BERT-base shape, vocab 4096, ALiBi), mapping
  AutoModel to bert_layers.BertModel and leaving AutoConfig to transformers'
  own BertConfig, which the model's config_class is (the 4.28-era custom
  config class trips transformers' consistency check on newer versions).
- a BPE tokenizer.json of 4096 DNA tokens (specials, bases, k-mers up to 6),
  so that token counts per read are of DNABERT-2's order.
- model.safetensors (or pytorch_model.bin): random weights of the true shapes.
"""

import json
import os
import shutil

REPO = "zhihan1996/DNABERT-S"
REVISION = "0" * 40  # the snapshot's name; any 40-hex string
CODE_FILES = ("bert_layers.py", "bert_padding.py", "configuration_bert.py")
SPECIALS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]

CONFIG = {
    "_name_or_path": REPO,
    "alibi_starting_size": 512,
    "architectures": ["BertModel"],
    "attention_probs_dropout_prob": 0.0,
    "auto_map": {"AutoModel": "bert_layers.BertModel"},
    "classifier_dropout": None,
    "gradient_checkpointing": False,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 768,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 3,
    "position_embedding_type": "absolute",
    "torch_dtype": "float32",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 4096,
}

DECLINE_TRITON = '''"""bench/virnucpro-offline: in place of DNABERT-S's flash_attn_triton.py.

That kernel was written for Triton 2.0 and does not compile on Triton 3;
declining here makes bert_layers.py take its PyTorch attention path.
"""
raise ImportError("flash_attn_triton declined by bench/virnucpro-offline (Triton 2.0 kernel)")
'''

KIT_BLOCK = '''
# --- bench/virnucpro-offline: added to DNABERT-S's bert_layers.py. ---
# 1. Also known by a name holding "DNABERT-S", which VirNucPro looks for in
#    sys.modules to patch the attention (transformers 5 names remote-code
#    modules ...DNABERT_hyphen_S...).
# 2. transformers 5 builds models under a meta-device context; this code
#    makes two tensors in __init__ that are neither parameters nor saved
#    buffers (the ALiBi table, the token-type ids), which would stay on the
#    meta device: make them on the CPU, as transformers 4.28 did.
import sys as _kit_sys
_kit_sys.modules.setdefault("DNABERT-S.bert_layers", _kit_sys.modules[__name__])

_kit_rebuild_alibi = BertEncoder.rebuild_alibi_tensor


def _kit_rebuild_alibi_tensor(self, size, device=None):
    return _kit_rebuild_alibi(self, size, device="cpu" if device is None else device)


BertEncoder.rebuild_alibi_tensor = _kit_rebuild_alibi_tensor

_kit_embeddings_init = BertEmbeddings.__init__


def _kit_embeddings_init_cpu(self, config):
    _kit_embeddings_init(self, config)
    self.register_buffer("token_type_ids", torch.zeros(config.max_position_embeddings, dtype=torch.long, device="cpu"),
                         persistent=False)


BertEmbeddings.__init__ = _kit_embeddings_init_cpu
'''


def snapshot_dir(hf_home, repo=REPO, revision=REVISION):
    return os.path.join(hf_home, "hub", "models--" + repo.replace("/", "--"), "snapshots", revision)


def vocabulary(size=4096):
    """Specials, the five bases, then k-mers (2..6) in order, each the merge of
    a (k-1)-mer and a base; returns (vocab, merges) for a BPE model."""
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in "ACGTN":
        vocab[b] = len(vocab)
    merges, prev = [], ["A", "C", "G", "T"]
    while len(vocab) < size:
        cur = []
        for p in prev:
            for b in "ACGT":
                if len(vocab) >= size:
                    break
                vocab[p + b] = len(vocab)
                merges.append(p + " " + b)
                cur.append(p + b)
        prev = cur
    return vocab, merges


def tokenizer_json(size=4096):
    vocab, merges = vocabulary(size)
    special = lambda t: {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                         "normalized": False, "special": True}
    spec = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(t) for t in SPECIALS],
        "normalizer": None,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [spec("[CLS]"), seq("A"), spec("[SEP]")],
            "pair": [spec("[CLS]"), seq("A"), spec("[SEP]"), seq("B"), spec("[SEP]")],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "[UNK]", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": merges},
    }


def weight_shapes(cfg=CONFIG):
    """bert_layers.BertModel's parameters (with its pooler)."""
    h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    out = {
        "embeddings.word_embeddings.weight": (v, h),
        "embeddings.token_type_embeddings.weight": (cfg["type_vocab_size"], h),
        "embeddings.LayerNorm.weight": (h,),
        "embeddings.LayerNorm.bias": (h,),
        "pooler.dense.weight": (h, h),
        "pooler.dense.bias": (h,),
    }
    for n in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{n}."
        out.update({
            p + "attention.self.Wqkv.weight": (3 * h, h),
            p + "attention.self.Wqkv.bias": (3 * h,),
            p + "attention.output.dense.weight": (h, h),
            p + "attention.output.dense.bias": (h,),
            p + "attention.output.LayerNorm.weight": (h,),
            p + "attention.output.LayerNorm.bias": (h,),
            p + "mlp.gated_layers.weight": (2 * i, h),
            p + "mlp.wo.weight": (h, i),
            p + "mlp.wo.bias": (h,),
            p + "mlp.layernorm.weight": (h,),
            p + "mlp.layernorm.bias": (h,),
        })
    return out


def random_weights(cfg=CONFIG, std=0.02, seed=0):
    import torch
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in weight_shapes(cfg).items():
        if ("LayerNorm" in name or "layernorm" in name) and name.endswith("weight"):
            state[name] = torch.ones(shape)
        elif name.endswith("bias"):
            state[name] = torch.zeros(shape)
        else:
            state[name] = torch.randn(shape, generator=gen).mul_(std)
    return state


def write_cache(hf_home, code_dir, weights=True):
    """Writes the snapshot, refs/main and the model code; returns the snapshot
    folder. code_dir holds MAGICS-LAB/DNABERT_S's evaluate/model_codes."""
    snap = snapshot_dir(hf_home)
    os.makedirs(snap, exist_ok=True)
    refs = os.path.join(os.path.dirname(os.path.dirname(snap)), "refs")
    os.makedirs(refs, exist_ok=True)
    with open(os.path.join(refs, "main"), "w") as f:
        f.write(REVISION)
    for name in CODE_FILES:
        shutil.copyfile(os.path.join(code_dir, name), os.path.join(snap, name))
    with open(os.path.join(snap, "bert_layers.py"), "a") as f:
        f.write(KIT_BLOCK)
    with open(os.path.join(snap, "flash_attn_triton.py"), "w") as f:
        f.write(DECLINE_TRITON)
    files = {
        "config.json": CONFIG,
        "tokenizer.json": tokenizer_json(CONFIG["vocab_size"]),
        "tokenizer_config.json": {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
                                  "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                                  "pad_token": "[PAD]", "mask_token": "[MASK]"},
        "special_tokens_map.json": {"unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                                    "pad_token": "[PAD]", "mask_token": "[MASK]"},
    }
    for name, body in files.items():
        with open(os.path.join(snap, name), "w") as f:
            json.dump(body, f, indent=1)
    if weights:
        write_weights(snap)
    return snap


def write_weights(snap):
    """model.safetensors where the safetensors package is (transformers'
    preferred format), else pytorch_model.bin."""
    state = random_weights()
    try:
        from safetensors.torch import save_file
    except ImportError:
        import torch
        torch.save(state, os.path.join(snap, "pytorch_model.bin"))
        return
    save_file(state, os.path.join(snap, "model.safetensors"), metadata={"format": "pt"})
