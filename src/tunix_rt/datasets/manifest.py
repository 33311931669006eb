"""The dataset manifest document and the files beside it (``manifest.json``, ``data.jsonl``)."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tunix_rt import __version__
from tunix_rt.datasets.contamination import Overlap
from tunix_rt.datasets.schemas import DatasetBuild

DATA_FILE = "data.jsonl"
MANIFEST_FILE = "manifest.json"
RECORD_FORMAT = "tunix-rt.trace-jsonl/1"
# The manifest lists at most this many overlaps one by one; the count is always exact.
MAX_LISTED_OVERLAPS = 1000


def dataset_dir(home: Path, key: str) -> Path:
    """Where a dataset's files live: ``{home}/datasets/{key}/``."""
    return home / "datasets" / key


def hash_lines(lines: Sequence[bytes]) -> tuple[str, int]:
    """sha256 and byte count of the record lines (or pieces of them), in order.

    The same as ``sha256sum data.jsonl``.
    """
    digest = hashlib.sha256()
    size = 0
    for line in lines:
        digest.update(line)
        size += len(line)
    return digest.hexdigest(), size


def spec_hash(build: DatasetBuild) -> str:
    """sha256 of the content-deciding part of the build request."""
    return hashlib.sha256(orjson.dumps(build.spec(), option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True)
class ContaminationReport:
    """What the guard found for one build."""

    eval_sets: list[str]
    eval_items: int
    overlaps: list[Overlap]
    excluded: bool

    def to_doc(self, build: DatasetBuild, ids: Sequence[uuid.UUID]) -> dict[str, Any]:
        listed = [
            {
                "position": o.position,
                "trace_id": str(ids[o.position]),
                "eval_set": o.eval_set,
                "item_id": o.item_id,
                "exact": o.exact,
                "containment": o.containment,
            }
            for o in self.overlaps[:MAX_LISTED_OVERLAPS]
        ]
        return {
            "eval_sets": self.eval_sets,
            "eval_items": self.eval_items,
            "ngram": build.ngram,
            "threshold": build.overlap_threshold,
            "overlap_count": len(self.overlaps),
            "exact_count": sum(o.exact for o in self.overlaps),
            "excluded": self.excluded,
            "overlaps": listed,
        }


def make_manifest(
    *,
    build: DatasetBuild,
    build_id: uuid.UUID,
    created_at: datetime,
    records: Sequence[object],
    stats: dict[str, Any],
    contamination: dict[str, Any],
    digest: tuple[str, int],
    dedupe_dropped: int,
    location: Path,
) -> dict[str, Any]:
    """The manifest document (without the trace-id list, which is stored beside it)."""
    counts = stats["splits"]
    return {
        "key": build.key,
        "name": build.name,
        "version": build.version,
        "description": build.description,
        "build_id": str(build_id),
        "created_at": created_at.isoformat(),
        "format": RECORD_FORMAT,
        "filters": build.filters.model_dump(mode="json", exclude_none=True),
        "strategy": build.strategy,
        "seed": build.seed,
        "stratify_by": build.stratify_by,
        "limit": build.limit,
        "split": {
            "eval_fraction": build.eval_fraction,
            "split_seed": split_seed(build),
            "train": counts.get("train", 0),
            "eval": counts.get("eval", 0),
        },
        "dedupe": {"by": build.dedupe, "dropped": dedupe_dropped},
        "parent": build.parent,
        "record_count": len(records),
        "stats": stats,
        "contamination": contamination,
        "provenance": {"code_version": __version__, **build.provenance},
        "sha256": digest[0],
        "bytes": digest[1],
        "spec_hash": spec_hash(build),
        "location": str(location.resolve()),
        "files": {"data": DATA_FILE, "manifest": MANIFEST_FILE},
    }


def split_seed(build: DatasetBuild) -> int:
    """The seed of the train/eval split: ``split_seed``, else ``seed``, else 0."""
    if build.split_seed is not None:
        return build.split_seed
    return build.seed if build.seed is not None else 0


def write_files(
    directory: Path, lines: Sequence[bytes], manifest: dict[str, Any], trace_ids: Sequence[str]
) -> None:
    """Write ``data.jsonl`` and ``manifest.json`` into a temp dir, then move it into place."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        with (tmp / DATA_FILE).open("wb") as fh:
            fh.writelines(lines)
        full = {**manifest, "trace_ids": list(trace_ids)}
        (tmp / MANIFEST_FILE).write_bytes(orjson.dumps(full, option=orjson.OPT_INDENT_2))
        # Only a build whose row was rolled back leaves a directory behind; it is replaced.
        if directory.exists():
            shutil.rmtree(directory)
        tmp.rename(directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
