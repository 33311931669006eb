"""The ``train`` job kind: materialise the data, write the config, run the recipe subprocess."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from tunix_rt.datasets import service as dataset_service
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.jobs import grpo
from tunix_rt.registry import service as registry_service
from tunix_rt.runs import service as runs_service
from tunix_rt.runs.handlers import JobContext, JobFailed
from tunix_rt.runs.metrics import MetricsTail
from tunix_rt.runs.models import RunLog, RunMetric
from tunix_rt.training.config import TrainConfig, load_config

STDERR_TAIL_LINES = 40


async def resolve_model(ctx: JobContext, cfg: TrainConfig) -> TrainConfig:
    """Point a ``registry://`` model at its directory in the registry's store."""
    if not cfg.model.startswith(registry_service.URI_PREFIX):
        return cfg
    async with session_scope(ctx.sessionmaker) as session:
        version = await registry_service.resolve_uri(session=session, uri=cfg.model)
    await ctx.log(f"model {cfg.model}: version {version.label}, sha256 {version.sha256}")
    doc = {**cfg.model_dump(mode="json"), "model": version.storage_path}
    return TrainConfig.model_validate(doc)


async def materialise(ctx: JobContext, cfg: TrainConfig) -> TrainConfig:
    """Export ``dataset`` to ``{run_dir}/data.jsonl`` (trace format); point the config at it."""
    if cfg.dataset is None:
        return cfg
    path = ctx.run_dir / "data.jsonl"
    async with session_scope(ctx.sessionmaker) as session:
        exported = await dataset_service.export_to_file(
            session=session, key=cfg.dataset, fmt="trace", path=path
        )
    await ctx.log(
        f"dataset {cfg.dataset}: {exported.count} records, {exported.bytes} bytes, "
        f"sha256 {exported.sha256}"
    )
    return cfg.with_data_file(path)


def write_config(run_dir: Path, cfg: TrainConfig) -> Path:
    """``{run_dir}/config.yaml`` with ``output_dir`` = the run directory."""
    doc = cfg.model_dump(mode="json")
    doc["output_dir"] = str(run_dir)
    final = TrainConfig.model_validate(doc)
    path = run_dir / "config.yaml"
    path.write_text(yaml.safe_dump(final.model_dump(mode="json"), sort_keys=False))
    return path


def _has_checkpoint(run_dir: Path) -> bool:
    ckpts = run_dir / "checkpoints"
    return ckpts.is_dir() and any(p.is_dir() for p in ckpts.iterdir())


async def _stderr_tail(ctx: JobContext) -> str:
    if ctx.run_id is None:
        return ""
    if ctx.sink is not None:
        await ctx.sink.flush()
    async with ctx.sessionmaker() as session:
        rows = await session.scalars(
            select(RunLog.line)
            .where(RunLog.run_id == ctx.run_id, RunLog.stream == "stderr")
            .order_by(RunLog.seq.desc())
            .limit(STDERR_TAIL_LINES)
        )
        return "\n".join(reversed(rows.all()))


async def _last_events(ctx: JobContext) -> dict[str, Any]:
    if ctx.run_id is None:
        return {}
    last: dict[str, Any] = {}
    async with ctx.sessionmaker() as session:
        rows = await session.scalars(
            select(RunMetric).where(RunMetric.run_id == ctx.run_id).order_by(RunMetric.seq)
        )
        for row in rows:
            last[row.event] = row.data
    return last


async def _run_recipe(ctx: JobContext, config_path: Path) -> int:
    argv = [sys.executable, "-m", "tunix_rt.training", "--config", str(config_path)]
    if ctx.attempt > 1 and _has_checkpoint(ctx.run_dir):
        argv.append("--resume")
        await ctx.log(f"attempt {ctx.attempt}: resuming from the latest checkpoint")
    if ctx.run_id is None:
        return await ctx.run_subprocess(argv)
    tail = MetricsTail(
        run_id=ctx.run_id, path=ctx.run_dir / "metrics.jsonl", sessionmaker=ctx.sessionmaker
    )
    await tail.start()
    stop = asyncio.Event()
    follower = asyncio.create_task(tail.follow(stop))
    try:
        return await ctx.run_subprocess(argv)
    finally:
        stop.set()  # the follower finishes its poll; then the last lines are read
        await follower
        await tail.poll()


async def train_job(ctx: JobContext) -> dict[str, Any]:
    """Train per the run's config (the job payload) with ``python -m tunix_rt.training``."""
    try:
        cfg = load_config(ctx.payload)
    except Exception as exc:  # validated at submit time; a changed schema lands here
        raise JobFailed(f"invalid training config: {exc}") from None
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    cfg = await materialise(ctx, await resolve_model(ctx, cfg))
    cfg = await grpo.guard_prompts(ctx, await grpo.resolve_init_from(ctx, cfg))
    config_path = write_config(ctx.run_dir, cfg)
    code = await _run_recipe(ctx, config_path)
    if ctx.cancelled.is_set():
        return {"exit_code": code, "cancelled": True}
    if code != 0:
        tail = await _stderr_tail(ctx)
        raise JobFailed(f"training exited with {code}", exit_code=code, traceback=tail)
    final = ctx.run_dir / "final"
    return {
        "exit_code": 0,
        "output_dir": str(ctx.run_dir),
        "final_dir": str(final) if final.is_dir() else None,
        "last": await _last_events(ctx),
        "evaluation_id": await _auto_evaluate(ctx, cfg),
    }


async def _auto_evaluate(ctx: JobContext, cfg: TrainConfig) -> str | None:
    """``eval_set`` in the config: enqueue the evaluation of the trained model."""
    if cfg.eval_set is None or ctx.run_id is None:
        return None
    async with session_scope(ctx.sessionmaker) as session:
        run = await runs_service.get_run(session=session, run_id=ctx.run_id)
        evaluation = await evaluation_service.enqueue_auto_evaluation(
            session=session, settings=ctx.settings, run=run
        )
    if evaluation is None:
        return None
    await ctx.log(f"evaluation {evaluation.id} on eval set {cfg.eval_set} enqueued")
    return str(evaluation.id)
