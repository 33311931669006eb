"""Job kinds that span domains, and the one table of handlers a worker is given."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tunix_rt.jobs.evaluate import evaluate_job
from tunix_rt.jobs.sweep import sweep_job
from tunix_rt.jobs.train import train_job
from tunix_rt.runs.builtin_jobs import BUILTIN_HANDLERS
from tunix_rt.runs.handlers import Handler

# Every kind a worker started by ``tunix-rt serve``, ``tunix-rt worker`` or the demo runs.
# A new kind of work is a module in this package and one line here.
HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "train": train_job,
        "evaluate": evaluate_job,
        "sweep": sweep_job,
        **BUILTIN_HANDLERS,
    }
)

__all__ = ["HANDLERS"]
