"""Imports from Hugging Face ``datasets``: a ``save_to_disk`` folder, a data folder in the Hub's
layout, or Parquet files, read row by row through the ``datasets`` library (imported here only).

The CLI reads local paths; the API reads a Parquet upload (spooled to a temporary file under
the server's home, always removed) and a folder or file confined to the allowed roots.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt import paths
from tunix_rt.errors import InvalidInput, Problem, Unavailable
from tunix_rt.settings import Settings
from tunix_rt.traces.formats.mapping import TraceFormat, record_traces, shape_of, sniffed
from tunix_rt.traces.formats.records import Shape
from tunix_rt.traces.importer import ImportResult, Parsed, Tally, import_parsed

# Rows read between yields to the event loop, so a chunk being stored makes progress.
_YIELD_ROWS = 64
_SAVED = ("dataset_info.json", "state.json", "dataset_dict.json")
# Every Parquet file starts and ends with these four bytes.
_PARQUET_MAGIC = b"PAR1"
# An upload spooled longer ago than this belongs to no live import (a request is far shorter).
STALE_UPLOAD_S = 24 * 3600


def reads_rows(path: Path, fmt: str) -> bool:
    """Whether ``path`` is read through ``datasets`` (a folder, a ``.parquet`` file, or ``hf``)."""
    return fmt == TraceFormat.HF or path.is_dir() or path.suffix.lower() == ".parquet"


def _splits(path: Path) -> Iterable[tuple[str | None, Iterable[Mapping[str, Any]]]]:
    """``(split, rows)`` of what is at ``path`` (split ``None`` for a single table)."""
    try:
        import datasets
    except ImportError:
        raise Unavailable("reading Parquet and datasets folders needs `datasets`") from None
    datasets.disable_progress_bars()
    if path.is_dir() and any((path / name).is_file() for name in _SAVED):
        loaded = datasets.load_from_disk(str(path))
    elif path.is_dir():
        loaded = datasets.load_dataset(str(path), streaming=True)
    elif path.suffix.lower() == ".parquet":
        files = str(path)
        loaded = datasets.load_dataset("parquet", data_files=files, split="train", streaming=True)
    else:
        msg = "--format hf reads a datasets folder or a .parquet file"
        raise InvalidInput(problems=[Problem(str(path), msg)])
    if isinstance(loaded, datasets.DatasetDict | datasets.IterableDatasetDict):
        return list(loaded.items())
    return [(None, loaded)]


def _rows(path: Path, label: str) -> Iterator[tuple[str | None, int, Mapping[str, Any]]]:
    """Every row with its split and number (1-based); a file ``datasets`` cannot read is one
    ``InvalidInput`` naming it (``label``), never a traceback."""
    try:
        for split, rows in _splits(path):
            for number, row in enumerate(rows, start=1):
                yield split, number, row
    except (InvalidInput, Unavailable):
        raise
    except Exception as exc:  # the library's own errors (pyarrow, fsspec, datasets) vary
        msg = f"not readable as a dataset ({type(exc).__name__}: {exc})"
        raise InvalidInput(problems=[Problem(label, msg)]) from None


async def parse_rows(
    path: Path, fmt: str, tally: Tally, name: str | None = None
) -> AsyncIterator[Parsed]:
    """The traces of a dataset's rows, each problem named by its row (and split).

    ``name`` is the file's name recorded in each trace's origin (default: ``path``'s; ``""``
    for an upload, which records none)."""
    shape = shape_of(fmt)
    if shape is Shape.OTLP:
        raise InvalidInput(problems=[Problem("format", "otlp is read from JSON lines files")])
    name = path.name if name is None else name
    for split, number, row in _rows(path, name or "body"):
        tally.lines += 1
        if tally.lines % _YIELD_ROWS == 0:
            await asyncio.sleep(0)
        if shape is None:
            shape = sniffed(row)
        loc = f"{split} row {number}" if split else f"row {number}"
        origin: dict[str, Any] = {"file": name, "row": number} if name else {"row": number}
        if split:
            origin["split"] = split
        record = {k: v for k, v in row.items() if v is not None}  # Arrow fills absent keys
        for parsed in record_traces(shape, record, loc, origin):
            if parsed is None:
                tally.ignored += 1
            else:
                yield parsed


async def import_rows(
    *,
    session: AsyncSession,
    path: Path,
    fmt: str,
    skip_invalid: bool = False,
    name: str | None = None,
) -> ImportResult:
    """Import a dataset folder or Parquet file (``fmt``: a record shape, ``auto`` or ``hf``)."""
    tally = Tally(unit="row")
    return await import_parsed(
        session=session,
        records=parse_rows(path, fmt, tally, name),
        tally=tally,
        skip_invalid=skip_invalid,
    )


def server_path(value: str, settings: Settings) -> Path:
    """A folder or ``.parquet`` file a client names on the server, confined to the allowed
    roots (``tunix_rt.paths``); ``InvalidInput`` naming ``path`` otherwise."""
    path = paths.confined(value, settings)
    if path is None:
        raise InvalidInput(problems=[Problem("path", paths.OUTSIDE)])
    if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".parquet")):
        msg = f"{value} is not a datasets folder or .parquet file under the allowed roots"
        raise InvalidInput(problems=[Problem("path", msg)])
    return path


def _spool_file(home: Path) -> tuple[BinaryIO, Path]:
    """A new temporary file under ``home/uploads``, open for writing; spooled uploads older
    than ``STALE_UPLOAD_S`` (left by a server that died mid-import) are removed first."""
    spool = home / "uploads"
    spool.mkdir(parents=True, exist_ok=True)
    _remove_stale(spool, time.time() - STALE_UPLOAD_S)
    fd, name = tempfile.mkstemp(prefix="traces-", suffix=".parquet", dir=spool)
    return os.fdopen(fd, "wb"), Path(name)


def _remove_stale(spool: Path, before: float) -> None:
    for leftover in spool.glob("traces-*.parquet"):
        try:
            if leftover.stat().st_mtime < before:
                leftover.unlink()
        except OSError:
            pass  # another import removed it, or it is not ours to remove


async def _spool(chunks: AsyncIterable[bytes], out: BinaryIO) -> int:
    """Write the upload to ``out`` and close it; the bytes written."""
    size = 0
    try:
        async for chunk in chunks:
            if chunk:
                size += len(chunk)
                await asyncio.to_thread(out.write, chunk)
    finally:
        await asyncio.to_thread(out.close)
    return size


def _parquet_problem(path: Path, size: int) -> Problem | None:
    """Why the spooled upload is not a Parquet file (checked before ``datasets`` reads it)."""
    if size == 0:
        return Problem("body", "the upload is empty")
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(max(size - 4, 0))
        tail = f.read(4)
    if size < 12 or head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
        return Problem("body", "not a Parquet file (no PAR1 magic at its start and end)")
    return None


async def import_parquet_upload(
    *,
    session: AsyncSession,
    chunks: AsyncIterable[bytes],
    home: Path,
    fmt: str,
    skip_invalid: bool = False,
) -> ImportResult:
    """Import a Parquet request body: spooled to a temporary file under ``home/uploads`` (the
    request size limit caps it upstream), read as a dataset, and always removed."""
    out, path = await asyncio.to_thread(_spool_file, home)
    try:
        size = await _spool(chunks, out)
        if (problem := await asyncio.to_thread(_parquet_problem, path, size)) is not None:
            raise InvalidInput(problems=[problem])
        return await import_rows(
            session=session, path=path, fmt=fmt, skip_invalid=skip_invalid, name=""
        )
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
