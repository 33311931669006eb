"""Gather a finished run's parts (run, dataset, evaluation) and write its package zip."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import evalsets
from tunix_rt.datasets import service as dataset_service
from tunix_rt.datasets.evalfile import items_to_jsonl
from tunix_rt.errors import InvalidState, NotFound
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.packaging import archive, contents
from tunix_rt.packaging.layout import MODEL_META
from tunix_rt.runs import service as runs_service
from tunix_rt.runs.models import RunStatus
from tunix_rt.training import records


@dataclass(frozen=True)
class PackageResult:
    """A written package: where, its sha256, size and file count."""

    path: Path
    sha256: str
    size_bytes: int
    file_count: int


def _model_meta(model_dir: Path) -> dict[str, Any]:
    path = model_dir / MODEL_META
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidState(f"{path} is missing or unreadable") from None
    if not isinstance(doc, dict):
        raise InvalidState(f"{path} is not a JSON object")
    return doc


def _checked_file(path_text: str | None, sha256: str | None, what: str) -> Path | None:
    """The run's data file, refused when it is gone or no longer what the run trained on."""
    if path_text is None:
        return None
    path = Path(path_text)
    if not path.is_file():
        raise InvalidState(f"the run's {what} {path} no longer exists")
    if sha256 is not None and archive.file_sha256(path) != sha256:
        raise InvalidState(f"the run's {what} {path} changed since the run (sha256 differs)")
    return path


def _file_manifest(path: Path) -> dict[str, Any]:
    """A dataset manifest for a run trained on a file rather than a stored dataset."""
    data = path.read_bytes()
    return {
        "key": None,
        "source": "file",
        "file": path.name,
        "record_count": sum(1 for line in data.splitlines() if line.strip()),
        "bytes": len(data),
        "sha256": archive.file_sha256(path),
    }


async def _dataset_manifest(session: AsyncSession, key: str | None, data: Path) -> dict[str, Any]:
    if key is None:
        return await asyncio.to_thread(_file_manifest, data)
    try:
        return dict(await dataset_service.full_manifest(session=session, key=key))
    except NotFound:
        return {**(await asyncio.to_thread(_file_manifest, data)), "key": key, "deleted": True}


async def _evaluation(session: AsyncSession, run_id: uuid.UUID) -> contents.EvaluationPart | None:
    try:
        evaluation = await evaluation_service.latest_evaluation(
            session=session, run_id=run_id, succeeded_only=True
        )
    except NotFound:
        return None
    if evaluation.scorecard is None:
        return None
    try:
        items = await evalsets.list_eval_items(session=session, name=evaluation.eval_set)
        items_jsonl: bytes | None = items_to_jsonl(items)
    except NotFound:
        items_jsonl = None
    return contents.EvaluationPart(
        evaluation_id=str(evaluation.id),
        eval_set=evaluation.eval_set,
        judges=list(evaluation.judges),
        primary_judge=evaluation.primary_judge,
        seed=evaluation.seed,
        scorecard=Scorecard.model_validate(evaluation.scorecard),
        items_jsonl=items_jsonl,
    )


@dataclass(frozen=True)
class _RunFiles:
    manifest: records.RunManifest
    model_meta: dict[str, Any]
    data: Path
    eval_data: Path | None


def _run_files(run_id: uuid.UUID, run_dir: Path) -> _RunFiles:
    """The run directory's manifest, final model and data files, checked."""
    model_dir = run_dir / "final"
    if not model_dir.is_dir():
        raise InvalidState(f"run {run_id} has no checkpoint (no final model in {model_dir})")
    manifest = records.read_manifest(run_dir)
    if manifest is None:
        raise InvalidState(f"run {run_id} has no readable {records.MANIFEST_FILE}")
    meta = _model_meta(model_dir)
    contents.check_checkpoint(model_dir, manifest.backend, meta)
    cfg = manifest.config
    data = _checked_file(cfg.data_path, manifest.data_sha256, "data_path")
    if data is None:
        raise InvalidState(f"run {run_id} names no data file to reproduce it from")
    eval_data = _checked_file(cfg.eval_data_path, manifest.eval_data_sha256, "eval_data_path")
    return _RunFiles(manifest, meta, data, eval_data)


async def gather(*, session: AsyncSession, run_id: uuid.UUID) -> contents.PackageSource:
    """Everything a package holds, checked: a succeeded run with a final model and its data."""
    run = await runs_service.get_run(session=session, run_id=run_id)
    if run.status != RunStatus.SUCCEEDED:
        raise InvalidState(f"run {run_id} is {run.status}; only a succeeded run can be packaged")
    run_dir = Path(run.run_dir)
    found = await asyncio.to_thread(_run_files, run_id, run_dir)
    dataset_key = run.dataset_key or found.manifest.config.dataset
    return contents.PackageSource(
        run_id=str(run.id),
        run_name=run.name,
        run_dir=run_dir,
        manifest=found.manifest,
        model_meta=found.model_meta,
        data_file=found.data,
        eval_data_file=found.eval_data,
        dataset_manifest=await _dataset_manifest(session, dataset_key, found.data),
        evaluation=await _evaluation(session, run.id),
    )


async def build_package(
    *, session: AsyncSession, run_id: uuid.UUID, out: Path, force: bool
) -> PackageResult:
    """Write the run's package to ``out`` (atomically; an existing ``out`` needs ``force``)."""
    source = await gather(session=session, run_id=run_id)
    entries = await asyncio.to_thread(contents.entries, source)
    digest, size = await asyncio.to_thread(archive.write_zip, entries, out, force=force)
    return PackageResult(path=out, sha256=digest, size_bytes=size, file_count=len(entries))
