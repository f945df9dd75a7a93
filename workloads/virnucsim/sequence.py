"""Chunking and six-frame translation, as VirNucPro does them.

Chunking (VirNucPro's `split_fasta_chunk`): a read of length L is cut into
n = ceil(L / C) windows of C bases. The n*C - L surplus is meant to be spread as
overlap between neighbouring windows; the original computes the per-gap shift from
floor(surplus / n) and a count of +1 corrections that overshoots n - 1 whenever that
quotient is not tiny, so in practice the middle windows are full and the last one is
often shorter than C (a 450 bp read at C=300 gives 0-300 and 224-450). We reproduce
that exactly, since chunk lengths set the token counts the benchmark measures. A read
no longer than C is one chunk; an empty read gives none. Chunk ids are
`<read id>_chunk_<k>` with k from 1.

Translation (VirNucPro's `identify_seq`): frames F1-F3 read the chunk from offsets
0, 1, 2 and R1-R3 read its reverse complement likewise, with the standard codon table;
a codon holding any base other than A, C, G, T is skipped (not translated to X), and a
frame is kept only when its protein is non-empty and has no stop ('*'). The frame's
nucleotide sequence is the 3 * len(protein) bases from its offset. Frame ids are the
chunk id followed by F1..F3 or R1..R3.
"""

from collections import namedtuple

_BASES = "TCAG"
_AMINO_ACIDS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"

#: The standard genetic code (NCBI translation table 1), 64 codons.
CODON_TABLE = {
    a + b + c: _AMINO_ACIDS[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}

_COMPLEMENT = str.maketrans("ACGTacgt", "TGCAtgca")

#: One kept reading frame of one chunk.
Frame = namedtuple("Frame", "frame_id chunk_id read_id nucleotide protein")


def chunk_bounds(length, size):
    """Returns the (start, end) windows VirNucPro cuts from a read of `length` bases."""
    if size <= 0:
        raise ValueError("chunk size must be positive")
    if length <= 0:
        return []
    count = -(-length // size)
    surplus = count * size - length
    lower = surplus // count
    bumped = surplus - lower * (count - 1)  # gaps that get lower + 1 (may exceed count - 1)
    bounds = []
    shift = 0
    for k in range(count):
        start = k * size - shift
        bounds.append((start, min(start + size, length)))
        shift += lower + 1 if k < bumped else lower
    return bounds


def chunk_read(read_id, sequence, size):
    """Returns the chunks of one read as (chunk_id, sequence) pairs."""
    return [
        (f"{read_id}_chunk_{k}", sequence[start:end])
        for k, (start, end) in enumerate(chunk_bounds(len(sequence), size), start=1)
    ]


def reverse_complement(sequence):
    """Reverse complement; bases other than A, C, G, T are kept as they are."""
    return sequence.translate(_COMPLEMENT)[::-1]


def translate(sequence, offset=0):
    """Translates from `offset` codon by codon, skipping codons that are not ACGT-only."""
    return "".join(
        CODON_TABLE.get(sequence[i : i + 3], "") for i in range(offset, len(sequence) - 2, 3)
    )


def six_frames(sequence):
    """Returns [(suffix, strand_sequence, offset, protein)] for F1, F2, F3, R1, R2, R3."""
    reverse = reverse_complement(sequence)
    frames = []
    for strand, text in (("F", sequence), ("R", reverse)):
        for offset in range(3):
            frames.append((f"{strand}{offset + 1}", text, offset, translate(text, offset)))
    return frames


def stop_free_frames(chunk_id, read_id, sequence):
    """Returns the kept frames (no stop codon, non-empty protein) of one chunk."""
    kept = []
    for suffix, text, offset, protein in six_frames(sequence.upper()):
        if not protein or "*" in protein:
            continue
        nucleotide = text[offset : offset + 3 * len(protein)]
        kept.append(Frame(chunk_id + suffix, chunk_id, read_id, nucleotide, protein))
    return kept


def translate_reads(reads, size):
    """Chunks and translates all reads; returns (chunk count, list of kept frames)."""
    chunks = 0
    frames = []
    for read_id, sequence in reads:
        for chunk_id, chunk in chunk_read(read_id, sequence, size):
            chunks += 1
            frames.extend(stop_free_frames(chunk_id, read_id, chunk))
    return chunks, frames
