"""Stub of Bio.Align._codonaligner (compiled): see Bio/_stub.py."""
from Bio._stub import Unavailable


class CodonAligner(Unavailable):
    _name = "Bio.Align._codonaligner.CodonAligner"
