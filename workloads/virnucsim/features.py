"""Embedding by token-budget batches, merging and the MLP (imports torch).

`embed` runs an encoder over a list of token-id lists in batches planned by
`batching.plan_batches`, mean-pools each sequence and returns an (N, hidden) float32
CPU tensor in input order. It owns the two GPU behaviours the benchmark measures:

* --cuda-streams: host batches are pinned and copied to the GPU on a side stream,
  the next batch while the current one computes; the compute stream waits on the
  copy's event and the copied tensors are recorded on it, so the caching allocator
  does not hand their memory back to the copy stream too early.
* out of memory: the batch's tensors are dropped, the cache emptied, the token budget
  halved (to half the failed batch's padded size) and the batch retried in pieces;
  a single sequence that does not fit raises CudaOomFatal (exit 4). The smaller
  budget stays for the rest of the run.
"""

import gc
from collections import deque, namedtuple

import torch

from . import batching, tokens
from .errors import CudaOomFatal

_Staged = namedtuple("_Staged", "indices host device event")


class TokenBudget:
    """A token budget that shrinks after out-of-memory errors and stays shrunk."""

    def __init__(self, tokens_per_batch):
        self.tokens = int(tokens_per_batch)


class DeviceContext:
    """The worker's device, copy stream and batch counter for --cache-clear-interval."""

    def __init__(self, device, cuda_streams=False, cache_clear_interval=0):
        self.device = device
        self.is_cuda = device.type == "cuda"
        self.copy_stream = torch.cuda.Stream(device=device) if (cuda_streams and self.is_cuda) else None
        self.cache_clear_interval = cache_clear_interval
        self.batches = 0
        self.leak = None  # a leak.Leak told of every batch, when set

    @property
    def prefetch(self):
        """Whether the next batch is copied while the current one computes."""
        return self.copy_stream is not None

    def synchronize(self):
        """Waits for the GPU, so that a stage's end time includes its kernels."""
        if self.is_cuda:
            torch.cuda.synchronize(self.device)

    def free_cache(self):
        """Collects garbage and returns cached blocks to the driver."""
        gc.collect()
        if self.is_cuda:
            torch.cuda.empty_cache()

    def host_tensor(self, rows):
        """A CPU tensor of ids or masks; pinned when copies are asynchronous."""
        tensor = torch.tensor(rows, dtype=torch.long)
        return tensor.pin_memory() if self.prefetch else tensor

    def upload(self, host):
        """Copies host tensors to the device; returns (device tensors, event or None)."""
        if not self.prefetch:
            return tuple(t.to(self.device) for t in host), None
        with torch.cuda.stream(self.copy_stream):
            moved = tuple(t.to(self.device, non_blocking=True) for t in host)
            event = torch.cuda.Event()
            event.record(self.copy_stream)
        return moved, event

    def ready(self, staged):
        """Makes the compute stream wait for a staged batch; returns its device tensors."""
        if staged.event is not None:
            stream = torch.cuda.current_stream(self.device)
            stream.wait_event(staged.event)
            for tensor in staged.device:
                tensor.record_stream(stream)
        return staged.device

    def batch_done(self):
        """Counts a batch; empties the cache every --cache-clear-interval batches."""
        self.batches += 1
        if self.leak is not None:
            self.leak.after_batch()
        if self.is_cuda and self.cache_clear_interval and self.batches % self.cache_clear_interval == 0:
            torch.cuda.empty_cache()


def masked_mean(hidden, weights):
    """Mean of hidden[b, t] over the tokens t where weights[b, t] is 1, in float32."""
    w = weights.to(torch.float32).unsqueeze(-1)
    total = (hidden.to(torch.float32) * w).sum(dim=1)
    return total / w.sum(dim=1).clamp(min=1.0)


