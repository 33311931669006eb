"""What a GRPO ``train`` run needs from the platform before its recipe starts: the model
directory ``rl.init_from`` names, and the contamination guard on a prompt file."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.contamination import ContaminationIndex
from tunix_rt.db.session import session_scope
from tunix_rt.errors import InvalidInput, NotFound, Problem, TunixRtError
from tunix_rt.registry import service as registry_service
from tunix_rt.runs import service as runs_service
from tunix_rt.runs.handlers import JobContext, JobFailed
from tunix_rt.training import tunix_backend
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.rl.config import is_run_id

GUARDED_FILE = "rl_prompts.jsonl"


async def init_from_dir(*, session: AsyncSession, init_from: str) -> tuple[str, str]:
    """The model directory of a run id or ``registry://`` URI, and a line saying which it is."""
    if init_from.startswith(registry_service.URI_PREFIX):
        version = await registry_service.resolve_uri(session=session, uri=init_from)
        return version.storage_path, f"version {version.label}, sha256 {version.sha256}"
    if not is_run_id(init_from):
        raise InvalidInput(f"rl.init_from: {init_from!r} is not a run id or registry:// URI")
    run = await runs_service.get_run(session=session, run_id=uuid.UUID(init_from))
    final = Path(run.run_dir) / "final"
    if not (final / "config.json").is_file() and not tunix_backend.is_tunix_model_dir(final):
        raise NotFound(f"rl.init_from: run {init_from} has no final/ model")
    return str(final), f"run {run.name!r}, {final}"


def needs_resolving(cfg: TrainConfig) -> bool:
    """Whether ``rl.init_from`` names a run or a registry version (the database resolves it)."""
    rl = cfg.rl
    return rl is not None and rl.init_from is not None and not _is_dir(rl.init_from)


async def init_from_problems(*, session: AsyncSession, cfg: TrainConfig) -> list[Problem]:
    """At submit: an ``rl.init_from`` run id or registry URI that names nothing, by name.

    A run that exists passes even before its ``final/`` is written (it may still be training:
    the worker checks again when the GRPO run starts). A directory that does not exist is
    refused by the config itself (``rl_problems``)."""
    if not needs_resolving(cfg):
        return []
    assert cfg.rl is not None
    init_from = cfg.rl.init_from
    assert init_from is not None
    try:
        if is_run_id(init_from):
            await runs_service.get_run(session=session, run_id=uuid.UUID(init_from))
        else:
            await init_from_dir(session=session, init_from=init_from)
    except TunixRtError as exc:
        return [Problem("config.rl.init_from", exc.message.removeprefix("rl.init_from: "))]
    return []


async def resolved_config(*, session: AsyncSession, cfg: TrainConfig) -> TrainConfig:
    """``cfg`` with ``rl.init_from`` pointed at its model directory (``tunix-rt train``);
    InvalidInput naming ``rl.init_from`` when it names nothing with a model."""
    if not needs_resolving(cfg):
        return cfg
    assert cfg.rl is not None
    assert cfg.rl.init_from is not None
    try:
        path, _ = await init_from_dir(session=session, init_from=cfg.rl.init_from)
    except TunixRtError as exc:
        msg = exc.message.removeprefix("rl.init_from: ")
        problem = Problem("rl.init_from", msg)
        raise InvalidInput("invalid training config", problems=[problem]) from None
    doc = cfg.model_dump(mode="json")
    doc["rl"]["init_from"] = path
    return TrainConfig.model_validate(doc)


async def resolve_init_from(ctx: JobContext, cfg: TrainConfig) -> TrainConfig:
    """Point ``rl.init_from`` at a directory; the run row keeps the id or URI (its lineage)."""
    rl = cfg.rl
    if rl is None or rl.init_from is None or _is_dir(rl.init_from):
        return cfg
    try:
        async with session_scope(ctx.sessionmaker) as session:
            path, what = await init_from_dir(session=session, init_from=rl.init_from)
    except TunixRtError as exc:
        raise JobFailed(str(exc)) from None
    await ctx.log(f"init_from {rl.init_from}: {what}")
    doc = cfg.model_dump(mode="json")
    doc["rl"]["init_from"] = path
    return TrainConfig.model_validate(doc)


async def guard_prompts(ctx: JobContext, cfg: TrainConfig) -> TrainConfig:
    """Drop the RL prompts that overlap an eval set; the recipe reads the guarded copy.

    A dataset was guarded when it was built; checking its export again also covers the eval
    sets registered since, and a ``data_path`` file is checked only here.
    """
    if cfg.algorithm != "grpo" or cfg.data_path is None:
        return cfg
    async with session_scope(ctx.sessionmaker) as session:
        index = ContaminationIndex(await evalsets.all_eval_prompts(session=session))
    if index.eval_item_count == 0:
        return cfg
    kept, dropped = _unguarded(Path(cfg.data_path), index)
    if not dropped:
        return cfg
    path = ctx.run_dir / GUARDED_FILE
    _write_lines(path, kept)
    await ctx.log(f"contamination guard: {dropped} RL prompts overlap an eval set, dropped")
    return cfg.with_data_file(path)


def _is_dir(path: str) -> bool:
    return Path(path).is_dir()


def _unguarded(path: Path, index: ContaminationIndex) -> tuple[list[bytes], int]:
    """The lines of ``path`` whose prompt overlaps no eval prompt, and how many did."""
    kept: list[bytes] = []
    dropped = 0
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return [], 0  # the recipe reports the unreadable file
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            doc = None  # kept: the recipe names the bad line
        prompt = doc.get("prompt") if isinstance(doc, dict) else None
        if isinstance(prompt, str) and index.check(n, prompt) is not None:
            dropped += 1
            continue
        kept.append(line)
    return kept, dropped


def _write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
