"""What the offline kit puts in place of Biopython's compiled modules.

VirNucPro reads FASTA with Bio.SeqIO and translates with Bio.Seq, both pure
Python; importing them imports compiled modules (aligners, the 2bit reader)
that an image without a C toolchain for them lacks. Each stub module names
what it replaces; anything that reaches it raises NotImplementedError, so a
run that truly needs an aligner fails loudly instead of giving wrong answers.
"""


def unavailable(name):
    """A callable that raises: the compiled name is not in this stub."""

    def call(*args, **kwargs):
        raise NotImplementedError(f"{name} is a compiled Biopython module, stubbed by bench/virnucpro-offline")

    return call


class Unavailable:
    """A class whose construction raises (a compiled type's stand-in)."""

    _name = "compiled Biopython type"

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{self._name} is compiled Biopython code, stubbed by bench/virnucpro-offline")
