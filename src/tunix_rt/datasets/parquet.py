"""Parquet export, streamed one row group at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from tunix_rt.datasets.render import render_example

BATCH = 10_000
STEP = pa.struct([("i", pa.int64()), ("type", pa.string()), ("content", pa.string())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("split", pa.string()),
        ("trace_version", pa.string()),
        ("prompt", pa.string()),
        ("steps", pa.list_(STEP)),
        ("final_answer", pa.string()),
        ("meta", pa.string()),
        ("rendered_prompt", pa.string()),
        ("rendered_completion", pa.string()),
    ]
)


class _Sink:
    """A write-only file object whose written bytes are drained between row groups."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks = []
        return out


def _row(tid: str, split: str, line: bytes, options: Any) -> dict[str, Any]:
    doc = orjson.loads(line)
    steps = [str(s["content"]) for s in doc["steps"]]
    rendered = render_example(
        doc["prompt"],
        steps,
        doc["final_answer"],
        template=options.template,
        style=options.style,
        system=options.system,
    )
    return {
        "id": tid,
        "split": split,
        "trace_version": doc["trace_version"],
        "prompt": doc["prompt"],
        "steps": doc["steps"],
        "final_answer": doc["final_answer"],
        "meta": orjson.dumps(doc.get("meta")).decode(),
        "rendered_prompt": rendered.prompt,
        "rendered_completion": rendered.completion,
    }


def iter_parquet(records: Iterable[tuple[str, str, bytes]], options: Any) -> Iterator[bytes]:
    """Parquet bytes: one row group per ``BATCH`` records, yielded as soon as written."""
    sink = _Sink()
    writer = pq.ParquetWriter(sink, SCHEMA, compression="zstd")
    batch: list[dict[str, Any]] = []
    for tid, split, line in records:
        batch.append(_row(tid, split, line, options))
        if len(batch) >= BATCH:
            writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
            batch = []
            yield sink.drain()
    if batch:
        writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
    writer.close()
    yield sink.drain()
