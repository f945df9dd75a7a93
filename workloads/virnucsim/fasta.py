"""FASTA reading with errors that name the file and line.

Records are (id, sequence): the id is the header's first word (as Biopython's
`record.id`, which VirNucPro uses), the sequence is upper-cased with line breaks and
blanks removed. Anything that is not FASTA fails with a `FastaError` whose message fits
on one line; a record with an empty sequence is kept (it yields no chunks).
"""

from .errors import PipelineError


class FastaError(PipelineError):
    """The input is not a FASTA file we can read."""


def read_fasta(path):
    """Reads every record of the FASTA file at `path` into a list of (id, sequence)."""
    try:
        with open(path, "r", encoding="utf-8", newline=None) as handle:
            return parse_fasta(handle, name=str(path))
    except FileNotFoundError:
        raise FastaError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FastaError(f"{path}: is a directory, not a FASTA file") from None
    except UnicodeDecodeError:
        raise FastaError(f"{path}: not a text FASTA file (undecodable bytes)") from None
    except PermissionError:
        raise FastaError(f"{path}: permission denied") from None


def parse_fasta(lines, name="<input>"):
    """Parses FASTA text given as an iterable of lines; see the module doc."""
    records = []
    current_id = None
    parts = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(">"):
            if current_id is not None:
                records.append((current_id, "".join(parts)))
            current_id = _header_id(line, name, number)
            parts = []
            continue
        if current_id is None:
            raise FastaError(f"{name}:{number}: expected a '>' header line before sequence data")
        parts.append(_sequence_line(line, name, number))
    if current_id is not None:
        records.append((current_id, "".join(parts)))
    if not records:
        raise FastaError(f"{name}: no FASTA records found")
    return records


def _header_id(line, name, number):
    words = line[1:].split()
    if not words:
        raise FastaError(f"{name}:{number}: header line has no sequence id")
    return words[0]


def _sequence_line(line, name, number):
    compact = "".join(line.split())
    for column, char in enumerate(compact, start=1):
        if not ("A" <= char <= "Z" or "a" <= char <= "z"):
            raise FastaError(
                f"{name}:{number}: invalid character {char!r} in sequence (position {column})"
            )
    return compact.upper()
