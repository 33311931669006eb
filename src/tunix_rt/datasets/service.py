"""Dataset storage: build (immutable versions), read, list, delete, export to a file."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import build as steps
from tunix_rt.datasets import evalsets, exports, inspect, query
from tunix_rt.datasets.build import Prepared
from tunix_rt.datasets.contamination import ContaminationIndex
from tunix_rt.datasets.inspect import InspectOptions
from tunix_rt.datasets.manifest import (
    ContaminationReport,
    dataset_dir,
    hash_lines,
    make_manifest,
    spec_hash,
    split_seed,
    write_files,
)
from tunix_rt.datasets.models import Dataset
from tunix_rt.datasets.query import Record
from tunix_rt.datasets.schemas import DatasetBuild, ExportResult
from tunix_rt.db.base import utcnow
from tunix_rt.errors import Conflict, InvalidInput, InvalidState, NotFound, Problem
from tunix_rt.gcpause import gc_paused

__all__ = [
    "build_dataset",
    "delete_dataset",
    "export_to_file",
    "get_dataset",
    "inspect_dataset",
    "list_datasets",
]


async def get_dataset(*, session: AsyncSession, key: str) -> Dataset:
    """The dataset with this key, or ``NotFound``."""
    dataset = await session.scalar(select(Dataset).where(Dataset.key == key))
    if dataset is None:
        raise NotFound(f"dataset {key!r} not found")
    return dataset


async def list_datasets(
    *, session: AsyncSession, limit: int = 50, offset: int = 0
) -> tuple[list[Dataset], bool]:
    """A page of datasets, newest first, and whether more follow."""
    stmt = select(Dataset).order_by(Dataset.created_at.desc(), Dataset.key)
    found = list(await session.scalars(stmt.offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit


async def count_datasets(*, session: AsyncSession) -> int:
    """Every dataset (the list's total)."""
    return int(await session.scalar(select(func.count()).select_from(Dataset)) or 0)


async def _choose_ids(
    session: AsyncSession, build: DatasetBuild, given: Sequence[uuid.UUID] | None
) -> list[uuid.UUID]:
    """Trace ids in manifest order (before de-duplication and the contamination guard)."""
    if given is not None:
        return list(given)
    candidates = await query.select_candidates(session=session, build=build)
    if build.parent is not None:
        parent = await session.scalar(select(Dataset).where(Dataset.key == build.parent))
        if parent is None:
            raise InvalidInput(problems=[Problem("parent", f"dataset {build.parent!r} not found")])
        allowed = set(parent.trace_ids)
        candidates = [c for c in candidates if str(c.id) in allowed]
    if build.strategy == "random":
        candidates = steps.order_random(candidates, build.seed or 0)
    elif build.strategy == "stratified":
        limit = None if build.dedupe == "prompt" else build.limit
        candidates = steps.order_stratified(candidates, build.seed or 0, limit)
    if build.dedupe != "prompt":
        candidates = steps.first_limit(candidates, build.limit)
    return [c.id for c in candidates]


async def _eval_index(
    session: AsyncSession, build: DatasetBuild
) -> tuple[ContaminationIndex, list[str]]:
    """Every registered eval set's prompts, indexed for the guard, and the sets' names."""
    prompts = await evalsets.all_eval_prompts(session=session)
    index = ContaminationIndex(prompts, n=build.ngram, threshold=build.overlap_threshold)
    return index, sorted({p.eval_set for p in prompts})


def _guard(
    build: DatasetBuild, index: ContaminationIndex, eval_sets: list[str], records: list[Prepared]
) -> tuple[list[Prepared], dict[str, object]]:
    """Report the records' eval-set overlaps (found by ``prepare``); drop them when asked to."""
    overlaps = [
        replace(r.overlap, position=i) for i, r in enumerate(records) if r.overlap is not None
    ]
    report = ContaminationReport(
        eval_sets=eval_sets,
        eval_items=index.eval_item_count,
        overlaps=overlaps,
        excluded=build.exclude_eval_overlap,
    )
    doc = report.to_doc(build, [r.trace_id for r in records])
    if build.exclude_eval_overlap and overlaps:
        records = [r for r in records if r.overlap is None]
    return records, doc


async def _existing(session: AsyncSession, build: DatasetBuild) -> Dataset | None:
    same_version = and_(Dataset.name == build.name, Dataset.version == build.version)
    stmt = select(Dataset).where(or_(same_version, Dataset.key == build.key))
    return await session.scalar(stmt)


def _conflict(build: DatasetBuild, existing: Dataset, what: str) -> Conflict:
    return Conflict(
        f"dataset {build.key!r} already exists with {what} "
        f"(sha256 {existing.content_hash[:12]}); build a new version instead"
    )


def _single_query(build: DatasetBuild) -> bool:
    """Whether SQL alone decides the selection (so content is fetched in the same query)."""
    return build.strategy == "latest" and build.parent is None and build.dedupe != "prompt"


async def _select_records(
    session: AsyncSession, build: DatasetBuild, given: Sequence[uuid.UUID] | None
) -> tuple[list[Prepared], int, dict[str, object]]:
    index, eval_sets = await _eval_index(session, build)

    def ready(records: list[Record]) -> list[Prepared]:
        return steps.prepare(records, index)

    if given is None and _single_query(build):
        records = await query.fetch_latest(session=session, build=build, parse=ready)
    else:
        ids = await _choose_ids(session, build, given)
        records = ready(await query.fetch_records(session=session, ids=ids))
    if given is not None and build.strategy == "random":
        records.sort(key=lambda r: steps.rank(build.seed or 0, r.content_hash))
    records, dropped = steps.dedupe(records, build.dedupe)
    records = steps.first_limit(records, build.limit)
    if not records:
        raise InvalidInput(f"no traces match the filters of dataset {build.key!r}")
    kept, contamination = _guard(build, index, eval_sets, records)
    if not kept:
        raise InvalidInput(f"all {len(records)} selected traces overlap an eval set")
    return kept, dropped, contamination


@dataclass(frozen=True)
class _Selection:
    """A build's records in manifest order, their splits, data (pieces), hash and stats."""

    records: list[Prepared]
    splits: list[str]
    data: list[bytes]
    digest: tuple[str, int]
    stats: dict[str, Any]
    dropped: int
    contamination: dict[str, object]


async def _select(
    session: AsyncSession, build: DatasetBuild, given: Sequence[uuid.UUID] | None
) -> _Selection:
    records, dropped, contamination = await _select_records(session, build, given)
    hashes = [r.content_hash for r in records]
    splits = steps.assign_splits(hashes, build.eval_fraction, split_seed(build))
    data = steps.joined_lines(records, splits)
    stats = steps.record_stats(records, splits, steps.line_sizes(records, splits))
    return _Selection(records, splits, data, hash_lines(data), stats, dropped, contamination)


async def _store(
    session: AsyncSession, build: DatasetBuild, sel: _Selection, home: Path
) -> Dataset:
    """Write ``manifest.json`` and ``data.jsonl`` while the dataset row is inserted."""
    build_id, created_at = uuid.uuid4(), utcnow()
    directory = dataset_dir(home, build.key)
    manifest = make_manifest(
        build=build,
        build_id=build_id,
        created_at=created_at,
        records=sel.records,
        stats=sel.stats,
        contamination=sel.contamination,
        digest=sel.digest,
        dedupe_dropped=sel.dropped,
        location=directory,
    )
    ids = [str(r.trace_id) for r in sel.records]
    writing = asyncio.get_running_loop().run_in_executor(
        None, write_files, directory, sel.data, manifest, ids
    )
    dataset = Dataset(
        key=build.key,
        name=build.name,
        version=build.version,
        build_id=build_id,
        content_hash=sel.digest[0],
        spec_hash=manifest["spec_hash"],
        strategy=build.strategy,
        seed=build.seed,
        record_count=len(sel.records),
        train_count=manifest["split"]["train"],
        eval_count=manifest["split"]["eval"],
        parent_key=build.parent,
        manifest=manifest,
        trace_ids=ids,
        splits="".join(s[0] for s in sel.splits),
        created_at=created_at,
    )
    session.add(dataset)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"dataset {build.key!r} was built concurrently") from exc
    finally:
        # The files are complete (or their error raised) before the build returns.
        await writing
    return dataset


