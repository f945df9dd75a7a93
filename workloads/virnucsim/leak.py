"""A leak on purpose: memory kept after every batch and never given back.

VirNucPro has no such flag; virnucsim has it so that a leak check can be run
against a pipeline known to leak (--leak-per-esm-batch MIB), beside the same
pipeline whose caching allocator only grows and settles. The kept tensors live
until the process exits, as a list of GPU tensors a real pipeline forgot to
clear would.
"""


class Leak:
    """Keeps `mib_per_batch` MiB more, from `allocate(nbytes)`, after each batch
    while active; inactive (or at 0 MiB) it keeps nothing."""

    def __init__(self, mib_per_batch, allocate):
        self.nbytes = int(mib_per_batch) << 20
        self.allocate = allocate
        self.kept = []
        self.active = False

    def after_batch(self):
        """Called once a batch is done: keeps one more block while active."""
        if self.active and self.nbytes > 0:
            self.kept.append(self.allocate(self.nbytes))

    @property
    def held(self):
        """Bytes kept so far."""
        return self.nbytes * len(self.kept)
