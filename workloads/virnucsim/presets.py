"""Model sizes: the real shapes (full) and smaller ones for quick runs.

full  ESM-2 esm2_t36_3B_UR50D (36 layers, hidden 2560, 40 heads, FFN 10240) and
      DNABERT-S at BERT-base size (12 layers, 768, 12 heads, FFN 3072).
small ESM-2 6 layers x 1280 (20 heads), BERT 4 layers x 768: same widths per head as
      the real models, a fraction of the depth.
tiny  ESM-2 2 layers x 320 (20 heads, as esm2_t6_8M), BERT 2 layers x 128 (2 heads):
      for CPU runs and smoke tests.

Whatever the size, the pooled features are zero-padded (or cut) to the real widths 768
and 2560 before the merge, so the merged vector is always 3328-d and the MLP always
has its real shape (3328 -> 512 -> 2).
"""

from dataclasses import asdict, dataclass

DNA_FEATURE_WIDTH = 768
PROTEIN_FEATURE_WIDTH = 2560
MERGED_WIDTH = DNA_FEATURE_WIDTH + PROTEIN_FEATURE_WIDTH
MLP_HIDDEN = 512
CLASSES = 2


@dataclass(frozen=True)
class Shape:
    """The size of one transformer encoder."""

    layers: int
    hidden: int
    heads: int
    intermediate: int

    def head_dim(self):
        """Width of one attention head."""
        return self.hidden // self.heads


PRESETS = {
    "full": {"esm": Shape(36, 2560, 40, 10240), "bert": Shape(12, 768, 12, 3072)},
    "small": {"esm": Shape(6, 1280, 20, 5120), "bert": Shape(4, 768, 12, 3072)},
    "tiny": {"esm": Shape(2, 320, 20, 1280), "bert": Shape(2, 128, 2, 512)},
}


class PresetError(ValueError):
    """An override that gives no valid model shape."""


def resolve(size, esm_layers=None, esm_hidden=None):
    """Returns {"esm": Shape, "bert": Shape} for a preset and the ESM overrides.

    --esm-hidden keeps the preset's head width when it divides the new width (64 for
    full and small, so 5120 gives 80 heads), else the preset's head count; the FFN is
    4 x hidden, as in every ESM-2. Rotary embeddings need an even head width.
    """
    if size not in PRESETS:
        raise PresetError(f"unknown size {size!r}; choose one of {', '.join(PRESETS)}")
    esm = PRESETS[size]["esm"]
    bert = PRESETS[size]["bert"]
    if esm_layers is not None:
        if esm_layers < 1:
            raise PresetError("--esm-layers must be at least 1")
        esm = Shape(esm_layers, esm.hidden, esm.heads, esm.intermediate)
    if esm_hidden is not None and esm_hidden != esm.hidden:
        esm = _with_hidden(esm, esm_hidden)
    return {"esm": esm, "bert": bert}


def _with_hidden(esm, hidden):
    if hidden < 2:
        raise PresetError("--esm-hidden must be at least 2")
    if hidden % esm.head_dim() == 0:
        heads = hidden // esm.head_dim()
    elif hidden % esm.heads == 0:
        heads = esm.heads
    else:
        raise PresetError(
            f"--esm-hidden {hidden} must be a multiple of {esm.head_dim()} or of {esm.heads}"
        )
    if (hidden // heads) % 2:
        raise PresetError(f"--esm-hidden {hidden} gives an odd head width; rotary needs it even")
    return Shape(esm.layers, hidden, heads, 4 * hidden)


def shapes_to_dict(shapes):
    """Plain dicts, to put in a job sent to a worker process."""
    return {name: asdict(shape) for name, shape in shapes.items()}


def shapes_from_dict(data):
    """The inverse of shapes_to_dict."""
    return {name: Shape(**fields) for name, fields in data.items()}