async def build_dataset(
    *,
    session: AsyncSession,
    build: DatasetBuild,
    home: Path,
    trace_ids: Sequence[uuid.UUID] | None = None,
) -> tuple[Dataset, bool]:
    """Build (or find) a dataset version; returns ``(dataset, created)``.

    The same name and version with different content (or a different recipe) is a
    ``Conflict``; identical content returns the existing dataset.
    """
    existing = await _existing(session, build)
    if existing is not None and existing.spec_hash != spec_hash(build):
        raise _conflict(build, existing, "a different build recipe")
    with gc_paused():
        selection = await _select(session, build, trace_ids)
        if existing is not None:
            if existing.content_hash != selection.digest[0]:
                raise _conflict(build, existing, "different content")
            return existing, False
        dataset = await _store(session, build, selection, home)
        # Freed while the collector is paused, so its first run after does not scan them all.
        del selection
        return dataset, True


async def full_manifest(*, session: AsyncSession, key: str) -> dict[str, object]:
    """The manifest with its trace-id list (as in ``manifest.json``)."""
    dataset = await get_dataset(session=session, key=key)
    await session.refresh(dataset, ["trace_ids"])
    return {**dataset.manifest, "trace_ids": dataset.trace_ids}


async def delete_dataset(*, session: AsyncSession, key: str, used_by_runs: int) -> None:
    """Delete an unused dataset and its files; one that runs use is ``InvalidState``.

    ``used_by_runs``: how many runs name the dataset (the caller asks the runs service).
    """
    dataset = await get_dataset(session=session, key=key)
    if used_by_runs:
        raise InvalidState(f"dataset {key!r} is used by {used_by_runs} run(s)")
    location = Path(str(dataset.manifest.get("location", "")))
    await session.delete(dataset)
    await session.flush()
    await asyncio.to_thread(_remove_dir, location, key)


def _remove_dir(location: Path, key: str) -> None:
    # Only the dataset's own directory (named for its key) is ever removed.
    if location.name == key and location.is_dir():
        shutil.rmtree(location, ignore_errors=True)


async def export_to_file(
    *, session: AsyncSession, key: str, fmt: str, path: Path, split: str | None = None
) -> ExportResult:
    """Write the dataset in ``fmt`` to ``path`` (manifest order); returns count, sha256, bytes."""
    dataset = await get_dataset(session=session, key=key)
    source = await exports.open_source(session=session, dataset=dataset)
    options = exports.ExportOptions.parse(fmt=fmt, split=split)
    return await asyncio.to_thread(exports.write_file, source, options, path)


async def inspect_dataset(
    *,
    session: AsyncSession,
    key: str,
    tokenizer: str,
    options: InspectOptions,
    max_records: int = 10_000,
    split: str | None = None,
) -> dict[str, object]:
    """Token-level preview and lint of a dataset's records (``tokenizer``: "char" or a dir)."""
    dataset = await get_dataset(session=session, key=key)
    source = await exports.open_source(session=session, dataset=dataset)
    report = await asyncio.to_thread(
        inspect.preview,
        source.records(),
        tokenizer=tokenizer,
        options=options,
        max_records=max_records,
        split=split,
    )
    return {"key": key, **report}
