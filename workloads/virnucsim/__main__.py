"""Entry point for `python3 -m virnucsim` and `python3 workloads/virnucsim/__main__.py`.

Run as a script, Python puts this folder first on sys.path, where our module names
(features, models, ...) could shadow other packages; the shim replaces it with the
parent folder so that the package imports as `virnucsim` either way. Spawned workers
re-run this file as `__mp_main__`, hence the `__name__` guard.
"""

import os
import sys

if not __package__:
    _here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _here:
        sys.path[0] = os.path.dirname(_here)
    else:
        sys.path.insert(0, os.path.dirname(_here))

from virnucsim.cli import main  # noqa: E402  (the path fix above must come first)

if __name__ == "__main__":
    sys.exit(main())
