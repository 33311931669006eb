"""A dataset as a Hugging Face ``datasets`` folder: Parquet shards per split and a dataset card.

The folder holds ``data/<split>-<i>-of-<n>.parquet`` (the Parquet export's columns, at most
``shard_rows`` records a shard, manifest order), ``README.md`` whose YAML front matter has the
``configs:`` block ``datasets.load_dataset(folder)`` reads, and ``tunix_rt_manifest.json``
(the dataset's manifest). It is written beside the target and renamed into place, so a
failed export leaves nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from tunix_rt.datasets import parquet
from tunix_rt.datasets.exports import ExportOptions, Source
from tunix_rt.errors import InvalidInput, Problem

SHARD_ROWS = 100_000
SPLITS = ("train", "eval")
MANIFEST_FILE = "tunix_rt_manifest.json"
# The manifest's fields that say how the dataset was selected, quoted on the card.
BUILD_KEYS = ("name", "version", "strategy", "seed", "limit", "filters", "split")


@dataclass(frozen=True)
class DatasetCard:
    """What the card says about the dataset."""

    key: str
    content_hash: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class HfExport:
    """What was written: records and shard files per split."""

    path: Path
    counts: dict[str, int]
    files: list[str]


def _split_rows(source: Source, split: str, options: ExportOptions) -> Iterator[dict[str, Any]]:
    for tid, record_split, line in source.records():
        if record_split == split:
            yield parquet._row(tid, record_split, line, options)


def _write_split(
    source: Source, split: str, count: int, options: ExportOptions, data: Path, shard_rows: int
) -> list[str]:
    shards = max(1, -(-count // shard_rows))
    names = [f"{split}-{i:05d}-of-{shards:05d}.parquet" for i in range(shards)]
    rows = _split_rows(source, split, options)
    for name in names:
        batch = [row for _, row in zip(range(shard_rows), rows, strict=False)]
        table = pa.Table.from_pylist(batch, schema=parquet.SCHEMA)
        pq.write_table(table, data / name, compression="zstd")
    return [f"data/{name}" for name in names]


def card_text(card: DatasetCard, counts: dict[str, int], options: ExportOptions) -> str:
    """``README.md``: YAML front matter (``configs:``, features' provenance) and a short body."""
    front = {
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}-*"} for s in counts],
            }
        ],
        "tags": ["tunix-rt", "reasoning-traces"],
        "tunix_rt": {"dataset": card.key, "sha256": card.content_hash, "records": counts},
    }
    build = {k: card.manifest[k] for k in BUILD_KEYS if k in card.manifest}
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False).rstrip(),
        "---",
        f"# {card.key}",
        "",
        f"Exported by Tunix RT from dataset `{card.key}`.",
        "",
        f"- manifest sha256 (the canonical records in manifest order): `{card.content_hash}`",
        "- records: " + ", ".join(f"{s} {n}" for s, n in counts.items()),
        f"- rendered columns: template `{options.template}`, style `{options.style}`",
        f"- the whole manifest: `{MANIFEST_FILE}`",
    ]
    if build:
        shown = orjson.dumps(build, option=orjson.OPT_INDENT_2).decode()
        lines += ["", "How it was built:", "", "```json", shown, "```"]
    return "\n".join(lines) + "\n"


def write_folder(
    source: Source,
    card: DatasetCard,
    options: ExportOptions,
    out: Path,
    *,
    shard_rows: int = SHARD_ROWS,
) -> HfExport:
    """Write the folder at ``out`` (which must not exist or be empty); returns what it holds."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput("invalid export", problems=[Problem("out", f"{out} is not empty")])
    letters = {"train": source.splits.count("t"), "eval": source.splits.count("e")}
    counts = {s: n for s, n in letters.items() if n and options.split in (None, s)}
    if not counts:
        raise InvalidInput("invalid export", problems=[Problem("split", "no records to export")])
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    try:
        files = []
        for split, count in counts.items():
            files += _write_split(source, split, count, options, tmp / "data", shard_rows)
        (tmp / "README.md").write_text(card_text(card, counts, options), encoding="utf-8")
        manifest = orjson.dumps(card.manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        (tmp / MANIFEST_FILE).write_bytes(manifest)
        if out.exists():
            out.rmdir()
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return HfExport(out, counts, files)
