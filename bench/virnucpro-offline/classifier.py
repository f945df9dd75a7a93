"""The pickled classifier VirNucPro loads: torch.load("500_model.pth",
weights_only=False).

The released file pickles a whole MLPClassifier (3328 -> 512 -> 2) whose
class lived in the training script's __main__; the fork's predictor puts its
own MLPClassifier (virnucpro/pipeline/models.py) into __main__ while it
unpickles. This module pickles a module of the same structure under that
name, with Xavier-uniform random weights and fresh batch-norm statistics.
"""

import sys

import torch
from torch import nn
import torch.nn.functional as F


class MLPClassifier(nn.Module):
    """The fork's MLPClassifier's structure: Linear -> BatchNorm -> ReLU ->
    Dropout -> Linear. Pickled as __main__.MLPClassifier."""

    def __init__(self, input_dim=3328, hidden_dim=512, num_class=2):
        super().__init__()
        self.hidden_layer = nn.Linear(input_dim, hidden_dim)
        self.bn1 = nn.BatchNorm1d(hidden_dim)
        self.output_layer = nn.Linear(hidden_dim, num_class)
        self.dropout = nn.Dropout(0.5)
        nn.init.xavier_uniform_(self.hidden_layer.weight)
        nn.init.xavier_uniform_(self.output_layer.weight)

    def forward(self, x):
        return self.output_layer(self.dropout(F.relu(self.bn1(self.hidden_layer(x)))))


def write(path, input_dim=3328, hidden_dim=512, num_class=2, seed=0):
    """Pickles an eval-mode MLPClassifier to path as __main__.MLPClassifier."""
    torch.manual_seed(seed)
    model = MLPClassifier(input_dim, hidden_dim, num_class).eval()
    main = sys.modules["__main__"]
    had = getattr(main, "MLPClassifier", None)
    saved_module = MLPClassifier.__module__
    MLPClassifier.__module__ = "__main__"
    main.MLPClassifier = MLPClassifier
    try:
        torch.save(model, path)
    finally:
        MLPClassifier.__module__ = saved_module
        if had is None:
            del main.MLPClassifier
        else:
            main.MLPClassifier = had
    return path
