"""Stub of Bio.Align._pairwisealigner (compiled): see Bio/_stub.py.

Bio.Align subclasses PairwiseAligner at import time, so the base class must
exist; constructing an aligner raises.
"""
from Bio._stub import Unavailable


class PairwiseAligner(Unavailable):
    _name = "Bio.Align._pairwisealigner.PairwiseAligner"
