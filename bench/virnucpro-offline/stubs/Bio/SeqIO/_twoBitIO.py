"""Stub of Bio.SeqIO._twoBitIO (compiled): see Bio/_stub.py."""
from Bio._stub import unavailable

convert = unavailable("Bio.SeqIO._twoBitIO.convert")