class _Embedder:
    """One pass of an encoder over a list of sequences; see `embed`."""

    def __init__(self, model, token_lists, pad_id, pool_specials, budget, ctx, log):
        self.model = model
        self.token_lists = token_lists
        self.lengths = [len(t) for t in token_lists]
        self.pad_id = pad_id
        self.pool_specials = pool_specials
        self.budget = budget
        self.ctx = ctx
        self.log = log
        self.queue = deque(batching.plan_batches(self.lengths, budget.tokens)) if token_lists else deque()
        hidden = model.config.hidden_size
        self.result = torch.zeros((len(token_lists), hidden), dtype=torch.float32)

    def run(self):
        staged_next = None
        while staged_next is not None or self.queue:
            if staged_next is not None:
                current, staged_next = staged_next, None
                indices = current.indices
            else:
                current, indices = None, self._next_batch()
            following = self._next_batch() if (self.ctx.prefetch and self.queue) else None
            ok, staged_next = self._attempt(indices, current, following)
            if not ok:
                current = staged_next = None
                if following is not None:
                    self.queue.appendleft(following)
                self._shrink(indices)
        return self.result

    def _next_batch(self):
        """Pops the next batch, cut down to the current budget if it shrank."""
        parts = batching.fit(self.queue.popleft(), self.lengths, self.budget.tokens)
        for part in reversed(parts[1:]):
            self.queue.appendleft(part)
        return parts[0]

    def _stage(self, indices):
        batch = [self.token_lists[i] for i in indices]
        rows = tokens.collate(batch, self.pad_id, self.pool_specials)
        host = tuple(self.ctx.host_tensor(r) for r in rows)
        moved, event = self.ctx.upload(host)
        return _Staged(indices, host, moved, event)

    def _attempt(self, indices, current, following):
        """Runs one batch (prefetching the next); returns (ok, staged next batch)."""
        try:
            if current is None:
                current = self._stage(indices)
            staged_next = self._stage(following) if following is not None else None
            self._compute(current)
            return True, staged_next
        except torch.cuda.OutOfMemoryError:
            pass  # handled by the caller once this frame's tensors are gone
        return False, None

    def _compute(self, staged):
        ids, attention, pool = self.ctx.ready(staged)
        hidden = self.model(input_ids=ids, attention_mask=attention)[0]
        pooled = masked_mean(hidden, pool)
        del hidden
        index = torch.tensor(staged.indices, dtype=torch.long)
        self.result.index_copy_(0, index, pooled.cpu())
        self.ctx.batch_done()

    def _shrink(self, indices):
        """After an OOM: free memory, halve the budget, retry `indices` in pieces."""
        self.ctx.free_cache()
        size = batching.padded_tokens([self.lengths[i] for i in indices])
        if len(indices) <= 1:
            raise CudaOomFatal(f"CUDA out of memory at the smallest batch size ({size} tokens)")
        smaller = max(1, size // 2)
        self.log.info(f"CUDA out of memory at batch of {size} tokens; reducing batch size to {smaller}")
        self.budget.tokens = smaller
        self.queue.appendleft(indices)


def embed(model, token_lists, pad_id, pool_specials, budget, ctx, log):
    """Mean-pooled encoder features of each token list: an (N, hidden) float32 CPU tensor."""
    return _Embedder(model, token_lists, pad_id, pool_specials, budget, ctx, log).run()


def fit_width(features, width):
    """Zero-pads or cuts (N, d) features to (N, width); see presets."""
    d = features.shape[1]
    if d == width:
        return features
    if d > width:
        return features[:, :width].contiguous()
    return torch.nn.functional.pad(features, (0, width - d))


def merge(dna, protein, dna_width, protein_width):
    """Concatenates DNA and protein features per frame (VirNucPro's merge_data)."""
    return torch.cat((fit_width(dna, dna_width), fit_width(protein, protein_width)), dim=1)


def predict(mlp, merged, ctx, batch_size=256):
    """Softmax probabilities (N, 2) of the MLP, in batches of 256 as VirNucPro's loader."""
    probabilities = torch.empty((merged.shape[0], 2), dtype=torch.float32)
    for start in range(0, merged.shape[0], batch_size):
        x = merged[start : start + batch_size].to(ctx.device)
        probabilities[start : start + x.shape[0]] = torch.softmax(mlp(x), dim=1).float().cpu()
    return probabilities
