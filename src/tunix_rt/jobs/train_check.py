"""Before a training run is queued (or dry-run): resolve its model and tokenizer, and check that
``max_seq_length`` leaves a completion token to learn in at least one example."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import service as dataset_service
from tunix_rt.errors import NotFound, Problem
from tunix_rt.jobs import grpo
from tunix_rt.registry import service as registry_service
from tunix_rt.training import preflight
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import TraceRow, load_rows


def needs_database(cfg: TrainConfig) -> bool:
    """Whether checking ``cfg`` reads the database (a dataset key, a registry model, or an
    ``rl.init_from`` run id or registry URI)."""
    return (
        cfg.dataset is not None
        or cfg.model.startswith(registry_service.URI_PREFIX)
        or grpo.needs_resolving(cfg)
    )


async def _model_dir(session: AsyncSession | None, cfg: TrainConfig) -> str | None:
    if cfg.is_preset:
        return None
    if session is not None and cfg.model.startswith(registry_service.URI_PREFIX):
        try:
            version = await registry_service.resolve_uri(session=session, uri=cfg.model)
        except NotFound:
            return None  # reported with the other references (train_submit)
        return version.storage_path
    return cfg.model


async def _train_rows(session: AsyncSession | None, cfg: TrainConfig) -> list[TraceRow]:
    if session is not None and cfg.dataset is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.jsonl"
            await dataset_service.export_to_file(
                session=session, key=cfg.dataset, fmt="trace", path=path, split="train"
            )
            rows = await asyncio.to_thread(load_rows, path)
    elif cfg.data_path is not None:
        rows = await asyncio.to_thread(load_rows, cfg.data_path)
    else:
        rows = []
    return [r for r in rows if r.split == "train"]


def _fit(cfg: TrainConfig, model_dir: str | None, rows: list[TraceRow]) -> preflight.Resolved:
    try:
        tokenizer = preflight.load_tokenizer(cfg, model_dir, rows)
    except (OSError, ValueError) as exc:
        return preflight.Resolved([], [Problem("config.tokenizer", f"cannot load: {exc}")])
    fit = preflight.length_fit(cfg, rows, tokenizer)
    line = (
        f"max_seq_length {cfg.max_seq_length}: {fit.whole} of {fit.examples} training examples "
        f"fit whole, {fit.dropped} would be dropped"
    )
    return preflight.Resolved([line], preflight.fit_problems(cfg, fit))


async def check_model_and_length(
    *, session: AsyncSession | None, cfg: TrainConfig
) -> preflight.Resolved:
    """The model and tokenizer resolved (checks) or refused (problems), then the length fit.

    ``session`` may be None when ``needs_database(cfg)`` is False (``tunix-rt train``)."""
    if session is not None:
        refused = await grpo.init_from_problems(session=session, cfg=cfg)
        if refused:
            return preflight.Resolved([], refused)
    model_dir = await _model_dir(session, cfg)
    resolved = preflight.resolve(cfg, model_dir)
    if resolved.problems:
        return resolved
    rows = await _train_rows(session, cfg)
    if not rows:
        return resolved
    fit = await asyncio.to_thread(_fit, cfg, model_dir, rows)
    return preflight.Resolved(resolved.checks + fit.checks, fit.problems)
