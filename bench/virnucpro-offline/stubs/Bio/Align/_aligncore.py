"""Stub of Bio.Align._aligncore (compiled): see Bio/_stub.py."""
from Bio._stub import Unavailable


class PrintedAlignmentParser(Unavailable):
    _name = "Bio.Align._aligncore.PrintedAlignmentParser"
