"""Consensus over frames: the highest score of each class wins, per chunk and per read.

VirNucPro labels each frame 'virus' when its virus probability (score2) beats the
other (score1), then groups frames by chunk (Modified_ID: the frame id without its
2-character F1..R3 suffix) and calls the chunk viral when the largest virus score of
its frames is at least the largest non-virus score. We do the same per chunk, and
also per read, over all frames of all its chunks.
"""

from collections import namedtuple

#: The MLP's output for one kept frame: probabilities of class 0 (others) and 1 (virus).
Prediction = namedtuple("Prediction", "frame_id chunk_id read_id score0 score1")

#: The consensus of a group of frames (a chunk or a read).
Call = namedtuple("Call", "group_id is_virus max_score_0 max_score_1 frames")


def frame_label(score0, score1):
    """'virus' or 'others' as VirNucPro's argmax gives it (ties go to 'others')."""
    return "virus" if score1 > score0 else "others"


def _calls(predictions, key):
    best = {}
    for p in predictions:
        group = key(p)
        if group in best:
            max0, max1, count = best[group]
            best[group] = (max(max0, p.score0), max(max1, p.score1), count + 1)
        else:
            best[group] = (p.score0, p.score1, 1)
    return [
        Call(group, max1 >= max0, max0, max1, count)
        for group, (max0, max1, count) in best.items()
    ]


def by_chunk(predictions):
    """One Call per chunk, sorted by chunk id (as pandas' groupby sorts Modified_ID)."""
    return sorted(_calls(predictions, lambda p: p.chunk_id), key=lambda c: c.group_id)


def by_read(predictions):
    """One Call per read, in the order reads first appear."""
    return _calls(predictions, lambda p: p.read_id)


def chunks_per_read(predictions):
    """How many distinct chunks of each read kept at least one frame."""
    seen = {}
    for p in predictions:
        seen.setdefault(p.read_id, set()).add(p.chunk_id)
    return {read: len(chunks) for read, chunks in seen.items()}
