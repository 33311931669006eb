"""Data parallelism on one CPU host: ``processes`` ranks that step in lockstep over gloo.

Every rank holds the whole model and walks the same batch order, drawn for batches of
N x ``batch_size``; rank r takes every N-th example of each (they are sorted by length, so the
ranks get equal work). Gradients are summed in one all-reduce per step, so N processes at
``batch_size`` b make exactly the updates of one process at N x b
(tests/training/test_parallel.py checks the losses match). Rank 0 owns the files (metrics,
checkpoints, final model) and the clock of the time budget; a stop (signal, budget) seen by any
rank stops all of them at the same step.

On these 2-core machines one thread per process is what puts the second core to work: two
threads inside one process gain little at the tiny models' matrix sizes.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import torch
import torch.distributed as dist

from tunix_rt.errors import InvalidInput
from tunix_rt.training.config import TrainConfig

T = TypeVar("T")
# How long a rank waits for the others (start-up, a collective) before it gives up.
TIMEOUT = timedelta(minutes=5)
# Rank 0 gives the other ranks this long to exit once it has finished.
JOIN_S = 60.0


@dataclass(frozen=True)
class Ranks:
    """This process's place in the group; one process (the default) makes every call a no-op."""

    rank: int = 0
    world: int = 1

    @property
    def leader(self) -> bool:
        """Whether this rank writes files and prints."""
        return self.rank == 0

    def sum(self, *values: float) -> list[float]:
        """``values`` summed over the ranks."""
        if self.world == 1:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64)
        dist.all_reduce(t)
        return [float(v) for v in t.tolist()]

    def sum_gradients(self, params: Sequence[torch.nn.Parameter], loss: float) -> float:
        """Sum every parameter's gradient (and this rank's ``loss``) over the ranks, in place."""
        if self.world == 1:
            return loss
        grads = []
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            grads.append(p.grad)
        flat = torch.cat([g.reshape(-1).float() for g in grads] + [torch.tensor([loss])])
        dist.all_reduce(flat)
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()
        return float(flat[-1])

    def barrier(self) -> None:
        """Wait until every rank gets here."""
        if self.world > 1:
            dist.barrier()

    def same_weights(self, model: torch.nn.Module) -> None:
        """Give every rank rank 0's weights (they start equal by seed; this makes it certain)."""
        if self.world > 1:
            for tensor in model.state_dict().values():
                dist.broadcast(tensor, src=0)


Body = Callable[[TrainConfig, bool, Ranks], T]


def launch(cfg: TrainConfig, resume: bool, body: Body[T]) -> T:
    """Run ``body`` on ``cfg.processes`` ranks; this process is rank 0 and returns its result.

    ``body`` must be a module-level function (the other ranks are spawned interpreters).
    """
    if cfg.processes == 1:
        return body(cfg, resume, Ranks())
    if torch.cuda.is_available():
        raise InvalidInput(
            "processes: data-parallel processes are for CPU hosts; on a GPU use processes: 1"
        )
    if cfg.output_dir is None:
        raise InvalidInput("output_dir: required to run training")
    Path(cfg.output_dir).mkdir(parents=True, exist_ok=True)
    store = Path(cfg.output_dir) / f".rendezvous-{uuid.uuid4().hex}"
    ctx = multiprocessing.get_context("spawn")
    others = [
        ctx.Process(target=_rank_main, args=(body, cfg, resume, r, store), name=f"rank-{r}")
        for r in range(1, cfg.processes)
    ]
    for proc in others:
        proc.start()
    try:
        _join_group(store, 0, cfg.processes)
        try:
            result = body(cfg, resume, Ranks(0, cfg.processes))
        except RuntimeError as exc:  # a collective failed: say which rank went away
            raise RuntimeError(f"{exc}; {_exit_codes(others, 0.0)}") from exc
        finally:
            dist.destroy_process_group()
        codes = _exit_codes(others, JOIN_S)
        if any(p.exitcode != 0 for p in others):
            raise RuntimeError(f"data-parallel ranks failed: {codes}")
        return result
    finally:
        for proc in others:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        store.unlink(missing_ok=True)


def _join_group(store: Path, rank: int, world: int) -> None:
    # Loopback only: the ranks share one host.
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    dist.init_process_group(
        "gloo", init_method=store.as_uri(), rank=rank, world_size=world, timeout=TIMEOUT
    )


def _rank_main(body: Body[object], cfg: TrainConfig, resume: bool, rank: int, store: Path) -> None:
    _join_group(store, rank, cfg.processes)
    try:
        body(cfg, resume, Ranks(rank, cfg.processes))
    finally:
        dist.destroy_process_group()


def _exit_codes(procs: Sequence[multiprocessing.process.BaseProcess], wait_s: float) -> str:
    for proc in procs:
        proc.join(wait_s)
    return ", ".join(f"{p.name} exit code {p.exitcode}" for p in procs)
