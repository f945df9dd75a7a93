"""`python3 -m virnucsim.tests.fake_cli predict ...`: the real CLI with fakeworker's runner."""

import functools
import sys

from virnucsim import cli, parallel
from virnucsim.tests import fakeworker

if __name__ == "__main__":
    sys.exit(
        cli.main(
            backend=fakeworker.run_job,
            parallel_target=functools.partial(parallel.worker_main, runner=fakeworker.run_job),
        )
    )
