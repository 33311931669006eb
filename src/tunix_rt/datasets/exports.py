"""Dataset exports, streamed in manifest order: trace, tunix_sft, training_example, chat, parquet.

Records come from the dataset's ``data.jsonl``; where that file is missing (another host, a
deleted directory) they are rebuilt from the traces and checked against the manifest sha256.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import query
from tunix_rt.datasets.build import canonical_line
from tunix_rt.datasets.manifest import DATA_FILE
from tunix_rt.datasets.models import Dataset
from tunix_rt.datasets.render import (
    ChatTemplate,
    TraceStyle,
    end_of_turn,
    render_body,
    render_prompt,
)
from tunix_rt.datasets.schemas import ExportResult
from tunix_rt.errors import InvalidInput, InvalidState, Problem

FORMATS = ("trace", "tunix_sft", "training_example", "chat", "parquet")
SPLIT_LETTER = {"t": "train", "e": "eval"}
CHUNK_BYTES = 1 << 20
PARQUET_BATCH = 10_000


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the format, an optional split, and the rendering."""

    fmt: str
    split: str | None = None
    template: ChatTemplate = ChatTemplate.GEMMA
    style: TraceStyle = TraceStyle.NUMBERED
    system: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        fmt: str,
        split: str | None = None,
        template: str = "gemma",
        style: str = "numbered",
        system: str | None = None,
    ) -> ExportOptions:
        """Validated options; every bad value is reported by name."""
        problems = []
        if fmt not in FORMATS:
            problems.append(Problem("format", f"{fmt!r} is not one of {', '.join(FORMATS)}"))
        if split not in (None, "train", "eval"):
            problems.append(Problem("split", f"{split!r} is not train or eval"))
        if template not in ChatTemplate.__members__.values():
            problems.append(Problem("template", f"unknown template {template!r}"))
        if style not in TraceStyle.__members__.values():
            problems.append(Problem("style", f"unknown style {style!r}"))
        if problems:
            raise InvalidInput("invalid export options", problems=problems)
        return cls(fmt, split, ChatTemplate(template), TraceStyle(style), system or None)


@dataclass(frozen=True)
class Source:
    """A dataset's records in manifest order: trace ids, split letters, and canonical lines."""

    ids: list[str]
    splits: str
    path: Path | None
    lines: list[bytes] | None

    def records(self) -> Iterator[tuple[str, str, bytes]]:
        """``(trace_id, split, canonical line)`` in manifest order."""
        if self.lines is not None:
            yield from zip(
                self.ids, (SPLIT_LETTER[s] for s in self.splits), self.lines, strict=True
            )
            return
        assert self.path is not None
        with self.path.open("rb") as fh:
            for tid, letter, line in zip(self.ids, self.splits, fh, strict=True):
                yield tid, SPLIT_LETTER[letter], line


async def open_source(*, session: AsyncSession, dataset: Dataset) -> Source:
    """The dataset's records: its data file, or (if missing) rebuilt and hash-checked."""
    await session.refresh(dataset, ["trace_ids", "splits"])
    path = Path(str(dataset.manifest.get("location", ""))) / DATA_FILE
    if path.is_file():
        return Source(dataset.trace_ids, dataset.splits, path, None)
    ids = [uuid.UUID(t) for t in dataset.trace_ids]
    records = await query.fetch_records(session=session, ids=ids)
    letters = [SPLIT_LETTER[s] for s in dataset.splits]
    lines = [canonical_line(r, s) for r, s in zip(records, letters, strict=False)]
    digest = hashlib.sha256(b"".join(lines)).hexdigest()
    if len(records) != len(ids) or digest != dataset.content_hash:
        raise InvalidState(
            f"dataset {dataset.key!r}: its data file is missing and its traces changed"
        )
    return Source(dataset.trace_ids, dataset.splits, None, lines)


def _meta(doc: dict[str, Any], split: str) -> dict[str, Any]:
    # The parsed line is this record's own: its meta can take the split in place.
    meta: dict[str, Any] = doc.get("meta") or {}
    meta["split"] = split
    return meta


def _steps(doc: dict[str, Any]) -> list[str]:
    return [str(step["content"]) for step in doc["steps"]]


def convert(tid: str, split: str, line: bytes, options: ExportOptions) -> bytes:
    """One canonical record line in the export format (JSONL formats only)."""
    if options.fmt == "trace":
        return b'{"id":' + orjson.dumps(tid) + b"," + line[1:]
    doc = orjson.loads(line)
    steps, answer = _steps(doc), doc["final_answer"]
    if options.fmt == "chat":
        body = render_body(steps, answer, style=options.style)
        system = [{"role": "system", "content": options.system}] if options.system else []
        user = {"role": "user", "content": doc["prompt"]}
        messages = [*system, user, {"role": "assistant", "content": body}]
        out: dict[str, Any] = {"id": tid, "messages": messages, "metadata": _meta(doc, split)}
        return orjson.dumps(out, option=orjson.OPT_APPEND_NEWLINE)
    # render_example's two parts, without its object: an export renders every record.
    prompt = render_prompt(doc["prompt"], template=options.template, system=options.system)
    completion = render_body(steps, answer, style=options.style) + end_of_turn(options.template)
    if options.fmt == "tunix_sft":
        out = {"id": tid, "prompts": prompt + completion, "final_answer": answer}
    else:
        out = {"id": tid, "prompt": prompt, "response": completion}
    out["metadata"] = _meta(doc, split)
    return orjson.dumps(out, option=orjson.OPT_APPEND_NEWLINE)


def _selected(source: Source, options: ExportOptions) -> Iterator[tuple[str, str, bytes]]:
    for tid, split, line in source.records():
        if options.split is None or split == options.split:
            yield tid, split, line


def iter_jsonl(source: Source, options: ExportOptions) -> Iterator[bytes]:
    """The export as ~1 MiB chunks of JSONL."""
    buffer: list[bytes] = []
    size = 0
    for tid, split, line in _selected(source, options):
        out = convert(tid, split, line, options)
        buffer.append(out)
        size += len(out)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def iter_export(source: Source, options: ExportOptions) -> Iterator[bytes]:
    """The export as a byte stream in the chosen format."""
    if options.fmt == "parquet":
        from tunix_rt.datasets.parquet import iter_parquet

        return iter_parquet(_selected(source, options), options)
    return iter_jsonl(source, options)


def count_records(source: Source, options: ExportOptions) -> int:
    """How many records the export holds."""
    if options.split is None:
        return len(source.ids)
    letter = options.split[0]
    return source.splits.count(letter)


def write_file(source: Source, options: ExportOptions, path: Path) -> ExportResult:
    """Write the export to ``path`` atomically; returns count, sha256 and size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    digest = hashlib.sha256()
    size = 0
    with tmp.open("wb") as fh:
        for chunk in iter_export(source, options):
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    tmp.replace(path)
    return ExportResult(count=count_records(source, options), sha256=digest.hexdigest(), bytes=size)
