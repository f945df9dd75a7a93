"""The three models, built from configs with random weights (imports torch).

DNABERT-S is a BertModel, ESM-2 an EsmModel, both from transformers and built from a
config alone: no download, no weights file. Weights come from torch.manual_seed(seed)
(seed + 1 for ESM-2, seed + 2 for the MLP), so every build of a model is identical.
A build is: construct from the config on the CPU in fp32 (as the original gets its
weights on the CPU from a checkpoint), move to the device, cast to the run's dtype. So
the GPU holds the fp32 weights before the cast, as in VirNucPro's fork, which moves
the fp32 model and then calls .bfloat16(); the peak memory figures include that.

Attention: sdpa is asked for through config._attn_implementation; if the config or the
model refuses, the model is built again with transformers' default, and the attention
actually used is logged either way.
"""

import gc

import torch
from torch import nn

from . import presets, tokens
from .errors import one_line


class MLPClassifier(nn.Module):
    """VirNucPro's classifier: 3328 -> 512 -> BatchNorm1d -> ReLU -> Dropout -> 2."""

    def __init__(self, input_dim=presets.MERGED_WIDTH, hidden_dim=presets.MLP_HIDDEN, classes=presets.CLASSES):
        super().__init__()
        self.hidden_layer = nn.Linear(input_dim, hidden_dim)
        self.bn1 = nn.BatchNorm1d(hidden_dim)
        self.output_layer = nn.Linear(hidden_dim, classes)
        self.dropout = nn.Dropout(0.5)
        nn.init.xavier_uniform_(self.hidden_layer.weight)
        nn.init.xavier_uniform_(self.output_layer.weight)

    def forward(self, x):
        x = self.hidden_layer(x)
        x = self.bn1(x)
        x = torch.relu(x)
        x = self.dropout(x)
        return self.output_layer(x)


def esm_config_args(shape):
    """(required, optional) EsmConfig arguments for esm2_t36_3B_UR50D-like shapes."""
    required = dict(
        vocab_size=tokens.ESM_VOCAB_SIZE,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate,
        pad_token_id=tokens.ESM_PAD,
        mask_token_id=tokens.ESM_MASK,
    )
    optional = dict(
        position_embedding_type="rotary",
        token_dropout=True,
        emb_layer_norm_before=False,
        max_position_embeddings=tokens.ESM_MAX_RESIDUES + 2,
        layer_norm_eps=1e-5,
        hidden_act="gelu",
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    return required, optional


def bert_config_args(shape):
    """(required, optional) BertConfig arguments for a DNABERT-S-like encoder."""
    required = dict(
        vocab_size=tokens.DNA_VOCAB_SIZE,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate,
        pad_token_id=tokens.DNA_PAD,
    )
    optional = dict(
        max_position_embeddings=tokens.DNA_MAX_TOKENS,
        type_vocab_size=2,
        hidden_act="gelu",
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        layer_norm_eps=1e-12,
    )
    return required, optional


def make_config(config_cls, required, optional, log):
    """Builds a config; optional arguments it rejects are set one by one, or dropped."""
    try:
        return config_cls(**required, **optional)
    except (TypeError, ValueError) as exc:
        log.info(f"{config_cls.__name__} rejected an argument ({one_line(exc)}); setting them one by one")
    config = config_cls(**required)
    for key, value in optional.items():
        try:
            setattr(config, key, value)
        except Exception as exc:  # a strict config may refuse any attribute
            log.info(f"{config_cls.__name__}: {key}={value!r} not accepted ({one_line(exc)}); keeping its default")
    return config


def _request_sdpa(config):
    try:
        config._attn_implementation = "sdpa"
    except Exception:
        pass  # older or stricter configs: keep transformers' default


def build_encoder(name, model_cls, config_factory, device, dtype, seed, log):
    """Builds one transformers encoder, moves it to `device`, casts it to `dtype`."""
    config = config_factory()
    _request_sdpa(config)
    torch.manual_seed(seed)
    failure = None
    try:
        model = model_cls(config, add_pooling_layer=False)
    except (ValueError, ImportError, TypeError) as exc:
        failure = one_line(exc)
    if failure is not None:
        # Outside the except block, so the half-built model is garbage before the retry.
        log.info(f"{name}: building with sdpa attention failed ({failure}); retrying with the default")
        gc.collect()
        torch.manual_seed(seed)
        model = model_cls(config_factory(), add_pooling_layer=False)
    model = model.to(device).to(dtype).eval().requires_grad_(False)
    attention = getattr(model.config, "_attn_implementation", None) or "default"
    params = sum(p.numel() for p in model.parameters())
    cfg = model.config
    log.info(
        f"{name}: {cfg.num_hidden_layers} layers, hidden {cfg.hidden_size}, "
        f"{cfg.num_attention_heads} heads, FFN {cfg.intermediate_size}, "
        f"{params / 1e6:.1f}M parameters, {str(dtype).replace('torch.', '')}, attention {attention}"
    )
    return model


def build_bert(shape, device, dtype, seed, log):
    """DNABERT-S stand-in: BertModel without pooler."""
    from transformers import BertConfig, BertModel

    required, optional = bert_config_args(shape)
    return build_encoder(
        "DNABERT-S",
        BertModel,
        lambda: make_config(BertConfig, required, optional, log),
        device,
        dtype,
        seed,
        log,
    )


def build_esm(shape, device, dtype, seed, log):
    """ESM-2 stand-in: EsmModel without pooler, rotary positions, token dropout."""
    from transformers import EsmConfig, EsmModel

    required, optional = esm_config_args(shape)
    model = build_encoder(
        "ESM-2",
        EsmModel,
        lambda: make_config(EsmConfig, required, optional, log),
        device,
        dtype,
        seed + 1,
        log,
    )
    position = getattr(model.config, "position_embedding_type", None)
    if position not in (None, "rotary"):
        log.info(f"ESM-2: position embeddings are {position!r}, not rotary")
    return model


def build_mlp(device, seed):
    """The classifier in fp32 (as the original), in eval mode: running stats, no dropout."""
    torch.manual_seed(seed + 2)
    return MLPClassifier().to(device).eval().requires_grad_(False)
