"""Batches: the step count of both backends (pure), and the PyTorch recipe's length-bucketed
order (pure) and padding collate (torch).

The order of an epoch is a pure function of ``(seed, epoch)``, so a resumed run only needs
the epoch and the batch index to continue exactly where it stopped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodedExample

if TYPE_CHECKING:
    import torch

IGNORE_INDEX = -100
# Examples are sorted by length inside windows of this many batches: batches hold similar
# lengths (little padding) while the epoch stays well shuffled.
BUCKET_WINDOW = 50


def batches_per_epoch(n_examples: int, batch_size: int) -> int:
    """Batches in one pass over ``n_examples``: a short last batch is trained, not dropped."""
    return math.ceil(n_examples / batch_size)


def total_steps(cfg: TrainConfig, n_examples: int) -> int | None:
    """Optimizer steps of a run; None when only the time budget bounds it.

    ``epochs`` rounds up to whole steps: the last step tops its accumulation window up with
    the first batches of the next epoch (both loops read their batches as one endless stream),
    so every example of every epoch is trained.
    """
    by_epochs = None
    if cfg.epochs is not None:
        # One step of N processes at batch b takes the batches one process at N x b would.
        per_epoch = batches_per_epoch(n_examples, cfg.batch_size * cfg.processes)
        by_epochs = math.ceil(cfg.epochs * per_epoch / cfg.gradient_accumulation_steps)
    limits = [s for s in (cfg.max_steps, by_epochs) if s is not None]
    return min(limits) if limits else None


def epoch_batches(
    lengths: Sequence[int], batch_size: int, *, seed: int, epoch: int
) -> list[list[int]]:
    """Index batches of one epoch: shuffled, bucketed by length, batch order shuffled."""
    rng = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * BUCKET_WINDOW
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


@dataclass
class BatchOrder:
    """A run's place in its epochs: ``next()`` gives the next batch's rows, rolling over epochs.

    ``(epoch, cursor)`` is all a checkpoint needs to continue exactly here.
    """

    lengths: Sequence[int]
    batch_size: int
    seed: int
    epoch: int = 0
    cursor: int = 0

    def __post_init__(self) -> None:
        self._order = epoch_batches(self.lengths, self.batch_size, seed=self.seed, epoch=self.epoch)

    def next(self) -> list[int]:
        """The rows of the next batch."""
        if self.cursor >= len(self._order):
            self.epoch, self.cursor = self.epoch + 1, 0
            self._order = epoch_batches(
                self.lengths, self.batch_size, seed=self.seed, epoch=self.epoch
            )
        rows = self._order[self.cursor]
        self.cursor += 1
        return rows


@dataclass
class Batch:
    """Right-padded tensors of one micro-batch."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor  # the token ids where the loss applies, IGNORE_INDEX elsewhere
    tokens: int  # non-pad tokens
    target_tokens: int  # tokens that carry loss


def collate(examples: Sequence[EncodedExample], pad_id: int) -> Batch:
    """Pad to the longest example; labels are -100 on prompt and padding."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    attn = torch.zeros((len(examples), width), dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    tokens = targets = 0
    for row, ex in enumerate(examples):
        n = len(ex.input_ids)
        ids[row, :n] = torch.tensor(ex.input_ids)
        attn[row, :n] = 1
        mask = torch.tensor(ex.loss_mask, dtype=torch.bool)
        labels[row, :n] = torch.where(mask, ids[row, :n], IGNORE_INDEX)
        tokens += n
        targets += int(mask.sum())
    return Batch(ids, attn, labels, tokens, targets)
