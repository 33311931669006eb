"""Imports from Hugging Face ``datasets``: a ``save_to_disk`` folder, a data folder in the Hub's
layout, or Parquet files, read row by row through the ``datasets`` library (imported here only).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem, Unavailable
from tunix_rt.traces.formats.mapping import TraceFormat, record_traces, shape_of, sniffed
from tunix_rt.traces.formats.records import Shape
from tunix_rt.traces.importer import ImportResult, Parsed, Tally, import_parsed

# Rows read between yields to the event loop, so a chunk being stored makes progress.
_YIELD_ROWS = 64
_SAVED = ("dataset_info.json", "state.json", "dataset_dict.json")


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


def _rows(path: Path) -> Iterator[tuple[str | None, int, Mapping[str, Any]]]:
    """Every row with its split and number (1-based); a file ``datasets`` cannot read is one
    ``InvalidInput`` naming it, never a traceback."""
    try:
        for split, rows in _splits(path):
            for number, row in enumerate(rows, start=1):
                yield split, number, row
    except (InvalidInput, Unavailable):
        raise
    except Exception as exc:  # the library's own errors (pyarrow, fsspec, datasets) vary
        msg = f"not readable as a dataset ({type(exc).__name__}: {exc})"
        raise InvalidInput(problems=[Problem(path.name, msg)]) from None


async def parse_rows(path: Path, fmt: str, tally: Tally) -> AsyncIterator[Parsed]:
    """The traces of a dataset's rows, each problem named by its row (and split)."""
    shape = shape_of(fmt)
    if shape is Shape.OTLP:
        raise InvalidInput(problems=[Problem("format", "otlp is read from JSON lines files")])
    for split, number, row in _rows(path):
        tally.lines += 1
        if tally.lines % _YIELD_ROWS == 0:
            await asyncio.sleep(0)
        if shape is None:
            shape = sniffed(row)
        loc = f"{split} row {number}" if split else f"row {number}"
        origin: dict[str, Any] = {"file": path.name, "row": number}
        if split:
            origin["split"] = split
        record = {k: v for k, v in row.items() if v is not None}  # Arrow fills absent keys
        for parsed in record_traces(shape, record, loc, origin):
            if parsed is None:
                tally.ignored += 1
            else:
                yield parsed


async def import_rows(
    *, session: AsyncSession, path: Path, fmt: str, skip_invalid: bool = False
) -> ImportResult:
    """Import a dataset folder or Parquet file (``fmt``: a record shape, ``auto`` or ``hf``)."""
    tally = Tally(unit="row")
    return await import_parsed(
        session=session,
        records=parse_rows(path, fmt, tally),
        tally=tally,
        skip_invalid=skip_invalid,
    )
