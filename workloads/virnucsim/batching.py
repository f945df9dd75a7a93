"""Batches by token budget: sort by length, fill while padded size fits.

A batch costs its padded size, len(batch) * longest member, in tokens. Sequences go
longest first (so the largest activations, and any out-of-memory, come early) and a
batch takes the next sequence while the padded size stays within the budget. A
sequence longer than the whole budget forms a batch of its own. When the budget
shrinks after an out-of-memory error, `fit` cuts a planned batch down to it.
"""


def padded_tokens(lengths):
    """Padded size in tokens of a batch whose members have these lengths."""
    return len(lengths) * max(lengths) if lengths else 0


def plan_batches(lengths, budget):
    """Groups indices 0..len(lengths)-1 into batches within `budget` padded tokens.

    Returns a list of index lists. Order is by decreasing length, ties by index, so the
    plan is deterministic; every index appears exactly once.
    """
    if budget <= 0:
        raise ValueError("token budget must be positive")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches = []
    current = []
    longest = 0
    for index in order:
        length = lengths[index]
        width = max(longest, length)
        if current and (len(current) + 1) * width > budget:
            batches.append(current)
            current, longest = [], 0
            width = length
        current.append(index)
        longest = width
    if current:
        batches.append(current)
    return batches


def fit(batch, lengths, budget):
    """Splits one batch (a list of indices) into batches within `budget`, if needed."""
    sizes = [lengths[i] for i in batch]
    if len(batch) <= 1 or padded_tokens(sizes) <= budget:
        return [list(batch)]
    return [[batch[j] for j in part] for part in plan_batches(sizes, budget)]
