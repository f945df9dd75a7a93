"""virnucsim: a PyTorch performance stand-in for the VirNucPro pipeline.

It runs the stages of VirNucPro (Li-Jing-1997/VirNucPro and its multi-GPU fork
broadinstitute/virnucpro-broad) with the real model shapes and random weights from a
fixed seed, so that benchctl can measure time and GPU memory on real GPUs without
downloading any weights. Its predictions mean nothing: it is not a classifier.

Layout: the modules that parse, chunk, translate, batch, vote and write files are pure
Python (no torch import, tested with unittest on machines without a GPU); only
`worker`, `models` and `features` import torch, and only inside the worker.
"""

__version__ = "0.1.0"
