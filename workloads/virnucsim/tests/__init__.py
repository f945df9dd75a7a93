"""Standard-library unittest tests of virnucsim's pure-Python parts (no torch needed).

Run from the repository root:
    python3 -m unittest discover -s workloads/virnucsim/tests -t workloads
"""
