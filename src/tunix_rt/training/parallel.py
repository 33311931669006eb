"""Data parallelism on one CPU host: ``processes`` ranks that step in lockstep over gloo.

Every rank holds the whole model and walks the same batch order, drawn for batches of
N x ``batch_size``; rank r takes every N-th example of each (they are sorted by length, so the
ranks get equal work). Gradients are summed in one all-reduce per step, so N processes at
``batch_size`` b make exactly the updates of one process at N x b
(tests/training/test_parallel.py checks the losses match). Rank 0 owns the files (metrics,
checkpoints, final model) and the clock of the time budget; a stop (signal, budget) seen by any
rank stops all of them at the same step.

On these 2-core machines one thread per process is what puts the second core to work: two
threads inside one process gain little at the tiny models' matrix sizes. The per-step sums
(gradients, the stop check) go through a shared-memory block and a semaphore barrier rather
than gloo: the ranks share one host, and a gloo all-reduce of a 0.5M-parameter gradient over
loopback TCP (3 ms, plus 0.4 ms for the stop check) cost a tiny model's 2-process run about a
third of its throughput (docs/results.md). Gloo still starts the group and broadcasts.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.shared_memory import SharedMemory
from multiprocessing.synchronize import Barrier
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


class SharedSum:
    """Sums a vector of fixed length over the ranks of one host through shared memory.

    Each rank writes its vector into its own slot and waits at the barrier; then every rank
    adds the slots in rank order (the same float result everywhere). Two sets of slots are
    used in turn, so a rank that is one call ahead never overwrites slots another rank is
    still reading: no second barrier is needed.
    """

    def __init__(self, ranks: Ranks, size: int, dtype: torch.dtype) -> None:
        assert ranks.sync is not None
        self.rank, self.sync, self.leader = ranks.rank, ranks.sync, ranks.leader
        nbytes = 2 * ranks.world * size * torch.empty((), dtype=dtype).element_size()
        block = SharedMemory(create=True, size=nbytes) if ranks.leader else None
        names = [block.name if block else None]
        dist.broadcast_object_list(names, src=0)
        self.block = block or SharedMemory(name=names[0])
        self.slots = torch.frombuffer(self.block.buf, dtype=dtype).view(2, ranks.world, size)
        self.turn = 0

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        slots = self.slots[self.turn]
        self.turn ^= 1
        slots[self.rank].copy_(values)
        try:
            self.sync.wait(TIMEOUT.total_seconds())
        except threading.BrokenBarrierError:
            raise RuntimeError("a data-parallel rank stopped answering") from None
        return slots.sum(0)

    def close(self) -> None:
        """Release the block (the leader also removes it)."""
        del self.slots
        self.block.close()
        if self.leader:
            self.block.unlink()


@dataclass(frozen=True)
class Ranks:
    """This process's place in the group; one process (the default) makes every call a no-op."""

    rank: int = 0
    world: int = 1
    sync: Barrier | None = None  # the host's barrier for the shared-memory sums
    _sums: dict[tuple[int, torch.dtype], SharedSum] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def leader(self) -> bool:
        """Whether this rank writes files and prints."""
        return self.rank == 0

    def _summed(self, values: torch.Tensor) -> torch.Tensor:
        if self.sync is None:  # a group without a shared barrier: gloo
            dist.all_reduce(values)
            return values
        key = (values.numel(), values.dtype)
        if key not in self._sums:
            self._sums[key] = SharedSum(self, *key)
        return self._sums[key](values)

    def sum(self, *values: float) -> list[float]:
        """``values`` summed over the ranks."""
        if self.world == 1:
            return list(values)
        total = self._summed(torch.tensor(values, dtype=torch.float64))
        return [float(v) for v in total.tolist()]

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
        total = self._summed(flat)
        offset = 0
        for g in grads:
            g.copy_(total[offset : offset + g.numel()].view_as(g))
            offset += g.numel()
        return float(total[-1])

    def close(self) -> None:
        """Release the shared-memory blocks of this rank."""
        for shared in self._sums.values():
            shared.close()
        self._sums.clear()

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


def launch(cfg: TrainConfig, resume: bool, body: Body[T], *, shared_sums: bool = True) -> T:
    """Run ``body`` on ``cfg.processes`` ranks; this process is rank 0 and returns its result.

    ``body`` must be a module-level function (the other ranks are spawned interpreters).
    ``shared_sums=False`` sums over gloo instead of shared memory (bench/train.py compares).
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
    sync = ctx.Barrier(cfg.processes) if shared_sums else None
    others = [
        ctx.Process(target=_rank_main, args=(body, cfg, resume, r, store, sync), name=f"rank-{r}")
        for r in range(1, cfg.processes)
    ]
    for proc in others:
        proc.start()
    try:
        _join_group(store, 0, cfg.processes)
        ranks = Ranks(0, cfg.processes, sync)
        try:
            result = body(cfg, resume, ranks)
        except RuntimeError as exc:  # a collective failed: say which rank went away
            if sync is not None:
                sync.abort()
            raise RuntimeError(f"{exc}; {_exit_codes(others, 5.0)}") from exc
        finally:
            ranks.close()
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


def _rank_main(
    body: Body[object],
    cfg: TrainConfig,
    resume: bool,
    rank: int,
    store: Path,
    sync: Barrier | None,
) -> None:
    _join_group(store, rank, cfg.processes)
    ranks = Ranks(rank, cfg.processes, sync)
    try:
        body(cfg, resume, ranks)
    except BaseException:
        if sync is not None:
            sync.abort()  # the other ranks stop waiting for this one
        raise
    finally:
        ranks.close()
        dist.destroy_process_group()


def _exit_codes(procs: Sequence[multiprocessing.process.BaseProcess], wait_s: float) -> str:
    for proc in procs:
        proc.join(wait_s)
    return ", ".join(f"{p.name} exit code {p.exitcode}" for p in procs)
