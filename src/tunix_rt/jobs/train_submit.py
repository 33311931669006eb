"""``POST /api/tunix/run``: validate a training request (or dry-run it) and enqueue it."""

from __future__ import annotations

import os
import shutil
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import evalsets
from tunix_rt.datasets import service as dataset_service
from tunix_rt.errors import InvalidInput, NotFound, Problem, Unavailable
from tunix_rt.jobs.train_check import check_model_and_length
from tunix_rt.registry import service as registry_service
from tunix_rt.runs import service
from tunix_rt.runs.backends import backend_statuses
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings
from tunix_rt.training import exposure
from tunix_rt.training.config import TrainConfig, load_config

# The request's config is any mapping here and is checked by ``load_config`` in the route, so
# every bad key comes back as one ``config.<key>`` problem; the schema still describes it.
_MAPPING = TypeAdapter(dict[str, Any])
ConfigDoc = Annotated[
    dict[str, Any], PlainValidator(_MAPPING.validate_python, json_schema_input_type=TrainConfig)
]


class TrainRunRequest(BaseModel):
    """A training run: its config (interfaces.md §4) and how to submit it."""

    model_config = ConfigDict(extra="forbid")

    config: ConfigDoc
    name: str | None = Field(default=None, min_length=1, max_length=200)
    # Validate dataset, config and output location; train nothing.
    dry_run: bool = False
    priority: int = Field(default=0, ge=-1000, le=1000)
    # A worker lost mid-run is retried (resuming from the last checkpoint) up to this many times.
    max_attempts: int = Field(default=2, ge=1, le=10)


class DryRunReport(BaseModel):
    """What a dry run checked; every check passed (a failure is an error response)."""

    dry_run: Literal[True] = True
    valid: Literal[True] = True
    config: TrainConfig
    checks: list[str]


def _config(body: TrainRunRequest) -> TrainConfig:
    try:
        return load_config(body.config)
    except InvalidInput as exc:
        problems = [Problem(f"config.{p.loc}" if p.loc else "config", p.msg) for p in exc.problems]
        raise InvalidInput(exc.message, problems=problems) from None


async def _reference_problems(session: AsyncSession, cfg: TrainConfig) -> list[Problem]:
    out: list[Problem] = []
    if cfg.dataset is not None:
        try:
            await dataset_service.get_dataset(session=session, key=cfg.dataset)
        except NotFound:
            out.append(Problem("config.dataset", f"dataset {cfg.dataset!r} not found"))
    if cfg.eval_set is not None:
        try:
            await evalsets.get_eval_set(session=session, name=cfg.eval_set)
        except NotFound:
            out.append(Problem("config.eval_set", f"eval set {cfg.eval_set!r} not found"))
    if cfg.model.startswith(registry_service.URI_PREFIX):
        try:
            await registry_service.resolve_uri(session=session, uri=cfg.model)
        except NotFound as exc:
            out.append(Problem("config.model", exc.message))
    return out


def _check_backend_and_storage(cfg: TrainConfig, settings: Settings) -> list[str]:
    backend = next(b for b in backend_statuses() if b.name == cfg.backend)
    if not backend.available:
        raise Unavailable(f"the {cfg.backend} backend is not available: {backend.detail}")
    runs_root = settings.home / "runs"
    try:
        runs_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create the run directory root {runs_root}: {exc}") from None
    if not os.access(runs_root, os.W_OK):
        raise Unavailable(f"the run directory root {runs_root} is not writable")
    free_gb = shutil.disk_usage(runs_root).free / 1e9
    return [
        f"backend {cfg.backend} {backend.version}",
        f"output under {runs_root.resolve()} (writable, {free_gb:.1f} GB free)",
    ]


async def check_train_request(
    *, session: AsyncSession, settings: Settings, body: TrainRunRequest
) -> tuple[TrainConfig, list[str]]:
    """Every problem at once as InvalidInput (422); a missing backend is Unavailable (501).

    The model and tokenizer are resolved and the sequence length checked against the data
    (jobs/train_check.py) once the references exist, so a real submit refuses what a dry run
    does.
    """
    cfg = _config(body)
    problems = exposure.request_problems(cfg, settings, "config")
    problems += await _reference_problems(session, cfg)
    if problems:
        raise InvalidInput("invalid training request", problems=problems)
    resolved = await check_model_and_length(session=session, cfg=cfg)
    if resolved.problems:
        raise InvalidInput("invalid training request", problems=resolved.problems)
    checks = ["config valid"]
    if cfg.dataset is not None:
        checks.append(f"dataset {cfg.dataset} exists")
    if cfg.eval_set is not None:
        checks.append(f"eval set {cfg.eval_set} exists")
    checks.extend(resolved.checks)
    checks.extend(_check_backend_and_storage(cfg, settings))
    return cfg, checks


async def submit_train_run(
    *, session: AsyncSession, settings: Settings, body: TrainRunRequest, mode: str
) -> Run | DryRunReport:
    """A dry-run report, or the queued run (its job's payload is the validated config)."""
    cfg, checks = await check_train_request(session=session, settings=settings, body=body)
    if body.dry_run:
        return DryRunReport(config=cfg, checks=checks)
    doc = cfg.model_dump(mode="json")
    return await service.create_run(
        session=session,
        settings=settings,
        kind="train",
        config=doc,
        name=body.name,
        dataset_key=cfg.dataset,
        model=cfg.model,
        backend=cfg.backend,
        mode=mode,
        priority=body.priority,
        max_attempts=body.max_attempts,
    )
